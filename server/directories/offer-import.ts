/**
 * Import of the regional offer of care from a FHIR Bundle (another network's export, the ARS
 * list of labelled structures, our own `$export`): HealthcareService entries with the Organization
 * that provides them and the Location where they are. Each resource is matched on a business
 * identifier — updated in place when known (left alone when unchanged), created otherwise — so
 * importing the same Bundle twice duplicates nothing. Everything is checked before anything is
 * written, and the whole import is one transaction: a faulty entry leaves the directory as it was.
 */
import type { Bundle, HealthcareService, Identifier, Location, Organization, Reference, Resource } from '@medplum/fhirtypes';
import { badRequest } from '../fhir-kit/errors.ts';
import { isValidFiness } from '../identity/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { DIRECTORY_KIND, DIRECTORY_KIND_SYSTEM, FINESS_SYSTEM, OFFER_TYPE, OFFER_TYPE_SYSTEM, POST_CANCER_LABEL_EXT } from './codes.ts';
import { labelOf } from './label.ts';
import { searchEvery } from './search.ts';

type Entry = Organization | Location | HealthcareService;

export interface OfferImportResult {
  created: string[];
  updated: string[];
  unchanged: string[];
}

/** Where an entry of the Bundle is, for the messages: « entrée n° 3 (HealthcareService « … ») ». */
const where = (i: number, r: Resource) => `Entrée n° ${i + 1} (${r.resourceType}${(r as Entry).name ? ` « ${(r as Entry).name} »` : ''})`;

const usableIdentifiers = (r: Entry): Identifier[] => (r.identifier ?? []).filter((i) => i.system && i.value);

/** Checks the Bundle as a whole, naming each fault in French; returns the entries with their Bundle keys. */
export function checkOfferBundle(bundle: Bundle): { key: string; index: number; resource: Entry }[] {
  if (!bundle || bundle.resourceType !== 'Bundle' || !Array.isArray(bundle.entry)) {
    throw badRequest("Le corps d'un import est un Bundle FHIR (collection, transaction ou searchset) avec ses entry", ['Bundle']);
  }
  const problems: string[] = [];
  const entries: { key: string; index: number; resource: Entry }[] = [];
  bundle.entry.forEach((e, index) => {
    const r = e.resource;
    if (!r) { problems.push(`Entrée n° ${index + 1} : sans ressource`); return; }
    if (r.resourceType !== 'Organization' && r.resourceType !== 'Location' && r.resourceType !== 'HealthcareService') {
      problems.push(`${where(index, r)} : l'annuaire de l'offre de soins ne contient que des Organization, Location et HealthcareService`);
      return;
    }
    const keys = [e.fullUrl, r.id ? `${r.resourceType}/${r.id}` : undefined].filter((k): k is string => Boolean(k));
    if (!keys.length) problems.push(`${where(index, r)} : ni fullUrl ni id, ses références ne peuvent pas être suivies`);
    for (const key of keys) entries.push({ key, index, resource: r });
  });
  const byKey = new Map(entries.map((x) => [x.key, x]));
  const resolve = (ref: Reference | undefined, type: string) => {
    const target = ref?.reference ? byKey.get(ref.reference) ?? [...byKey.values()].find((x) => x.key.endsWith(`/${ref.reference}`)) : undefined;
    return target?.resource.resourceType === type ? target : undefined;
  };
  const seen = new Set<number>();
  for (const { index, resource: r } of entries) {
    if (seen.has(index)) continue;
    seen.add(index);
    const at = where(index, r);
    if (!r.name?.trim()) problems.push(`${at} : nom (name) manquant`);
    if (!usableIdentifiers(r).length && r.resourceType !== 'Location') {
      problems.push(`${at} : un identifiant (identifier avec system et value) est obligatoire — c'est lui qui évite les doublons d'un import à l'autre`);
    }
    if (r.resourceType === 'Organization') {
      for (const f of (r.identifier ?? []).filter((i) => i.system === FINESS_SYSTEM)) {
        if (!isValidFiness(f.value ?? '')) problems.push(`${at} : numéro FINESS ${f.value} invalide (9 caractères, clé de contrôle)`);
      }
    }
    if (r.resourceType === 'HealthcareService') {
      const kinds = (r.category ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === DIRECTORY_KIND_SYSTEM);
      if (!kinds.length) problems.push(`${at} : catégorie de l'annuaire manquante (category, système ${DIRECTORY_KIND_SYSTEM} : ${Object.keys(DIRECTORY_KIND).join(', ')})`);
      for (const k of kinds) if (!(k.code! in DIRECTORY_KIND)) problems.push(`${at} : catégorie « ${k.code} » inconnue (attendu ${Object.keys(DIRECTORY_KIND).join(', ')})`);
      for (const t of (r.type ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === OFFER_TYPE_SYSTEM)) {
        if (!(t.code! in OFFER_TYPE)) problems.push(`${at} : offre « ${t.code} » inconnue (type, système ${OFFER_TYPE_SYSTEM})`);
      }
      if (!resolve(r.providedBy, 'Organization')) problems.push(`${at} : la structure qui porte l'offre (providedBy) doit être une Organization du Bundle`);
      for (const l of r.location ?? []) if (!resolve(l, 'Location')) problems.push(`${at} : le lieu ${l.reference} doit être une Location du Bundle`);
      if (r.extension?.some((x) => x.url === POST_CANCER_LABEL_EXT) && !labelOf(r)) problems.push(`${at} : label de l'après-cancer sans année (extension year, entier)`);
    }
    if (r.resourceType === 'Location' && r.managingOrganization && !resolve(r.managingOrganization, 'Organization')) {
      problems.push(`${at} : l'organisation gestionnaire ${r.managingOrganization.reference} doit être une Organization du Bundle`);
    }
  }
  if (!entries.some((x) => x.resource.resourceType === 'HealthcareService')) problems.push("Ce Bundle ne contient aucune offre (HealthcareService)");
  if (problems.length) throw badRequest(`Import refusé, rien n'a été enregistré : ${problems.join(' ; ')}`, ['Bundle.entry']);
  return entries;
}

/** Same content whatever the key order, ignoring id and meta: an unchanged entry is not rewritten. */
function sameContent(a: Resource, b: Resource): boolean {
  const canon = (v: unknown): unknown => Array.isArray(v) ? v.map(canon)
    : v && typeof v === 'object' ? Object.fromEntries(Object.entries(v).filter(([k]) => k !== 'id' && k !== 'meta').sort(([x], [y]) => x.localeCompare(y)).map(([k, x]) => [k, canon(x)]))
      : v;
  return JSON.stringify(canon(a)) === JSON.stringify(canon(b));
}

export async function importOffer(repo: FhirRepository, bundle: Bundle): Promise<OfferImportResult> {
  const entries = checkOfferBundle(bundle);
  const byKey = new Map(entries.map((x) => [x.key, x]));
  const keyOf = (ref: Reference | undefined) => {
    const found = ref?.reference ? byKey.get(ref.reference) ?? [...byKey.values()].find((x) => x.key.endsWith(`/${ref.reference}`)) : undefined;
    return found?.index;
  };
  const unique = [...new Map(entries.map((x) => [x.index, x])).values()];
  const result: OfferImportResult = { created: [], updated: [], unchanged: [] };
  return repo.transaction(async (tx) => {
    await tx.lock('directories:offer-import');
    const stored = new Map<number, string>(); // Bundle entry → stored id
    const refTo = (ref: Reference | undefined, type: string): Reference<any> | undefined => {
      const index = keyOf(ref);
      return index !== undefined && stored.has(index) ? { reference: `${type}/${stored.get(index)}`, ...(ref?.display ? { display: ref.display } : {}) } : undefined;
    };
    const upsert = async (index: number, content: Entry, match: () => Promise<Entry | undefined>) => {
      const { id: _id, meta: _meta, ...rest } = content;
      const existing = await match();
      if (existing) {
        const next = { ...rest, id: existing.id } as Entry;
        if (sameContent(existing, next)) result.unchanged.push(`${content.resourceType}/${existing.id}`);
        else {
          await tx.update(next, { ifMatch: existing.meta?.versionId });
          result.updated.push(`${content.resourceType}/${existing.id}`);
        }
        stored.set(index, existing.id!);
      } else {
        const created = await tx.create(rest as Entry);
        result.created.push(`${content.resourceType}/${created.id}`);
        stored.set(index, created.id!);
      }
    };
    const byIdentifier = async <T extends Entry>(type: string, r: Entry): Promise<T | undefined> => {
      for (const i of usableIdentifiers(r)) {
        const found = (await searchEvery<T>(tx, type, { identifier: `${i.system}|${i.value}` })).resources[0];
        if (found) return found;
      }
      return undefined;
    };
    // Organizations first, then the places they manage, then the services that point at both.
    for (const { index, resource } of unique.filter((x) => x.resource.resourceType === 'Organization')) {
      await upsert(index, resource, () => byIdentifier('Organization', resource));
    }
    for (const { index, resource } of unique.filter((x) => x.resource.resourceType === 'Location')) {
      const l = resource as Location;
      const managing = refTo(l.managingOrganization, 'Organization');
      const content: Location = { ...l, ...(managing ? { managingOrganization: managing } : {}) };
      await upsert(index, content, async () => (await byIdentifier<Location>('Location', l))
        ?? (usableIdentifiers(l).length || !managing ? undefined
          : (await searchEvery<Location>(tx, 'Location', { 'name:exact': l.name!, organization: managing.reference! })).resources[0]));
    }
    for (const { index, resource } of unique.filter((x) => x.resource.resourceType === 'HealthcareService')) {
      const s = resource as HealthcareService;
      const content: HealthcareService = {
        ...s,
        providedBy: refTo(s.providedBy, 'Organization')!,
        ...(s.location ? { location: s.location.map((l) => refTo(l, 'Location')!) } : {}),
      };
      await upsert(index, content, () => byIdentifier('HealthcareService', s));
    }
    return result;
  });
}
