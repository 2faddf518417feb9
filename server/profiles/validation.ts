/**
 * DCC profile validation: every write of a resource that claims or matches a DCC profile is checked
 * against that profile's JSON Schema (schemas/profiles/, compiled once with ajv + ajv-formats).
 * Base FHIR R4 is checked before, by server/fhir-kit/validation.ts.
 */
import Ajv2020Module, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { OperationOutcomeIssue, Resource } from '@medplum/fhirtypes';
import { DCC_PROFILE_BASE, loadCatalog, resourceProfiles } from './catalog.ts';
import { translateErrors } from './messages.ts';
import { claimedDccProfiles, profilesOf } from './selection.ts';

// ajv and ajv-formats are CommonJS: under NodeNext the default import may be the module namespace.
const Ajv2020 = ((Ajv2020Module as any).default ?? Ajv2020Module) as typeof Ajv2020Module.default;
const addFormats = ((addFormatsModule as any).default ?? addFormatsModule) as typeof addFormatsModule.default;

/** Annotation keywords of the DCC schemas (see server/profiles/messages.ts). */
export const DCC_SCHEMA_KEYWORDS = ['x-profile', 'x-valueset', 'x-slice', 'x-invariant', 'x-choice'];

// FHIR R4 date / dateTime: partial dates allowed (1958, 1958-03), a full date must exist in the calendar.
const FHIR_DATE = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01]))?)?$/;
const FHIR_DATE_TIME = /^(\d{4})(?:-(0[1-9]|1[0-2])(?:-(0[1-9]|[12]\d|3[01])(?:T([01]\d|2[0-3]):[0-5]\d:([0-5]\d|60)(?:\.\d+)?(?:Z|[+-](?:(?:0\d|1[0-3]):[0-5]\d|14:00)))?)?)?$/;

function calendarDay(year: string, month?: string, day?: string): boolean {
  if (!month || !day) return true;
  const d = new Date(Date.UTC(Number(year), Number(month) - 1, Number(day)));
  return d.getUTCMonth() === Number(month) - 1 && d.getUTCDate() === Number(day);
}

export interface CompiledProfile {
  url: string;
  type: string;
  title: string;
  schema: Record<string, any>;
  validate: ValidateFunction;
}

let compiled: Map<string, CompiledProfile> | undefined;
let countMatches: (schema: Record<string, any>, items: unknown) => number = () => 0;

/** Compiles every profile schema once (idempotent). Throws at start-up if a profile has no schema. */
export function loadDccProfiles(): Map<string, CompiledProfile> {
  if (compiled) return compiled;
  const catalog = loadCatalog();
  const ajv = new Ajv2020({ allErrors: true, verbose: true, strict: true, strictTypes: false, strictRequired: false, allowUnionTypes: true });
  addFormats(ajv, ['uri', 'date', 'date-time', 'email']);
  ajv.addFormat('fhir-date', { type: 'string', validate: (s: string) => { const m = FHIR_DATE.exec(s); return Boolean(m && calendarDay(m[1]!, m[2], m[3])); } });
  ajv.addFormat('fhir-date-time', { type: 'string', validate: (s: string) => { const m = FHIR_DATE_TIME.exec(s); return Boolean(m && calendarDay(m[1]!, m[2], m[3])); } });
  for (const keyword of DCC_SCHEMA_KEYWORDS) ajv.addKeyword({ keyword });
  const subschemas = new WeakMap<object, ValidateFunction>();
  countMatches = (schema, items) => {
    if (!schema || typeof schema !== 'object' || !Array.isArray(items)) return 0;
    let check = subschemas.get(schema);
    if (!check) subschemas.set(schema, (check = ajv.compile(schema)));
    return items.filter((item) => check!(item)).length;
  };
  const out = new Map<string, CompiledProfile>();
  for (const sd of resourceProfiles()) {
    const schema = catalog.schemas.get(sd.url!);
    if (!schema) throw new Error(`DCC profile ${sd.url} has no JSON Schema in schemas/profiles/`);
    out.set(sd.url!, { url: sd.url!, type: sd.type!, title: sd.title ?? sd.name ?? sd.url!, schema, validate: ajv.compile(schema) });
  }
  compiled = out;
  return out;
}

function claimIssue(resourceType: string, text: string, index: number): OperationOutcomeIssue {
  return { severity: 'error', code: 'invalid', details: { text }, expression: [`${resourceType}.meta.profile[${index}]`] };
}

/**
 * Checks a resource against every DCC profile it claims or its kind selects. Returns one issue per
 * failing item (empty when it conforms, or when no DCC profile applies).
 */
export function validateDccProfile(resource: Resource): OperationOutcomeIssue[] {
  const profiles = loadDccProfiles();
  const issues: OperationOutcomeIssue[] = [];
  const type: string = resource.resourceType;
  const claimed = claimedDccProfiles(resource);
  const metaProfiles = (resource.meta?.profile ?? []).map((p) => String(p).split('|')[0]);
  for (const url of claimed) {
    const index = metaProfiles.indexOf(url);
    const profile = profiles.get(url);
    if (!profile) {
      const known = loadCatalog().structureDefinitions.has(url);
      issues.push(claimIssue(type, known
        ? `meta.profile : ${url} définit une extension, pas un profil de ressource`
        : `meta.profile : profil DCC inconnu ${url} ; profils publiés : ${[...profiles.keys()].map((u) => u.slice(DCC_PROFILE_BASE.length)).join(', ')}`, index));
    } else if (profile.type !== type) {
      issues.push(claimIssue(type, `meta.profile : le profil « ${profile.title} » s’applique aux ressources ${profile.type}, pas ${type}`, index));
    }
  }
  if (issues.length) return issues;
  for (const url of profilesOf(resource)) {
    const profile = profiles.get(url)!;
    if (profile.validate(resource)) continue;
    issues.push(...translateErrors(profile.validate.errors ?? [], { resource, resourceType: type, schema: profile.schema, profileUrl: url, countMatches }));
  }
  return issues;
}
