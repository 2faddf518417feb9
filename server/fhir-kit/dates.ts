/**
 * Calendar arithmetic on FHIR dates (YYYY-MM-DD), without time zones: a consultation "on 31 August"
 * is a day, not an instant, so no Date object in local time ever shifts it by one.
 */

const DATE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function isIsoDate(value: unknown): value is string {
  if (typeof value !== 'string') return false;
  const m = DATE.exec(value);
  if (!m) return false;
  const [y, mo, d] = [Number(m[1]), Number(m[2]), Number(m[3])];
  return mo >= 1 && mo <= 12 && d >= 1 && d <= daysInMonth(y, mo);
}

export function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(year: number, month: number): number {
  return [31, isLeapYear(year) ? 29 : 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31][month - 1]!;
}

function parts(date: string): [number, number, number] {
  const m = DATE.exec(date);
  if (!m || !isIsoDate(date)) throw new RangeError(`not a YYYY-MM-DD date: ${JSON.stringify(date)}`);
  return [Number(m[1]), Number(m[2]), Number(m[3])];
}

function format(y: number, m: number, d: number): string {
  return `${String(y).padStart(4, '0')}-${String(m).padStart(2, '0')}-${String(d).padStart(2, '0')}`;
}

/**
 * Adds calendar months; a day that does not exist in the target month becomes that month's last
 * day (31 August + 6 months = 28 or 29 February). Always computed from the same origin, so a
 * series does not drift (31 August + 12 months is 31 August again, not 28).
 */
export function addMonths(date: string, months: number): string {
  const [y, m, d] = parts(date);
  const index = y * 12 + (m - 1) + months;
  const year = Math.floor(index / 12);
  const month = (index % 12) + 1;
  return format(year, month, Math.min(d, daysInMonth(year, month)));
}

export function addDays(date: string, days: number): string {
  const [y, m, d] = parts(date);
  const t = Date.UTC(y, m - 1, d) + days * 86_400_000;
  const u = new Date(t);
  return format(u.getUTCFullYear(), u.getUTCMonth() + 1, u.getUTCDate());
}

/** The date part of an ISO date or dateTime (the calendar day as written, no time-zone shift). */
export function datePart(value: string): string {
  return value.slice(0, 10);
}

export function compareDates(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
