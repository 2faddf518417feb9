/**
 * Directory of the open clinical trials of the region (« e-répertoire des essais cliniques
 * ouverts »): one ResearchStudy per trial, found by its registry number (NCT / EU CT), with its
 * sites (Location), sponsor, contact, phase, recruitment status, the cancer sites targeted (CIM-10)
 * and stages, and its main inclusion criteria. Fields follow the FR clinical-trials FHIR IG
 * published by the ANS, on the R4 ResearchStudy (the criteria and stages in extensions until R5's
 * `recruitment.eligibility`).
 *
 * The trials of the directory carry the `open-trial` category: a copy made elsewhere (an RCP sheet
 * describing a trial inline) is never mistaken for the directory's entry.
 */
import type { Bundle, BundleEntry, CodeableConcept, Condition, Identifier, Location, Resource, ResearchStudy } from '@medplum/fhirtypes';
import { badRequest, businessRule, conflict } from '../fhir-kit/errors.ts';
import type { FhirRepository } from '../store/repository.ts';
import {
  EU_CT_SYSTEM, ICD10_SYSTEM, NCT_SYSTEM, PHASE_LABEL, PHASE_SYSTEM, TRIAL_DIRECTORY_CATEGORY, TRIAL_INCLUSION_EXT, TRIAL_STAGE_EXT,
} from './codes.ts';
import { searchEvery } from './search.ts';
import { foldForComparison } from '../fhir-kit/text.ts';

export type TrialStatus = 'recruiting' | 'closed';
const RECRUITING = new Set(['active']);
const CLOSED = ['closed-to-accrual', 'closed-to-accrual-and-intervention', 'completed', 'administratively-completed', 'temporarily-closed-to-accrual', 'withdrawn'];

/** NCT01234567 or EU CT 2024-512345-12-00: the system follows from the number's form. */
export function registryIdentifier(value: string): Identifier | undefined {
  const v = value.trim();
  if (/^NCT\d{8}$/.test(v)) return { system: NCT_SYSTEM, value: v };
  if (/^\d{4}-\d{6}-\d{2}-\d{2}$/.test(v)) return { system: EU_CT_SYSTEM, value: v };
  return undefined;
}

export function registryNumberOf(study: ResearchStudy): Identifier | undefined {
  return study.identifier?.find((i) => (i.system === NCT_SYSTEM || i.system === EU_CT_SYSTEM) && i.value);
}

export function isDirectoryTrial(study: ResearchStudy): boolean {
  return (study.category ?? []).some((c) => c.coding?.some((x) => x.system === TRIAL_DIRECTORY_CATEGORY.system && x.code === TRIAL_DIRECTORY_CATEGORY.code));
}

/**
 * The directory's trial with this registry number (NCT… or EU CT …), when there is one. What an
 * RCP sheet proposing a trial references, so that saving it again never makes a copy.
 */
export async function findTrialByRegistryNumber(repo: FhirRepository, registryNumber: string | Identifier): Promise<ResearchStudy | undefined> {
  const id = typeof registryNumber === 'string' ? registryIdentifier(registryNumber) : registryNumber;
  if (!id?.value) return undefined;
  const params: Record<string, string> = { identifier: id.system ? `${id.system}|${id.value}` : id.value };
  const { resources } = await searchEvery<ResearchStudy>(repo, 'ResearchStudy', params);
  return resources.find(isDirectoryTrial) ?? resources[0];
}

/**
 * Checks a trial written to the directory and completes what the directory adds (its category).
 * The registry number is the trial's identity: one entry per number.
 */
export function checkTrial(study: ResearchStudy): ResearchStudy {
  if (!study || study.resourceType !== 'ResearchStudy') throw badRequest('Un essai de l\'annuaire est une ressource ResearchStudy', ['resourceType']);
  if (!study.title?.trim()) throw badRequest("Indiquez le titre de l'essai (title)", ['ResearchStudy.title']);
  const registry = registryNumberOf(study);
  if (!registry) {
    throw badRequest(`Indiquez le numéro d'enregistrement de l'essai : identifier avec system ${NCT_SYSTEM} (NCT + 8 chiffres) ou ${EU_CT_SYSTEM} (AAAA-NNNNNN-NN-NN)`, ['ResearchStudy.identifier']);
  }
  if (!registryIdentifier(registry.value!) || registryIdentifier(registry.value!)!.system !== registry.system) {
    throw badRequest(`Numéro d'enregistrement ${registry.value} mal formé pour ${registry.system}`, ['ResearchStudy.identifier']);
  }
  const phase = phaseOf(study);
  if (!phase) throw badRequest(`Indiquez la phase de l'essai (phase, codes ${PHASE_SYSTEM} : ${Object.keys(PHASE_LABEL).join(', ')})`, ['ResearchStudy.phase']);
  if (!cancerSitesOf(study).length) throw badRequest(`Indiquez les localisations cancéreuses ciblées (condition, codes CIM-10 ${ICD10_SYSTEM})`, ['ResearchStudy.condition']);
  const category = isDirectoryTrial(study) ? study.category! : [...(study.category ?? []), { coding: [TRIAL_DIRECTORY_CATEGORY], text: TRIAL_DIRECTORY_CATEGORY.display }];
  // The CIM-10 codes are also keywords: R4 has no search parameter on ResearchStudy.condition.
  const keywords = cancerSitesOf(study).filter((code) => !(study.keyword ?? []).some((k) => k.coding?.some((c) => c.system === ICD10_SYSTEM && c.code === code)));
  return {
    ...study,
    category,
    ...(keywords.length ? { keyword: [...(study.keyword ?? []), ...keywords.map((code): CodeableConcept => ({ coding: [{ system: ICD10_SYSTEM, code }] }))] } : {}),
  };
}

export function phaseOf(study: ResearchStudy): string | undefined {
  return study.phase?.coding?.find((c) => c.system === PHASE_SYSTEM && c.code && c.code in PHASE_LABEL)?.code;
}

export function cancerSitesOf(study: ResearchStudy): string[] {
  return (study.condition ?? []).flatMap((c) => c.coding ?? []).filter((c) => c.system === ICD10_SYSTEM && c.code).map((c) => c.code!);
}

/** A trial targets a case when one of its CIM-10 codes covers the case's code (C18 covers C18.7). */
export function targetsCancerSite(study: ResearchStudy, code: string): boolean {
  const norm = (c: string) => c.replace('.', '').toUpperCase();
  const caseCode = norm(code);
  return cancerSitesOf(study).some((c) => caseCode.startsWith(norm(c)) || norm(c).startsWith(caseCode));
}

export interface TrialQuery {
  cancerSite?: string;
  phase?: string;
  town?: string;
  status?: TrialStatus;
  registryNumber?: string;
}

export function parseTrialQuery(q: Record<string, unknown>): TrialQuery {
  const str = (name: string): string | undefined => {
    const v = q[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string' || !v.trim()) throw badRequest(`Paramètre ${name} : une valeur texte est attendue`, [name]);
    return v.trim();
  };
  const cancerSite = str('cancerSite');
  if (cancerSite && !/^[A-Z]\d{2}(\.\d{1,2})?$/i.test(cancerSite)) throw badRequest(`Localisation (CIM-10) : « ${cancerSite} » n'est pas un code CIM-10 ; saisissez un code CIM-10, par ex. C50 (sein) ou C18.7`, ['cancerSite']);
  const phase = str('phase');
  if (phase && !(phase in PHASE_LABEL)) throw badRequest(`phase=${phase} inconnue : attendu ${Object.keys(PHASE_LABEL).join(', ')}`, ['phase']);
  const status = str('status');
  if (status && status !== 'recruiting' && status !== 'closed') throw badRequest('status=recruiting|closed', ['status']);
  return {
    ...(cancerSite ? { cancerSite: cancerSite.toUpperCase() } : {}),
    ...(phase ? { phase } : {}),
    ...(str('town') ? { town: str('town') } : {}),
    ...(status ? { status: status as TrialStatus } : {}),
    ...(str('registryNumber') ? { registryNumber: str('registryNumber') } : {}),
  };
}

export interface TrialEntry {
  study: string;
  registryNumber: string;
  title: string;
  status: TrialStatus;
  phase?: { code: string; label: string };
  cancerSites: string[];
  stages: string[];
  inclusionCriteria?: string;
  sponsor?: string;
  contact?: { name?: string; phone?: string; email?: string };
  sites: { name: string; city?: string; postalCode?: string }[];
}

const FOLD = (s: string) => foldForComparison(s).replace(/[\s'’-]+/g, ' ').trim();

/**
 * The directory's trials matching the query: status and registry number on the index; cancer
 * site, phase and town on the directory's trials (a region has dozens to a few hundred open).
 */
export async function searchTrials(repo: FhirRepository, query: TrialQuery): Promise<{ entries: TrialEntry[]; studies: ResearchStudy[]; included: Resource[] }> {
  const params: Record<string, string | string[]> = {
    category: `${TRIAL_DIRECTORY_CATEGORY.system}|${TRIAL_DIRECTORY_CATEGORY.code}`,
    _include: ['ResearchStudy:site'],
  };
  if (query.status === 'recruiting') params.status = [...RECRUITING].join(',');
  if (query.status === 'closed') params.status = CLOSED.join(',');
  if (query.registryNumber) {
    const id = registryIdentifier(query.registryNumber);
    if (!id) throw badRequest(`registryNumber=${query.registryNumber} : NCT + 8 chiffres ou numéro EU CT AAAA-NNNNNN-NN-NN`, ['registryNumber']);
    params.identifier = `${id.system}|${id.value}`;
  }
  const { resources, included } = await searchEvery<ResearchStudy>(repo, 'ResearchStudy', params);
  const byRef = new Map(included.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const sitesOf = (s: ResearchStudy) => (s.site ?? []).map((ref) => byRef.get(ref.reference ?? '') as Location | undefined);
  const studies = resources.filter((s) =>
    (!query.cancerSite || targetsCancerSite(s, query.cancerSite))
    && (!query.phase || phaseOf(s) === query.phase)
    && (!query.town || sitesOf(s).some((l) => l?.address?.city && FOLD(l.address.city) === FOLD(query.town!))))
    .sort((a, b) => (a.title ?? '').localeCompare(b.title ?? '', 'fr'));
  return { entries: studies.map((s) => trialEntryOf(s, sitesOf(s))), studies, included };
}

export function trialEntryOf(study: ResearchStudy, sites: (Location | undefined)[]): TrialEntry {
  const phase = phaseOf(study);
  const contact = study.contact?.[0];
  const telecom = contact?.telecom ?? [];
  return {
    study: `ResearchStudy/${study.id}`,
    registryNumber: registryNumberOf(study)?.value ?? '',
    title: study.title ?? '',
    status: RECRUITING.has(study.status) ? 'recruiting' : 'closed',
    ...(phase ? { phase: { code: phase, label: PHASE_LABEL[phase]! } } : {}),
    cancerSites: cancerSitesOf(study),
    stages: (study.extension ?? []).filter((e) => e.url === TRIAL_STAGE_EXT && e.valueString).map((e) => e.valueString!),
    ...((study.extension ?? []).find((e) => e.url === TRIAL_INCLUSION_EXT)?.valueMarkdown ? { inclusionCriteria: study.extension!.find((e) => e.url === TRIAL_INCLUSION_EXT)!.valueMarkdown } : {}),
    ...(study.sponsor?.display ? { sponsor: study.sponsor.display } : {}),
    ...(contact ? { contact: {
      ...(contact.name ? { name: contact.name } : {}),
      ...(telecom.find((t) => t.system === 'phone')?.value ? { phone: telecom.find((t) => t.system === 'phone')!.value } : {}),
      ...(telecom.find((t) => t.system === 'email')?.value ? { email: telecom.find((t) => t.system === 'email')!.value } : {}),
    } } : {}),
    sites: sites.filter((l): l is Location => Boolean(l)).map((l) => ({ name: l.name ?? '', ...(l.address?.city ? { city: l.address.city } : {}), ...(l.address?.postalCode ? { postalCode: l.address.postalCode } : {}) })),
  };
}

/** Adds a trial to the directory: 409 naming the existing entry when its registry number is already there. */
export async function createTrial(repo: FhirRepository, input: ResearchStudy): Promise<ResearchStudy> {
  const study = checkTrial(input);
  return repo.transaction(async (tx) => {
    const registry = registryNumberOf(study)!;
    await tx.lock(`directories:trial:${registry.system}|${registry.value}`);
    const existing = await findTrialByRegistryNumber(tx, registry);
    if (existing && isDirectoryTrial(existing)) throw conflict(`L'essai ${registry.value} est déjà dans l'annuaire (ResearchStudy/${existing.id}, « ${existing.title} ») : mettez-le à jour plutôt que d'en créer un second`);
    const { id: _id, meta: _meta, ...rest } = study;
    return tx.create<ResearchStudy>(rest as ResearchStudy);
  });
}

/** Updates a trial of the directory in place (a new version); its registry number cannot move to another trial's. */
export async function updateTrial(repo: FhirRepository, id: string, input: ResearchStudy, ifMatch?: string): Promise<ResearchStudy> {
  const study = checkTrial({ ...input, id });
  return repo.transaction(async (tx) => {
    const current = await tx.read<ResearchStudy>('ResearchStudy', id);
    if (!isDirectoryTrial(current)) throw businessRule(`ResearchStudy/${id} n'est pas un essai de l'annuaire régional`, ['ResearchStudy.category']);
    const registry = registryNumberOf(study)!;
    const other = await findTrialByRegistryNumber(tx, registry);
    if (other && other.id !== id && isDirectoryTrial(other)) throw conflict(`Le numéro ${registry.value} appartient déjà à ResearchStudy/${other.id} (« ${other.title} »)`);
    return (await tx.update<ResearchStudy>({ ...study, id }, { ifMatch: ifMatch ?? current.meta?.versionId })).resource;
  });
}

/** Closes the recruitment of a trial (status closed-to-accrual): it stays in the directory, no longer proposed. */
export async function closeTrial(repo: FhirRepository, id: string, date: string): Promise<ResearchStudy> {
  return repo.transaction(async (tx) => {
    const current = await tx.read<ResearchStudy>('ResearchStudy', id);
    if (!isDirectoryTrial(current)) throw businessRule(`ResearchStudy/${id} n'est pas un essai de l'annuaire régional`, ['ResearchStudy.category']);
    if (!RECRUITING.has(current.status)) throw conflict(`L'essai ${registryNumberOf(current)?.value ?? id} est déjà clos (statut ${current.status})`);
    const closed: ResearchStudy = { ...current, status: 'closed-to-accrual', period: { ...current.period, end: date } };
    return (await tx.update(closed, { ifMatch: current.meta?.versionId })).resource;
  });
}

/** The directory (or a search of it) as a FHIR Bundle of type collection: trials and their sites. */
export function trialsBundle(studies: ResearchStudy[], included: Resource[], baseUrl: string): Bundle {
  const entry = (r: Resource): BundleEntry => ({ fullUrl: `${baseUrl}/${r.resourceType}/${r.id}`, resource: r });
  // The search filtered the trials after the query: only the sites of the trials kept go with them.
  const sites = new Set(studies.flatMap((s) => (s.site ?? []).map((ref) => ref.reference)));
  const kept = included.filter((r) => sites.has(`${r.resourceType}/${r.id}`));
  return { resourceType: 'Bundle', type: 'collection', timestamp: new Date().toISOString(), total: studies.length, entry: [...studies.map(entry), ...kept.map(entry)] } as Bundle;
}

/**
 * Imports trials from a Bundle (another network's export, the national registry): each
 * ResearchStudy is matched on its registry number — updated in place when known, created
 * otherwise; its sites (Location entries of the Bundle it references) likewise on their
 * identifier or name. One transaction: a faulty entry leaves the directory as it was.
 */
export async function importTrials(repo: FhirRepository, bundle: Bundle): Promise<{ created: string[]; updated: string[] }> {
  if (!bundle || bundle.resourceType !== 'Bundle' || !Array.isArray(bundle.entry)) throw badRequest("Le corps d'un import est un Bundle FHIR (collection, transaction ou searchset) avec ses entry", ['Bundle']);
  const byFullUrl = new Map<string, Resource>();
  for (const e of bundle.entry) if (e.fullUrl && e.resource) byFullUrl.set(e.fullUrl, e.resource);
  const studies = bundle.entry.map((e) => e.resource).filter((r): r is ResearchStudy => r?.resourceType === 'ResearchStudy');
  if (!studies.length) throw badRequest('Ce Bundle ne contient aucun essai (ResearchStudy)', ['Bundle.entry']);
  const checked = studies.map((s, i) => {
    try {
      return checkTrial(s);
    } catch (error) {
      const e = error as { outcome?: { issue?: { details?: { text?: string } }[] } };
      throw badRequest(`Essai n° ${i + 1} du Bundle (${s.title ?? 'sans titre'}) : ${e.outcome?.issue?.[0]?.details?.text ?? String(error)}`, ['Bundle.entry']);
    }
  });
  return repo.transaction(async (tx) => {
    const created: string[] = [];
    const updated: string[] = [];
    const siteIds = new Map<string, string>();
    for (const study of checked) {
      const sites = [];
      for (const ref of study.site ?? []) {
        const source = byFullUrl.get(ref.reference ?? '') ?? [...byFullUrl.values()].find((r) => `${r.resourceType}/${r.id}` === ref.reference);
        if (!source || source.resourceType !== 'Location') throw badRequest(`Site ${ref.reference} introuvable dans le Bundle : joignez la Location de chaque site`, ['ResearchStudy.site']);
        const key = ref.reference!;
        if (!siteIds.has(key)) siteIds.set(key, await upsertSite(tx, source as Location));
        sites.push({ reference: `Location/${siteIds.get(key)}`, ...(source.name ? { display: (source as Location).name } : {}) });
      }
      const registry = registryNumberOf(study)!;
      const existing = await findTrialByRegistryNumber(tx, registry);
      const { id: _id, meta: _meta, ...content } = study;
      const next = { ...content, ...(sites.length ? { site: sites } : {}) } as ResearchStudy;
      if (existing && isDirectoryTrial(existing)) {
        await tx.update({ ...next, id: existing.id }, { ifMatch: existing.meta?.versionId });
        updated.push(`ResearchStudy/${existing.id}`);
      } else {
        created.push(`ResearchStudy/${(await tx.create(next)).id}`);
      }
    }
    return { created, updated };
  });
}

async function upsertSite(tx: FhirRepository, location: Location): Promise<string> {
  const { id: _id, meta: _meta, ...content } = location;
  const identifier = location.identifier?.find((i) => i.system && i.value);
  if (identifier) {
    const { resources } = await searchEvery<Location>(tx, 'Location', { identifier: `${identifier.system}|${identifier.value}` });
    if (resources[0]) return (await tx.update({ ...content, id: resources[0].id } as Location)).resource.id!;
  } else if (location.name) {
    const { resources } = await searchEvery<Location>(tx, 'Location', { 'name:exact': location.name });
    if (resources[0]) return resources[0].id!;
  }
  return (await tx.create(content as Location)).id!;
}

/**
 * The recruiting trials that target the patient's active cancers (their CIM-10 codes): what the
 * registration form and the session propose. Read through the caller's repository, so only a
 * professional of the patient's circle learns their diagnoses.
 */
export async function trialsForPatient(repo: FhirRepository, patientId: string): Promise<{ cancerSites: string[]; trials: TrialEntry[] }> {
  await repo.read('Patient', patientId);
  const { resources } = await searchEvery<Condition>(repo, 'Condition', { subject: `Patient/${patientId}` });
  const live = resources.filter((c) => !c.clinicalStatus?.coding?.some((x) => ['inactive', 'resolved', 'remission'].includes(x.code ?? ''))
    && !c.verificationStatus?.coding?.some((x) => ['entered-in-error', 'refuted'].includes(x.code ?? '')));
  const cancerSites = [...new Set(live.flatMap((c) => c.code?.coding ?? []).filter((x) => x.system === ICD10_SYSTEM && /^(C|D0)/.test(x.code ?? '')).map((x) => x.code!))];
  if (!cancerSites.length) return { cancerSites, trials: [] };
  const { studies, included } = await searchTrials(repo, { status: 'recruiting' });
  const byRef = new Map(included.map((r) => [`${r.resourceType}/${r.id}`, r]));
  const trials = studies.filter((s) => cancerSites.some((code) => targetsCancerSite(s, code)))
    .map((s) => trialEntryOf(s, (s.site ?? []).map((ref) => byRef.get(ref.reference ?? '') as Location | undefined)));
  return { cancerSites, trials };
}
