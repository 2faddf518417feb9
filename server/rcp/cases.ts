import type { Composition, Condition, Extension, Patient, ServiceRequest, Task } from '@medplum/fhirtypes';
import { withExtension } from '../fhir-kit/extensions.ts';
import { isRcpSheet, isSignedRcpSheet, type MissingItem } from '../rcp-sheet/index.ts';
import { ensureAgenda, findAgenda, lockSession, lockSessions, nextCaseNumber, saveAgenda, withEntry, withFlag } from './agenda.ts';
import { parseMandated } from './board-model.ts';
import { caseFromFhir, newServiceRequest, newTask, withMove, withState, caseStateOf, type RcpCase, type RegistrationInput } from './case-model.ts';
import { loadCase, loadVisibleCases, type LoadedCase } from './case-store.ts';
import { EXT, MOTIFS, RCP_CASE_CODE, RCP_REVIEW_CODE, RCP_SESSION_GROUP_SYSTEM, type Motif } from './codes.ts';
import { invalidInput, notAllowed, ruleConflict, ruleViolation, ruleViolations } from './errors.ts';
import { requireCurrentVersion } from '../fhir-kit/versions.ts';
import { idFrom, versionOf, withRepo, type RcpContext } from './fhir-helpers.ts';
import { isSessionManager, me, requirePhysician, requireSessionManager } from './permissions.ts';
import { activeEntries, agendaFromFhir } from './session-model.ts';
import { listSessions, loadSession, registrationDeadline, type LoadedSession } from './sessions.ts';
import { completenessErrors, createSheetForRegistration, incompleteSheet, meetingOf, professionalOf, sheetCompleteness, sheetFollowsSession, updateSheet } from './sheet.ts';
import { allowedCaseTransition, assertCaseTransition, CASE_LABEL, type CaseState } from './transitions.ts';
import { loadBoard } from './boards.ts';
import { isFhirId } from '../fhir-kit/ids.ts';
import { isEnteredInError } from '../fhir-kit/condition-status.ts';
import { meetingDateTime, weekdayDate } from '../fhir-kit/french-dates.ts';

type Json = Record<string, unknown>;

/** Reads a registration sent to the API (400 wrong shape, 422 a rule of the registration). */
export function parseRegistration(body: unknown): RegistrationInput {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('registration-invalid', "Le corps de la requête doit décrire l'inscription (session, patient, motif, question, summary…)");
  const b = body as Json;
  const sessionId = typeof b.session === 'string' ? idFrom(b.session, 'Appointment') ?? (isFhirId(b.session) ? b.session : undefined) : undefined;
  if (!sessionId) throw invalidInput('registration-invalid', 'session : la séance visée est obligatoire (Appointment/<id>)', ['session']);
  const patientId = typeof b.patient === 'string' ? idFrom(b.patient, 'Patient') : undefined;
  if (!patientId) throw invalidInput('registration-invalid', 'patient : référence Patient/<id> obligatoire', ['patient']);
  const conditionId = b.condition === undefined ? undefined : typeof b.condition === 'string' ? idFrom(b.condition, 'Condition') : undefined;
  if (b.condition !== undefined && !conditionId) throw invalidInput('registration-invalid', 'condition : référence Condition/<id> attendue', ['condition']);
  const sheetId = b.sheet === undefined ? undefined : typeof b.sheet === 'string' ? idFrom(b.sheet, 'Composition') : undefined;
  if (b.sheet !== undefined && !sheetId) throw invalidInput('registration-invalid', 'sheet : référence Composition/<id> (fiche RCP) attendue', ['sheet']);
  const motif = b.motif as Motif;
  if (!(motif in MOTIFS)) throw invalidInput('registration-invalid', `motif : ${Object.keys(MOTIFS).join(', ')}`, ['motif']);
  const problems: { text: string; expression: string[] }[] = [];
  const text = (key: 'question' | 'summary', label: string) => {
    const v = typeof b[key] === 'string' ? (b[key] as string).trim() : '';
    if (!v) problems.push({ text: `${label} est obligatoire`, expression: [key] });
    return v;
  };
  const question = text('question', 'La question posée à la RCP');
  const summary = text('summary', 'La synthèse du dossier (résumé de la situation)');
  // One issue per field, so a form shows each message under its own field (not both under the first).
  if (problems.length) throw ruleViolations('registration-invalid', problems);
  const bool = (key: string) => {
    if (b[key] !== undefined && typeof b[key] !== 'boolean') throw invalidInput('registration-invalid', `${key} : true ou false attendu`, [key]);
    return b[key] === true;
  };
  const patientInformed = bool('patientInformed');
  const patientNonOpposition = bool('patientNonOpposition');
  const gpInformed = bool('gpInformed');
  if (b.gpInformed === undefined) throw ruleViolation('gp-information', 'gpInformed est obligatoire : le médecin traitant a-t-il été informé de la présentation en RCP ?', ['gpInformed']);
  // The patient is informed before the case is presented and may object (CI-SIS FRCP, INCa).
  if (!patientInformed) throw ruleViolation('patient-information', "Le patient doit avoir été informé de la présentation de son dossier en RCP avant l'inscription (patientInformed)", ['patientInformed']);
  if (!patientNonOpposition) throw ruleViolation('patient-information', "La non-opposition du patient à la présentation de son dossier en RCP doit être recueillie avant l'inscription (patientNonOpposition)", ['patientNonOpposition']);
  if (b.clinical !== undefined && (typeof b.clinical !== 'object' || b.clinical === null || Array.isArray(b.clinical))) {
    throw invalidInput('registration-invalid', 'clinical : objet des éléments cliniques de la fiche RCP attendu (discovery, phase, performanceStatus…)', ['clinical']);
  }
  if (b.clinical !== undefined && b.sheet !== undefined) throw invalidInput('registration-invalid', 'clinical et sheet sont exclusifs : complétez la fiche jointe directement', ['clinical']);
  const clinical = b.clinical as Record<string, unknown> | undefined;
  const id = b.identifier as { system?: unknown; value?: unknown } | undefined;
  if (id !== undefined && (typeof id !== 'object' || typeof id?.system !== 'string' || typeof id.value !== 'string' || !id.system || !id.value || /[|,]/.test(`${id.system}${id.value}`))) {
    throw invalidInput('registration-invalid', "identifier : { system, value } de la demande dans le système émetteur (sans '|' ni ',')", ['identifier']);
  }
  if (b.lateReason !== undefined && (typeof b.lateReason !== 'string' || !b.lateReason.trim())) throw invalidInput('registration-invalid', "lateReason : le motif de l'inscription hors délai est un texte non vide", ['lateReason']);
  const lateReason = typeof b.lateReason === 'string' ? b.lateReason.trim() : undefined;
  const mandated = b.mandatedSpecialities === undefined ? [] : Array.isArray(b.mandatedSpecialities)
    ? b.mandatedSpecialities.map((m, i) => parseMandated(m, `mandatedSpecialities[${i}]`))
    : (() => { throw invalidInput('registration-invalid', 'mandatedSpecialities doit être une liste', ['mandatedSpecialities']); })();
  return {
    sessionId, patientId, ...(conditionId ? { conditionId } : {}), motif, question, summary, patientInformed, patientNonOpposition, gpInformed,
    lateRequest: bool('lateRequest'), ...(lateReason ? { lateReason } : {}), ...(sheetId ? { sheetId } : {}), mandated,
    ...(clinical ? { clinical } : {}),
    ...(id ? { identifier: { system: id.system as string, value: id.value as string } } : {}),
  };
}

export interface RegistrationResult {
  case: RcpCase;
  /** True when a registration with the same identifier already existed (nothing created). */
  existing?: boolean;
  /** Missing items of the RCP sheet before the session (the 3C's "dossier complet"). */
  completeness: MissingItem[];
}

/**
 * A physician in the patient's circle of care registers the case on a session. Refused (409) after
 * the cut-off unless asked as a late registration (then pending until the 3C accepts it), when the
 * session is full, or when the patient is already on it; (422) when the board demands a complete
 * sheet and it is not.
 */
export async function registerCase(rc: RcpContext, body: unknown): Promise<RegistrationResult> {
  requirePhysician(rc, 'inscrire un dossier en RCP');
  const input = parseRegistration(body);
  if (!(await rc.repo.isVisible('Patient', input.patientId))) {
    throw notAllowed('not-in-circle-of-care', `Patient/${input.patientId} introuvable ou hors de votre cercle de soins : seul un médecin qui suit le patient peut inscrire son dossier en RCP`);
  }
  const patient = await rc.repo.read<Patient>('Patient', input.patientId);
  if (!input.gpInformed && patient.generalPractitioner?.length) {
    throw ruleViolation('gp-information', `Le médecin traitant du patient (${patient.generalPractitioner[0]!.display ?? patient.generalPractitioner[0]!.reference}) doit être informé de la présentation du dossier en RCP (gpInformed)`, ['gpInformed']);
  }
  if (input.conditionId) {
    const condition = await rc.repo.read<Condition>('Condition', input.conditionId);
    if (idFrom(condition.subject, 'Patient') !== input.patientId) throw ruleViolation('registration-invalid', `Condition/${input.conditionId} ne concerne pas ce patient`, ['condition']);
    if (isEnteredInError(condition)) throw ruleViolation('registration-invalid', `Ce diagnostic (Condition/${input.conditionId}) a été déclaré saisi par erreur : choisissez le bon diagnostic du dossier, ou enregistrez-le`, ['condition']);
  } else if (input.motif !== 'diagnostic-opinion') {
    // Told to record a diagnosis the record already holds, a physician looks for a missing one: say which to do.
    const recorded = (await rc.repo.searchAll<Condition>('Condition', { patient: `Patient/${input.patientId}` }, { max: 50 })).filter((c) => !isEnteredInError(c));
    throw ruleViolation('registration-invalid', recorded.length
      ? "Choisissez le diagnostic présenté parmi ceux du dossier (obligatoire, sauf pour une demande d'avis diagnostique)"
      : "Le diagnostic de cancer est obligatoire (enregistrez-le dans le dossier du patient), sauf pour une demande d'avis diagnostique", ['condition']);
  }
  if (input.sheetId) {
    const sheet = await rc.repo.read<Composition>('Composition', input.sheetId);
    if (!isRcpSheet(sheet) || idFrom(sheet.subject, 'Patient') !== input.patientId) throw ruleViolation('registration-invalid', `Composition/${input.sheetId} n'est pas une fiche RCP de ce patient`, ['sheet']);
  }
  const requester = await professionalOf(rc, me(rc) ?? '', rc.ctx.principal.displayName);

  return rc.repo.transaction(async (tx) => {
    const rcTx = withRepo(rc, tx);
    if (input.identifier) {
      // Idempotent retry: the same request (sender's identifier) is the same registration.
      await tx.lock(`rcp-registration:${input.identifier.system}|${input.identifier.value}`);
      const existing = await tx.searchAll<ServiceRequest>('ServiceRequest', { identifier: `${input.identifier.system}|${input.identifier.value}`, code: `${RCP_REVIEW_CODE.system}|${RCP_REVIEW_CODE.code}` }, { max: 2 });
      if (existing.length) {
        const tasks = await tx.searchAll<Task>('Task', { focus: `ServiceRequest/${existing[0]!.id}` }, { max: 2 });
        if (tasks[0]) return { case: (await loadCase(rcTx, tasks[0].id!)).rcpCase, completeness: [], existing: true };
      }
    }
    await lockSession(rcTx, input.sessionId);
    const loaded = await loadSession(rcTx, input.sessionId);
    const { session } = loaded;
    const board = loaded.board.board;
    if (session.state !== 'planned') {
      throw ruleConflict('session-not-open', `La séance du ${meetingDateTime(session.start)} est ${session.state === 'in-progress' ? 'en cours' : session.state === 'closed' ? 'clôturée' : 'annulée'} : inscrivez le dossier sur une séance à venir`);
    }
    const deadline = registrationDeadline(session, board);
    if (rc.now >= new Date(session.start)) {
      throw ruleConflict('registration-cutoff', `La séance du ${meetingDateTime(session.start)} a déjà commencé : inscrivez le dossier sur une séance à venir`);
    }
    const late = rc.now > deadline;
    if (late && !input.lateRequest) {
      throw ruleConflict('registration-cutoff', `Inscriptions closes pour la séance du ${meetingDateTime(session.start)} : la date limite était le ${meetingDateTime(deadline)} (${board.registrationCutoffHours} h avant). Demandez une inscription hors délai (lateRequest) que le 3C devra accepter, ou inscrivez le dossier sur la séance suivante.`, ['session']);
    }
    const agendaList = await findAgenda(rcTx, session.id);
    const agenda = agendaList ? agendaFromFhir(agendaList) : undefined;
    if (activeEntries(agenda).length >= board.capacity) {
      throw ruleConflict('session-full', `La séance du ${meetingDateTime(session.start)} est complète (${board.capacity} dossiers)${await nextWithRoom(rcTx, loaded)}`, ['session']);
    }
    const already = await tx.searchAll<Task>('Task', {
      patient: `Patient/${input.patientId}`,
      'group-identifier': `${RCP_SESSION_GROUP_SYSTEM}|${session.id}`,
      code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`,
      status: 'requested,accepted,in-progress,completed',
    });
    if (already.length) {
      throw ruleConflict('patient-already-registered', `Ce patient est déjà inscrit à la séance du ${meetingDateTime(session.start)} (dossier ${CASE_LABEL[caseStateOf(already[0]!)]})`, ['patient']);
    }

    let sheetId = input.sheetId;
    let completeness: MissingItem[];
    const registrationNumber = String(nextCaseNumber(agenda?.entries ?? []));
    if (sheetId) {
      // The attached sheet gets what the DCC knows of the meeting: board, session, 3C and RCP
      // identifiers, registration number (a signed sheet stays as signed).
      const meeting = await meetingOf(rcTx, board, session, registrationNumber);
      const attached = await tx.read<Composition>('Composition', sheetId);
      if (!isSignedRcpSheet(attached)) await updateSheet(rcTx, `Composition/${sheetId}`, (d) => ({ ...d, meeting: { ...d.meeting, ...meeting } }));
      completeness = await sheetCompleteness(rcTx, `Composition/${sheetId}`, 'session');
      if (board.requireCompleteSheet && completenessErrors(completeness).length) throw incompleteSheet(completeness, 'alors que cette RCP exige un dossier complet avant inscription');
    } else {
      // The sheet is built from the registration (and its clinical items); if the board demands a
      // complete file and it is not, the whole registration is undone (same transaction).
      const sheet = await createSheetForRegistration(rcTx, {
        patient, board, session, requester, motif: input.motif, question: input.question, summary: input.summary, conditionId: input.conditionId,
        registrationNumber, ...(input.clinical ? { clinical: input.clinical } : {}),
      });
      sheetId = sheet.id!;
      completeness = await sheetCompleteness(rcTx, `Composition/${sheetId}`, 'session');
      if (board.requireCompleteSheet && completenessErrors(completeness).length) {
        throw incompleteSheet(completeness, 'alors que cette RCP exige un dossier complet avant inscription (complétez clinical, ou joignez une fiche remplie : sheet)');
      }
    }

    const requesterRef = { ...(me(rc) ? { reference: me(rc)! } : {}), display: requester.name };
    const request = await tx.create(newServiceRequest({ ...input, sheetId }, { id: board.id, name: board.name }, requesterRef, rc.now));
    let task = newTask(input, request, { id: board.id, name: board.name }, requesterRef, rc.now);
    if (late) task = withState(task, 'pending', rc.now, `Inscription hors délai (après le ${meetingDateTime(deadline)}) : à accepter par le 3C${input.lateReason ? ` — motif : ${input.lateReason}` : ''}`);
    task = await tx.create(withCompleteness(task, completeness, rc.now));
    const list = agendaList ?? (await ensureAgenda(rcTx, session));
    await saveAgenda(rcTx, list, withEntry(agenda, { case: task.id!, flag: 'scheduled', origin: 'registration', addedAt: rc.now.toISOString(), ...(late ? { note: `Inscription hors délai — en attente du 3C${input.lateReason ? ` (motif : ${input.lateReason})` : ''}` } : {}) }));
    return { case: (await loadCase(rcTx, task.id!)).rcpCase, completeness };
  });
}

async function nextWithRoom(rc: RcpContext, loaded: LoadedSession): Promise<string> {
  const board = loaded.board.board;
  const upcoming = (await listSessions(rc, board.id, { from: loaded.session.end, state: 'planned' })).slice(0, 6);
  for (const s of upcoming) {
    if (s.id === loaded.session.id || rc.now > registrationDeadline(s, board)) continue;
    const list = await findAgenda(rc, s.id);
    if (activeEntries(list ? agendaFromFhir(list) : undefined).length < board.capacity) return `. Prochaine séance avec des places : ${meetingDateTime(s.start)} (Appointment/${s.id})`;
  }
  return '';
}

/** Stores the last completeness check on the Task, for the 3C (who may not read the sheet's content). */
export function withCompleteness(task: Task, missing: MissingItem[], now: Date): Task {
  const errors = completenessErrors(missing);
  const extension: Extension = {
    url: EXT.caseCompleteness,
    extension: [
      { url: 'complete', valueBoolean: errors.length === 0 },
      ...errors.map((m) => ({ url: 'missing', valueString: m.label })),
      { url: 'checkedAt', valueDateTime: now.toISOString() },
    ],
  };
  return withExtension(task, EXT.caseCompleteness, extension);
}

// --- 3C decisions on a registration -------------------------------------------------------

/** Runs a case command in one transaction on fresh data; If-Match on the case (Task) version. */
export async function withCase<T>(rc: RcpContext, id: string, ifMatch: string | undefined, work: (rc: RcpContext, loaded: LoadedCase) => Promise<T>): Promise<T> {
  return rc.repo.transaction(async (tx) => {
    const rcTx = withRepo(rc, tx);
    const first = await loadCase(rcTx, id);
    const sessionId = first.rcpCase.sessionId;
    if (sessionId) await lockSession(rcTx, sessionId);
    const loaded = sessionId ? await loadCase(rcTx, id) : first;
    requireCurrentVersion(loaded.task, ifMatch);
    return work(rcTx, loaded);
  });
}

async function boardOfCase(rc: RcpContext, c: RcpCase) {
  return (await loadBoard(rc, c.boardId)).board;
}

async function flagOnAgenda(rc: RcpContext, sessionId: string | undefined, caseId: string, flag: Parameters<typeof withFlag>[2], note?: string): Promise<void> {
  if (!sessionId) return;
  const list = await findAgenda(rc, sessionId);
  if (!list || list.status === 'retired') return;
  await saveAgenda(rc, list, withFlag(agendaFromFhir(list), caseId, flag, note));
}

async function updateTask(rc: RcpContext, task: Task): Promise<Task> {
  return (await rc.repo.update(task, { ifMatch: versionOf(task) })).resource;
}

/** The 3C accepts a pending registration (a late one included: that is the 3C's call). */
export async function acceptCase(rc: RcpContext, id: string, ifMatch?: string): Promise<RcpCase> {
  return withCase(rc, id, ifMatch, async (tx, { task, request, rcpCase }) => {
    await requireSessionManager(tx, await boardOfCase(tx, rcpCase), 'accepter un dossier');
    assertCaseTransition(rcpCase.state, 'accepted', 'accepter le dossier');
    if (rcpCase.state === 'accepted') throw ruleConflict('case-transition', 'Le dossier est déjà accepté');
    const reason = rcpCase.late ? `Inscription hors délai acceptée par le 3C le ${weekdayDate(rc.now)}` : undefined;
    // The case as just written, not read back (its request is unchanged).
    return caseFromFhir(await updateTask(tx, withState(task, 'accepted', rc.now, reason)), request);
  });
}

export async function rejectCase(rc: RcpContext, id: string, reason: unknown, ifMatch?: string): Promise<RcpCase> {
  if (typeof reason !== 'string' || !reason.trim()) throw ruleViolation('case-transition', "Le motif du refus est obligatoire (reason) : il est communiqué au médecin demandeur", ['reason']);
  return withCase(rc, id, ifMatch, async (tx, { task, request, rcpCase }) => {
    await requireSessionManager(tx, await boardOfCase(tx, rcpCase), 'refuser un dossier');
    assertCaseTransition(rcpCase.state, 'rejected', 'refuser le dossier');
    await updateTask(tx, withState(task, 'rejected', rc.now, reason.trim()));
    await tx.repo.update<ServiceRequest>({ ...request, status: 'revoked' }, { ifMatch: versionOf(request) });
    await flagOnAgenda(tx, rcpCase.sessionId, id, 'rejected', reason.trim());
    return (await loadCase(tx, id)).rcpCase;
  });
}

/** The requesting physician, the 3C or the board's coordinating physician: who may withdraw a case. */
async function isWithdrawer(rc: RcpContext, rcpCase: RcpCase): Promise<boolean> {
  return me(rc) === rcpCase.requester || (await isSessionManager(rc, await boardOfCase(rc, rcpCase)));
}

/**
 * Whether the caller may withdraw this case now (who, and a state not yet discussed): the test of
 * withdrawCase and of the pages that offer « Retirer la demande », so they never disagree.
 */
export async function mayWithdrawCase(rc: RcpContext, rcpCase: RcpCase): Promise<boolean> {
  return allowedCaseTransition(rcpCase.state, 'withdrawn') && (await isWithdrawer(rc, rcpCase));
}

/** A case as a page shows it: with what the caller may do on it (the server's rules, not a guess). */
export interface CaseView extends RcpCase {
  mayWithdraw: boolean;
}

export async function caseView(rc: RcpContext, id: string): Promise<CaseView> {
  const { rcpCase } = await loadCase(rc, id);
  return { ...rcpCase, mayWithdraw: await mayWithdrawCase(rc, rcpCase) };
}

/** The requesting physician (or the 3C) withdraws a case not yet discussed. */
export async function withdrawCase(rc: RcpContext, id: string, reason: unknown, ifMatch?: string): Promise<RcpCase> {
  if (typeof reason !== 'string' || !reason.trim()) throw ruleViolation('case-transition', 'Le motif du retrait est obligatoire (reason)', ['reason']);
  return withCase(rc, id, ifMatch, async (tx, { task, request, rcpCase }) => {
    if (!(await isWithdrawer(tx, rcpCase))) {
      throw notAllowed('not-session-manager', 'Seuls le médecin demandeur, le 3C et le médecin coordonnateur de la RCP peuvent retirer ce dossier');
    }
    assertCaseTransition(rcpCase.state, 'withdrawn', 'retirer le dossier');
    await updateTask(tx, withState(task, 'withdrawn', rc.now, reason.trim()));
    await tx.repo.update<ServiceRequest>({ ...request, status: 'revoked' }, { ifMatch: versionOf(request) });
    await flagOnAgenda(tx, rcpCase.sessionId, id, 'withdrawn', reason.trim());
    return (await loadCase(tx, id)).rcpCase;
  });
}

/**
 * The 3C moves a case to another planned session (of the same board or another one): capacity and
 * duplicate checks as for a registration; the old agenda keeps a "moved" entry, the case its history.
 */
export async function moveCase(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<RcpCase> {
  const b = (body ?? {}) as Json;
  const targetId = typeof b.session === 'string' ? idFrom(b.session, 'Appointment') ?? b.session : undefined;
  if (!targetId) throw invalidInput('move-invalid', 'session : la séance de destination est obligatoire (Appointment/<id>)', ['session']);
  const note = typeof b.reason === 'string' && b.reason.trim() ? b.reason.trim() : undefined;
  return rc.repo.transaction(async (tx) => {
    const rcTx = withRepo(rc, tx);
    const first = await loadCase(rcTx, id);
    await lockSessions(rcTx, [first.rcpCase.sessionId ?? '', targetId].filter(Boolean));
    const { task, rcpCase } = await loadCase(rcTx, id);
    requireCurrentVersion(task, ifMatch);
    const from = await boardOfCase(rcTx, rcpCase);
    await requireSessionManager(rcTx, from, 'déplacer un dossier');
    if (rcpCase.sessionId === targetId) throw ruleConflict('move-invalid', 'Le dossier est déjà inscrit à cette séance', ['session']);
    const target = await loadSession(rcTx, targetId);
    const targetBoard = target.board.board;
    if (targetBoard.id !== from.id) await requireSessionManager(rcTx, targetBoard, 'déplacer un dossier vers cette RCP');
    if (target.session.state !== 'planned') throw ruleConflict('session-not-open', `La séance de destination (${meetingDateTime(target.session.start)}) n'est plus planifiée`, ['session']);
    const nextState: CaseState = rcpCase.state === 'pending' ? 'pending' : 'accepted';
    assertCaseTransition(rcpCase.state, nextState, 'déplacer le dossier');
    const targetList = await findAgenda(rcTx, targetId);
    const targetAgenda = targetList ? agendaFromFhir(targetList) : undefined;
    if (activeEntries(targetAgenda).length >= targetBoard.capacity) {
      throw ruleConflict('session-full', `La séance de destination (${meetingDateTime(target.session.start)}) est complète (${targetBoard.capacity} dossiers)`, ['session']);
    }
    const duplicate = await tx.searchAll<Task>('Task', {
      patient: rcpCase.patient,
      'group-identifier': `${RCP_SESSION_GROUP_SYSTEM}|${targetId}`,
      code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`,
      status: 'requested,accepted,in-progress,completed',
    });
    if (duplicate.length) throw ruleConflict('patient-already-registered', `Ce patient est déjà inscrit à la séance du ${meetingDateTime(target.session.start)}`, ['session']);

    const moveNote = `Déplacé vers la séance du ${weekdayDate(target.session.start)}${note ? ` : ${note}` : ''}`;
    await updateTask(rcTx, withMove(withState(task, nextState, rc.now, moveNote), {
      ...(rcpCase.sessionId ? { from: rcpCase.sessionId } : {}), to: targetId, reason: 'moved', at: rc.now.toISOString(), by: me(rc), ...(note ? { note } : {}),
    }, { sessionId: targetId, ...(targetBoard.id !== from.id ? { board: { id: targetBoard.id, name: targetBoard.name } } : {}) }));
    await flagOnAgenda(rcTx, rcpCase.sessionId, id, 'moved', moveNote);
    await sheetFollowsSession(rcTx, rcpCase.sheet, targetBoard, target.session, String(nextCaseNumber(targetAgenda?.entries ?? [])));
    const list = targetList ?? (await ensureAgenda(rcTx, target.session));
    const source = rcpCase.sessionId ? (await loadSession(rcTx, rcpCase.sessionId)).session : undefined;
    await saveAgenda(rcTx, list, withEntry(targetAgenda, { case: id, flag: 'scheduled', origin: 'moved', addedAt: rc.now.toISOString(), note: source ? `Déplacé de la séance du ${weekdayDate(source.start)}` : 'Reprogrammé' }));
    return (await loadCase(rcTx, id)).rcpCase;
  });
}

export interface CaseCompleteness {
  complete: boolean;
  missing: { item?: string; label: string; expression?: string; severity: 'error' | 'warning' }[];
  checkedAt: string;
  /** live: computed now from the sheet; snapshot: the last check stored on the case (caller cannot read the sheet). */
  source: 'live' | 'snapshot';
}

/** "Dossier complet?" for one case: live when the caller can read the sheet, else the stored snapshot. */
export async function caseCompleteness(rc: RcpContext, id: string, stage: 'session' | 'signature' = 'session'): Promise<CaseCompleteness> {
  const { task, rcpCase } = await loadCase(rc, id);
  if (rcpCase.sheet) {
    try {
      const missing = await sheetCompleteness(rc, rcpCase.sheet, stage);
      return { complete: completenessErrors(missing).length === 0, missing, checkedAt: rc.now.toISOString(), source: 'live' };
    } catch (error) {
      if ((error as { status?: number }).status !== 403) throw error;
    }
  }
  const e = task.extension?.find((x) => x.url === EXT.caseCompleteness);
  return {
    complete: e?.extension?.find((x) => x.url === 'complete')?.valueBoolean === true,
    missing: (e?.extension ?? []).filter((x) => x.url === 'missing').map((x) => ({ label: x.valueString ?? '', severity: 'error' as const })),
    checkedAt: e?.extension?.find((x) => x.url === 'checkedAt')?.valueDateTime ?? '',
    source: 'snapshot',
  };
}

export async function listCases(rc: RcpContext, filter: { session?: string; patient?: string; board?: string; state?: CaseState; requester?: string }): Promise<RcpCase[]> {
  const params: Record<string, string> = { code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`, _sort: 'authored-on' };
  if (filter.session) params['group-identifier'] = `${RCP_SESSION_GROUP_SYSTEM}|${idFrom(filter.session, 'Appointment') ?? filter.session}`;
  if (filter.patient) params.patient = filter.patient.startsWith('Patient/') ? filter.patient : `Patient/${filter.patient}`;
  if (filter.board) params.owner = `HealthcareService/${idFrom(filter.board, 'HealthcareService') ?? filter.board}`;
  if (filter.requester) params.requester = filter.requester;
  if (filter.state) params['business-status'] = filter.state;
  const tasks = await rc.repo.searchAll<Task>('Task', params, { max: 2000 });
  const loaded = await loadVisibleCases(rc, tasks.map((t) => t.id!));
  return tasks.map((t) => loaded.get(t.id!)?.rcpCase).filter((c): c is RcpCase => Boolean(c));
}
