import { expect } from 'chai';
import { unique, type RunningServer } from '../helpers/harness.ts';
import { createdId, professional, testUsers } from '../helpers/users.ts';
import { as, createCareCase, ppsInput, startCarePlanServer, type CareCase } from '../care-plan/fixtures.ts';

const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/**
 * The médecin traitant is declared from the record by a physician of the circle of care
 * (Patient/{id}/$general-practitioner): a new version of the Patient with only that field changed,
 * a GP of the directory only, refused (403) to anyone else; the PPS can then be sent to the GP.
 */
describe('Record: a physician of the circle declares the patient’s médecin traitant', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  /** A care case whose patient has no GP on file (as a patient created in the app). */
  async function caseWithoutGp(): Promise<CareCase & { patient: any }> {
    const c = await createCareCase(server, users);
    const patient = (await as(server, 'system', 'GET', `/Patient/${c.patientId}`)).body;
    delete patient.generalPractitioner;
    const put = await as(server, 'system', 'PUT', `/Patient/${c.patientId}`, patient);
    expect(put.status, put.text).to.equal(200);
    return { ...c, patient: put.body };
  }
  const declare = (user: string, patientId: string, practitioner: string, headers: Record<string, string> = {}) =>
    as(server, user, 'POST', `/Patient/${patientId}/$general-practitioner`, { practitioner }, headers);

  it('sets Patient.generalPractitioner in place (identity untouched, new version); the GP then reaches the record and the PPS can be sent', async () => {
    const c = await caseWithoutGp();
    const gp = `Practitioner/${c.practitioners.gp}`;
    expect((await as(server, 'gp', 'GET', `/Patient/${c.patientId}`)).status, 'not yet in the circle').to.be.oneOf([403, 404]);

    const res = await declare('oncologist', c.patientId, gp, { 'if-match': `W/"${c.patient.meta.versionId}"` });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.generalPractitioner).to.have.length(1);
    expect(res.body.generalPractitioner[0].reference).to.equal(gp);
    expect(res.body.generalPractitioner[0].display).to.match(/^Dr Laurent Chabert-/);
    expect(res.body.id).to.equal(c.patientId);
    expect(Number(res.body.meta.versionId)).to.equal(Number(c.patient.meta.versionId) + 1);
    for (const field of ['identifier', 'extension', 'name', 'birthDate', 'gender', 'managingOrganization']) {
      expect(res.body[field], field).to.deep.equal(c.patient[field]);
    }
    // The same GP again: nothing new written.
    const again = await declare('oncologist', c.patientId, gp);
    expect(again.body.meta.versionId).to.equal(res.body.meta.versionId);

    expect((await as(server, 'gp', 'GET', `/Patient/${c.patientId}`)).status, 'the declared GP is in the circle').to.equal(200);
    // The hand-over's « send it to the GP » (refused while no GP was declared) now goes through.
    const pps = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(pps.status, pps.text).to.equal(201);
    const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(handed.status, handed.text).to.equal(200);
    expect(handed.body.extension.find((e: any) => e.url.endsWith('share-with-gp')).valueBoolean).to.equal(true);
  });

  it('refuses other professions and physicians outside the circle (403, record unchanged), a non-GP (422) and a stale version (412)', async () => {
    const c = await caseWithoutGp();
    const gp = `Practitioner/${c.practitioners.gp}`;
    const outsiderId = await createdId(server, { resourceType: 'Practitioner', name: [{ family: `Hors-${unique()}`, given: ['Paul'], prefix: ['Dr'] }], qualification: [{ code: { coding: [{ system: G15, code: '10' }, { system: R38, code: 'SM36' }] } }] } as any);
    users.outsider = professional('Dr Paul Hors', ['physician'], { practitionerId: outsiderId });
    for (const user of ['gp', 'nurse', 'coordinator', 'outsider']) {
      const refused = await declare(user, c.patientId, gp);
      expect(refused.status, `${user}: ${refused.text}`).to.equal(403);
    }
    const surgeon = await declare('oncologist', c.patientId, `Practitioner/${c.practitioners.surgeon}`);
    expect(surgeon.status, surgeon.text).to.equal(422);
    expect(surgeon.body.issue[0].expression).to.deep.equal(['practitioner']);
    expect(surgeon.body.issue[0].details.text).to.contain("n'est pas un médecin généraliste");
    expect((await declare('oncologist', c.patientId, 'Practitioner/inconnu')).status).to.equal(422);
    expect((await declare('oncologist', c.patientId, 'Organization/x')).status).to.equal(422);
    const stale = await declare('oncologist', c.patientId, gp, { 'if-match': 'W/"1"' });
    expect(stale.status, stale.text).to.equal(412);

    const stored = (await as(server, 'system', 'GET', `/Patient/${c.patientId}`)).body;
    expect(stored.meta.versionId).to.equal(c.patient.meta.versionId);
    expect(stored.generalPractitioner).to.equal(undefined);
  });

  it('holds on every path: a FHIR PUT, POST or transaction naming a non-GP as médecin traitant is refused (422), a directory GP is accepted', async () => {
    const c = await caseWithoutGp();
    const surgeon = `Practitioner/${c.practitioners.surgeon}`;
    const put = await as(server, 'oncologist', 'PUT', `/Patient/${c.patientId}`, { ...c.patient, generalPractitioner: [{ reference: surgeon }] });
    expect(put.status, put.text).to.equal(422);
    expect(put.body.issue[0].expression).to.deep.equal(['Patient.generalPractitioner[0]']);
    expect((await as(server, 'gp', 'GET', `/Patient/${c.patientId}`)).status).to.be.oneOf([403, 404]);
    const { id: _id, meta: _meta, identifier: _ins, ...fields } = c.patient;
    const post = await as(server, 'oncologist', 'POST', '/Patient', { ...fields, name: [{ use: 'official', family: `Autre-${unique()}`, given: ['Anne'] }], generalPractitioner: [{ reference: surgeon }] });
    expect(post.status, post.text).to.equal(422);
    const bundle = await as(server, 'oncologist', 'POST', '', {
      resourceType: 'Bundle', type: 'transaction',
      entry: [{ resource: { ...c.patient, generalPractitioner: [{ reference: surgeon }] }, request: { method: 'PUT', url: `Patient/${c.patientId}` } }],
    });
    expect(bundle.status, bundle.text).to.equal(422);
    expect((await as(server, 'system', 'GET', `/Patient/${c.patientId}`)).body.meta.versionId).to.equal(c.patient.meta.versionId);

    const gp = await as(server, 'oncologist', 'PUT', `/Patient/${c.patientId}`, { ...c.patient, generalPractitioner: [{ reference: `Practitioner/${c.practitioners.gp}` }] });
    expect(gp.status, gp.text).to.equal(200);
    // Kept as stored: another field changed later is not judged again on the GP.
    const renamed = await as(server, 'oncologist', 'PUT', `/Patient/${c.patientId}`, { ...gp.body, gender: gp.body.gender });
    expect(renamed.status, renamed.text).to.equal(200);
  });
});
