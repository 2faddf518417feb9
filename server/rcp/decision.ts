import type { Composition, Patient, Practitioner, ServiceRequest, Task } from '@medplum/fhirtypes';
import { completenessOf, type LoadedRcpSheet, type RcpParticipant, type RcpSheetData, type ResearchStudyInput, signRcpSheet, TREATMENT_TYPE, type TreatmentType } from '../rcp-sheet/index.ts';
import type { OutboxEntry } from '../store/outbox-store.ts';
import { RCP_REPORT_EVENT, emitSharingEvent, type RcpReportMessage } from '../delivery/index.ts';
import { caseNumber, findAgenda, saveAgenda, withFlag } from './agenda.ts';
import { loadBoard, type LoadedBoard } from './boards.ts';
import type { Board } from './board-model.ts';
import { caseFromFhir, withGuideline, withOutputs, withQuorum, withState, type Guideline, type RcpCase } from './case-model.ts';
import { loadCase, type LoadedCase } from './case-store.ts';
import { withCase, withCompleteness } from './cases.ts';
import { invalidInput, notAllowed, ruleConflict, ruleViolation, ruleViolations } from './errors.ts';
import { idFrom, reference, versionOf, type RcpContext } from './fhir-helpers.ts';
import { isHospitalPhysician, isSystem, me, requireHospitalPhysician, requirePhysician, requireSessionManager } from './permissions.ts';
import { checkQuorum } from './quorum.ts';
import { agendaFromFhir } from './session-model.ts';
import { loadSession, type LoadedSession } from './sessions.ts';
import { reportRecipients, type ReportRecipient } from './recipients.ts';
import { responsibleSigners, type ResponsibleSigner } from './signers.ts';
import { completenessErrors, loadSheet, meetingOf, professionalsOf, sheetCaseStatus, updateSheet } from './sheet.ts';
import { assertCaseTransition, CASE_LABEL, impossibleTo } from './transitions.ts';

type Json = Record<string, unknown>;

/** The session the case is on, which must be running for an outcome to be recorded. */
async function runningSessionOf(rc: RcpContext, c: RcpCase, action: string): Promise<LoadedSession> {
  if (!c.sessionId) throw ruleConflict('case-not-on-session', `Le dossier n'est inscrit à aucune séance : impossible de ${action}`);
  const loaded = await loadSession(rc, c.sessionId);
  await requireSessionManager(rc, loaded.board.board, action);
  if (loaded.session.state !== 'in-progress') {
    throw ruleConflict('session-not-in-progress', `${impossibleTo(action)} : la séance du dossier n'est pas en cours (elle est ${loaded.session.state === 'planned' ? 'planifiée : ouvrez-la d\'abord' : loaded.session.state === 'closed' ? 'clôturée' : 'annulée'})`);
  }
  return loaded;
}

async function flag(rc: RcpContext, sessionId: string, caseId: string, value: Parameters<typeof withFlag>[2], note?: string): Promise<void> {
  const list = await findAgenda(rc, sessionId);
  if (list && list.status !== 'retired') await saveAgenda(rc, list, withFlag(agendaFromFhir(list), caseId, value, note));
}

async function saveTask(rc: RcpContext, task: Task): Promise<Task> {
  return (await rc.repo.update(task, { ifMatch: versionOf(task) })).resource;
}

/**
 * The case is discussed: only with the quorum (checkQuorum on the session's attendance). Without
 * it the case is marked "quorum not reached" — it will be carried over when the session closes,
 * unless the quorum is reached before — and the answer is 409 naming what is missing.
 */
export async function discussCase(rc: RcpContext, id: string, ifMatch?: string): Promise<RcpCase> {
  const result = await withCase(rc, id, ifMatch, async (tx, { task, request, rcpCase }) => {
    const { session, board } = await runningSessionOf(tx, rcpCase, 'marquer le dossier discuté');
    if (rcpCase.state === 'discussed') throw ruleConflict('case-transition', 'Le dossier est déjà discuté : saisissez la proposition (PUT …/decision)');
    assertCaseTransition(rcpCase.state, 'discussed', 'marquer le dossier discuté');
    const quorum = checkQuorum(session.attendance, board.board, { id, mandated: rcpCase.mandated });
    const record = {
      reached: quorum.reached, session: session.id, at: rc.now.toISOString(), specialities: quorum.specialities,
      counted: quorum.counted.map((c) => c.practitioner), missing: quorum.reasons,
    };
    if (!quorum.reached) {
      const why = `Quorum non atteint : ${quorum.reasons.join(' ; ')}`;
      await saveTask(tx, withQuorum(withState(task, 'quorum-not-reached', rc.now, why), record));
      await flag(tx, session.id, id, 'quorum-not-reached', why);
      return { quorum };
    }
    const saved = await saveTask(tx, withOutputs(withQuorum(withState(task, 'discussed', rc.now), record), {
      outcome: { valueCode: 'discussed' },
      'outcome-session': { valueReference: reference('Appointment', session.id) },
      'outcome-at': { valueDateTime: rc.now.toISOString() },
    }));
    await flag(tx, session.id, id, 'discussed');
    await sheetCaseStatus(tx, rcpCase.sheet, 'discussed');
    // The case as just written, not read back (its request is unchanged).
    return { rcpCase: caseFromFhir(saved, request) };
  });
  if ('quorum' in result && result.quorum) {
    throw ruleConflict('quorum-not-reached', `Quorum non atteint pour ce dossier : ${result.quorum.reasons.join(' ; ')}. Le dossier ne peut pas être noté « discuté » : il est marqué « quorum non atteint » et sera reporté à la séance suivante à la clôture, sauf si le quorum est atteint d'ici là (complétez la présence puis recommencez).`);
  }
  return result.rcpCase;
}

export function parseGuideline(value: unknown, path = 'guideline'): Guideline | undefined {
  if (value === undefined || value === null) return undefined;
  const g = value as Json;
  if (typeof g !== 'object' || typeof g.name !== 'string' || !g.name.trim()) throw invalidInput('decision-invalid', `${path}.name : nom du référentiel attendu (ex. « TNCD — Cancer du côlon »)`, [`${path}.name`]);
  if (g.date !== undefined && (typeof g.date !== 'string' || !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(g.date))) throw invalidInput('decision-invalid', `${path}.date : date attendue (AAAA-MM-JJ)`, [`${path}.date`]);
  return { name: g.name.trim(), ...(typeof g.version === 'string' && g.version ? { version: g.version } : {}), ...(typeof g.date === 'string' ? { date: g.date } : {}) };
}

/**
 * A case following a standard guideline is only recorded (enregistré), not discussed: the
 * guideline is mandatory, and never for a paediatric RCP, where every case is discussed (CI-SIS FRCP).
 */
export async function recordCase(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<RcpCase> {
  return withCase(rc, id, ifMatch, async (tx, { task, request, rcpCase }) => {
    const { session, board } = await runningSessionOf(tx, rcpCase, 'enregistrer le dossier');
    if (board.board.paediatric) throw ruleConflict('recorded-not-paediatric', `La ${board.board.name} est une RCP pédiatrique : chaque dossier y est discuté, il ne peut pas être seulement enregistré`);
    const guideline = parseGuideline((body as Json | undefined)?.guideline);
    if (!guideline) throw ruleViolation('recorded-guideline-required', "Un dossier enregistré sans discussion doit citer le référentiel suivi (guideline : nom, version, date)", ['guideline']);
    if (rcpCase.state === 'recorded') throw ruleConflict('case-transition', 'Le dossier est déjà enregistré');
    assertCaseTransition(rcpCase.state, 'recorded', 'enregistrer le dossier');
    // Recorded without discussion, the case was still before the meeting: its report names who
    // counted in the quorum and whether it was reached (it printed every participant « Non » and
    // « Quorum Inconnu »). Noted, not required: a guideline case is not held back by it.
    const quorum = checkQuorum(session.attendance, board.board, { id, mandated: rcpCase.mandated });
    const record = {
      reached: quorum.reached, session: session.id, at: rc.now.toISOString(), specialities: quorum.specialities,
      counted: quorum.counted.map((c) => c.practitioner), missing: quorum.reasons,
    };
    const saved = await saveTask(tx, withOutputs(withQuorum(withGuideline(withState(task, 'recorded', rc.now, `Enregistré selon le référentiel ${guideline.name}`), guideline), record), {
      outcome: { valueCode: 'recorded' },
      'outcome-session': { valueReference: reference('Appointment', session.id) },
      'outcome-at': { valueDateTime: rc.now.toISOString() },
    }));
    await flag(tx, session.id, id, 'recorded', `Référentiel : ${guideline.name}`);
    await sheetCaseStatus(tx, rcpCase.sheet, 'registered');
    return caseFromFhir(saved, request);
  });
}

/** Not presented this time (missing exam, no time): carried over when the session closes. */
export async function postponeCase(rc: RcpContext, id: string, reason: unknown, ifMatch?: string): Promise<RcpCase> {
  if (typeof reason !== 'string' || !reason.trim()) throw ruleViolation('case-transition', "Le motif de l'ajournement est obligatoire (reason)", ['reason']);
  return withCase(rc, id, ifMatch, async (tx, { task, request, rcpCase }) => {
    const { session } = await runningSessionOf(tx, rcpCase, 'ajourner le dossier');
    assertCaseTransition(rcpCase.state, 'postponed', 'ajourner le dossier');
    const saved = await saveTask(tx, withState(task, 'postponed', rc.now, reason.trim()));
    await flag(tx, session.id, id, 'postponed', reason.trim());
    return caseFromFhir(saved, request);
  });
}

// --- Decision ------------------------------------------------------------------------------

export interface DecisionInput {
  treatments: { intention: number; sequence: number; type: TreatmentType; detail?: string; start?: string; end?: string }[];
  exams: { description: string; earliest?: string; latest?: string }[];
  surveillance?: { description?: string };
  recoursReferral?: { description?: string };
  comment?: string;
  guideline?: Guideline;
  followsGuideline?: boolean;
  deviationReason?: string;
  clinicalTrial: { proposed: boolean; study?: string | ResearchStudyInput; comment?: string };
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** The proposal(s) of the RCP, checked (422 naming each broken rule). */
export function parseDecision(body: unknown): DecisionInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('decision-invalid', 'Le corps de la requête doit décrire la proposition de la RCP');
  const b = body as Json;
  const problems: { text: string; expression: string[] }[] = [];
  const fail = (text: string, path: string) => problems.push({ text, expression: [path] });
  const rawTreatments = b.treatments ?? b.proposals ?? [];
  if (!Array.isArray(rawTreatments)) throw invalidInput('decision-invalid', 'treatments doit être une liste', ['treatments']);
  const types = Object.keys(TREATMENT_TYPE);
  const treatments = rawTreatments.map((raw, i) => {
    const t = (raw ?? {}) as Json;
    const path = `treatments[${i}]`;
    const intention = Number(t.intention ?? t.rank);
    const sequence = t.sequence === undefined ? 1 : Number(t.sequence);
    if (!Number.isInteger(intention) || intention < 1 || intention > 99) fail(`Proposition ${i + 1} : rang d'intention entier de 1 à 99 attendu (1 = proposition de première intention)`, `${path}.intention`);
    if (!Number.isInteger(sequence) || sequence < 1 || sequence > 99) fail(`Proposition ${i + 1} : numéro d'ordre entier de 1 à 99 attendu`, `${path}.sequence`);
    if (!types.includes(String(t.type))) fail(`Proposition ${i + 1} : type '${String(t.type)}' inconnu (${types.join(', ')})`, `${path}.type`);
    for (const k of ['start', 'end'] as const) if (t[k] !== undefined && (typeof t[k] !== 'string' || !DATE.test(t[k] as string))) fail(`Proposition ${i + 1} : ${k} doit être une date AAAA-MM-JJ`, `${path}.${k}`);
    if (typeof t.start === 'string' && typeof t.end === 'string' && t.start > t.end) fail(`Proposition ${i + 1} : la date de début suit la date de fin`, `${path}.end`);
    return {
      intention, sequence, type: t.type as TreatmentType,
      ...(typeof t.detail === 'string' && t.detail.trim() ? { detail: t.detail.trim() } : typeof t.description === 'string' && t.description.trim() ? { detail: t.description.trim() } : {}),
      ...(typeof t.start === 'string' ? { start: t.start } : {}), ...(typeof t.end === 'string' ? { end: t.end } : {}),
    };
  });
  if (treatments.length && !treatments.some((t) => t.intention === 1)) fail('Il faut une proposition de première intention (intention 1)', 'treatments');
  const rawExams = b.exams ?? [];
  if (!Array.isArray(rawExams)) throw invalidInput('decision-invalid', 'exams doit être une liste', ['exams']);
  const exams = rawExams.map((raw, i) => {
    const e = (raw ?? {}) as Json;
    const path = `exams[${i}]`;
    if (typeof e.description !== 'string' || !e.description.trim()) fail(`Examen ${i + 1} : description obligatoire (ex. « IRM pelvienne »)`, `${path}.description`);
    for (const k of ['earliest', 'latest'] as const) if (e[k] !== undefined && (typeof e[k] !== 'string' || !DATE.test(e[k] as string))) fail(`Examen ${i + 1} : ${k} doit être une date AAAA-MM-JJ`, `${path}.${k}`);
    if (typeof e.earliest === 'string' && typeof e.latest === 'string' && e.earliest > e.latest) fail(`Examen ${i + 1} : la date au plus tôt (${e.earliest}) suit la date au plus tard (${e.latest})`, `${path}.latest`);
    return { description: String(e.description ?? '').trim(), ...(typeof e.earliest === 'string' ? { earliest: e.earliest } : {}), ...(typeof e.latest === 'string' ? { latest: e.latest } : {}) };
  });
  const described = (v: unknown) => (v && typeof v === 'object' ? { ...(typeof (v as Json).description === 'string' ? { description: (v as Json).description as string } : {}) } : undefined);
  const surveillance = described(b.surveillance);
  const recoursReferral = described(b.recoursReferral);
  if (!treatments.length && !exams.length && !surveillance && !recoursReferral) {
    fail('La proposition de la RCP est vide : au moins un traitement, un examen complémentaire, une surveillance ou un passage en RCP de recours', 'treatments');
  }
  const guideline = parseGuideline(b.guideline);
  const followsGuideline = typeof b.followsGuideline === 'boolean' ? b.followsGuideline : undefined;
  const deviationReason = typeof b.deviationReason === 'string' && b.deviationReason.trim() ? b.deviationReason.trim() : undefined;
  // A decision departing from the guideline is traced with its reason (INCa).
  if (followsGuideline === false && !deviationReason) fail("Une proposition qui s'écarte du référentiel doit en donner la raison (deviationReason)", 'deviationReason');
  const trial = (b.clinicalTrial ?? {}) as Json;
  // A clinical-trial proposal is considered for every case (INCa): yes or no, always said.
  if (typeof trial.proposed !== 'boolean') fail('Indiquez si une inclusion dans un essai clinique est proposée (oui ou non) : la question se pose pour chaque dossier', 'clinicalTrial.proposed');
  const study = typeof trial.study === 'string' ? (idFrom(trial.study, 'ResearchStudy') ? `ResearchStudy/${idFrom(trial.study, 'ResearchStudy')}` : undefined) : trial.study && typeof trial.study === 'object' ? (trial.study as ResearchStudyInput) : undefined;
  if (typeof trial.study === 'string' && !study) fail("L'essai clinique proposé n'est pas reconnu : choisissez-le dans le répertoire des essais ou décrivez-le (titre, identifiant)", 'clinicalTrial.study');
  if (trial.proposed === true && !study) fail("Précisez l'essai clinique proposé : choisissez-le dans le répertoire des essais ou décrivez-le (titre, identifiant)", 'clinicalTrial.study');
  if (problems.length) throw ruleViolations('decision-invalid', problems);
  return {
    treatments, exams,
    ...(surveillance ? { surveillance } : {}), ...(recoursReferral ? { recoursReferral } : {}),
    ...(typeof b.comment === 'string' && b.comment.trim() ? { comment: b.comment.trim() } : {}),
    ...(guideline ? { guideline } : {}), ...(followsGuideline !== undefined ? { followsGuideline } : {}), ...(deviationReason ? { deviationReason } : {}),
    clinicalTrial: { proposed: trial.proposed === true, ...(study ? { study } : {}), ...(typeof trial.comment === 'string' && trial.comment ? { comment: trial.comment } : {}) },
  };
}

/** The sheet's outcome part: participants (in quorum or not), file status, proposal and basis. */
async function outcomePatch(rc: RcpContext, loaded: LoadedCase, decision: DecisionInput, sheet: LoadedRcpSheet, knownBoard?: LoadedBoard): Promise<(data: RcpSheetData) => RcpSheetData> {
  const c = loaded.rcpCase;
  const outcomeSessionId = c.outcomeSession ?? c.sessionId!;
  const { session, board } = await loadSession(rc, outcomeSessionId, knownBoard);
  const list = await findAgenda(rc, session.id);
  // The case's number in the session, by the agenda's one rule (the pages and the print show the same).
  const position = list ? caseNumber(agendaFromFhir(list).entries, c.id) ?? 0 : 0;
  const counted = new Set(c.quorum?.counted ?? []);
  const participants: RcpParticipant[] = [];
  const attending = session.attendance.filter((x) => !x.cases?.length || x.cases.includes(c.id));
  const professionals = await professionalsOf(rc, attending.map((a) => ({ reference: a.practitioner, ...(a.display ? { display: a.display } : {}) })));
  for (const [i, a] of attending.entries()) {
    const p = professionals[i]!;
    participants.push({
      ...p,
      ...(a.speciality ? { speciality: { code: a.speciality.code, system: p.speciality?.system ?? 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale', display: a.speciality.display ?? a.speciality.code } } : {}),
      inQuorum: counted.has(a.practitioner),
    });
  }
  const meeting = await meetingOf(rc, board.board, session, position > 0 ? String(position) : undefined);
  const sessionMissing = completenessErrors(completenessOf(sheet.content, { stage: 'session' }));
  const recorded = (c.outcome ?? c.state) === 'recorded';
  const guideline = decision.guideline ?? c.guideline;
  return (data) => ({
    ...data,
    meeting: { ...data.meeting, ...meeting },
    participants,
    reason: { ...data.reason, caseStatus: recorded ? 'registered' : 'discussed' },
    fileStatus: { ...data.fileStatus, complete: sessionMissing.length === 0, quorum: recorded ? (c.quorum ? (c.quorum.reached ? 'reached' : 'not-reached') : 'unknown') : 'reached' },
    proposal: {
      ...(decision.treatments.length ? { treatments: decision.treatments } : {}),
      ...(decision.exams.length ? { exams: decision.exams } : {}),
      ...(decision.surveillance ? { surveillance: decision.surveillance } : {}),
      ...(decision.recoursReferral ? { recoursReferral: decision.recoursReferral } : {}),
      ...(decision.comment ? { comment: decision.comment } : {}),
    },
    basis: {
      ...(guideline ? { guideline } : {}),
      ...(decision.followsGuideline !== undefined ? { followsGuideline: decision.followsGuideline } : recorded ? { followsGuideline: true } : {}),
      ...(decision.deviationReason ? { deviationReason: decision.deviationReason } : {}),
      clinicalTrial: decision.clinicalTrial,
    },
    documentStatus: 'done',
  });
}

/** The decision CarePlan the sheet references in its proposal section (LOINC 18776-5). */
export function decisionReferenceOf(composition: Composition): string | undefined {
  const section = composition.section?.find((s) => s.code?.coding?.some((c) => c.code === '18776-5'));
  return section?.entry?.find((e) => e.reference?.startsWith('CarePlan/'))?.reference;
}

export interface DecisionView {
  case: RcpCase;
  sheet: { reference: string; version: string; status: Composition['status'] };
  decision?: string;
  proposal?: RcpSheetData['proposal'];
  basis?: RcpSheetData['basis'];
  /** Who may sign (or correct) the report, and whether the caller may: the page offers the signature only to them. */
  signing: { maySign: boolean; signers: ResponsibleSigner[] };
  /** Where the signature will send the report (reportRecipients), before the correspondents chosen when signing. */
  recipients: ReportRecipient[];
  /** The title of the clinical trial proposed (basis.clinicalTrial.study is its reference): the page names the trial, never its id. */
  studyTitle?: string;
}

function checkDecisionAllowed(c: RcpCase, decision: DecisionInput): void {
  if (c.state === 'signed') throw ruleConflict('signed-immutable', 'Le compte rendu de ce dossier est signé : la proposition ne peut plus être modifiée que par une correction motivée (POST …/correct)');
  if (c.state !== 'discussed' && c.state !== 'recorded') {
    throw ruleConflict('case-transition', `La proposition se saisit pour un dossier discuté ou enregistré en séance ; ce dossier est ${CASE_LABEL[c.state]}`);
  }
  if (c.state === 'recorded' && !(decision.guideline ?? c.guideline)) throw ruleViolation('recorded-guideline-required', 'Un dossier enregistré doit citer le référentiel suivi (guideline)', ['guideline']);
  if (decision.followsGuideline !== undefined && !(decision.guideline ?? c.guideline)) throw ruleViolation('decision-invalid', 'Précisez le référentiel (guideline) auquel la proposition est comparée', ['guideline']);
  if (!c.sheet) throw ruleConflict('decision-missing', "Ce dossier n'a pas de fiche RCP");
}

/** Saves the proposal into the case's RCP sheet (If-Match: the sheet version the physician read). */
export async function saveDecision(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<DecisionView> {
  requireHospitalPhysician(rc, 'saisir la proposition de la RCP');
  const decision = parseDecision(body);
  return withCase(rc, id, undefined, async (tx, loaded) => {
    checkDecisionAllowed(loaded.rcpCase, decision);
    // The sheet is read once before the change and once after it (completeness, the answer).
    const sheet = await loadSheet(tx, loaded.rcpCase.sheet!);
    const composition = await updateSheet(tx, loaded.rcpCase.sheet!, await outcomePatch(tx, loaded, decision, sheet), { ifMatch }, sheet);
    const saved = await loadSheet(tx, loaded.rcpCase.sheet!);
    const missing = completenessOf(saved.content, { stage: 'signature' });
    const decisionRef = decisionReferenceOf(composition);
    let task = withOutputs(loaded.task, {
      ...(decisionRef ? { decision: { valueReference: { reference: decisionRef } } } : {}),
      'trial-proposed': { valueBoolean: decision.clinicalTrial.proposed },
    });
    if (decision.guideline) task = withGuideline(task, decision.guideline);
    const savedTask = await saveTask(tx, withCompleteness(task, missing, rc.now));
    return decisionView(tx, id, saved, { ...loaded, task: savedTask, rcpCase: caseFromFhir(savedTask, loaded.request) });
  });
}

/** `loadedSheet`, `loadedCase`: the case and its sheet as just read or written in the same transaction (not read again). */
export async function decisionView(rc: RcpContext, id: string, loadedSheet?: LoadedRcpSheet, loadedCase?: LoadedCase): Promise<DecisionView> {
  const { rcpCase } = loadedCase?.task.id === id ? loadedCase : await loadCase(rc, id);
  if (!rcpCase.sheet) throw ruleConflict('decision-missing', "Ce dossier n'a pas de fiche RCP");
  const sheet = loadedSheet && loadedSheet.composition.id === idFrom(rcpCase.sheet, 'Composition') ? loadedSheet : await loadSheet(rc, rcpCase.sheet);
  const decision = decisionReferenceOf(sheet.composition);
  const signers = await signersOf(rc, rcpCase);
  const patient = await rc.repo.read<Patient>('Patient', idFrom(rcpCase.patient, 'Patient')!);
  // The same predicates as signCase (requireHospitalPhysician, requireResponsibleSigner): the page offers the signature only to whom it would accept it from.
  const maySign = isHospitalPhysician(rc) && isResponsibleSigner(rc, signers);
  return {
    case: rcpCase,
    signing: { maySign, signers },
    recipients: reportRecipients(patient, rcpCase),
    sheet: { reference: `Composition/${sheet.composition.id}`, version: versionOf(sheet.composition), status: sheet.composition.status },
    ...(decision ? { decision } : {}),
    ...(sheet.content.data.proposal ? { proposal: sheet.content.data.proposal } : {}),
    ...(sheet.content.data.basis ? { basis: sheet.content.data.basis } : {}),
    ...(studyTitleOf(sheet) ? { studyTitle: studyTitleOf(sheet) } : {}),
  };
}

function studyTitleOf(sheet: LoadedRcpSheet): string | undefined {
  const trial = sheet.content.data.basis?.clinicalTrial;
  if (!trial?.proposed) return undefined;
  const described = typeof trial.study === 'object' ? trial.study : undefined;
  const identifier = (sheet.content.study?.identifier?.[0]?.value ?? described?.identifier?.value) || undefined;
  const title = sheet.content.study?.title ?? described?.title;
  return title ? `${title}${identifier ? ` (${identifier})` : ''}` : identifier;
}

// --- Signature and sending -------------------------------------------------------------------

export interface SignatureResult {
  case: RcpCase;
  report: { reference: string; version: string };
  provenance: string;
  outbox: { id: string; dedupKey: string; status: OutboxEntry['status'] };
}

/** Who may sign the case's report (responsibleSigners), from the session the case was decided in (or is on). */
export async function signersOf(rc: RcpContext, c: RcpCase, loadedBoard?: LoadedBoard): Promise<ResponsibleSigner[]> {
  const board = loadedBoard?.board.id === c.boardId ? loadedBoard : await loadBoard(rc, c.boardId);
  const sessionId = c.outcomeSession ?? c.sessionId;
  const attendance = sessionId ? (await loadSession(rc, sessionId, board)).session.attendance : [];
  return responsibleSigners(c, board.board, attendance);
}

/** The caller is one of the case's responsible signers (signersOf). */
function isResponsibleSigner(rc: RcpContext, signers: ResponsibleSigner[]): boolean {
  const who = me(rc);
  return Boolean(who) && signers.some((s) => s.practitioner === who);
}

/** The responsible physician: attended the session for this case (present or remote), or chairs the board (or, for a recorded case, registered it). */
async function requireResponsibleSigner(rc: RcpContext, c: RcpCase, loadedBoard: LoadedBoard): Promise<void> {
  const p = rc.ctx.principal;
  if (isSystem(p) && !p.practitionerId) return;
  if (isResponsibleSigner(rc, await signersOf(rc, c, loadedBoard))) return;
  throw notAllowed('signer-not-participant', "Le compte rendu est signé par un médecin qui a participé à la discussion du dossier (présent ou à distance) ou par le médecin coordonnateur de la RCP");
}

function parseCorrespondents(body: unknown): string[] {
  const raw = (body as Json | undefined)?.correspondents;
  if (raw === undefined) return [];
  if (!Array.isArray(raw)) throw invalidInput('decision-invalid', 'correspondents : liste de références Practitioner/<id>', ['correspondents']);
  return raw.map((r, i) => {
    const id = typeof r === 'string' ? idFrom(r, 'Practitioner') : undefined;
    if (!id) throw invalidInput('decision-invalid', `correspondents[${i}] : référence Practitioner/<id> attendue`, [`correspondents[${i}]`]);
    return `Practitioner/${id}`;
  });
}

/** The report's recipients (reportRecipients), then the correspondents the signer chose, each once. */
async function recipientsOf(rc: RcpContext, c: RcpCase, correspondents: string[]): Promise<ReportRecipient[]> {
  const patient = await rc.repo.read<Patient>('Patient', idFrom(c.patient, 'Patient')!);
  const out = reportRecipients(patient, c);
  const seen = new Set(out.flatMap((r) => (r.practitioner ? [r.practitioner] : [])));
  for (const ref of correspondents) {
    if (seen.has(ref)) continue;
    seen.add(ref);
    const p = await rc.repo.readIfExists<Practitioner>('Practitioner', idFrom(ref, 'Practitioner')!);
    if (!p) throw ruleViolation('decision-invalid', `Correspondant ${ref} inconnu de l'annuaire`, ['correspondents']);
    out.push({ role: 'correspondent', practitioner: ref });
  }
  return out;
}

/**
 * Signs the report: the sheet is locked and signed (server/rcp-sheet, with its Provenance), the
 * case completed, and the message to the GP and correspondents queued in the outbox — all in one
 * transaction, so a signed report is never left unsent nor a message sent for an unsigned one.
 * If-Match: the sheet version the signer read.
 */
export async function signCase(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<SignatureResult> {
  requireHospitalPhysician(rc, 'signer le compte rendu de RCP');
  const correspondents = parseCorrespondents(body);
  return withCase(rc, id, undefined, async (tx, loaded) => {
    const c = loaded.rcpCase;
    assertCaseTransition(c.state, 'signed', 'signer le compte rendu');
    if (c.state === 'signed') throw ruleConflict('signed-immutable', 'Le compte rendu de ce dossier est déjà signé : une modification passe par une correction motivée (POST …/correct)');
    const loadedBoard = await loadBoard(tx, c.boardId);
    const board = loadedBoard.board;
    await requireResponsibleSigner(tx, c, loadedBoard);
    if (!c.decision || !c.sheet) throw ruleConflict('decision-missing', 'La proposition de la RCP doit être saisie avant la signature (PUT …/decision)');
    return finishSignature(tx, loaded, board, correspondents, { ...(ifMatch ? { ifMatch } : {}) });
  });
}

/** A correction after signature: a new version of the same sheet with its reason, signed and sent again. */
export async function correctCase(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<SignatureResult> {
  requireHospitalPhysician(rc, 'corriger le compte rendu de RCP');
  const b = (body ?? {}) as Json;
  const reason = typeof b.reason === 'string' ? b.reason.trim() : '';
  if (!reason) throw ruleViolation('correction-reason-required', 'Le motif de la correction est obligatoire (reason) : il figure sur la nouvelle version et est envoyé aux destinataires', ['reason']);
  const decision = b.decision === undefined ? undefined : parseDecision(b.decision);
  const correspondents = parseCorrespondents(body);
  return withCase(rc, id, undefined, async (tx, loaded) => {
    const c = loaded.rcpCase;
    if (c.state !== 'signed') throw ruleConflict('case-transition', `Seul un compte rendu signé se corrige ; ce dossier est ${CASE_LABEL[c.state]} : modifiez la proposition puis signez`);
    const loadedBoard = await loadBoard(tx, c.boardId);
    const board = loadedBoard.board;
    await requireResponsibleSigner(tx, c, loadedBoard);
    const sheet = decision ? await loadSheet(tx, c.sheet!) : undefined;
    const patch = decision ? await outcomePatch(tx, loaded, decision, sheet!, loadedBoard) : (d: RcpSheetData) => d;
    const corrected = await updateSheet(tx, c.sheet!, patch, { ...(ifMatch ? { ifMatch } : {}), correctionReason: reason }, sheet);
    let task = loaded.task;
    if (decision) {
      const decisionRef = decisionReferenceOf(corrected);
      task = withOutputs(task, { ...(decisionRef ? { decision: { valueReference: { reference: decisionRef } } } : {}), 'trial-proposed': { valueBoolean: decision.clinicalTrial.proposed } });
    }
    return finishSignature(tx, { ...loaded, task }, board, correspondents, { correctionReason: reason });
  });
}

async function finishSignature(rc: RcpContext, loaded: LoadedCase, board: Board, correspondents: string[], options: { ifMatch?: string; correctionReason?: string }): Promise<SignatureResult> {
  const c = loaded.rcpCase;
  const now = rc.now.toISOString();
  const { composition, provenance } = await signRcpSheet(rc.repo, rc.ctx, idFrom(c.sheet!, 'Composition')!, { ...options, now });
  const version = versionOf(composition);
  const report = `Composition/${composition.id}/_history/${version}`;
  const decisionRef = decisionReferenceOf(composition);
  const signer = me(rc) ?? 'Practitioner/unknown';
  const task = withOutputs(withState(loaded.task, 'signed', rc.now, options.correctionReason ? `Compte rendu corrigé : ${options.correctionReason}` : undefined), {
    report: { valueReference: { reference: report } },
    ...(c.firstReport ? {} : {
      'first-report': { valueReference: { reference: report } },
      'signed-at': { valueDateTime: now },
      'signed-by': { valueReference: { reference: signer, display: rc.ctx.principal.displayName } },
    }),
    ...(decisionRef ? { decision: { valueReference: { reference: decisionRef } } } : {}),
  });
  const savedTask = await saveTask(rc, task);
  // The case was read after the session lock in this transaction (withCase): its request is current.
  const request = loaded.request.status === 'completed'
    ? loaded.request
    : (await rc.repo.update<ServiceRequest>({ ...loaded.request, status: 'completed' }, { ifMatch: versionOf(loaded.request) })).resource;
  const message: RcpReportMessage = {
    case: c.id,
    patient: c.patient,
    composition: `Composition/${composition.id}`,
    compositionVersion: version,
    provenance: `Provenance/${provenance.id}`,
    signedAt: now,
    signedBy: signer,
    board: `HealthcareService/${board.id}`,
    ...(c.outcomeSession ?? c.sessionId ? { session: `Appointment/${c.outcomeSession ?? c.sessionId}` } : {}),
    recipients: await recipientsOf(rc, c, correspondents),
    ...(options.correctionReason ? { correctionReason: options.correctionReason } : {}),
  };
  // Same transaction as the signature: the executor of the repository's transaction (PGlite has one connection).
  const { entry } = await emitSharingEvent(rc.repo.db, {
    kind: RCP_REPORT_EVENT, payload: message, at: rc.now, topic: report, patientId: idFrom(c.patient, 'Patient')!,
  });
  return {
    // The case as just written (its Task and request), not read back.
    case: caseFromFhir(savedTask, request),
    report: { reference: `Composition/${composition.id}`, version },
    provenance: `Provenance/${provenance.id}`,
    outbox: { id: entry.id, dedupKey: entry.dedupKey, status: entry.status },
  };
}
