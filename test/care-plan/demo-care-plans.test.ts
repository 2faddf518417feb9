import { expect } from 'chai';
import { seedDemoCarePlans } from '../../server/care-plan/index.ts';
import { withPastTreatmentsDone } from '../../server/care-plan/demo.ts';
import { regionalDirectoryEntries } from '../../server/directories/index.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, startCarePlanServer } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

describe('Care plan: demo data (labelled supportive-care structures, demo PPS and PPAC)', () => {
  let server: RunningServer;
  const users = testUsers();

  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  it('the regional directory of labelled supportive-care structures loads as conditional creates, twice without duplicates', async () => {
    const bundle = { resourceType: 'Bundle', type: 'transaction', entry: regionalDirectoryEntries() };
    const first = await as(server, 'system', 'POST', '/', bundle);
    expect(first.status, JSON.stringify(first.body)).to.equal(200);
    const second = await as(server, 'system', 'POST', '/', bundle);
    expect(second.body.entry.every((e: any) => e.response.status.startsWith('200'))).to.equal(true);
    const services = await as(server, 'system', 'GET', '/HealthcareService?identifier=https://dcc-paca.example/fhir/sid/supportive-care-structure|SCS-13-001-SERVICE&_include=HealthcareService:organization');
    expect(services.body.total).to.equal(1);
    expect(services.body.entry.map((e: any) => e.resource.resourceType).sort()).to.deep.equal(['HealthcareService', 'Organization']);
  });

  it('seeds a handed-over PPS on the first decision and a PPAC on the second; running it again creates nothing', async () => {
    const first = await createCareCase(server, users);
    const second = await createCareCase(server, users);
    const store = server.services.store;
    const result = await seedDemoCarePlans(store, { decisionIds: [first.decisionId, second.decisionId] });
    expect(result.skipped).to.deep.equal([]);
    expect(result.created).to.have.length(3);
    const pps = (await as(server, 'system', 'GET', `/CarePlan?based-on=CarePlan/${first.decisionId}`)).body.entry[0].resource;
    expect(pps.status).to.equal('active');
    const closed = (await as(server, 'system', 'GET', `/CarePlan?based-on=CarePlan/${second.decisionId}&category=https://dcc-paca.example/fhir/CodeSystem/dcc-care-plan-category|pps`)).body.entry[0].resource;
    expect(closed.status).to.equal('completed');
    const ppac = await as(server, 'system', 'GET', `/CarePlan?replaces=CarePlan/${closed.id}`);
    expect(ppac.body.total).to.equal(1);
    expect((await as(server, 'gp', 'GET', `/CarePlan/${ppac.body.entry[0].resource.id}/$render?format=pdf`)).status).to.equal(200);
    const again = await seedDemoCarePlans(store, { decisionIds: [first.decisionId, second.decisionId] });
    expect(again.created).to.deep.equal([]);
  });

  it('dates the demo programmes on the Paris day: seeded at 00:30 in Paris (23:30 UTC the day before)', async () => {
    const first = await createCareCase(server, users);
    const second = await createCareCase(server, users);
    const now = new Date('2026-12-07T23:30:00Z'); // 8 December in Paris
    const result = await seedDemoCarePlans(server.services.store, { decisionIds: [first.decisionId, second.decisionId], now });
    expect(result.skipped).to.deep.equal([]);
    const pps = (await as(server, 'system', 'GET', `/CarePlan?based-on=CarePlan/${first.decisionId}`)).body.entry[0].resource;
    const prescriptions = await Promise.all(pps.activity.filter((a: any) => a.reference?.reference?.startsWith('MedicationRequest/')).map(async (a: any) => (await as(server, 'system', 'GET', `/${a.reference.reference}`)).body));
    const oral = prescriptions.find((m: any) => m.medicationCodeableConcept?.coding?.some((c: any) => c.code === 'L01BC06'));
    expect(oral.dosageInstruction[0].timing.repeat.boundsPeriod.start, 'the oral treatment starts a week after the Paris day').to.equal('2026-12-15');
    const closed = (await as(server, 'system', 'GET', `/CarePlan?based-on=CarePlan/${second.decisionId}&category=https://dcc-paca.example/fhir/CodeSystem/dcc-care-plan-category|pps`)).body.entry[0].resource;
    const ppac = (await as(server, 'system', 'GET', `/CarePlan?replaces=CarePlan/${closed.id}`)).body.entry[0].resource;
    expect(ppac.period.start, 'the active treatments end on the Paris day').to.equal('2026-12-08');
  });

  it('the demo programme records what was planned before today as done: a surgery of last year is not "à venir"', () => {
    const activity = (start: string | undefined, status: 'not-started' | 'scheduled' | 'cancelled') => ({ detail: { status, description: `le ${start}`, ...(start ? { scheduledPeriod: { start } } : {}) } });
    const pps = { resourceType: 'CarePlan' as const, status: 'active' as const, intent: 'plan' as const, subject: { reference: 'Patient/p' }, activity: [
      activity('2025-10-20', 'scheduled'), activity('2026-12-06', 'not-started'), activity('2026-12-07', 'scheduled'), activity('2027-01-10', 'not-started'),
      activity('2025-11-02', 'cancelled'), activity(undefined, 'not-started'),
    ] };
    const done = withPastTreatmentsDone(pps, '2026-12-07');
    expect(done.activity!.map((a) => a.detail!.status)).to.deep.equal(['completed', 'completed', 'scheduled', 'not-started', 'cancelled', 'not-started']);
  });
});
