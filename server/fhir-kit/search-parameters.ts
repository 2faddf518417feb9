import { parseFhirPath, type FhirPathAtom } from '@medplum/core';
import { readR4Definitions } from './r4-definitions.ts';
import { SUPPORTED_RESOURCE_TYPES } from './resource-types.ts';

/** Search parameter types the store indexes; composite and special ones are not offered. */
export type IndexedParamType = 'token' | 'string' | 'date' | 'reference' | 'uri' | 'number';

export interface SearchParamDefinition {
  code: string;
  type: IndexedParamType;
  /** Canonical URL of the base definition, announced in the CapabilityStatement. */
  url: string;
  description?: string;
  /** The expression restricted to this resource type, parsed once. */
  expression: string;
  atom: FhirPathAtom;
  /** Allowed target types for reference parameters. */
  targets: string[];
}

const INDEXED_TYPES = new Set<string>(['token', 'string', 'date', 'reference', 'uri', 'number']);
// Resource-level parameters handled by columns of `resource` (not by index tables).
export const COLUMN_PARAMS = new Set(['_id', '_lastUpdated']);
const SKIPPED_COMMON = new Set(['_content', '_text', '_query', '_filter', '_list', '_has', '_type']);
/**
 * The only parameters offered on one type. Every read and search writes an AuditEvent: the trail
 * is stored without index rows and searched through indexes on its content (store/audit-sql.ts),
 * by what a security review asks — who, which patient, which resource, when, and among those what
 * kind of event, action and outcome, from which address. A search on another parameter of AuditEvent is
 * a search on an unknown parameter (a warning; 400 with Prefer: handling=strict).
 */
export const AUDIT_SEARCH_PARAMS: ReadonlySet<string> = new Set(['patient', 'agent', 'entity', 'date', 'type', 'subtype', 'action', 'outcome', 'address']);
const OFFERED_ONLY: Readonly<Record<string, ReadonlySet<string>>> = { AuditEvent: AUDIT_SEARCH_PARAMS };

let registry: Map<string, Map<string, SearchParamDefinition>> | undefined;

/** Search parameters per resource type, built once from the FHIR R4 definitions. */
export function searchParametersOf(resourceType: string): Map<string, SearchParamDefinition> {
  registry ??= buildRegistry();
  return registry.get(resourceType) ?? new Map();
}

export function getSearchParameter(resourceType: string, code: string): SearchParamDefinition | undefined {
  return searchParametersOf(resourceType).get(code);
}

function buildRegistry(): Map<string, Map<string, SearchParamDefinition>> {
  const result = new Map<string, Map<string, SearchParamDefinition>>();
  for (const type of SUPPORTED_RESOURCE_TYPES) result.set(type, new Map());
  for (const sp of readR4Definitions('searchParameters')) {
    if (!sp?.code || !sp.expression || !INDEXED_TYPES.has(sp.type ?? '') || SKIPPED_COMMON.has(sp.code)) continue;
    // 'phonetic' needs a phonetic algorithm we do not have; 'combo-*' repeat code/value at write cost.
    if (sp.code === 'phonetic' || sp.code.startsWith('combo-')) continue;
    const bases = sp.base as string[];
    const targetTypes = bases.includes('Resource') || bases.includes('DomainResource') ? [...SUPPORTED_RESOURCE_TYPES] : bases;
    for (const resourceType of targetTypes) {
      const params = result.get(resourceType);
      if (!params || COLUMN_PARAMS.has(sp.code) || (OFFERED_ONLY[resourceType] && !OFFERED_ONLY[resourceType].has(sp.code))) continue;
      const expression = expressionFor(sp.expression, resourceType, bases);
      if (!expression) continue;
      params.set(sp.code, {
        code: sp.code,
        type: sp.type as IndexedParamType,
        url: sp.url ?? `http://hl7.org/fhir/SearchParameter/${resourceType}-${sp.code}`,
        description: sp.description,
        expression,
        atom: parseFhirPath(expression),
        targets: (sp.target as string[] | undefined) ?? [],
      });
    }
  }
  return result;
}

/**
 * Keeps the parts of a shared union expression ("A.x | B.y | …") that apply to one type, so a
 * write evaluates a few paths instead of dozens.
 */
function expressionFor(expression: string, resourceType: string, bases: string[]): string | undefined {
  if (bases.includes('Resource') || bases.includes('DomainResource')) {
    return expression.replace(/\b(?:Domain)?Resource\./g, `${resourceType}.`);
  }
  const parts = splitUnion(expression).filter((part) => {
    const p = part.replace(/^\(+/, '');
    return p.startsWith(`${resourceType}.`) || p.startsWith(`${resourceType} `) || p === resourceType;
  });
  return parts.length ? parts.join(' | ') : undefined;
}

/** Splits on top-level '|' only (not inside parentheses or strings). */
function splitUnion(expression: string): string[] {
  const parts: string[] = [];
  let depth = 0;
  let quoted = false;
  let current = '';
  for (const ch of expression) {
    if (ch === "'") quoted = !quoted;
    if (!quoted && ch === '(') depth++;
    if (!quoted && ch === ')') depth--;
    if (!quoted && depth === 0 && ch === '|') {
      parts.push(current.trim());
      current = '';
    } else current += ch;
  }
  if (current.trim()) parts.push(current.trim());
  return parts;
}
