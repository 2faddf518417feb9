import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer, type CareCase } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';
import { addDays } from '../../server/fhir-kit/dates.ts';
import { longDate, parisDay } from '../../server/fhir-kit/french-dates.ts';

const EXT = (name: string) => `https://dcc-paca.example/fhir/StructureDefinition/${name}`;
const ext = (holder: any, name: string) => (holder?.extension ?? []).filter((e: any) => e.url === EXT(name));
const surveillance = { intervalMonths: 6, years: 5, first: 'hospital' };

/**
 * The PPS is the programme of the active treatments: it stays in force until they end. A PPAC
 * prepared ahead is a draft and leaves the PPS as it is; an end of treatment declared before
 * treatments still planned is refused (the GP was told « PPS clos » with chemotherapy to come).
 */
describe('Care plan: the PPS closes at the end of active treatment, not when the PPAC is prepared', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  // Dates relative to the real day: the care-plan operations judge on the server's clock.
  const today = parisDay(new Date());
  const day = (n: number) => addDays(today, n);
  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  /** A handed-over PPS whose treatments are still to come: surgery in a month, then 8 cycles of 21 days of capecitabine. */
  async function ppsWithTreatmentsToCome(c: CareCase) {
    const input = ppsInput(c);
    Object.assign(input.treatments[0]!, { start: day(30), end: day(34) });
    Object.assign(input.treatments[1]!, { start: day(60) });
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, input);
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: today, shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    return handed.body;
  }

  it('an end of active treatment in the future before treatments the PPS still plans → 422, nothing written', async () => {
    const c = await createCareCase(server, users);
    const pps = await ppsWithTreatmentsToCome(c);
    const res = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, { endOfTreatment: day(100), surveillance });
    expect(res.status, JSON.stringify(res.body)).to.equal(422);
    expect(res.body.issue[0].expression).to.deep.equal(['endOfTreatment']);
    expect(res.body.issue[0].details.text).to.contain(`La fin des traitements actifs déclarée le ${longDate(day(100))} précède des traitements que le PPS prévoit encore`);
    expect(res.body.issue[0].details.text).to.contain('Capécitabine');
    const after = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(after.status).to.equal('active');
    expect(after.meta.versionId).to.equal(pps.meta.versionId);
    expect((await as(server, 'system', 'GET', `/CarePlan?replaces=CarePlan/${pps.id}`)).body.total).to.equal(0);
  });

  it('a PPAC prepared ahead stays a draft and the PPS stays in force; it cannot be handed over before the end of treatment', async () => {
    const c = await createCareCase(server, users);
    const pps = await ppsWithTreatmentsToCome(c);
    const end = day(400);
    const res = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, { endOfTreatment: end, surveillance });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.status).to.equal('draft');
    const still = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(still.status, 'the PPS is not closed ahead of the treatments').to.equal('active');
    expect(still.meta.versionId).to.equal(pps.meta.versionId);
    expect(ext(still, 'dcc-pps-update')).to.have.length(0);

    const early = await as(server, 'gp', 'POST', `/CarePlan/${res.body.id}/$hand-over`, { date: today, shareWithGp: true });
    expect(early.status).to.equal(422);
    expect(early.body.issue[0].expression).to.deep.equal(['date']);
    expect(early.body.issue[0].details.text).to.contain(`fin des traitements actifs, le ${longDate(end)}`);
    expect((await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body.status).to.equal('active');
    expect((await as(server, 'gp', 'GET', `/CarePlan/${res.body.id}`)).body.status).to.equal('draft');
  });

  it('an end of active treatment today closes the PPS at once (relayed by the PPAC)', async () => {
    const c = await createCareCase(server, users);
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    await as(server, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    const res = await as(server, 'gp', 'POST', `/CarePlan/${built.body.id}/$start-ppac`, { endOfTreatment: today, surveillance });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const closed = (await as(server, 'gp', 'GET', `/CarePlan/${built.body.id}`)).body;
    expect(closed.status).to.equal('completed');
    expect(ext(closed, 'dcc-end-of-active-treatment')[0].valueDate).to.equal(today);
  });
});
