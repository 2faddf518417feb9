import { expect } from 'chai';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * QA walkthrough: the 3C had to open 19 sessions to find 3 pending requests. Its home lists every
 * request still awaiting its answer on the boards it runs, across sessions: patient, requester,
 * board, session asked for, date of the request.
 */
describe('RCP: the 3C inbox of pending registrations, across sessions', () => {
  let world: RcpWorld;
  let sessions: { id: string; start: string }[];

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    sessions = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());

  it('lists the pending requests of two sessions, oldest first, with what the 3C needs to answer them; not the accepted one; not for a physician', async () => {
    const first = await world.api('surgeon', 'POST', '/cases', registration(sessions[1]!.id, await newPatient(world)));
    world.clock.now = new Date('2026-03-02T09:00:00Z');
    const second = await world.api('surgeon', 'POST', '/cases', registration(sessions[0]!.id, await newPatient(world)));
    const accepted = await world.api('surgeon', 'POST', '/cases', registration(sessions[0]!.id, await newPatient(world)));
    for (const r of [first, second, accepted]) expect(r.status, r.text).to.equal(201);
    expect((await world.api('oncologist', 'POST', `/cases/${accepted.body.case.id}/accept`)).status).to.equal(200);

    const inbox = await world.api('coordinator', 'GET', '/registrations/pending');
    expect(inbox.status, inbox.text).to.equal(200);
    expect(inbox.body.map((r: { case: string }) => r.case)).to.deep.equal([first.body.case.id, second.body.case.id]);
    const [row] = inbox.body;
    expect(row).to.include({ sessionId: sessions[1]!.id, sessionStart: sessions[1]!.start, registeredAt: '2026-03-02T08:00:00.000Z', late: false });
    expect(row.patientName).to.be.a('string').and.not.be.empty;
    expect(row.boardName).to.be.a('string').and.not.equal('RCP');
    expect(row.requesterDisplay ?? row.requester).to.be.a('string').and.not.be.empty;

    const physician = await world.api('surgeon', 'GET', '/registrations/pending');
    expect(physician.status).to.equal(403);
  });
});
