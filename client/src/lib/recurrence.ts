/**
 * A board's recurrence as the 3C says it ("le 2e mardi du mois à 13 h") and as the server stores it
 * (an RRULE line of RFC 5545, computed by the server with the rrule library). The page offers the
 * patterns RCPs actually use — every week, every other week, the n-th (or last) weekday of the
 * month — and reads any other rule out in French. No relative import: unit-tested in test/client/.
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

/** The French sentence for a stored RRULE: the forms the page offers, else the rule read out in French. */
export function describeRrule(rrule: string | undefined, startTime?: string): string {
  if (!rrule) return 'aucune récurrence';
  const r = fromRrule(rrule);
  if (r) return describeRecurrence(r, startTime);
  const at = startTime ? ` à ${frenchTime(startTime)}` : '';
  // Never the raw rule ("FREQ=MONTHLY;BYDAY=+2TU,+4TU" showed on the coordination pages).
  return `${describeOtherRrule(rrule) ?? 'selon un calendrier particulier'}${at}`;
}

const WEEKDAY_PLURAL: Record<Weekday, string> = { MO: 'lundis', TU: 'mardis', WE: 'mercredis', TH: 'jeudis', FR: 'vendredis', SA: 'samedis', SU: 'dimanches' };
const MONTHS = ['janvier', 'février', 'mars', 'avril', 'mai', 'juin', 'juillet', 'août', 'septembre', 'octobre', 'novembre', 'décembre'];

/** 1 → '1er', 2 → '2e', -1 → 'dernier', -2 → 'avant-dernier'; other negative ranks: not said. */
function ordinal(n: number): string | undefined {
  if (n === 1) return '1er';
  if (n > 1 && n <= 5) return `${n}e`;
  if (n === -1) return 'dernier';
  if (n === -2) return 'avant-dernier';
  return undefined;
}

/** 'a', 'a et b', 'a, b et c'. */
function joinFrench(items: string[]): string {
  return items.length <= 1 ? (items[0] ?? '') : `${items.slice(0, -1).join(', ')} et ${items[items.length - 1]}`;
}

/**
 * Any other RRULE said in French (several days, several ranks, an interval, a day of the month, an
 * end), or undefined when it uses a part this does not know (the caller then says it plainly).
 */
function describeOtherRrule(rrule: string): string | undefined {
  const parts = new Map(rrule.replace(/^RRULE:/i, '').split(';').filter(Boolean).map((p) => {
    const [k, v] = p.split('=');
    return [(k ?? '').toUpperCase(), (v ?? '').toUpperCase()] as const;
  }));
  const known = new Set(['FREQ', 'INTERVAL', 'BYDAY', 'BYSETPOS', 'BYMONTHDAY', 'COUNT', 'UNTIL', 'WKST']);
  if ([...parts.keys()].some((k) => !known.has(k))) return undefined;
  const interval = Number(parts.get('INTERVAL') ?? '1');
  if (!Number.isInteger(interval) || interval < 1) return undefined;
  const days: { rank?: number; weekday: Weekday }[] = [];
  for (const item of (parts.get('BYDAY') ?? '').split(',').filter(Boolean)) {
    const m = /^([+-]?\d{1,2})?(MO|TU|WE|TH|FR|SA|SU)$/.exec(item);
    if (!m) return undefined;
    days.push({ weekday: m[2] as Weekday, ...(m[1] ? { rank: Number(m[1]) } : {}) });
  }
  const setPos = (parts.get('BYSETPOS') ?? '').split(',').filter(Boolean).map(Number);
  const monthDays = (parts.get('BYMONTHDAY') ?? '').split(',').filter(Boolean).map(Number);
  if (setPos.some((n) => !Number.isInteger(n)) || monthDays.some((n) => !Number.isInteger(n) || n < 1 || n > 31)) return undefined;

  let sentence: string | undefined;
  switch (parts.get('FREQ')) {
    case 'DAILY':
      if (days.length || setPos.length || monthDays.length) return undefined;
      sentence = interval === 1 ? 'chaque jour' : `tous les ${interval} jours`;
      break;
    case 'WEEKLY': {
      if (days.some((d) => d.rank !== undefined) || setPos.length || monthDays.length) return undefined;
      const names = joinFrench(days.map((d) => WEEKDAY_LABEL[d.weekday]));
      const theDays = joinFrench(days.map((d) => `le ${WEEKDAY_LABEL[d.weekday]}`));
      if (interval === 1) sentence = days.length ? `chaque ${names}` : 'chaque semaine';
      else if (interval === 2) sentence = days.length === 1 ? `un ${names} sur deux` : days.length ? `${theDays}, une semaine sur deux` : 'une semaine sur deux';
      else sentence = `${days.length ? `${theDays}, ` : ''}toutes les ${interval} semaines`;
      break;
    }
    case 'MONTHLY': {
      const every = interval === 1 ? ' du mois' : interval === 2 ? ' du mois, un mois sur deux' : ` du mois, tous les ${interval} mois`;
      if (monthDays.length) {
        if (days.length || setPos.length) return undefined;
        sentence = `${joinFrench(monthDays.map((n) => `le ${n === 1 ? '1er' : n}`))}${every}`;
        break;
      }
      // The n-th weekdays: "+2TU,+4TU" or "BYDAY=TU;BYSETPOS=2,4" (one weekday, several ranks).
      const ranked = setPos.length
        ? (days.length === 1 && days[0]!.rank === undefined ? setPos.map((rank) => ({ rank, weekday: days[0]!.weekday })) : undefined)
        : days.every((d) => d.rank !== undefined) ? days : undefined;
      if (!ranked?.length) return undefined;
      const ordinals = ranked.map((d) => ordinal(d.rank!));
      if (ordinals.some((o) => !o)) return undefined;
      const weekdays = new Set(ranked.map((d) => d.weekday));
      if (weekdays.size === 1) {
        const weekday = ranked[0]!.weekday;
        sentence = ranked.length === 1
          ? `${ordinals[0] === 'avant-dernier' ? "l'" : 'le '}${ordinals[0]} ${WEEKDAY_LABEL[weekday]}${every}`
          : `les ${joinFrench(ordinals as string[])} ${WEEKDAY_PLURAL[weekday]}${every}`;
      } else {
        sentence = `${joinFrench(ranked.map((d, i) => `${ordinals[i] === 'avant-dernier' ? "l'" : 'le '}${ordinals[i]} ${WEEKDAY_LABEL[d.weekday]}`))}${every}`;
      }
      break;
    }
    default:
      return undefined;
  }
  const count = parts.get('COUNT');
  const until = /^(\d{4})(\d{2})(\d{2})/.exec(parts.get('UNTIL') ?? '');
  if (count) {
    if (!/^\d+$/.test(count)) return undefined;
    sentence += `, ${count} séance${Number(count) > 1 ? 's' : ''}`;
  } else if (parts.has('UNTIL')) {
    if (!until) return undefined;
    const day = Number(until[3]);
    sentence += `, jusqu'au ${day === 1 ? '1er' : day} ${MONTHS[Number(until[2]) - 1] ?? ''} ${until[1]}`;
  }
  return sentence;
}
