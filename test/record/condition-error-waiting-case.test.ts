import { expect } from 'chai';
import { weekdayDate } from '../../server/fhir-kit/french-dates.ts';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from '../rcp/fixtures.ts';

const texts = (res: { body: any }) => res.body?.issue?.map((i: any) => i.details?.text).join(' | ');

/**
 * A diagnosis a case still waiting for its RCP rests on is not marked « saisie erronée » behind the
 * case's back: refused (409) naming the meeting, until the requesting physician withdraws the request.
 */
describe('Record: a diagnosis under a case not yet discussed is not marked entered-in-error', () => {
  let world: RcpWorld;
  let sessions: { id: string; start: string }[];

  before(async function () {
    this.timeout(180_000);
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    sessions = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());

  const markInError = (condition: string, user = 'surgeon') => world.fhir(user, 'POST', `/Condition/${condition}/$entered-in-error`, { reason: 'Erreur de patient' });
  const verification = async (condition: string) => (await world.fhir('surgeon', 'GET', `/Condition/${condition}`)).body.verificationStatus?.coding?.[0]?.code;

  it('refuses (409) while the case is pending, naming the meeting date and telling to withdraw the request first; allowed once withdrawn', async () => {
    const p = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[1]!.id, p));
    expect(registered.status, registered.text).to.equal(201);
    const caseId = registered.body.case.id;

    const refused = await markInError(p.condition);
    expect(refused.status, refused.text).to.equal(409);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    expect(texts(refused)).to.contain(`Retirez d'abord la demande d'inscription à la RCP du ${weekdayDate(sessions[1]!.start)}`);
    expect(await verification(p.condition)).to.not.equal('entered-in-error');

    const withdrawn = await world.api('surgeon', 'POST', `/cases/${caseId}/withdraw`, { reason: 'Diagnostic saisi dans le mauvais dossier' });
    expect(withdrawn.status, withdrawn.text).to.equal(200);
    const marked = await markInError(p.condition);
    expect(marked.status, marked.text).to.equal(200);
    expect(marked.body.verificationStatus.coding[0].code).to.equal('entered-in-error');
  });

  it('refuses (409) an accepted case too, whoever marks it (another physician of the circle of care)', async () => {
    const p = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[2]!.id, p));
    expect(registered.status, registered.text).to.equal(201);
    const accepted = await world.api('coordinator', 'POST', `/cases/${registered.body.case.id}/accept`);
    expect(accepted.status, accepted.text).to.equal(200);
    const refused = await markInError(p.condition, 'oncologist');
    expect(refused.status, refused.text).to.equal(409);
    expect(texts(refused)).to.contain(`RCP du ${weekdayDate(sessions[2]!.start)}`).and.contain('Retirer la demande');
    expect(await verification(p.condition)).to.not.equal('entered-in-error');
  });

  it('leaves a diagnosis no waiting case rests on alone (another diagnosis of the same patient)', async () => {
    const p = await newPatient(world);
    expect((await world.api('surgeon', 'POST', '/cases', registration(sessions[3]!.id, p))).status).to.equal(201);
    const other = await world.create({
      resourceType: 'Condition', subject: { reference: `Patient/${p.patient}` },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C20', display: 'Tumeur maligne du rectum' }] },
      onsetDateTime: '2026-01-20',
    });
    const marked = await markInError(other.id);
    expect(marked.status, marked.text).to.equal(200);
  });
});
