import { expect } from 'chai';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, professional, testUsers } from '../helpers/users.ts';

/**
 * QA (security officer): after an emergency access, « Voir les accès au dossier » listed the
 * refused read and the later reads flagged « BRIS DE GLACE », but no line for the grant itself nor
 * its reason. The opening is an AuditEvent of the patient's trail: entity the Patient, subtype
 * break-glass, flagged BTG, the reason and the end in its description.
 */
describe('Security: the opening of an emergency access is in the patient\'s access trail, with its reason', () => {
  let server: RunningServer;
  const users = testUsers();
  let patientId: string;
  const ids: Record<string, string> = {};
  const reason = 'Patient inconscient admis au déchocage, antécédents inconnus';
  const as = (user: string, method: string, path: string, body?: unknown) => http(server, method, path, body, asUser(user));

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    for (const name of ['emergency', 'officer']) {
      const res = await as('system', 'POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: unique(name), given: ['Test'] }] });
      ids[name] = res.body.id;
    }
    users.emergency = professional('Dr Urgences', ['physician'], { practitionerId: ids.emergency });
    users.officer = professional('RSSI', ['admin'], { practitionerId: ids.officer });
    const patient = await as('system', 'POST', '/Patient', { resourceType: 'Patient', name: [{ family: unique('Dechoc'), given: ['Test'] }], gender: 'female', birthDate: '1959-07-23' });
    patientId = patient.body.id;
  });
  after(() => server.close());

  it('the grant is a line of the patient\'s trail: subtype break-glass, BTG, the reason and its end, by the physician', async () => {
    expect((await as('emergency', 'GET', `/Patient/${patientId}`)).status).to.equal(404); // refused: outside the circle
    const opened = await as('emergency', 'POST', `/Patient/${patientId}/$break-glass`, { reason });
    expect(opened.status).to.equal(200);
    expect((await as('emergency', 'GET', `/Patient/${patientId}`)).status).to.equal(200);

    // What the security officer's page asks (client/src/api/security.ts).
    const trail = await as('officer', 'GET', `/AuditEvent?patient=Patient/${patientId}&_sort=-_lastUpdated&_count=100`);
    expect(trail.status).to.equal(200);
    const events = trail.body.entry.map((e: any) => e.resource);
    const grants = events.filter((e: any) => e.subtype?.some((s: any) => s.code === 'break-glass'));
    expect(grants).to.have.length(1);
    const grant = grants[0];
    expect(grant.subtype[0].system).to.equal('https://dcc-paca.example/fhir/CodeSystem/dcc-audit');
    expect(grant.subtype[0].display).to.equal("Accès d'urgence ouvert");
    expect(grant.outcome).to.equal('0');
    expect(grant.agent[0].who.reference).to.equal(`Practitioner/${ids.emergency}`);
    expect(grant.entity[0].what.reference).to.equal(`Patient/${patientId}`);
    expect(grant.purposeOfEvent[0].coding[0].code).to.equal('BTG');
    expect(grant.purposeOfEvent[0].text).to.equal(reason);
    expect(grant.outcomeDesc).to.match(new RegExp(`^Accès d'urgence ouvert — motif : ${reason} \\(jusqu'au .+, heure de Paris\\)$`));

    // Its end is the grant's, as the review list gives it.
    const listed = await fetch(`${server.url}/access/break-glass`, { headers: asUser('officer') });
    const record = (await listed.json()).grants.find((g: any) => g.patientId === patientId);
    expect(grant.period.end).to.equal(record.expiresAt);
    expect(grant.entity[0].detail).to.deep.include({ type: 'break-glass-grant', valueString: record.id });
  });

  it('the trail opened by record id names the patient as the emergency list does, and that read is traced', async () => {
    const res = await fetch(`${server.url}/access/audit-patients/${patientId}`, { headers: asUser('officer') });
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body.identity).to.match(/^DECHOC\S* Test, née le 23\/07\/1959$/);
    const traced = await as('officer', 'GET', `/AuditEvent?patient=Patient/${patientId}&agent=Practitioner/${ids.officer}&_count=100`);
    expect(traced.body.entry.map((e: any) => e.resource.outcomeDesc)).to.include('Identité du patient pour la revue de son journal des accès (responsable de la sécurité)');
    expect((await fetch(`${server.url}/access/audit-patients/${patientId}`, { headers: asUser('emergency') })).status).to.equal(403);
    expect((await fetch(`${server.url}/access/audit-patients/no-such-record`, { headers: asUser('officer') })).status).to.equal(404);
  });

  it('a refused opening (reason too short) leaves no grant line', async () => {
    const other = await as('system', 'POST', '/Patient', { resourceType: 'Patient', name: [{ family: unique('Refus'), given: ['Test'] }], gender: 'male', birthDate: '1960-01-01' });
    expect((await as('emergency', 'POST', `/Patient/${other.body.id}/$break-glass`, { reason: 'urgence' })).status).to.equal(400);
    const trail = await as('officer', 'GET', `/AuditEvent?patient=Patient/${other.body.id}&_count=100`);
    const events = (trail.body.entry ?? []).map((e: any) => e.resource);
    expect(events.filter((e: any) => e.subtype?.some((s: any) => s.code === 'break-glass'))).to.have.length(0);
  });

  it('what the review dialog asks: the patient\'s trail by the holder between the opening and the end, the reads under the grant (BTG) and no one else\'s', async () => {
    const grant = (await (await fetch(`${server.url}/access/break-glass`, { headers: asUser('officer') })).json()).grants.find((g: any) => g.patientId === patientId);
    await as('emergency', 'GET', `/Condition?subject=Patient/${patientId}`);
    await as('system', 'GET', `/Patient/${patientId}`);
    // The query of client/src/api/security.ts grantAccesses.
    const params = new URLSearchParams({ patient: `Patient/${patientId}`, agent: `Practitioner/${ids.emergency}`, _sort: '_lastUpdated', _count: '1000' });
    params.append('date', `ge${grant.createdAt}`);
    params.append('date', `le${grant.expiresAt}`);
    const res = await as('officer', 'GET', `/AuditEvent?${params.toString()}`);
    expect(res.status).to.equal(200);
    const events = res.body.entry.map((e: any) => e.resource);
    expect(events.every((e: any) => e.agent[0].who.reference === `Practitioner/${ids.emergency}`)).to.equal(true);
    expect(events.every((e: any) => e.recorded >= grant.createdAt.slice(0, 19))).to.equal(true);
    // The opening first, then the reads it allowed, flagged BTG; the refused read before it is outside the window.
    expect(events[0].subtype[0].code).to.equal('break-glass');
    expect(events.filter((e: any) => e.outcome === '4')).to.have.length(0);
    expect(events.filter((e: any) => e.purposeOfEvent?.[0]?.coding?.[0]?.code === 'BTG').length).to.be.at.least(3);
  });
});
