/**
 * The state of a surveillance or care-calendar line, as the server writes it in the summary's
 * table ("réalisée", "EN RETARD", "à venir", "annulée"): shown as a coloured badge with its words
 * (never colour alone). No relative import: the mocha unit tests load this file directly.
 */
export type CalendarStatus = 'done' | 'overdue' | 'upcoming' | 'cancelled';

const STATUS_OF_TEXT: [RegExp, CalendarStatus][] = [
  [/^en retard$/i, 'overdue'],
  [/^(réalisée?|fait|faite|effectuée?)$/i, 'done'],
  [/^(à venir|prévue?|planifiée?)$/i, 'upcoming'],
  [/^annulée?$/i, 'cancelled'],
];

export const STATUS_LABEL: Record<CalendarStatus, string> = { done: 'réalisée', overdue: 'en retard', upcoming: 'à venir', cancelled: 'annulée' };
/** Dark shades: white text on them stays above 4.5:1 (WCAG AA). */
export const STATUS_COLOR: Record<CalendarStatus, string> = { done: 'teal.9', overdue: 'red.9', upcoming: 'blue.9', cancelled: 'gray.7' };

/** The status a table cell says, or undefined when the cell is not a status. */
export function calendarStatusOf(text: string): CalendarStatus | undefined {
  const t = text.trim();
  return STATUS_OF_TEXT.find(([pattern]) => pattern.test(t))?.[1];
}

/** Counts of each status in a column of cells, for the section's one-line summary. */
export function statusCounts(cells: string[]): Record<CalendarStatus, number> {
  const counts: Record<CalendarStatus, number> = { done: 0, overdue: 0, upcoming: 0, cancelled: 0 };
  for (const cell of cells) {
    const status = calendarStatusOf(cell);
    if (status) counts[status] += 1;
  }
  return counts;
}

/** "2 réalisées, 1 en retard, 3 à venir" (only the statuses present). */
export function statusSummary(counts: Record<CalendarStatus, number>): string {
  const parts: string[] = [];
  if (counts.done) parts.push(`${counts.done} réalisée${counts.done > 1 ? 's' : ''}`);
  if (counts.overdue) parts.push(`${counts.overdue} en retard`);
  if (counts.upcoming) parts.push(`${counts.upcoming} à venir`);
  if (counts.cancelled) parts.push(`${counts.cancelled} annulée${counts.cancelled > 1 ? 's' : ''}`);
  return parts.join(', ');
}
