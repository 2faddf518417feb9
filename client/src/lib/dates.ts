/**
 * French date display, through Intl only. FHIR `date` values ('2026-03-12', '2026-03', '2026') are
 * calendar dates: shown as written, never shifted by a time zone. FHIR `dateTime`/`instant`
 * values are moments: shown in the DCC's time zone (Europe/Paris) whatever the browser's.
 * No relative import here: the mocha unit tests load this file directly.
 */

export const TIME_ZONE = 'Europe/Paris';
const LOCALE = 'fr-FR';
const DATE_ONLY = /^(\d{4})(?:-(\d{2})(?:-(\d{2}))?)?$/;

const longDate = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const shortDate = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const numericMonthYear = new Intl.DateTimeFormat(LOCALE, { month: '2-digit', year: 'numeric', timeZone: 'UTC' });
const monthYear = new Intl.DateTimeFormat(LOCALE, { month: 'long', year: 'numeric', timeZone: 'UTC' });
const momentFormat = new Intl.DateTimeFormat(LOCALE, { day: 'numeric', month: 'long', year: 'numeric', hour: '2-digit', minute: '2-digit', timeZone: TIME_ZONE });
const weekdayFormat = new Intl.DateTimeFormat(LOCALE, { weekday: 'long', day: 'numeric', month: 'long', year: 'numeric', timeZone: 'UTC' });
const relative = new Intl.RelativeTimeFormat(LOCALE, { numeric: 'auto' });
const numericMoment = new Intl.DateTimeFormat(LOCALE, { day: '2-digit', month: '2-digit', year: 'numeric', hour: '2-digit', minute: '2-digit', second: '2-digit', timeZone: TIME_ZONE });

/** Intl writes '1 mars'; French writes the first of the month as an ordinal, as the printed documents do: '1er mars'. */
function withOrdinalFirst(format: Intl.DateTimeFormat, value: number | Date): string {
  return format.formatToParts(value).map((p) => (p.type === 'day' && p.value === '1' ? '1er' : p.value)).join('');
}

/** A calendar date 'YYYY-MM-DD' (or a moment's date in Paris) → its parts; undefined when unreadable. */
export function calendarDate(value: string | undefined): { year: number; month?: number; day?: number } | undefined {
  if (!value) return undefined;
  const match = DATE_ONLY.exec(value);
  if (match) {
    return { year: Number(match[1]), ...(match[2] ? { month: Number(match[2]) } : {}), ...(match[3] ? { day: Number(match[3]) } : {}) };
  }
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return undefined;
  const [year, month, day] = parisDay(moment).split('-').map(Number) as [number, number, number];
  return { year, month, day };
}

/** '2026-03-12' → '12 mars 2026'; '2026-03-01' → '1er mars 2026'; '2026-03' → 'mars 2026'; a moment → its date in Paris. */
export function formatDate(value: string | undefined, fallback = '—'): string {
  const date = calendarDate(value);
  if (!date) return fallback;
  if (date.day === undefined) return date.month === undefined ? String(date.year) : monthYear.format(Date.UTC(date.year, date.month - 1, 1));
  return withOrdinalFirst(longDate, Date.UTC(date.year, date.month! - 1, date.day));
}

/** '2026-03-12' → '12/03/2026' (tables, narrow screens). */
export function formatShortDate(value: string | undefined, fallback = '—'): string {
  const date = calendarDate(value);
  if (!date?.day) return formatDate(value, fallback);
  return shortDate.format(Date.UTC(date.year, date.month! - 1, date.day));
}

/** '2026-03-12' → 'jeudi 12 mars 2026'. */
export function formatWeekday(value: string | undefined, fallback = '—'): string {
  const date = calendarDate(value);
  if (!date?.day) return formatDate(value, fallback);
  return withOrdinalFirst(weekdayFormat, Date.UTC(date.year, date.month! - 1, date.day));
}

/** A moment → '12 mars 2026 à 14:05' (Paris time); a date alone → formatDate. */
export function formatDateTime(value: string | undefined, fallback = '—'): string {
  if (!value) return fallback;
  if (DATE_ONLY.test(value)) return formatDate(value, fallback);
  const moment = new Date(value);
  if (Number.isNaN(moment.getTime())) return fallback;
  // ICU writes '12 mars 2026 à 14:05' (older versions: '12 mars 2026, 14:05').
  return withOrdinalFirst(momentFormat, moment).replace(/, (\d{2}:\d{2})$/, ' à $1');
}

/** A moment → '07/12/2026 19:14:31' (Paris time, to the second): for files a spreadsheet reads and sorts. */
export function formatNumericDateTime(value: string | undefined, fallback = ''): string {
  const moment = value ? new Date(value) : undefined;
  if (!moment || Number.isNaN(moment.getTime())) return fallback;
  return numericMoment.format(moment).replace(', ', ' ');
}

/** The calendar day of a moment in Paris, 'YYYY-MM-DD'. */
export function parisDay(moment: Date = new Date()): string {
  const parts = new Intl.DateTimeFormat('en-CA', { year: 'numeric', month: '2-digit', day: '2-digit', timeZone: TIME_ZONE }).formatToParts(moment);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
  return `${get('year')}-${get('month')}-${get('day')}`;
}

/** Whole days from `from` to `to` (calendar dates 'YYYY-MM-DD'); negative when `to` is before. */
export function daysBetween(from: string, to: string): number {
  const a = calendarDate(from);
  const b = calendarDate(to);
  if (!a?.day || !b?.day) return NaN;
  return Math.round((Date.UTC(b.year, b.month! - 1, b.day) - Date.UTC(a.year, a.month! - 1, a.day)) / 86_400_000);
}

/** A date relative to today, in words: "aujourd'hui", "demain", "dans 3 jours", "il y a 2 semaines". */
export function formatRelativeDay(value: string | undefined, today: string = parisDay(), fallback = '—'): string {
  if (!value) return fallback;
  const days = daysBetween(today, calendarDate(value)?.day ? dateOnly(value) : '');
  if (Number.isNaN(days)) return fallback;
  if (Math.abs(days) < 7) return relative.format(days, 'day');
  if (Math.abs(days) < 31) return relative.format(Math.trunc(days / 7), 'week');
  if (Math.abs(days) < 365) return relative.format(Math.trunc(days / 30), 'month');
  return relative.format(Math.trunc(days / 365), 'year');
}

/** Age in whole years on `today` from a birth date ('YYYY-MM-DD'). */
export function ageOn(birthDate: string | undefined, today: string = parisDay()): number | undefined {
  const birth = calendarDate(birthDate);
  const now = calendarDate(today);
  if (!birth?.day || !now?.day) return undefined;
  const hadBirthday = now.month! > birth.month! || (now.month === birth.month && now.day >= birth.day);
  return now.year - birth.year - (hadBirthday ? 0 : 1);
}

/** 'YYYY-MM-DD' of a date or of a moment (in Paris). */
export function dateOnly(value: string): string {
  const date = calendarDate(value);
  if (!date?.day) return value;
  return `${String(date.year).padStart(4, '0')}-${String(date.month).padStart(2, '0')}-${String(date.day).padStart(2, '0')}`;
}

/**
 * A FHIR partial date as a French form field shows it: '2019-03-14' → '14/03/2019', '2019-03' →
 * '03/2019', '2019' → '2019'. Anything else (a value still being typed) is shown as it is.
 */
export function partialDateInput(value: string | undefined): string {
  if (!value) return '';
  const date = DATE_ONLY.test(value) ? calendarDate(value) : undefined;
  if (!date) return value;
  if (date.month === undefined) return String(date.year);
  if (date.day === undefined) return numericMonthYear.format(Date.UTC(date.year, date.month - 1, 1));
  return shortDate.format(Date.UTC(date.year, date.month - 1, date.day));
}

/**
 * What a physician types for a date known to the year, the month or the day (JJ/MM/AAAA, MM/AAAA,
 * AAAA; '.' or '-' between the parts too) → the FHIR partial date, or undefined when it is no
 * real date (31/02/2019, 13/2019). A FHIR date typed as such is taken as it is.
 */
export function fhirPartialDate(text: string): string | undefined {
  const value = text.trim();
  const fhir = DATE_ONLY.exec(value);
  const fr = /^(?:(?:(\d{1,2})[/.-])?(\d{1,2})[/.-])?(\d{4})$/.exec(value);
  const [year, month, day] = fhir ? [fhir[1], fhir[2], fhir[3]] : fr ? [fr[3], fr[2], fr[1]] : [];
  if (!year) return undefined;
  const y = Number(year);
  if (month === undefined) return year;
  const m = Number(month);
  if (m < 1 || m > 12) return undefined;
  const mm = String(m).padStart(2, '0');
  if (day === undefined) return `${year}-${mm}`;
  const d = Number(day);
  // Date.UTC rolls 31 February over into March: a day that does not exist comes back different.
  if (d < 1 || new Date(Date.UTC(y, m - 1, d)).getUTCDate() !== d) return undefined;
  return `${year}-${mm}-${String(d).padStart(2, '0')}`;
}
