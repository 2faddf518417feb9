import type { Appointment, CareTeam, Practitioner, Task } from '@medplum/fhirtypes';
import ical, { ICalEventStatus } from 'ical-generator';
import { listBoards, loadBoard } from './boards.ts';
import { practitionerName, type Board } from './board-model.ts';
import { RCP_BOARD_MEMBERS_SYSTEM, RCP_CASE_CODE, RCP_SESSION_TYPE } from './codes.ts';
import { type RcpContext } from './fhir-helpers.ts';
import { sessionFromFhir, type Session } from './session-model.ts';
import { listSessions, registrationDeadline } from './sessions.ts';
import { meetingDateTime } from '../fhir-kit/french-dates.ts';

/**
 * iCalendar feeds (RFC 5545, ical-generator): a board's sessions, and a professional's sessions
 * (boards they sit on, sessions they attended or present a case at). Times in UTC; a cancelled
 * session stays in the feed as CANCELLED so calendars remove it; SEQUENCE follows the version.
 */
const PAST_DAYS = 90;

function calendar(name: string) {
  return ical({ name, prodId: { company: 'DCC PACA', product: 'RCP', language: 'FR' }, ttl: 3600 });
}

function addSession(cal: ReturnType<typeof ical>, session: Session, board: Board | undefined): void {
  const summary = `${session.state === 'cancelled' ? 'ANNULÉE — ' : ''}${board?.name ?? session.boardName ?? 'RCP'}`;
  const lines = [
    `Séance de ${board?.name ?? session.boardName ?? 'RCP'} — ${meetingDateTime(session.start)}`,
    ...(session.place ? [`Lieu : ${session.place}`] : []),
    ...(session.videoLink ? [`Visioconférence : ${session.videoLink}`] : []),
    ...(board && session.state === 'planned' ? [`Inscriptions jusqu'au ${meetingDateTime(registrationDeadline(session, board))}`] : []),
    ...(session.cancellationReason ? [`Annulée : ${session.cancellationReason}`] : []),
    ...(session.override === 'moved' && session.originalStart ? [`Déplacée (prévue initialement le ${meetingDateTime(session.originalStart)})`] : []),
  ];
  cal.createEvent({
    id: `rcp-session-${session.id}@dcc-paca.example`,
    start: new Date(session.start),
    end: new Date(session.end),
    summary,
    description: lines.join('\n'),
    ...(session.place ? { location: session.place } : {}),
    ...(session.videoLink ? { url: session.videoLink } : {}),
    status: session.state === 'cancelled' ? ICalEventStatus.CANCELLED : ICalEventStatus.CONFIRMED,
    sequence: Number(session.version) || 0,
  });
}

export async function boardCalendar(rc: RcpContext, boardId: string): Promise<string> {
  const { board } = await loadBoard(rc, boardId);
  const cal = calendar(board.name);
  const from = new Date(rc.now.getTime() - PAST_DAYS * 86_400_000).toISOString();
  for (const session of await listSessions(rc, board.id, { from })) addSession(cal, session, board);
  return cal.toString();
}

export async function practitionerCalendar(rc: RcpContext, practitionerId: string): Promise<string> {
  const who = `Practitioner/${practitionerId}`;
  const from = new Date(rc.now.getTime() - PAST_DAYS * 86_400_000).toISOString();
  const sessions = new Map<string, Session>();
  const boards = new Map<string, Board>();
  // Boards the professional sits on.
  const teams = await rc.repo.searchAll<CareTeam>('CareTeam', { participant: who, identifier: `${RCP_BOARD_MEMBERS_SYSTEM}|` }, { max: 200 });
  const memberOf = teams.map((t) => t.identifier?.find((i) => i.system === RCP_BOARD_MEMBERS_SYSTEM)?.value).filter((x): x is string => Boolean(x));
  for (const board of memberOf.length ? await listBoards(rc) : []) {
    if (!memberOf.includes(board.id)) continue;
    boards.set(board.id, board);
    for (const s of await listSessions(rc, board.id, { from })) sessions.set(s.id, s);
  }
  // Sessions they attended (or sent a written opinion to).
  for (const a of await rc.repo.searchAll<Appointment>('Appointment', { practitioner: who, 'service-type': `${RCP_SESSION_TYPE.system}|${RCP_SESSION_TYPE.code}`, date: `ge${from}` }, { max: 500 })) {
    sessions.set(a.id!, sessionFromFhir(a));
  }
  // Sessions where a case they registered is on the agenda.
  const tasks = await rc.repo.searchAll<Task>('Task', { requester: who, code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`, status: 'requested,accepted' }, { max: 500 });
  for (const t of tasks) {
    const sessionId = t.groupIdentifier?.value;
    if (!sessionId || sessions.has(sessionId)) continue;
    const a = await rc.repo.readIfExists<Appointment>('Appointment', sessionId);
    if (a) sessions.set(a.id!, sessionFromFhir(a));
  }
  // The feed is named for the professional (a calendar app shows this title), never by an id.
  const practitioner = await rc.repo.readIfExists<Practitioner>('Practitioner', practitionerId);
  const name = practitioner ? practitionerName(practitioner) : rc.ctx.principal.practitionerId === practitionerId ? rc.ctx.principal.displayName : 'professionnel';
  const cal = calendar(`RCP — ${name}`);
  for (const s of [...sessions.values()].sort((a, b) => a.start.localeCompare(b.start))) {
    let board = boards.get(s.boardId);
    if (!board && s.boardId) {
      try {
        board = (await loadBoard(rc, s.boardId)).board;
        boards.set(board.id, board);
      } catch {
        board = undefined;
      }
    }
    addSession(cal, s, board);
  }
  return cal.toString();
}
