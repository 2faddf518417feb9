/**
 * The published DCC conformance resources (fhir-profiles/) and the JSON Schemas that enforce them
 * (schemas/profiles/), read once from disk.
 */
import fs from 'node:fs';
import type { CodeSystem, StructureDefinition, ValueSet } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';

/** Canonical base of every DCC conformance resource. */
export const DCC_CANONICAL = DCC_CANONICAL_BASE;
export const DCC_PROFILE_BASE = `${DCC_CANONICAL}/StructureDefinition/`;

export const PROFILES_DIR = new URL('../../fhir-profiles/', import.meta.url);
export const PROFILE_SCHEMAS_DIR = new URL('../../schemas/profiles/', import.meta.url);

export interface ExpectedCode {
  system: string;
  code?: string;
  display?: string;
  /** For value sets defined by a regex filter on a whole code system. */
  pattern?: string;
}

export interface Catalog {
  structureDefinitions: Map<string, StructureDefinition>;
  valueSets: Map<string, ValueSet>;
  codeSystems: Map<string, CodeSystem>;
  /** Profile url → its JSON Schema. */
  schemas: Map<string, Record<string, any>>;
}

let catalog: Catalog | undefined;

/** Reads fhir-profiles/ and schemas/profiles/ (once). */
export function loadCatalog(): Catalog {
  if (catalog) return catalog;
  const structureDefinitions = new Map<string, StructureDefinition>();
  const valueSets = new Map<string, ValueSet>();
  const codeSystems = new Map<string, CodeSystem>();
  for (const file of fs.readdirSync(PROFILES_DIR).filter((f) => f.endsWith('.json')).sort()) {
    const resource = JSON.parse(fs.readFileSync(new URL(file, PROFILES_DIR), 'utf8'));
    if (resource.resourceType === 'StructureDefinition') structureDefinitions.set(resource.url, resource);
    else if (resource.resourceType === 'ValueSet') valueSets.set(resource.url, resource);
    else if (resource.resourceType === 'CodeSystem') codeSystems.set(resource.url, resource);
  }
  const schemas = new Map<string, Record<string, any>>();
  for (const file of fs.readdirSync(PROFILE_SCHEMAS_DIR).filter((f) => f.endsWith('.schema.json')).sort()) {
    const schema = JSON.parse(fs.readFileSync(new URL(file, PROFILE_SCHEMAS_DIR), 'utf8'));
    schemas.set(schema['x-profile'], schema);
  }
  catalog = { structureDefinitions, valueSets, codeSystems, schemas };
  return catalog;
}

/** Resource profiles (not extension definitions), by url. */
export function resourceProfiles(): StructureDefinition[] {
  return [...loadCatalog().structureDefinitions.values()].filter((sd) => sd.kind === 'resource');
}

/** What a value set allows, flattened (enumerated codes, or a code pattern per system). */
export function expectedCodes(valueSetUrl: string): ExpectedCode[] {
  const vs = loadCatalog().valueSets.get(valueSetUrl);
  if (!vs) return [];
  const out: ExpectedCode[] = [];
  for (const include of vs.compose?.include ?? []) {
    const system = include.system ?? '';
    if (include.concept?.length) {
      for (const c of include.concept) out.push({ system, code: c.code, display: c.display ?? displayOf(system, c.code) });
    } else {
      const regex = include.filter?.find((f) => f.op === 'regex')?.value;
      out.push({ system, pattern: regex });
    }
  }
  return out;
}

export function displayOf(system: string, code: string | undefined): string | undefined {
  if (!code) return undefined;
  return loadCatalog().codeSystems.get(system)?.concept?.find((c) => c.code === code)?.display;
}
