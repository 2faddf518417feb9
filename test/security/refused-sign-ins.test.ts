import { expect } from 'chai';
import { unauthorized } from '../../server/fhir-kit/errors.ts';
import type { RefusedSignIns } from '../../server/access/refused-sign-ins.ts';
import { startTestServer, testServices, TEST_SYSTEM, type RunningServer } from '../helpers/harness.ts';

/**
 * Issue 10, item 9: 300 requests with a refused card used to leave 301 AuditEvents. Refused
 * sign-ins are throttled per address (429 past the limit) and traced as one event per address and
 * window plus one aggregate, while a valid card from the same address still gets in.
 */
/** Names this test's refusals, so that other tests' refused sign-ins in the shared database never count here. */
const FLOOD = `essai-flood-${process.pid}-${Date.now()}`;

describe('Security: refused sign-ins are throttled and aggregated per address', () => {
  let server: RunningServer;
  let url: string;
  let trail: RefusedSignIns;

  before(async () => {
    const started = await startTestServer({
      config: { signInRateLimit: 20 }, refusedSignInWindowMs: 60_000,
      identify: (req) => {
        if (req.get('x-card') === 'forged') throw unauthorized(`Carte CPS refusée : certificat non émis par l'IGC-Santé (${FLOOD})`);
        return TEST_SYSTEM;
      },
    });
    trail = started.app.locals.refusedSignIns;
    server = started;
    url = server.url;
  });
  after(() => server.close());

  it('300 forged cards: 401 then 429, two AuditEvents (the first, then the aggregate of 299); a valid card still passes', async () => {
    const db = (await testServices()).store.db;
    const failures = async () => Number((await db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw("content->>'outcome' <> '0'").whereRaw('content::text like ?', [`%${FLOOD}%`]).count('* as n'))[0].n);
    const before = await failures();
    const statuses: number[] = [];
    for (let i = 0; i < 300; i += 30) {
      statuses.push(...await Promise.all(Array.from({ length: 30 }, async () => {
        const res = await fetch(`${url}/fhir/Patient`, { headers: { 'x-card': 'forged' } });
        const body = await res.json();
        expect(body.resourceType).to.equal('OperationOutcome');
        return res.status;
      })));
    }
    expect(statuses.filter((s) => s === 401)).to.have.length(20);
    expect(statuses.filter((s) => s === 429)).to.have.length(280);
    expect((await fetch(`${url}/fhir/Patient?_count=1`)).status).to.equal(200);
    expect(await failures()).to.equal(before + 1);
    await trail.flush(); // the minute is over
    expect(await failures()).to.equal(before + 2);
    // Other tests' windows may close meanwhile and write their own aggregates: this flood's is the one naming it.
    const aggregate = await db('resource').where({ resource_type: 'AuditEvent' }).whereRaw("content::text like '%connexions refusées de plus%'")
      .whereRaw('content::text like ?', [`%${FLOOD}%`]).first('content');
    expect(aggregate.content.outcomeDesc).to.contain('299 connexions refusées de plus depuis');
  });
});
