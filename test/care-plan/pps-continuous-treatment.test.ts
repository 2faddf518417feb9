import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

/** An oral treatment taken every day without a break printed « 28 jours de prise, puis 0 jours d'arrêt ». */
describe('Care plan: a continuous oral treatment is printed as continuous', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  it('says « prise continue, sans période d’arrêt » and the oral dates in the PDF/HTML', async () => {
    const c = await createCareCase(server, users);
    const input = ppsInput(c);
    Object.assign(input.treatments[1]!, { cycle: { daysOn: 28, daysOff: 0, count: 3 }, start: '2026-03-30' });
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, input);
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const html = await as(server, 'oncologist', 'GET', `/CarePlan/${built.body.id}/$render?format=html`);
    expect(html.status).to.equal(200);
    const cycles = html.text.slice(html.text.indexOf('Cycles'), html.text.indexOf('Cycles') + 200);
    expect(cycles, cycles).to.contain('prise continue, sans période d’arrêt (cycles de 28 jours) — 3 cycles prévus');
    expect(html.text).not.to.contain('0 jours d');
    // The dates of the oral treatment: first cycle's start to last cycle's end (oralTreatmentPeriod).
    expect(html.text).to.contain('du 30 mars 2026 au 21 juin 2026');
  });
});
