/**
 * The six transversal quality criteria every establishment authorised for cancer treatment must
 * meet (décret 2007-388 and INCa criteria, taken up by the 2022 authorisation reform): the
 * announcement, the RCP, the PPS handed over, the use of guidelines, access to supportive care,
 * access to innovative treatments and trials. Computed per establishment over the new cancers of
 * a period, with the cases that miss each criterion, for the 3C to follow up.
 */
import type { CarePlan, Condition, Observation, Patient, Procedure, ResearchSubject, Resource, ServiceRequest } from '@medplum/fhirtypes';
import { CATEGORY, EXT, extensionOf } from '../care-plan/index.ts';
import { TA_ASIP } from '../fhir-kit/code-systems.ts';
import { isEnteredInError } from '../fhir-kit/condition-status.ts';
import { idOf, parseReference } from '../fhir-kit/ids.ts';
import { orBatches, parseSearchRequest } from '../fhir-kit/search-request.ts';
import { POST_CANCER_PROGRAM } from '../fhir-kit/shared-codes.ts';
import { FhirError, badRequest } from '../fhir-kit/errors.ts';
import { frenchCsv } from '../print/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { announcementKindOf } from './announcement.ts';
import { patientDisplayName } from '../identity/index.ts';

export const QUALITY_CRITERIA = {
  announcement: "Dispositif d'annonce",
  rcp: 'Concertation pluridisciplinaire (RCP)',
  'pps-handed-over': 'PPS remis au patient',
  guidelines: 'Référentiels de pratique clinique',
  'supportive-care': 'Accès aux soins oncologiques de support',
  'trials-innovation': 'Accès aux traitements innovants et aux essais cliniques',
} as const;
export type QualityCriterion = keyof typeof QUALITY_CRITERIA;

/** What the record says about one new cancer case. */
export interface CaseFacts {
  patient: string;
  /** The patient's name as the 3C reads it in the list to follow up (FAMILY Given). */
  name?: string;
  condition: string;
  establishment: { reference: string; name?: string };
  met: Set<QualityCriterion>;
}

export interface EstablishmentQuality {
  establishment: { reference: string; name?: string };
  cases: number;
  criteria: Record<QualityCriterion, { label: string; met: number; rate: number; missing: { patient: string; name?: string; condition: string }[] }>;
}

export function computeQuality(cases: CaseFacts[]): EstablishmentQuality[] {
  const byEstablishment = new Map<string, CaseFacts[]>();
  for (const c of cases) byEstablishment.set(c.establishment.reference, [...(byEstablishment.get(c.establishment.reference) ?? []), c]);
  return [...byEstablishment.values()].map((list) => ({
    establishment: list[0]!.establishment,
    cases: list.length,
    criteria: Object.fromEntries((Object.keys(QUALITY_CRITERIA) as QualityCriterion[]).map((k) => {
      const met = list.filter((c) => c.met.has(k)).length;
      return [k, {
        label: QUALITY_CRITERIA[k], met, rate: Math.round((met / list.length) * 1000) / 10,
        missing: list.filter((c) => !c.met.has(k)).map((c) => ({ patient: c.patient, ...(c.name ? { name: c.name } : {}), condition: c.condition })),
      }];
    })) as EstablishmentQuality['criteria'],
  })).sort((a, b) => (a.establishment.name ?? a.establishment.reference).localeCompare(b.establishment.name ?? b.establishment.reference, 'fr'));
}

const hasCode = (holder: { code?: { coding?: { system?: string; code?: string }[] } }, system: string, code: string) => Boolean(holder.code?.coding?.some((c) => c.system === system && c.code === code));
const hasCategory = (plan: CarePlan, code: string) => Boolean(plan.category?.some((c) => c.coding?.some((x) => x.code === code)));

/** Which criteria the patient's record meets for this cancer (pure, from their resources). */
export function criteriaMet(resources: Resource[]): Set<QualityCriterion> {
  const met = new Set<QualityCriterion>();
  const plans = resources.filter((r): r is CarePlan => r.resourceType === 'CarePlan' && r.status !== 'entered-in-error' && r.status !== 'revoked');
  if (resources.some((r) => r.resourceType === 'Procedure' && announcementKindOf(r as Procedure) === 'medical')) met.add('announcement');
  if (plans.some((p) => hasCategory(p, 'rcp-decision') && p.status === 'active')) met.add('rcp');
  const pps = plans.filter((p) => hasCategory(p, CATEGORY.pps.code));
  if (pps.some((p) => extensionOf(p, EXT.handOver))) met.add('pps-handed-over');
  const observations = resources.filter((r): r is Observation => r.resourceType === 'Observation' && r.status !== 'entered-in-error');
  // The sheet names the guideline the proposal was checked against (MED-249).
  if (observations.some((o) => hasCode(o, TA_ASIP, 'MED-249'))) met.add('guidelines');
  // Supportive care: in the PPS (MED-572), or a prescription of the after-cancer pathway.
  const supportive = pps.some((p) => (p.activity ?? []).some((a) => a.extension?.some((e) => e.valueCoding?.code === 'MED-572')))
    || resources.some((r) => r.resourceType === 'ServiceRequest' && (r as ServiceRequest).category?.some((c) => c.coding?.some((x) => x.code === POST_CANCER_PROGRAM.coding![0]!.code)));
  if (supportive) met.add('supportive-care');
  // The RCP asked whether a trial fits (MED-250), whatever the answer: access was considered; an
  // inclusion in a trial (ResearchSubject) is access itself.
  if (observations.some((o) => hasCode(o, TA_ASIP, 'MED-250') && typeof o.valueBoolean === 'boolean')
    || resources.some((r) => r.resourceType === 'ResearchSubject')) met.add('trials-innovation');
  return met;
}

/**
 * The cases of the period: cancers (CIM-10 C…) recorded in [from, to), attached to the
 * establishment that manages the patient. Through the caller's repository (its circle of care).
 * The patients and their records are read for all the cases together, in OR batches: a read and
 * five searches per case were 24,000 statements for 2,000 cases at 100,000 resources.
 */
export async function qualityOfPeriod(repo: FhirRepository, from: string, to: string): Promise<{ period: { from: string; to: string }; establishments: EstablishmentQuality[] }> {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !/^\d{4}-\d{2}-\d{2}$/.test(to) || from >= to) {
    throw badRequest(`Période invalide : from=${from} to=${to} (AAAA-MM-JJ, from avant to ; to est exclu)`, ['from', 'to']);
  }
  // Every cancer of the period, page after page: a directory's cap (2,000) would have cut a
  // region's year short and the rates with it, silently.
  const conditions = await repo.searchAll<Condition>('Condition', { 'recorded-date': [`ge${from}`, `lt${to}`] });
  const cancers = conditions
    // A diagnosis marked « saisie erronée » is no cancer of the period.
    .filter((condition) => !isEnteredInError(condition))
    .filter((condition) => condition.code?.coding?.some((c) => c.system === 'http://hl7.org/fhir/sid/icd-10' && c.code?.startsWith('C')))
    .map((condition) => ({ condition, patientId: idOf(condition.subject, 'Patient') }))
    .filter((c): c is { condition: Condition; patientId: string } => Boolean(c.patientId));
  const patients = await readablePatients(repo, cancers.map((c) => c.patientId));
  const records = await recordsOf(repo, [...patients.keys()]);
  const cases: CaseFacts[] = [];
  for (const { condition, patientId } of cancers) {
    const patient = patients.get(patientId);
    if (!patient) continue;
    cases.push({
      patient: `Patient/${patientId}`,
      ...(patient.name?.length ? { name: patientDisplayName(patient) } : {}),
      condition: `Condition/${condition.id}`,
      establishment: patient.managingOrganization?.reference ? { reference: patient.managingOrganization.reference, ...(patient.managingOrganization.display ? { name: patient.managingOrganization.display } : {}) } : { reference: 'inconnu', name: 'Établissement non renseigné' },
      met: criteriaMet(records.get(patientId) ?? []),
    });
  }
  return { period: { from, to }, establishments: computeQuality(cases) };
}

/**
 * The patients among `ids` the caller may read, by id: a search leaves out, as a read would have
 * refused, those outside the circle of care, unknown or deleted (the case is not counted).
 */
async function readablePatients(repo: FhirRepository, ids: string[]): Promise<Map<string, Patient>> {
  const out = new Map<string, Patient>();
  for (const batch of orBatches([...new Set(ids)])) {
    for (const patient of await repo.searchAll<Patient>('Patient', { _id: batch.join(',') })) out.set(patient.id!, patient);
  }
  return out;
}

/** The types whose resources criteriaMet looks at, searched by subject. */
const RECORD_TYPES = ['Procedure', 'CarePlan', 'Observation', 'ServiceRequest'] as const;
/** Matches of one type for one OR batch read in the shared round trip; a search that fills it is read again in full. */
const RECORD_PAGE = 1000;

/**
 * Each patient's resources the criteria look at (by patient id): per OR batch of patients, the
 * four types in one round trip (repository.searchEach, each search audited as its own), then the
 * trial inclusions. Grouped by the reference the search matched on (subject, individual).
 */
async function recordsOf(repo: FhirRepository, patientIds: string[]): Promise<Map<string, Resource[]>> {
  const out = new Map<string, Resource[]>(patientIds.map((id) => [id, []]));
  const file = (resource: Resource, reference: string | undefined) => {
    const target = parseReference(reference);
    if (target?.type === 'Patient') out.get(target.id)?.push(resource);
  };
  let inclusionsReadable = true;
  for (const batch of orBatches(patientIds.map((id) => `Patient/${id}`))) {
    const subject = batch.join(',');
    const requests = RECORD_TYPES.map((type) => {
      const { request } = parseSearchRequest(type, new URLSearchParams({ subject }), { defaultCount: RECORD_PAGE, maxCount: RECORD_PAGE }, true);
      request.total = 'none';
      return request;
    });
    const pages = await repo.searchEach<Procedure | CarePlan | Observation | ServiceRequest>(requests);
    for (const [i, page] of pages.entries()) {
      const resources = page.length < RECORD_PAGE ? page : await repo.searchAll<Procedure | CarePlan | Observation | ServiceRequest>(RECORD_TYPES[i]!, { subject });
      for (const resource of resources) file(resource, resource.subject?.reference);
    }
    if (inclusionsReadable) {
      const inclusions = await inclusionsIfReadable(repo, subject);
      if (inclusions) for (const inclusion of inclusions) file(inclusion, inclusion.individual?.reference);
      else inclusionsReadable = false;
    }
  }
  return out;
}

/** Trial inclusions, for those whose profession reads them (the 3C does not: a 403 means "not counted", for every batch). */
async function inclusionsIfReadable(repo: FhirRepository, patients: string): Promise<ResearchSubject[] | undefined> {
  try {
    return await repo.searchAll<ResearchSubject>('ResearchSubject', { patient: patients });
  } catch (error) {
    if (error instanceof FhirError && error.status === 403) return undefined;
    throw error;
  }
}

/**
 * The indicators' period ([from, to] as instants, `to` the last millisecond of its day) as the
 * days [from, to) the quality criteria count new cancers over.
 */
export function qualityPeriodOf(period: { from: string; to: string }): { from: string; to: string } {
  return { from: period.from.slice(0, 10), to: new Date(Date.parse(period.to) + 1).toISOString().slice(0, 10) };
}

/**
 * The criteria as a CSV for the 3C's spreadsheet: one line per establishment and criterion, with the
 * cases that meet it, the rate, and the patients who miss it (to follow up), period in each line.
 */
export function qualityCsv(period: { from: string; to: string }, establishments: EstablishmentQuality[]): string {
  const rows: unknown[][] = [['Établissement', 'Identifiant', 'Début de période', 'Fin de période', 'Critère', 'Nouveaux cas', 'Cas conformes', 'Taux (%)', 'Patients à suivre']];
  for (const e of establishments) {
    for (const k of Object.keys(QUALITY_CRITERIA) as QualityCriterion[]) {
      const c = e.criteria[k];
      rows.push([e.establishment.name ?? '', e.establishment.reference, period.from, period.to, c.label, e.cases, c.met, c.rate,
        c.missing.map((m) => m.name ?? m.patient).join(', ')]);
    }
  }
  return frenchCsv(rows);
}
