/**
 * FHIR R4 validation for incoming resources.
 *
 * Two independent passes, both run on every write:
 *
 * - `structural`: base R4 structure, cardinality, datatypes and FHIRPath invariants, delegated to
 *   `@medplum/core` `validateResource` (which throws an OperationOutcomeError listing the issues).
 * - `bindings`: required value-set bindings, which Medplum's validator does not check. They are
 *   compiled once from the StructureDefinition snapshots into a small tree per resource type that
 *   only contains the paths leading to a required binding; validation then walks the resource
 *   following that tree, so its cost is proportional to the bound elements actually present.
 *
 * `loadFhirDefinitions()` is also the single place where the R4 StructureDefinitions and
 * SearchParameters get indexed into Medplum's `globalSchema` (used by the store for search).
 */
import {
  indexSearchParameter,
  indexStructureDefinitionBundle,
  isResourceType,
  OperationOutcomeError,
  validateResource,
} from '@medplum/core';
import type {
  CodeSystem,
  CodeSystemConcept,
  ElementDefinition,
  OperationOutcomeIssue,
  Resource,
  StructureDefinition,
  ValueSet,
  ValueSetComposeInclude,
} from '@medplum/fhirtypes';
import { isFhirId } from './ids.ts';
import { readR4Definitions, stripVersion } from './r4-definitions.ts';

export interface ValidationResult {
  /** Errors from the base R4 structure check (structure, cardinality, datatypes, invariants). */
  structural: OperationOutcomeIssue[];
  /** Violations of required value-set bindings. */
  bindings: OperationOutcomeIssue[];
  /** Non-blocking issues reported by the structural validator (e.g. dom-6 "should have narrative"). */
  warnings?: OperationOutcomeIssue[];
}

/** Allowed codes are listed in the message when there are at most this many. */
const MAX_LISTED_CODES = 12;

// ---------------------------------------------------------------------------------------------
// Compiled binding index
// ---------------------------------------------------------------------------------------------

interface CompiledValueSet {
  url: string;
  /** code → present, over all systems (for `code` elements). */
  codes: Set<string>;
  /** system → codes (for Coding / CodeableConcept). */
  bySystem: Map<string, Set<string>>;
  /** Pre-rendered tail of the message: ` : a, b, c` or `, 146 codes`. */
  allowed: string;
  /** Pre-rendered ` ; système attendu : …` for Coding / CodeableConcept messages. */
  systemHint: string;
}

const KIND_CODE = 0;
const KIND_CODING = 1;
const KIND_CODEABLE_CONCEPT = 2;
const KIND_COMPLEX = 3;
const KIND_RESOURCE = 4;

interface FieldSpec {
  /** JSON property name (choice types are expanded: `valueCodeableConcept`, ...). */
  key: string;
  kind: number;
  vs?: CompiledValueSet;
  node?: TypeNode;
}

interface TypeNode {
  /** Element path this node describes (`Patient`, `Patient.contact`, `Timing.repeat`, ...). */
  path: string;
  fields: FieldSpec[];
}

export interface SkippedValueSet {
  url: string;
  reason: string;
  /** Element paths bound (required) to this value set. */
  elements: string[];
}

interface BindingIndex {
  /** Resource type → root node (only types with at least one reachable required binding). */
  roots: Map<string, TypeNode>;
  /** Every required value set that could be expanded, by canonical URL. */
  checked: Map<string, CompiledValueSet>;
  skipped: Map<string, SkippedValueSet>;
}

let loaded = false;
let bindingIndex: BindingIndex | undefined;
/** Milliseconds spent in each phase of `loadFhirDefinitions` (for startup logs). */
const loadTimings: Record<string, number> = {};

/**
 * Indexes the R4 StructureDefinitions (types + resources) and search parameters into Medplum's
 * global schema, and compiles the required-binding index. Idempotent: only the first call works.
 */
export function loadFhirDefinitions(): void {
  if (loaded) {
    return;
  }
  let start = performance.now();
  const lap = (phase: string): void => {
    const now = performance.now();
    loadTimings[phase] = Math.round(now - start);
    start = now;
  };
  // The parsed definitions are dropped once indexed: only Medplum's schemas and the compiled
  // binding index stay (see r4-definitions.ts for what the trimmed copy keeps).
  const structureDefinitions = readR4Definitions('structureDefinitions');
  lap('readProfiles');
  indexStructureDefinitionBundle(structureDefinitions);
  lap('indexStructureDefinitions');
  for (const sp of readR4Definitions('searchParameters')) {
    indexSearchParameter(sp);
  }
  lap('indexSearchParameters');
  const terminology = readR4Definitions('terminology');
  lap('readTerminology');
  bindingIndex = new BindingIndexBuilder(structureDefinitions, terminology).build();
  lap('buildBindingIndex');
  loaded = true;
}

/** Time spent loading definitions, per phase, in ms (empty before the first load). */
export function definitionLoadTimings(): Readonly<Record<string, number>> {
  return { ...loadTimings };
}

/** Validates a resource (any JSON value) against base R4 structure and required bindings. */
export function validateFhirResource(resource: unknown): ValidationResult {
  loadFhirDefinitions();
  if (!isPlainObject(resource)) {
    return {
      structural: [structureIssue('structure', 'La ressource doit être un objet JSON')],
      bindings: [],
    };
  }
  const resourceType = resource.resourceType;
  if (typeof resourceType !== 'string' || resourceType === '') {
    return {
      structural: [structureIssue('required', 'Propriété resourceType manquante ou invalide', 'resourceType')],
      bindings: [],
    };
  }
  if (!isResourceType(resourceType)) {
    return {
      structural: [structureIssue('not-supported', `Type de ressource inconnu : ${resourceType}`, 'resourceType')],
      bindings: [],
    };
  }

  // Bindings first: the same walk also checks embedded resources (contained, Bundle.entry.resource,
  // Parameters.parameter.resource), which Medplum either accepts silently (`contained: [5]`) or
  // rejects with an expression-less "Unknown data type" that hides every other issue.
  const walkResult: WalkResult = { bindings: [], structural: [], unknownTypes: undefined };
  walkResource(resource, resourceType, resourceType, walkResult);

  const structural: OperationOutcomeIssue[] = walkResult.structural;
  const warnings: OperationOutcomeIssue[] = [];
  let reported: OperationOutcomeIssue[];
  try {
    reported = validateResource(resource as unknown as Resource);
  } catch (err) {
    if (err instanceof OperationOutcomeError) {
      reported = err.outcome.issue ?? [];
    } else {
      // Defensive: the validator should not throw anything else, but a malformed payload must
      // never turn into a 500.
      reported = [structureIssue('invalid', `Ressource invalide : ${(err as Error)?.message ?? String(err)}`)];
    }
  }
  for (const issue of reported) {
    const text = issue.details?.text ?? '';
    if (issue.severity === 'error' || issue.severity === 'fatal') {
      if (walkResult.unknownTypes && !issue.expression && text.startsWith('Unknown data type: ')) {
        if (walkResult.unknownTypes.has(text.slice('Unknown data type: '.length))) {
          continue; // already reported with its path
        }
      }
      structural.push(inFrench(resolveChoiceExpressions(issue, resource)));
    } else if (text.startsWith('Conflicting choice of type properties')) {
      // valueString + valueBoolean on one element: a cardinality violation of value[x], Medplum only warns.
      structural.push({ ...issue, severity: 'error' });
    } else {
      warnings.push(issue);
    }
  }

  const result: ValidationResult = { structural, bindings: walkResult.bindings };
  if (warnings.length > 0) {
    result.warnings = warnings;
  }
  return result;
}

/**
 * Medplum's validator speaks English; the people reading our errors do not. The known messages are
 * said in French, the original kept in `diagnostics` for the developer of the calling software.
 */
const FRENCH_MESSAGES: [RegExp, (m: RegExpExecArray) => string][] = [
  [/^Missing required property$/, () => 'Propriété obligatoire manquante'],
  [/^Invalid additional property "(.*)"$/, (m) => `Propriété inconnue dans ce type de ressource : « ${m[1]} »`],
  [/^Expected single value for property$/, () => 'Une seule valeur est permise pour cette propriété'],
  [/^Expected array of values for property$/, () => 'Cette propriété attend une liste de valeurs'],
  [/^Invalid (empty|null|undefined) value$/, () => 'Valeur vide ou nulle non permise'],
  [/^Invalid JSON type: expected (\S+), but got (\S+)$/, (m) => `Type JSON invalide : ${m[1]} attendu, ${m[2]} reçu`],
  [/^Invalid reference/, () => 'Référence invalide : elle ne désigne pas un type de ressource permis ici'],
  [/^Constraint (\S+) not met: (.*)$/s, (m) => `Contrainte FHIR ${m[1]} non respectée (${m[2]})`],
];

function inFrench(issue: OperationOutcomeIssue): OperationOutcomeIssue {
  const text = issue.details?.text;
  if (!text) return issue;
  for (const [pattern, say] of FRENCH_MESSAGES) {
    const match = pattern.exec(text);
    if (match) return { ...issue, details: { ...issue.details, text: say(match) }, diagnostics: issue.diagnostics ?? text };
  }
  return issue;
}

/**
 * Resources whose base R4 structure was checked where they came in (checkBody, before any domain
 * code reads them): the store's validation of the same content need not repeat that pass, the
 * costliest (Medplum's validator, ~0.2 ms for an Observation). The mark moves to the store's copy
 * (which changes only server-set values: id, meta.versionId, meta.lastUpdated) and is used up by
 * that validation, so no object handed back to code that might change it still carries it.
 */
const soundStructure = new WeakSet<object>();

export function markStructureChecked(resource: object): void {
  soundStructure.add(resource);
}

/** `copy`, a copy of `resource` changing only server-set values (id, meta), takes over its mark. */
export function passStructureCheck<T extends object>(resource: object, copy: T): T {
  if (soundStructure.delete(resource)) soundStructure.add(copy);
  return copy;
}

/** Whether `resource` was marked (markStructureChecked), the mark used up. */
export function takeStructureCheck(resource: object): boolean {
  return soundStructure.delete(resource);
}

/**
 * `validateFhirResource` without Medplum's structural pass, for content whose structure was checked
 * (takeStructureCheck): required bindings, plus the logical ids and embedded resources the walk checks.
 */
export function validateCheckedStructure(resource: Resource): ValidationResult {
  loadFhirDefinitions();
  const result: WalkResult = { bindings: [], structural: [], unknownTypes: undefined };
  walkResource(resource as unknown as Record<string, unknown>, resource.resourceType, resource.resourceType, result);
  return { structural: result.structural, bindings: result.bindings };
}

/** Only the required-binding pass (exported for measurement and for callers that already ran the structural one). */
export function checkRequiredBindings(resource: unknown): OperationOutcomeIssue[] {
  if (!isPlainObject(resource) || typeof resource.resourceType !== 'string') {
    return [];
  }
  return validateCheckedStructure(resource as unknown as Resource).bindings;
}

/** Debug: which required value sets are checked, and which are skipped (and why). */
export function describeRequiredBindings(): { checked: string[]; skipped: SkippedValueSet[] } {
  loadFhirDefinitions();
  const index = bindingIndex as BindingIndex;
  return { checked: [...index.checked.keys()].sort(), skipped: [...index.skipped.values()] };
}

// ---------------------------------------------------------------------------------------------
// Walk
// ---------------------------------------------------------------------------------------------

interface WalkResult {
  bindings: OperationOutcomeIssue[];
  /** Problems with embedded resources and resource ids (Medplum misses them). */
  structural: OperationOutcomeIssue[];
  /** Unknown embedded resource types already reported (to drop Medplum's duplicate). */
  unknownTypes: Set<string> | undefined;
}

/** FHIR `id` datatype. */

function walkResource(resource: Record<string, unknown>, resourceType: string, path: string, out: WalkResult): void {
  const id = resource.id;
  if (typeof id === 'string' && !isFhirId(id)) {
    out.structural.push(
      structureIssue('structure', `Identifiant logique invalide '${id}' pour ${path}.id (1 à 64 caractères parmi A-Z a-z 0-9 - .)`, path + '.id'),
    );
  }
  const root = (bindingIndex as BindingIndex).roots.get(resourceType);
  if (root) {
    walk(root, resource, path, out);
  }
}

function walk(node: TypeNode, obj: Record<string, unknown>, path: string, out: WalkResult): void {
  const fields = node.fields;
  for (let i = 0; i < fields.length; i++) {
    const field = fields[i];
    const value = obj[field.key];
    if (value === undefined || value === null) {
      continue;
    }
    const fieldPath = path + '.' + field.key;
    if (Array.isArray(value)) {
      for (let j = 0; j < value.length; j++) {
        checkValue(field, value[j], fieldPath + '[' + j + ']', out);
      }
    } else {
      checkValue(field, value, fieldPath, out);
    }
  }
}

function checkValue(field: FieldSpec, value: unknown, path: string, out: WalkResult): void {
  const issues = out.bindings;
  switch (field.kind) {
    case KIND_CODE: {
      const vs = field.vs as CompiledValueSet;
      if (typeof value === 'string' && !vs.codes.has(value)) {
        issues.push(bindingIssue(path, `Valeur '${value}' non autorisée pour ${path} (jeu de valeurs requis ${vs.url}${vs.allowed})`));
      }
      return;
    }
    case KIND_CODING: {
      if (!isPlainObject(value)) {
        return;
      }
      const vs = field.vs as CompiledValueSet;
      const { system, code } = value;
      if (typeof code !== 'string') {
        return;
      }
      // A Coding from the value set's system(s) (or without system) must carry one of its codes;
      // a Coding from another system is left alone.
      const codes = typeof system === 'string' ? vs.bySystem.get(system) : vs.codes;
      if (codes && !codes.has(code)) {
        issues.push(
          bindingIssue(path, `Valeur '${renderCoding(value)}' non autorisée pour ${path} (jeu de valeurs requis ${vs.url}${vs.allowed}${vs.systemHint})`),
        );
      }
      return;
    }
    case KIND_CODEABLE_CONCEPT: {
      if (!isPlainObject(value)) {
        return;
      }
      const vs = field.vs as CompiledValueSet;
      const coding = value.coding;
      const received: string[] = [];
      if (Array.isArray(coding)) {
        for (const c of coding) {
          if (!isPlainObject(c)) {
            continue;
          }
          if (typeof c.system === 'string' && typeof c.code === 'string' && vs.bySystem.get(c.system)?.has(c.code)) {
            return; // at least one coding from the value set: conformant
          }
          received.push(renderCoding(c));
        }
      }
      const text =
        received.length === 0
          ? `Aucun code fourni pour ${path} : un code du jeu de valeurs requis est obligatoire (jeu de valeurs requis ${vs.url}${vs.allowed}${vs.systemHint})`
          : `Valeur '${received.join("', '")}' non autorisée pour ${path} (jeu de valeurs requis ${vs.url}${vs.allowed}${vs.systemHint})`;
      issues.push(bindingIssue(path, text));
      return;
    }
    case KIND_COMPLEX:
      if (isPlainObject(value)) {
        walk(field.node as TypeNode, value, path, out);
      }
      return;
    case KIND_RESOURCE: {
      if (value === null) {
        return; // Medplum reports "Invalid null value"
      }
      if (!isPlainObject(value)) {
        out.structural.push(structureIssue('structure', `Ressource attendue (objet JSON) pour ${path}`, path));
        return;
      }
      const type = value.resourceType;
      if (typeof type !== 'string' || type === '') {
        if (Object.keys(value).length > 0) {
          // (an empty object is reported by Medplum)
          out.structural.push(structureIssue('required', `Propriété resourceType manquante ou invalide pour ${path}`, path + '.resourceType'));
        }
        return;
      }
      if (!isResourceType(type)) {
        out.structural.push(structureIssue('not-supported', `Type de ressource inconnu : ${type}`, path + '.resourceType'));
        (out.unknownTypes ??= new Set()).add(type);
        return;
      }
      walkResource(value, type, path, out);
      return;
    }
  }
}

/**
 * Medplum reports choice elements as `Condition.onset[x]`; rewrite them to the JSON property
 * actually present (`Condition.onsetDateTime`) so they match the binding paths.
 */
function resolveChoiceExpressions(issue: OperationOutcomeIssue, resource: Record<string, unknown>): OperationOutcomeIssue {
  if (!issue.expression?.some((e) => e.includes('[x]'))) {
    return issue;
  }
  return { ...issue, expression: issue.expression.map((e) => (e.includes('[x]') ? resolveChoicePath(e, resource) : e)) };
}

function resolveChoicePath(expression: string, resource: Record<string, unknown>): string {
  const segments = expression.split('.');
  let current: unknown = resource;
  for (let i = 1; i < segments.length; i++) {
    const match = /^([^[]+)((?:\[\d+\])*)(\[x\])?((?:\[\d+\])*)$/.exec(segments[i]);
    if (!match || !isPlainObject(current)) {
      return expression;
    }
    let name = match[1];
    if (match[3]) {
      const base = name;
      const keys = Object.keys(current).filter((k) => k.length > base.length && k.startsWith(base) && /[A-Z]/.test(k[base.length]));
      if (keys.length !== 1) {
        return expression;
      }
      name = keys[0];
      segments[i] = name + match[2] + match[4];
    }
    current = current[name];
    for (const index of (match[2] + match[4]).matchAll(/\[(\d+)\]/g)) {
      current = Array.isArray(current) ? current[Number(index[1])] : undefined;
    }
  }
  return segments.join('.');
}

function renderCoding(c: Record<string, unknown>): string {
  const code = typeof c.code === 'string' ? c.code : '';
  return typeof c.system === 'string' ? `${c.system}|${code}` : code;
}

function bindingIssue(path: string, text: string): OperationOutcomeIssue {
  return { severity: 'error', code: 'code-invalid', details: { text }, expression: [path] };
}

function structureIssue(code: OperationOutcomeIssue['code'], text: string, expression?: string): OperationOutcomeIssue {
  const issue: OperationOutcomeIssue = { severity: 'error', code, details: { text } };
  if (expression) {
    issue.expression = [expression];
  }
  return issue;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

// ---------------------------------------------------------------------------------------------
// Build
// ---------------------------------------------------------------------------------------------

/** Value sets we cannot (or choose not to) enumerate are skipped; reasons are collected for `describeRequiredBindings`. */
class ValueSetSkipped extends Error {}

class BindingIndexBuilder {
  /** parent element path → direct child elements (snapshot elements of every base type/resource). */
  private readonly children = new Map<string, ElementDefinition[]>();
  /** Names of the base (non-constraint) complex types and resources. */
  private readonly complexTypes = new Set<string>();
  private readonly resourceTypes: string[] = [];
  private readonly nodes = new Map<string, TypeNode>();
  private readonly valueSets = new Map<string, ValueSet>();
  private readonly codeSystems = new Map<string, CodeSystem>();
  private readonly compiled = new Map<string, CompiledValueSet | null>();
  private readonly checked = new Map<string, CompiledValueSet>();
  private readonly skipped = new Map<string, SkippedValueSet>();

  constructor(structureDefinitions: StructureDefinition[], terminology: (ValueSet | CodeSystem)[]) {
    for (const sd of structureDefinitions) {
      if (sd.derivation === 'constraint' || sd.kind === 'logical') {
        continue; // SimpleQuantity/MoneyQuantity reuse the Quantity paths; the Quantity node covers them.
      }
      if (sd.kind === 'primitive-type') {
        continue;
      }
      this.complexTypes.add(sd.id as string);
      if (sd.kind === 'resource' && !sd.abstract) {
        this.resourceTypes.push(sd.id as string);
      }
      for (const element of sd.snapshot?.element ?? []) {
        const path = element.path as string;
        const dot = path.lastIndexOf('.');
        if (dot < 0) {
          continue;
        }
        const parent = path.slice(0, dot);
        let list = this.children.get(parent);
        if (!list) {
          list = [];
          this.children.set(parent, list);
        }
        list.push(element);
      }
    }
    for (const r of terminology) {
      if (r.resourceType === 'ValueSet') {
        this.valueSets.set(r.url as string, r);
      } else {
        this.codeSystems.set(r.url as string, r);
      }
    }
  }

  build(): BindingIndex {
    const candidates = new Map<string, TypeNode>();
    for (const type of this.resourceTypes) {
      candidates.set(type, this.node(type));
    }
    const relevant = this.prune();
    const roots = new Map<string, TypeNode>();
    for (const [type, node] of candidates) {
      if (relevant.has(node)) {
        roots.set(type, node);
      }
    }
    return { roots, checked: this.checked, skipped: this.skipped };
  }

  /** The node for an element path (a type name is the path of its root element). Memoised; cycles are fine. */
  private node(path: string): TypeNode {
    let node = this.nodes.get(path);
    if (node) {
      return node;
    }
    node = { path, fields: [] };
    this.nodes.set(path, node);
    for (const element of this.children.get(path) ?? []) {
      this.addFields(node, element);
    }
    return node;
  }

  private addFields(node: TypeNode, element: ElementDefinition): void {
    const elementPath = element.path as string;
    const name = elementPath.slice(elementPath.lastIndexOf('.') + 1);
    if (name === 'extension' || name === 'modifierExtension' || name === 'id') {
      return;
    }
    if (element.contentReference) {
      // e.g. "#Questionnaire.item" (recursive backbone elements)
      const ref = element.contentReference.slice(element.contentReference.indexOf('#') + 1);
      node.fields.push({ key: name, kind: KIND_COMPLEX, node: this.node(ref) });
      return;
    }
    const isChoice = name.endsWith('[x]');
    const base = isChoice ? name.slice(0, -3) : name;
    const binding = element.binding;
    const requiredUrl = binding?.strength === 'required' && binding.valueSet ? stripVersion(binding.valueSet) : undefined;
    for (const type of element.type ?? []) {
      const code = type.code as string;
      const key = isChoice ? base + code.charAt(0).toUpperCase() + code.slice(1) : name;
      if (code === 'code' || code === 'Coding' || code === 'CodeableConcept') {
        // Coding / CodeableConcept themselves contain no required binding: only bound ones matter.
        const vs = requiredUrl ? this.valueSet(requiredUrl, elementPath) : undefined;
        if (vs) {
          const kind = code === 'code' ? KIND_CODE : code === 'Coding' ? KIND_CODING : KIND_CODEABLE_CONCEPT;
          node.fields.push({ key, kind, vs });
        }
      } else if (code === 'Resource') {
        node.fields.push({ key, kind: KIND_RESOURCE });
      } else if (code === 'BackboneElement' || code === 'Element') {
        if (this.children.has(elementPath)) {
          node.fields.push({ key, kind: KIND_COMPLEX, node: this.node(elementPath) });
        }
      } else if (code !== 'Extension' && this.complexTypes.has(code)) {
        node.fields.push({ key, kind: KIND_COMPLEX, node: this.node(code) });
      }
    }
  }

  /** Keeps only the nodes leading to a binding (fixed point, cycles through Reference/Identifier are common). */
  private prune(): Set<TypeNode> {
    const relevant = new Set<TypeNode>();
    for (const node of this.nodes.values()) {
      if (node.fields.some((f) => f.kind !== KIND_COMPLEX)) {
        relevant.add(node);
      }
    }
    let changed = true;
    while (changed) {
      changed = false;
      for (const node of this.nodes.values()) {
        if (!relevant.has(node) && node.fields.some((f) => f.kind === KIND_COMPLEX && relevant.has(f.node as TypeNode))) {
          relevant.add(node);
          changed = true;
        }
      }
    }
    for (const node of this.nodes.values()) {
      node.fields = node.fields.filter((f) => f.kind !== KIND_COMPLEX || relevant.has(f.node as TypeNode));
    }
    return relevant;
  }

  private valueSet(url: string, elementPath: string): CompiledValueSet | undefined {
    let compiled = this.compiled.get(url);
    if (compiled === undefined) {
      try {
        compiled = compileValueSet(url, this.expand(url, new Set()));
        this.checked.set(url, compiled);
      } catch (err) {
        if (!(err instanceof ValueSetSkipped)) {
          throw err;
        }
        compiled = null;
        this.skipped.set(url, { url, reason: err.message, elements: [] });
      }
      this.compiled.set(url, compiled);
    }
    if (compiled === null) {
      this.skipped.get(url)?.elements.push(elementPath);
      return undefined;
    }
    return compiled;
  }

  /** system → codes, in definition order. Throws ValueSetSkipped when the set is not enumerable. */
  private expand(url: string, stack: Set<string>): Map<string, Set<string>> {
    if (stack.has(url)) {
      throw new ValueSetSkipped(`inclusion circulaire de ${url}`);
    }
    const vs = this.valueSets.get(url);
    if (!vs) {
      throw new ValueSetSkipped('jeu de valeurs absent des définitions R4 fournies');
    }
    stack.add(url);
    try {
      const result = new Map<string, Set<string>>();
      if (vs.compose?.include?.length) {
        for (const include of vs.compose.include) {
          for (const [system, codes] of this.expandInclude(include, stack)) {
            addAll(result, system, codes);
          }
        }
        for (const exclude of vs.compose.exclude ?? []) {
          for (const [system, codes] of this.expandInclude(exclude, stack)) {
            const target = result.get(system);
            for (const code of codes) {
              target?.delete(code);
            }
          }
        }
      } else if (vs.expansion?.contains?.length) {
        const visit = (contains: NonNullable<ValueSet['expansion']>['contains']): void => {
          for (const c of contains ?? []) {
            if (c.system && c.code) {
              addAll(result, c.system, [c.code]);
            }
            visit(c.contains);
          }
        };
        visit(vs.expansion.contains);
      } else {
        throw new ValueSetSkipped('ni compose ni expansion');
      }
      return result;
    } finally {
      stack.delete(url);
    }
  }

  private expandInclude(include: ValueSetComposeInclude, stack: Set<string>): Map<string, Set<string>> {
    if (include.filter?.length) {
      throw new ValueSetSkipped(`filtre sur ${include.system} (${include.filter.map((f) => `${f.property} ${f.op} ${f.value}`).join(', ')})`);
    }
    let fromSystem: Map<string, Set<string>> | undefined;
    if (include.system) {
      const system = stripVersion(include.system);
      let codes: string[];
      if (include.concept?.length) {
        codes = include.concept.map((c) => c.code as string);
      } else {
        const cs = this.codeSystems.get(system);
        if (!cs) {
          throw new ValueSetSkipped(`système de codes externe ${system}`);
        }
        if (cs.content !== 'complete' || !cs.concept) {
          throw new ValueSetSkipped(`système de codes ${system} non énuméré (content=${cs.content})`);
        }
        codes = [];
        collectConcepts(cs.concept, codes);
      }
      fromSystem = new Map([[system, new Set(codes)]]);
    }
    if (!include.valueSet?.length) {
      if (!fromSystem) {
        throw new ValueSetSkipped('include sans system ni valueSet');
      }
      return fromSystem;
    }
    // Several valueSet entries (and a system) in one include are intersected.
    let acc: Map<string, Set<string>> | undefined = fromSystem;
    for (const ref of include.valueSet) {
      const expanded = this.expand(stripVersion(ref), stack);
      acc = acc ? intersect(acc, expanded) : expanded;
    }
    return acc as Map<string, Set<string>>;
  }
}

function compileValueSet(url: string, bySystem: Map<string, Set<string>>): CompiledValueSet {
  const codes = new Set<string>();
  for (const set of bySystem.values()) {
    for (const code of set) {
      codes.add(code);
    }
  }
  if (codes.size === 0) {
    throw new ValueSetSkipped('expansion vide');
  }
  const allowed = codes.size <= MAX_LISTED_CODES ? ` : ${[...codes].join(', ')}` : `, ${codes.size} codes`;
  const systems = [...bySystem.keys()];
  const systemHint = ` ; système${systems.length > 1 ? 's' : ''} attendu${systems.length > 1 ? 's' : ''} : ${systems.join(', ')}`;
  return { url, codes, bySystem, allowed, systemHint };
}

function collectConcepts(concepts: CodeSystemConcept[], out: string[]): void {
  for (const concept of concepts) {
    if (concept.code) {
      out.push(concept.code);
    }
    if (concept.concept) {
      collectConcepts(concept.concept, out);
    }
  }
}

function addAll(target: Map<string, Set<string>>, system: string, codes: Iterable<string>): void {
  let set = target.get(system);
  if (!set) {
    set = new Set();
    target.set(system, set);
  }
  for (const code of codes) {
    set.add(code);
  }
}

function intersect(a: Map<string, Set<string>>, b: Map<string, Set<string>>): Map<string, Set<string>> {
  const result = new Map<string, Set<string>>();
  for (const [system, codes] of a) {
    const other = b.get(system);
    if (other) {
      result.set(system, new Set([...codes].filter((c) => other.has(c))));
    }
  }
  return result;
}
