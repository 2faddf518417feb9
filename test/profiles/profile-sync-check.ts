/**
 * Keeps schemas/profiles/ (what is enforced) and fhir-profiles/ (what is published) in step.
 *
 * Every element of every differential is located in its profile's JSON Schema by the element id
 * (`Composition.section:reason.code` → properties.section → the item subschema tagged
 * `x-slice: reason` → properties.code), then checked:
 * - min ≥ 1 → the property is `required` in its parent (a slice: `contains` + `minContains`; a
 *   choice of several types: an `anyOf` of `required`), min > 1 on an array → `minItems`;
 * - slice max 1 → `maxContains: 1`;
 * - required binding → the node is tagged `x-valueset` with the same ValueSet and its enum/const
 *   (or, for a value set defined by a regex filter, its `pattern`) equals the ValueSet's expansion,
 *   system by system;
 * - fixedUri / fixedCode / patternCodeableConcept → `const` values (content and discriminator);
 * - Reference(targetProfile) → the reference pattern accepts those types and refuses others;
 * - minValueInteger / maxValueInteger → minimum / maximum; constraint keys → `x-invariant`;
 * - elements typed with a DCC extension → that extension's own differential is checked in place.
 * And the other way: every `x-valueset` and `x-slice` of a schema is accounted for by an element.
 */
import type { ElementDefinition, StructureDefinition, ValueSet } from '@medplum/fhirtypes';

type Json = Record<string, any>;

export interface SyncInput {
  structureDefinitions: Map<string, StructureDefinition>;
  valueSets: Map<string, ValueSet>;
  /** Profile url → schema (as found in schemas/profiles/). */
  schemas: Map<string, Json>;
}

interface Located {
  /** Schema node holding the property (its `required`). */
  parent: Json;
  /** For an element inside a slice: the array's item schema, which applies to the slice too. */
  parentBase?: Json;
  prop: string;
  /** Schema of the property itself (an array schema for repeating elements). */
  propSchema: Json;
  /** The node describing one value of the element (array item, slice content or the property). */
  node: Json;
  /** Slice entries, when the element is a slice. */
  sliceCard?: Json;
  sliceEntry?: Json;
  /** JSON properties of a choice of several types. */
  choiceProps?: string[];
}

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);
const sameSet = (a: Iterable<string>, b: Iterable<string>): boolean => {
  const x = [...new Set(a)].sort();
  const y = [...new Set(b)].sort();
  return x.length === y.length && x.every((v, i) => v === y[i]);
};

export function checkProfileSync(input: SyncInput): string[] {
  const problems: string[] = [];
  const verifiedBindings = new Set<Json>();
  const verifiedSlices = new Set<Json>();
  const resourceProfiles = [...input.structureDefinitions.values()].filter((sd) => sd.kind === 'resource');

  for (const sd of resourceProfiles) {
    const schema = input.schemas.get(sd.url!);
    if (!schema) {
      problems.push(`${sd.url}: no schema in schemas/profiles/ (x-profile)`);
      continue;
    }
    if (schema.properties?.resourceType?.const !== sd.type) problems.push(`${sd.url}: schema resourceType const is ${schema.properties?.resourceType?.const}, profile type is ${sd.type}`);
    checkDifferential(sd, schema, sd.type!, schema, problems, verifiedBindings, verifiedSlices, input);
  }
  for (const [url] of input.schemas) {
    if (!resourceProfiles.some((sd) => sd.url === url)) problems.push(`schema x-profile ${url}: no StructureDefinition (kind resource) in fhir-profiles/`);
  }
  // The other way round: nothing enforced that is not published.
  for (const [url, schema] of input.schemas) {
    walkSchema(schema, '#', (node, path) => {
      if (node['x-valueset'] && !verifiedBindings.has(node)) problems.push(`${url} ${path}: x-valueset ${node['x-valueset']} matches no required binding of the differential`);
      if (node['x-slice'] && node.then && !verifiedSlices.has(node)) problems.push(`${url} ${path}: x-slice ${node['x-slice']} matches no slice of the differential`);
    });
  }
  return problems;
}

function walkSchema(node: unknown, path: string, visit: (node: Json, path: string) => void): void {
  if (!node || typeof node !== 'object') return;
  if (Array.isArray(node)) {
    node.forEach((n, i) => walkSchema(n, `${path}/${i}`, visit));
    return;
  }
  visit(node as Json, path);
  for (const [k, v] of Object.entries(node)) {
    // `if` and `contains` hold discriminators, not constraints: their codes are checked with the slice.
    if (k === 'if' || k === 'contains') continue;
    walkSchema(v, `${path}/${k}`, visit);
  }
}

function checkDifferential(
  sd: StructureDefinition, schemaRoot: Json, rootName: string, rootNode: Json, problems: string[],
  verifiedBindings: Set<Json>, verifiedSlices: Set<Json>, input: SyncInput,
): void {
  const elements = sd.differential?.element ?? [];
  const byId = new Map(elements.map((e) => [e.id!, e]));
  const where = (el: ElementDefinition): string => `${sd.url} ${el.id}`;
  for (const el of elements) {
    const parts = el.id!.split('.');
    // Invariants may sit on the root.
    if (parts.length === 1) {
      for (const c of el.constraint ?? []) if (!hasInvariant(rootNode, c.key!)) problems.push(`${where(el)}: constraint ${c.key} has no x-invariant in the schema root`);
      continue;
    }
    let located: Located;
    try {
      located = locate(rootNode, rootName, el.id!, byId);
    } catch (err) {
      // Elements that only slice or fix things the schema need not mirror (e.g. an optional
      // element without constraints) are fine when absent; anything constraining must be there.
      if (constrains(el)) problems.push(`${where(el)}: ${(err as Error).message}`);
      continue;
    }
    const { parent, parentBase, prop, propSchema, node, sliceCard, sliceEntry, choiceProps } = located;
    const requiredInParent = [...(parent.required ?? []), ...(parentBase?.required ?? [])];
    const slice = el.sliceName;
    if (sliceEntry) verifiedSlices.add(sliceEntry);

    // Cardinality.
    if ((el.min ?? 0) >= 1) {
      if (choiceProps) {
        const holder = [parent, ...(parent.allOf ?? [])].find((n: Json) => Array.isArray(n.anyOf) && sameSet(n.anyOf.flatMap((b: Json) => b.required ?? []), choiceProps));
        if (!holder) problems.push(`${where(el)}: min ${el.min} but no anyOf of required [${choiceProps.join(', ')}]`);
      } else {
        if (!requiredInParent.includes(prop)) problems.push(`${where(el)}: min ${el.min} but '${prop}' is not required in its parent schema`);
        if (slice) {
          if (!sliceCard || (sliceCard.minContains ?? 1) < el.min!) problems.push(`${where(el)}: slice min ${el.min} but minContains is ${sliceCard?.minContains}`);
        } else if (el.min! > 1 && (propSchema.minItems ?? 0) < el.min!) problems.push(`${where(el)}: min ${el.min} but minItems is ${propSchema.minItems}`);
      }
    }
    if (slice && el.max === '1' && sliceCard?.maxContains !== 1) problems.push(`${where(el)}: slice max 1 but maxContains is ${sliceCard?.maxContains}`);
    if (slice && (el.min ?? 0) >= 1 && !sliceCard) problems.push(`${where(el)}: required slice without a contains entry`);

    // Required binding.
    if (el.binding?.strength === 'required') {
      const typeCodes = (el.type ?? byId.get(el.id!)?.type ?? []).map((t) => t.code!);
      const bindable = typeCodes.find((t) => ['code', 'Coding', 'CodeableConcept'].includes(t)) ?? 'CodeableConcept';
      const bound = choiceProps ? parent.properties?.[choiceProps.find((p) => p.endsWith(bindable))!] : node;
      if (!bound) problems.push(`${where(el)}: binding on ${bindable} but the schema has no such property`);
      else {
        verifiedBindings.add(bound);
        problems.push(...checkBinding(bound, bindable, el.binding.valueSet!, input).map((p) => `${where(el)}: ${p}`));
      }
    }

    // Fixed values and patterns (content and, for slices, the discriminator too).
    if (el.fixedUri !== undefined || el.fixedCode !== undefined) {
      const value = el.fixedUri ?? el.fixedCode;
      if (node.const !== value) problems.push(`${where(el)}: fixed '${value}' but schema const is '${node.const}'`);
      // A sub-extension url identifies its slice: the discriminator must test the same value.
      const sliceId = parts.slice(0, -1).join('.');
      if (prop === 'url' && byId.get(sliceId)?.sliceName) {
        const owner = locate(rootNode, rootName, sliceId, byId);
        if (owner.sliceEntry?.if?.properties?.url?.const !== value) problems.push(`${where(el)}: slice discriminator url is not '${value}'`);
      }
      if (prop === 'use' && byId.get(sliceId)?.sliceName) {
        const owner = locate(rootNode, rootName, sliceId, byId);
        if (owner.sliceEntry?.if?.properties?.use?.const !== value) problems.push(`${where(el)}: slice discriminator use is not '${value}'`);
      }
    }
    if (el.patternCodeableConcept) {
      if (!patternMatches(node, el.patternCodeableConcept)) problems.push(`${where(el)}: patternCodeableConcept not mirrored by const system/code in the schema`);
      if (slice && (!patternMatches(sliceEntry?.if, el.patternCodeableConcept) || !patternMatches(sliceCard?.contains, el.patternCodeableConcept))) {
        problems.push(`${where(el)}: slice discriminator does not test the pattern`);
      }
      const owner = byId.get(parts.slice(0, -1).join('.'));
      if (!slice && owner?.sliceName) {
        const o = locate(rootNode, rootName, owner.id!, byId);
        const disc = o.sliceEntry?.if?.properties?.[prop];
        if (!patternMatches(disc, el.patternCodeableConcept)) problems.push(`${where(el)}: slice ${owner.sliceName} discriminator does not test the pattern`);
      }
    }

    // Typed references.
    for (const type of el.type ?? []) {
      if (type.code !== 'Reference' || !type.targetProfile?.length) continue;
      const targets = type.targetProfile.map((t) => t.split('/').pop()!);
      const pattern = node.properties?.reference?.pattern;
      if (!pattern || !(node.required ?? []).includes('reference')) {
        problems.push(`${where(el)}: Reference(${targets.join('|')}) but the schema does not require a reference with a pattern`);
        continue;
      }
      const re = new RegExp(pattern, 'u');
      for (const t of targets) if (!re.test(`${t}/abc-1`)) problems.push(`${where(el)}: reference pattern refuses ${t}/…`);
      for (const other of ['Organization', 'Encounter', 'Group']) if (!targets.includes(other) && re.test(`${other}/abc-1`)) problems.push(`${where(el)}: reference pattern accepts ${other}/…`);
    }

    // Bounds.
    if (el.minValueInteger !== undefined || el.maxValueInteger !== undefined) {
      const target = choiceProps ? parent.properties?.[choiceProps.find((p) => p.endsWith('Integer'))!] : node;
      if (target?.minimum !== el.minValueInteger || target?.maximum !== el.maxValueInteger) problems.push(`${where(el)}: bounds ${el.minValueInteger}..${el.maxValueInteger} but schema has ${target?.minimum}..${target?.maximum}`);
    }

    // Invariants on a nested element.
    for (const c of el.constraint ?? []) if (!hasInvariant(node, c.key!)) problems.push(`${where(el)}: constraint ${c.key} has no x-invariant in the schema`);

    // A DCC extension: its own differential applies to the slice content.
    for (const type of el.type ?? []) {
      if (type.code !== 'Extension') continue;
      for (const profile of type.profile ?? []) {
        if (sliceEntry && sliceEntry.if?.properties?.url?.const !== profile) problems.push(`${where(el)}: slice discriminator url is not ${profile}`);
        if (sliceCard && sliceCard.contains?.properties?.url?.const !== profile) problems.push(`${where(el)}: slice cardinality does not test url ${profile}`);
        const ext = input.structureDefinitions.get(profile);
        if (!ext) {
          if (profile.startsWith('https://dcc-paca.example/')) problems.push(`${where(el)}: extension ${profile} is not defined in fhir-profiles/`);
          continue;
        }
        checkDifferential(ext, schemaRoot, 'Extension', node, problems, verifiedBindings, verifiedSlices, input);
      }
    }
  }
}

/** Whether an element says something a schema must enforce. */
function constrains(el: ElementDefinition): boolean {
  return (el.min ?? 0) >= 1 || el.sliceName !== undefined || el.binding?.strength === 'required' || el.fixedUri !== undefined || el.fixedCode !== undefined
    || el.patternCodeableConcept !== undefined || Boolean(el.constraint?.length) || el.minValueInteger !== undefined
    || Boolean(el.type?.some((t) => t.targetProfile?.length || t.profile?.length));
}

function hasInvariant(node: Json, key: string): boolean {
  return [node, ...(node.allOf ?? [])].some((n: Json) => n['x-invariant'] === key);
}

/** Finds an element's schema node by following its id. */
function locate(rootNode: Json, rootName: string, id: string, byId: Map<string, ElementDefinition>): Located {
  const parts = id.split('.');
  if (parts[0] !== rootName) throw new Error(`id does not start with ${rootName}`);
  let current = rootNode;
  let currentBase: Json | undefined;
  let found: Located | undefined;
  for (let i = 1; i < parts.length; i++) {
    const [name, slice] = parts[i]!.split(':') as [string, string | undefined];
    let prop = name;
    if (name.endsWith('[x]')) {
      const def = byId.get(parts.slice(0, i + 1).join('.').replace(/:[^.]*$/, ''));
      const types = (def?.type ?? []).map((t) => t.code!);
      const base = name.slice(0, -3);
      if (types.length === 0) throw new Error(`choice ${name} without types in the differential`);
      if (types.length > 1) {
        if (i !== parts.length - 1) throw new Error(`cannot descend into a choice of several types`);
        return { parent: current, prop: base, propSchema: current, node: current, choiceProps: types.map((t) => base + cap(t)) };
      }
      prop = base + cap(types[0]!);
    }
    const propSchema: Json | undefined = current.properties?.[prop];
    if (!propSchema) throw new Error(`schema has no property '${prop}' at ${parts.slice(0, i).join('.')}`);
    const isArray = propSchema.type === 'array';
    let node: Json = isArray ? (propSchema.items ?? {}) : propSchema;
    let sliceEntry: Json | undefined;
    let sliceCard: Json | undefined;
    let base: Json | undefined;
    if (slice) {
      base = propSchema.items;
      if (!isArray) throw new Error(`slice ${slice} on a non-array property '${prop}'`);
      sliceEntry = (propSchema.items?.allOf ?? []).find((e: Json) => e['x-slice'] === slice);
      sliceCard = (propSchema.allOf ?? []).find((e: Json) => e['x-slice'] === slice);
      if (!sliceEntry?.then) throw new Error(`no item subschema tagged x-slice '${slice}' in '${prop}'`);
      node = sliceEntry.then;
    }
    found = { parent: current, parentBase: currentBase, prop, propSchema, node, sliceCard, sliceEntry };
    current = node;
    currentBase = base;
  }
  return found!;
}

function patternMatches(node: Json | undefined, pattern: { coding?: { system?: string; code?: string }[] }): boolean {
  const contains = node?.properties?.coding?.contains;
  if (!contains) return false;
  return (pattern.coding ?? []).every((c) => contains.properties?.system?.const === c.system && contains.properties?.code?.const === c.code);
}

/** Compares a bound node with the ValueSet expansion, system by system. */
function checkBinding(node: Json, typeCode: string, valueSetUrl: string, input: SyncInput): string[] {
  const problems: string[] = [];
  if (node['x-valueset'] !== valueSetUrl) problems.push(`binding ${valueSetUrl} but schema x-valueset is ${node['x-valueset']}`);
  const vs = input.valueSets.get(valueSetUrl);
  if (!vs) return [...problems, `ValueSet ${valueSetUrl} is not in fhir-profiles/`];
  const expected = new Map<string, { codes?: string[]; pattern?: string }>();
  for (const inc of vs.compose?.include ?? []) {
    if (inc.concept?.length) expected.set(inc.system!, { codes: inc.concept.map((c) => c.code!) });
    else expected.set(inc.system!, { pattern: inc.filter?.find((f) => f.op === 'regex')?.value });
  }
  if (typeCode === 'code') {
    const codes = node.enum ?? (node.const !== undefined ? [node.const] : undefined);
    const all = [...expected.values()].flatMap((e) => e.codes ?? []);
    if (!codes || !sameSet(codes, all)) problems.push(`enum [${codes}] differs from ${valueSetUrl} [${all}]`);
    return problems;
  }
  let coding = node;
  if (typeCode === 'CodeableConcept') {
    if (!(node.required ?? []).includes('coding')) problems.push('bound CodeableConcept does not require coding');
    coding = node.properties?.coding?.contains;
    if (!coding) return [...problems, 'bound CodeableConcept has no coding.contains'];
  }
  if (!['system', 'code'].every((k) => (coding.required ?? []).includes(k))) problems.push('bound Coding does not require system and code');
  const branches: Json[] = coding.anyOf ?? [coding];
  const actual = new Map<string, { codes?: string[]; pattern?: string }>();
  for (const b of branches) {
    const system = b.properties?.system?.const;
    const code = b.properties?.code ?? {};
    if (typeof system !== 'string') {
      problems.push('a coding branch has no system const');
      continue;
    }
    actual.set(system, code.pattern ? { pattern: code.pattern } : { codes: code.enum ?? (code.const !== undefined ? [code.const] : []) });
  }
  if (!sameSet(actual.keys(), expected.keys())) problems.push(`systems [${[...actual.keys()]}] differ from ${valueSetUrl} [${[...expected.keys()]}]`);
  for (const [system, exp] of expected) {
    const got = actual.get(system);
    if (!got) continue;
    if (exp.pattern !== undefined ? got.pattern !== exp.pattern : !sameSet(got.codes ?? [], exp.codes ?? [])) {
      problems.push(`${system}: schema allows ${got.pattern ?? `[${got.codes}]`}, ${valueSetUrl} has ${exp.pattern ?? `[${exp.codes}]`}`);
    }
  }
  return problems;
}
