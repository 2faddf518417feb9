import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

/** Text of the HTML rendering without tags and entities, to read it as the patient does. */
const plain = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, ' ').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');

/**
 * A patient with no declared GP: the GP question is not asked, « oui » is refused (there is no GP
 * to send the PPS to), and neither the record nor the printed document ever says it was sent.
 */
describe('Care plan: handing a PPS over to a patient without a declared GP', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  async function ppsWithoutGp(): Promise<string> {
    const c = await createCareCase(server, users);
    const patient = (await as(server, 'system', 'GET', `/Patient/${c.patientId}`)).body;
    delete patient.generalPractitioner;
    const put = await as(server, 'system', 'PUT', `/Patient/${c.patientId}`, patient);
    expect(put.status, put.text).to.equal(200);
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status, built.text).to.equal(201);
    return built.body.id as string;
  }

  it('« oui » to sending it to a GP who does not exist → 422 on shareWithGp; nothing recorded', async () => {
    const id = await ppsWithoutGp();
    const res = await as(server, 'oncologist', 'POST', `/CarePlan/${id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(res.status, res.text).to.equal(422);
    expect(res.body.issue[0].details.text).to.contain('Pas de médecin traitant déclaré');
    expect(res.body.issue[0].expression).to.deep.equal(['shareWithGp']);
    const plan = (await as(server, 'oncologist', 'GET', `/CarePlan/${id}`)).body;
    expect(plan.extension.some((e: any) => e.url.endsWith('handover')), 'not handed over').to.equal(false);
  });

  it('without the question: handed over, not shared, and the printed PPS says « pas de médecin traitant déclaré »', async () => {
    const id = await ppsWithoutGp();
    const res = await as(server, 'oncologist', 'POST', `/CarePlan/${id}/$hand-over`, { date: '2026-02-10' });
    expect(res.status, res.text).to.equal(200);
    expect(res.body.status).to.equal('active');
    const share = res.body.extension.find((e: any) => e.url.endsWith('share-with-gp'));
    expect(share?.valueBoolean, 'never recorded as shared').to.not.equal(true);
    const handOver = res.body.extension.find((e: any) => e.url.endsWith('handover'));
    expect(handOver.extension.find((e: any) => e.url === 'noGeneralPractitioner')?.valueBoolean).to.equal(true);

    const text = plain((await as(server, 'oncologist', 'GET', `/CarePlan/${id}/$render?format=html`)).text);
    expect(text).to.contain('Envoi à votre médecin traitant pas de médecin traitant déclaré');
    expect(text).to.not.contain('vous l’avez accepté');
    expect(text).to.not.contain('vous ne l’avez pas souhaité');
  });

  it('a patient with a GP is still asked: no answer → 422, « oui » → shared', async () => {
    const c = await createCareCase(server, users);
    const pps = (await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c))).body;
    const unanswered = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10' });
    expect(unanswered.status).to.equal(422);
    expect(unanswered.body.issue[0].expression).to.deep.equal(['shareWithGp']);
    const yes = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(yes.status, yes.text).to.equal(200);
    expect(yes.body.extension.find((e: any) => e.url.endsWith('share-with-gp')).valueBoolean).to.equal(true);
    expect(plain((await as(server, 'oncologist', 'GET', `/CarePlan/${pps.id}/$render?format=html`)).text)).to.contain('oui, vous l’avez accepté');
  });
});
