import { expect } from 'chai';
import type { Condition } from '@medplum/fhirtypes';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

/**
 * A diagnosis taken from the record (Condition of the patient's file) is shown read-only on the
 * sheet, but the physician comments on it for this RCP: the comment is the sheet's own, kept across
 * the PATCHes of other items, and the record's Condition is left untouched.
 */
describe('RCP sheet: a comment on the diagnosis taken from the record', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('is saved with the sheet, read back, kept by other PATCHes; the record Condition and its note are not changed', async () => {
    const recorded = await world.as('system', 'POST', '/Condition', {
      resourceType: 'Condition', subject: { reference: `Patient/${world.patientId}` },
      extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' }] } }],
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }] },
      onsetDateTime: '2025-09-01', note: [{ text: 'Note du dossier' }],
    });
    expect(recorded.status, JSON.stringify(recorded.body)).to.equal(201);
    const { date: _d, morphology: _m, topography: _t, laterality: _l, comment: _c, ...staging } = colonCancerSheet(world).diagnosis!;
    const sheet = { ...colonCancerSheet(world), diagnosis: { ...staging, condition: `Condition/${recorded.body.id}` } };
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', sheet);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const path = `/Composition/${created.body.id}/$rcp-sheet`;
    expect((await world.as('oncologist', 'GET', path)).body.data.diagnosis.comment, 'the record’s note is not the sheet’s comment').to.equal(undefined);

    const read = (await world.as('oncologist', 'GET', path)).body.data;
    const commented = await world.as('oncologist', 'PATCH', path, { diagnosis: { ...read.diagnosis, comment: 'Lésion synchrone hépatique à confirmer en IRM' } });
    expect(commented.status, JSON.stringify(commented.body)).to.equal(200);
    const again = await world.as('oncologist', 'PATCH', path, { question: 'Chirurgie première ?' });
    expect(again.status, JSON.stringify(again.body)).to.equal(200);
    const view = (await world.as('oncologist', 'GET', path)).body;
    expect(view.data.diagnosis).to.include({ condition: `Condition/${recorded.body.id}`, comment: 'Lésion synchrone hépatique à confirmer en IRM' });
    expect(view.data.diagnosis.topography, 'the record’s items are not the sheet’s to send back').to.equal(undefined);

    const condition = (await world.as('oncologist', 'GET', `/Condition/${recorded.body.id}`)).body as Condition;
    expect(condition.meta?.versionId).to.equal(recorded.body.meta.versionId);
    expect(condition.note).to.deep.equal([{ text: 'Note du dossier' }]);
  });
});
