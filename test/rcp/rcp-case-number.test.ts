import { expect } from 'chai';
import { agendaNumbers, caseNumber } from '../../server/rcp/index.ts';
import type { AgendaEntry } from '../../server/rcp/session-model.ts';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

const entry = (c: string, flag: AgendaEntry['flag'], cause?: AgendaEntry['cause']): AgendaEntry => ({ case: c, flag, ...(cause ? { cause } : {}), addedAt: '2026-03-01T10:00:00Z' });

describe('RCP: one rule for a case\'s number in a session (server/rcp/agenda.ts)', () => {
  it('numbers the entries that kept their place, in the agenda\'s order; a case withdrawn, refused or moved away gives it up', () => {
    const open = [
      entry('a', 'discussed'), entry('b', 'withdrawn'), entry('c', 'quorum-not-reached'), entry('d', 'scheduled'),
      entry('e', 'rejected'), entry('f', 'postponed'), entry('g', 'moved'), entry('h', 'recorded'),
    ];
    expect(agendaNumbers(open)).to.deep.equal([1, undefined, 2, 3, undefined, 4, undefined, 5]);
    // The close carries over what the meeting did not settle: nobody is renumbered.
    const closed = open.map((e) => (['quorum-not-reached', 'postponed', 'scheduled'].includes(e.flag) ? entry(e.case, 'carried-over', e.flag === 'scheduled' ? undefined : e.flag) : e));
    expect(agendaNumbers(closed)).to.deep.equal(agendaNumbers(open));
    for (const c of ['a', 'c', 'd', 'f', 'h']) expect(caseNumber(closed, c), c).to.equal(caseNumber(open, c));
    expect(caseNumber(open, 'b')).to.equal(undefined);
  });

  it('a case moved away and back has the number of its entry that counts (the last one)', () => {
    expect(caseNumber([entry('a', 'moved'), entry('b', 'scheduled'), entry('a', 'scheduled')], 'a')).to.equal(2);
  });
});

describe('RCP: the meeting mode, the agenda (open or closed) and the printed report give a case the same number', function () {
  this.timeout(120_000);
  let world: RcpWorld;
  before(async () => { world = await startRcpWorld(new Date('2026-03-02T08:00:00Z')); });
  after(() => world.close());

  it('a case deferred during the meeting and carried over at the close leaves the others\' numbers as the meeting showed them', async () => {
    const { api } = world;
    const board = (await api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 6 }))).body;
    const session = (await api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {})).body.created[0];
    const ids: Record<string, { id: string; sheet: string }> = {};
    for (const name of ['a', 'b', 'c', 'd']) {
      const registered = await api('surgeon', 'POST', '/cases', registration(session.id, await newPatient(world)));
      expect(registered.status, registered.text).to.equal(201);
      ids[name] = { id: registered.body.case.id, sheet: registered.body.case.sheet };
      if (name !== 'c') expect((await api('coordinator', 'POST', `/cases/${ids[name]!.id}/accept`)).status).to.equal(200);
    }
    expect((await api('surgeon', 'POST', `/cases/${ids.c!.id}/withdraw`, { reason: 'Patient pris en charge ailleurs' })).status).to.equal(200);
    const numbers = async () => {
      const details = (await api('coordinator', 'GET', `/sessions/${session.id}`)).body;
      return Object.fromEntries(Object.entries(ids).map(([name, c]) => [name, details.agenda.entries.filter((e: any) => e.case === c.id).at(-1)?.position]));
    };
    expect(await numbers()).to.deep.equal({ a: 1, b: 2, c: undefined, d: 3 });

    world.clock.now = new Date(`${session.start.slice(0, 10)}T13:05:00Z`);
    expect((await api('coordinator', 'POST', `/sessions/${session.id}/start`)).status).to.equal(200);
    await api('coordinator', 'PUT', `/sessions/${session.id}/attendance`, {
      attendance: ['oncologist', 'surgeon', 'radiotherapist'].map((p) => ({ practitioner: `Practitioner/${world.ids[p as 'oncologist']}`, mode: 'present' })),
    });
    for (const name of ['a', 'd']) {
      expect((await api('oncologist', 'POST', `/cases/${ids[name]!.id}/discuss`)).status).to.equal(200);
      const decided = await api('oncologist', 'PUT', `/cases/${ids[name]!.id}/decision`, DECISION);
      expect(decided.status, decided.text).to.equal(200);
    }
    expect((await api('oncologist', 'POST', `/cases/${ids.b!.id}/postpone`, { reason: 'IRM hépatique attendue' })).status).to.equal(200);
    const inMeeting = await numbers();
    expect(inMeeting).to.deep.equal({ a: 1, b: 2, c: undefined, d: 3 });

    const closed = await api('coordinator', 'POST', `/sessions/${session.id}/close`);
    expect(closed.status, closed.text).to.equal(200);
    expect(closed.body.carriedOver).to.deep.equal([ids.b!.id]);
    // The closed agenda showed d as « 2 » once b was carried over; the meeting had said « 3 ».
    expect(await numbers()).to.deep.equal(inMeeting);

    // The report prints the same number (FRCP « N° d'inscription dans la séance »).
    for (const name of ['a', 'd']) {
      const sheet = await world.fhir('oncologist', 'GET', `/${ids[name]!.sheet}/$rcp-sheet`);
      expect(sheet.status, sheet.text).to.equal(200);
      expect(sheet.body.data.meeting.registrationNumber, name).to.equal(String(inMeeting[name]));
    }
  });
});
