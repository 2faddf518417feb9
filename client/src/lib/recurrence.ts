/**
 * A board's recurrence as the 3C says it ("le 2e mardi du mois à 13 h") and as the server stores it
 * (an RRULE line of RFC 5545, computed by the server with the rrule library). The page offers the
 * patterns RCPs actually use — every week, every other week, the n-th (or last) weekday of the
 * month — and shows any other rule as written. No relative import: unit-tested in test/client/.
 */

export type Weekday = 'MO' | 'TU' | 'WE' | 'TH' | 'FR' | 'SA' | 'SU';
export type Frequency = 'weekly' | 'biweekly' | 'monthly';
/** 1..4: the n-th weekday of the month; -1: the last one. */
export type Rank = 1 | 2 | 3 | 4 | -1;

export interface Recurrence {
  frequency: Frequency;
  weekday: Weekday;
  rank?: Rank;
}

export const WEEKDAY_LABEL: Record<Weekday, string> = { MO: 'lundi', TU: 'mardi', WE: 'mercredi', TH: 'jeudi', FR: 'vendredi', SA: 'samedi', SU: 'dimanche' };
export const FREQUENCY_LABEL: Record<Frequency, string> = { weekly: 'Chaque semaine', biweekly: 'Une semaine sur deux', monthly: 'Chaque mois' };
export const RANK_LABEL: Record<string, string> = { '1': '1er', '2': '2e', '3': '3e', '4': '4e', '-1': 'dernier' };

/** The RRULE the server stores for a recurrence. */
export function toRrule(r: Recurrence): string {
  if (r.frequency === 'monthly') return `FREQ=MONTHLY;BYDAY=${r.rank ?? 1}${r.weekday}`;
  return `FREQ=WEEKLY;${r.frequency === 'biweekly' ? 'INTERVAL=2;' : ''}BYDAY=${r.weekday}`;
}

/** The recurrence of an RRULE, when it is one the page offers (undefined: shown as written). */
export function fromRrule(rrule: string | undefined): Recurrence | undefined {
  if (!rrule) return undefined;
  const parts = new Map(rrule.replace(/^RRULE:/i, '').split(';').filter(Boolean).map((p) => {
    const [k, v] = p.split('=');
    return [(k ?? '').toUpperCase(), (v ?? '').toUpperCase()] as const;
  }));
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYSETPOS', 'WKST']);
  if ([...parts.keys()].some((k) => !known.has(k))) return undefined;
  const byDay = parts.get('BYDAY') ?? '';
  const match = /^(-1|[1-4])?(MO|TU|WE|TH|FR|SA|SU)$/.exec(byDay);
  if (!match) return undefined;
  const weekday = match[2] as Weekday;
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (parts.get('FREQ') === 'WEEKLY' && !match[1] && !parts.has('BYSETPOS')) {
    if (interval === 1) return { frequency: 'weekly', weekday };
    if (interval === 2) return { frequency: 'biweekly', weekday };
    return undefined;
  }
  if (parts.get('FREQ') === 'MONTHLY' && interval === 1) {
    const rank = Number(match[1] ?? parts.get('BYSETPOS') ?? NaN);
    if ([1, 2, 3, 4, -1].includes(rank)) return { frequency: 'monthly', weekday, rank: rank as Rank };
  }
  return undefined;
}

/** '13:00' → '13 h'; '13:30' → '13 h 30'. */
export function frenchTime(time: string): string {
  const [h, m] = time.split(':');
  if (!h) return time;
  return `${Number(h)} h${m && m !== '00' ? ` ${m}` : ''}`;
}

/** The recurrence in French: "le 2e mardi du mois à 13 h", "chaque mardi à 13 h 30", "un mardi sur deux à 13 h". */
export function describeRecurrence(r: Recurrence, startTime?: string): string {
  const day = WEEKDAY_LABEL[r.weekday];
  const at = startTime ? ` à ${frenchTime(startTime)}` : '';
  if (r.frequency === 'weekly') return `chaque ${day}${at}`;
  if (r.frequency === 'biweekly') return `un ${day} sur deux${at}`;
  const rank = r.rank ?? 1;
  return `le ${RANK_LABEL[String(rank)]} ${day} du mois${at}`;
}

/** The French sentence for a stored RRULE, or the rule itself when the page does not offer it. */
export function describeRrule(rrule: string | undefined, startTime?: string): string {
  const r = fromRrule(rrule);
  if (r) return describeRecurrence(r, startTime);
  return rrule ? `règle personnalisée (${rrule})` : 'aucune récurrence';
}
