import { expect } from 'chai';
import { fhirClient, http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';

describe('FHIR transaction and batch', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  const patientEntry = (fullUrl: string, value: string, family = 'Transaction') => ({
    fullUrl,
    resource: withIdentity({ resourceType: 'Patient', name: [{ family }], identifier: [{ system: 'urn:ipp', value }] }),
    request: { method: 'POST', url: 'Patient', ifNoneExist: `identifier=urn:ipp|${value}` },
  });
  const conditionEntry = (subject: string) => ({
    fullUrl: `urn:uuid:${crypto.randomUUID()}`,
    resource: {
      resourceType: 'Condition', subject: { reference: subject },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7' }] },
    },
    request: { method: 'POST', url: 'Condition' },
  });

  it('commits all entries, resolving urn:uuid references, through fhir-kit-client', async () => {
    const value = unique('ipp');
    const patientUrl = `urn:uuid:${crypto.randomUUID()}`;
    const response: any = await fhirClient(server).transaction({
      body: { resourceType: 'Bundle', type: 'transaction', entry: [conditionEntry(patientUrl), patientEntry(patientUrl, value)] } as any,
    });
    expect(response.type).to.equal('transaction-response');
    expect(response.entry.map((e: any) => e.response.status)).to.deep.equal(['201 Created', '201 Created']);
    const patientId = response.entry[1].resource.id;
    expect(response.entry[0].resource.subject.reference).to.equal(`Patient/${patientId}`);
    expect(response.entry[1].response.location).to.match(/\/fhir\/Patient\/.+\/_history\/1$/);
    const found = await http(server, 'GET', `/Condition?subject=Patient/${patientId}`);
    expect(found.body.total).to.equal(1);
  });

  it('conditional create inside a transaction reuses the existing resource for references', async () => {
    const value = unique('ipp');
    const first = await http(server, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [patientEntry(`urn:uuid:${crypto.randomUUID()}`, value)] });
    const existingId = first.body.entry[0].resource.id;
    const patientUrl = `urn:uuid:${crypto.randomUUID()}`;
    const second = await http(server, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [patientEntry(patientUrl, value), conditionEntry(patientUrl)] });
    expect(second.status).to.equal(200);
    expect(second.body.entry[0].response.status).to.equal('200 OK');
    expect(second.body.entry[1].resource.subject.reference).to.equal(`Patient/${existingId}`);
    expect((await http(server, 'GET', `/Patient?identifier=urn:ipp|${value}`)).body.total).to.equal(1);
  });

  it('is atomic: one invalid entry rolls back every other one, and the error names the entry', async () => {
    const value = unique('ipp');
    const patientUrl = `urn:uuid:${crypto.randomUUID()}`;
    const bad = { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: { resourceType: 'Observation', status: 'final' }, request: { method: 'POST', url: 'Observation' } };
    const res = await http(server, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [patientEntry(patientUrl, value), conditionEntry(patientUrl), bad] });
    expect(res.status).to.equal(400);
    expect(res.body.issue[0].expression[0]).to.match(/^Bundle\.entry\[2\]/);
    expect((await http(server, 'GET', `/Patient?identifier=urn:ipp|${value}`)).body.total).to.equal(0);
  });

  it('rejects an unresolvable urn:uuid reference', async () => {
    const res = await http(server, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [conditionEntry(`urn:uuid:${crypto.randomUUID()}`)] });
    expect(res.status).to.equal(400);
    expect(res.body.issue[0].details.text).to.contain('fullUrl');
  });

  it('supports PUT, DELETE and GET entries, with If-Match', async () => {
    const created = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: 'Avant' }] }))).body;
    const toDelete = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: 'Efface' }] }))).body;
    const res = await http(server, 'POST', '/', {
      resourceType: 'Bundle', type: 'transaction', entry: [
        { resource: { ...created, name: [{ family: 'Apres', given: ['Claire'] }] }, request: { method: 'PUT', url: `Patient/${created.id}`, ifMatch: 'W/"1"' } },
        { request: { method: 'DELETE', url: `Patient/${toDelete.id}` } },
        { request: { method: 'GET', url: `Patient/${created.id}` } },
      ],
    });
    expect(res.body.entry.map((e: any) => e.response.status)).to.deep.equal(['200 OK', '204 No Content', '200 OK']);
    expect(res.body.entry[2].resource.name[0].family).to.equal('Apres');
    expect((await http(server, 'GET', `/Patient/${toDelete.id}`)).status).to.equal(410);
    const stale = await http(server, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: [
      { resource: { ...created, name: [{ family: 'Perdu' }] }, request: { method: 'PUT', url: `Patient/${created.id}`, ifMatch: 'W/"1"' } },
    ] });
    expect(stale.status).to.equal(412);
  });

  it('batch: entries succeed or fail on their own', async () => {
    const value = unique('ipp');
    const res = await http(server, 'POST', '/', {
      resourceType: 'Bundle', type: 'batch', entry: [
        patientEntry(`urn:uuid:${crypto.randomUUID()}`, value),
        { resource: { resourceType: 'Patient', gender: 'bogus' }, request: { method: 'POST', url: 'Patient' } },
        { request: { method: 'GET', url: 'Patient/unknown-id' } },
      ],
    });
    expect(res.status).to.equal(200);
    expect(res.body.type).to.equal('batch-response');
    expect(res.body.entry.map((e: any) => e.response.status)).to.deep.equal(['201 Created', '422', '404']);
    expect(res.body.entry[1].response.outcome.resourceType).to.equal('OperationOutcome');
    expect((await http(server, 'GET', `/Patient?identifier=urn:ipp|${value}`)).body.total).to.equal(1);
  });

  it('refuses a Bundle that is neither transaction nor batch', async () => {
    const res = await http(server, 'POST', '/', { resourceType: 'Bundle', type: 'collection', entry: [] });
    expect(res.status).to.equal(400);
  });
});

describe('FHIR history and metadata', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('type history with _since and _count paging', async () => {
    const before = new Date().toISOString();
    await new Promise((r) => setTimeout(r, 5));
    const a = (await http(server, 'POST', '/ResearchStudy', { resourceType: 'ResearchStudy', status: 'active', title: unique('Essai') })).body;
    await http(server, 'PUT', `/ResearchStudy/${a.id}`, { ...a, status: 'closed-to-accrual' });
    await http(server, 'POST', '/ResearchStudy', { resourceType: 'ResearchStudy', status: 'active', title: unique('Essai') });
    const page1 = (await http(server, 'GET', `/ResearchStudy/_history?_since=${encodeURIComponent(before)}&_count=2`)).body;
    expect(page1.type).to.equal('history');
    expect(page1.entry).to.have.length(2);
    const next = page1.link.find((l: any) => l.relation === 'next').url;
    const page2 = await (await fetch(next, { headers: { accept: 'application/fhir+json' } })).json();
    expect(page2.entry.length).to.be.greaterThan(0);
    const seen = [...page1.entry, ...page2.entry].map((e: any) => `${e.resource.id}/${e.response.etag}`);
    expect(new Set(seen).size).to.equal(seen.length);
    expect((await http(server, 'GET', '/ResearchStudy/_history?_since=not-a-date')).status).to.equal(400);
  });

  it('instance history of an unknown resource is 404', async () => {
    expect((await http(server, 'GET', '/Patient/nobody/_history')).status).to.equal(404);
  });

  it('CapabilityStatement lists the supported types, interactions and indexed search parameters', async () => {
    const cs = (await http(server, 'GET', '/metadata')).body;
    expect(cs.fhirVersion).to.equal('4.0.1');
    const types = cs.rest[0].resource.map((r: any) => r.type);
    for (const t of ['Patient', 'CarePlan', 'Composition', 'Consent', 'AuditEvent', 'ResearchStudy', 'Task', 'Appointment']) expect(types).to.include(t);
    const observation = cs.rest[0].resource.find((r: any) => r.type === 'Observation');
    const params = observation.searchParam.map((p: any) => p.name);
    expect(params).to.include.members(['_id', '_lastUpdated', 'code', 'subject', 'patient', 'date', 'category', 'status']);
    expect(params).to.not.include('code-value-quantity'); // composite: not offered, so not announced
    expect(observation.interaction.map((i: any) => i.code)).to.include.members(['read', 'vread', 'create', 'update', 'delete', 'search-type', 'history-instance']);
  });
});
