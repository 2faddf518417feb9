import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { testUsers } from '../helpers/users.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from '../care-plan/fixtures.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/**
 * City professionals read only signed reports and programmes handed over to the patient: the nurse
 * never reads the RCP decision ("no RCP discussion"), the GP never reads a sheet still being written.
 */
describe('Privacy of city professionals: signed reports and handed-over programmes only', () => {
  describe('the city nurse', () => {
    let server: RunningServer;
    const users = testUsers();
    before(async () => {
      // The care-plan operations and the patient record ($timeline), each request as one of `users`.
      server = await startCarePlanServer(users);
    });
    after(() => server.close());

    it('does not read the RCP decision, nor see it in the timeline; reads the PPS once handed over', async () => {
      const c = await createCareCase(server, users);
      expect((await as(server, 'oncologist', 'GET', `/CarePlan/${c.decisionId}`)).status).to.equal(200);
      expect((await as(server, 'nurse', 'GET', `/CarePlan/${c.decisionId}`)).status).to.equal(404);
      const search = await as(server, 'nurse', 'GET', `/CarePlan?patient=Patient/${c.patientId}`);
      expect(search.status).to.equal(200);
      expect((search.body.entry ?? []).map((e: any) => e.resource.id)).to.not.include(c.decisionId);

      const pps = (await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c))).body;
      // A programme not yet handed over to the patient is still the hospital's draft.
      expect((await as(server, 'nurse', 'GET', `/CarePlan/${pps.id}`)).status).to.equal(404);
      expect((await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true })).status).to.equal(200);
      expect((await as(server, 'nurse', 'GET', `/CarePlan/${pps.id}`)).status).to.equal(200);

      const nurseTimeline = await as(server, 'nurse', 'GET', `/Patient/${c.patientId}/$timeline`);
      expect(nurseTimeline.status).to.equal(200);
      const kinds = nurseTimeline.body.events.map((e: any) => e.kind);
      expect(kinds).to.include('pps').and.not.include('décision');
      const doctorTimeline = await as(server, 'oncologist', 'GET', `/Patient/${c.patientId}/$timeline`);
      expect(doctorTimeline.body.events.map((e: any) => e.kind)).to.include('décision');
    });
  });

  describe('the GP', () => {
    let world: World;
    before(async () => {
      world = await startWorld();
    });
    after(() => world.close());

    it('does not read or print a sheet that is not signed (404), nor its draft decision; reads both once signed', async () => {
      const sheet = (await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world))).body;
      expect(sheet.status).to.equal('preliminary');
      const decision = sheet.section.flatMap((s: any) => s.entry ?? []).map((e: any) => e.reference).find((r: string) => r.startsWith('CarePlan/'));
      expect((await world.raw('gp', `/Composition/${sheet.id}/$render?format=html`)).status).to.equal(404);
      expect((await world.as('gp', 'GET', `/Composition/${sheet.id}`)).status).to.equal(404);
      expect((await world.as('gp', 'GET', `/Composition/${sheet.id}/$document`)).status).to.equal(404);
      if (decision) expect((await world.as('gp', 'GET', `/${decision}`)).status).to.equal(404);

      expect((await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(200);
      expect((await world.raw('gp', `/Composition/${sheet.id}/$render?format=html`)).status).to.equal(200);
      if (decision) expect((await world.as('gp', 'GET', `/${decision}`)).status).to.equal(200);
    });
  });
});
