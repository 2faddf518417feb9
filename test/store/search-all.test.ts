import { expect } from 'chai';
import type { Observation, Patient, Resource } from '@medplum/fhirtypes';
import { testServices, unique } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';

/** searchAll follows the keyset cursor to the end: a list longer than a page is never cut short. */
describe('FhirRepository.searchAll: every page, not the first one only', () => {
  const LOINC = 'http://loinc.org';
  let tag: string;
  let patient: Patient;
  let other: Patient;

  before(async () => {
    const repo = (await testServices()).store.system();
    tag = unique('search-all');
    const meta = { tag: [{ system: 'urn:test', code: tag }] };
    patient = await repo.create<Patient>(withIdentity({ resourceType: 'Patient', meta, name: [{ family: 'Paginé', given: ['Élise'] }], birthDate: '1961-02-03' }));
    other = await repo.create<Patient>(withIdentity({ resourceType: 'Patient', meta, name: [{ family: 'Autre', given: ['Jean'] }], gender: 'male', birthDate: '1949-11-30' }));
    // 23 for the patient and 2 for another: with pages of 5, five pages (the last one partial).
    for (let i = 0; i < 25; i++) {
      await repo.create<Observation>({
        resourceType: 'Observation', meta, status: 'final', code: { coding: [{ system: LOINC, code: '8867-4' }] },
        subject: { reference: `Patient/${i < 23 ? patient.id : other.id}` }, valueQuantity: { value: 60 + i, unit: '/min' },
      });
    }
  });

  it('returns all 23 matches across pages of 5, each once', async () => {
    const repo = (await testServices()).store.system();
    const all = await repo.searchAll<Observation>('Observation', { subject: `Patient/${patient.id}`, _tag: `urn:test|${tag}` }, { pageSize: 5 });
    expect(all).to.have.length(23);
    expect(new Set(all.map((o) => o.id)).size).to.equal(23);
    expect(all.every((o) => o.subject?.reference === `Patient/${patient.id}`)).to.equal(true);
    // One page alone holds 5: the old helpers stopped there.
    const firstPage = await repo.searchAll<Observation>('Observation', { subject: `Patient/${patient.id}`, _tag: `urn:test|${tag}` }, { pageSize: 5, max: 5 });
    expect(firstPage).to.have.length(5);
  });

  it('brings the included resources of every page along', async () => {
    const repo = (await testServices()).store.system();
    const { resources, included } = await repo.searchAllWithIncluded<Observation>('Observation', {
      _tag: `urn:test|${tag}`, _include: 'Observation:subject',
    }, { pageSize: 4 });
    expect(resources).to.have.length(25);
    const patients = new Set(included.filter((r: Resource) => r.resourceType === 'Patient').map((r) => r.id));
    expect([...patients].sort()).to.deep.equal([patient.id, other.id].sort());
  });

  it('takes repeated parameters as a list and refuses an unknown one (strict)', async () => {
    const repo = (await testServices()).store.system();
    const both = await repo.searchAll<Patient>('Patient', { _id: [patient.id!, other.id!].join(','), _tag: `urn:test|${tag}` }, { pageSize: 1 });
    expect(both.map((p) => p.id).sort()).to.deep.equal([patient.id, other.id].sort());
    const sameTwice = await repo.searchAll<Patient>('Patient', { _tag: [`urn:test|${tag}`, `urn:test|${tag}`] });
    expect(sameTwice).to.have.length(2);
    try {
      await repo.searchAll('Patient', { 'no-such-parameter': 'x' });
      expect.fail('an unknown parameter must be refused');
    } catch (error) {
      expect((error as { status?: number }).status).to.equal(400);
    }
  });
});
