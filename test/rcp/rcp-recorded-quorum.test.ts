import { expect } from 'chai';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * A case recorded by guideline (not discussed) was still before the meeting: its report names the
 * participants counted in the quorum and whether it was reached. The demo's signed report of a
 * recorded case printed every participant « Non » and « Quorum Inconnu ».
 */
describe('RCP: a recorded case carries its session\'s attendance and quorum', () => {
  let world: RcpWorld;
  after(() => world?.close());

  it('records the quorum when the case is recorded: the sheet counts the participants and says « reached »', async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    const s = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0];
    const p = await newPatient(world);
    const reg = await world.api('surgeon', 'POST', '/cases', registration(s.id, p));
    expect(reg.status, reg.text).to.equal(201);
    const id = reg.body.case.id as string;
    const sheet = reg.body.case.sheet as string;
    expect((await world.api('oncologist', 'POST', `/cases/${id}/accept`)).status).to.equal(200);
    world.clock.now = new Date('2026-03-10T13:00:00Z');
    expect((await world.api('oncologist', 'POST', `/sessions/${s.id}/start`)).status).to.equal(200);
    const pros = ['oncologist', 'radiotherapist', 'surgeon'] as const;
    const attendance = { attendance: pros.map((pro) => ({ practitioner: `Practitioner/${world.ids[pro]}`, mode: 'present' })) };
    expect((await world.api('oncologist', 'PUT', `/sessions/${s.id}/attendance`, attendance)).status).to.equal(200);
    const rec = await world.api('oncologist', 'POST', `/cases/${id}/record`, { guideline: { name: 'TNCD — Cancer du côlon', version: '2023' } });
    expect(rec.status, rec.text).to.equal(200);
    const decision = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);

    const data = (await world.fhir('oncologist', 'GET', `/${sheet}/$rcp-sheet`)).body.data;
    expect(data.fileStatus.quorum).to.equal('reached');
    expect(data.participants.map((x: { practitioner?: string; inQuorum?: boolean }) => x.inQuorum)).to.deep.equal([true, true, true]);
  });
});
