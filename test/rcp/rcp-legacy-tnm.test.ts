import { expect } from 'chai';
import { writeTnmPastTheChecks } from '../rcp-sheet/fixtures.ts';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * A case whose sheet holds a TNM stored before its notation was checked ('pT9z', or imported):
 * the 3C's move rewrites the sheet's session and must go through — the TNM is not what it changes.
 */
describe('RCP workflow: a legacy malformed TNM on the sheet does not block the 3C', () => {
  let world: RcpWorld;
  let sessions: { id: string; start: string }[];

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    sessions = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());

  it('the 3C moves the case to another session: the sheet follows, its TNM kept as stored', async () => {
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[0]!.id, await newPatient(world)));
    expect(registered.status, registered.text).to.equal(201);
    const { id, sheet } = registered.body.case;
    await writeTnmPastTheChecks(world.store.system(), sheet.split('/')[1], { t: 'pT9z', m: 'MX' });

    const moved = await world.api('coordinator', 'POST', `/cases/${id}/move`, { session: `Appointment/${sessions[1]!.id}`, reason: 'Examen anatomopathologique attendu' });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body.sessionId).to.equal(sessions[1]!.id);
    const read = (await world.fhir('surgeon', 'GET', `/${sheet}/$rcp-sheet`)).body;
    expect(read.data.meeting).to.include({ session: `Appointment/${sessions[1]!.id}`, date: sessions[1]!.start });
    expect(read.data.diagnosis.tnm).to.include({ t: 'pT9z', m: 'MX' });
    expect(read.issues.map((i: { expression: string[] }) => i.expression[0])).to.deep.equal(['diagnosis.tnm.t', 'diagnosis.tnm.m']);
  });
});
