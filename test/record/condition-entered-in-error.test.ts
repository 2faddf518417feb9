import { expect } from 'chai';
import type { Condition } from '@medplum/fhirtypes';
import { readResponse } from '../helpers/harness.ts';
import { asUser } from '../helpers/users.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

type Json = Record<string, any>;

/** A wrong diagnosis is marked « saisie erronée » with its reason, never deleted (FHIR verificationStatus entered-in-error). */
describe('Record: a wrong diagnosis is marked entered-in-error, with its reason, traced, kept in the history', () => {
  let world: World;
  before(async function () {
    this.timeout(180_000);
    world = await startWorld();
  });
  after(() => world.close());

  // A fixed recording day, away from the periods other suites count (test/pathway/quality-criteria.test.ts).
  const diagnosis = async (recordedDate = '2026-03-10'): Promise<Condition> => {
    const res = await world.as('oncologist', 'POST', '/Condition', {
      resourceType: 'Condition', subject: { reference: `Patient/${world.patientId}` },
      extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8500/3', display: 'Carcinome canalaire infiltrant, SAI' }] } }],
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C50.4', display: 'Tumeur maligne du quadrant supéro-externe du sein' }] },
      onsetDateTime: '2026-02-03', recordedDate,
    });
    expect(res.status, res.text).to.equal(201);
    return res.body;
  };
  const markInError = (id: string, body: unknown, user = 'oncologist') => world.as(user, 'POST', `/Condition/${id}/$entered-in-error`, body);

  it('requires a reason (422 naming it) and a physician (403)', async () => {
    const c = await diagnosis();
    const none = await markInError(c.id!, {});
    expect(none.status, none.text).to.equal(422);
    expect(none.body.issue[0].expression).to.deep.equal(['reason']);
    expect(none.body.issue[0].details.text).to.contain('motif de la saisie erronée');
    expect((await markInError(c.id!, { reason: '  ' })).status).to.equal(422);
    const nurse = await markInError(c.id!, { reason: 'Erreur de patient' }, 'nurse');
    expect(nurse.status).to.equal(403);
    expect((await world.as('oncologist', 'GET', `/Condition/${c.id}`)).body.verificationStatus.coding[0].code).to.equal('confirmed');
  });

  it('marks it: verificationStatus entered-in-error, no clinicalStatus (con-5), the reason in a dated note; a new version, the first kept; shown as « saisie erronée » in the timeline', async () => {
    const c = await diagnosis();
    const res = await markInError(c.id!, { reason: 'Diagnostic saisi dans le dossier d’un homonyme' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.verificationStatus.coding[0].code).to.equal('entered-in-error');
    expect(res.body.clinicalStatus).to.equal(undefined);
    expect(res.body.note.at(-1).text).to.equal('Saisie erronée : Diagnostic saisi dans le dossier d’un homonyme');
    expect(res.body.note.at(-1).authorReference.reference).to.match(/^Practitioner\//);
    expect(res.body.meta.versionId).to.equal('2');
    const history = await world.as('oncologist', 'GET', `/Condition/${c.id}/_history`);
    expect(history.body.entry.map((e: Json) => e.resource.verificationStatus.coding[0].code)).to.have.members(['confirmed', 'entered-in-error']);
    // Again: nothing more to do, the same version.
    expect((await markInError(c.id!, { reason: 'encore' })).body.meta.versionId).to.equal('2');
    const timeline = await world.as('oncologist', 'GET', `/Patient/${world.patientId}/$timeline`);
    const event = timeline.body.events.find((e: Json) => e.reference === `Condition/${c.id}`);
    expect(event?.label, timeline.text).to.equal('Diagnostic (saisie erronée) : Tumeur maligne du quadrant supéro-externe du sein');
  });

  it('is no longer counted in the quality criteria of the 3C indicators', async () => {
    const c = await diagnosis();
    const listed = async () => {
      const res = await readResponse(await fetch(`${world.server.url}/api/pathway/quality-criteria?from=2026-03-10&to=2026-03-11`, { headers: asUser('system') }));
      expect(res.status, res.text).to.equal(200);
      return JSON.stringify(res.body).includes(`Condition/${c.id}`);
    };
    expect(await listed()).to.equal(true);
    expect((await markInError(c.id!, { reason: 'Erreur de code CIM-10' })).status).to.equal(200);
    expect(await listed()).to.equal(false);
  });

  it('refuses (409) a diagnosis a signed RCP report rests on: it is corrected through the report', async () => {
    const c = await diagnosis();
    const input = colonCancerSheet(world);
    input.diagnosis = { ...input.diagnosis!, condition: `Condition/${c.id}` } as typeof input.diagnosis;
    delete (input.diagnosis as Json).morphology;
    delete (input.diagnosis as Json).topography;
    delete (input.diagnosis as Json).laterality;
    const sheet = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
    expect(sheet.status, sheet.text).to.equal(201);
    const signed = await world.as('oncologist', 'POST', `/Composition/${sheet.body.id}/$sign`, undefined, { 'if-match': 'W/"1"' });
    expect(signed.status, signed.text).to.equal(200);
    const res = await markInError(c.id!, { reason: 'Erreur de patient' });
    expect(res.status, res.text).to.equal(409);
    expect(res.body.issue[0].details.text).to.contain(`compte rendu de RCP signé Composition/${sheet.body.id}`).and.contain('correction de la fiche RCP');
    expect((await world.as('oncologist', 'GET', `/Condition/${c.id}`)).body.verificationStatus.coding[0].code).to.equal('confirmed');
  });
});
