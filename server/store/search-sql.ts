import { badRequest } from '../fhir-kit/errors.ts';
import { dateRange } from './date-range.ts';
import { normalizeString } from './normalize.ts';
import type { SearchCursor, SearchFilter, SearchRequest, SortRule } from '../fhir-kit/search-types.ts';
import { escapeLike, indexOfUnescaped, referenceTarget, unescape, type Sql } from './search-values.ts';
import { AUDIT_RECORDED, auditFilterCondition } from './audit-sql.ts';
import { parseReference } from '../fhir-kit/ids.ts';

export type { Sql } from './search-values.ts';

const sql = (text: string, bindings: any[] = []): Sql => ({ text, bindings });

function join(parts: Sql[], separator: string): Sql {
  return { text: parts.map((p) => p.text).join(separator), bindings: parts.flatMap((p) => p.bindings) };
}

/**
 * The WHERE conditions of a search on `resource r`: each criterion is an EXISTS on a typed index
 * table, so PostgreSQL answers from B-tree indexes and never scans JSON.
 */
export function whereClause(request: SearchRequest): Sql {
  const type = definedName(request.resourceType);
  const parts: Sql[] = [sql(`r.resource_type = ${type.text}`, type.bindings), sql('NOT r.deleted')];
  for (const filter of request.filters) parts.push(filterCondition(request.resourceType, filter));
  return join(parts, ' AND ');
}

/**
 * What follows FROM in a search: the rows of `resource r` that match the search, then, of those,
 * the ones the caller may see. The access rules are PL/pgSQL functions the planner cannot see
 * into: left in the same WHERE, they sit on the scan of `resource` and run on every row of the
 * type before a join narrows them (an anti-join for `:missing`, a semi-join for a code), e.g. on
 * 14,000 patients for a 3C's short list of "patients without a GP" at 100,000 resources.
 * OFFSET 0 keeps PostgreSQL from flattening the subquery, so the rules run on the matches alone.
 */
export function searchSource(request: SearchRequest, visibility: Sql[] = []): Sql {
  const where = whereClause(request);
  const each = request.filters.some(comparesRange) ? `${PLANNED_EACH_TIME} ` : '';
  if (!visibility.length) return sql(`${each}resource r WHERE ${where.text}`, where.bindings);
  const visible = join(visibility, ' AND ');
  return sql(`${each}(SELECT * FROM resource r WHERE ${where.text} OFFSET 0) r WHERE ${visible.text}`, [...where.bindings, ...visible.bindings]);
}

/**
 * Marks a statement PostgreSQL must plan for its values each time rather than keep one plan for
 * (database.ts): a date or number range. Its one kept plan cannot know which bound is the narrow
 * one: for a year of Conditions (`recorded-date=ge…&recorded-date=lt…`) it started from "before
 * the end" (all 14,000) rather than "after the start" (3,400) and took 150 ms, planned for the
 * values 15 ms plus 0.6 ms of planning (EXPLAIN, 100,000 resources).
 */
export const PLANNED_EACH_TIME = '/* dcc:planned-each-time */';

function comparesRange(filter: SearchFilter): boolean {
  return filter.code === '_lastUpdated' || filter.param?.type === 'date' || filter.param?.type === 'number';
}

/**
 * Types many resources point at (a board's cases, a GP's patients, a hospital's records): a
 * search for what refers to one of them may match thousands.
 */
const SHARED_TARGETS = new Set(['Practitioner', 'PractitionerRole', 'Organization', 'HealthcareService', 'Location', 'Endpoint', 'Group']);

/**
 * Whether a search may match many rows, so the access rule is better computed as a set for the
 * whole statement (visibility-sql.ts, circleAsSet) than row by row. A search by id, by identifier
 * value, by name (or any text) or for given patients (or for what refers to a given record)
 * matches a handful: the row-by-row rule answers it without computing the caller's whole circle.
 * Either form keeps the same rows; a wrong guess only costs time, in proportion to the matches
 * row by row (~20 µs each) or to the caller's circle as a set (~8 µs a patient: ~100 ms for a
 * physician in the care team of 12,500 patients, 20 ms for a GP of as many; EXPLAIN, bench:real data).
 */
export function mayMatchMany(request: SearchRequest): boolean {
  return !request.filters.some(pinsFewRows);
}

function pinsFewRows(filter: SearchFilter): boolean {
  if (filter.code === '_id') return !filter.modifier;
  if (filter.code === 'identifier') {
    // `system|` alone names every identifier of a system.
    return !filter.modifier && filter.values.every((v) => { const bar = indexOfUnescaped(v, '|'); return (bar < 0 ? v : v.slice(bar + 1)) !== ''; });
  }
  if (filter.modifier === 'not' || filter.modifier === 'missing') return false;
  // A patient looked up by name at the front desk: tens of matches, never the whole circle.
  if (filter.param?.type === 'string') return true;
  if (filter.param?.type !== 'reference') return false;
  const typeModifier = filter.modifier && /^[A-Z]/.test(filter.modifier) ? filter.modifier : undefined;
  const onlyTarget = filter.param.targets.length === 1 ? filter.param.targets[0] : undefined;
  return filter.values.every((value) => {
    const type = parseReference(value)?.type ?? typeModifier ?? onlyTarget;
    return type !== undefined && !SHARED_TARGETS.has(type);
  });
}

function filterCondition(resourceType: string, filter: SearchFilter): Sql {
  // The audit trail has no index rows: its criteria read its content's indexes (audit-sql.ts).
  if (resourceType === 'AuditEvent' && filter.code === 'date') {
    if (filter.modifier) throw badRequest(`Modificateur :${filter.modifier} non pris en charge pour AuditEvent.date`);
    return wrapOr(filter.values.map((v) => dateComparison(AUDIT_RECORDED, AUDIT_RECORDED, v, true)));
  }
  if (resourceType === 'AuditEvent' && !filter.code.startsWith('_')) return auditFilterCondition(filter);
  if (filter.modifier === 'missing') return missingCondition(resourceType, filter);
  if (filter.code === '_id') {
    const cond = sql(`r.id IN (${filter.values.map(() => '?').join(', ')})`, filter.values);
    return filter.modifier === 'not' ? sql(`NOT (${cond.text})`, cond.bindings) : cond;
  }
  if (filter.code === '_lastUpdated') {
    return wrapOr(filter.values.map((v) => dateComparison('r.last_updated', 'r.last_updated', v, true)));
  }
  const param = filter.param!;
  const table = tableOf(param.type);
  const alternatives = wrapOr(filter.values.map((v) => valueCondition(filter, v)));
  const of = indexRowsOf(resourceType, param.code);
  const exists = sql(
    `EXISTS (SELECT 1 FROM ${table} i WHERE i.res = r.seq AND ${of.text} AND ${alternatives.text})`,
    [...of.bindings, ...alternatives.bindings],
  );
  // :not keeps resources with no matching value, including those without the element at all.
  return filter.modifier === 'not' ? sql(`NOT ${exists.text}`, exists.bindings) : exists;
}

/**
 * A resource type or a search parameter's code, written into the statement rather than bound:
 * both come from the server's definitions (the type is checked before a search runs), never from
 * the caller's values. It lets PostgreSQL keep one plan per kind of search on a connection: with
 * them as parameters, its generic plan guessed ~70 rows for an identifier lookup, so it planned
 * every search anew (~0.2 ms, over half of PostgreSQL's CPU for a search by INS, EXPLAIN and
 * bench:real); written in, it keeps the generic plan after five executions. Anything not shaped
 * like a name stays a parameter.
 */
function definedName(value: string): Sql {
  return /^[A-Za-z_][A-Za-z0-9_-]*$/.test(value) ? sql(`'${value}'`) : sql('?', [value]);
}

/** The index rows of one search parameter of a type: `i.resource_type = … AND i.param = …`. */
function indexRowsOf(resourceType: string, code: string): Sql {
  const type = definedName(resourceType);
  const param = definedName(code);
  return sql(`i.resource_type = ${type.text} AND i.param = ${param.text}`, [...type.bindings, ...param.bindings]);
}

function wrapOr(parts: Sql[]): Sql {
  const joined = join(parts, ' OR ');
  return sql(`(${joined.text})`, joined.bindings);
}

function missingCondition(resourceType: string, filter: SearchFilter): Sql {
  const value = filter.values[0];
  if (value !== 'true' && value !== 'false') throw badRequest(`${filter.code}:missing attend 'true' ou 'false', reçu '${value}'`);
  if (!filter.param) throw badRequest(`Le modificateur :missing ne s'applique pas à ${filter.code}`);
  const of = indexRowsOf(resourceType, filter.param.code);
  const exists = `EXISTS (SELECT 1 FROM ${tableOf(filter.param.type)} i WHERE i.res = r.seq AND ${of.text})`;
  return sql(value === 'true' ? `NOT ${exists}` : exists, of.bindings);
}

export function tableOf(type: string): string {
  switch (type) {
    case 'token':
    case 'uri':
      return 'sp_token';
    case 'string':
      return 'sp_string';
    case 'date':
      return 'sp_date';
    case 'reference':
      return 'sp_reference';
    case 'number':
      return 'sp_number';
    default:
      throw badRequest(`Type de paramètre de recherche non pris en charge : ${type}`);
  }
}

function valueCondition(filter: SearchFilter, value: string): Sql {
  const param = filter.param!;
  const modifier = filter.modifier;
  switch (param.type) {
    case 'token': {
      if (modifier && modifier !== 'not') throw badRequest(`Modificateur :${modifier} non pris en charge pour ${filter.code}`);
      const bar = indexOfUnescaped(value, '|');
      if (bar < 0) return sql('i.code = ?', [unescape(value)]);
      const system = unescape(value.slice(0, bar));
      const code = unescape(value.slice(bar + 1));
      if (!system) return sql('i.system IS NULL AND i.code = ?', [code]);
      if (!code) return sql('i.system = ?', [system]);
      return sql('i.code = ? AND i.system = ?', [code, system]);
    }
    case 'uri':
      if (modifier === 'below') return sql("i.code LIKE ? ESCAPE '\\'", [`${escapeLike(value)}%`]);
      if (modifier && modifier !== 'not') throw badRequest(`Modificateur :${modifier} non pris en charge pour ${filter.code}`);
      return sql('i.code = ?', [unescape(value)]);
    case 'string': {
      const raw = unescape(value);
      if (modifier === 'exact') return sql('i.exact = ?', [raw]);
      const normalized = escapeLike(normalizeString(raw));
      if (modifier === 'contains') return sql("i.value LIKE ? ESCAPE '\\'", [`%${normalized}%`]);
      if (modifier && modifier !== 'not') throw badRequest(`Modificateur :${modifier} non pris en charge pour ${filter.code}`);
      return sql("i.value LIKE ? ESCAPE '\\'", [`${normalized}%`]);
    }
    case 'date':
      if (modifier && modifier !== 'not') throw badRequest(`Modificateur :${modifier} non pris en charge pour ${filter.code}`);
      return withIndexableBound(dateComparison("COALESCE(i.low, '-infinity')", "COALESCE(i.high, 'infinity')", value, false), value);
    case 'reference':
      return referenceCondition(filter, unescape(value));
    case 'number': {
      const { prefix, rest } = splitPrefix(value);
      const n = Number(rest);
      if (!Number.isFinite(n)) throw badRequest(`${filter.code} attend un nombre, reçu '${value}'`);
      const op = { eq: '=', ne: '<>', lt: '<', gt: '>', le: '<=', ge: '>=', sa: '>', eb: '<', ap: '=' }[prefix];
      return sql(`i.value ${op} ?`, [n]);
    }
    default:
      throw badRequest(`Type de paramètre de recherche non pris en charge : ${param.type}`);
  }
}

function referenceCondition(filter: SearchFilter, value: string): Sql {
  const target = referenceTarget(filter, value);
  if ('url' in target) return sql('i.reference = ?', [target.url]); // canonical or external URL
  return target.type ? sql('i.target_id = ? AND i.target_type = ?', [target.id, target.type]) : sql('i.target_id = ?', [target.id]);
}

/**
 * The date conditions compare COALESCE(low, -infinity) and COALESCE(high, infinity), which no
 * index serves: `birthdate=1963-05-06` (eq, the identity-vigilance duplicate check on every Patient
 * write) started from the name and read every « martin% » Patient, and the 3C's new cancers of a
 * year (`recorded-date=ge…&recorded-date=lt…`) read every Condition date row (~170 of 300 ms at
 * 100,000 resources). Each prefix implies a bound on the raw `low` or `high` column that the
 * (resource_type, param, low) and (resource_type, param, high) indexes serve as a range; added,
 * it keeps exactly the same rows (low ≤ high: dates by construction, Periods by FHIR's per-1;
 * a missing end is NULL, i.e. unbounded).
 */
function withIndexableBound(condition: Sql, value: string): Sql {
  const { prefix, rest } = splitPrefix(value);
  const range = dateRange(rest);
  if (!range) return condition;
  const bound = indexableBound(prefix, range.low, range.high);
  return bound ? sql(`(${bound.text} AND ${condition.text})`, [...bound.bindings, ...condition.bindings]) : condition;
}

function indexableBound(prefix: Prefix, s: string, e: string): Sql | undefined {
  switch (prefix) {
    case 'eq': return sql('i.low >= ?::timestamptz AND i.low < ?::timestamptz', [s, e]); // inside [s, e)
    case 'gt': return sql('(i.high > ?::timestamptz OR i.high IS NULL)', [e]); // ends after e
    case 'ge': return sql('(i.high >= ?::timestamptz OR i.high IS NULL)', [s]); // ends after e, or inside [s, e)
    case 'lt': return sql('(i.low < ?::timestamptz OR i.low IS NULL)', [s]); // starts before s
    case 'le': return sql('(i.low <= ?::timestamptz OR i.low IS NULL)', [e]); // starts before s, or inside [s, e)
    case 'sa': return sql('i.low >= ?::timestamptz', [e]);
    case 'eb': return sql('i.high <= ?::timestamptz', [s]);
    default: return undefined; // ne, ap: no single range
  }
}

const DATE_PREFIXES = ['eq', 'ne', 'lt', 'gt', 'le', 'ge', 'sa', 'eb', 'ap'] as const;
type Prefix = (typeof DATE_PREFIXES)[number];

function splitPrefix(value: string): { prefix: Prefix; rest: string } {
  const p = value.slice(0, 2) as Prefix;
  if (DATE_PREFIXES.includes(p) && !/^\d/.test(value)) return { prefix: p, rest: value.slice(2) };
  return { prefix: 'eq', rest: value };
}

/**
 * Compares the target range [low, high) with the range the search value stands for, following
 * the FHIR R4 definitions of the prefixes (a target range that is only partly inside is not 'eq').
 */
function dateComparison(low: string, high: string, value: string, pointInTime: boolean): Sql {
  const { prefix, rest } = splitPrefix(value);
  const range = dateRange(rest);
  if (!range) throw badRequest(`Date de recherche invalide : '${value}' (attendu AAAA, AAAA-MM, AAAA-MM-JJ ou AAAA-MM-JJThh:mm:ss+zz:zz)`);
  const hi = pointInTime ? `${high} + interval '1 millisecond'` : high;
  const s = range.low;
  const e = range.high;
  switch (prefix) {
    case 'eq':
      return sql(`(${low} >= ?::timestamptz AND ${hi} <= ?::timestamptz)`, [s, e]);
    case 'ne':
      return sql(`NOT (${low} >= ?::timestamptz AND ${hi} <= ?::timestamptz)`, [s, e]);
    case 'gt':
      return sql(`(${hi} > ?::timestamptz)`, [e]);
    case 'lt':
      return sql(`(${low} < ?::timestamptz)`, [s]);
    case 'ge':
      return sql(`(${hi} > ?::timestamptz OR (${low} >= ?::timestamptz AND ${hi} <= ?::timestamptz))`, [e, s, e]);
    case 'le':
      return sql(`(${low} < ?::timestamptz OR (${low} >= ?::timestamptz AND ${hi} <= ?::timestamptz))`, [s, s, e]);
    case 'sa':
      return sql(`(${low} >= ?::timestamptz)`, [e]);
    case 'eb':
      return sql(`(${hi} <= ?::timestamptz)`, [s]);
    case 'ap': {
      // "approximately": overlaps the search range widened by 10 % of the distance to now, at least a day.
      const widen = Math.max(86_400_000, Math.abs(Date.now() - Date.parse(s)) * 0.1);
      return sql(`(${low} < ?::timestamptz AND ${hi} > ?::timestamptz)`, [
        new Date(Date.parse(e) + widen).toISOString(),
        new Date(Date.parse(s) - widen).toISOString(),
      ]);
    }
  }
}

/** Sort key expressions; never NULL, so keyset comparisons stay simple (missing values sort last). */
export function sortKeys(request: SearchRequest): { expr: string; bindings: unknown[]; descending: boolean }[] {
  return request.sort.map((rule) => sortKey(request.resourceType, rule));
}

function sortKey(resourceType: string, rule: SortRule): { expr: string; bindings: unknown[]; descending: boolean } {
  const d = rule.descending;
  if (rule.code === '_id') return { expr: 'r.id', bindings: [], descending: d };
  if (rule.code === '_lastUpdated') return { expr: 'r.last_updated', bindings: [], descending: d };
  if (resourceType === 'AuditEvent') {
    if (rule.code !== 'date') throw badRequest(`Tri non pris en charge pour AuditEvent : '${rule.code}' (date, _lastUpdated ou _id)`, ['_sort']);
    return { expr: `COALESCE(${AUDIT_RECORDED}, ${d ? "'-infinity'" : "'infinity'"}::timestamptz)`, bindings: [], descending: d };
  }
  const param = rule.param!;
  const table = tableOf(param.type);
  const of = indexRowsOf(resourceType, param.code);
  const column = { token: 'code', uri: 'code', string: 'value', date: 'low', reference: 'reference', number: 'value' }[param.type];
  const agg = d ? 'max' : 'min';
  const fallback = {
    date: d ? "'-infinity'::timestamptz" : "'infinity'::timestamptz",
    number: d ? '-1e30' : '1e30',
  }[param.type as 'date' | 'number'] ?? (d ? "''" : "chr(1114111)");
  return {
    expr: `COALESCE((SELECT ${agg}(i.${column}) FROM ${table} i WHERE i.res = r.seq AND ${of.text}), ${fallback})`,
    bindings: of.bindings,
    descending: d,
  };
}

/**
 * Keyset condition "after (or before) the cursor" on the sort keys then seq: pages stay correct
 * while resources are created, updated or deleted between two page requests.
 */
export function cursorCondition(keyColumns: string[], descending: boolean[], cursor: SearchCursor): Sql {
  // A cursor is made for one sort: a tampered or foreign one is the caller's mistake, not a SQL error.
  if (cursor.keys.length !== keyColumns.length) throw badRequest('Lien de pagination invalide ou altéré (_cursor) : relancez la recherche', ['_cursor']);
  const backwards = cursor.direction === 'previous';
  const columns = [...keyColumns, 'q.seq'];
  const values: unknown[] = [...cursor.keys, cursor.seq];
  const desc = [...descending, false];
  const build = (i: number): Sql => {
    const after = desc[i] !== backwards ? '<' : '>';
    const cast = i === columns.length - 1 ? '::bigint' : '';
    const strict = sql(`${columns[i]} ${after} ?${cast}`, [values[i]]);
    if (i === columns.length - 1) return strict;
    const rest = build(i + 1);
    return sql(`(${strict.text} OR (${columns[i]} = ? AND ${rest.text}))`, [...strict.bindings, values[i], ...rest.bindings]);
  };
  return build(0);
}
