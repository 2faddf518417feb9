import { expect } from 'chai';
import type { CarePlan } from '@medplum/fhirtypes';
import { colonCancerSheet, laterSheetOnSameTumour, signedDecision, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/**
 * QA: a later RCP on a narrow question (« nodule pulmonaire : surveillance à 3 mois ») replaced the
 * decision of a chemotherapy under way; its PPS, built with one click and handed over, became the
 * programme the nurse read — the CAPOX and its precautions gone from her page, the capecitabine
 * still prescribed. A second PPS is now built only knowingly (replaces), says whether the current
 * treatments go on (taken into it), and closes the first when handed over.
 */
describe('Care plan: a PPS built while another is in progress replaces it knowingly', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());


  it('refuses (409) a second PPS without replaces; with it, takes the current treatments along and closes the first at the hand-over', async () => {
    const first = colonCancerSheet(world);
    first.proposal = { treatments: [{ intention: 1, sequence: 1, type: 'chemotherapy', detail: 'Chimiothérapie adjuvante CAPOX, 8 cycles' }] };
    const firstDecision = await signedDecision(world, first);
    const pps1 = await world.as('oncologist', 'POST', `/CarePlan/${firstDecision.id}/$build-pps`, {});
    expect(pps1.status, JSON.stringify(pps1.body)).to.equal(201);
    const handed1 = await world.as('oncologist', 'POST', `/CarePlan/${pps1.body.id}/$hand-over`, { shareWithGp: false });
    expect(handed1.status, JSON.stringify(handed1.body)).to.equal(200);
    const chemo = (handed1.body as CarePlan).activity!.filter((a) => /CAPOX/.test(a.detail?.description ?? a.detail?.code?.text ?? ''));
    expect(chemo, 'the CAPOX in the first PPS').to.have.length(1);

    const laterDecision = await signedDecision(world, laterSheetOnSameTumour(world, firstDecision, 'Nodule pulmonaire infracentimétrique : conduite à tenir ?', {
      treatments: [{ intention: 1, sequence: 1, type: 'active-surveillance', detail: 'Surveillance active — scanner thoracique à 3 mois' }],
    }));

    const refused = await world.as('oncologist', 'POST', `/CarePlan/${laterDecision.id}/$build-pps`, {});
    expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
    expect(refused.body.issue[0].diagnostics ?? refused.body.issue[0].details?.text).to.contain('Un PPS est en cours').and.contain(`CarePlan/${pps1.body.id}`);
    expect((await world.as('oncologist', 'GET', `/CarePlan?based-on=CarePlan/${laterDecision.id}`)).body.entry ?? [], 'nothing written').to.have.length(0);

    const pps2 = await world.as('oncologist', 'POST', `/CarePlan/${laterDecision.id}/$build-pps`, { replaces: `CarePlan/${pps1.body.id}`, continueCurrent: true });
    expect(pps2.status, JSON.stringify(pps2.body)).to.equal(201);
    const plan2 = pps2.body as CarePlan;
    expect(plan2.replaces).to.deep.equal([{ reference: `CarePlan/${pps1.body.id}` }]);
    const texts = plan2.activity!.map((a) => a.detail?.description ?? a.detail?.code?.text ?? a.reference?.display ?? '');
    expect(texts.some((t) => /CAPOX/.test(t)), texts.join(' | ')).to.equal(true);
    expect(texts.some((t) => /scanner thoracique/.test(t)), texts.join(' | ')).to.equal(true);
    expect((await world.as('oncologist', 'GET', `/CarePlan/${pps1.body.id}`)).body.status, 'still in force until the new one is handed over').to.equal('active');

    const handed2 = await world.as('oncologist', 'POST', `/CarePlan/${plan2.id}/$hand-over`, { shareWithGp: false });
    expect(handed2.status, JSON.stringify(handed2.body)).to.equal(200);
    const closed = (await world.as('oncologist', 'GET', `/CarePlan/${pps1.body.id}`)).body as CarePlan;
    expect(closed.status).to.equal('completed');
    // Closed on the day the new one was handed over (today, Paris), never before it began.
    expect(closed.period?.end).to.match(/^\d{4}-\d{2}-\d{2}$/);
    expect(closed.period!.end! >= (closed.period?.start ?? '').slice(0, 10)).to.equal(true);
    expect(JSON.stringify(closed.extension)).to.contain('Remplacé par le PPS');
  });
});
