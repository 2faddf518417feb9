import { expect } from 'chai';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, professional, testUsers } from '../helpers/users.ts';
import { backdatedGrant } from '../helpers/break-glass.ts';

/**
 * Issue 10, item 4: the security officer holds no clinical role (so he cannot open a record in an
 * emergency), and an emergency access is reviewed by someone else than its holder, once, with a
 * verdict and a comment, traced, and the database keeps the review from being rewritten.
 */
describe('Security: break-glass review by someone else, once; the administrator holds no clinical role', () => {
  let server: RunningServer;
  const users = testUsers();
  let patientId: string;
  let family: string;
  let grantId: string;
  const ids: Record<string, string> = {};

  const as = (user: string, method: string, path: string, body?: unknown) => http(server, method, path, body, asUser(user));
  const access = async (user: string, method: string, path: string, body?: unknown) => {
    const res = await fetch(`${server.url}/access${path}`, {
      method, headers: { ...asUser(user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  };

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    for (const name of ['emergency', 'officer', 'physicianAdmin']) {
      const res = await as('system', 'POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: unique(name), given: ['Test'] }] });
      ids[name] = res.body.id;
    }
    users.emergency = professional('Dr Urgences', ['physician'], { practitionerId: ids.emergency });
    users.officer = professional('RSSI', ['admin'], { practitionerId: ids.officer });
    // The demo administrator's card says "Médecin": physician + admin.
    users.physicianAdmin = professional('Admin médecin', ['physician', 'admin'], { practitionerId: ids.physicianAdmin });
    // The grantee who is also a security officer must not review his own access.
    users.emergencyAsOfficer = professional('Dr Urgences', ['admin'], { practitionerId: ids.emergency });
    family = unique('Urgence');
    const patient = await as('system', 'POST', '/Patient', { resourceType: 'Patient', name: [{ family, given: ['Test'] }], gender: 'male', birthDate: '1950-05-05' });
    patientId = patient.body.id;
  });
  after(() => server.close());

  it('the administrator, even with a physician card, opens no emergency access and reads no record', async () => {
    const opened = await as('physicianAdmin', 'POST', `/Patient/${patientId}/$break-glass`, { reason: 'Contrôle du dossier par la sécurité' });
    expect(opened.status).to.equal(403);
    expect((await as('physicianAdmin', 'GET', `/Patient/${patientId}`)).status).to.equal(403);
  });

  it('a running access is not reviewed yet: 409 saying until when, and the list says it runs', async () => {
    // QA: « Justifié » recorded at 01:02 for an access running until 05:02.
    expect((await as('emergency', 'POST', `/Patient/${patientId}/$break-glass`, { reason: 'Patient inconscient aux urgences' })).status).to.equal(200);
    const running = (await access('officer', 'GET', '/break-glass?unreviewed=true')).body.grants.find((g: any) => g.patientId === patientId);
    expect(running.active).to.equal(true);
    const refused = await access('officer', 'POST', `/break-glass/${running.id}/review`, { verdict: 'justified', comment: 'ok' });
    expect(refused.status).to.equal(409);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    expect(refused.body.issue[0].details.text).to.match(/^L'accès d'urgence \d+ de Dr Urgences court jusqu'au .+ \(heure de Paris\) : il se relit une fois terminé/);
    const after = (await access('officer', 'GET', '/break-glass')).body.grants.find((g: any) => g.id === running.id);
    expect(after.reviewedAt).to.equal(null);
    expect(after.review).to.equal(undefined);
  });

  it('a review by the grantee is refused, a review by another officer is recorded once (200), a second one is 409', async () => {
    // An access of the same physician to the same record, ended an hour ago.
    await backdatedGrant(server.services.store.db, {
      practitionerId: ids.emergency!, idnps: null, displayName: 'Dr Urgences', patientId, reason: 'Patient inconscient aux urgences, accès terminé',
    }, { startedAgoMs: 5 * 3_600_000, durationMs: 4 * 3_600_000 });
    const { body } = await access('officer', 'GET', '/break-glass?unreviewed=true');
    const ended = body.grants.find((g: any) => g.patientId === patientId && !g.active);
    expect(ended.reason).to.equal('Patient inconscient aux urgences, accès terminé');
    grantId = ended.id;

    expect((await access('emergency', 'POST', `/break-glass/${grantId}/review`, { verdict: 'justified' })).status).to.equal(403);
    const own = await access('emergencyAsOfficer', 'POST', `/break-glass/${grantId}/review`, { verdict: 'justified', comment: 'ok' });
    expect(own.status).to.equal(403);
    expect(own.body.resourceType).to.equal('OperationOutcome');
    expect((await access('officer', 'POST', `/break-glass/${grantId}/review`, { verdict: 'peut-être' })).status).to.equal(400);
    expect((await access('officer', 'POST', `/break-glass/${grantId}/review`, { verdict: 'unjustified' })).status).to.equal(400);
    expect((await access('officer', 'POST', '/break-glass/999999999/review', { verdict: 'justified' })).status).to.equal(404);

    const reviewed = await access('officer', 'POST', `/break-glass/${grantId}/review`, { verdict: 'justified', comment: 'Admission aux urgences confirmée' });
    expect(reviewed.status).to.equal(200);
    expect(reviewed.body.review).to.deep.equal({ reviewerId: ids.officer, reviewerName: 'RSSI', verdict: 'justified', comment: 'Admission aux urgences confirmée' });
    expect(reviewed.body.reviewedAt).to.be.a('string');
    const again = await access('officer', 'POST', `/break-glass/${grantId}/review`, { verdict: 'unjustified', comment: 'Je change d\'avis' });
    expect(again.status).to.equal(409);
    const listed = (await access('officer', 'GET', '/break-glass')).body.grants.find((g: any) => g.id === grantId);
    expect(listed.review.verdict).to.equal('justified');
  });

  it('the review is in the audit trail, and the database refuses to rewrite or delete a reviewed grant', async () => {
    const db = server.services.store.db;
    const events = await db('resource').where({ resource_type: 'AuditEvent' }).whereRaw("content->'subtype' @> ?::jsonb", [JSON.stringify([{ code: 'break-glass-review' }])])
      .whereRaw('content::text like ?', [`%Practitioner/${ids.officer}%`]).select('content');
    expect(events).to.have.length(1);
    expect(events[0].content.outcomeDesc).to.contain('justifié');
    let refused = 0;
    await db('break_glass_grant').where({ id: grantId }).update({ verdict: 'unjustified' }).catch(() => refused++);
    await db('break_glass_grant').where({ id: grantId }).delete().catch(() => refused++);
    expect(refused).to.equal(2);
    expect((await db('break_glass_grant').where({ id: grantId }).first()).verdict).to.equal('justified');
  });

  it('the list names the patient of each access (display name and birth date: QA read only « Voir les accès au dossier »), the identity read traced', async () => {
    const listed = (await access('officer', 'GET', '/break-glass')).body.grants.find((g: any) => g.id === grantId);
    expect(listed.patientIdentity).to.equal(`${family.toUpperCase()} Test, né le 05/05/1950`);
    const db = server.services.store.db;
    const traced = await db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw('content::text like ?', [`%Identité des patients des accès d'urgence%`]).whereRaw('content::text like ?', [`%Patient/${patientId}%`]).select('content');
    expect(traced.length).to.be.at.least(1);
    expect(traced[0].content.agent[0].who.reference).to.equal(`Practitioner/${ids.officer}`);
  });
});
