import { expect } from 'chai';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import { markStructureChecked, passStructureCheck, takeStructureCheck } from '../../server/fhir-kit/validation.ts';
import { FhirError } from '../../server/fhir-kit/errors.ts';

/**
 * A body checked at the edge (checkBody: base R4 structure, before domain code reads it) is not
 * checked for structure again by the store: its validation then checks what is left — required
 * bindings, logical ids, DCC profiles. Anything else written (domain code, seeds) is checked in full.
 */
describe('Write validation: base R4 structure checked once per body', () => {
  const observation = (): Observation => ({ resourceType: 'Observation', status: 'final', code: { text: 'Poids' }, subject: { reference: 'Patient/p1' } });
  const statusOf = (resource: Resource): number | undefined => {
    try {
      validateForWrite(resource);
      return undefined;
    } catch (error) {
      return (error as FhirError).status;
    }
  };

  it('unmarked content is checked in full: a structural error is a 400', () => {
    expect(statusOf({ ...observation(), valueQuantity: 'lourd' } as unknown as Resource)).to.equal(400);
    expect(statusOf(observation())).to.equal(undefined);
  });

  it('marked content still has its bindings and its id checked', () => {
    const badStatus = { ...observation(), status: 'finished' } as unknown as Observation;
    markStructureChecked(badStatus);
    expect(statusOf(badStatus)).to.equal(422);
    const badId = { ...observation(), id: 'pas un id' };
    markStructureChecked(badId);
    expect(statusOf(badId)).to.equal(400);
  });

  it('the mark moves to the store’s copy and is used up by its validation', () => {
    const body = observation();
    markStructureChecked(body);
    const stored = passStructureCheck(body, { ...body, id: 'o1', meta: { versionId: '1', lastUpdated: '2026-12-06T10:00:00Z' } });
    expect(takeStructureCheck(body)).to.equal(false);
    validateForWrite(stored);
    expect(takeStructureCheck(stored)).to.equal(false);
  });
});
