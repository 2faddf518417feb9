import { expect } from 'chai';
import { validateWithKit } from '../../server/cda/validation/kit.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from '../care-plan/fixtures.ts';
import { asUser, testUsers } from '../helpers/users.ts';

/** `$cda` on a handed-over PPS: a CDA R2 PPS 2022.01 that passes the ANS kit with 0 errors. */
describe('CDA export of the PPS (PPS 2022.01)', function () {
  this.timeout(15 * 60_000);
  let server: RunningServer;
  const users = testUsers();
  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  it('a draft PPS is refused (422); once handed over, its CDA has the printed sections and passes XSD + schematrons', async () => {
    const c = await createCareCase(server, users);
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const ppsId = built.body.id as string;
    const draft = await as(server, 'oncologist', 'GET', `/CarePlan/${ppsId}/$cda`);
    expect(draft.status).to.equal(422);
    expect(draft.body.issue[0].details.text).to.contain('remis');
    const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${ppsId}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    const t0 = Date.now();
    const res = await fetch(`${server.fhirUrl}/CarePlan/${ppsId}/$cda`, { headers: asUser('oncologist') });
    const xml = await res.text();
    const exportMs = Date.now() - t0;
    expect(res.status, xml).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/xml/);
    expect(xml).to.contain('root="1.2.250.1.213.1.1.1.26"').and.to.contain('Colectomie sigmoïdienne par cœlioscopie');
    const t1 = Date.now();
    const report = await validateWithKit(xml, 'PPS');
    console.log(`      export ${exportMs} ms, validation ${Date.now() - t1} ms`);
    if (process.env.CDA_DUMP) (await import('node:fs')).writeFileSync(process.env.CDA_DUMP, xml + '\n<!--' + JSON.stringify(report.errors.map((e) => [e.location?.replace(/Q\{urn:hl7-org:v3\}/g, ''), e.message]), null, 1).replace(/--/g, '- -') + '-->');
    expect(report.errors, JSON.stringify(report.errors.slice(0, 10), null, 1)).to.deep.equal([]);
  });
});
