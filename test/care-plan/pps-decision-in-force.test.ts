import { expect } from 'chai';
import type { CarePlan } from '@medplum/fhirtypes';
import { colonCancerSheet, laterSheetOnSameTumour, signedDecision, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/**
 * A PPS rests on the RCP decision in force for its tumour: the page offered only that one, but the
 * server built a PPS from a decision a later RCP had replaced (the demo did it for Ménard: his PPS
 * followed the spring proposal after the post-operative RCP had decided otherwise).
 */
describe('Care plan: a PPS is built from the RCP decision in force, not from one a later RCP replaced', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());


  it('refuses the first-line decision once the post-operative RCP decided on the same cancer, by $build-pps and by a plain FHIR create; builds from the later one', async () => {
    // First-line RCP of 2 October 2025 (surgery first), then the post-operative RCP of 20 November on the same tumour.
    const firstLine = await signedDecision(world, colonCancerSheet(world));
    const adjuvant = await signedDecision(world, laterSheetOnSameTumour(world, firstLine, 'Chimiothérapie adjuvante au vu de l’histologie définitive (pT3 pN1a) ?', {
      treatments: [{ intention: 1, sequence: 1, type: 'chemotherapy', detail: 'Chimiothérapie adjuvante FOLFOX 6 mois' }],
    }));

    const refused = await world.as('oncologist', 'POST', `/CarePlan/${firstLine.id}/$build-pps`, {});
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    expect(refused.body.issue[0].code).to.equal('business-rule');
    expect(refused.body.issue[0].details.text).to.contain('remplacée par la RCP du 20 novembre 2025').and.contain(`CarePlan/${adjuvant.id}`).and.contain('décision en vigueur');
    const none = await world.as('oncologist', 'GET', `/CarePlan?based-on=CarePlan/${firstLine.id}`);
    expect(none.body.total ?? none.body.entry?.length ?? 0, 'nothing written').to.equal(0);

    const built = await world.as('oncologist', 'POST', `/CarePlan/${adjuvant.id}/$build-pps`, {});
    expect(built.status, JSON.stringify(built.body)).to.equal(201);

    // Whoever writes: the same PPS posted as plain FHIR on the replaced decision is refused too.
    const { id: _id, meta: _meta, ...copy } = built.body as CarePlan;
    const posted = await world.as('oncologist', 'POST', '/CarePlan', { ...copy, basedOn: [{ reference: `CarePlan/${firstLine.id}` }] });
    expect(posted.status, JSON.stringify(posted.body)).to.equal(422);
    expect(posted.body.issue[0].details.text).to.contain('remplacée par la RCP du 20 novembre 2025');
    // And an update that moves the PPS onto it.
    const moved = await world.as('oncologist', 'PUT', `/CarePlan/${built.body.id}`, { ...built.body, basedOn: [{ reference: `CarePlan/${firstLine.id}` }] });
    expect(moved.status, JSON.stringify(moved.body)).to.equal(422);
  });
});
