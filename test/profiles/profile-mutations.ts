/**
 * Test helper: the required items and required bindings of a profile, read from its differential
 * (DCC extensions expanded in place), and the JSON locations they designate in an instance — so a
 * test can remove each required item, or spoil each coded one, in turn.
 */
import type { ElementDefinition, StructureDefinition } from '@medplum/fhirtypes';
import { loadCatalog } from '../../server/profiles/catalog.ts';

type Json = Record<string, any>;

const cap = (s: string): string => s.charAt(0).toUpperCase() + s.slice(1);

/** The differential of a profile, with DCC extension definitions expanded under their slices. */
export function expandedElements(sd: StructureDefinition): ElementDefinition[] {
  const catalog = loadCatalog();
  const out: ElementDefinition[] = [];
  for (const el of sd.differential?.element ?? []) {
    out.push(el);
    for (const profile of el.type?.find((t) => t.code === 'Extension')?.profile ?? []) {
      const ext = catalog.structureDefinitions.get(profile);
      for (const sub of ext?.differential?.element ?? []) {
        if (sub.id === 'Extension' || sub.id === 'Extension.url') continue;
        out.push({ ...sub, id: el.id + sub.id!.slice('Extension'.length) });
      }
    }
  }
  return out;
}

export interface Location {
  holder: Json;
  key: string;
  /** Indexes of the designated items when holder[key] is an array (all when not a slice). */
  indexes?: number[];
}

/** How to recognise the items of a slice, from the differential. */
function sliceMatcher(elements: ElementDefinition[], sliceId: string): (item: Json) => boolean {
  const byId = new Map(elements.map((e) => [e.id!, e]));
  const slice = byId.get(sliceId)!;
  const profile = slice.type?.find((t) => t.code === 'Extension')?.profile?.[0];
  if (profile) return (item) => item?.url === profile;
  const url = byId.get(`${sliceId}.url`)?.fixedUri;
  if (url) return (item) => item?.url === url;
  const use = byId.get(`${sliceId}.use`)?.fixedCode;
  if (use) return (item) => item?.use === use;
  const pattern = slice.patternCodeableConcept ?? byId.get(`${sliceId}.code`)?.patternCodeableConcept;
  const onCode = !slice.patternCodeableConcept;
  if (pattern) {
    const [c] = pattern.coding!;
    return (item) => (onCode ? item?.code : item)?.coding?.some((x: Json) => x.system === c!.system && x.code === c!.code);
  }
  const binding = byId.get(`${sliceId}.code`)?.binding?.valueSet;
  if (binding) {
    const vs = loadCatalog().valueSets.get(binding)!;
    const codes = new Set(vs.compose!.include.flatMap((i) => (i.concept ?? []).map((c) => c.code)));
    return (item) => item?.code?.coding?.some((x: Json) => codes.has(x.code));
  }
  throw new Error(`no discriminator for slice ${sliceId}`);
}

/** The JSON property of an element part (`onset[x]` → `onsetDateTime` when one type). */
function jsonKeys(elements: ElementDefinition[], idPrefix: string, name: string): string[] {
  if (!name.endsWith('[x]')) return [name];
  const def = elements.find((e) => e.id === idPrefix);
  return (def?.type ?? []).map((t) => name.slice(0, -3) + cap(t.code!));
}

/** Where an element sits in an instance (possibly several places, possibly none). */
export function locateInstance(resource: Json, elements: ElementDefinition[], id: string): Location[] {
  const parts = id.split('.');
  let holders: Json[] = [resource];
  let locations: Location[] = [];
  for (let i = 1; i < parts.length; i++) {
    const [name, slice] = parts[i]!.split(':') as [string, string | undefined];
    const prefix = parts.slice(0, i + 1).join('.');
    const keys = jsonKeys(elements, prefix.replace(/:[^.]*$/, ''), name);
    const matcher = slice ? sliceMatcher(elements, prefix) : undefined;
    locations = [];
    const next: Json[] = [];
    for (const holder of holders) {
      for (const key of keys) {
        const value = holder?.[key];
        if (value === undefined) {
          locations.push({ holder, key, indexes: [] });
          continue;
        }
        if (Array.isArray(value)) {
          const indexes = value.map((_, j) => j).filter((j) => !matcher || matcher(value[j]));
          locations.push({ holder, key, indexes });
          next.push(...indexes.map((j) => value[j]));
        } else {
          locations.push({ holder, key });
          next.push(value);
        }
      }
    }
    holders = next;
  }
  return locations;
}

/** A copy of the resource without the element (slice items removed; emptied arrays dropped). Undefined when absent. */
export function withoutElement(resource: Json, elements: ElementDefinition[], id: string): Json | undefined {
  const copy = structuredClone(resource);
  let changed = false;
  for (const loc of locateInstance(copy, elements, id)) {
    const value = loc.holder[loc.key];
    if (value === undefined) continue;
    if (Array.isArray(value) && id.split('.').pop()!.includes(':')) {
      const kept = value.filter((_, j) => !loc.indexes!.includes(j));
      if (kept.length === value.length) continue;
      if (kept.length) loc.holder[loc.key] = kept;
      else delete loc.holder[loc.key];
    } else {
      delete loc.holder[loc.key];
    }
    changed = true;
  }
  return changed ? copy : undefined;
}

/** A copy where every value of a coded element is replaced by a code outside its value set. */
export function withWrongCode(resource: Json, elements: ElementDefinition[], id: string, system: string): Json | undefined {
  const copy = structuredClone(resource);
  let changed = false;
  for (const loc of locateInstance(copy, elements, id)) {
    const replace = (v: unknown): unknown => {
      changed = true;
      if (typeof v === 'string') return 'code-inconnu';
      const obj = v as Json;
      if (Array.isArray(obj.coding)) return { ...obj, coding: [{ system, code: 'XXX-000' }] };
      return { ...obj, system, code: 'XXX-000' };
    };
    const value = loc.holder[loc.key];
    if (value === undefined) continue;
    if (Array.isArray(value)) loc.holder[loc.key] = value.map((v, j) => (loc.indexes!.includes(j) ? replace(v) : v));
    else loc.holder[loc.key] = replace(value);
  }
  return changed ? copy : undefined;
}

/** `Composition.section:summary.code` → `Composition.section.code` (JSON keys, no slices, no indexes). */
export function plainPath(elements: ElementDefinition[], id: string): string {
  const parts = id.split('.');
  return parts.map((p, i) => {
    const name = p.split(':')[0]!;
    if (i === 0 || !name.endsWith('[x]')) return name;
    const keys = jsonKeys(elements, parts.slice(0, i + 1).join('.').replace(/:[^.]*$/, ''), name);
    return keys.length === 1 ? keys[0] : name.slice(0, -3);
  }).join('.');
}

export const stripIndexes = (expression: string): string => expression.replace(/\[\d+\]/g, '');
