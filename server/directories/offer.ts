/**
 * Directory of the regional offer of care: establishments authorised for cancer treatment,
 * supportive-care structures (labelled for the after-cancer pathway or not), specific
 * consultations (oncofertility, oncogeriatrics, oncogenetics), patient associations.
 *
 * An entry is an Organization (who), a Location (where: address and position) and a
 * HealthcareService (what: category = directory kind, type = what it offers, the after-cancer label).
 * Searchable by kind, offer, town and distance to a postcode.
 */
import type {
  Bundle, BundleEntry, HealthcareService, Identifier, Location, Organization, Resource,
} from '@medplum/fhirtypes';
import { badRequest, businessRule, conflict } from '../fhir-kit/errors.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';
import { nameUuid } from '../fhir-kit/name-uuid.ts';
import type { FhirRepository } from '../store/repository.ts';
import { DIRECTORY_ENTRY_ID_SYSTEM, DIRECTORY_KIND, DIRECTORY_KIND_SYSTEM, FINESS_SYSTEM, OFFER_TYPE, OFFER_TYPE_SYSTEM, SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM, kindConcept, offerTypeConcept, type DirectoryKind } from './codes.ts';
import { POST_CANCER_PROGRAM } from '../fhir-kit/shared-codes.ts';
import { isLabelledOn, labelExtension, labelOf, type PostCancerLabel } from './label.ts';
import type { OfferSpec } from './offer-data.ts';
import { distanceKm, townOf, type Position } from './places.ts';
import { searchEvery } from './search.ts';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { foldForComparison } from '../fhir-kit/text.ts';

const UUID_NAMESPACE = 'dcc-regional-directory';

/** Bundle entries (conditional creates on the business identifier) of one directory entry. */
export function offerEntries(spec: OfferSpec): BundleEntry[] {
  const town = townOf(spec.postalCode);
  if (!town) throw new Error(`Code postal ${spec.postalCode} absent de la table des communes (directories/places.ts)`);
  const system = spec.kind === 'supportive-care' ? SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM : DIRECTORY_ENTRY_ID_SYSTEM;
  const orgId: Identifier = { system, value: spec.key };
  const serviceId: Identifier = { system, value: `${spec.key}-SERVICE` };
  const locationId: Identifier = { system, value: `${spec.key}-LOCATION` };
  const orgUuid = spec.uuids?.organization ?? nameUuid(UUID_NAMESPACE, `${spec.key}/organization`);
  const serviceUuid = spec.uuids?.service ?? nameUuid(UUID_NAMESPACE, `${spec.key}/service`);
  const locationUuid = nameUuid(UUID_NAMESPACE, `${spec.key}/location`);
  const telecom = [{ system: 'phone' as const, use: 'work' as const, value: spec.phone }, ...(spec.email ? [{ system: 'email' as const, value: spec.email }] : [])];
  const address = { use: 'work' as const, type: 'both' as const, line: [spec.line], postalCode: spec.postalCode, city: town.city, country: 'FRA' };
  const organization: Organization = {
    resourceType: 'Organization',
    identifier: [orgId, ...(spec.finess ? [{ system: FINESS_SYSTEM, value: spec.finess }] : [])],
    active: true,
    ...(spec.orgType ? { type: [{ coding: [{ system: `${DCC_CANONICAL_BASE}/CodeSystem/organization-type`, ...spec.orgType }], text: spec.orgType.display }] } : {}),
    name: spec.name,
    telecom,
    address: [address],
  };
  const location: Location = {
    resourceType: 'Location',
    identifier: [locationId],
    status: 'active',
    name: spec.name,
    telecom,
    address,
    position: { latitude: town.position.latitude, longitude: town.position.longitude },
    managingOrganization: { reference: `urn:uuid:${orgUuid}`, display: spec.name },
  };
  const service: HealthcareService = {
    resourceType: 'HealthcareService',
    identifier: [serviceId],
    ...(spec.label ? { extension: [labelExtension(spec.label)] } : {}),
    active: true,
    providedBy: { reference: `urn:uuid:${orgUuid}`, display: spec.name },
    category: [kindConcept(spec.kind)],
    type: spec.types.map(offerTypeConcept),
    location: [{ reference: `urn:uuid:${locationUuid}`, display: `${spec.name}, ${town.city}` }],
    name: spec.kind === 'supportive-care' && spec.label ? `${spec.name} — parcours de soins global après cancer` : spec.name,
    ...(spec.comment ? { comment: spec.comment } : spec.label ? { comment: 'Structure labellisée par l’ARS pour le parcours de soins global après le traitement d’un cancer : bilan des besoins dans l’année qui suit la fin des traitements actifs, sur prescription du médecin.' } : {}),
    ...(spec.label ? { program: [POST_CANCER_PROGRAM], characteristic: [{ text: `Structure labellisée (ARS PACA, ${spec.label.year})` }], referralMethod: [{ text: 'Prescription médicale' }], appointmentRequired: true } : {}),
    telecom,
  };
  const entry = (uuid: string, resource: Resource, id: Identifier): BundleEntry => ({
    fullUrl: `urn:uuid:${uuid}`, resource, request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${id.system}|${id.value}` },
  });
  return [entry(orgUuid, organization, orgId), entry(locationUuid, location, locationId), entry(serviceUuid, service, serviceId)];
}

export interface OfferQuery {
  kind?: DirectoryKind;
  /** OFFER_TYPE code, e.g. radiotherapy, oncofertility, physical-activity. */
  offer?: string;
  town?: string;
  /** The patient's postcode: entries sorted by distance, with it. */
  near?: string;
  /** With `near`: only entries within this distance (km). */
  withinKm?: number;
  /** Only structures holding a valid after-cancer label on that date (YYYY-MM-DD). */
  labelledOn?: string;
}

/** One directory entry as professionals and the public read it: no internal ids beyond the references. */
export interface OfferEntry {
  service: string;
  organization?: string;
  kind: DirectoryKind;
  name: string;
  offers: { code: string; label: string }[];
  address?: string;
  postalCode?: string;
  city?: string;
  phone?: string;
  email?: string;
  label?: PostCancerLabel & { valid: boolean };
  finess?: string;
  distanceKm?: number;
}

const FOLD = (s: string) => foldForComparison(s).replace(/[\s'’-]+/g, ' ').trim();

/** Checks the query as the HTTP layer received it (strings), naming the parameter at fault. */
/** The offer (or a search of it) as a FHIR Bundle (collection): services with their organizations and places. */
export async function exportOffer(repo: FhirRepository, query: OfferQuery, baseUrl: string): Promise<Bundle> {
  const entries = await searchOffer(repo, query);
  const keep = new Set(entries.flatMap((e) => [e.service, ...(e.organization ? [e.organization] : [])]));
  const params: Record<string, string | string[]> = {
    'service-category': Object.keys(DIRECTORY_KIND).map((k) => `${DIRECTORY_KIND_SYSTEM}|${k}`).join(','),
    _include: ['HealthcareService:location', 'HealthcareService:organization'],
  };
  const { resources, included } = await searchEvery<HealthcareService>(repo, 'HealthcareService', params);
  const services = resources.filter((r) => keep.has(`HealthcareService/${r.id}`));
  for (const s of services) for (const l of s.location ?? []) if (l.reference) keep.add(l.reference);
  const entry = (r: Resource): BundleEntry => ({ fullUrl: `${baseUrl}/${r.resourceType}/${r.id}`, resource: r });
  return { resourceType: 'Bundle', type: 'collection', timestamp: new Date().toISOString(), total: services.length, entry: [...services, ...included.filter((r) => keep.has(`${r.resourceType}/${r.id}`))].map(entry) } as Bundle;
}

/** Closes an entry of the offer (active = false): it stays for history, no longer listed nor proposed. */
export async function closeOfferEntry(repo: FhirRepository, serviceId: string): Promise<HealthcareService> {
  return repo.transaction(async (tx) => {
    const service = await tx.read<HealthcareService>('HealthcareService', serviceId);
    if (!service.category?.some((c) => c.coding?.some((x) => x.system === DIRECTORY_KIND_SYSTEM))) throw businessRule(`HealthcareService/${serviceId} n'est pas une entrée de l'annuaire de l'offre de soins`, ['HealthcareService.category']);
    if (service.active === false) throw conflict(`« ${service.name} » est déjà fermée dans l'annuaire`);
    return (await tx.update({ ...service, active: false }, { ifMatch: service.meta?.versionId })).resource;
  });
}

export function parseOfferQuery(q: Record<string, unknown>): OfferQuery {
  const str = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v.trim()) throw badRequest(`Paramètre ${name} : une valeur texte est attendue`, [name]);
    return v.trim();
  };
  const kind = str('kind');
  if (kind && !(kind in DIRECTORY_KIND)) throw badRequest(`kind=${kind} inconnu : attendu ${Object.keys(DIRECTORY_KIND).join(', ')}`, ['kind']);
  const offer = str('offer');
  if (offer && !(offer in OFFER_TYPE)) throw badRequest(`offer=${offer} inconnu : attendu ${Object.keys(OFFER_TYPE).join(', ')}`, ['offer']);
  const near = str('near');
  if (near && !/^\d{5}$/.test(near)) throw badRequest(`Code postal du patient : « ${near} » n'est pas un code postal ; saisissez les 5 chiffres du code postal, par ex. 13005`, ['near']);
  if (near && !townOf(near)) throw badRequest(`Code postal ${near} inconnu de l'annuaire des communes de la région : indiquez le code postal d'une commune de PACA`, ['near']);
  const within = str('withinKm');
  if (within && (!/^\d{1,4}$/.test(within) || Number(within) < 1)) throw badRequest(`withinKm=${within} : une distance entière en km est attendue`, ['withinKm']);
  if (within && !near) throw badRequest('withinKm demande near (le code postal du patient)', ['withinKm']);
  const labelled = str('labelled');
  if (labelled && labelled !== 'true' && labelled !== 'false') throw badRequest('labelled=true|false', ['labelled']);
  return {
    ...(kind ? { kind: kind as DirectoryKind } : {}),
    ...(offer ? { offer } : {}),
    ...(str('town') ? { town: str('town') } : {}),
    ...(near ? { near } : {}),
    ...(within ? { withinKm: Number(within) } : {}),
    ...(labelled === 'true' ? { labelledOn: parisDay(new Date()) } : {}),
  };
}

/**
 * The entries matching the query. Kind and offer are searched on the index; town, distance and
 * label, on the few hundred services left (a region's whole directory), which needs no geo index.
 */
export async function searchOffer(repo: FhirRepository, query: OfferQuery): Promise<OfferEntry[]> {
  const params: Record<string, string | string[]> = {
    'service-category': query.kind ? `${DIRECTORY_KIND_SYSTEM}|${query.kind}` : Object.keys(DIRECTORY_KIND).map((k) => `${DIRECTORY_KIND_SYSTEM}|${k}`).join(','),
    active: 'true',
    _include: ['HealthcareService:location', 'HealthcareService:organization'],
  };
  if (query.offer) params['service-type'] = `${OFFER_TYPE_SYSTEM}|${query.offer}`;
  const { resources, included } = await searchEvery<HealthcareService>(repo, 'HealthcareService', params);
  const byRef = new Map(included.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const origin = query.near ? townOf(query.near)?.position : undefined;
  const services = query.labelledOn ? resources.filter((s) => isLabelledOn(s, query.labelledOn!)) : resources;
  let entries = services.map((s) => offerEntryOf(s, byRef, origin));
  if (query.town) entries = entries.filter((e) => e.city && FOLD(e.city) === FOLD(query.town!));
  if (query.withinKm !== undefined) entries = entries.filter((e) => e.distanceKm !== undefined && e.distanceKm <= query.withinKm!);
  return entries.sort((a, b) => (origin ? (a.distanceKm ?? Infinity) - (b.distanceKm ?? Infinity) : 0) || a.name.localeCompare(b.name, 'fr'));
}

function offerEntryOf(service: HealthcareService, byRef: Map<string, Resource>, origin: Position | undefined): OfferEntry {
  const organization = byRef.get(service.providedBy?.reference ?? '') as Organization | undefined;
  const location = byRef.get(service.location?.[0]?.reference ?? '') as Location | undefined;
  const kind = service.category?.flatMap((c) => c.coding ?? []).find((c) => c.system === DIRECTORY_KIND_SYSTEM)?.code as DirectoryKind;
  const address = location?.address ?? organization?.address?.[0];
  const telecom = [...(service.telecom ?? []), ...(organization?.telecom ?? [])];
  const label = labelOf(service);
  const position = location?.position ? { latitude: location.position.latitude, longitude: location.position.longitude } : undefined;
  const finess = organization?.identifier?.find((i) => i.system === FINESS_SYSTEM)?.value;
  const today = parisDay(new Date());
  return {
    service: `HealthcareService/${service.id}`,
    ...(organization ? { organization: `Organization/${organization.id}` } : {}),
    kind,
    name: organization?.name ?? service.name ?? '',
    offers: (service.type ?? []).flatMap((t) => t.coding ?? []).filter((c) => c.system === OFFER_TYPE_SYSTEM && c.code).map((c) => ({ code: c.code!, label: OFFER_TYPE[c.code!] ?? c.display ?? c.code! })),
    ...(address?.line?.length ? { address: address.line.join(', ') } : {}),
    ...(address?.postalCode ? { postalCode: address.postalCode } : {}),
    ...(address?.city ? { city: address.city } : {}),
    ...(telecom.find((t) => t.system === 'phone')?.value ? { phone: telecom.find((t) => t.system === 'phone')!.value } : {}),
    ...(telecom.find((t) => t.system === 'email')?.value ? { email: telecom.find((t) => t.system === 'email')!.value } : {}),
    ...(label ? { label: { ...label, valid: isLabelledOn(service, today) } } : {}),
    ...(finess ? { finess } : {}),
    ...(origin && position ? { distanceKm: Math.round(distanceKm(origin, position) * 10) / 10 } : {}),
  };
}
