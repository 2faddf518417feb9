import { expect } from 'chai';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';

const LOINC = 'http://loinc.org';

describe('FHIR search', () => {
  let server: RunningServer;
  let tag: string; // every resource of this suite carries it, so counts ignore other tests' data
  let patientId: string;
  let otherPatientId: string;

  before(async () => {
    server = await startTestServer();
    tag = unique('suite');
    const mk = async (body: any) => (await http(server, 'POST', `/${body.resourceType}`, { ...body, meta: { tag: [{ system: 'urn:test', code: tag }] } })).body;
    patientId = (await mk({ resourceType: 'Patient', name: [{ family: 'Lefèvre', given: ['Gaëlle'] }], gender: 'female', birthDate: '1958-03-02', address: [{ city: 'Marseille' }], identifier: [{ system: 'https://dcc-paca.example/fhir/sid/ipp/test', value: `${tag}-1` }] })).id;
    otherPatientId = (await mk({ resourceType: 'Patient', name: [{ family: 'Lefort', given: ['François'] }], gender: 'male', birthDate: '1971-11-20', address: [{ city: 'Nice' }] })).id;
    // Durand has no address and no identifier: the subject of :missing and of missing values sorting last.
    await mk(withIdentity({ resourceType: 'Patient', name: [{ family: 'Durand' }], gender: 'male' }));
    const obs = (code: string, subject: string, date: string, status = 'final') =>
      mk({ resourceType: 'Observation', status, code: { coding: [{ system: LOINC, code }] }, subject: { reference: `Patient/${subject}` }, effectiveDateTime: date });
    await obs('89247-1', patientId, '2024-01-15T10:00:00+01:00');
    await obs('89247-1', patientId, '2024-03-10');
    await obs('21908-9', patientId, '2024-06');
    await obs('89247-1', otherPatientId, '2023-12-31T23:30:00Z', 'preliminary');
  });
  after(() => server.close());

  const search = async (query: string, headers: Record<string, string> = {}) => {
    const res = await http(server, 'GET', `${query}${query.includes('?') ? '&' : '?'}_tag=urn:test|${tag}`, undefined, headers);
    return res;
  };
  const ids = (bundle: any, mode = 'match') => bundle.entry.filter((e: any) => e.search?.mode === mode).map((e: any) => e.resource.id);

  it('string: prefix by default, accent and case insensitive; :exact; :contains', async () => {
    expect((await search('/Patient?name=lef')).body.total).to.equal(2);
    expect((await search('/Patient?family=LEFEVRE')).body.total).to.equal(1);
    expect((await search('/Patient?given=gaelle')).body.total).to.equal(1);
    expect((await search('/Patient?family:exact=Lefèvre')).body.total).to.equal(1);
    expect((await search('/Patient?family:exact=lefèvre')).body.total).to.equal(0);
    expect((await search('/Patient?family:contains=fev')).body.total).to.equal(1);
  });

  it('token: code, system|code, |code, system|, :not, and comma as OR', async () => {
    expect((await search('/Patient?gender=female')).body.total).to.equal(1);
    expect((await search('/Patient?gender:not=female')).body.total).to.equal(2);
    expect((await search(`/Observation?code=${LOINC}|89247-1`)).body.total).to.equal(3);
    expect((await search(`/Observation?code=http://snomed.info/sct|89247-1`)).body.total).to.equal(0);
    expect((await search(`/Observation?code=${LOINC}|`)).body.total).to.equal(4);
    expect((await search('/Observation?code=89247-1,21908-9')).body.total).to.equal(4);
    expect((await search(`/Patient?identifier=https://dcc-paca.example/fhir/sid/ipp/test|${tag}-1`)).body.total).to.equal(1);
    expect((await search('/Observation?status=final&code=89247-1')).body.total).to.equal(2);
  });

  it(':missing on any parameter', async () => {
    expect((await search('/Patient?address-city:missing=true')).body.total).to.equal(1);
    expect((await search('/Patient?address-city:missing=false')).body.total).to.equal(2);
    expect((await search('/Patient?birthdate:missing=maybe')).status).to.equal(400);
  });

  it('reference: Type/id, bare id, :Type modifier, patient alias', async () => {
    expect((await search(`/Observation?subject=Patient/${patientId}`)).body.total).to.equal(3);
    expect((await search(`/Observation?patient=${patientId}`)).body.total).to.equal(3);
    expect((await search(`/Observation?subject:Patient=${otherPatientId}`)).body.total).to.equal(1);
  });

  it('date prefixes with the precision of the value', async () => {
    expect((await search('/Observation?date=2024')).body.total).to.equal(3);
    expect((await search('/Observation?date=2024-03')).body.total).to.equal(1);
    expect((await search('/Observation?date=eq2024-01-15')).body.total).to.equal(1);
    expect((await search('/Observation?date=ne2024-01-15')).body.total).to.equal(3);
    expect((await search('/Observation?date=lt2024-01-01')).body.total).to.equal(1);
    expect((await search('/Observation?date=ge2024-03-10')).body.total).to.equal(2);
    expect((await search('/Observation?date=gt2024-03-10')).body.total).to.equal(1);
    expect((await search('/Observation?date=le2024-01-15')).body.total).to.equal(2);
    // A month value is not entirely "after" a day inside it
    expect((await search('/Observation?date=gt2024-06-15')).body.total).to.equal(1);
    expect((await search('/Observation?date=ge2024-01-01&date=lt2024-04-01')).body.total).to.equal(2);
    expect((await search('/Observation?date=2024-13-45')).status).to.equal(400);
  });

  it('every date prefix on periods open at one end, with the index bound each prefix adds (same rows as the comparison alone)', async () => {
    const subject = (await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: 'Période' }] }))).body.id;
    const period = async (name: string, effectivePeriod: object) => (await http(server, 'POST', '/Observation', {
      resourceType: 'Observation', status: 'final', code: { coding: [{ system: 'urn:test:open-period', code: tag }], text: name },
      subject: { reference: `Patient/${subject}` }, effectivePeriod, // no suite tag: the other tests count its Observations
    })).body.id;
    const ids = {
      sinceFeb: await period('depuis le 1er février', { start: '2024-02-01' }),
      untilFeb10: await period('jusqu’au 10 février', { end: '2024-02-10' }),
      march: await period('mars', { start: '2024-03-01', end: '2024-03-31' }),
      feb5: await period('le 5 février', { start: '2024-02-05T08:00:00Z', end: '2024-02-05T09:00:00Z' }),
    };
    const found = async (prefix: string) => {
      const bundle = (await http(server, 'GET', `/Observation?code=urn:test:open-period|${tag}&date=${prefix}2024-02-05`)).body;
      return Object.entries(ids).filter(([, id]) => bundle.entry.some((e: any) => e.resource.id === id)).map(([name]) => name).sort();
    };
    expect(await found('eq')).to.deep.equal(['feb5']);
    expect(await found('ne')).to.deep.equal(['march', 'sinceFeb', 'untilFeb10']);
    expect(await found('gt')).to.deep.equal(['march', 'sinceFeb', 'untilFeb10']);
    expect(await found('ge')).to.deep.equal(['feb5', 'march', 'sinceFeb', 'untilFeb10']);
    expect(await found('lt')).to.deep.equal(['sinceFeb', 'untilFeb10']);
    expect(await found('le')).to.deep.equal(['feb5', 'sinceFeb', 'untilFeb10']);
    expect(await found('sa')).to.deep.equal(['march']);
    expect(await found('eb')).to.deep.equal([]);
  });

  it('_id, _lastUpdated, _summary=count and _total=none', async () => {
    expect(ids((await search(`/Patient?_id=${patientId},${otherPatientId}`)).body)).to.have.members([patientId, otherPatientId]);
    expect((await search('/Patient?_lastUpdated=gt2000-01-01')).body.total).to.equal(3);
    expect((await search('/Patient?_lastUpdated=lt2000-01-01')).body.total).to.equal(0);
    const count = await search('/Observation?_summary=count');
    expect(count.body.total).to.equal(4);
    expect(count.body.entry ?? []).to.have.length(0);
    expect((await search('/Observation?_total=none')).body.total).to.equal(undefined);
  });

  it('_sort ascending and descending on dates, strings and _lastUpdated', async () => {
    const byDate = (await search('/Observation?_sort=date')).body.entry.map((e: any) => e.resource.effectiveDateTime);
    expect(byDate).to.deep.equal(['2023-12-31T23:30:00Z', '2024-01-15T10:00:00+01:00', '2024-03-10', '2024-06']);
    const desc = (await search('/Observation?_sort=-date')).body.entry.map((e: any) => e.resource.effectiveDateTime);
    expect(desc).to.deep.equal([...byDate].reverse());
    const names = (await search('/Patient?_sort=family')).body.entry.map((e: any) => e.resource.name[0].family);
    expect(names).to.deep.equal(['Durand', 'Lefèvre', 'Lefort']);
    const missingLast = (await search('/Patient?_sort=-address-city')).body.entry.map((e: any) => e.resource.name[0].family);
    expect(missingLast).to.deep.equal(['Lefort', 'Lefèvre', 'Durand']);
    expect((await search('/Patient?_sort=shoe-size')).status).to.equal(400);
  });

  it('_include and _revinclude', async () => {
    const inc = (await search(`/Observation?patient=${patientId}&_include=Observation:subject`)).body;
    expect(ids(inc)).to.have.length(3);
    expect(ids(inc, 'include')).to.deep.equal([patientId]);
    const rev = (await search(`/Patient?_id=${patientId}&_revinclude=Observation:subject`)).body;
    expect(ids(rev)).to.deep.equal([patientId]);
    expect(ids(rev, 'include')).to.have.length(3);
    expect((await search('/Observation?_include=Observation:nothing')).status).to.equal(400);
  });

  it('unknown parameters: warning in the Bundle, or 400 with Prefer: handling=strict', async () => {
    const lenient = await search('/Patient?shoe-size=42');
    expect(lenient.status).to.equal(200);
    const outcome = lenient.body.entry.find((e: any) => e.search?.mode === 'outcome').resource;
    expect(outcome.issue[0].severity).to.equal('warning');
    expect(outcome.issue[0].details.text).to.contain('shoe-size');
    const strict = await search('/Patient?shoe-size=42', { prefer: 'handling=strict' });
    expect(strict.status).to.equal(400);
    expect(strict.body.resourceType).to.equal('OperationOutcome');
  });

  it('POST _search with a form body', async () => {
    const res = await fetch(`${server.fhirUrl}/Patient/_search`, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json' },
      body: new URLSearchParams({ family: 'lefort', _tag: `urn:test|${tag}` }),
    });
    expect(res.status).to.equal(200);
    expect((await res.json()).total).to.equal(1);
  });
});

describe('FHIR search paging', () => {
  let server: RunningServer;
  let tag: string;
  before(async () => {
    server = await startTestServer();
    tag = unique('page');
    for (let i = 0; i < 7; i++) {
      await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: `Page${i}` }], birthDate: `1980-01-0${i + 1}`, meta: { tag: [{ system: 'urn:test', code: tag }] } }));
    }
  });
  after(() => server.close());

  const follow = async (url: string) => (await fetch(url, { headers: { accept: 'application/fhir+json' } })).json();
  const link = (bundle: any, relation: string) => bundle.link.find((l: any) => l.relation === relation)?.url;
  const families = (bundle: any) => bundle.entry.map((e: any) => e.resource.name[0].family);

  it('pages with absolute next/previous links, _count capped at the maximum', async () => {
    const first = (await http(server, 'GET', `/Patient?_tag=urn:test|${tag}&_count=3`)).body;
    expect(link(first, 'self')).to.match(/^http:\/\/127\.0\.0\.1:\d+\/fhir\/Patient\?/);
    expect(first.total).to.equal(7);
    expect(families(first)).to.deep.equal(['Page0', 'Page1', 'Page2']);
    expect(link(first, 'previous')).to.equal(undefined);
    const second = await follow(link(first, 'next'));
    expect(families(second)).to.deep.equal(['Page3', 'Page4', 'Page5']);
    const third = await follow(link(second, 'next'));
    expect(families(third)).to.deep.equal(['Page6']);
    expect(link(third, 'next')).to.equal(undefined);
    const back = await follow(link(third, 'previous'));
    expect(families(back)).to.deep.equal(['Page3', 'Page4', 'Page5']);
    const huge = (await http(server, 'GET', `/Patient?_tag=urn:test|${tag}&_count=100000`)).body;
    expect(huge.entry).to.have.length(7);
  });

  it('links stay correct while data changes between pages', async () => {
    const first = (await http(server, 'GET', `/Patient?_tag=urn:test|${tag}&_count=3&_sort=birthdate`)).body;
    expect(families(first)).to.deep.equal(['Page0', 'Page1', 'Page2']);
    // Meanwhile: a new patient sorts first, and Page0 is deleted. The next page neither repeats nor skips.
    await http(server, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: 'Nouveau' }], birthDate: '1970-01-01', meta: { tag: [{ system: 'urn:test', code: tag }] } }));
    const second = await follow(link(first, 'next'));
    expect(families(second)).to.deep.equal(['Page3', 'Page4', 'Page5']);
  });

  it('rejects a tampered cursor with 400', async () => {
    const res = await http(server, 'GET', `/Patient?_tag=urn:test|${tag}&_cursor=garbage`);
    expect(res.status).to.equal(400);
  });
});
