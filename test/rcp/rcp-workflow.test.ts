import { expect } from 'chai';
import { OutboxStore } from '../../server/store/outbox-store.ts';
import { CLINICAL, DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * A real RCP, from board set-up to signed report, through the API: the 3C coordinator defines the
 * board and generates its sessions, a physician registers a case, the board's coordinating
 * physician runs the session (quorum, discussion), the decision is written and signed, the report
 * queued for the GP in the same transaction, and the indicators show it.
 */
describe('RCP workflow end to end', () => {
  let world: RcpWorld;
  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
  });
  after(() => world.close());

  it('runs a real RCP from board set-up to signed report, and the indicators show it', async () => {
    const { api } = world;
    // 1. The 3C coordinator defines the board (2nd and 4th Tuesday 14:00–16:00 Paris) and generates its sessions.
    const created = await api('coordinator', 'POST', '/boards', digestiveBoard(world));
    expect(created.status, created.text).to.equal(201);
    expect(created.headers.get('etag')).to.equal('W/"1"');
    const board = created.body;
    expect(board.members).to.have.length(5);
    expect(board.quorum.mandated[0].label).to.equal('Chirurgien');

    const generated = await api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {});
    expect(generated.status, generated.text).to.equal(200);
    expect(generated.body.created.map((s: any) => s.start)).to.deep.equal([
      '2026-03-10T13:00:00.000Z', '2026-03-24T13:00:00.000Z', '2026-04-14T12:00:00.000Z', '2026-04-28T12:00:00.000Z',
    ]);
    const again = await api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {});
    expect(again.body.created).to.have.length(0);
    expect(again.body.unchanged).to.equal(4);
    const session = generated.body.created[0];

    // 2. A physician of the patient's care team registers the case.
    const p = await newPatient(world);
    const registered = await api('surgeon', 'POST', '/cases', registration(session.id, p));
    expect(registered.status, registered.text).to.equal(201);
    const caseId = registered.body.case.id;
    expect(registered.body.case.state).to.equal('pending');
    expect(registered.body.case.sheet).to.match(/^Composition\//);
    expect(registered.body.completeness.filter((m: any) => m.severity === 'error'), JSON.stringify(registered.body.completeness)).to.deep.equal([]);

    // 3. The board's coordinating physician accepts it and sees it on the agenda, file complete.
    const accepted = await api('coordinator', 'POST', `/cases/${caseId}/accept`, {}, { 'if-match': registered.headers.get('etag')! });
    expect(accepted.status, accepted.text).to.equal(200);
    expect(accepted.body.state).to.equal('accepted');
    const details = await api('coordinator', 'GET', `/sessions/${session.id}`);
    expect(details.body.agenda.entries).to.have.length(1);
    expect(details.body.agenda.entries[0]).to.include({ case: caseId, flag: 'scheduled', visible: true, state: 'accepted', fileComplete: true, position: 1 });
    expect(details.body.agenda.places).to.deep.equal({ used: 1, capacity: 3 });

    // 4. Session day: opened, attendance taken, the case discussed with the quorum.
    world.clock.now = new Date('2026-03-10T13:05:00Z');
    expect((await api('coordinator', 'POST', `/sessions/${session.id}/start`)).status).to.equal(200);
    const attendance = await api('coordinator', 'PUT', `/sessions/${session.id}/attendance`, {
      attendance: [
        { practitioner: `Practitioner/${world.ids.oncologist}`, mode: 'present' },
        { practitioner: `Practitioner/${world.ids.surgeon}`, mode: 'present' },
        { practitioner: `Practitioner/${world.ids.radiotherapist}`, mode: 'remote' },
      ],
    });
    expect(attendance.status, attendance.text).to.equal(200);
    expect(attendance.body.attendance.map((a: any) => a.speciality.code)).to.deep.equal(['SM36', 'SM14', 'SM37']);
    const discussed = await api('oncologist', 'POST', `/cases/${caseId}/discuss`);
    expect(discussed.status, discussed.text).to.equal(200);
    expect(discussed.body.state).to.equal('discussed');
    expect(discussed.body.quorum.reached).to.equal(true);

    // 5. The decision, then the signature by a physician who took part: report locked, message queued.
    const decision = await api('oncologist', 'PUT', `/cases/${caseId}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);
    expect(decision.body.decision).to.match(/^CarePlan\//);
    expect(decision.body.proposal.treatments).to.have.length(3);
    world.clock.now = new Date('2026-03-11T09:00:00Z');
    const signed = await api('surgeon', 'POST', `/cases/${caseId}/sign`, {}, { 'if-match': decision.headers.get('etag')! });
    expect(signed.status, signed.text).to.equal(200);
    expect(signed.body.case.state).to.equal('signed');
    expect(signed.body.case.signedAt).to.equal('2026-03-11T09:00:00.000Z');
    expect(signed.body.outbox.status).to.equal('pending');
    const sheet = await world.fhir('surgeon', 'GET', `/${signed.body.report.reference}`);
    expect(sheet.body.status).to.equal('final');
    expect(sheet.body.attester.find((a: any) => a.mode === 'legal').party.reference).to.equal(`Practitioner/${world.ids.surgeon}`);
    const [message] = await new OutboxStore(world.store.db).findByDedupKeys([signed.body.outbox.dedupKey]);
    expect(message!.kind).to.equal('rcp-report');
    expect((message!.payload as any).recipients).to.deep.include({ role: 'general-practitioner', practitioner: `Practitioner/${world.ids.gp}` });
    expect((message!.payload as any).recipients.map((r: any) => r.role)).to.include('requester');

    // 6. The session closes; the report is sent (by the sharing worker: simulated here).
    const closed = await api('coordinator', 'POST', `/sessions/${session.id}/close`);
    expect(closed.status, closed.text).to.equal(200);
    expect(closed.body.carriedOver).to.deep.equal([]);
    await new OutboxStore(world.store.db).markSent(message!.id, new Date('2026-03-11T10:30:00Z'));

    const indicators = await api('coordinator', 'GET', `/indicators?board=${board.id}&from=2026-03-01&to=2026-04-01`);
    expect(indicators.status, indicators.text).to.equal(200);
    const total = indicators.body.total;
    expect(total).to.include({ sessionsHeld: 1, sessionsPlanned: 1, casesRegistered: 1, casesDiscussed: 1, casesSigned: 1, quorumRate: 1, trialProposalShare: 0 });
    // From when the session was actually opened (13:05), not its planned hour.
    expect(total.delays.sessionToSignature).to.deep.equal({ n: 1, medianHours: 19.9, p90Hours: 19.9 });
    expect(total.delays.signatureToSent).to.deep.equal({ n: 1, medianHours: 1.5, p90Hours: 1.5 });
    expect(total.delays.registrationToSession.n).to.equal(1);
    const csv = await api('coordinator', 'GET', `/indicators?board=${board.id}&from=2026-03-01&to=2026-04-01&format=csv`);
    expect(csv.status).to.equal(200);
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    expect(csv.text).to.contain('Séances tenues;').and.to.contain(board.name);
    void CLINICAL;
  });
});
