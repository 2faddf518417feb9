/**
 * What an RCP sheet form keeps so that nothing typed is lost: the items (top-level keys of the
 * sheet) changed since the last save, sent as a PATCH, and a copy of them in the browser's storage
 * until the server has them (network cut, session expired, tab closed). No relative import: the
 * mocha unit tests load this file directly.
 */

/**
 * A value as the server accepts it: empty strings, empty arrays and empty objects left out
 * (recursively); undefined when nothing is left. A row the physician added but left blank is not sent.
 */
export function cleanValue(value: unknown): unknown {
  if (value === null || value === undefined) return undefined;
  if (typeof value === 'string') return value.trim() ? value : undefined;
  if (Array.isArray(value)) {
    const items = value.map(cleanValue).filter((v) => v !== undefined);
    return items.length ? items : undefined;
  }
  if (typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>).map(([k, v]) => [k, cleanValue(v)] as const).filter(([, v]) => v !== undefined);
    return entries.length ? Object.fromEntries(entries) : undefined;
  }
  return value;
}

/** The PATCH body for the changed items: an item emptied by the physician is sent as null (removed). */
export function patchOf(draft: Record<string, unknown>, dirty: Iterable<string>): Record<string, unknown> {
  const patch: Record<string, unknown> = {};
  for (const key of dirty) patch[key] = cleanValue(draft[key]) ?? null;
  return patch;
}

/**
 * The changed items the server did not refuse, after a 400/422 naming items by their path
 * ('diagnosis.tnm.edition' refuses the item 'diagnosis'). Empty when every item was refused or an
 * issue names no item (nothing can then be saved safely apart).
 */
export function itemsNotRefused(keys: string[], issues: { severity?: string; expression?: string[] }[] | undefined): string[] {
  const errors = (issues ?? []).filter((i) => !i.severity || i.severity === 'error' || i.severity === 'fatal');
  const refused = new Set<string>();
  for (const issue of errors) {
    const items = (issue.expression ?? []).map((path) => /^[A-Za-z]+/.exec(path)?.[0]).filter((k): k is string => Boolean(k));
    if (!items.length) return [];
    items.forEach((k) => refused.add(k));
  }
  return refused.size ? keys.filter((k) => !refused.has(k)) : [];
}

type Stage = { t?: string; n?: string; m?: string; stage?: string; edition?: string; date?: string };

/**
 * The TNM stage as the form changes it. The form has no field for the stage's date: a date the
 * draft holds was read back with the stored stage, so a changed T, N, M, stage group or edition
 * drops it — the server dates the new stage (the day it is recorded, or the meeting's if earlier);
 * sent back, that date put the new stage on the day the previous one was assessed.
 */
export function changedStage<T extends Stage>(tnm: T, patch: Partial<T>): T {
  const next = { ...tnm, ...patch };
  const reassessed = (['t', 'n', 'm', 'stage', 'edition'] as const).some((k) => k in patch && (patch[k] ?? '') !== (tnm[k] ?? ''));
  if (!reassessed || 'date' in patch) return next;
  const { date: _previous, ...undated } = next;
  return undated as T;
}

/**
 * The day a score assessed now is dated on by the form: today, or the meeting's day when the sheet
 * is filled after its meeting (the server refuses an assessment dated after the meeting).
 * `today` and the result are 'YYYY-MM-DD'; the meeting's date is read at its own day.
 */
export function assessmentDay(today: string, meetingDate: string | undefined): string {
  const meetingDay = meetingDate?.slice(0, 10);
  return meetingDay && /^\d{4}-\d{2}-\d{2}$/.test(meetingDay) && meetingDay < today ? meetingDay : today;
}

export interface LocalDraft {
  /** Sheet version the changes were typed on. */
  baseVersion: string;
  /** The changed items, as typed. */
  values: Record<string, unknown>;
  savedAt: string;
}

export interface DraftStorage {
  getItem(key: string): string | null;
  setItem(key: string, value: string): void;
  removeItem(key: string): void;
}

/**
 * The copy is patient data left on a workstation that others may use: it belongs to the professional
 * who typed it (another one signing in on the same browser never gets it back), lasts one working
 * shift at most, and an explicit sign-out erases every copy (clearAllLocalDrafts).
 */
export const DRAFT_LIFETIME_MS = 12 * 3_600_000;
const PREFIX = 'dcc:fiche-rcp:';
const keyOf = (owner: string, sheetId: string) => `${PREFIX}${encodeURIComponent(owner)}:${sheetId}`;

export function readLocalDraft(storage: DraftStorage | undefined, owner: string, sheetId: string, now = new Date()): LocalDraft | undefined {
  try {
    const raw = storage?.getItem(keyOf(owner, sheetId));
    if (!raw) return undefined;
    const draft = JSON.parse(raw) as LocalDraft;
    if (!(draft && typeof draft === 'object' && draft.values && Object.keys(draft.values).length)) return undefined;
    if (!(now.getTime() - Date.parse(draft.savedAt) < DRAFT_LIFETIME_MS)) {
      storage?.removeItem(keyOf(owner, sheetId));
      return undefined;
    }
    return draft;
  } catch {
    return undefined; // unreadable copy: the server's version stands
  }
}

export function writeLocalDraft(storage: DraftStorage | undefined, owner: string, sheetId: string, baseVersion: string, values: Record<string, unknown>, now = new Date()): void {
  try {
    if (!Object.keys(values).length) storage?.removeItem(keyOf(owner, sheetId));
    else storage?.setItem(keyOf(owner, sheetId), JSON.stringify({ baseVersion, values, savedAt: now.toISOString() } satisfies LocalDraft));
  } catch {
    // storage full or refused (private mode): the page still warns before leaving with unsaved changes
  }
}

export function clearLocalDraft(storage: DraftStorage | undefined, owner: string, sheetId: string): void {
  try {
    storage?.removeItem(keyOf(owner, sheetId));
  } catch {
    // nothing to clear
  }
}

/** The browser's storage as far as the drafts need it: its keys too, to find every copy. */
export interface DraftStore extends DraftStorage {
  readonly length: number;
  key(index: number): string | null;
}

/** How many unsaved sheet copies this browser holds for `owner` (the sign-out asks before erasing them). */
export function localDraftCount(storage: DraftStore | undefined, owner: string): number {
  return draftKeys(storage).filter((k) => k.startsWith(`${PREFIX}${encodeURIComponent(owner)}:`)).length;
}

/** Erases every sheet copy this browser holds, whoever typed it: an explicit sign-out leaves no patient data behind. */
export function clearAllLocalDrafts(storage: DraftStore | undefined): void {
  try {
    for (const key of draftKeys(storage)) storage?.removeItem(key);
  } catch {
    // nothing to clear
  }
}

function draftKeys(storage: DraftStore | undefined): string[] {
  try {
    const keys: string[] = [];
    for (let i = 0; storage && i < storage.length; i++) {
      const key = storage.key(i);
      if (key?.startsWith(PREFIX)) keys.push(key);
    }
    return keys;
  } catch {
    return [];
  }
}
