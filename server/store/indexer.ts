import type { Resource } from '@medplum/fhirtypes';
import { evalFhirPathTyped, toTypedValue, type TypedValue } from '@medplum/core';
import { searchParametersOf, type SearchParamDefinition } from '../fhir-kit/search-parameters.ts';
import { dateRange } from './date-range.ts';
import { normalizeString } from './normalize.ts';
import { parseReference } from '../fhir-kit/ids.ts';
import { compilePlainPaths, evaluatePlainPaths, type PlainPath } from './plain-paths.ts';

export interface TokenRow { param: string; system: string | null; code: string | null }
export interface StringRow { param: string; value: string; exact: string }
export interface DateRow { param: string; low: string | null; high: string | null }
export interface ReferenceRow { param: string; target_type: string | null; target_id: string | null; reference: string }
export interface NumberRow { param: string; value: number }

/** The typed search-index values of one resource version, written with it in one transaction. */
export interface IndexRows {
  token: TokenRow[];
  string: StringRow[];
  date: DateRow[];
  reference: ReferenceRow[];
  number: NumberRow[];
  /** The patient the resource belongs to (its compartment), for access rules. */
  patientId: string | null;
  /** An AuditEvent's search keys, in place of index rows (store/audit-sql.ts). */
  auditKeys?: string[];
}

/**
 * The index rows of a resource. `fhirPathOnly` evaluates every expression with FHIRPath, without
 * the plain-path shortcut (the reference its test compares with).
 */
export function indexResource(resource: Resource, options: { fhirPathOnly?: boolean } = {}): IndexRows {
  const rows: IndexRows = { token: [], string: [], date: [], reference: [], number: [], patientId: null };
  let input: TypedValue[] | undefined;
  for (const param of searchParametersOf(resource.resourceType).values()) {
    const plain = options.fhirPathOnly ? undefined : plainPathsOf(resource.resourceType, param);
    let values: TypedValue[];
    try {
      values = plain ? evaluatePlainPaths(plain, resource) : evalFhirPathTyped(param.atom, (input ??= [toTypedValue(resource)]));
    } catch {
      continue; // An expression that cannot apply to this content indexes nothing.
    }
    for (const value of values) addValue(rows, param, value);
  }
  rows.patientId = resource.resourceType === 'Patient' ? (resource.id ?? null) : patientOf(rows);
  dedupe(rows);
  return rows;
}

const plainPaths = new WeakMap<SearchParamDefinition, PlainPath[] | null>();

/** Compiled on first use: the FHIR definitions are loaded by then. */
function plainPathsOf(resourceType: string, param: SearchParamDefinition): PlainPath[] | undefined {
  let paths = plainPaths.get(param);
  if (paths === undefined) {
    paths = compilePlainPaths(resourceType, param.expression) ?? null;
    plainPaths.set(param, paths);
  }
  return paths ?? undefined;
}

function patientOf(rows: IndexRows): string | null {
  const ref = rows.reference.find((r) => (r.param === 'patient' || r.param === 'subject') && r.target_type === 'Patient');
  return ref?.target_id ?? null;
}

function addValue(rows: IndexRows, param: SearchParamDefinition, typed: TypedValue): void {
  const { type, value } = typed;
  if (value === undefined || value === null) return;
  switch (param.type) {
    case 'token':
      for (const t of tokensOf(shapeOf(type, value), value)) rows.token.push({ param: param.code, ...t });
      break;
    case 'uri':
      if (typeof value === 'string') rows.token.push({ param: param.code, system: null, code: value });
      break;
    case 'string':
      for (const s of stringsOf(value)) rows.string.push({ param: param.code, value: normalizeString(s), exact: s });
      break;
    case 'date': {
      const range = dateRangeOf(type, value);
      if (range) rows.date.push({ param: param.code, ...range });
      break;
    }
    case 'reference': {
      const ref = referenceOf(value);
      if (ref) rows.reference.push({ param: param.code, ...ref });
      break;
    }
    case 'number':
      if (typeof value === 'number') rows.number.push({ param: param.code, value });
      else if (typeof value?.value === 'number') rows.number.push({ param: param.code, value: value.value });
      break;
  }
}

function tokensOf(type: string, value: any): { system: string | null; code: string | null }[] {
  switch (type) {
    case 'CodeableConcept':
      return (value.coding ?? []).flatMap((c: any) => tokensOf('Coding', c)).concat(
        value.text && !value.coding?.length ? [{ system: null, code: null }] : [],
      ).filter((t: any) => t.code !== null);
    case 'Coding':
      return value.code ? [{ system: value.system ?? null, code: String(value.code) }] : [];
    case 'Identifier':
      return value.value ? [{ system: value.system ?? null, code: String(value.value) }] : [];
    case 'ContactPoint':
      return value.value ? [{ system: value.system ?? null, code: String(value.value).toLowerCase() }] : [];
    case 'boolean':
      return [{ system: null, code: String(value) }];
    default:
      return typeof value === 'string' || typeof value === 'number' ? [{ system: null, code: String(value) }] : [];
  }
}

/** The datatype of a value, from the definitions when known, else from its shape. */
function shapeOf(type: string, value: any): string {
  if (typeof value !== 'object' || KNOWN_TOKEN_TYPES.has(type)) return type;
  if (Array.isArray(value.coding) || (value.text && Object.keys(value).every((k) => k === 'text' || k === 'coding'))) return 'CodeableConcept';
  if ('code' in value) return 'Coding';
  if ('value' in value && ('use' in value || 'rank' in value) && ['phone', 'fax', 'email', 'pager', 'url', 'sms', 'other'].includes(value.system)) return 'ContactPoint';
  if ('value' in value) return 'Identifier';
  return type;
}
const KNOWN_TOKEN_TYPES = new Set(['CodeableConcept', 'Coding', 'Identifier', 'ContactPoint', 'boolean', 'code', 'string', 'uri', 'id']);

function stringsOf(value: any): string[] {
  if (typeof value === 'string') return [value];
  if (typeof value !== 'object') return [];
  // HumanName, Address: every part matches (name=dup matches family "Dupont" and given "Dupuis").
  const parts: string[] = [];
  for (const key of ['text', 'family', 'given', 'prefix', 'suffix', 'line', 'city', 'district', 'state', 'postalCode', 'country']) {
    const v = value[key];
    if (Array.isArray(v)) parts.push(...v.filter((x) => typeof x === 'string'));
    else if (typeof v === 'string') parts.push(v);
  }
  return parts;
}

function dateRangeOf(type: string, value: any): { low: string | null; high: string | null } | undefined {
  if (typeof value === 'string') return dateRange(value);
  if (type === 'Period') {
    const start = value.start ? dateRange(value.start) : undefined;
    const end = value.end ? dateRange(value.end) : undefined;
    if (!start && !end) return undefined;
    return { low: start?.low ?? null, high: end?.high ?? null };
  }
  if (type === 'Timing') {
    const events: string[] = value.event ?? [];
    const ranges = events.map((e) => dateRange(e)).filter((r) => r !== undefined);
    const bounds = value.repeat?.boundsPeriod;
    if (bounds) return dateRangeOf('Period', bounds);
    if (!ranges.length) return undefined;
    return { low: ranges.map((r) => r.low!).sort()[0], high: ranges.map((r) => r.high!).sort().at(-1)! };
  }
  return undefined;
}

function referenceOf(value: any): Omit<ReferenceRow, 'param'> | undefined {
  if (typeof value === 'string') return { target_type: null, target_id: null, reference: value }; // canonical
  const reference: string | undefined = value?.reference;
  if (!reference) return undefined;
  const target = parseReference(reference);
  if (!target) return { target_type: value.type ?? null, target_id: null, reference };
  return { target_type: target.type, target_id: target.id, reference };
}

function dedupe(rows: IndexRows): void {
  const unique = <T>(list: T[]): T[] => {
    const seen = new Set<string>();
    return list.filter((row) => {
      const key = JSON.stringify(row);
      if (seen.has(key)) return false;
      seen.add(key);
      return true;
    });
  };
  rows.token = unique(rows.token);
  rows.string = unique(rows.string);
  rows.date = unique(rows.date);
  rows.reference = unique(rows.reference);
  rows.number = unique(rows.number);
}
