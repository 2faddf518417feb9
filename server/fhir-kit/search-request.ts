import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { badRequest, issue } from './errors.ts';
import { getSearchParameter } from './search-parameters.ts';
import type { IncludeRule, SearchCursor, SearchFilter, SearchRequest, SortRule } from './search-types.ts';

export interface PagingLimits { defaultCount: number; maxCount: number }

/** Bounds of one search (issue 10: 300 repeats of name=a ran 146 s). */
export const MAX_SEARCH_PARAMS = 30;
export const MAX_SEARCH_VALUES = 100;
const MAX_VALUE_LENGTH = 2048;
/** Control characters, and U+FFFD (what a lone surrogate or invalid UTF-8 decodes to). */
const UNSAFE_TEXT = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f\ufffd]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;
const UNSAFE_TEXT_ALL = new RegExp(UNSAFE_TEXT.source, 'g');

/** Parameters that control the result rather than select resources. */
const RESULT_PARAMS = new Set(['_count', '_sort', '_include', '_revinclude', '_total', '_summary', '_cursor', '_format', '_pretty', '_elements']);
const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);
const KNOWN_MODIFIERS = new Set(['missing', 'not', 'exact', 'contains', 'below', 'above', 'text', 'in', 'not-in', 'of-type', 'identifier', 'type', 'iterate']);

/**
 * Reads a FHIR search query into a SearchRequest. Unknown parameters become warnings (or a 400
 * with `Prefer: handling=strict`), never silently ignored.
 */
export function parseSearchRequest(
  resourceType: string,
  query: URLSearchParams,
  limits: PagingLimits,
  strict: boolean,
): { request: SearchRequest; warnings: OperationOutcomeIssue[] } {
  const warnings: OperationOutcomeIssue[] = [];
  const request: SearchRequest = {
    resourceType, filters: [], sort: [], count: limits.defaultCount, include: [], revinclude: [], total: 'accurate', summaryCount: false,
    queryText: `${resourceType}?${queryWithoutCursor(query).toString()}`,
  };
  const unknown = (text: string, name: string) => {
    if (strict) throw badRequest(text, [name]);
    warnings.push(issue('warning', 'not-supported', `${text} — paramètre ignoré`, [name]));
  };

  // One cheap request must not tie up the database: the query's size is bounded before any SQL.
  const entries = [...query];
  if (entries.length > MAX_SEARCH_PARAMS) {
    throw badRequest(`Recherche trop large : ${entries.length} paramètres (au plus ${MAX_SEARCH_PARAMS})`);
  }
  let valueCount = 0;
  for (const [name, rawValue] of entries) {
    if (UNSAFE_TEXT.test(name) || UNSAFE_TEXT.test(rawValue)) {
      throw badRequest(`Paramètre '${name.replace(UNSAFE_TEXT_ALL, '?')}' : caractère de contrôle ou invalide (NUL, U+FFFD…) refusé`, [name.replace(UNSAFE_TEXT_ALL, '?')]);
    }
    if (rawValue.length > MAX_VALUE_LENGTH) throw badRequest(`Paramètre '${name}' : valeur trop longue (au plus ${MAX_VALUE_LENGTH} caractères)`, [name]);
    const [code, modifier] = splitModifier(name);
    if (RESULT_PARAMS.has(code)) {
      applyResultParam(request, code, modifier, rawValue, limits, unknown);
      continue;
    }
    const param = COLUMN_PARAMS.has(code) ? undefined : getSearchParameter(resourceType, code);
    if (!param && !COLUMN_PARAMS.has(code)) {
      unknown(`Paramètre de recherche inconnu pour ${resourceType} : '${code}'`, name);
      continue;
    }
    if (modifier && !KNOWN_MODIFIERS.has(modifier) && !/^[A-Z][A-Za-z]+$/.test(modifier)) {
      throw badRequest(`Modificateur inconnu ':${modifier}' sur ${code}`, [name]);
    }
    if (rawValue === '') continue; // An empty value selects nothing: FHIR says ignore it.
    const values = splitValues(rawValue);
    if (!values.length) throw badRequest(`Paramètre '${name}' : liste de valeurs vide ('${rawValue}')`, [name]);
    valueCount += values.length;
    if (valueCount > MAX_SEARCH_VALUES) throw badRequest(`Recherche trop large : plus de ${MAX_SEARCH_VALUES} valeurs au total`, [name]);
    const filter: SearchFilter = { code, param, modifier, values };
    request.filters.push(filter);
  }
  // Bundle.total is counted on the first page only: recounting a broad match on every page costs
  // more than the page itself. `_total=accurate` asks for it anyway.
  if (request.cursor && !query.has('_total')) request.total = 'none';
  return { request, warnings };
}

function applyResultParam(
  request: SearchRequest,
  code: string,
  modifier: string | undefined,
  value: string,
  limits: PagingLimits,
  unknown: (text: string, name: string) => void,
): void {
  switch (code) {
    case '_count': {
      const n = Number(value);
      if (!Number.isInteger(n) || n < 0) throw badRequest(`_count attend un entier positif, reçu '${value}'`, ['_count']);
      request.count = Math.min(n, limits.maxCount);
      if (n === 0) request.summaryCount = true;
      break;
    }
    case '_sort':
      for (const part of value.split(',').filter(Boolean)) request.sort.push(parseSort(request.resourceType, part));
      break;
    case '_include':
    case '_revinclude': {
      if (modifier === 'iterate') unknown(`${code}:iterate n'est pas pris en charge`, `${code}:iterate`);
      const rule = parseInclude(request.resourceType, code, value);
      (code === '_include' ? request.include : request.revinclude).push(rule);
      break;
    }
    case '_total':
      if (value === 'none') request.total = 'none';
      else if (value === 'accurate' || value === 'estimate') request.total = 'accurate';
      else throw badRequest(`_total attend none, estimate ou accurate, reçu '${value}'`, ['_total']);
      break;
    case '_summary':
      if (value === 'count') request.summaryCount = true;
      else if (value !== 'false') unknown(`_summary=${value} n'est pas pris en charge (seuls count et false le sont)`, '_summary');
      break;
    case '_cursor':
      request.cursor = decodeCursor(value);
      break;
    case '_elements':
      unknown("_elements n'est pas pris en charge", '_elements');
      break;
    default:
      break; // _format, _pretty: handled by the HTTP layer.
  }
}

function parseSort(resourceType: string, part: string): SortRule {
  const descending = part.startsWith('-');
  const code = descending ? part.slice(1) : part;
  if (code === '_id' || code === '_lastUpdated') return { code, descending };
  const param = getSearchParameter(resourceType, code);
  if (!param) throw badRequest(`Tri impossible : ${resourceType} n'a pas de paramètre '${code}'`, ['_sort']);
  return { code, param, descending };
}

function parseInclude(resourceType: string, code: string, value: string): IncludeRule {
  const [sourceType, paramCode, targetType] = value.split(':');
  const param = sourceType ? getSearchParameter(sourceType, paramCode ?? '') : undefined;
  if (!param || param.type !== 'reference') {
    throw badRequest(`${code}='${value}' : attendu Type:paramètre-de-référence[:TypeCible] (ex. Observation:subject)`, [code]);
  }
  if (code === '_include' && sourceType !== resourceType) {
    throw badRequest(`_include='${value}' doit partir de ${resourceType}`, [code]);
  }
  return { sourceType, param, targetType };
}

function splitModifier(name: string): [string, string | undefined] {
  const i = name.indexOf(':');
  return i < 0 ? [name, undefined] : [name.slice(0, i), name.slice(i + 1)];
}

/** Splits alternatives on commas that are not escaped with a backslash. */
function splitValues(value: string): string[] {
  const values: string[] = [];
  let current = '';
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\' && i + 1 < value.length) {
      current += value[i] + value[i + 1];
      i++;
    } else if (value[i] === ',') {
      values.push(current);
      current = '';
    } else current += value[i];
  }
  values.push(current);
  return values.filter((v) => v !== '');
}

export function encodeCursor(cursor: SearchCursor): string {
  return Buffer.from(JSON.stringify([cursor.direction === 'next' ? 'n' : 'p', cursor.keys, cursor.seq])).toString('base64url');
}

export function decodeCursor(value: string): SearchCursor {
  try {
    const [d, keys, seq] = JSON.parse(Buffer.from(value, 'base64url').toString('utf8'));
    if ((d !== 'n' && d !== 'p') || !Array.isArray(keys) || typeof seq !== 'string' || !/^\d{1,18}$/.test(seq)) throw new Error('shape');
    // A tampered token must not reach SQL with keys of another shape than the ones we wrote.
    if (keys.length > 8 || !keys.every((k) => k === null || typeof k === 'number' || (typeof k === 'string' && k.length <= 256 && !UNSAFE_TEXT.test(k)))) throw new Error('keys');
    return { direction: d === 'n' ? 'next' : 'previous', keys, seq };
  } catch {
    throw badRequest('Lien de pagination invalide ou altéré (_cursor) : relancez la recherche', ['_cursor']);
  }
}

/** The query without its paging position: the base of self/next/previous links. */
export function queryWithoutCursor(query: URLSearchParams): URLSearchParams {
  const copy = new URLSearchParams(query);
  copy.delete('_cursor');
  return copy;
}

/**
 * Values for an OR search (`_id=a,b,c`, `subject=Patient/a,Patient/b`), cut into lists this parser
 * accepts: at most MAX_VALUE_LENGTH characters in one parameter (about fifty ids) and, leaving room
 * for the query's other criteria, 90 of the MAX_SEARCH_VALUES values in a query; more is a 400.
 */
export function orBatches(values: string[], maxLength = MAX_VALUE_LENGTH, maxValues = MAX_SEARCH_VALUES - 10): string[][] {
  const batches: string[][] = [];
  let current: string[] = [];
  let length = 0;
  for (const value of values) {
    if (current.length && (length + 1 + value.length > maxLength || current.length >= maxValues)) {
      batches.push(current);
      current = [];
      length = 0;
    }
    length += (current.length ? 1 : 0) + value.length;
    current.push(value);
  }
  if (current.length) batches.push(current);
  return batches;
}
