import { getElementDefinition, type TypedValue } from '@medplum/core';

/**
 * Search-parameter expressions that are plain element paths, evaluated by walking the resource
 * instead of through FHIRPath. Every write indexes its resource and every read writes an
 * AuditEvent that is indexed too; Medplum's FHIRPath engine looks each step up in the schema and
 * wraps every value, and that was most of the indexing time (~60 % of it at 100,000 resources)
 * for expressions that are almost all `Type.a.b`.
 *
 * Understood: a union (`|`) of parts `Type.a.b…`, each optionally ending in
 * `.where(resolve() is Type)`, where every step is an element of a single type. Anything else
 * (choice types, functions, `as`, indexes) stays with FHIRPath. The leaf's type comes from the
 * same definitions FHIRPath uses, so the indexer sees the same typed values
 * (test/store/plain-paths.test.ts compares both on the demo data and edge cases).
 */
export interface PlainPath {
  steps: string[];
  /** Type of the values reached (e.g. `Reference`, `CodeableConcept`, `AuditEventAgent`). */
  leafType: string;
  /** `.where(resolve() is T)`: keeps the references whose target type is T. */
  resolvesTo?: string;
}

const PART = /^([A-Z][A-Za-z]+)((?:\.[a-z][A-Za-z0-9]*)+)(?:\.where\(resolve\(\) is ([A-Z][A-Za-z]+)\))?$/;

/** The expression as plain paths, or undefined when FHIRPath must evaluate it. */
export function compilePlainPaths(resourceType: string, expression: string): PlainPath[] | undefined {
  const paths: PlainPath[] = [];
  for (const part of expression.split('|').map((p) => p.trim())) {
    const match = PART.exec(part);
    if (!match || match[1] !== resourceType) return undefined;
    const steps = match[2]!.slice(1).split('.');
    let type = resourceType;
    for (const step of steps) {
      const element = getElementDefinition(type, step);
      if (!element || element.type.length !== 1) return undefined; // unknown, or a choice of types
      type = element.type[0]!.code; // a backbone element's type is named after its path (AuditEventAgent)
      if (!type || type === 'Resource') return undefined; // a contained resource's type is its own
    }
    paths.push({ steps, leafType: type, ...(match[3] ? { resolvesTo: match[3] } : {}) });
  }
  return paths.length ? paths : undefined;
}

/** The values the paths reach in the resource, typed as FHIRPath would type them. */
export function evaluatePlainPaths(paths: PlainPath[], resource: object): TypedValue[] {
  const out: TypedValue[] = [];
  for (const path of paths) {
    let current: unknown[] = [resource];
    for (const step of path.steps) {
      const next: unknown[] = [];
      for (const holder of current) {
        const value = (holder as Record<string, unknown>)[step];
        if (Array.isArray(value)) {
          for (const item of value) if (item !== undefined && item !== null) next.push(item);
        } else if (value !== undefined && value !== null) next.push(value);
      }
      current = next;
    }
    for (const value of current) {
      if (path.resolvesTo === undefined || resolvedType(value) === path.resolvesTo) out.push({ type: path.leafType, value });
    }
  }
  return out;
}

/**
 * The type FHIRPath's `resolve()` gives a reference without fetching it (as Medplum's engine does):
 * a contained resource's own type, else the first segment of `Type/id` or of `Type?query`.
 */
function resolvedType(value: unknown): string | undefined {
  let reference: string | undefined;
  if (typeof value === 'string') reference = value;
  else if (value && typeof value === 'object') {
    const ref = value as { resource?: { resourceType?: string }; reference?: string; type?: string; identifier?: { system?: string; value?: string } };
    if (ref.resource) return ref.resource.resourceType;
    if (ref.reference) reference = ref.reference;
    else if (ref.type && ref.identifier) reference = `${ref.type}?identifier=${ref.identifier.system}|${ref.identifier.value}`;
  }
  if (reference?.includes('?')) return reference.split('?')[0];
  if (reference?.includes('/')) return reference.split('/')[0];
  return undefined;
}
