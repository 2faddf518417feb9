import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { testUsers } from '../helpers/users.ts';
import { longDate } from '../../server/fhir-kit/french-dates.ts';
import { as, createCareCase, ppsInput, startCarePlanServer, type CareCase } from './fixtures.ts';

const EXT = (name: string) => `https://dcc-paca.example/fhir/StructureDefinition/${name}`;
const ext = (holder: any, name: string) => (holder?.extension ?? []).filter((e: any) => e.url === EXT(name));
const sub = (e: any, url: string) => (e?.extension ?? []).find((s: any) => s.url === url);
const surveillance = { intervalMonths: 6, years: 5, first: 'hospital' };

/**
 * A PPAC prepared ahead (end of active treatment in the future) leaves the PPS in force; the PPS
 * closes when that PPAC is handed over to the patient on or after the end date, never before
 * (server/care-plan/service.ts, closeReplacedPps). The days are the server's clock, fixed here: with
 * the real one, « before the end » and « on the end day » cannot both be reached in one test.
 *
 * The fixture's treatments: surgery 23–27 February 2026, then 8 cycles of capecitabine (21 days)
 * from 30 March 2026, the last taken in early September 2026.
 */
describe('Care plan: the PPS closes when the PPAC prepared ahead is handed over at the end of active treatment', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  const clock = { now: new Date('2026-03-02T10:00:00Z') };
  /** The server's day: 14:00 in Paris, the same calendar day in UTC. */
  const on = (day: string) => { clock.now = new Date(`${day}T12:00:00Z`); };
  const END = '2026-09-30';

  before(async () => {
    server = await startCarePlanServer(users, { clock: () => clock.now });
  });
  after(() => server.close());

  /** On 2 March 2026: the PPS built and handed over, its treatments still to come (the surgery moved if `surgery` is given). */
  async function ppsHandedOver(c: CareCase, surgery?: { start: string; end: string }) {
    on('2026-03-02');
    const input = ppsInput(c);
    if (surgery) Object.assign(input.treatments[0]!, surgery);
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, input);
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    return handed.body;
  }

  /** Still on 2 March: the PPAC prepared for the end of active treatment on 30 September. */
  async function ppacPreparedAhead(pps: any) {
    const res = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, { endOfTreatment: END, surveillance });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.status).to.equal('draft');
    const still = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(still.status).to.equal('active');
    expect(still.meta.versionId).to.equal(pps.meta.versionId);
    return res.body;
  }

  it('prepared ahead, an end of treatment before what the PPS still plans is refused; one after it leaves the PPS in force', async () => {
    const c = await createCareCase(server, users);
    // The surgery postponed to July: an activity of the PPS itself after the end declared below.
    const pps = await ppsHandedOver(c, { start: '2026-07-06', end: '2026-07-10' });
    // 30 June: the surgery and capecitabine cycles still planned after it (on the real clock, a past
    // day that would close the PPS at once).
    const early = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, { endOfTreatment: '2026-06-30', surveillance });
    expect(early.status, JSON.stringify(early.body)).to.equal(422);
    expect(early.body.issue[0].expression).to.deep.equal(['endOfTreatment']);
    expect(early.body.issue[0].details.text).to.contain(`La fin des traitements actifs déclarée le ${longDate('2026-06-30')} précède des traitements que le PPS prévoit encore`);
    expect(early.body.issue[0].details.text).to.contain("Colectomie sigmoïdienne par cœlioscopie (jusqu'au 10 juillet 2026)");
    expect(early.body.issue[0].details.text).to.contain("Capécitabine 500 mg, comprimé (jusqu'au 6 septembre 2026)");
    expect((await as(server, 'system', 'GET', `/CarePlan?replaces=CarePlan/${pps.id}`)).body.total).to.equal(0);
    await ppacPreparedAhead(pps);
  });

  it('handed over the day before the end of treatment → 422, the PPS stays in force and the PPAC a draft', async () => {
    const c = await createCareCase(server, users);
    const pps = await ppsHandedOver(c);
    const ppac = await ppacPreparedAhead(pps);
    on('2026-09-29');
    const handed = await as(server, 'gp', 'POST', `/CarePlan/${ppac.id}/$hand-over`, { shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(422);
    expect(handed.body.issue[0].expression).to.deep.equal(['date']);
    expect(handed.body.issue[0].details.text).to.contain(`fin des traitements actifs, le ${longDate(END)}`);
    const still = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(still.status).to.equal('active');
    expect(still.meta.versionId).to.equal(pps.meta.versionId);
    expect(ext(still, 'dcc-end-of-active-treatment')).to.have.length(0);
    expect((await as(server, 'gp', 'GET', `/CarePlan/${ppac.id}`)).body.status).to.equal('draft');
  });

  it('handed over on the end day → the PPAC is in force and the PPS completed at that end, relayed by the PPAC, on the server clock', async () => {
    const c = await createCareCase(server, users);
    const pps = await ppsHandedOver(c);
    const ppac = await ppacPreparedAhead(pps);
    on(END);
    const handed = await as(server, 'gp', 'POST', `/CarePlan/${ppac.id}/$hand-over`, { shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    expect(handed.body.status).to.equal('active');
    const closed = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(closed.status).to.equal('completed');
    expect(closed.period.end).to.equal(END);
    expect(ext(closed, 'dcc-end-of-active-treatment')[0].valueDate).to.equal(END);
    const [record] = ext(closed, 'dcc-pps-update');
    expect(sub(record, 'reason').valueCodeableConcept.text).to.equal('Fin des traitements actifs (relais par le PPAC)');
    expect(sub(record, 'date').valueDateTime).to.equal(clock.now.toISOString());
    // What the PPS planned stays as it was: the programme closes, its history is not rewritten.
    expect(closed.activity).to.deep.equal(pps.activity);
  });

  it('handed over after the end day → the PPS closes at the end of treatment, not on the day of the hand-over', async () => {
    const c = await createCareCase(server, users);
    const pps = await ppsHandedOver(c);
    const ppac = await ppacPreparedAhead(pps);
    on('2026-10-15');
    const handed = await as(server, 'gp', 'POST', `/CarePlan/${ppac.id}/$hand-over`, { date: '2026-10-14', shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    const closed = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(closed.status).to.equal('completed');
    expect(closed.period.end).to.equal(END);
    expect(ext(closed, 'dcc-end-of-active-treatment')[0].valueDate).to.equal(END);
  });
});
