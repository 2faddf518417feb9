import { expect } from 'chai';
import { http, startTestServer, TEST_SYSTEM, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, createdId, identifyByHeader, professional, type TestUsers } from '../helpers/users.ts';
import { withIdentity } from '../helpers/identity.ts';

/**
 * The access rules, end to end through the HTTP API: each request acts as one professional,
 * chosen per request by the test (the test's own identify function — not part of the server).
 */
describe('Access: circle of care, least privilege, objection, emergency access, audit trail', () => {
  let server: RunningServer;
  const users: TestUsers = {};
  let practitioners: Record<string, string>;
  let patientId: string;

  const as = (user: string, method: string, path: string, body?: unknown) =>
    http(server, method, path, body, asUser(user));

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    users.system = TEST_SYSTEM;
    const mk = (body: any) => createdId(server, body);
    practitioners = {};
    for (const name of ['oncologist', 'gp', 'nurse', 'pharmacist', 'outsider', 'admin', 'coordinator']) {
      practitioners[name] = await mk({ resourceType: 'Practitioner', name: [{ family: unique(name) }] });
    }
    const principal = (name: string, roles: string[]) => professional(name, roles, { practitionerId: practitioners[name] });
    users.oncologist = principal('oncologist', ['physician']);
    users.gp = principal('gp', ['gp']);
    users.nurse = principal('nurse', ['nurse']);
    users.pharmacist = principal('pharmacist', ['pharmacist']);
    users.outsider = principal('outsider', ['physician']);
    users.admin = principal('admin', ['admin']);
    users.coordinator = principal('coordinator', ['coordinator']);

    patientId = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique('Cercle') }], generalPractitioner: [{ reference: `Practitioner/${practitioners.gp}` }] }));
    const subject = { reference: `Patient/${patientId}` };
    await mk({ resourceType: 'CareTeam', status: 'active', subject, participant: ['oncologist', 'nurse', 'pharmacist'].map((n) => ({ member: { reference: `Practitioner/${practitioners[n]}` } })) });
    await mk({ resourceType: 'Condition', subject, code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7' }] } });
    await mk({ resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject, medicationCodeableConcept: { text: 'Capécitabine 500 mg' } });
    await mk({ resourceType: 'CarePlan', status: 'active', intent: 'plan', subject });
  });
  after(() => server.close());

  it('the GP and the care team see the patient; an outsider gets 404 and empty, correctly counted searches', async () => {
    for (const user of ['gp', 'oncologist', 'nurse', 'pharmacist']) {
      expect((await as(user, 'GET', `/Patient/${patientId}`)).status, user).to.equal(200);
    }
    expect((await as('outsider', 'GET', `/Patient/${patientId}`)).status).to.equal(404);
    const search = await as('outsider', 'GET', `/Condition?subject=Patient/${patientId}`);
    expect(search.status).to.equal(200);
    expect(search.body.total).to.equal(0);
    expect((await as('gp', 'GET', `/Condition?subject=Patient/${patientId}`)).body.total).to.equal(1);
  });

  it('least privilege: the pharmacist sees treatments but not the diagnosis; the nurse the care plan; the admin no clinical data', async () => {
    expect((await as('pharmacist', 'GET', `/MedicationRequest?subject=Patient/${patientId}`)).body.total).to.equal(1);
    const diagnosis = await as('pharmacist', 'GET', `/Condition?subject=Patient/${patientId}`);
    expect(diagnosis.status).to.equal(403);
    expect(diagnosis.body.issue[0].details.text).to.contain('Condition');
    expect((await as('nurse', 'GET', `/CarePlan?subject=Patient/${patientId}`)).body.total).to.equal(1);
    expect((await as('nurse', 'GET', `/Condition?subject=Patient/${patientId}`)).status).to.equal(403);
    expect((await as('admin', 'GET', `/Patient/${patientId}`)).status).to.equal(403);
    expect((await as('admin', 'GET', '/Practitioner?_summary=count')).status).to.equal(200);
  });

  it('writes: outside the circle or outside the profession → 403, and nothing is written', async () => {
    const obs = { resourceType: 'Observation', status: 'final', code: { text: 'OMS' }, subject: { reference: `Patient/${patientId}` } };
    const outsider = await as('outsider', 'POST', '/Observation', obs);
    expect(outsider.status).to.equal(403);
    expect(outsider.body.issue[0].details.text).to.contain('cercle de soins');
    expect((await as('pharmacist', 'POST', '/Observation', obs)).status).to.equal(403);
    expect((await as('oncologist', 'POST', '/Observation', obs)).status).to.equal(201);
    expect((await as('system', 'GET', `/Observation?subject=Patient/${patientId}`)).body.total).to.equal(1);
    expect((await as('admin', 'POST', '/AuditEvent', { resourceType: 'AuditEvent' })).status).to.equal(403);
  });

  it('a physician who creates a patient record joins its care team; a colleague outside does not see it', async () => {
    const created = await as('oncologist', 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: unique('Nouveau') }] }));
    expect(created.status).to.equal(201);
    expect((await as('oncologist', 'GET', `/Patient/${created.body.id}`)).status).to.equal(200);
    expect((await as('outsider', 'GET', `/Patient/${created.body.id}`)).status).to.equal(404);
    const team = await as('oncologist', 'GET', `/CareTeam?subject=Patient/${created.body.id}`);
    const member = team.body.entry[0].resource.participant[0];
    expect(member.member.reference).to.equal(`Practitioner/${practitioners.oncologist}`);
    // Named and placed as the other members (the circle of care showed a bare « Marc Aubert »).
    expect(member.member.display).to.match(/^(Dr|Pr) /);
    expect(member.role[0].text).to.equal('Médecin ayant ouvert le dossier');
  });

  it('patient objection: a deny naming the GP hides the record from the GP only; a general deny keeps it in the care team', async () => {
    const consent = (actor?: string) => ({
      resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${patientId}` },
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny', ...(actor ? { actor: [{ role: { text: 'médecin traitant' }, reference: { reference: `Practitioner/${actor}` } }] } : {}) },
    });
    const named = await as('system', 'POST', '/Consent', consent(practitioners.gp));
    expect(named.status).to.equal(201);
    expect((await as('gp', 'GET', `/Patient/${patientId}`)).status).to.equal(404);
    expect((await as('oncologist', 'GET', `/Patient/${patientId}`)).status).to.equal(200);
    await as('system', 'DELETE', `/Consent/${named.body.id}`);
    expect((await as('gp', 'GET', `/Patient/${patientId}`)).status).to.equal(200);

    const general = await as('system', 'POST', '/Consent', consent());
    expect(general.status).to.equal(201);
    expect((await as('gp', 'GET', `/Patient/${patientId}`)).status).to.equal(404);
    expect((await as('nurse', 'GET', `/Patient/${patientId}`)).status).to.equal(200);
    await as('system', 'DELETE', `/Consent/${general.body.id}`);
  });

  it("the patient's choice not to share the PPS with the GP hides it from the GP only", async () => {
    const subject = { reference: `Patient/${patientId}` };
    const notShared = await as('system', 'POST', '/CarePlan', {
      resourceType: 'CarePlan', status: 'active', intent: 'plan', subject,
      extension: [{ url: 'https://dcc-paca.example/fhir/StructureDefinition/dcc-share-with-gp', valueBoolean: false }],
    });
    expect(notShared.status).to.equal(201);
    expect((await as('gp', 'GET', `/CarePlan/${notShared.body.id}`)).status).to.equal(404);
    expect((await as('oncologist', 'GET', `/CarePlan/${notShared.body.id}`)).status).to.equal(200);
    expect((await as('gp', 'GET', `/CarePlan?subject=Patient/${patientId}`)).body.total).to.equal(1); // the shared one only
  });

  it('RCP: the 3C of the board a case is registered on, and the board members, see that patient', async () => {
    const mk = async (body: any) => (await as('system', 'POST', `/${body.resourceType}`, body)).body.id as string;
    const threeC = await mk({ resourceType: 'Organization', name: unique('3C') });
    const otherThreeC = await mk({ resourceType: 'Organization', name: unique('3C') });
    const coordinator = await mk({ resourceType: 'Practitioner', name: [{ family: unique('Coord') }] });
    const otherCoordinator = await mk({ resourceType: 'Practitioner', name: [{ family: unique('Coord') }] });
    const member = await mk({ resourceType: 'Practitioner', name: [{ family: unique('Membre') }] });
    await mk({ resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${coordinator}` }, organization: { reference: `Organization/${threeC}` } });
    await mk({ resourceType: 'PractitionerRole', practitioner: { reference: `Practitioner/${otherCoordinator}` }, organization: { reference: `Organization/${otherThreeC}` } });
    const board = await mk({ resourceType: 'HealthcareService', name: 'RCP digestive', providedBy: { reference: `Organization/${threeC}` } });
    await mk({ resourceType: 'CareTeam', identifier: [{ system: 'https://dcc-paca.example/fhir/sid/rcp-board-members', value: board }], participant: [{ member: { reference: `Practitioner/${member}` } }] });
    const patient = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique('Inscrit') }] }));
    users.rcpCoordinator = professional('coord', ['coordinator'], { practitionerId: coordinator });
    users.otherCoordinator = professional('coord2', ['coordinator'], { practitionerId: otherCoordinator });
    users.boardMember = professional('membre', ['physician'], { practitionerId: member });
    expect((await as('rcpCoordinator', 'GET', `/Patient/${patient}`)).status).to.equal(404);
    await mk({
      resourceType: 'Task', status: 'requested', intent: 'order', for: { reference: `Patient/${patient}` }, owner: { reference: `HealthcareService/${board}` },
      code: { coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/rcp', code: 'rcp-case' }] },
    });
    expect((await as('rcpCoordinator', 'GET', `/Patient/${patient}`)).status).to.equal(200);
    expect((await as('boardMember', 'GET', `/Patient/${patient}`)).status).to.equal(200);
    expect((await as('otherCoordinator', 'GET', `/Patient/${patient}`)).status).to.equal(404);
  });

  it('break-the-glass: reason required, physicians only, time-limited access flagged in the audit trail and listed for review', async () => {
    expect((await as('outsider', 'POST', `/Patient/${patientId}/$break-glass`, { reason: 'urgence' })).status).to.equal(400);
    expect((await as('nurse', 'POST', `/Patient/${patientId}/$break-glass`, { reason: 'Patient aux urgences, détresse respiratoire' })).status).to.equal(403);
    const opened = await as('outsider', 'POST', `/Patient/${patientId}/$break-glass`, {
      resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Patient aux urgences, détresse respiratoire' }],
    });
    expect(opened.status).to.equal(200);
    expect(opened.body.issue[0].details.text).to.contain("Accès d'urgence");
    expect((await as('outsider', 'GET', `/Condition?subject=Patient/${patientId}`)).body.total).to.equal(1);

    const trail = await as('admin', 'GET', `/AuditEvent?patient=Patient/${patientId}&agent=Practitioner/${practitioners.outsider}&_count=50`);
    const flagged = trail.body.entry.filter((e: any) => e.resource.purposeOfEvent?.[0]?.coding?.[0]?.code === 'BTG');
    expect(flagged.length).to.be.greaterThan(0);

    const review = await fetch(`${server.url}/access/break-glass?unreviewed=true`, { headers: asUser('admin') });
    const { grants } = await review.json();
    const grant = grants.find((g: any) => g.patientId === patientId && g.practitionerId === practitioners.outsider);
    expect(grant.reason).to.equal('Patient aux urgences, détresse respiratoire');
    expect(Date.parse(grant.expiresAt) - Date.parse(grant.createdAt)).to.equal(4 * 3_600_000);
    expect((await fetch(`${server.url}/access/break-glass`, { headers: asUser('oncologist') })).status).to.equal(403);
  });

  it('every read and write of patient data leaves an AuditEvent; a rolled-back write leaves none', async () => {
    const count = async () => (await as('admin', 'GET', `/AuditEvent?patient=Patient/${patientId}&agent=Practitioner/${practitioners.gp}&_summary=count`)).body.total;
    const before = await count();
    await as('gp', 'GET', `/Patient/${patientId}`);
    await as('gp', 'GET', `/MedicationRequest?subject=Patient/${patientId}`);
    const afterReads = await count();
    expect(afterReads - before).to.equal(2);
    const bad = await as('gp', 'POST', '/Observation', { resourceType: 'Observation', status: 'final', code: { text: 'x' }, subject: { reference: `Patient/${patientId}` }, valueString: 1 });
    expect(bad.status).to.equal(400);
    expect(await count()).to.equal(afterReads);
    const event = (await as('admin', 'GET', `/AuditEvent?patient=Patient/${patientId}&agent=Practitioner/${practitioners.gp}&_sort=-_lastUpdated&_count=1`)).body.entry[0].resource;
    expect(event.action).to.equal('E');
    expect(event.agent[0].who.reference).to.equal(`Practitioner/${practitioners.gp}`);
    expect(Buffer.from(event.entity.at(-1).query, 'base64').toString()).to.contain('MedicationRequest?subject=');
  });

  it('the audit trail is for the security officer only', async () => {
    expect((await as('oncologist', 'GET', '/AuditEvent')).status).to.equal(403);
  });
});
