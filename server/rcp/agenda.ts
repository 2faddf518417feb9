import type { List } from '@medplum/fhirtypes';
import { type AgendaFlag, RCP_AGENDA_ID_SYSTEM } from './codes.ts';
import { ruleConflict } from './errors.ts';
import { searchOne, type RcpContext } from './fhir-helpers.ts';
import { agendaEntriesToFhir, agendaFromFhir, newAgendaResource, type Agenda, type AgendaEntry, type Session } from './session-model.ts';

/**
 * The agenda of a session is a List of the cases (Task) in order, without patient data: the 3C and
 * every member can see how full a session is. Entries are never removed: a case that leaves keeps
 * its entry with what happened (carried over, moved, withdrawn) — the session's history.
 */

/** Entries that gave their place up before the session examined them: they have no number in it. */
const NOT_NUMBERED: readonly AgendaFlag[] = ['withdrawn', 'rejected', 'moved'];

/**
 * The one rule for a case's number in a session (« n° d'inscription dans la séance », FRCP): its rank,
 * in the agenda's order, among the entries that kept their place — on the agenda (a request still to
 * accept holds its place), discussed, deferred, or carried over at the close. A case withdrawn,
 * refused or moved elsewhere gives its place up. Closing the session never renumbers: the meeting
 * mode showed « 3 » for a case the closed agenda showed as « 2 » once the case before it was carried
 * over. One number per entry, aligned with `entries` (undefined for an entry without one).
 */
export function agendaNumbers(entries: readonly AgendaEntry[]): (number | undefined)[] {
  let n = 0;
  return entries.map((e) => (NOT_NUMBERED.includes(e.flag) ? undefined : ++n));
}

/** A case's number in the session (its last entry's: a case moved away and back has two). */
export function caseNumber(entries: readonly AgendaEntry[], caseId: string): number | undefined {
  const index = entries.map((e) => e.case).lastIndexOf(caseId);
  return index < 0 ? undefined : agendaNumbers(entries)[index];
}

/** The number a case added now at the end of the agenda gets (registration, move, carry-over). */
export function nextCaseNumber(entries: readonly AgendaEntry[]): number {
  return agendaNumbers(entries).filter((n) => n !== undefined).length + 1;
}

export async function findAgenda(rc: RcpContext, sessionId: string): Promise<List | undefined> {
  return searchOne<List>(rc.repo, 'List', { identifier: `${RCP_AGENDA_ID_SYSTEM}|${sessionId}` });
}

/** The session's agenda, created on first use. Call with the session lock held (`lockSession`). */
export async function ensureAgenda(rc: RcpContext, session: Session): Promise<List> {
  return (await findAgenda(rc, session.id)) ?? rc.repo.create(newAgendaResource(session, session.boardName, rc.now));
}

/** Serialises agenda changes of one session (registration, move, carry-over) until the transaction ends. */
export async function lockSession(rc: RcpContext, sessionId: string): Promise<void> {
  await rc.repo.lock(`rcp-session:${sessionId}`);
}

/** Locks several sessions in a stable order (no deadlock between two moves in opposite directions). */
export async function lockSessions(rc: RcpContext, sessionIds: string[]): Promise<void> {
  for (const id of [...new Set(sessionIds)].sort()) await lockSession(rc, id);
}

export async function saveAgenda(rc: RcpContext, list: List, entries: AgendaEntry[], options: { freeze?: boolean; ifMatch?: string } = {}): Promise<Agenda> {
  if (list.status === 'retired') throw ruleConflict('agenda-snapshot', "L'ordre du jour d'une séance clôturée ou annulée est figé");
  const next: List = { ...list, entry: agendaEntriesToFhir(entries), ...(options.freeze ? { status: 'retired' as const } : {}) };
  if (!next.entry?.length) delete next.entry;
  const { resource } = await rc.repo.update(next, { ifMatch: options.ifMatch ?? list.meta?.versionId });
  return agendaFromFhir(resource);
}

export function withEntry(agenda: Agenda | undefined, entry: AgendaEntry): AgendaEntry[] {
  return [...(agenda?.entries ?? []), entry];
}

/** The entries with the case's (last) entry flagged anew. */
export function withFlag(agenda: Agenda, caseId: string, flag: AgendaEntry['flag'], note?: string, cause?: AgendaEntry['cause']): AgendaEntry[] {
  const index = agenda.entries.map((e) => e.case).lastIndexOf(caseId);
  return agenda.entries.map((e, i) => {
    if (i !== index) return e;
    const next: AgendaEntry = { ...e, flag };
    delete next.note;
    delete next.cause;
    if (note) next.note = note;
    if (cause) next.cause = cause;
    return next;
  });
}
