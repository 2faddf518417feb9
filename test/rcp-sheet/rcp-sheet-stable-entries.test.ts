import { expect } from 'chai';
import type { Composition } from '@medplum/fhirtypes';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

const entriesOf = (c: Composition, code: string) => c.section!.find((s) => s.code?.coding?.[0]?.code === code)?.entry?.map((e) => e.reference!) ?? [];
const TRIAL = { title: 'ESSAI-DIG 98 (fictif)', identifier: { system: 'https://clinicaltrials.gov', value: 'NCT09999998' }, phase: 'Phase III' };

/**
 * Issue 11, item 1: a new version of a sheet updates its entries in place (same ids), ends those it
 * no longer holds, finds a proposed trial by its registry number, and a deleted draft takes its
 * Condition with it.
 */
describe('RCP sheet entries are stable across versions', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('a removed item is ended (entered-in-error), the others keep their ids; the trial is one ResearchStudy', async () => {
    const input = colonCancerSheet(world);
    input.basis!.clinicalTrial = { proposed: true, study: TRIAL };
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const [condition] = entriesOf(created.body, '72135-7');
    const [decision] = entriesOf(created.body, '18776-5');
    const history = entriesOf(created.body, '11348-0');
    expect(history).to.have.length(2);

    input.history = [input.history![0]!];
    input.proposal!.comment = 'Rediscussion avec l’histologie définitive et le bilan d’extension';
    const updated = await world.as('oncologist', 'PUT', `/Composition/${created.body.id}/$rcp-sheet`, input, { 'if-match': 'W/"1"' });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    expect(entriesOf(updated.body, '72135-7')[0]).to.equal(condition);
    expect(entriesOf(updated.body, '18776-5')[0]).to.equal(decision);
    expect(entriesOf(updated.body, '11348-0')).to.deep.equal([history[0]]);
    const removed = await world.as('oncologist', 'GET', `/${history[1]}`);
    expect(removed.status).to.equal(200);
    expect(removed.body.status).to.equal('entered-in-error');
    const plan = (await world.as('oncologist', 'GET', `/${decision}`)).body;
    expect(plan.meta.versionId).to.equal('2');
    expect(plan.note[0].text).to.contain('bilan d’extension');
    expect((await world.as('oncologist', 'GET', `/${condition}`)).body.meta.versionId).to.equal('1');

    // Another sheet proposing the same trial, by its number only: the same ResearchStudy.
    const other = colonCancerSheet(world);
    other.basis!.clinicalTrial = { proposed: true, study: { title: 'ESSAI-DIG 98', identifier: { value: 'NCT09999998' } } };
    const second = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', other);
    expect(second.status, JSON.stringify(second.body)).to.equal(201);
    const studies = (await world.as('oncologist', 'GET', '/ResearchStudy?identifier=NCT09999998')).body.entry ?? [];
    expect(studies).to.have.length(1);
    const basis = (c: Composition) => entriesOf(c, '35510-7');
    expect(basis(second.body)).to.include(`ResearchStudy/${studies[0].resource.id}`);
    expect(basis(updated.body)).to.include(`ResearchStudy/${studies[0].resource.id}`);
    const html = await (await world.raw('oncologist', `/Composition/${second.body.id}/$render`)).text();
    expect(html).to.contain('ESSAI-DIG 98 (fictif) (NCT09999998)');
  });

  it('DELETE of a draft sheet ends the Condition and decision it created: nothing it asserted stays live, nothing answers 410', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    const [condition] = entriesOf(created.body, '72135-7');
    const [decision] = entriesOf(created.body, '18776-5');
    const deleted = await world.as('oncologist', 'DELETE', `/Composition/${created.body.id}`);
    expect(deleted.status).to.be.oneOf([200, 204]);
    const c = await world.as('oncologist', 'GET', `/${condition}`);
    expect(c.status).to.equal(200);
    expect(c.body.verificationStatus.coding[0].code).to.equal('entered-in-error');
    expect(c.body.clinicalStatus).to.equal(undefined);
    expect((await world.as('oncologist', 'GET', `/${decision}`)).body.status).to.equal('entered-in-error');
    const live = ((await world.as('oncologist', 'GET', `/Condition?patient=Patient/${world.patientId}&verification-status:not=entered-in-error`)).body.entry ?? []).map((e: any) => `Condition/${e.resource.id}`);
    expect(live).not.to.include(condition);
  });
});
