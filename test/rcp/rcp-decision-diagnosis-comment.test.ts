import { expect } from 'chai';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

const COMMENT = 'Lésion synchrone hépatique à confirmer en IRM';

/**
 * The physician's « Commentaire sur le diagnostic » on a diagnosis taken from the record is the
 * sheet's own entry (rcp-diagnosis-comment): every write of the RCP workflow rewriting the sheet
 * (case status at the session, the proposal, the signature, a correction) keeps it, and the signed
 * report carries it. It was erased when the proposal was recorded, so the signed report lacked it.
 */
describe('RCP decision: the comment on the diagnosis is kept up to the signed report', () => {
  let world: RcpWorld;
  let sessionId: string;
  /** Registered, accepted and commented before the session. */
  const cases: Record<'discussed' | 'recorded', { id: string; sheet: string; condition: string }> = {} as never;

  const register = async () => {
    const p = await newPatient(world);
    const reg = await world.api('surgeon', 'POST', '/cases', registration(sessionId, p));
    expect(reg.status, reg.text).to.equal(201);
    const id = reg.body.case.id as string;
    const sheet = reg.body.case.sheet as string;
    expect((await world.api('oncologist', 'POST', `/cases/${id}/accept`)).status).to.equal(200);
    // The physician comments on the record's diagnosis through the sheet's PATCH.
    const path = `/${sheet}/$rcp-sheet`;
    const read = (await world.fhir('oncologist', 'GET', path)).body.data;
    expect(read.diagnosis.condition, 'the registration takes the diagnosis from the record').to.equal(`Condition/${p.condition}`);
    const commented = await world.fhir('oncologist', 'PATCH', path, { diagnosis: { ...read.diagnosis, comment: COMMENT } });
    expect(commented.status, commented.text).to.equal(200);
    return { id, sheet, condition: `Condition/${p.condition}` };
  };
  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 20 }));
    sessionId = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0].id;
    cases.discussed = await register();
    cases.recorded = await register();
  });
  after(() => world.close());

  const diagnosis = async (sheet: string) => (await world.fhir('oncologist', 'GET', `/${sheet}/$rcp-sheet`)).body.data.diagnosis;
  const printed = async (sheet: string) => {
    const res = await world.fhir('oncologist', 'GET', `/${sheet}/$render?format=html`);
    expect(res.status, res.text).to.equal(200);
    return res.text;
  };

  it('discussed, proposal recorded, signed, corrected: the comment stays on the sheet and in its HTML render', async () => {
    const { id, sheet, condition } = cases.discussed;
    world.clock.now = new Date('2026-03-10T13:00:00Z');
    expect((await world.api('oncologist', 'POST', `/sessions/${sessionId}/start`)).status).to.equal(200);
    const attendance = await world.api('oncologist', 'PUT', `/sessions/${sessionId}/attendance`, {
      attendance: ['oncologist', 'surgeon', 'radiotherapist'].map((p) => ({ practitioner: `Practitioner/${world.ids[p as 'surgeon']}`, mode: 'present' })),
    });
    expect(attendance.status, attendance.text).to.equal(200);
    world.clock.now = new Date('2026-03-10T14:00:00Z');
    expect((await world.api('oncologist', 'POST', `/cases/${id}/discuss`)).status).to.equal(200);
    expect(await diagnosis(sheet), 'kept when the session marks the case discussed').to.include({ condition, comment: COMMENT });

    const decision = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);
    expect(await diagnosis(sheet), 'kept when the proposal is recorded').to.include({ condition, comment: COMMENT });

    // « Enregistrer et signer »: the proposal saved again, then signed.
    const again = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(again.status, again.text).to.equal(200);
    const signed = await world.api('oncologist', 'POST', `/cases/${id}/sign`, {}, { 'if-match': again.headers.get('etag')! });
    expect(signed.status, signed.text).to.equal(200);
    expect(await diagnosis(sheet), 'kept in the signed report').to.include({ condition, comment: COMMENT });
    const html = await printed(sheet);
    expect(html).to.contain(COMMENT);

    world.clock.now = new Date('2026-03-12T09:00:00Z');
    const corrected = await world.api('oncologist', 'POST', `/cases/${id}/correct`, {
      reason: 'Précision de la chimiothérapie adjuvante',
      decision: { ...DECISION, treatments: [{ intention: 1, sequence: 1, type: 'surgery', detail: 'Colectomie gauche par cœlioscopie' }] },
    });
    expect(corrected.status, corrected.text).to.equal(200);
    expect(await diagnosis(sheet), 'kept by a correction of the proposal').to.include({ condition, comment: COMMENT });
    expect(await printed(sheet)).to.contain(COMMENT);
  });

  it('recorded without discussion, proposal recorded and signed: the comment stays', async () => {
    const { id, sheet, condition } = cases.recorded;
    world.clock.now = new Date('2026-03-10T15:00:00Z');
    const recorded = await world.api('oncologist', 'POST', `/cases/${id}/record`, { guideline: { name: 'TNCD — Cancer du côlon', version: '2023', date: '2023-03-15' } });
    expect(recorded.status, recorded.text).to.equal(200);
    const decision = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, guideline: undefined, followsGuideline: undefined });
    expect(decision.status, decision.text).to.equal(200);
    const signed = await world.api('oncologist', 'POST', `/cases/${id}/sign`);
    expect(signed.status, signed.text).to.equal(200);
    expect(await diagnosis(sheet)).to.include({ condition, comment: COMMENT });
    expect(await printed(sheet)).to.contain(COMMENT);
  });
});
