import { expect } from 'chai';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';
import { asUser } from '../helpers/users.ts';

const rule = (res: { body: any }) => res.body?.issue?.[0]?.details?.coding?.[0]?.code;

/**
 * Issue 11, item 3: a session is held on its day. Opened days before its date it is refused (409)
 * unless the 3C reschedules it with a reason; the actual opening time is recorded, the report carries
 * the real date of the meeting, and no delay indicator can come out negative.
 */
describe('A session is run on its date, or explicitly rescheduled', () => {
  let world: RcpWorld;
  let boardId: string;
  let sessions: { id: string; start: string }[];

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    boardId = board.body.id;
    sessions = (await world.api('coordinator', 'POST', `/boards/${boardId}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());

  it('opened four days early: 409; rescheduled with its reason, the session and the report take the real date; the delays are not negative', async () => {
    const session = sessions[0]!; // Tuesday 10 March 2026, 14:00 Paris
    const p = await newPatient(world);
    const reg = await world.api('surgeon', 'POST', '/cases', registration(session.id, p));
    expect(reg.status, reg.text).to.equal(201);
    const caseId = reg.body.case.id;
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/accept`)).status).to.equal(200);

    world.clock.now = new Date('2026-03-06T09:30:00Z');
    const early = await world.api('oncologist', 'POST', `/sessions/${session.id}/start`);
    expect(early.status).to.equal(409);
    expect(rule(early)).to.equal('session-not-today');
    expect(early.body.issue[0].details.text).to.contain('mardi 10 mars 2026').and.to.contain('rescheduleReason');
    expect((await world.api('oncologist', 'GET', `/sessions/${session.id}`)).body.session.state).to.equal('planned');
    const blank = await world.api('oncologist', 'POST', `/sessions/${session.id}/start`, { rescheduleReason: '  ' });
    expect(blank.status).to.equal(400);

    const moved = await world.api('oncologist', 'POST', `/sessions/${session.id}/start`, { rescheduleReason: 'Séance avancée : bloc opératoire indisponible le 10' });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body).to.include({ state: 'in-progress', start: '2026-03-06T09:30:00.000Z', startedAt: '2026-03-06T09:30:00.000Z', override: 'moved' });
    expect(moved.body.originalStart).to.equal(session.start);
    expect(moved.body.overrideReason).to.contain('bloc opératoire');

    await world.api('oncologist', 'PUT', `/sessions/${session.id}/attendance`, {
      attendance: ['oncologist', 'surgeon', 'radiotherapist'].map((x) => ({ practitioner: `Practitioner/${world.ids[x as 'surgeon']}`, mode: 'present' })),
    });
    world.clock.now = new Date('2026-03-06T09:45:00Z');
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/discuss`)).status).to.equal(200);
    expect((await world.api('oncologist', 'PUT', `/cases/${caseId}/decision`, DECISION)).status).to.equal(200);
    world.clock.now = new Date('2026-03-06T16:00:00Z');
    const signed = await world.api('oncologist', 'POST', `/cases/${caseId}/sign`);
    expect(signed.status, signed.text).to.equal(200);
    const html = await (await fetch(`${world.url}/fhir/${signed.body.report.reference}/$render`, { headers: asUser('oncologist') })).text();
    expect(html).to.contain('réunion du 06/03/2026');
    expect(html).not.to.contain('10/03/2026');

    const indicators = await world.api('coordinator', 'GET', `/indicators?board=${boardId}&from=2026-03-01&to=2026-04-01`);
    expect(indicators.status, indicators.text).to.equal(200);
    const delays = indicators.body.total.delays;
    expect(delays.sessionToSignature).to.deep.equal({ n: 1, medianHours: 6.5, p90Hours: 6.5 });
    for (const d of Object.values(delays) as { medianHours: number | null; p90Hours: number | null }[]) {
      for (const v of [d.medianHours, d.p90Hours]) if (v !== null) expect(v).to.be.at.least(0);
    }
  });

  it('opened on its day, later than planned: accepted, the date kept, the actual opening time recorded', async () => {
    const session = sessions[1]!; // Tuesday 24 March 2026, 14:00 Paris (13:00Z)
    world.clock.now = new Date('2026-03-24T13:40:00Z');
    const started = await world.api('oncologist', 'POST', `/sessions/${session.id}/start`);
    expect(started.status, started.text).to.equal(200);
    expect(started.body).to.include({ start: session.start, startedAt: '2026-03-24T13:40:00.000Z' });
    expect(started.body.override).to.equal(undefined);
  });
  it('opened two weeks ahead: the session and its accepted case move to today, the planned slot stays on the calendar with the pending request', async () => {
    const planned = sessions[2]!;
    world.clock.now = new Date('2026-03-25T08:00:00Z');
    const accepted = await world.api('surgeon', 'POST', '/cases', registration(planned.id, await newPatient(world)));
    expect(accepted.status, accepted.text).to.equal(201);
    expect((await world.api('oncologist', 'POST', `/cases/${accepted.body.case.id}/accept`)).status).to.equal(200);
    const pending = await world.api('surgeon', 'POST', '/cases', registration(planned.id, await newPatient(world)));
    expect(pending.status, pending.text).to.equal(201);

    const refused = await world.api('oncologist', 'POST', `/sessions/${planned.id}/start`);
    expect(refused.body.issue[0].details.text).not.to.contain('la date prévue est conservée');
    expect(refused.body.issue[0].details.text).to.contain('le créneau prévu reste au calendrier avec les demandes en attente');

    world.clock.now = new Date('2026-03-25T08:30:00Z');
    const opened = await world.api('oncologist', 'POST', `/sessions/${planned.id}/start`, { rescheduleReason: 'Dossier urgent, séance supplémentaire' });
    expect(opened.status, opened.text).to.equal(200);
    expect(opened.body).to.include({ id: planned.id, state: 'in-progress', start: '2026-03-25T08:30:00.000Z', originalStart: planned.start });
    const slot = opened.body.keptSlot.session;
    expect(slot).to.include({ state: 'planned', start: planned.start });
    expect(slot.id).not.to.equal(planned.id);
    expect(opened.body.keptSlot.pendingKept).to.deep.equal([pending.body.case.id]);

    // The board's calendar still has the planned date, once; the accepted case went with the session, the pending one stayed.
    const list = await world.api('coordinator', 'GET', `/boards/${boardId}/sessions?from=2026-03-25`);
    const atPlanned = (list.body.sessions ?? list.body).filter((s: { start: string }) => s.start === planned.start);
    expect(atPlanned.map((s: { id: string; state: string }) => [s.id, s.state])).to.deep.equal([[slot.id, 'planned']]);
    expect((await world.api('oncologist', 'GET', `/cases/${accepted.body.case.id}`)).body.sessionId).to.equal(planned.id);
    const kept = (await world.api('oncologist', 'GET', `/cases/${pending.body.case.id}`)).body;
    expect(kept).to.include({ sessionId: slot.id, state: 'pending' });
    const slotAgenda = (await world.api('coordinator', 'GET', `/sessions/${slot.id}`)).body.agenda;
    expect(slotAgenda.entries.map((e: { case: string; flag: string }) => [e.case, e.flag])).to.deep.equal([[pending.body.case.id, 'scheduled']]);
    const openedAgenda = (await world.api('coordinator', 'GET', `/sessions/${planned.id}`)).body.agenda;
    expect(openedAgenda.entries.find((e: { case: string }) => e.case === pending.body.case.id).flag).to.equal('moved');

    // Generating again plans nothing twice and cancels nothing.
    const again = (await world.api('coordinator', 'POST', `/boards/${boardId}/sessions/generate`, {})).body;
    expect(again.created.map((s: { start: string }) => s.start)).not.to.include(planned.start);
    expect(again.cancelled).to.deep.equal([]);
  });
});
