import { expect } from 'chai';
import { http, startTestServer, testServices, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { asUser, identifyByHeader, professional, testUsers } from '../helpers/users.ts';

describe('Audit trail: append-only, sign-in traces, hardening', () => {
  let server: RunningServer;
  const users = testUsers({ admin: professional('RSSI', ['admin'], { practitionerId: 'admin-audit' }) });
  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
  });
  after(() => server.close());

  it('no API can change or delete an AuditEvent, and the database refuses it too', async () => {
    const patient = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: unique('Trace') }] }))).body;
    await http(server, 'GET', `/Patient/${patient.id}`);
    const events = (await http(server, 'GET', `/AuditEvent?patient=Patient/${patient.id}`)).body;
    expect(events.total).to.be.greaterThan(0);
    const event = events.entry[0].resource;
    expect((await http(server, 'PUT', `/AuditEvent/${event.id}`, { ...event, outcome: '0' })).status).to.equal(405);
    expect((await http(server, 'DELETE', `/AuditEvent/${event.id}`)).status).to.equal(405);
    const { db } = await testServices();
    let refused: unknown;
    try {
      await db('resource').where({ resource_type: 'AuditEvent', id: event.id }).delete();
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.contain('append-only');
    try {
      refused = undefined;
      await db('resource_version').where({ resource_type: 'AuditEvent', id: event.id }).update({ deleted: true });
    } catch (error) {
      refused = error;
    }
    expect(String(refused)).to.contain('append-only');
    expect((await http(server, 'GET', `/AuditEvent/${event.id}`)).status).to.equal(200);
  });

  it('a change of identity status is traced with from → to, in the same transaction as the update', async () => {
    const patient = (await http(server, 'POST', '/Patient', {
      resourceType: 'Patient', name: [{ use: 'official', family: unique('Statut'), given: ['Anne'] }], gender: 'female', birthDate: '1970-02-03',
    })).body;
    const prov = {
      ...patient,
      extension: [{
        url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability',
        extension: [{ url: 'identityStatus', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status', code: 'PROV' } }],
      }],
    };
    const updated = await http(server, 'PUT', `/Patient/${patient.id}`, prov);
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    const trail = await http(server, 'GET', `/AuditEvent?patient=Patient/${patient.id}&type=http://dicom.nema.org/resources/ontology/DCM|110110`);
    expect(trail.body.total).to.equal(1);
    expect(trail.body.entry[0].resource.outcomeDesc).to.contain('aucun → PROV');
  });

  it('"who accessed my record": the trail of one patient, paged, for the administrator', async () => {
    const patient = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: unique('Qui') }] }))).body;
    for (let i = 0; i < 3; i++) await http(server, 'GET', `/Patient/${patient.id}`);
    const page = await http(server, 'GET', `/AuditEvent?patient=Patient/${patient.id}&_count=2&_sort=-date`, undefined, asUser('admin'));
    expect(page.status).to.equal(200);
    expect(page.body.total).to.equal(4); // the create and three reads
    expect(page.body.entry).to.have.length(2);
    expect(page.body.link.some((l: any) => l.relation === 'next')).to.equal(true);
  });

  it('the review filters the trail by agent, action, type and outcome; the coded roles are not offered (written on every read, never filtered on): a warning, 400 when strict', async () => {
    const patient = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: unique('Filtre') }] }))).body;
    await http(server, 'GET', `/Patient/${patient.id}`);
    const trail = async (query: string, headers: Record<string, string> = {}) => http(server, 'GET', `/AuditEvent?patient=Patient/${patient.id}&${query}`, undefined, asUser('admin', headers));
    const reads = await trail('action=R&outcome=0&type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest');
    expect(reads.status).to.equal(200);
    expect(reads.body.total).to.equal(1);
    // The administrator is outside the circle of care: the refused read is in the trail under their name.
    expect((await http(server, 'GET', `/Patient/${patient.id}`, undefined, asUser('admin'))).status).to.equal(403);
    const byAdmin = await trail('agent=Practitioner/admin-audit');
    expect(byAdmin.body.total).to.be.greaterThan(0);
    expect(byAdmin.body.entry.every((e: any) => e.resource.agent.some((a: any) => a.who?.reference === 'Practitioner/admin-audit'))).to.equal(true);
    expect((await trail('agent=Practitioner/admin-audit&outcome:not=0&action=R')).body.total).to.equal(1);
    for (const param of ['agent-role', 'entity-role', 'entity-type']) {
      const lenient = await trail(`${param}=1`);
      expect(lenient.body.entry.find((e: any) => e.search?.mode === 'outcome').resource.issue[0].details.text, param).to.contain(param);
      const refused = await trail(`${param}=1`, { prefer: 'handling=strict' });
      expect(refused.status, param).to.equal(400);
      expect(refused.body.resourceType).to.equal('OperationOutcome');
    }
    const { db } = await testServices();
    const event = reads.body.entry[0].resource.id;
    const params = (await db('sp_token').join('resource', 'resource.seq', 'sp_token.res').where({ 'resource.resource_type': 'AuditEvent', 'resource.id': event }).pluck('param')) as string[];
    expect(params).to.include.members(['action', 'outcome', 'type']);
    expect(params).to.not.include.members(['agent-role']);
    expect(params.filter((p) => p.startsWith('entity-'))).to.deep.equal([]);
  });

  it('a refused card or session is traced as a failed sign-in', async () => {
    const signIn = await startTestServer({ realSignIn: true });
    const res = await fetch(`${signIn.fhirUrl}/Patient`, { headers: { cookie: 'dcc_session=forged-token' } });
    expect(res.status).to.equal(401);
    const malformed = await fetch(`${signIn.fhirUrl}/Patient`, { headers: { cookie: 'dcc_session=%E0%A4%A' } });
    expect(malformed.status).to.equal(401); // not a 500
    await signIn.close();
    const failures = await http(server, 'GET', '/AuditEvent?type=http://dicom.nema.org/resources/ontology/DCM|110114&outcome=4&_sort=-date&_count=1');
    expect(failures.body.entry[0].resource.outcomeDesc).to.contain('Session inconnue');
  });

  it('rate-limits the sign-in endpoints per address', async () => {
    const signIn = await startTestServer({ realSignIn: true, config: { signInRateLimit: 3 } });
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) statuses.push((await fetch(`${signIn.url}/auth/session`)).status);
    await signIn.close();
    expect(statuses.slice(0, 3)).to.deep.equal([401, 401, 401]);
    expect(statuses.slice(3)).to.deep.equal([429, 429]);
  });
});
