import { expect } from 'chai';
import type { Resource } from '@medplum/fhirtypes';
import { buildDemoBundle } from '../../server/seed/demo-data.ts';
import { searchParametersOf } from '../../server/fhir-kit/search-parameters.ts';
import { indexResource } from '../../server/store/indexer.ts';
import { compilePlainPaths } from '../../server/store/plain-paths.ts';
import { testServices } from '../helpers/harness.ts';

/** References and values FHIRPath treats in its own way: the shortcut must index them the same. */
const EDGE_CASES: Resource[] = [
  {
    resourceType: 'Observation', id: 'edge-1', status: 'final', code: { text: 'sans codage' },
    subject: { reference: 'https://autre.example/fhir/Patient/p1' }, performer: [{ reference: '#contenu' }, { type: 'Practitioner', identifier: { system: 'urn:oid:1.2.250.1.71.4.2.1', value: '810000000001' } }],
    basedOn: [{ reference: 'urn:uuid:0b5a1f3e-8d52-4c1e-9f41-2a6c9e1d7b10' }], effectivePeriod: { start: '2026-01-02' },
  },
  { resourceType: 'Observation', id: 'edge-2', status: 'final', code: { coding: [{ system: 'http://loinc.org', code: '1-8' }, { code: 'sans-systeme' }] }, subject: { reference: 'Patient/p2/_history/3' }, valueBoolean: false },
  { resourceType: 'Observation', id: 'edge-3', status: 'final', code: { coding: [] }, subject: { reference: 'Group?identifier=x|y' }, focus: [{ display: 'sans référence' }] },
  {
    resourceType: 'Patient', id: 'edge-4', active: false, gender: 'unknown', _birthDate: { extension: [{ url: 'http://hl7.org/fhir/StructureDefinition/data-absent-reason', valueCode: 'unknown' }] },
    name: [{ family: 'Élodie', given: ['Anne', 'Marie'], prefix: ['Mme'] }, { text: 'Nom d’usage' }], telecom: [{ system: 'email', value: 'A@Example.fr' }, { system: 'phone', value: '0600000000', use: 'mobile' }],
    address: [{ line: ['1 rue'], city: 'Nice', postalCode: '06000' }], generalPractitioner: [{ reference: 'Practitioner/g1' }, { reference: 'PractitionerRole/r1' }], deceasedBoolean: false,
  } as Resource,
  {
    resourceType: 'AuditEvent', id: 'edge-5', type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' }, action: 'E', recorded: '2026-12-06T20:22:23.429Z', outcome: '4',
    agent: [{ who: { reference: 'Practitioner/a1', display: 'A' }, requestor: true, network: { address: '127.0.0.1', type: '2' }, altId: 'x' }, { who: { reference: 'Patient/p3' }, requestor: false }],
    source: { observer: { display: 'DCC' }, site: 'dcc' },
    entity: [{ what: { reference: 'Patient/p3' }, name: 'q' }, { what: { reference: 'Observation/o1' } }, { what: { identifier: { value: 'sans-type' } } }],
  },
];

/** The demo data, the records every suite run before this one left in the run's database, and the edge cases. */
async function corpus(): Promise<Resource[]> {
  const demo = (buildDemoBundle().entry ?? []).map((e, i) => ({ id: `demo-${i}`, ...e.resource! }) as Resource);
  const { db } = await testServices();
  const stored = (await db('resource').where({ deleted: false }).orderBy('seq', 'desc').limit(20_000).pluck('content')) as Resource[];
  return [...demo, ...stored, ...EDGE_CASES];
}

describe('Search index: plain element paths walked without FHIRPath give the same rows', () => {
  it('every resource of the corpus is indexed exactly as by FHIRPath alone', async () => {
    const resources = await corpus();
    const types = new Set<string>();
    for (const resource of resources) {
      expect(indexResource(resource), `${resource.resourceType}/${resource.id}`).to.deep.equal(indexResource(resource, { fhirPathOnly: true }));
      types.add(resource.resourceType);
    }
    expect([...types]).to.include.members(['Patient', 'Observation', 'Condition', 'CareTeam', 'AuditEvent', 'Practitioner', 'Organization']);
  });

  it('the shortcut takes the paths of the trail, of identity and of the record; choices and functions stay with FHIRPath', () => {
    const plain = (type: string, code: string) => compilePlainPaths(type, searchParametersOf(type).get(code)!.expression);
    expect(plain('AuditEvent', 'agent')).to.deep.equal([{ steps: ['agent', 'who'], leafType: 'Reference' }]);
    expect(plain('AuditEvent', 'patient')).to.deep.equal([
      { steps: ['agent', 'who'], leafType: 'Reference', resolvesTo: 'Patient' },
      { steps: ['entity', 'what'], leafType: 'Reference', resolvesTo: 'Patient' },
    ]);
    expect(plain('Patient', 'identifier')).to.deep.equal([{ steps: ['identifier'], leafType: 'Identifier' }]);
    expect(plain('Observation', 'code')).to.deep.equal([{ steps: ['code'], leafType: 'CodeableConcept' }]);
    expect(plain('Observation', 'date'), 'effective[x] is a choice').to.equal(undefined);
    expect(plain('Patient', 'email'), '.where(system=…)').to.equal(undefined);
    expect(plain('Patient', 'death-date'), 'as dateTime').to.equal(undefined);
  });
});
