/**
 * A FHIR date, dateTime or instant as the half-open interval [low, high) it stands for:
 * '2024' covers the whole year, '2024-03-05' the whole day (UTC when no zone is given).
 */
export function dateRange(value: string): { low: string; high: string } | undefined {
  const m = /^(\d{4})(?:-(\d{2})(?:-(\d{2})(?:T(\d{2}):(\d{2})(?::(\d{2})(\.\d+)?)?(Z|[+-]\d{2}:\d{2})?)?)?)?$/.exec(value.trim());
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y);
  if (!isRealDate(year, mo, d, h, mi, s)) return undefined;
  if (!mo) return { low: iso(Date.UTC(year, 0, 1)), high: iso(Date.UTC(year + 1, 0, 1)) };
  const month = Number(mo) - 1;
  if (!d) return { low: iso(Date.UTC(year, month, 1)), high: iso(Date.UTC(year, month + 1, 1)) };
  const day = Number(d);
  if (!h) return { low: iso(Date.UTC(year, month, day)), high: iso(Date.UTC(year, month, day + 1)) };
  const offsetMinutes = zoneOffsetMinutes(zone);
  const base = Date.UTC(year, month, day, Number(h), Number(mi)) - offsetMinutes * 60_000;
  if (s === undefined) return { low: iso(base), high: iso(base + 60_000) };
  const ms = frac ? Math.round(Number(frac) * 1000) : 0;
  const start = base + Number(s) * 1000 + ms;
  // Seconds precision covers the whole second; milliseconds one millisecond.
  return { low: iso(start), high: iso(start + (frac ? 1 : 1000)) };
}

function isRealDate(year: number, mo?: string, d?: string, h?: string, mi?: string, s?: string): boolean {
  if (mo && (Number(mo) < 1 || Number(mo) > 12)) return false;
  if (d && (Number(d) < 1 || Number(d) > new Date(Date.UTC(year, Number(mo), 0)).getUTCDate())) return false;
  if (h && (Number(h) > 23 || Number(mi) > 59)) return false;
  return !(s && Number(s) > 59);
}

function zoneOffsetMinutes(zone: string | undefined): number {
  if (!zone || zone === 'Z') return 0;
  const sign = zone.startsWith('-') ? -1 : 1;
  const [hh, mm] = zone.slice(1).split(':').map(Number);
  return sign * (hh * 60 + mm);
}

/** The end of year 9999: past it toISOString writes '+010000-…', which PostgreSQL does not read. */
const LAST_INSTANT = Date.UTC(9999, 11, 31, 23, 59, 59, 999);

function iso(ms: number): string {
  return new Date(Math.min(ms, LAST_INSTANT)).toISOString();
}
