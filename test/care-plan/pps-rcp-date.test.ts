import { expect } from 'chai';
import type { Composition } from '@medplum/fhirtypes';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

const RCP_DATE = 'https://dcc-paca.example/fhir/StructureDefinition/dcc-rcp-date';

/**
 * The PPS names the RCP that proposed it by the date of that meeting, as the record's RCP sheet says
 * — not by the day the decision was first saved (the demo printed the seeding day, 7 December 2026,
 * for a decision of the session of 10 November).
 */
describe('Care plan: the PPS is dated by the RCP meeting that took the decision', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  /** A signed sheet of the meeting of 2 October 2025 (saved today): its decision, now in force. */
  async function signedDecision(): Promise<string> {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const signed = await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`, {});
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    const sheet = (await world.as('oncologist', 'GET', `/Composition/${created.body.id}`)).body as Composition;
    const proposal = sheet.section!.find((s) => s.code?.coding?.[0]?.code === '18776-5')!;
    return proposal.entry![0]!.reference!.split('/')[1]!;
  }

  it('prints the date of the meeting, not the date the decision was saved', async () => {
    const decisionId = await signedDecision();
    const decision = (await world.as('oncologist', 'GET', `/CarePlan/${decisionId}`)).body;
    expect(decision.created.slice(0, 10), 'the decision was saved today').not.to.equal('2025-10-02');
    const built = await world.as('oncologist', 'POST', `/CarePlan/${decisionId}/$build-pps`, {});
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    expect(built.body.extension.find((e: any) => e.url === RCP_DATE).valueDateTime).to.equal('2025-10-02T14:00:00+02:00');
    const html = await world.as('oncologist', 'GET', `/CarePlan/${built.body.id}/$render?format=html`);
    expect(html.status).to.equal(200);
    expect(html.text).to.match(/Proposition de la réunion de concertation pluridisciplinaire \(RCP\) du<\/dt>\s*<dd>2 octobre 2025</);
  });

  it('refuses a typed RCP date that contradicts the sheet', async () => {
    const decisionId = await signedDecision();
    const res = await world.as('oncologist', 'POST', `/CarePlan/${decisionId}/$build-pps`, { rcpDate: '2025-10-09' });
    expect(res.status).to.equal(422);
    expect(res.body.issue[0].details.text).to.contain('séance du 2025-10-02');
  });
});
