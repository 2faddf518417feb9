import { expect } from 'chai';
import type { Composition, Observation } from '@medplum/fhirtypes';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

const entriesOf = (c: Composition, code: string) => c.section!.flatMap((s) => s.entry ?? []).map((e) => e.reference!).filter((r) => r.startsWith(code));

/**
 * A sheet whose TNM was dated with a time by another path (dateTime element) reads back a date-time
 * where the input wants a date: a PATCH of an unrelated item must still be accepted.
 */
describe('PATCH of an RCP sheet whose clinical dates read back as date-times', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('accepts the PATCH and keeps the TNM date as a date', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    let tnm: Observation | undefined;
    for (const ref of entriesOf(created.body, 'Observation/')) {
      const o = (await world.as('oncologist', 'GET', `/${ref}`)).body as Observation;
      if (o.code?.coding?.some((c) => c.code === '75620-5')) tnm = o;
    }
    expect(tnm, 'the sheet has a TNM Observation').to.exist;
    const timed = await world.as('oncologist', 'PUT', `/Observation/${tnm!.id}`, { ...tnm, effectiveDateTime: '2025-09-26T13:00:00.000Z' });
    expect(timed.status, JSON.stringify(timed.body)).to.equal(200);

    const patched = await world.as('oncologist', 'PATCH', `/Composition/${created.body.id}/$rcp-sheet`, { question: 'Chimiothérapie adjuvante ?' });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    const after = (await world.as('oncologist', 'GET', `/Observation/${tnm!.id}`)).body as Observation;
    expect(after.effectiveDateTime).to.match(/^2025-09-26/);
  });
});
