import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

/** A programme handed over a second time says why, and the reason stays in the plan's notes. */
describe('Care plan: handing a PPS over again requires a reason', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  it('a second hand-over without a reason → 422; with one → 200 and the reason noted', async () => {
    const c = await createCareCase(server, users);
    const pps = (await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c))).body;
    expect((await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true })).status).to.equal(200);
    const again = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-12', shareWithGp: true });
    expect(again.status).to.equal(422);
    expect(again.body.issue[0].details.text).to.contain('déjà été remis au patient le 10 février 2026').and.contain('motif de cette nouvelle remise (programme mis à jour');
    expect(again.body.issue[0].details.text, 'no API field name in a message for the user').not.to.contain('reason');
    expect(again.body.issue[0].expression).to.deep.equal(['reason']);
    const withReason = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-12', shareWithGp: true, reason: 'exemplaire perdu par le patient' });
    expect(withReason.status, withReason.text).to.equal(200);
    expect(withReason.body.note.at(-1).text).to.contain('exemplaire perdu par le patient').and.contain('10 février 2026');
  });
});
