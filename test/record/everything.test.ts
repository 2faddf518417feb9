import { expect } from 'chai';
import { startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { asUser, identifyByHeader, professional, testUsers } from '../helpers/users.ts';

describe('Patient record: $everything and the timeline', () => {
  let server: RunningServer;
  const users = testUsers();
  const call = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.fhirUrl}${path}`, {
      method, headers: { ...asUser(user), accept: 'application/fhir+json', ...(body ? { 'content-type': 'application/fhir+json' } : {}) },
      body: body ? JSON.stringify(body) : undefined,
    });
    return { status: res.status, body: await res.json() };
  };
  let patientId: string;

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users) });
    const doctor = (await call('system', 'POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: unique('Dr') }] })).body.id;
    users.doctor = professional('doctor', ['physician'], { practitionerId: doctor });
    users.outsider = professional('outsider', ['physician'], { practitionerId: 'nobody' });
    patientId = (await call('doctor', 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: unique('Chrono') }] }))).body.id;
    const subject = { reference: `Patient/${patientId}` };
    await call('doctor', 'POST', '/Condition', { resourceType: 'Condition', subject, onsetDateTime: '2025-03-01', code: { text: 'Adénocarcinome du côlon sigmoïde' } });
    await call('doctor', 'POST', '/Observation', { resourceType: 'Observation', status: 'final', subject, effectiveDateTime: '2025-02-10', code: { text: 'Coloscopie' } });
  });
  after(() => server.close());

  it('$everything returns the visible compartment, filtered by _type and _since; 404 out of the circle', async () => {
    const all = await call('doctor', 'GET', `/Patient/${patientId}/$everything`);
    expect(all.status).to.equal(200);
    const types = all.body.entry.map((e: any) => e.resource.resourceType);
    expect(types).to.include.members(['Patient', 'CareTeam', 'Condition', 'Observation']);
    const conditions = await call('doctor', 'GET', `/Patient/${patientId}/$everything?_type=Condition`);
    expect(conditions.body.entry.map((e: any) => e.resource.resourceType)).to.deep.equal(['Condition']);
    const future = await call('doctor', 'GET', `/Patient/${patientId}/$everything?_since=2100-01-01`);
    expect(future.body.total).to.equal(0);
    expect((await call('outsider', 'GET', `/Patient/${patientId}/$everything`)).status).to.equal(404);
  });

  it('the timeline lists the events in date order, in French', async () => {
    const timeline = await call('doctor', 'GET', `/Patient/${patientId}/$timeline`);
    expect(timeline.status).to.equal(200);
    expect(timeline.body.events.map((e: any) => e.kind)).to.deep.equal(['examen', 'diagnostic']);
    expect(timeline.body.events[1].label).to.contain('Adénocarcinome');
    expect((await call('outsider', 'GET', `/Patient/${patientId}/$timeline`)).status).to.equal(404);
  });
});
