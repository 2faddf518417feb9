/**
 * The demo's clinical dates are written for one reference day and read relative to it: seeded on
 * another day, every clinical date moves by the same whole number of weeks, so that the diagnoses,
 * the sheets prepared before their session and the RCP workflow's sessions (computed from the seeding day) tell one story,
 * and a meeting written on a Thursday stays on a Thursday. Identity data (birth dates, INS, identity
 * validation) never moves: the NIR encodes the birth year and month.
 */
import { addDays } from '../fhir-kit/dates.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';

/** The day the demo's fixed dates were written for (a Thursday). */
export const DEMO_REFERENCE_DAY = '2025-12-04';

export interface DemoClock {
  /** Whole days (a multiple of 7) added to every clinical date. */
  days: number;
  /** The Paris day of the seeding. */
  today: string;
  /** A date (`YYYY-MM-DD`) or a Paris date-time (`YYYY-MM-DDThh:mm:ss±hh:mm`) of the reference story, moved to the seeding's. */
  shift: (value: string) => string;
}

const DAY = 86_400_000;

export function demoClock(now: Date = new Date()): DemoClock {
  const today = parisDay(now);
  const weeks = Math.floor((Date.parse(today) - Date.parse(DEMO_REFERENCE_DAY)) / (7 * DAY));
  const days = weeks * 7;
  const shift = (value: string): string => {
    const day = addDays(value.slice(0, 10), days);
    if (value.length === 10) return day;
    // A local Paris time keeps its wall-clock hour: the offset is the one of the new day (summer / winter time).
    const time = value.slice(11, 19);
    return `${day}T${time}${parisOffset(day)}`;
  };
  return { days, today, shift };
}

/** Age in whole years on a day (clinical summaries give it as of the meeting). */
export function ageOn(birthDate: string, day: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number) as [number, number, number];
  const [y, m, d] = day.split('-').map(Number) as [number, number, number];
  return y - by - (m < bm || (m === bm && d < bd) ? 1 : 0);
}

function parisOffset(day: string): string {
  const name = new Intl.DateTimeFormat('en-GB', { timeZone: 'Europe/Paris', timeZoneName: 'longOffset' })
    .formatToParts(new Date(`${day}T12:00:00Z`)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT+01:00';
  return name === 'GMT' ? '+00:00' : name.replace('GMT', '');
}
