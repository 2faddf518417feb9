/**
 * Keyset paging of the city lists: the cursor is the sort key of the last item served, opaque to
 * the client (base64url). A page starts strictly after it, so items added or changed while the
 * professional pages through never make an item appear twice (offsets would).
 */
import { badRequest } from '../fhir-kit/errors.ts';

export type SortKey = string[];

export function encodeCursor(list: string, key: SortKey): string {
  return Buffer.from(JSON.stringify([list, ...key])).toString('base64url');
}

/** The key in a cursor of `list` with `size` parts; 400 when it was altered or belongs to another list. */
export function decodeCursor(list: string, value: string, size: number): SortKey {
  try {
    const parsed = JSON.parse(Buffer.from(value, 'base64url').toString('utf8')) as unknown;
    if (!Array.isArray(parsed) || parsed[0] !== list || parsed.length !== size + 1 || !parsed.every((p) => typeof p === 'string')) throw new Error('shape');
    return parsed.slice(1) as string[];
  } catch {
    throw badRequest('Lien de pagination invalide ou altéré (cursor) : reprenez la liste depuis le début', ['cursor']);
  }
}

export function compareKeys(a: SortKey, b: SortKey): number {
  for (let i = 0; i < Math.max(a.length, b.length); i++) {
    const x = a[i] ?? '';
    const y = b[i] ?? '';
    if (x !== y) return x < y ? -1 : 1;
  }
  return 0;
}

/**
 * One page of `items` in the order `direction` of their keys, after `cursor`; `next` is the
 * cursor of the following page when there is one.
 */
export function pageOf<T>(items: T[], keyOf: (item: T) => SortKey, options: { count: number; after?: SortKey; descending: boolean }): { page: T[]; next?: SortKey } {
  const sign = options.descending ? -1 : 1;
  const sorted = [...items].sort((a, b) => sign * compareKeys(keyOf(a), keyOf(b)));
  const rest = options.after ? sorted.filter((item) => sign * compareKeys(keyOf(item), options.after!) > 0) : sorted;
  const page = rest.slice(0, options.count);
  return { page, ...(rest.length > options.count && page.length ? { next: keyOf(page.at(-1)!) } : {}) };
}

/** `_count`: 1 to `max`, `fallback` when absent. */
export function countOf(value: unknown, fallback: number, max: number): number {
  if (value === undefined || value === '') return fallback;
  const n = Number(value);
  if (typeof value !== 'string' || !Number.isInteger(n) || n < 1) throw badRequest(`_count attend un entier de 1 à ${max}, reçu '${String(value)}'`, ['_count']);
  return Math.min(n, max);
}
