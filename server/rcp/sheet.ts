import type { Composition, Organization, Patient, Practitioner } from '@medplum/fhirtypes';
import { FhirError } from '../fhir-kit/errors.ts';
import { FINESS_SYSTEM, IDNPS_SYSTEM } from '../identity/index.ts';
import { clinicalDatesAsInput, completenessOf, isSignedRcpSheet, type CompletenessStage, createRcpSheet, type GeneralPractitioner, type CaseStatus, type LoadedRcpSheet, loadRcpSheet, type MissingItem, parseRcpSheetInput, type Professional, type RcpSheetData, type RcpSheetInput, updateRcpSheet } from '../rcp-sheet/index.ts';
import { practitionerName, specialityOfPractitioner, type Board } from './board-model.ts';
import { R38_SPECIALTY_SYSTEM, type Motif } from './codes.ts';
import { ruleViolations } from './errors.ts';
import { idFrom, type RcpContext } from './fhir-helpers.ts';
import type { Session } from './session-model.ts';

/**
 * The RCP sheet (server/rcp-sheet) seen from the workflow: the registration creates it from what
 * the physician gives (summary, question, diagnosis), the decision fills its outcome (participants
 * and quorum, proposal, basis), the signature locks it. The sheet module owns the content rules.
 */

export async function professionalOf(rc: RcpContext, reference: string, display?: string): Promise<Professional> {
  return (await professionalsOf(rc, [{ reference, ...(display ? { display } : {}) }]))[0]!;
}

/** Several professionals (e.g. a session's attendance), their directory entries read in one query. */
export async function professionalsOf(rc: RcpContext, people: { reference: string; display?: string }[]): Promise<Professional[]> {
  const ids = people.map((p) => idFrom(p.reference, 'Practitioner'));
  const practitioners = await rc.repo.readManyIfExists<Practitioner>('Practitioner', ids);
  return people.map(({ reference, display }, i) => {
    const id = ids[i];
    const practitioner = id ? practitioners.get(id) : undefined;
    const idnps = practitioner?.identifier?.find((x) => x.system === IDNPS_SYSTEM)?.value;
    const speciality = practitioner ? specialityOfPractitioner(practitioner) : undefined;
    return {
      ...(id ? { practitioner: `Practitioner/${id}` } : {}),
      ...(idnps ? { idnps } : {}),
      name: practitioner ? practitionerName(practitioner) : display ?? reference,
      ...(speciality ? { speciality: { code: speciality.code, system: R38_SPECIALTY_SYSTEM, display: speciality.display ?? speciality.code } } : {}),
    };
  });
}

export async function generalPractitionerOf(rc: RcpContext, patient: Patient): Promise<GeneralPractitioner> {
  const gp = patient.generalPractitioner?.find((r) => idFrom(r, 'Practitioner'));
  if (!gp?.reference) return { unknown: true, comment: "Pas de médecin traitant déclaré dans le dossier" };
  return professionalOf(rc, gp.reference, gp.display);
}

/** The sheet's header for a session: board, session, national identifiers, host establishment. */
export async function meetingOf(rc: RcpContext, board: Board, session: Session, registrationNumber?: string): Promise<RcpSheetInput['meeting']> {
  const mode = session.videoLink ? (session.place ? 'hybrid' : 'videoconference') : 'in-person';
  const centreId = idFrom(board.coordinationCentre, 'Organization');
  const hostId = idFrom(board.hostEstablishment, 'Organization');
  const organizations = await rc.repo.readManyIfExists<Organization>('Organization', [centreId, hostId]);
  const centre = centreId ? organizations.get(centreId) : undefined;
  const host = hostId ? organizations.get(hostId) : undefined;
  const finess = host?.identifier?.find((i) => i.system === FINESS_SYSTEM)?.value;
  const threeCId = centre?.identifier?.find((i) => i.value)?.value;
  return {
    rcpName: board.name,
    // When it was actually held, once opened: the report never dates a meeting it did not have.
    date: session.startedAt ?? session.start,
    mode,
    board: `HealthcareService/${board.id}`,
    session: `Appointment/${session.id}`,
    ...(board.code ? { rcpId: board.code } : {}),
    ...(board.rrcId ? { rrcId: board.rrcId } : {}),
    ...(threeCId ? { threeCId } : {}),
    ...(host && finess ? { hostEstablishment: { finess, name: host.name ?? finess, organization: `Organization/${host.id}` } } : {}),
    ...(registrationNumber ? { registrationNumber } : {}),
  };
}

/** Clinical items a registration may carry for the sheet (the rest comes from the workflow). */
export const CLINICAL_SHEET_ITEMS = [
  'discovery', 'diagnosis', 'history', 'comorbidities', 'performanceStatus', 'geriatricScreening', 'pain', 'examResults', 'phase',
  'treatmentsSoFar', 'otherReports', 'otherData', 'patientComment',
] as const;

/** A new draft sheet for a registration (when the physician did not fill one beforehand). */
export async function createSheetForRegistration(rc: RcpContext, args: {
  patient: Patient;
  board: Board;
  session: Session;
  requester: Professional;
  motif: Motif;
  question: string;
  summary: string;
  conditionId?: string;
  registrationNumber?: string;
  clinical?: Record<string, unknown>;
}): Promise<Composition> {
  const chair = args.board.members.find((m) => m.chair);
  const author = chair ? await professionalOf(rc, chair.practitioner, chair.display) : args.requester;
  const clinical = Object.fromEntries(Object.entries(args.clinical ?? {}).filter(([k]) => (CLINICAL_SHEET_ITEMS as readonly string[]).includes(k)));
  const diagnosis = args.conditionId
    ? { ...(clinical.diagnosis as object | undefined), condition: `Condition/${args.conditionId}` }
    : (clinical.diagnosis as object | undefined);
  const input = {
    ...clinical,
    patient: `Patient/${args.patient.id}`,
    author,
    requester: args.requester,
    presenter: args.requester,
    generalPractitioner: await generalPractitionerOf(rc, args.patient),
    meeting: await meetingOf(rc, args.board, args.session, args.registrationNumber),
    reason: {
      nature: args.board.kind, recours: args.board.recours, paediatric: args.board.paediatric, motifs: [args.motif],
      // No case status yet: the session says whether the case is discussed or only recorded.
      ...(args.board.kind === 'organ' && args.board.organ ? { organSystem: { display: args.board.organ } } : {}),
    },
    ...(diagnosis ? { diagnosis } : {}),
    summary: args.summary,
    question: args.question,
    documentStatus: 'in-progress',
  };
  return createRcpSheet(rc.repo, rc.ctx, parseRcpSheetInput(input), undefined, { now: rc.now.toISOString() });
}

export async function loadSheet(rc: RcpContext, reference: string): Promise<LoadedRcpSheet> {
  return loadRcpSheet(rc.repo, rc.ctx, idFrom(reference, 'Composition')!);
}

/** Missing items of the sheet (errors and warnings) for a stage: before the session, or before signature. */
export async function sheetCompleteness(rc: RcpContext, reference: string, stage: CompletenessStage): Promise<MissingItem[]> {
  return completenessOf((await loadSheet(rc, reference)).content, { stage });
}

export function completenessErrors(missing: MissingItem[]): MissingItem[] {
  return missing.filter((m) => m.severity === 'error');
}

export function incompleteSheet(missing: MissingItem[], when: string): FhirError {
  return ruleViolations('sheet-incomplete', completenessErrors(missing).map((m) => ({ text: `Fiche RCP incomplète ${when} — élément requis manquant : ${m.label}`, expression: [m.expression] })));
}

/**
 * Saves a new version of the sheet from its current content changed by `patch` (the sheet module
 * checks the result and replaces its entries in the same transaction).
 */
/**
 * A case moved or carried over to another session takes its sheet along: the sheet named the
 * session it left ("séance du 22 décembre" for a case now on the 8th). A signed sheet stays as
 * signed (a signed case does not move).
 */
export async function sheetFollowsSession(rc: RcpContext, sheet: string | undefined, board: Board, session: Session, registrationNumber: string): Promise<void> {
  if (!sheet) return;
  const loaded = await loadSheet(rc, sheet);
  if (isSignedRcpSheet(loaded.composition) || loaded.composition.status !== 'preliminary') return;
  const meeting = await meetingOf(rc, board, session, registrationNumber);
  // A case that moves has not been dealt with: a status left on the draft (older sheets were
  // created « Cas discuté ») would print on a case never discussed.
  await updateSheet(rc, sheet, (d) => withCaseStatus({ ...d, meeting: { ...d.meeting, ...meeting } }, undefined), {}, loaded);
}

/** The sheet's « Statut du cas présenté » (ORG-127) set, or removed while the case waits for its session. */
export function withCaseStatus(data: RcpSheetData, status: CaseStatus | undefined): RcpSheetData {
  if (!data.reason) return data;
  const { caseStatus: _previous, ...reason } = data.reason;
  return { ...data, reason: { ...reason, ...(status ? { caseStatus: status } : {}) } as RcpSheetData['reason'] };
}

/**
 * The session dealt with the case (discussed, or recorded without discussion): its draft sheet says
 * so from then on. A signed sheet stays as signed.
 */
export async function sheetCaseStatus(rc: RcpContext, sheet: string | undefined, status: CaseStatus): Promise<void> {
  if (!sheet) return;
  const loaded = await loadSheet(rc, sheet);
  if (isSignedRcpSheet(loaded.composition) || loaded.composition.status !== 'preliminary') return;
  if (loaded.content.data.reason?.caseStatus === status || !loaded.content.data.reason) return;
  await updateSheet(rc, sheet, (d) => withCaseStatus(d, status), {}, loaded);
}

export async function updateSheet(rc: RcpContext, reference: string, patch: (data: RcpSheetData) => RcpSheetData, options: { ifMatch?: string; correctionReason?: string } = {}, current?: LoadedRcpSheet): Promise<Composition> {
  // `current`: the sheet as the caller just loaded it in this transaction (not read again).
  const loaded = current ?? await loadSheet(rc, reference);
  const data = normalised(patch(structuredClone(loaded.content.data)));
  // Checked by updateRcpSheet against the stored version: a legacy value the step does not touch
  // (a TNM written before its notation was checked) does not block a move, a carry-over, a status.
  return updateRcpSheet(rc.repo, rc.ctx, loaded.composition.id!, data, {
    ifMatch: options.ifMatch ?? loaded.composition.meta?.versionId,
    ...(options.correctionReason ? { correctionReason: options.correctionReason } : {}),
    now: rc.now.toISOString(),
  });
}

/**
 * What the sheet reads back, made acceptable as input again: a diagnosis given by reference to the
 * record's Condition reads back with that Condition's items (morphology, topography, laterality,
 * and its date), which the input takes from it and refuses or re-checks alongside the reference.
 * Only those are removed: every other item (the sheet's own « Commentaire sur le diagnostic », TNM,
 * other staging) is kept as it reads, so that a workflow step (proposal, signature, case status)
 * rewriting the sheet does not erase what it does not itself change. The date is the record's: it
 * is not the sheet's to re-check against the meeting at each step.
 */
function normalised(data: RcpSheetData): RcpSheetData {
  const unpinned = (ref: string) => ref.replace(/\/_history\/[^/]+$/, '');
  const d = data.diagnosis;
  if (d?.condition) {
    // A signed version pins its entries (Condition/x/_history/n): a correction refers to the record's Condition.
    const { morphology: _morphology, topography: _topography, laterality: _laterality, date: _date, ...own } = d;
    data.diagnosis = { ...own, condition: unpinned(d.condition) };
  }
  const trial = data.basis?.clinicalTrial;
  if (trial && typeof trial.study === 'string') trial.study = unpinned(trial.study);
  return clinicalDatesAsInput(data);
}

