import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { fhirClient, http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';

function patient(family: string, extra: Partial<Patient> = {}): Patient {
  return {
    resourceType: 'Patient',
    identifier: [{ system: 'https://dcc-paca.example/fhir/sid/ipp/test', value: unique('ipp') }],
    name: [{ family, given: ['Hélène'] }],
    gender: 'female',
    birthDate: '1962-05-14',
    ...extra,
  };
}

describe('FHIR REST: create, read, vread, update, delete', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('creates with 201, Location and ETag, and reads it back with fhir-kit-client', async () => {
    const res = await http(server, 'POST', '/Patient', patient('Martin'));
    expect(res.status).to.equal(201);
    expect(res.headers.get('location')).to.match(new RegExp(`^${server.fhirUrl}/Patient/[0-9a-f-]{36}/_history/1$`));
    expect(res.headers.get('etag')).to.equal('W/"1"');
    expect(res.headers.get('content-type')).to.match(/application\/fhir\+json/);
    expect(res.body.meta.versionId).to.equal('1');
    const client = fhirClient(server);
    const read = (await client.read({ resourceType: 'Patient', id: res.body.id })) as Patient;
    expect(read.name?.[0].family).to.equal('Martin');
  });

  it('ignores a client id on create and honours Prefer: return=minimal', async () => {
    const res = await http(server, 'POST', '/Patient', { ...patient('Minimal'), id: 'client-chosen' }, { prefer: 'return=minimal' });
    expect(res.status).to.equal(201);
    expect(res.text).to.equal('');
    expect(res.headers.get('location')).to.not.contain('client-chosen');
  });

  it('keeps every version: update increments versionId, vread returns old versions', async () => {
    const client = fhirClient(server);
    const created = (await client.create({ resourceType: 'Patient', body: patient('Durand') as any })) as Patient;
    const updated = (await client.update({ resourceType: 'Patient', id: created.id!, body: { ...created, name: [{ family: 'Durand-Leroy', given: ['Hélène'] }] } as any })) as Patient;
    expect(updated.meta?.versionId).to.equal('2');
    const v1 = (await client.vread({ resourceType: 'Patient', id: created.id!, version: '1' })) as Patient;
    expect(v1.name?.[0].family).to.equal('Durand');
    const missing = await http(server, 'GET', `/Patient/${created.id}/_history/9`);
    expect(missing.status).to.equal(404);
    expect(missing.body.resourceType).to.equal('OperationOutcome');
  });

  it('refuses a stale If-Match with 412 and keeps the newer version', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Bernard'))).body;
    const ok = await http(server, 'PUT', `/Patient/${created.id}`, { ...created, gender: 'other' }, { 'if-match': 'W/"1"' });
    expect(ok.status).to.equal(200);
    const stale = await http(server, 'PUT', `/Patient/${created.id}`, { ...created, gender: 'male' }, { 'if-match': 'W/"1"' });
    expect(stale.status).to.equal(412);
    expect(stale.body.issue[0].details.text).to.contain('version courante 2');
    const current = await http(server, 'GET', `/Patient/${created.id}`);
    expect(current.body.gender).to.equal('other');
  });

  it('serialises concurrent updates: each gets its own version, none is lost', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Concurrent'))).body;
    const results = await Promise.all(
      Array.from({ length: 8 }, (_, i) => http(server, 'PUT', `/Patient/${created.id}`, { ...created, birthDate: `1970-01-0${i + 1}` })),
    );
    expect(results.map((r) => r.status)).to.deep.equal(Array(8).fill(200));
    const versions = results.map((r) => Number(r.body.meta.versionId)).sort((a, b) => a - b);
    expect(versions).to.deep.equal([2, 3, 4, 5, 6, 7, 8, 9]);
    const history = await http(server, 'GET', `/Patient/${created.id}/_history`);
    expect(history.body.total).to.equal(9);
  });

  it('with concurrent If-Match updates on the same version, exactly one wins', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Race'))).body;
    const results = await Promise.all(
      Array.from({ length: 5 }, () => http(server, 'PUT', `/Patient/${created.id}`, { ...created, gender: 'male' }, { 'if-match': 'W/"1"' })),
    );
    expect(results.filter((r) => r.status === 200)).to.have.length(1);
    expect(results.filter((r) => r.status === 412)).to.have.length(4);
  });

  it('creates with a client id on PUT (update as create) with 201', async () => {
    const id = unique('pat-');
    const res = await http(server, 'PUT', `/Patient/${id}`, { ...patient('Put'), id });
    expect(res.status).to.equal(201);
    expect(res.body.meta.versionId).to.equal('1');
  });

  it('soft-deletes: read gives 410, history and old versions stay, search no longer finds it', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Supprime'))).body;
    const del = await http(server, 'DELETE', `/Patient/${created.id}`);
    expect(del.status).to.equal(204);
    const read = await http(server, 'GET', `/Patient/${created.id}`);
    expect(read.status).to.equal(410);
    expect(read.body.issue[0].code).to.equal('deleted');
    expect((await http(server, 'GET', `/Patient/${created.id}/_history/1`)).status).to.equal(200);
    const history = await http(server, 'GET', `/Patient/${created.id}/_history`);
    expect(history.body.entry.map((e: any) => e.request.method)).to.deep.equal(['DELETE', 'POST']);
    const search = await http(server, 'GET', `/Patient?identifier=${created.identifier[0].system}|${created.identifier[0].value}`);
    expect(search.body.total).to.equal(0);
    expect((await http(server, 'DELETE', `/Patient/${created.id}`)).status).to.equal(204);
  });

  it('conditional create: 201 when none match, 200 with the match when one does, 412 when several do', async () => {
    const value = unique('ipp');
    const body = patient('Conditionnel', { identifier: [{ system: 'urn:oid:1.2.250.1.71.4.2.7', value }] });
    const header = { 'if-none-exist': `identifier=urn:oid:1.2.250.1.71.4.2.7|${value}` };
    const first = await http(server, 'POST', '/Patient', body, header);
    expect(first.status).to.equal(201);
    const second = await http(server, 'POST', '/Patient', body, header);
    expect(second.status).to.equal(200);
    expect(second.body.id).to.equal(first.body.id);
    const family = unique('Homonyme');
    await http(server, 'POST', '/Patient', patient(family));
    await http(server, 'POST', '/Patient', patient(family));
    const several = await http(server, 'POST', '/Patient', patient(family), { 'if-none-exist': `family:exact=${family}` });
    expect(several.status).to.equal(412);
  });

  it('concurrent identical conditional creates create exactly one resource', async () => {
    const value = unique('ipp');
    const body = patient('Simultane', { identifier: [{ system: 'urn:ipp', value }] });
    const results = await Promise.all(Array.from({ length: 5 }, () => http(server, 'POST', '/Patient', body, { 'if-none-exist': `identifier=urn:ipp|${value}` })));
    expect(results.filter((r) => r.status === 201)).to.have.length(1);
    expect(new Set(results.map((r) => r.body.id)).size).to.equal(1);
  });
});

describe('FHIR REST: errors are OperationOutcomes with the right status', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('malformed JSON → 400', async () => {
    const res = await http(server, 'POST', '/Patient', '{"resourceType": "Patient",');
    expect(res.status).to.equal(400);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    expect(res.text).to.not.match(/at .*\.ts:\d+/);
  });

  it('invalid structure → 400 naming the path; required binding → 422 naming the path', async () => {
    const structural = await http(server, 'POST', '/Patient', { resourceType: 'Patient', birthDate: '14/05/1962' });
    expect(structural.status).to.equal(400);
    expect(structural.body.issue[0].expression[0]).to.equal('Patient.birthDate');
    const binding = await http(server, 'POST', '/Patient', { resourceType: 'Patient', gender: 'feminin' });
    expect(binding.status).to.equal(422);
    expect(binding.body.issue[0].expression[0]).to.equal('Patient.gender');
  });

  it('wrong type in body → 400; unknown type → 404; unknown id → 404', async () => {
    expect((await http(server, 'POST', '/Patient', { resourceType: 'Observation' })).status).to.equal(400);
    expect((await http(server, 'GET', '/Spaceship/1')).status).to.equal(404);
    const missing = await http(server, 'GET', '/Patient/does-not-exist');
    expect(missing.status).to.equal(404);
    expect(missing.body.issue[0].code).to.equal('not-found');
  });

  it('wrong method → 405 with Allow; unsupported media type → 415; body too large → 413', async () => {
    const wrong = await http(server, 'DELETE', '/Patient');
    expect(wrong.status).to.equal(405);
    expect(wrong.headers.get('allow')).to.contain('GET');
    const xml = await http(server, 'POST', '/Patient', '<Patient/>', { 'content-type': 'application/fhir+xml' });
    expect(xml.status).to.equal(415);
    const big = await http(server, 'POST', '/Patient', { resourceType: 'Patient', text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${'x'.repeat(6 * 1024 * 1024)}</div>` } });
    expect(big.status).to.equal(413);
    expect(big.body.resourceType).to.equal('OperationOutcome');
  });

  it('nothing half-written survives a failed update', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Intact'))).body;
    const bad = await http(server, 'PUT', `/Patient/${created.id}`, { ...created, gender: 'invalid-code' });
    expect(bad.status).to.equal(422);
    const history = await http(server, 'GET', `/Patient/${created.id}/_history`);
    expect(history.body.total).to.equal(1);
    expect((await http(server, 'GET', `/Patient/${created.id}`)).body.gender).to.equal('female');
  });

  it('serves application/json when asked, and _format', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Json'))).body;
    const res = await http(server, 'GET', `/Patient/${created.id}`, undefined, { accept: 'application/json' });
    expect(res.headers.get('content-type')).to.match(/^application\/json/);
    const viaFormat = await http(server, 'GET', `/Patient/${created.id}?_format=json`);
    expect(viaFormat.headers.get('content-type')).to.match(/^application\/json/);
    expect((await http(server, 'GET', `/Patient/${created.id}?_format=xml`)).status).to.equal(406);
    const asJson = await http(server, 'POST', '/Patient', patient('Json2'), { 'content-type': 'application/json' });
    expect(asJson.status).to.equal(201);
  });

  it('$validate reports issues without writing', async () => {
    const ok = await http(server, 'POST', '/Patient/$validate', patient('Valide'));
    expect(ok.status).to.equal(200);
    expect(ok.body.issue[0].severity).to.equal('information');
    const bad = await http(server, 'POST', '/Observation/$validate', { resourceType: 'Observation', status: 'bogus' });
    expect(bad.status).to.equal(200);
    const paths = bad.body.issue.map((i: any) => i.expression?.[0]);
    expect(paths).to.include('Observation.code');
    expect(paths).to.include('Observation.status');
  });
});

describe('FHIR REST: authentication in front of everything but metadata', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer({ identify: () => undefined });
  });
  after(() => server.close());

  it('answers /fhir/metadata without authentication, everything else with 401', async () => {
    const metadata = await http(server, 'GET', '/metadata');
    expect(metadata.status).to.equal(200);
    expect(metadata.body.resourceType).to.equal('CapabilityStatement');
    const read = await http(server, 'GET', '/Patient');
    expect(read.status).to.equal(401);
    expect(read.body.issue[0].code).to.equal('login');
  });
});

describe('FHIR REST: vread with a malformed version', () => {
  let server: RunningServer;
  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('answers 404 (not 500) for non-numeric or out-of-range versions', async () => {
    const created = (await http(server, 'POST', '/Patient', patient('Version'))).body;
    for (const v of ['abc', '1.5', '99999999999']) {
      const res = await http(server, 'GET', `/Patient/${created.id}/_history/${v}`);
      expect(res.status, v).to.equal(404);
      expect(res.body.resourceType).to.equal('OperationOutcome');
    }
  });
});
