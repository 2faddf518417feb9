import { expect } from 'chai';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

const rule = (res: { body: any }) => res.body?.issue?.[0]?.details?.coding?.[0]?.code;
const texts = (res: { body: any }) => res.body?.issue?.map((i: any) => i.details?.text).join(' | ');

/**
 * Boards: the charter the 3C sets up (members, quorum, recurrence with date overrides, cut-off,
 * capacity), idempotent session generation, the iCalendar feeds, and the quorum as the API reports it.
 */
describe('RCP boards: charter, generation with date overrides, calendars, quorum', () => {
  let world: RcpWorld;
  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
  });
  after(() => world.close());

  it('only the coordinators of the board\'s 3C set it up, and its charter is checked', async () => {
    const byPhysician = await world.api('oncologist', 'POST', '/boards', digestiveBoard(world));
    expect(byPhysician.status).to.equal(403);
    expect(rule(byPhysician)).to.equal('not-board-manager');
    const otherCentre = await world.create({ resourceType: 'Organization', name: 'Autre 3C' });
    const elsewhere = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { coordinationCentre: `Organization/${otherCentre.id}` }));
    expect(elsewhere.status).to.equal(403);

    const lowQuorum = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { quorum: { minSpecialities: 2 } }));
    expect(lowQuorum.status).to.equal(422);
    expect(rule(lowQuorum)).to.equal('board-quorum');
    expect(texts(lowQuorum)).to.contain('au moins 3 spécialités');
    const impossible = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, {
      quorum: { relevantSpecialities: ['SM36', 'SM37', 'SM24'], mandated: [{ label: 'Chirurgien', anyOf: ['SM14'] }] },
    }));
    expect(impossible.status).to.equal(422);
    expect(texts(impossible)).to.contain('« Chirurgien » ne figure pas parmi les spécialités retenues');
    const badRule = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { schedule: { rrule: 'FREQ=MINUTELY', startTime: '14:00', endTime: '16:00', from: '2026-01-01' } }));
    expect(badRule.status).to.equal(422);
    expect(rule(badRule)).to.equal('board-schedule');
    const badHoliday = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { overrides: [{ date: '2026-03-11', kind: 'holiday' }] }));
    expect(badHoliday.status).to.equal(422);
    expect(badHoliday.body.issue[0].expression).to.deep.equal(['overrides[0].date']);
    const unknownMember = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { members: [{ practitioner: 'Practitioner/inconnu' }] }));
    expect(unknownMember.status).to.equal(422);
    const noName = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { name: '', kind: 'surprise', capacity: 0 }));
    expect(noName.status).to.equal(422);
    expect(noName.body.issue.map((i: any) => i.expression[0])).to.include.members(['name', 'kind', 'capacity']);

    const ok = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { code: 'RCP-UNIQUE-TEST' }));
    expect(ok.status, ok.text).to.equal(201);
    const duplicate = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { code: 'RCP-UNIQUE-TEST' }));
    expect(duplicate.status).to.equal(409);
    const listed = await world.api('surgeon', 'GET', `/boards?centre=${world.centre}`);
    expect(listed.body.map((b: any) => b.id)).to.include(ok.body.id);
  });

  it('date overrides: a holiday cancels the generated session and carries its cases over, a moved session is rescheduled, an extra one added', async () => {
    const created = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    const board = created.body;
    const sessions = (await world.api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {})).body.created;
    const p = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[1].id, p));
    expect(registered.status, registered.text).to.equal(201);

    const withOverrides = {
      ...board,
      overrides: [
        { date: '2026-03-24', kind: 'holiday', reason: 'Fermeture pour travaux' },
        { date: '2026-04-14', kind: 'moved', newDate: '2026-04-16', startTime: '08:30', endTime: '10:00', reason: 'Congrès de la SFCD' },
        { date: '2026-04-21', kind: 'extra', startTime: '17:00', endTime: '18:00', reason: 'Séance supplémentaire (afflux de dossiers)' },
      ],
    };
    const updated = await world.api('coordinator', 'PUT', `/boards/${board.id}`, withOverrides, { 'if-match': created.headers.get('etag')! });
    expect(updated.status, updated.text).to.equal(200);
    // Run by the service (a nightly job): cancelling touches the registered patient's case.
    const regenerated = await world.api('system', 'POST', `/boards/${board.id}/sessions/generate`, {});
    expect(regenerated.status, regenerated.text).to.equal(200);
    expect(regenerated.body.cancelled.map((s: any) => [s.id, s.cancellationReason])).to.deep.equal([[sessions[1].id, 'Séance annulée : Fermeture pour travaux']]);
    expect(regenerated.body.rescheduled.map((s: any) => [s.id, s.start, s.override])).to.deep.equal([[sessions[2].id, '2026-04-16T06:30:00.000Z', 'moved']]);
    expect(regenerated.body.created.map((s: any) => [s.start, s.override])).to.deep.equal([['2026-04-21T15:00:00.000Z', 'extra']]);
    const moved = (await world.api('surgeon', 'GET', `/cases/${registered.body.case.id}`)).body;
    expect(moved.sessionId).to.equal(sessions[2].id);
    expect(moved.moves[0]).to.include({ from: sessions[1].id, reason: 'session-cancelled' });
    const idempotent = await world.api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {});
    expect([idempotent.body.created.length, idempotent.body.rescheduled.length, idempotent.body.cancelled.length]).to.deep.equal([0, 0, 0]);

    // iCalendar: the board's feed, and the feed of a member.
    const ics = await world.api('surgeon', 'GET', `/boards/${board.id}/calendar.ics`);
    expect(ics.status).to.equal(200);
    expect(ics.headers.get('content-type')).to.match(/^text\/calendar/);
    expect(ics.text).to.contain('BEGIN:VCALENDAR').and.to.contain(`UID:rcp-session-${sessions[0].id}@dcc-paca.example`);
    expect(ics.text).to.contain('DTSTART:20260310T130000Z').and.to.contain('STATUS:CANCELLED').and.to.contain('LOCATION:Salle de staff');
    expect(ics.text.match(/BEGIN:VEVENT/g)).to.have.length(5);
    const mine = await world.api('radiotherapist', 'GET', `/practitioners/${world.ids.radiotherapist}/calendar.ics`);
    expect(mine.status).to.equal(200);
    expect(mine.text).to.contain(`rcp-session-${sessions[3].id}@dcc-paca.example`);
  });

  it('the quorum as the API reports it: exactly three, two of a kind, the mandated surgeon, a written opinion', async () => {
    const created = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    const sessions = (await world.api('coordinator', 'POST', `/boards/${created.body.id}/sessions/generate`, {})).body.created;
    const s = sessions[0].id;
    const quorumWith = async (...entries: [string, string][]) => {
      const put = await world.api('coordinator', 'PUT', `/sessions/${s}/attendance`, {
        attendance: entries.map(([pro, mode]) => ({ practitioner: `Practitioner/${world.ids[pro as keyof typeof world.ids]}`, mode })),
      });
      expect(put.status, put.text).to.equal(200);
      return (await world.api('coordinator', 'GET', `/sessions/${s}/quorum`)).body;
    };
    expect((await quorumWith(['surgeon', 'present'], ['oncologist', 'present'], ['radiotherapist', 'remote'])).reached).to.equal(true);
    const twoOncologists = await quorumWith(['surgeon', 'present'], ['oncologist', 'present'], ['oncologist2', 'present']);
    expect(twoOncologists).to.include({ reached: false });
    expect(twoOncologists.specialities).to.have.length(2);
    const noSurgeon = await quorumWith(['gastroenterologist', 'present'], ['oncologist', 'present'], ['radiotherapist', 'present']);
    expect(noSurgeon.reasons).to.deep.equal(['spécialité obligatoire absente : Chirurgien']);
    const written = await quorumWith(['surgeon', 'written-opinion'], ['oncologist', 'present'], ['radiotherapist', 'present']);
    expect(written.reached).to.equal(false);
    expect(written.notCounted[0].reason).to.contain('avis écrit');
    const invalid = await world.api('coordinator', 'PUT', `/sessions/${s}/attendance`, { attendance: [{ practitioner: `Practitioner/${world.ids.surgeon}`, mode: 'asleep' }] });
    expect(invalid.status).to.equal(400);
    expect(rule(invalid)).to.equal('attendance-invalid');
  });
});
