/**
 * The inclusion of a patient in a trial of the regional directory: one ResearchSubject pointing at
 * the directory's ResearchStudy (never a copy) and at the patient, recorded after an RCP decision
 * that proposed that very trial (Observation MED-250 « proposition d'inclusion », focus the study).
 * Written through the caller's repository: only the patient's circle of care writes it, every read
 * and write is traced (AuditEvent), and a GP reads it for their own patients only.
 */
import type { Location, Observation, Patient, Reference, ResearchStudy, ResearchSubject } from '@medplum/fhirtypes';
import { TA_ASIP } from '../fhir-kit/code-systems.ts';
import { compareDates, isIsoDate } from '../fhir-kit/dates.ts';
import { readOptional } from '../store/optional-reads.ts';
import { badRequest, businessRule, conflict } from '../fhir-kit/errors.ts';
import type { FhirRepository } from '../store/repository.ts';
import { INCLUSION_PROPOSAL_EXT, INCLUSION_RECORDED_BY_EXT, INCLUSION_STATUS_LABEL } from './codes.ts';
import { searchEvery } from './search.ts';
import { isDirectoryTrial, registryNumberOf, trialEntryOf, type TrialEntry } from './trials.ts';
import { relativeReferenceId } from '../fhir-kit/ids.ts';
import { beforeBirthMessage, futureDateMessage, longDate } from '../fhir-kit/french-dates.ts';

/** The RCP sheet's « proposition d'inclusion dans un essai clinique » (CI-SIS FRCP, TA_ASIP MED-250). */
const TRIAL_PROPOSAL = { system: TA_ASIP, code: 'MED-250' };
/** Statuses that end a participation: a new inclusion in the same trial is then possible. */
const ENDED = new Set(['off-study', 'withdrawn', 'ineligible', 'not-registered']);
/** What an inclusion may be recorded as, and what it may become afterwards. */
const INCLUDED = ['on-study', 'on-study-intervention', 'on-study-observation', 'follow-up'] as const;
const NEXT = [...INCLUDED, 'off-study', 'withdrawn'] as const;

export interface InclusionInput {
  /** ResearchStudy/<id> of the directory. */
  study: string;
  /** Date of inclusion (YYYY-MM-DD), not in the future. */
  date: string;
  /** Default on-study. */
  status?: (typeof INCLUDED)[number];
  /** The patient's number in the trial (given by the sponsor), when known. */
  subjectNumber?: string;
}

export interface InclusionStatusInput {
  status: (typeof NEXT)[number];
  /** Date of the change (the end of participation for off-study / withdrawn). */
  date: string;
}

export interface InclusionView {
  reference: string;
  status: string;
  statusLabel: string;
  start?: string;
  end?: string;
  subjectNumber?: string;
  recordedBy?: string;
  trial?: TrialEntry;
}

function checkDate(date: unknown, today: string, field = 'date'): string {
  if (typeof date !== 'string' || !isIsoDate(date)) throw badRequest(`${field} : une date AAAA-MM-JJ est attendue, reçu '${String(date)}'`, [field]);
  if (compareDates(date, today) > 0) throw businessRule(futureDateMessage('La date', date, "enregistrez l'inclusion une fois faite"), [field]);
  return date;
}

export function checkInclusionInput(input: InclusionInput, today: string): { studyId: string; date: string; status: (typeof INCLUDED)[number] } {
  if (!input || typeof input !== 'object') throw badRequest("Le corps est un objet JSON : { study: 'ResearchStudy/<id>', date: 'AAAA-MM-JJ' }", []);
  const studyId = typeof input.study === 'string' ? relativeReferenceId(input.study, 'ResearchStudy') : undefined;
  if (!studyId) throw badRequest("study : l'essai de l'annuaire régional, ResearchStudy/<id>", ['study']);
  const status = input.status ?? 'on-study';
  if (!(INCLUDED as readonly string[]).includes(status)) throw badRequest(`status=${String(status)} : une inclusion est ${INCLUDED.join(', ')}`, ['status']);
  if (input.subjectNumber !== undefined && (typeof input.subjectNumber !== 'string' || !/^[\w\-./ ]{1,40}$/.test(input.subjectNumber))) {
    throw badRequest("subjectNumber : le numéro du patient dans l'essai (lettres, chiffres, tirets ; 40 caractères au plus)", ['subjectNumber']);
  }
  return { studyId, date: checkDate(input.date, today), status };
}

/** The RCP proposals of this trial for this patient: a yes (valueBoolean true) focused on the study. */
export function proposesTrial(o: Observation, studyId: string): boolean {
  return o.status !== 'entered-in-error' && o.status !== 'cancelled' && o.valueBoolean === true
    && Boolean(o.code?.coding?.some((c) => c.system === TRIAL_PROPOSAL.system && c.code === TRIAL_PROPOSAL.code))
    && Boolean(o.focus?.some((f) => f.reference === `ResearchStudy/${studyId}` || f.reference?.startsWith(`ResearchStudy/${studyId}/_history/`)));
}

/**
 * Records the inclusion, in one transaction: the trial must be the directory's, recruiting; an
 * RCP decision must have proposed it to this patient; the patient is not already in it.
 */
export async function recordInclusion(repo: FhirRepository, patientId: string, input: InclusionInput, recorder: Reference | undefined, today: string): Promise<ResearchSubject> {
  const { studyId, date, status } = checkInclusionInput(input, today);
  return repo.transaction(async (tx) => {
    await tx.lock(`directories:inclusion:${patientId}:${studyId}`);
    const patient = await tx.read<Patient>('Patient', patientId);
    const early = beforeBirthMessage("La date d'inclusion", date, patient.birthDate);
    if (early) throw businessRule(early, ['date']);
    const study = await readOptional<ResearchStudy>(tx, 'ResearchStudy', studyId);
    if (!study || !isDirectoryTrial(study)) throw businessRule(`ResearchStudy/${studyId} n'est pas un essai de l'annuaire régional : choisissez l'essai dans l'annuaire (jamais une copie)`, ['study']);
    if (study.status !== 'active') throw businessRule(`L'essai ${registryNumberOf(study)?.value ?? studyId} (« ${study.title} ») n'inclut plus (statut ${study.status}) : inclusion impossible`, ['study']);
    const proposals = (await searchEvery<Observation>(tx, 'Observation', { subject: `Patient/${patientId}`, code: `${TRIAL_PROPOSAL.system}|${TRIAL_PROPOSAL.code}` })).resources
      .filter((o) => proposesTrial(o, studyId));
    if (!proposals.length) {
      throw businessRule(`Aucune décision de RCP ne propose l'essai « ${study.title} » à ce patient : l'inclusion suit la proposition de la RCP (proposition d'inclusion dans un essai clinique, avec cet essai)`, ['study']);
    }
    const current = (await searchEvery<ResearchSubject>(tx, 'ResearchSubject', { individual: `Patient/${patientId}`, study: `ResearchStudy/${studyId}` })).resources
      .filter((s) => !ENDED.has(s.status));
    if (current.length) throw conflict(`Ce patient est déjà inclus dans l'essai « ${study.title} » (ResearchSubject/${current[0]!.id}, ${INCLUSION_STATUS_LABEL[current[0]!.status] ?? current[0]!.status})`);
    const registry = registryNumberOf(study);
    const subject: ResearchSubject = {
      resourceType: 'ResearchSubject',
      extension: [
        ...(recorder?.reference ? [{ url: INCLUSION_RECORDED_BY_EXT, valueReference: recorder }] : []),
        { url: INCLUSION_PROPOSAL_EXT, valueReference: { reference: `Observation/${proposals[0]!.id}` } },
      ],
      ...(input.subjectNumber ? { identifier: [{ use: 'official', type: { text: "Numéro du patient dans l'essai" }, value: input.subjectNumber }] } : {}),
      status,
      period: { start: date },
      study: { reference: `ResearchStudy/${studyId}`, display: [study.title, registry?.value].filter(Boolean).join(' — ') },
      individual: { reference: `Patient/${patientId}` },
    };
    return tx.create(subject);
  });
}

/** A later step of the participation (treatment, follow-up, end, withdrawal), as a new version. */
export async function changeInclusionStatus(repo: FhirRepository, id: string, input: InclusionStatusInput, today: string): Promise<ResearchSubject> {
  if (!input || !(NEXT as readonly string[]).includes(input.status)) throw badRequest(`status : ${NEXT.join(', ')}`, ['status']);
  const date = checkDate(input.date, today);
  return repo.transaction(async (tx) => {
    const current = await tx.read<ResearchSubject>('ResearchSubject', id);
    if (ENDED.has(current.status)) throw conflict(`Cette participation est close (${INCLUSION_STATUS_LABEL[current.status] ?? current.status}) : enregistrez une nouvelle inclusion si le patient reprend l'essai`);
    if (current.period?.start && compareDates(date, current.period.start) < 0) throw businessRule(`La date (${longDate(date)}) précède l'inclusion (${longDate(current.period.start)})`, ['date']);
    const ends = input.status === 'off-study' || input.status === 'withdrawn';
    const next: ResearchSubject = { ...current, status: input.status, period: { ...current.period, ...(ends ? { end: date } : {}) } };
    return (await tx.update(next, { ifMatch: current.meta?.versionId })).resource;
  });
}

/** The patient's participations in trials, most recent first, each with the trial and its contact. */
export async function inclusionsOf(repo: FhirRepository, patientId: string): Promise<InclusionView[]> {
  await repo.read('Patient', patientId);
  const { resources, included } = await searchEvery<ResearchSubject>(repo, 'ResearchSubject', { individual: `Patient/${patientId}`, _include: 'ResearchSubject:study' });
  const studies = new Map(included.filter((r): r is ResearchStudy => r.resourceType === 'ResearchStudy').map((s) => [`ResearchStudy/${s.id}`, s]));
  // The trial's sites, for where to call: a directory read (no patient data).
  const siteRefs = [...new Set([...studies.values()].flatMap((s) => (s.site ?? []).map((l) => l.reference?.split('/')[1]).filter((x): x is string => Boolean(x))))];
  const sites = new Map<string, Location>();
  for (const lid of siteRefs) {
    const l = await readOptional<Location>(repo, 'Location', lid, [403, 404, 410]);
    if (l) sites.set(`Location/${l.id}`, l);
  }
  return resources.map((s): InclusionView => {
    const study = studies.get(s.study?.reference ?? '');
    const recordedBy = s.extension?.find((e) => e.url === INCLUSION_RECORDED_BY_EXT)?.valueReference;
    return {
      reference: `ResearchSubject/${s.id}`,
      status: s.status,
      statusLabel: INCLUSION_STATUS_LABEL[s.status] ?? s.status,
      ...(s.period?.start ? { start: s.period.start } : {}),
      ...(s.period?.end ? { end: s.period.end } : {}),
      ...(s.identifier?.[0]?.value ? { subjectNumber: s.identifier[0].value } : {}),
      ...(recordedBy ? { recordedBy: recordedBy.display ?? recordedBy.reference } : {}),
      ...(study ? { trial: trialEntryOf(study, (study.site ?? []).map((l) => sites.get(l.reference ?? ''))) } : {}),
    };
  }).sort((a, b) => (b.start ?? '').localeCompare(a.start ?? ''));
}
