import rrulePkg from 'rrule';
import { PARIS_TIME_ZONE } from '../fhir-kit/french-dates.ts';

// rrule ships CommonJS: Node's ESM loader exposes only its default export.
const { rrulestr, Frequency } = rrulePkg;

/**
 * Board recurrence in the board's time zone (Europe/Paris): an RRULE over local wall-clock times,
 * plus date overrides (holiday, moved, extra) — the cal.com "schedule + date overrides" model.
 *
 * rrule computes in UTC; we give it "floating" dates (UTC fields = Paris wall clock) and convert
 * each occurrence to a real instant afterwards, so 14:00 stays 14:00 across summer time.
 */
export const DEFAULT_TIME_ZONE = PARIS_TIME_ZONE;

export interface BoardSchedule {
  /** e.g. `FREQ=MONTHLY;BYDAY=+2TU,+4TU` (2nd and 4th Tuesday). No DTSTART: `from` gives it. */
  rrule: string;
  /** Local times, HH:mm. */
  startTime: string;
  endTime: string;
  /** First day the rule applies (local date, YYYY-MM-DD). */
  from: string;
  until?: string;
  timeZone: string;
}

export type OverrideKind = 'holiday' | 'moved' | 'extra';

export interface DateOverride {
  /** Local date of the session concerned (holiday, moved) or of the extra session. */
  date: string;
  kind: OverrideKind;
  /** moved: new local date (defaults to `date`). */
  newDate?: string;
  /** moved / extra: local times (default: the schedule's). */
  startTime?: string;
  endTime?: string;
  reason?: string;
  place?: string;
  videoLink?: string;
}

export interface PlannedOccurrence {
  /** Stable key of the occurrence: the original local date-time (`2026-01-13T14:00`) or `extra-…`. */
  key: string;
  start: Date;
  end: Date;
  override?: 'moved' | 'extra';
  originalStart?: Date;
  reason?: string;
  place?: string;
  videoLink?: string;
}

export interface CancelledOccurrence {
  key: string;
  start: Date;
  reason: string;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;
const TIME = /^([01]\d|2[0-3]):[0-5]\d$/;

/** What is wrong with a schedule and its overrides, in French, with the field path. */
export function scheduleProblems(schedule: BoardSchedule | undefined, overrides: DateOverride[]): { text: string; expression: string[] }[] {
  const problems: { text: string; expression: string[] }[] = [];
  if (schedule) {
    if (!TIME.test(schedule.startTime)) problems.push({ text: `Heure de début invalide : '${schedule.startTime}' (attendu HH:mm, ex. 14:00)`, expression: ['schedule.startTime'] });
    if (!TIME.test(schedule.endTime)) problems.push({ text: `Heure de fin invalide : '${schedule.endTime}' (attendu HH:mm, ex. 16:00)`, expression: ['schedule.endTime'] });
    if (TIME.test(schedule.startTime) && TIME.test(schedule.endTime) && schedule.endTime <= schedule.startTime) {
      problems.push({ text: `La séance doit finir après son début (${schedule.startTime}–${schedule.endTime})`, expression: ['schedule.endTime'] });
    }
    if (!isDate(schedule.from)) problems.push({ text: `Date de début de la récurrence invalide : '${schedule.from}' (attendu AAAA-MM-JJ)`, expression: ['schedule.from'] });
    if (schedule.until !== undefined && !isDate(schedule.until)) problems.push({ text: `Date de fin de la récurrence invalide : '${schedule.until}'`, expression: ['schedule.until'] });
    if (!isTimeZone(schedule.timeZone)) problems.push({ text: `Fuseau horaire inconnu : '${schedule.timeZone}' (ex. Europe/Paris)`, expression: ['schedule.timeZone'] });
    const ruleProblem = rruleProblem(schedule.rrule);
    if (ruleProblem) problems.push({ text: ruleProblem, expression: ['schedule.rrule'] });
  }
  const scheduleOk = problems.length === 0;
  overrides.forEach((o, i) => {
    const at = (field: string) => [`overrides[${i}].${field}`];
    if (!isDate(o.date)) problems.push({ text: `Date invalide : '${o.date}' (attendu AAAA-MM-JJ)`, expression: at('date') });
    if (!['holiday', 'moved', 'extra'].includes(o.kind)) problems.push({ text: `Type d'exception inconnu : '${o.kind}' (holiday, moved ou extra)`, expression: at('kind') });
    if (o.newDate !== undefined && !isDate(o.newDate)) problems.push({ text: `Nouvelle date invalide : '${o.newDate}'`, expression: at('newDate') });
    for (const f of ['startTime', 'endTime'] as const) {
      if (o[f] !== undefined && !TIME.test(o[f]!)) problems.push({ text: `Heure invalide : '${o[f]}' (attendu HH:mm)`, expression: at(f) });
    }
    if (o.kind === 'extra' && (!o.startTime || !o.endTime) && !schedule) {
      problems.push({ text: 'Une séance supplémentaire sans récurrence doit préciser ses heures de début et de fin', expression: at('startTime') });
    }
    const start = o.startTime ?? schedule?.startTime;
    const end = o.endTime ?? schedule?.endTime;
    if (start && end && TIME.test(start) && TIME.test(end) && end <= start) problems.push({ text: `La séance doit finir après son début (${start}–${end})`, expression: at('endTime') });
    if ((o.kind === 'holiday' || o.kind === 'moved') && isDate(o.date) && (!schedule || scheduleOk)) {
      if (!schedule || !regularOccurrencesOn(schedule, o.date).length) {
        problems.push({ text: `Aucune séance prévue par la récurrence le ${o.date} : rien à ${o.kind === 'holiday' ? 'annuler' : 'déplacer'}`, expression: at('date') });
      }
    }
  });
  const seen = new Set<string>();
  overrides.forEach((o, i) => {
    if (o.kind === 'extra') return;
    if (seen.has(o.date)) problems.push({ text: `Deux exceptions pour la même séance du ${o.date}`, expression: [`overrides[${i}].date`] });
    seen.add(o.date);
  });
  return problems;
}

/** Sessions (and cancelled occurrences) whose start falls in [from, to). */
export function occurrencesBetween(schedule: BoardSchedule | undefined, overrides: DateOverride[], from: Date, to: Date): { sessions: PlannedOccurrence[]; cancelled: CancelledOccurrence[] } {
  const timeZone = schedule?.timeZone ?? DEFAULT_TIME_ZONE;
  const byDate = new Map(overrides.filter((o) => o.kind !== 'extra').map((o) => [o.date, o]));
  const sessions: PlannedOccurrence[] = [];
  const cancelled: CancelledOccurrence[] = [];
  const inRange = (d: Date) => d >= from && d < to;

  if (schedule) {
    // Floating window widened by a day each side: the zone offset is at most ±14 h.
    const floatingFrom = new Date(floatingOf(from, timeZone).getTime() - 86_400_000);
    const floatingTo = new Date(floatingOf(to, timeZone).getTime() + 86_400_000);
    for (const floating of expand(schedule, floatingFrom, floatingTo)) {
      const date = floating.toISOString().slice(0, 10);
      const time = floating.toISOString().slice(11, 16);
      const key = `${date}T${time}`;
      const start = zonedTimeToInstant(date, time, timeZone);
      const end = zonedTimeToInstant(date, schedule.endTime, timeZone);
      const override = byDate.get(date);
      if (override?.kind === 'holiday') {
        if (inRange(start)) cancelled.push({ key, start, reason: override.reason ?? 'Jour férié ou fermeture' });
        continue;
      }
      if (override?.kind === 'moved') continue; // placed below, at its new time
      if (inRange(start)) sessions.push({ key, start, end });
    }
    // A moved session keeps the key of its original occurrence; it counts where it now takes place.
    for (const o of overrides.filter((x) => x.kind === 'moved')) {
      const original = regularOccurrencesOn(schedule, o.date)[0];
      if (!original) continue;
      const newDate = o.newDate ?? o.date;
      const start = zonedTimeToInstant(newDate, o.startTime ?? schedule.startTime, timeZone);
      const end = zonedTimeToInstant(newDate, o.endTime ?? schedule.endTime, timeZone);
      if (inRange(start)) {
        sessions.push({
          key: `${o.date}T${original}`, start, end, override: 'moved', originalStart: zonedTimeToInstant(o.date, original, timeZone),
          ...(o.reason ? { reason: o.reason } : {}), ...(o.place ? { place: o.place } : {}), ...(o.videoLink ? { videoLink: o.videoLink } : {}),
        });
      }
    }
  }
  for (const o of overrides.filter((x) => x.kind === 'extra')) {
    const startTime = o.startTime ?? schedule!.startTime;
    const start = zonedTimeToInstant(o.date, startTime, timeZone);
    const end = zonedTimeToInstant(o.date, o.endTime ?? schedule!.endTime, timeZone);
    if (inRange(start)) {
      sessions.push({
        key: `extra-${o.date}T${startTime}`, start, end, override: 'extra',
        ...(o.reason ? { reason: o.reason } : {}), ...(o.place ? { place: o.place } : {}), ...(o.videoLink ? { videoLink: o.videoLink } : {}),
      });
    }
  }
  sessions.sort((a, b) => a.start.getTime() - b.start.getTime());
  return { sessions, cancelled };
}

/** Local start times (HH:mm) of the rule's occurrences on one local date. */
function regularOccurrencesOn(schedule: BoardSchedule, date: string): string[] {
  const day = new Date(`${date}T00:00:00Z`);
  return expand(schedule, day, new Date(day.getTime() + 86_399_999)).map((d) => d.toISOString().slice(11, 16));
}

function expand(schedule: BoardSchedule, floatingFrom: Date, floatingTo: Date): Date[] {
  const [h, m] = schedule.startTime.split(':').map(Number);
  const dtstart = new Date(`${schedule.from}T00:00:00Z`);
  dtstart.setUTCHours(h!, m!);
  const rule = rrulestr(stripPrefix(schedule.rrule), { dtstart });
  const until = schedule.until ? new Date(`${schedule.until}T23:59:59Z`) : undefined;
  const end = until && until < floatingTo ? until : floatingTo;
  if (end < floatingFrom) return [];
  // Safety cap: a board has at most a few sessions a week.
  const dates: Date[] = [];
  rule.between(floatingFrom, end, true, (d: Date) => {
    dates.push(d);
    return dates.length < 1000;
  });
  return dates;
}

function rruleProblem(text: string): string | undefined {
  if (typeof text !== 'string' || !text.trim()) return 'La récurrence (RRULE) est obligatoire, ex. FREQ=MONTHLY;BYDAY=+2TU,+4TU';
  if (/DTSTART/i.test(text)) return 'La RRULE ne doit pas contenir DTSTART : la date de début est donnée par schedule.from';
  try {
    const rule = rrulestr(stripPrefix(text), { dtstart: new Date(Date.UTC(2026, 0, 1)) });
    const freq = rule.options.freq;
    if (freq === Frequency.HOURLY || freq === Frequency.MINUTELY || freq === Frequency.SECONDLY) {
      return 'Une RCP ne peut pas se réunir plusieurs fois par jour : fréquence quotidienne au plus (FREQ=DAILY, WEEKLY, MONTHLY ou YEARLY)';
    }
    if (/BY(HOUR|MINUTE|SECOND)=/i.test(text)) return "La RRULE ne doit pas fixer l'heure (BYHOUR/BYMINUTE) : utilisez startTime et endTime";
    return undefined;
  } catch (error) {
    return `RRULE illisible : '${text}' (${(error as Error).message}). Exemple : FREQ=MONTHLY;BYDAY=+2TU,+4TU`;
  }
}

function stripPrefix(text: string): string {
  return text.trim().replace(/^RRULE:/i, '');
}

function isDate(value: unknown): value is string {
  return typeof value === 'string' && DATE.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`)) && new Date(`${value}T00:00:00Z`).toISOString().startsWith(value);
}

function isTimeZone(value: unknown): boolean {
  if (typeof value !== 'string') return false;
  try {
    new Intl.DateTimeFormat('fr-FR', { timeZone: value });
    return true;
  } catch {
    return false;
  }
}

const partsFormatters = new Map<string, Intl.DateTimeFormat>();
function partsIn(instant: Date, timeZone: string): Record<string, number> {
  let f = partsFormatters.get(timeZone);
  if (!f) {
    f = new Intl.DateTimeFormat('en-US', { timeZone, hourCycle: 'h23', year: 'numeric', month: '2-digit', day: '2-digit', hour: '2-digit', minute: '2-digit', second: '2-digit' });
    partsFormatters.set(timeZone, f);
  }
  const out: Record<string, number> = {};
  for (const p of f.formatToParts(instant)) if (p.type !== 'literal') out[p.type] = Number(p.value);
  return out;
}

/** The instant's wall-clock fields in the zone, as a UTC Date ("floating"). */
function floatingOf(instant: Date, timeZone: string): Date {
  const p = partsIn(instant, timeZone);
  return new Date(Date.UTC(p.year!, p.month! - 1, p.day!, p.hour!, p.minute!, p.second!));
}

/** Local date + time in a zone → instant (a non-existent spring-forward time moves forward an hour). */
export function zonedTimeToInstant(date: string, time: string, timeZone = DEFAULT_TIME_ZONE): Date {
  const [y, mo, d] = date.split('-').map(Number);
  const [h, mi] = time.split(':').map(Number);
  const wall = Date.UTC(y!, mo! - 1, d!, h!, mi!);
  const offset = (t: number) => floatingOf(new Date(t), timeZone).getTime() - Math.floor(t / 1000) * 1000;
  let instant = wall - offset(wall);
  const second = offset(instant);
  if (wall - second !== instant) instant = wall - second;
  return new Date(instant);
}

/** Local date (YYYY-MM-DD) and time (HH:mm) of an instant in a zone. */
export function instantToZoned(instant: Date, timeZone = DEFAULT_TIME_ZONE): { date: string; time: string } {
  const iso = floatingOf(instant, timeZone).toISOString();
  return { date: iso.slice(0, 10), time: iso.slice(11, 16) };
}
