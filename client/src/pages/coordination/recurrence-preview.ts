import { rrulestr } from 'rrule';

/**
 * The next dates of a recurrence, for the preview under the form (the server generates the real
 * sessions with the same library). rrule computes in UTC: the dates are "floating" (UTC fields =
 * Paris wall clock), so only the calendar date is taken from each occurrence.
 */
export function nextDates(rrule: string, from: string, count: number, startTime = '12:00'): string[] {
  if (!/^\d{4}-\d{2}-\d{2}$/.test(from) || !rrule) return [];
  try {
    const [h, m] = startTime.split(':').map(Number);
    const [y, mo, d] = from.split('-').map(Number) as [number, number, number];
    const dtstart = new Date(Date.UTC(y, mo - 1, d, h || 0, m || 0));
    const rule = rrulestr(`RRULE:${rrule.replace(/^RRULE:/i, '')}`, { dtstart });
    return rule.all((_, i) => i < count).map((date) => date.toISOString().slice(0, 10));
  } catch {
    return [];
  }
}
