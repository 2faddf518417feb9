import type { Appointment, AppointmentParticipant, List, ListEntry } from '@medplum/fhirtypes';
import {
  ACTIVE_AGENDA_FLAGS, AGENDA_FLAGS, EXT, R38_SPECIALTY_SYSTEM, RCP_AGENDA_CODE, RCP_AGENDA_ID_SYSTEM, RCP_CATEGORY, RCP_CODE_SYSTEM,
  RCP_SESSION_ID_SYSTEM, RCP_SESSION_TYPE, code, type AgendaFlag,
} from './codes.ts';
import { compact, defined, ext, exts, idFrom, reference, versionOf } from './fhir-helpers.ts';
import type { Attendance, AttendanceMode } from './quorum.ts';
import { type PlannedOccurrence } from './recurrence.ts';
import { SESSION_STATUS, sessionStateOf, type SessionState } from './transitions.ts';
import type { Board } from './board-model.ts';
import { meetingDateTime } from '../fhir-kit/french-dates.ts';

export interface Session {
  id: string;
  version: string;
  boardId: string;
  boardName?: string;
  /** Stable occurrence key (see recurrence.ts). */
  occurrence: string;
  state: SessionState;
  start: string;
  end: string;
  place?: string;
  videoLink?: string;
  override?: 'moved' | 'extra';
  overrideReason?: string;
  originalStart?: string;
  /** When the session was moved (its registrations were open under the planned date until then). */
  movedAt?: string;
  /** When the session was actually opened. */
  startedAt?: string;
  cancellationReason?: string;
  attendance: Attendance[];
}

export interface AgendaEntry {
  /** Case id (Task). */
  case: string;
  flag: AgendaFlag;
  /** For a case that left (carried over): what had happened to it in this session (quorum not reached, postponed). */
  cause?: AgendaFlag;
  /** How the case came onto this agenda. */
  origin?: 'registration' | 'carried-over' | 'moved';
  addedAt: string;
  note?: string;
}

export interface Agenda {
  id: string;
  version: string;
  sessionId: string;
  entries: AgendaEntry[];
  /** Snapshot of a closed or cancelled session: no longer editable. */
  frozen: boolean;
}

// --- Session ↔ Appointment ------------------------------------------------------------------

export function newSessionResource(board: Board, occurrence: PlannedOccurrence): Appointment {
  return compact({
    resourceType: 'Appointment',
    extension: [
      { url: EXT.sessionOccurrence, valueString: occurrence.key },
      ...(occurrence.override ? [overrideExtension(occurrence)] : []),
      ...((occurrence.place ?? board.place) ? [{ url: EXT.sessionPlace, valueString: occurrence.place ?? board.place }] : []),
      ...((occurrence.videoLink ?? board.videoLink) ? [{ url: EXT.sessionVideoLink, valueUrl: occurrence.videoLink ?? board.videoLink }] : []),
    ],
    identifier: [{ system: RCP_SESSION_ID_SYSTEM, value: `${board.id}/${occurrence.key}` }],
    status: SESSION_STATUS.planned,
    serviceCategory: [{ coding: [RCP_CATEGORY] }],
    serviceType: [{ coding: [RCP_SESSION_TYPE] }],
    specialty: board.quorum.relevantSpecialities.length
      ? board.quorum.relevantSpecialities.map((s) => ({ coding: [compact({ system: R38_SPECIALTY_SYSTEM, code: s.code, display: s.display })] }))
      : undefined,
    description: `${board.name} — ${meetingDateTime(occurrence.start)}`,
    start: occurrence.start.toISOString(),
    end: occurrence.end.toISOString(),
    minutesDuration: Math.round((occurrence.end.getTime() - occurrence.start.getTime()) / 60_000),
    participant: [boardParticipant(board)],
  }) as Appointment;
}

/** `movedAt`: when an existing session is moved (not given for a session created at its moved date). */
export function overrideExtension(occurrence: PlannedOccurrence, movedAt?: Date) {
  return {
    url: EXT.sessionOverride,
    extension: [
      { url: 'kind', valueCode: occurrence.override },
      ...(occurrence.originalStart ? [{ url: 'originalStart', valueDateTime: occurrence.originalStart.toISOString() }] : []),
      ...(movedAt ? [{ url: 'movedAt', valueDateTime: movedAt.toISOString() }] : []),
      ...(occurrence.reason ? [{ url: 'reason', valueString: occurrence.reason }] : []),
    ],
  };
}

function boardParticipant(board: Board): AppointmentParticipant {
  return { actor: reference('HealthcareService', board.id, board.name), required: 'required', status: 'accepted' };
}

export function sessionFromFhir(a: Appointment): Session {
  const override = ext(a, EXT.sessionOverride);
  const sub = (url: string) => override?.extension?.find((e) => e.url === url);
  const boardRef = a.participant.find((p) => idFrom(p.actor, 'HealthcareService'))?.actor;
  return defined({
    id: a.id!,
    version: versionOf(a),
    boardId: idFrom(boardRef, 'HealthcareService') ?? '',
    boardName: boardRef?.display,
    occurrence: ext(a, EXT.sessionOccurrence)?.valueString ?? '',
    state: sessionStateOf(a.status),
    start: a.start ?? '',
    end: a.end ?? '',
    place: ext(a, EXT.sessionPlace)?.valueString,
    videoLink: ext(a, EXT.sessionVideoLink)?.valueUrl,
    override: sub('kind')?.valueCode as Session['override'],
    overrideReason: sub('reason')?.valueString,
    originalStart: sub('originalStart')?.valueDateTime,
    movedAt: sub('movedAt')?.valueDateTime,
    startedAt: ext(a, EXT.sessionStartedAt)?.valueDateTime,
    cancellationReason: a.cancelationReason?.text,
    attendance: attendanceFromFhir(a),
  });
}

export function attendanceFromFhir(a: Appointment): Attendance[] {
  return a.participant
    .filter((p) => idFrom(p.actor, 'Practitioner') && ext(p, EXT.attendanceMode))
    .map((p) => {
      const speciality = ext(p, EXT.attendanceSpeciality)?.valueCoding;
      const cases = exts(p, EXT.attendanceCase).map((e) => idFrom(e.valueReference, 'Task')).filter((x): x is string => Boolean(x));
      return defined({
        practitioner: `Practitioner/${idFrom(p.actor, 'Practitioner')}`,
        display: p.actor?.display,
        speciality: speciality?.code ? defined({ code: speciality.code, display: speciality.display }) : undefined,
        mode: ext(p, EXT.attendanceMode)!.valueCode as AttendanceMode,
        cases: cases.length ? cases : undefined,
      });
    });
}

/** The Appointment with its attendance replaced (the board participant stays first). */
export function withAttendance(a: Appointment, attendance: Attendance[]): Appointment {
  const others = a.participant.filter((p) => !(idFrom(p.actor, 'Practitioner') && ext(p, EXT.attendanceMode)));
  const participants: AppointmentParticipant[] = attendance.map((x) => ({
    extension: [
      { url: EXT.attendanceMode, valueCode: x.mode },
      ...(x.speciality ? [{ url: EXT.attendanceSpeciality, valueCoding: compact({ system: R38_SPECIALTY_SYSTEM, code: x.speciality.code, display: x.speciality.display }) }] : []),
      ...(x.cases ?? []).map((c) => ({ url: EXT.attendanceCase, valueReference: reference('Task', c) })),
    ],
    type: [{ coding: [code(`attendance-${x.mode}`, ATTENDANCE_LABEL[x.mode])] }],
    actor: compact({ reference: x.practitioner, display: x.display }),
    required: 'optional',
    status: 'accepted',
  }));
  return { ...a, participant: [...others, ...participants] };
}

export const ATTENDANCE_LABEL: Record<AttendanceMode, string> = {
  present: 'Présent',
  remote: 'À distance (visioconférence)',
  'written-opinion': 'Avis écrit',
};

export function isRcpSession(a: Appointment | undefined): boolean {
  return Boolean(a?.identifier?.some((i) => i.system === RCP_SESSION_ID_SYSTEM));
}

// --- Agenda ↔ List -------------------------------------------------------------------------

export function newAgendaResource(session: Session, boardName: string | undefined, now: Date): List {
  return {
    resourceType: 'List',
    identifier: [{ system: RCP_AGENDA_ID_SYSTEM, value: session.id }],
    status: 'current',
    mode: 'working',
    title: `Ordre du jour — ${boardName ?? 'RCP'} — ${meetingDateTime(session.start)}`,
    code: { coding: [RCP_AGENDA_CODE] },
    date: now.toISOString(),
    orderedBy: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-order', code: 'user', display: 'Sorted by User' }] },
  };
}

export function agendaFromFhir(list: List): Agenda {
  return {
    id: list.id!,
    version: versionOf(list),
    sessionId: list.identifier?.find((i) => i.system === RCP_AGENDA_ID_SYSTEM)?.value ?? '',
    frozen: list.status === 'retired',
    entries: (list.entry ?? []).map((e) => {
      const codes = (e.flag?.coding ?? []).filter((c) => c.system === RCP_CODE_SYSTEM).map((c) => c.code as AgendaFlag);
      const flag = codes[0] ?? 'scheduled';
      return defined({
        case: idFrom(e.item, 'Task') ?? '',
        flag,
        cause: codes[1],
        origin: ext(e, EXT.agendaOrigin)?.valueCode as AgendaEntry['origin'],
        addedAt: e.date ?? '',
        note: e.flag?.text && e.flag.text !== AGENDA_FLAGS[flag] ? e.flag.text : undefined,
      });
    }),
  };
}

export function agendaEntriesToFhir(entries: AgendaEntry[]): ListEntry[] {
  return entries.map((e) => ({
    ...(e.origin ? { extension: [{ url: EXT.agendaOrigin, valueCode: e.origin }] } : {}),
    flag: { coding: [code(e.flag, AGENDA_FLAGS[e.flag]), ...(e.cause ? [code(e.cause, AGENDA_FLAGS[e.cause])] : [])], text: e.note ?? AGENDA_FLAGS[e.flag] },
    date: e.addedAt,
    item: reference('Task', e.case),
  }));
}

export function activeEntries(agenda: Agenda | undefined): AgendaEntry[] {
  return (agenda?.entries ?? []).filter((e) => ACTIVE_AGENDA_FLAGS.includes(e.flag));
}

export function isAgenda(list: List | undefined): boolean {
  return Boolean(list?.code?.coding?.some((c) => c.system === RCP_AGENDA_CODE.system && c.code === RCP_AGENDA_CODE.code));
}
