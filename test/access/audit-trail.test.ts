import { expect } from 'chai';
import { http, startTestServer, testServices, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { demoProfessionals } from '../../server/auth/demo-pki.ts';
import { buildDemoBundle } from '../../server/seed/demo-data.ts';
import { IDNPS_SYSTEM } from '../../server/identity/index.ts';
import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
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

  it('the review filters the trail by patient, agent, entity, date, subtype, action, type, outcome and address, without a search-index row per event; other criteria are not offered: a warning, 400 when strict', async () => {
    const before = new Date(Date.now() - 1000).toISOString();
    const patient = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: unique('Filtre') }] }))).body;
    await http(server, 'GET', `/Patient/${patient.id}`);
    // The administrator is outside the circle of care: the refused read is in the trail under their name.
    expect((await http(server, 'GET', `/Patient/${patient.id}`, undefined, asUser('admin'))).status).to.equal(403);
    // Every search of the review is traced too (it names the patient): the review looks before it started.
    await new Promise((resolve) => setTimeout(resolve, 5));
    const cut = new Date().toISOString();
    const trail = async (query: string, headers: Record<string, string> = {}) => http(server, 'GET', `/AuditEvent?patient=Patient/${patient.id}&date=lt${cut}&${query}`, undefined, asUser('admin', headers));
    const reads = await trail('action=R&outcome=0&type=http://terminology.hl7.org/CodeSystem/audit-event-type|rest');
    expect(reads.status).to.equal(200);
    expect(reads.body.total).to.equal(1);
    const byAdmin = await trail('agent=Practitioner/admin-audit');
    expect(byAdmin.body.total).to.be.greaterThan(0);
    expect(byAdmin.body.entry.every((e: any) => e.resource.agent.some((a: any) => a.who?.reference === 'Practitioner/admin-audit'))).to.equal(true);
    expect((await trail('agent=Practitioner/admin-audit&outcome:not=0&action=R')).body.total).to.equal(1);
    // Each criterion, with and without a match: create + read + refused read = 3 events.
    const totals: Record<string, number> = {
      '': 3,
      [`entity=Patient/${patient.id}`]: 3,
      [`entity=Patient/${patient.id}/_history/1`]: 3,
      [`patient=${patient.id}`]: 3,
      'patient:Patient=x-unknown': 0,
      'subtype=http://hl7.org/fhir/restful-interaction|read': 2,
      'subtype=create': 1,
      'subtype=|create': 0,
      'subtype=http://hl7.org/fhir/restful-interaction|': 3,
      'subtype:not=read': 1,
      'action=C,R': 3,
      'action=U': 0,
      'outcome=4': 1,
      'type=rest': 3,
      'type=http://example.org/other|rest': 0,
      [`date=ge${before}`]: 3,
      [`date=lt${before}`]: 0,
      [`date=${before.slice(0, 4)}`]: 3,
      'address:contains=127.0.0.1': 3,
      'address:exact=10.0.0.1': 0,
      'agent=admin-audit': 1,
      'agent=Organization/admin-audit': 0,
    };
    for (const [query, total] of Object.entries(totals)) {
      const res = await trail(query);
      expect(res.status, `${query}: ${JSON.stringify(res.body).slice(0, 300)}`).to.equal(200);
      expect(res.body.total, query).to.equal(total);
    }
    const sorted = await trail('_sort=-date');
    const dates = sorted.body.entry.map((e: any) => e.resource.recorded);
    expect(dates).to.deep.equal([...dates].sort().reverse());
    expect((await trail('_sort=outcome')).status).to.equal(400);
    for (const param of ['agent-role', 'entity-role', 'entity-type', 'agent-name', 'policy', '_tag']) {
      const lenient = await trail(`${param}=1`);
      expect(lenient.body.entry.find((e: any) => e.search?.mode === 'outcome').resource.issue[0].details.text, param).to.contain(param);
      const refused = await trail(`${param}=1`, { prefer: 'handling=strict' });
      expect(refused.status, param).to.equal(400);
      expect(refused.body.resourceType).to.equal('OperationOutcome');
    }
    expect((await trail('subtype:text=read')).status).to.equal(400);
    expect((await trail('patient:missing=true')).status).to.equal(400);
    // The trail is found through its content's indexes (migration 015): an event has no index rows.
    const { db } = await testServices();
    const ids = reads.body.entry.map((e: any) => e.resource.id);
    const indexRows = await db('sp_token').join('resource', 'resource.seq', 'sp_token.res').where({ 'resource.resource_type': 'AuditEvent' }).whereIn('resource.id', ids).count({ n: '*' }).first();
    expect(Number(indexRows?.n)).to.equal(0);
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

  it('does not count a signed-in page asking who is signed in, nor the list of methods', async () => {
    const signIn = await startTestServer({ realSignIn: true, config: { signInRateLimit: 3, demoSignIn: true } });
    try {
      const [someone] = demoProfessionals(buildDemoBundle());
      const login = await fetch(`${signIn.url}/auth/demo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ practitioner: someone!.idnps }) });
      expect(login.status).to.equal(200); // counted: 1
      const cookie = (login.headers.get('set-cookie') ?? '').split(';')[0]!;
      for (let i = 0; i < 10; i++) {
        expect((await fetch(`${signIn.url}/auth/session`, { headers: { cookie } })).status, `page load ${i + 1}`).to.equal(200);
        expect((await fetch(`${signIn.url}/auth/methods`)).status).to.equal(200);
      }
      // Probes without a session still count: 2, 3, then refused.
      const probes: number[] = [];
      for (let i = 0; i < 3; i++) probes.push((await fetch(`${signIn.url}/auth/session`)).status);
      expect(probes).to.deep.equal([401, 401, 429]);
    } finally {
      await signIn.close();
      // The sign-in entered the professional in the shared test directory (as a first CPS sign-in
      // does): removed, so the demo data seeded by later tests gets its own entry, qualifications included.
      const [someone] = demoProfessionals(buildDemoBundle());
      const repo = signIn.services.store.system();
      for (const p of await repo.searchAll<Practitioner>('Practitioner', { identifier: `${IDNPS_SYSTEM}|${someone!.idnps}` })) {
        for (const role of await repo.searchAll<PractitionerRole>('PractitionerRole', { practitioner: `Practitioner/${p.id}` })) await repo.delete('PractitionerRole', role.id!);
        await repo.delete('Practitioner', p.id!);
      }
    }
  });
});
