/**
 * Dates as a French reader sees them, one formatter per kind of date, on Intl (fr-FR). Instants
 * are shown in Paris time; a FHIR date (a calendar day, '2026-03-14') is shown as written, never
 * shifted by a time zone. The Intl.DateTimeFormat instances are built once: they are costly.
 */
import { datePart, isIsoDate } from './dates.ts';

/** The time zone of every instant shown to a reader (boards, mails, printed documents). */
export const PARIS_TIME_ZONE = 'Europe/Paris';

// Calendar days are formatted at UTC midnight in UTC, so no zone moves them to the day before.
const LONG_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', day: 'numeric', month: 'long', year: 'numeric' });
const LONG_MONTH = new Intl.DateTimeFormat('fr-FR', { timeZone: 'UTC', month: 'long', year: 'numeric' });
const PARIS_NUMERIC_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS_TIME_ZONE, day: '2-digit', month: '2-digit', year: 'numeric' });
const PARIS_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS_TIME_ZONE, hour: '2-digit', minute: '2-digit' });
const PARIS_WEEKDAY_DAY = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS_TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric' });
const PARIS_WEEKDAY_DAY_TIME = new Intl.DateTimeFormat('fr-FR', { timeZone: PARIS_TIME_ZONE, weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit' });
const PARIS_ISO_DAY = new Intl.DateTimeFormat('en-CA', { timeZone: PARIS_TIME_ZONE, year: 'numeric', month: '2-digit', day: '2-digit' });

const YEAR = /^\d{4}$/;
const YEAR_MONTH = /^(\d{4})-(\d{2})$/;
const NUMERIC = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

/**
 * "14 mars 2026", "1er mars 2026", "mars 2026", "2026" (the day as written in the date, whatever
 * the server's time zone); '' for none; anything unreadable is returned as it came.
 */
export function longDate(value: string | undefined): string {
  if (!value) return '';
  if (YEAR.test(value)) return value;
  const month = YEAR_MONTH.exec(value);
  if (month) return Number(month[2]) >= 1 && Number(month[2]) <= 12 ? LONG_MONTH.format(Date.UTC(Number(month[1]), Number(month[2]) - 1, 1)) : value;
  const day = datePart(value);
  if (!isIsoDate(day)) return value;
  const [y, m, d] = day.split('-').map(Number);
  // French writes the first of the month as an ordinal: "1er mars".
  return LONG_DAY.formatToParts(Date.UTC(y!, m! - 1, d!)).map((p) => (p.type === 'day' && d === 1 ? '1er' : p.value)).join('');
}

/** "mardi 13 janvier 2026" (Paris day of an instant), for messages about a meeting. */
export function weekdayDate(instant: Date | string): string {
  return PARIS_WEEKDAY_DAY.format(new Date(instant));
}

/** "mardi 13 janvier 2026 à 14:00" (Paris time), for messages a clinician reads about a meeting. */
export function meetingDateTime(instant: Date | string): string {
  return PARIS_WEEKDAY_DAY_TIME.format(new Date(instant));
}

/** "14:05" (Paris time). */
export function clockTime(instant: Date | string): string {
  return PARIS_TIME.format(new Date(instant));
}

/** "14 h 05" (Paris time): the hour as printed in French documents. */
export function printedTime(instant: Date | string): string {
  return clockTime(instant).replace(':', ' h ');
}

/**
 * '2025-09-12' → '12/09/2025', '2019-03' → '03/2019', '1978' → '1978' (as written); a date-time →
 * its Paris day; '' for none; anything unreadable is returned as it came.
 */
export function numericDate(value: string | undefined): string {
  return numericDateAnd(value, () => '');
}

/** numericDate, with a date-time's Paris time in the printed form: '12/09/2025 à 14 h 05'. */
export function printedDateTime(value: string | undefined): string {
  return numericDateAnd(value, (at) => ` à ${printedTime(at)}`);
}

/** numericDate, with a date-time's Paris time in the clock form: '12/09/2025 à 14:05' (mails). */
export function numericDateTime(value: string | undefined): string {
  return numericDateAnd(value, (at) => ` à ${clockTime(at)}`);
}

function numericDateAnd(value: string | undefined, time: (at: Date) => string): string {
  if (!value) return '';
  const m = NUMERIC.exec(value);
  if (m) return [m[3], m[2], m[1]].filter(Boolean).join('/');
  const at = new Date(value);
  if (Number.isNaN(at.getTime())) return value;
  return PARIS_NUMERIC_DAY.format(at) + time(at);
}

/** "Today" in France as YYYY-MM-DD: the calendar day against which due dates are compared. */
export function parisDay(now: Date): string {
  return PARIS_ISO_DAY.format(now);
}

/**
 * The one wording of a date refused for being in the future: "La date du diagnostic (1er janvier
 * 2031) est dans le futur : <advice>". The date as a French reader writes it — the diagnosis rule
 * showed it as stored ("(2031-01-01)") — and an instant's Paris day.
 */
export function futureDateMessage(label: string, value: string, advice?: string): string {
  const day = value.includes('T') && !Number.isNaN(Date.parse(value)) ? parisDay(new Date(value)) : value;
  return `${label} (${longDate(day)}) est dans le futur${advice ? ` : ${advice}` : ''}`;
}

/**
 * The one check of a clinical date against the patient's birth, beside every future-date check: the
 * message ("La date du diagnostic (2 janvier 1955) précède la naissance du patient (5 mai 1960) :
 * …"), or undefined when the date may be right. Dates compare at their common precision (a
 * diagnosis of « 1960 » for a birth on 5 May 1960 may be right); an instant counts as its Paris day.
 */
export function beforeBirthMessage(label: string, value: string, birthDate: string | undefined, advice = "vérifiez l'année saisie"): string | undefined {
  if (!birthDate || !/^\d{4}(-\d{2}(-\d{2})?)?$/.test(birthDate)) return undefined;
  const day = value.includes('T') && !Number.isNaN(Date.parse(value)) ? parisDay(new Date(value)) : value;
  if (!/^\d{4}(-\d{2}(-\d{2})?)?$/.test(day)) return undefined;
  const n = Math.min(day.length, birthDate.length);
  if (day.slice(0, n) >= birthDate.slice(0, n)) return undefined;
  return `${label} (${longDate(day)}) précède la naissance du patient (${longDate(birthDate)}) : ${advice}`;
}


/**
 * The calendar day a French reader gives a FHIR date or instant: a date as written, an instant's
 * Paris day — '2026-12-07T23:58:10Z' is 8 December in France, not the 7th its UTC text starts with.
 */
export function dayOf(value: string): string {
  return value.includes('T') && !Number.isNaN(Date.parse(value)) ? parisDay(new Date(value)) : datePart(value);
}

/** longDate of dayOf: "8 décembre 2026" for '2026-12-07T23:58:10Z'; '' for none. */
export function longDay(value: string | undefined): string {
  return value ? longDate(dayOf(value)) : '';
}
