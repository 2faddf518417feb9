import type { Appointment, Patient, Practitioner } from '@medplum/fhirtypes';
import { patientDisplayName } from '../city/index.ts';
import { notFound, preconditionFailed } from '../fhir-kit/errors.ts';
import { withExtension } from '../fhir-kit/extensions.ts';
import { requireCurrentVersion } from '../fhir-kit/versions.ts';
import { agendaNumbers, caseNumber, ensureAgenda, findAgenda, lockSession, saveAgenda, withFlag } from './agenda.ts';
import { loadBoard, type LoadedBoard } from './boards.ts';
import { parseSpeciality, practitionerName, specialityOfPractitioner, type Board } from './board-model.ts';
import { caseStateOf, withMove, withState, type MoveReason, MOVE_LABEL } from './case-model.ts';
import { loadVisibleCases, type LoadedCase } from './case-store.ts';
import { ACTIVE_AGENDA_FLAGS, EXT, RCP_SESSION_ID_SYSTEM, RCP_SESSION_TYPE } from './codes.ts';
import { invalidInput, notAllowed, ruleConflict, ruleViolation } from './errors.ts';
import { ext, idFrom, versionOf, withRepo, type RcpContext } from './fhir-helpers.ts';
import { me, requireBoardManager, requireSessionManager } from './permissions.ts';
import { checkQuorum, type Attendance, type AttendanceMode, type QuorumResult } from './quorum.ts';
import { sheetFollowsSession } from './sheet.ts';
import { responsibleSigners, type ResponsibleSigner } from './signers.ts';
import { instantToZoned, occurrencesBetween, type PlannedOccurrence } from './recurrence.ts';
import {
  activeEntries, agendaFromFhir, isRcpSession, newSessionResource, overrideExtension, sessionFromFhir, withAttendance,
  type Agenda, type AgendaEntry, type Session,
} from './session-model.ts';
import { assertSessionTransition, OPEN_CASE_STATES, SESSION_STATUS, type CaseState, type SessionState } from './transitions.ts';
import { meetingDateTime, weekdayDate } from '../fhir-kit/french-dates.ts';

export interface LoadedSession {
  appointment: Appointment;
  session: Session;
  board: LoadedBoard;
}

export function newSessionFor(board: Board, occurrence: PlannedOccurrence): Appointment {
  return newSessionResource(board, occurrence);
}

/** `knownBoard`: the session's board when the caller has just loaded it (not read again). */
export async function loadSession(rc: RcpContext, id: string, knownBoard?: LoadedBoard): Promise<LoadedSession> {
  const appointment = await rc.repo.readIfExists<Appointment>('Appointment', id);
  if (!appointment || !isRcpSession(appointment)) throw notFound(`Séance de RCP Appointment/${id} introuvable`);
  const session = sessionFromFhir(appointment);
  return { appointment, session, board: knownBoard?.board.id === session.boardId ? knownBoard : await loadBoard(rc, session.boardId) };
}

/**
 * The board's cut-off before the session. A session moved earlier does not close its registrations
 * before the move: the cases registered under the planned date were on time (opened today instead
 * of in two days, its deadline read yesterday, before a case registered this morning). Never after
 * its start.
 */
export function registrationDeadline(session: Pick<Session, 'start' | 'originalStart' | 'movedAt' | 'override' | 'startedAt'>, board: Pick<Board, 'registrationCutoffHours'>): Date {
  const start = new Date(session.start).getTime();
  const byCutoff = start - board.registrationCutoffHours * 3_600_000;
  // Moved at its opening before `movedAt` was kept: the move is the opening (startSession).
  const movedAt = session.movedAt ?? (session.override === 'moved' && session.startedAt === session.start ? session.start : undefined);
  const movedEarlier = session.originalStart !== undefined && new Date(session.originalStart).getTime() > start;
  if (!movedEarlier || !movedAt) return new Date(byCutoff);
  return new Date(Math.max(byCutoff, Math.min(new Date(movedAt).getTime(), start)));
}

export async function rescheduleSession(rc: RcpContext, current: Appointment, board: Board, occurrence: PlannedOccurrence): Promise<Session> {
  const next: Appointment = withExtension({
    ...current,
    start: occurrence.start.toISOString(),
    end: occurrence.end.toISOString(),
    minutesDuration: Math.round((occurrence.end.getTime() - occurrence.start.getTime()) / 60_000),
    description: `${board.name} — ${meetingDateTime(occurrence.start)}`,
  }, EXT.sessionOverride, occurrence.override ? overrideExtension(occurrence, rc.now) : undefined);
  const { resource } = await rc.repo.update(next, { ifMatch: versionOf(current) });
  return sessionFromFhir(resource);
}

export async function listSessions(rc: RcpContext, boardId: string, filter: { from?: string; to?: string; state?: SessionState } = {}): Promise<Session[]> {
  const params: Record<string, string | string[]> = {
    actor: `HealthcareService/${boardId}`,
    'service-type': `${RCP_SESSION_TYPE.system}|${RCP_SESSION_TYPE.code}`,
    _sort: 'date',
  };
  const dates: string[] = [];
  if (filter.from) dates.push(`ge${filter.from}`);
  if (filter.to) dates.push(`lt${filter.to}`);
  if (dates.length) params.date = dates;
  if (filter.state) params.status = SESSION_STATUS[filter.state]!;
  return (await rc.repo.searchAll<Appointment>('Appointment', params)).map(sessionFromFhir);
}

/** The next planned session of the board after `after` (generating sessions when none is planned yet). */
export async function findNextSession(rc: RcpContext, board: Board, after: Date, excludeId?: string): Promise<Appointment | undefined> {
  const search = async () => {
    const sessions = await rc.repo.searchAll<Appointment>('Appointment', {
      actor: `HealthcareService/${board.id}`,
      'service-type': `${RCP_SESSION_TYPE.system}|${RCP_SESSION_TYPE.code}`,
      status: 'booked',
      date: `gt${after.toISOString()}`,
      _sort: 'date',
      _count: '5',
    }, { max: 5 });
    return sessions.find((s) => s.id !== excludeId);
  };
  const found = await search();
  if (found || !board.active || !board.schedule) return found;
  await generateInTransaction(rc, board);
  return search();
}

// --- Carry-over ----------------------------------------------------------------------------

/**
 * Moves every case the session has not dealt with (pending, accepted, quorum not reached,
 * postponed) to the board's next planned session, keeping each case's history (Task versions and
 * move record) and the old agenda's entry (flagged "carried over"). Runs in the caller's transaction.
 */
export async function carryOverOpenCases(rc: RcpContext, session: Session, board: Board, reason: MoveReason): Promise<{ moved: string[]; target?: Session }> {
  const agendaList = await findAgenda(rc, session.id);
  if (!agendaList) return { moved: [] };
  const agenda = agendaFromFhir(agendaList);
  const open = agenda.entries.filter((e) => ['scheduled', 'quorum-not-reached', 'postponed'].includes(e.flag));
  if (!open.length) return { moved: [] };
  const cases = await loadVisibleCases(rc, open.map((e) => e.case));
  const hidden = open.filter((e) => !cases.has(e.case));
  if (hidden.length) {
    throw notAllowed('not-in-circle-of-care', `${hidden.length} dossier(s) de cette séance concernent des patients hors de votre cercle de soins : impossible de les reporter. Demandez au médecin coordonnateur de la RCP.`);
  }
  const after = new Date(Math.max(rc.now.getTime(), new Date(session.start).getTime()));
  const targetAppointment = await findNextSession(rc, board, after, session.id);
  const target = targetAppointment ? sessionFromFhir(targetAppointment) : undefined;
  if (target) await lockSession(rc, target.id);
  const targetList = target ? await ensureAgenda(rc, target) : undefined;
  let targetEntries = targetList ? agendaFromFhir(targetList).entries : [];
  let entries = agenda.entries;
  const moved: string[] = [];
  for (const entry of open) {
    const { task } = cases.get(entry.case)!;
    const state = caseStateOf(task);
    if (!OPEN_CASE_STATES.includes(state)) continue;
    const nextState: CaseState = state === 'pending' ? 'pending' : 'accepted';
    const why = entry.flag === 'quorum-not-reached' ? 'quorum non atteint' : entry.flag === 'postponed' ? 'dossier ajourné' : reason === 'session-cancelled' ? 'séance annulée' : 'dossier non discuté';
    // Said as the agenda reads it (« Reporté à la séance suivante (séance annulée) : séance du … »): the
    // cancellation's own label read « Séance annulée (séance annulée) » on the cancelled session's page.
    const note = `${MOVE_LABEL['carried-over']} (${why})${target ? ` : séance du ${weekdayDate(target.start)}` : ' : aucune séance à venir, à reprogrammer par le 3C'}`;
    const nextTask = withMove(withState(task, nextState, rc.now, note), { from: session.id, to: target?.id, reason, at: rc.now.toISOString(), by: me(rc), note: why }, { sessionId: target?.id });
    await rc.repo.update(nextTask, { ifMatch: versionOf(task) });
    entries = withFlagEntries(entries, entry.case, 'carried-over', note, entry.flag === 'scheduled' ? undefined : entry.flag);
    if (target) {
      targetEntries = [...targetEntries, { case: entry.case, flag: 'scheduled', origin: 'carried-over', addedAt: rc.now.toISOString(), note: `Reporté de la séance du ${weekdayDate(session.start)} (${why})` }];
      await sheetFollowsSession(rc, cases.get(entry.case)!.rcpCase.sheet, board, target, String(caseNumber(targetEntries, entry.case)));
    }
    moved.push(entry.case);
  }
  await saveAgenda(rc, agendaList, entries);
  if (targetList && moved.length) await saveAgenda(rc, targetList, targetEntries);
  return { moved, target };
}

function withFlagEntries(entries: AgendaEntry[], caseId: string, flag: AgendaEntry['flag'], note?: string, cause?: AgendaEntry['cause']): AgendaEntry[] {
  return withFlag({ id: '', version: '', sessionId: '', frozen: false, entries }, caseId, flag, note, cause);
}

/** Cancels a planned session: reason kept, open cases carried over, agenda frozen. */
export async function cancelSessionInTransaction(rc: RcpContext, appointment: Appointment, board: Board, reason: string): Promise<Session> {
  const session = sessionFromFhir(appointment);
  assertSessionTransition(session.state, 'cancelled', 'annuler la séance');
  await lockSession(rc, session.id);
  await carryOverOpenCases(rc, session, board, 'session-cancelled');
  await freezeAgenda(rc, session.id);
  const { resource } = await rc.repo.update<Appointment>({ ...appointment, status: 'cancelled', cancelationReason: { text: reason } }, { ifMatch: versionOf(appointment) });
  return sessionFromFhir(resource);
}

async function freezeAgenda(rc: RcpContext, sessionId: string): Promise<void> {
  const list = await findAgenda(rc, sessionId);
  if (list && list.status !== 'retired') await saveAgenda(rc, list, agendaFromFhir(list).entries, { freeze: true });
}

// --- Commands -------------------------------------------------------------------------------

/** Runs a session command in one transaction, with the session locked and re-read. */
async function withSession<T>(rc: RcpContext, id: string, ifMatch: string | undefined, action: string, work: (rc: RcpContext, loaded: LoadedSession) => Promise<T>): Promise<T> {
  return rc.repo.transaction(async (tx) => {
    const rcTx = withRepo(rc, tx);
    await lockSession(rcTx, id);
    const loaded = await loadSession(rcTx, id);
    await requireSessionManager(rcTx, loaded.board.board, action);
    requireCurrentVersion(loaded.appointment, ifMatch);
    return work(rcTx, loaded);
  });
}

/** What opening a session another day did to its planned slot (see startSession). */
export interface KeptSlot {
  /** The session planned anew at the recurrence's date (the occurrence the opened session held). */
  session: Session;
  /** Requests still awaiting the 3C's acceptance, left on the planned date with that session. */
  pendingKept: string[];
}

/**
 * Opens the session, recording when. A session is held on its day (Paris time): opened another day,
 * the report would carry a date the meeting did not have, so it is refused (409) unless the 3C
 * reschedules it to now with a reason (`rescheduleReason`): the session and its accepted cases move
 * to today. Advanced, it does not take the board's rhythm with it: the planned slot stays on the
 * calendar (a new planned session holds its occurrence) and the requests still pending stay there —
 * a pending request was not accepted for today's meeting, and moving it silently into a running
 * session hid it from the 3C (QA walkthrough, December 2026).
 */
export async function startSession(rc: RcpContext, id: string, ifMatch?: string, body?: unknown): Promise<Session & { keptSlot?: KeptSlot }> {
  const raw = (body as Record<string, unknown> | undefined)?.rescheduleReason;
  if (raw !== undefined && (typeof raw !== 'string' || !raw.trim())) {
    throw invalidInput('session-reschedule', 'rescheduleReason : le motif du changement de date de la séance est un texte non vide', ['rescheduleReason']);
  }
  const rescheduleReason = typeof raw === 'string' ? raw.trim() : undefined;
  return withSession(rc, id, ifMatch, 'ouvrir une séance', async (tx, { appointment, session, board }) => {
    assertSessionTransition(session.state, 'in-progress', 'ouvrir la séance');
    const now = rc.now;
    let next: Appointment = withExtension({ ...appointment, status: SESSION_STATUS['in-progress'] }, EXT.sessionStartedAt, { url: EXT.sessionStartedAt, valueDateTime: now.toISOString() });
    const today = instantToZoned(now);
    if (today.date === instantToZoned(new Date(session.start)).date) {
      const { resource } = await tx.repo.update<Appointment>(next, { ifMatch: versionOf(appointment) });
      return sessionFromFhir(resource);
    }
    if (!rescheduleReason) {
      const advanced = new Date(session.start) > now;
      throw ruleConflict('session-not-today', `La séance est prévue le ${meetingDateTime(session.start)} : elle ne peut pas être ouverte le ${weekdayDate(now)}, le compte rendu porterait une date de réunion fausse. Pour la tenir maintenant, reprogrammez-la en donnant le motif (rescheduleReason) : la séance et ses dossiers acceptés passent à aujourd'hui${advanced ? ', le créneau prévu reste au calendrier avec les demandes en attente' : ''}.`);
    }
    const duration = new Date(session.end).getTime() - new Date(session.start).getTime();
    // The opened session gives its occurrence key up (the planned slot keeps it): generation would
    // otherwise take it for the recurrence's session and never plan that date again.
    const openedKey = `opened-${today.date}T${today.time}`;
    next = withExtension({
      ...next,
      identifier: (next.identifier ?? []).map((i) => (i.system === RCP_SESSION_ID_SYSTEM ? { ...i, value: `${session.boardId}/${openedKey}` } : i)),
      start: now.toISOString(), end: new Date(now.getTime() + duration).toISOString(), description: `${session.boardName ?? 'RCP'} — ${meetingDateTime(now)}`,
    }, EXT.sessionOverride, overrideExtension({
      key: openedKey, start: now, end: new Date(now.getTime() + duration), override: 'moved', originalStart: new Date(session.originalStart ?? session.start), reason: rescheduleReason,
    }, now));
    next = withExtension(next, EXT.sessionOccurrence, { url: EXT.sessionOccurrence, valueString: openedKey });
    const { resource } = await tx.repo.update<Appointment>(next, { ifMatch: versionOf(appointment) });
    const opened = sessionFromFhir(resource);
    // Opened late (its date is past), there is no slot left to keep.
    if (new Date(session.start) <= now) return opened;
    const keptSlot = await keepPlannedSlot(tx, session, board.board, opened);
    return { ...opened, keptSlot };
  });
}

/**
 * The planned slot of a session opened ahead of its date: a planned session at the same date and
 * occurrence, and the requests still awaiting acceptance moved onto it (history kept on the case
 * and on both agendas). Runs in the opening's transaction.
 */
async function keepPlannedSlot(rc: RcpContext, planned: Session, board: Board, opened: Session): Promise<KeptSlot> {
  const slot = sessionFromFhir(await rc.repo.create(newSessionFor(board, {
    key: planned.occurrence, start: new Date(planned.start), end: new Date(planned.end),
    ...(planned.override ? { override: planned.override, reason: planned.overrideReason } : {}),
    ...(planned.originalStart ? { originalStart: new Date(planned.originalStart) } : {}),
    ...(planned.place ? { place: planned.place } : {}),
    ...(planned.videoLink ? { videoLink: planned.videoLink } : {}),
  })));
  const agendaList = await findAgenda(rc, opened.id);
  if (!agendaList) return { session: slot, pendingKept: [] };
  const agenda = agendaFromFhir(agendaList);
  const scheduled = agenda.entries.filter((e) => e.flag === 'scheduled');
  const cases = await loadVisibleCases(rc, scheduled.map((e) => e.case));
  const pending = scheduled.filter((e) => cases.has(e.case) && caseStateOf(cases.get(e.case)!.task) === 'pending');
  if (!pending.length) return { session: slot, pendingKept: [] };
  await lockSession(rc, slot.id);
  const slotList = await ensureAgenda(rc, slot);
  let entries = agenda.entries;
  const slotEntries: AgendaEntry[] = [];
  const why = `séance du ${weekdayDate(planned.start)} tenue le ${weekdayDate(opened.start)}`;
  for (const entry of pending) {
    const { task, rcpCase } = cases.get(entry.case)!;
    const note = `Demande maintenue à la séance du ${weekdayDate(slot.start)} (${why})`;
    await rc.repo.update(withMove(withState(task, 'pending', rc.now, note), { from: opened.id, to: slot.id, reason: 'moved', at: rc.now.toISOString(), by: me(rc), note: why }, { sessionId: slot.id }), { ifMatch: versionOf(task) });
    entries = withFlagEntries(entries, entry.case, 'moved', note);
    slotEntries.push({ case: entry.case, flag: 'scheduled', origin: 'moved', addedAt: rc.now.toISOString(), note: `Demande maintenue à la date prévue (${why})` });
    await sheetFollowsSession(rc, rcpCase.sheet, board, slot, String(caseNumber(slotEntries, entry.case)));
  }
  await saveAgenda(rc, agendaList, entries);
  await saveAgenda(rc, slotList, slotEntries);
  return { session: slot, pendingKept: pending.map((e) => e.case) };
}

export async function closeSession(rc: RcpContext, id: string, ifMatch?: string): Promise<{ session: Session; carriedOver: string[]; nextSession?: Session }> {
  return withSession(rc, id, ifMatch, 'clôturer une séance', async (tx, { appointment, session, board }) => {
    assertSessionTransition(session.state, 'closed', 'clôturer la séance');
    const { moved, target } = await carryOverOpenCases(tx, session, board.board, 'carried-over');
    await freezeAgenda(tx, session.id);
    const { resource } = await tx.repo.update<Appointment>({ ...appointment, status: SESSION_STATUS.closed }, { ifMatch: versionOf(appointment) });
    return { session: sessionFromFhir(resource), carriedOver: moved, ...(target ? { nextSession: target } : {}) };
  });
}

export async function cancelSession(rc: RcpContext, id: string, reason: unknown, ifMatch?: string): Promise<Session> {
  if (typeof reason !== 'string' || !reason.trim()) {
    throw ruleViolation('session-cancel-reason', "Le motif d'annulation de la séance est obligatoire (reason) : il est communiqué aux membres et aux médecins dont les dossiers sont reportés", ['reason']);
  }
  return withSession(rc, id, ifMatch, 'annuler une séance', (tx, { appointment, board }) => cancelSessionInTransaction(tx, appointment, board.board, reason.trim()));
}

/** Parses attendance sent to the API; specialities default to the board's member record or the directory. */
export async function parseAttendance(rc: RcpContext, body: unknown, board: Board): Promise<Attendance[]> {
  if (!Array.isArray(body)) throw invalidInput('attendance-invalid', 'attendance doit être une liste de { practitioner, mode, speciality?, cases? }', ['attendance']);
  const out: Attendance[] = [];
  for (const [i, raw] of body.entries()) {
    const a = (raw ?? {}) as Record<string, unknown>;
    const path = `attendance[${i}]`;
    const id = typeof a.practitioner === 'string' ? idFrom(a.practitioner, 'Practitioner') : undefined;
    if (!id) throw invalidInput('attendance-invalid', `${path}.practitioner : référence Practitioner/<id> attendue`, [`${path}.practitioner`]);
    const mode = a.mode as AttendanceMode;
    if (!['present', 'remote', 'written-opinion'].includes(mode)) {
      throw invalidInput('attendance-invalid', `${path}.mode : 'present' (présent), 'remote' (à distance) ou 'written-opinion' (avis écrit)`, [`${path}.mode`]);
    }
    const member = board.members.find((m) => m.practitioner === `Practitioner/${id}`);
    let speciality = parseSpeciality(a.speciality) ?? member?.speciality;
    let display = typeof a.display === 'string' ? a.display : member?.display;
    if (!speciality || !display) {
      const practitioner = await rc.repo.readIfExists<Practitioner>('Practitioner', id);
      if (!practitioner) throw ruleViolation('attendance-invalid', `${path} : Practitioner/${id} est inconnu de l'annuaire`, [`${path}.practitioner`]);
      speciality ??= specialityOfPractitioner(practitioner);
      display ??= practitionerName(practitioner);
    }
    if (!speciality) throw ruleViolation('attendance-invalid', `${path} : spécialité de ${display} inconnue — précisez speciality (code R38)`, [`${path}.speciality`]);
    const cases = a.cases === undefined ? undefined : Array.isArray(a.cases) ? a.cases.map((c) => idFrom(String(c), 'Task') ?? String(c)) : undefined;
    if (a.cases !== undefined && !cases) throw invalidInput('attendance-invalid', `${path}.cases : liste d'identifiants de dossiers attendue`, [`${path}.cases`]);
    if (out.some((x) => x.practitioner === `Practitioner/${id}` && !x.cases?.length && !cases?.length)) {
      throw ruleViolation('attendance-invalid', `${display} figure deux fois dans la présence`, [path]);
    }
    out.push({ practitioner: `Practitioner/${id}`, ...(display ? { display } : {}), speciality, mode, ...(cases?.length ? { cases } : {}) });
  }
  return out;
}

/** Replaces the attendance of a planned or running session (written opinions may come before it). */
export async function setAttendance(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<Session> {
  return withSession(rc, id, ifMatch, 'enregistrer la présence', async (tx, { appointment, session, board }) => {
    if (session.state === 'closed' || session.state === 'cancelled') {
      throw ruleConflict('session-closed', `La séance est ${session.state === 'closed' ? 'clôturée' : 'annulée'} : la présence ne peut plus être modifiée`);
    }
    const attendance = await parseAttendance(tx, body, board.board);
    const agendaCases = new Set((await agendaOf(tx, session.id))?.entries.map((e) => e.case) ?? []);
    for (const a of attendance) {
      for (const c of a.cases ?? []) if (!agendaCases.has(c)) throw ruleViolation('attendance-invalid', `Le dossier Task/${c} n'est pas à l'ordre du jour de cette séance`, ['attendance.cases']);
    }
    const { resource } = await tx.repo.update(withAttendance(appointment, attendance), { ifMatch: versionOf(appointment) });
    return sessionFromFhir(resource);
  });
}

export async function agendaOf(rc: RcpContext, sessionId: string): Promise<Agenda | undefined> {
  const list = await findAgenda(rc, sessionId);
  return list ? agendaFromFhir(list) : undefined;
}

/**
 * New order of the agenda (case ids, exactly the cases still on it). If-Match on the agenda's
 * version: a coordinator who reorders a stale agenda gets 412 and reloads; nothing is lost.
 */
export async function reorderAgenda(rc: RcpContext, sessionId: string, order: unknown, ifMatch?: string): Promise<Agenda> {
  if (!Array.isArray(order) || order.some((x) => typeof x !== 'string')) throw invalidInput('agenda-order', "order doit être la liste des identifiants des dossiers (Task) dans l'ordre voulu", ['order']);
  return rc.repo.transaction(async (tx) => {
    const rcTx = withRepo(rc, tx);
    await lockSession(rcTx, sessionId);
    const { session, board } = await loadSession(rcTx, sessionId);
    await requireSessionManager(rcTx, board.board, "ordonner l'ordre du jour");
    if (session.state === 'closed' || session.state === 'cancelled') throw ruleConflict('agenda-snapshot', "L'ordre du jour d'une séance clôturée ou annulée est figé");
    const list = await findAgenda(rcTx, sessionId);
    if (!list) throw ruleConflict('agenda-order', "Cette séance n'a encore aucun dossier inscrit");
    requireCurrentVersion(list, ifMatch);
    const agenda = agendaFromFhir(list);
    const ids = (order as string[]).map((x) => idFrom(x, 'Task') ?? x);
    const active = activeEntries(agenda);
    const activeIds = new Set(active.map((e) => e.case));
    const missing = [...activeIds].filter((c) => !ids.includes(c));
    const extra = ids.filter((c) => !activeIds.has(c));
    if (missing.length || extra.length || new Set(ids).size !== ids.length) {
      throw ruleViolation('agenda-order', `L'ordre doit contenir une et une seule fois chaque dossier inscrit à la séance${missing.length ? ` ; manquent : ${missing.join(', ')}` : ''}${extra.length ? ` ; inconnus ou plus à l'ordre du jour : ${extra.join(', ')}` : ''}`, ['order']);
    }
    const byCase = new Map(active.map((e) => [e.case, e]));
    const others = agenda.entries.filter((e) => !ACTIVE_AGENDA_FLAGS.includes(e.flag));
    return saveAgenda(rcTx, list, [...ids.map((c) => byCase.get(c)!), ...others], { ifMatch: versionOf(list) });
  });
}

export interface SessionDetails {
  session: Session;
  board: { id: string; name: string; capacity: number; registrationCutoffHours: number };
  registrationDeadline: string;
  agenda?: {
    id: string;
    version: string;
    frozen: boolean;
    places: { used: number; capacity: number };
    entries: (AgendaEntry & {
      /** The case's number in the session (agenda.ts, agendaNumbers): the same on every page and in the printed report. */
      position?: number; visible: boolean; state?: CaseState; patient?: string; patientName?: string; birthYear?: number; requester?: string; late?: boolean; question?: string; fileComplete?: boolean; signers?: ResponsibleSigner[] })[];
  };
}

export async function sessionDetails(rc: RcpContext, id: string): Promise<SessionDetails> {
  const { session, board } = await loadSession(rc, id);
  const agenda = await agendaOf(rc, id);
  const cases = agenda ? await loadVisibleCases(rc, agenda.entries.map((e) => e.case)) : new Map<string, LoadedCase>();
  const patients = await patientsOf(rc, [...cases.values()].map((c) => c.rcpCase.patient));
  const numbers = agendaNumbers(agenda?.entries ?? []);
  return {
    session,
    board: { id: board.board.id, name: board.board.name, capacity: board.board.capacity, registrationCutoffHours: board.board.registrationCutoffHours },
    registrationDeadline: registrationDeadline(session, board.board).toISOString(),
    ...(agenda ? {
      agenda: {
        id: agenda.id,
        version: agenda.version,
        frozen: agenda.frozen,
        places: { used: activeEntries(agenda).length, capacity: board.board.capacity },
        entries: agenda.entries.map((e, i) => {
          const c = cases.get(e.case)?.rcpCase;
          const snapshot = c ? completenessSnapshot(cases.get(e.case)!.task) : undefined;
          // A report left to sign: who may sign it, by the signature's own rule (the requester only if he took part).
          const toSign = c && (c.state === 'discussed' || c.state === 'recorded') && (c.outcomeSession ?? c.sessionId) === id;
          return {
            ...e,
            ...(numbers[i] !== undefined ? { position: numbers[i] } : {}),
            visible: Boolean(c),
            ...(c ? { state: c.state, patient: c.patient, ...patientLabel(patients.get(c.patient)), requester: c.requesterDisplay ?? c.requester, late: c.late, question: c.question } : {}),
            ...(snapshot ? { fileComplete: snapshot.complete } : {}),
            ...(toSign ? { signers: responsibleSigners(c, board.board, session.attendance) } : {}),
          };
        }),
      },
    } : {}),
  };
}

/** The Patients of the cases the caller sees, by reference (one search per 100 patients). */
export async function patientsOf(rc: RcpContext, references: string[]): Promise<Map<string, Patient>> {
  const ids = [...new Set(references.map((r) => idFrom({ reference: r }, 'Patient')).filter((x): x is string => Boolean(x)))];
  const out = new Map<string, Patient>();
  for (let i = 0; i < ids.length; i += 100) {
    for (const p of await rc.repo.searchAll<Patient>('Patient', { _id: ids.slice(i, i + 100).join(',') })) out.set(`Patient/${p.id}`, p);
  }
  return out;
}

/** Who the case is about, as a 3C reads an agenda: name (family name in capitals) and birth year. */
export function patientLabel(patient: Patient | undefined): { patientName?: string; birthYear?: number } {
  if (!patient) return {};
  const year = Number(patient.birthDate?.slice(0, 4));
  return { patientName: patientDisplayName(patient), ...(year ? { birthYear: year } : {}) };
}

/** Completeness of the case's sheet as last checked (stored on the Task for those who cannot read the sheet). */
export function completenessSnapshot(task: { extension?: { url: string; extension?: { url: string; valueBoolean?: boolean; valueString?: string; valueDateTime?: string }[] }[] }): { complete: boolean; missing: string[]; checkedAt?: string } | undefined {
  const e = ext(task, EXT.caseCompleteness);
  if (!e) return undefined;
  return {
    complete: e.extension?.find((x) => x.url === 'complete')?.valueBoolean === true,
    missing: (e.extension ?? []).filter((x) => x.url === 'missing').map((x) => x.valueString ?? ''),
    checkedAt: e.extension?.find((x) => x.url === 'checkedAt')?.valueDateTime,
  };
}

/** The quorum of a session for one case (or for the session in general), from the recorded attendance. */
export async function sessionQuorum(rc: RcpContext, sessionId: string, caseId?: string): Promise<QuorumResult> {
  const { session, board } = await loadSession(rc, sessionId);
  const mandated = caseId ? (await loadVisibleCases(rc, [caseId])).get(caseId)?.rcpCase.mandated : undefined;
  return checkQuorum(session.attendance, board.board, { ...(caseId ? { id: caseId } : {}), ...(mandated ? { mandated } : {}) });
}

export interface GenerationResult {
  created: Session[];
  rescheduled: Session[];
  cancelled: Session[];
  unchanged: number;
  from: string;
  to: string;
}

/**
 * Creates the board's sessions for the coming `horizonDays` from its recurrence and date
 * overrides. Idempotent: a session is keyed by its occurrence, so running it again creates
 * nothing; a moved occurrence reschedules its session, a holiday (or an occurrence the rule no
 * longer has) cancels it and carries its cases over.
 */
export async function generateSessions(rc: RcpContext, boardId: string, options: { horizonDays?: number } = {}): Promise<GenerationResult> {
  const { board } = await loadBoard(rc, boardId);
  await requireBoardManager(rc, board.coordinationCentre);
  return rc.repo.transaction((tx) => generateInTransaction(withRepo(rc, tx), board, options.horizonDays));
}

/** The generation itself (caller checked the rights and opened the transaction). */
export async function generateInTransaction(rc: RcpContext, board: Board, horizonDays?: number): Promise<GenerationResult> {
  if (!board.active) throw ruleConflict('board-invalid', `La ${board.name} est inactive : aucune séance n'est générée`);
  const horizon = horizonDays ?? board.horizonDays;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 366) throw ruleViolation('board-invalid', `horizonDays doit être un entier entre 1 et 366 (reçu ${horizon})`, ['horizonDays']);
  const from = rc.now;
  const to = new Date(from.getTime() + horizon * 86_400_000);
  const { sessions: occurrences, cancelled: holidays } = occurrencesBetween(board.schedule, board.overrides, from, to);
  await rc.repo.lock(`rcp-generate:${board.id}`);
  const existing = await rc.repo.searchAll<Appointment>('Appointment', {
    actor: `HealthcareService/${board.id}`,
    'service-type': `${RCP_SESSION_TYPE.system}|${RCP_SESSION_TYPE.code}`,
    date: `ge${new Date(from.getTime() - 86_400_000).toISOString()}`,
  });
  const byKey = new Map(existing.map((a) => [sessionFromFhir(a).occurrence, a]));
  const result: GenerationResult = { created: [], rescheduled: [], cancelled: [], unchanged: 0, from: from.toISOString(), to: to.toISOString() };

  for (const occurrence of occurrences) {
    const current = byKey.get(occurrence.key);
    if (!current) {
      result.created.push(sessionFromFhir(await rc.repo.create(newSessionFor(board, occurrence))));
      continue;
    }
    const moved = current.status === 'booked' && (new Date(current.start!).getTime() !== occurrence.start.getTime() || new Date(current.end!).getTime() !== occurrence.end.getTime());
    if (moved) result.rescheduled.push(await rescheduleSession(rc, current, board, occurrence));
    else result.unchanged++;
  }
  const planned = new Set(occurrences.map((o) => o.key));
  const holidayReason = new Map(holidays.map((h) => [h.key, h.reason]));
  for (const appointment of existing) {
    const session = sessionFromFhir(appointment);
    if (session.state !== 'planned' || planned.has(session.occurrence)) continue;
    const start = new Date(session.start);
    const reason = holidayReason.get(session.occurrence);
    // Only future sessions of the window: the past and what lies beyond the horizon stay as they are.
    if (!reason && (start < from || start >= to)) continue;
    result.cancelled.push(await cancelSessionInTransaction(rc, appointment, board, reason ? `Séance annulée : ${reason}` : 'Séance retirée du calendrier de la RCP (récurrence modifiée)'));
  }
  return result;
}
