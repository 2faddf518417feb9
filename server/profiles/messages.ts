/**
 * ajv errors → OperationOutcome issues a physician can act on: which item (FHIRPath in
 * `expression`), which rule, which values were expected — in French.
 *
 * The schemas carry the words: `title` names an item ("Date du diagnostic"), `description` states
 * its rule, `x-valueset` marks a coded item (its expected codes and displays come from the
 * ValueSet in fhir-profiles/), `x-slice` / `x-invariant` mark slices and invariants.
 */
import type { ErrorObject } from 'ajv';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { expectedCodes } from './catalog.ts';

type Json = Record<string, any>;
type IssueCode = OperationOutcomeIssue['code'];

/** Expected values listed in a message, at most. */
const MAX_LISTED = 20;

interface ChainNode {
  schema: Json;
  /** Number of instance path segments this schema node applies to. */
  depth: number;
  /** True when the node was reached through an anyOf branch. */
  inAnyOf: boolean;
  /** True when the node is inside a `contains` subschema (an item that did not match is not an error). */
  inContains: boolean;
}

/** Keywords whose next segment is a property name / an index, and whether they step into the instance. */
const NAMED = new Set(['properties', '$defs', 'patternProperties', 'dependentSchemas']);
const INDEXED = new Set(['allOf', 'anyOf', 'oneOf', 'prefixItems']);
const INSTANCE_STEP = new Set(['items', 'contains', 'additionalProperties']);

/** The schema nodes an error's schemaPath goes through, from the root to the failing keyword's node. */
function chainOf(root: Json, schemaPath: string): ChainNode[] {
  const segments = schemaPath.replace(/^#\/?/, '').split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
  const chain: ChainNode[] = [{ schema: root, depth: 0, inAnyOf: false, inContains: false }];
  let node: any = root;
  let depth = 0;
  let inAnyOf = false;
  let inContains = false;
  // The last segment is the failing keyword itself.
  for (let i = 0; i < segments.length - 1; i++) {
    const seg = segments[i]!;
    if (NAMED.has(seg) || INDEXED.has(seg)) {
      const key = segments[++i];
      if (key === undefined) break;
      node = node?.[seg]?.[key];
      if (seg === 'properties') depth++;
      if (seg === 'anyOf' || seg === 'oneOf') inAnyOf = true;
    } else {
      node = node?.[seg];
      if (INSTANCE_STEP.has(seg)) depth++;
      if (seg === 'contains') inContains = true;
    }
    if (!node || typeof node !== 'object') break;
    chain.push({ schema: node, depth, inAnyOf, inContains });
  }
  return chain;
}

function instanceSegments(instancePath: string): string[] {
  return instancePath.split('/').filter(Boolean).map((s) => s.replace(/~1/g, '/').replace(/~0/g, '~'));
}

/** `/section/3/code` → `Composition.section[3].code`. */
export function fhirPath(resourceType: string, segments: string[]): string {
  let out = resourceType;
  for (const s of segments) out += /^\d+$/.test(s) ? `[${s}]` : `.${s}`;
  return out;
}

function valueAt(resource: unknown, segments: string[]): unknown {
  let v: any = resource;
  for (const s of segments) v = v?.[s];
  return v;
}

function describeCoded(value: unknown): string | undefined {
  if (typeof value === 'string') return value;
  if (!value || typeof value !== 'object') return undefined;
  const v = value as Json;
  const one = (c: Json): string | undefined => (c?.code ? `${c.code}${c.system ? ` (${c.system})` : ''}` : undefined);
  if (Array.isArray(v.coding)) {
    const codes = v.coding.map(one).filter(Boolean);
    return codes.length ? codes.join(', ') : v.text ? `texte seul « ${v.text} »` : undefined;
  }
  return one(v);
}

function expectedList(valueSetUrl: string, fallback?: string): string {
  const expected = expectedCodes(valueSetUrl);
  const enumerated = expected.filter((e) => e.code);
  const parts = enumerated.slice(0, MAX_LISTED).map((e) => `${e.code}${e.display ? ` (${e.display})` : ''}`);
  if (enumerated.length > MAX_LISTED) parts.push(`… (${enumerated.length} codes)`);
  const patterned = expected.filter((e) => e.pattern);
  if (patterned.length) parts.push(fallback ?? patterned.map((e) => `un code du système ${e.system}`).join(', '));
  const systems = [...new Set(enumerated.map((e) => e.system))];
  return `${parts.join(', ')}${enumerated.length ? ` ; système${systems.length > 1 ? 's' : ''} ${systems.join(', ')}` : ''}`;
}

function nearest(chain: ChainNode[], key: string): ChainNode | undefined {
  for (let i = chain.length - 1; i >= 0; i--) if (chain[i]!.schema[key] !== undefined) return chain[i];
  return undefined;
}

const sentence = (s: string): string => (/[.!?]$/.test(s) ? s : `${s}.`);

export interface TranslationContext {
  resource: unknown;
  resourceType: string;
  schema: Json;
  profileUrl: string;
  /** How many items of an array match a subschema (to tell a missing slice from a repeated one). */
  countMatches: (schema: Json, items: unknown) => number;
}

/** Translates ajv errors into French OperationOutcome issues, one per failing item. */
export function translateErrors(errors: ErrorObject[], ctx: TranslationContext): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const seen = new Set<string>();
  const profileTitle = ctx.schema.title as string;
  const push = (code: IssueCode, text: string, path: string[], keyword: string): void => {
    const expression = fhirPath(ctx.resourceType, path);
    const key = `${expression}|${text}`;
    if (seen.has(key)) return;
    seen.add(key);
    issues.push({
      severity: 'error',
      code,
      details: { text: `${profileTitle} — ${text}` },
      diagnostics: `${ctx.profileUrl} (${keyword})`,
      expression: [expression],
    });
  };

  for (const error of errors) {
    if (error.keyword === 'if') continue; // the `then` errors say what is wrong
    const chain = chainOf(ctx.schema, error.schemaPath);
    const instance = instanceSegments(error.instancePath);

    // A coded item: one message per item, whatever failed inside it (system, code, coding…).
    const bound = nearest(chain, 'x-valueset');
    if (bound) {
      const path = instance.slice(0, bound.depth);
      const title = bound.schema.title ?? 'Valeur codée';
      const actual = describeCoded(valueAt(ctx.resource, path));
      const expected = expectedList(bound.schema['x-valueset'], bound.schema.description);
      push('code-invalid', sentence(`${title} : ${actual ? `« ${actual} » n’est pas une valeur autorisée` : 'valeur codée absente ou incomplète'} ; valeurs attendues : ${expected}`), path, error.keyword);
      continue;
    }
    // Inside an anyOf branch or a `contains` subschema: the anyOf / contains error carries the message.
    const last = chain[chain.length - 1]!;
    if (last.inContains) continue;
    if (last.inAnyOf && error.keyword !== 'anyOf') continue;

    const invariant = nearest(chain, 'x-invariant');
    switch (error.keyword) {
      case 'required': {
        const missing = (error.params as { missingProperty: string }).missingProperty;
        const child: Json | undefined = last.schema.properties?.[missing];
        const requiredSlices: Json[] = (child?.allOf ?? []).filter((e: Json) => e['x-slice'] && e.minContains >= 1);
        if (requiredSlices.length) {
          for (const slice of requiredSlices) push('required', sentence(`${slice.title} : élément obligatoire manquant. ${slice.description ?? ''}`.trim()), [...instance, missing], 'required');
          break;
        }
        const title = child?.title ?? missing;
        const rule = child?.description ?? invariant?.schema.description;
        push(invariant ? 'invariant' : 'required', sentence(`${title} : élément obligatoire manquant${rule ? ` — ${rule}` : ''}`), [...instance, missing], 'required');
        break;
      }
      case 'contains': {
        const params = error.params as { minContains: number; maxContains?: number };
        const holder = last.schema; // the slice (x-slice) or the array with `contains`
        const title = holder.title ?? nearest(chain, 'title')?.schema.title ?? 'Élément';
        const rule = holder.description ?? nearest(chain, 'description')?.schema.description ?? '';
        const count = params.maxContains !== undefined ? ctx.countMatches(holder.contains, valueAt(ctx.resource, instance)) : 0;
        const tooMany = params.maxContains !== undefined && count > params.maxContains;
        push(tooMany ? 'structure' : invariant ? 'invariant' : 'required',
          sentence(tooMany ? `${title} : présent ${count} fois, ${params.maxContains} au plus` : `${title} : élément obligatoire manquant. ${rule}`.trim()), instance, 'contains');
        break;
      }
      case 'anyOf': {
        const holder = nearest(chain, 'title')!;
        push(invariant ? 'invariant' : 'required', sentence(`${holder.schema.title} : ${holder.schema.description ?? 'valeur attendue manquante'}`), instance, 'anyOf');
        break;
      }
      case 'const':
      case 'enum': {
        const holder = nearest(chain, 'title');
        const allowed = error.keyword === 'const' ? [(error.params as { allowedValue: unknown }).allowedValue] : (error.params as { allowedValues: unknown[] }).allowedValues;
        const actual = valueAt(ctx.resource, instance);
        push('code-invalid', sentence(`${holder?.schema.title ?? 'Valeur'} : « ${String(actual)} » n’est pas autorisé ; attendu : ${allowed.map(String).join(', ')}${holder?.schema.description ? ` (${holder.schema.description})` : ''}`), instance, error.keyword);
        break;
      }
      case 'format': {
        const holder = nearest(chain, 'title');
        const format = (error.params as { format: string }).format;
        const expected = format === 'fhir-date' ? 'une date AAAA, AAAA-MM ou AAAA-MM-JJ'
          : format === 'fhir-date-time' ? 'une date AAAA-MM-JJ, éventuellement avec l’heure et le fuseau (AAAA-MM-JJThh:mm:ss+01:00)'
            : format === 'uri' ? 'une URI (ex. https://… ou urn:oid:…)' : `le format ${format}`;
        push('value', sentence(`${holder?.schema.title ?? 'Valeur'} : « ${String(valueAt(ctx.resource, instance))} » n’est pas valide ; attendu : ${expected}`), instance, 'format');
        break;
      }
      case 'pattern': {
        const holder = nearest(chain, 'title');
        push('value', sentence(`${holder?.schema.title ?? 'Valeur'} : « ${String(valueAt(ctx.resource, instance))} » n’a pas la forme attendue${holder?.schema.description ? ` — ${holder.schema.description}` : ''}`), instance, 'pattern');
        break;
      }
      case 'minItems': {
        const holder = nearest(chain, 'title');
        const limit = (error.params as { limit: number }).limit;
        push('required', sentence(`${holder?.schema.title ?? 'Liste'} : au moins ${limit} élément${limit > 1 ? 's' : ''} attendu${limit > 1 ? 's' : ''}`), instance, 'minItems');
        break;
      }
      case 'minimum':
      case 'maximum':
      case 'exclusiveMinimum':
      case 'exclusiveMaximum': {
        const holder = nearest(chain, 'title');
        const { comparison, limit } = error.params as { comparison: string; limit: number };
        push('value', sentence(`${holder?.schema.title ?? 'Valeur'} : ${String(valueAt(ctx.resource, instance))} n’est pas autorisé ; attendu ${comparison} ${limit}`), instance, error.keyword);
        break;
      }
      case 'minLength': {
        const holder = nearest(chain, 'title');
        push('required', sentence(`${holder?.schema.title ?? 'Texte'} : ne doit pas être vide`), instance, 'minLength');
        break;
      }
      case 'type': {
        const holder = nearest(chain, 'title');
        const expected = String((error.params as { type: string | string[] }).type);
        const words: Record<string, string> = { string: 'un texte', object: 'un élément structuré', array: 'une liste', integer: 'un nombre entier', number: 'un nombre', boolean: 'vrai ou faux' };
        push('structure', sentence(`${holder?.schema.title ?? 'Valeur'} : type incorrect ; attendu : ${words[expected] ?? expected}`), instance, 'type');
        break;
      }
      default: {
        const holder = nearest(chain, 'title');
        push('invalid', sentence(`${holder?.schema.title ?? 'Élément'} : ${holder?.schema.description ?? error.message ?? 'non conforme'}`), instance, error.keyword);
      }
    }
  }
  // "at least 9 sections" says less than the missing sections themselves.
  const sliceGaps = new Set(issues.filter((i) => i.diagnostics?.endsWith('(contains)')).map((i) => i.expression![0]));
  return issues.filter((i) => !(i.diagnostics?.endsWith('(minItems)') && sliceGaps.has(i.expression![0])));
}
