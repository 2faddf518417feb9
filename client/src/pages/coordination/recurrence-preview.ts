import { rrulestr } from 'rrule';

/**
 * The next dates of a recurrence, for the preview under the form (the server generates the real
 * sessions with the same library). rrule computes in UTC: the dates are "floating" (UTC fields =
 * Paris wall clock), so only the calendar date is taken from each occurrence.
 *
 * "Next" means from `today` on: a board whose rule started months ago listed its first, long past
 * dates (the sessions table below starts today). The rule keeps its own start, so a fortnightly
 * rhythm stays in phase — the past occurrences are skipped, not the start moved.
 */
export function nextDates(rrule: string, from: string, count: number, startTime = '12:00', today = ''): string[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !rrule) return [];
  try {
    const [h, m] = startTime.split(':').map(Number);
    const [y, mo, d] = from.split('-').map(Number) as [number, number, number];
    const dtstart = new Date(Date.UTC(y, mo - 1, d, h || 0, m || 0));
    const rule = rrulestr(`RRULE:${rrule.replace(/^RRULE:/i, '')}`, { dtstart });
    const dates: string[] = [];
    // Bounded walk: a daily rule started years ago still ends (the preview is a hint, not the plan).
    rule.all((date, i) => {
      const day = date.toISOString().slice(0, 10);
      if (day >= today) dates.push(day);
      return dates.length < count && i < 5000;
    });
    return dates.slice(0, count);
  } catch {
    return [];
  }
}
