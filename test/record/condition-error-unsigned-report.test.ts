import { expect } from 'chai';
import { weekdayDate } from '../../server/fhir-kit/french-dates.ts';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from '../rcp/fixtures.ts';

const texts = (res: { body: any }) => res.body?.issue?.map((i: any) => i.details?.text).join(' | ');

/**
 * A case discussed (or recorded) whose report is not signed yet: marking its diagnosis « saisie
 * erronée » would let the report be signed on a diagnosis the record calls wrong. Refused (409)
 * naming the meeting: the report is signed first, then corrected through the sheet's correction,
 * as for a signed report.
 */
describe('Record: a diagnosis under a discussed case whose report is not signed is not marked entered-in-error', () => {
  let world: RcpWorld;
  let boardName: string;
  let session: { id: string; start: string };

  const presence = (...pros: string[]) => ({
    attendance: pros.map((pro) => ({ practitioner: `Practitioner/${world.ids[pro as keyof typeof world.ids]}`, mode: 'present' })),
  });
  const markInError = (condition: string, user = 'surgeon') => world.fhir(user, 'POST', `/Condition/${condition}/$entered-in-error`, { reason: 'Erreur de patient' });
  const verification = async (condition: string) => (await world.fhir('surgeon', 'GET', `/Condition/${condition}`)).body.verificationStatus?.coding?.[0]?.code;
  const register = async () => {
    const p = await newPatient(world);
    const res = await world.api('surgeon', 'POST', '/cases', registration(session.id, p));
    expect(res.status, res.text).to.equal(201);
    expect((await world.api('coordinator', 'POST', `/cases/${res.body.case.id}/accept`)).status).to.equal(200);
    return { ...p, caseId: res.body.case.id as string };
  };

  let discussed: Awaited<ReturnType<typeof register>>;
  let recorded: Awaited<ReturnType<typeof register>>;

  before(async function () {
    this.timeout(180_000);
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const settings = digestiveBoard(world);
    boardName = settings.name as string;
    const board = await world.api('coordinator', 'POST', '/boards', settings);
    session = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0];
    discussed = await register();
    recorded = await register();
    world.clock.now = new Date(new Date(session.start).getTime() + 60_000);
    expect((await world.api('oncologist', 'POST', `/sessions/${session.id}/start`)).status).to.equal(200);
    expect((await world.api('oncologist', 'PUT', `/sessions/${session.id}/attendance`, presence('oncologist', 'radiotherapist', 'surgeon'))).status).to.equal(200);
    const d = await world.api('oncologist', 'POST', `/cases/${discussed.caseId}/discuss`);
    expect(d.status, d.text).to.equal(200);
    const r = await world.api('oncologist', 'POST', `/cases/${recorded.caseId}/record`, { guideline: { name: 'TNCD — Cancer du côlon', version: '2023' } });
    expect(r.status, r.text).to.equal(200);
  });
  after(() => world.close());

  it('refuses (409) a discussed case\'s diagnosis, naming the meeting and board: the report is signed, then corrected through the sheet', async () => {
    const refused = await markInError(discussed.condition);
    expect(refused.status, refused.text).to.equal(409);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    expect(texts(refused))
      .to.contain(`dossier discuté à la RCP du ${weekdayDate(session.start)} (${boardName}), dont le compte rendu n'est pas encore signé`)
      .and.contain('doit d\'abord être signé')
      .and.contain('correction de la fiche RCP (nouvelle version signée avec son motif)')
      .and.not.contain('Retirer la demande');
    expect(await verification(discussed.condition)).to.not.equal('entered-in-error');
  });

  it('refuses (409) a recorded case\'s diagnosis the same way, whoever marks it', async () => {
    const refused = await markInError(recorded.condition, 'oncologist');
    expect(refused.status, refused.text).to.equal(409);
    expect(texts(refused)).to.contain(`dossier enregistré à la RCP du ${weekdayDate(session.start)} (${boardName})`).and.contain('correction de la fiche RCP');
    expect(await verification(recorded.condition)).to.not.equal('entered-in-error');
  });

  it('still refuses once the session is closed: the report stays to sign', async () => {
    const closed = await world.api('oncologist', 'POST', `/sessions/${session.id}/close`);
    expect(closed.status, closed.text).to.equal(200);
    const refused = await markInError(discussed.condition);
    expect(refused.status, refused.text).to.equal(409);
    expect(texts(refused)).to.contain("compte rendu n'est pas encore signé");
  });
});
