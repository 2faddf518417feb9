import { expect } from 'chai';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, createdId, identifyByHeader, professional, testUsers } from '../helpers/users.ts';
import { withIdentity } from '../helpers/identity.ts';
import { backdatedGrant } from '../helpers/break-glass.ts';
import { databaseNow, withAppClockOff } from '../helpers/app-clock.ts';

/**
 * GET Patient/{id}/$break-glass: the server says whether the caller reads the record under his own
 * running emergency access, and until when, so that every tab and browser shows it. It tells
 * nobody about anyone else's access, nor whether the record exists, and opens nothing.
 */
describe("Access: the caller's own emergency access, as the server knows it", () => {
  let server: RunningServer;
  const users = testUsers();
  const ids: Record<string, string> = {};
  let patientId: string;

  const as = (user: string, method: string, path: string, body?: unknown) => http(server, method, path, body, asUser(user));
  const stateOf = (body: any) => ({
    active: body.parameter.find((p: any) => p.name === 'active')?.valueBoolean,
    period: body.parameter.find((p: any) => p.name === 'period')?.valuePeriod,
  });

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    for (const name of ['emergency', 'colleague', 'late', 'edge', 'skewed', 'nurse', 'officer']) {
      ids[name] = await createdId(server, { resourceType: 'Practitioner', name: [{ family: unique(name), given: ['Test'] }] } as any);
    }
    users.emergency = professional('Dr Urgences', ['physician'], { practitionerId: ids.emergency });
    users.colleague = professional('Dr Voisin', ['physician'], { practitionerId: ids.colleague });
    users.late = professional('Dr Tardif', ['physician'], { practitionerId: ids.late });
    users.edge = professional('Dr Limite', ['physician'], { practitionerId: ids.edge });
    users.skewed = professional('Dr Décalé', ['physician'], { practitionerId: ids.skewed });
    users.nurse = professional('IDE', ['nurse'], { practitionerId: ids.nurse });
    users.officer = professional('RSSI', ['admin'], { practitionerId: ids.officer });
    patientId = await createdId(server, withIdentity({ resourceType: 'Patient', name: [{ family: unique('Urgence'), given: ['Lucas'] }], gender: 'male', birthDate: '1971-04-02' }));
  });
  after(() => server.close());

  const tracesBy = async (practitioner: string) => Number((await server.services.store.db('resource').where({ resource_type: 'AuditEvent' })
    .whereRaw('content::text like ?', [`%Practitioner/${practitioner}%`]).count('* as n').first())!.n);

  it('no access yet: active false and no period, and no trace (nothing revealed) — a record that does not exist answers the same', async () => {
    const traces = await tracesBy(ids.emergency);
    const none = await as('emergency', 'GET', `/Patient/${patientId}/$break-glass`);
    expect(none.status).to.equal(200);
    expect(none.body.resourceType).to.equal('Parameters');
    expect(stateOf(none.body)).to.deep.equal({ active: false, period: undefined });
    expect(none.headers.get('cache-control')).to.equal('no-store');
    const missing = await as('emergency', 'GET', `/Patient/${unique('absent')}/$break-glass`);
    expect(missing.status).to.equal(200);
    expect(missing.body).to.deep.equal(none.body);
    expect(await tracesBy(ids.emergency)).to.equal(traces);
  });

  it('the holder of a running access gets it with its end (4 hours on), and the question is traced, flagged BTG', async () => {
    const opened = await as('emergency', 'POST', `/Patient/${patientId}/$break-glass`, { reason: 'Patient inconscient admis au SAU' });
    expect(opened.status).to.equal(200);
    // Its end said as a professional reads it (Paris time), not as an ISO instant.
    expect(opened.body.issue[0].details.text).to.match(/^Accès d'urgence ouvert jusqu'au \S+ \d{1,2} \S+ \d{4} à \d{2}:\d{2} \(heure de Paris\)/).and.not.to.match(/\d{4}-\d{2}-\d{2}T/);
    const { body, status } = await as('emergency', 'GET', `/Patient/${patientId}/$break-glass`);
    expect(status).to.equal(200);
    const { active, period } = stateOf(body);
    expect(active).to.equal(true);
    expect(Date.parse(period.end) - Date.parse(period.start)).to.equal(4 * 3_600_000);
    expect(Date.parse(period.end)).to.be.greaterThan(Date.now());
    expect(JSON.stringify(body)).not.to.contain('SAU'); // the state, not the reason nor anyone's name

    const db = server.services.store.db;
    const traced = await db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw('content::text like ?', [`%Practitioner/${ids.emergency}%`])
      .whereRaw('content::text like ?', ['%Accès d\'urgence en cours consulté%']).select('content');
    expect(traced).to.have.length(1);
    expect(traced[0].content.purposeOfEvent[0].coding[0].code).to.equal('BTG');
    expect(traced[0].content.entity[0].what.reference).to.equal(`Patient/${patientId}`);
    // The security officer reads its end in Paris time, as the physician's banner said it.
    expect(JSON.stringify(traced[0].content)).to.match(/consulté par son titulaire \(jusqu'au \S+ \d{1,2} \S+ \d{4} à \d{2}:\d{2}, heure de Paris\)/);
  });

  it("another physician's access is not revealed, and does not open the record to the one who asks", async () => {
    const other = await as('colleague', 'GET', `/Patient/${patientId}/$break-glass`);
    expect(other.status).to.equal(200);
    expect(stateOf(other.body)).to.deep.equal({ active: false, period: undefined });
    expect(JSON.stringify(other.body)).not.to.contain(ids.emergency);
    expect((await as('colleague', 'GET', `/Patient/${patientId}`)).status).to.equal(404);
    // No way to ask about someone else: the operation takes no parameter.
    const named = await as('colleague', 'GET', `/Patient/${patientId}/$break-glass?practitioner=Practitioner/${ids.emergency}`);
    expect(named.status).to.equal(400);
    expect(named.body.resourceType).to.equal('OperationOutcome');
    expect(named.body.issue[0].expression).to.deep.equal(['practitioner']);
    expect(named.body.issue[0].details.text).to.contain('ne prend aucun paramètre');
  });

  it('an access that has ended is no longer reported, and the record is closed again', async () => {
    await backdatedGrant(server.services.store.db, {
      practitionerId: ids.late, idnps: null, displayName: 'Dr Tardif', patientId, reason: 'Admission de nuit, accès terminé',
    }, { startedAgoMs: 5 * 3_600_000, durationMs: 4 * 3_600_000 });
    const ended = await as('late', 'GET', `/Patient/${patientId}/$break-glass`);
    expect(ended.status).to.equal(200);
    expect(stateOf(ended.body)).to.deep.equal({ active: false, period: undefined });
    expect((await as('late', 'GET', `/Patient/${patientId}`)).status).to.equal(404);
  });

  it("near a grant's end, the answer and the reads agree by the database's clock, whatever the application's says", async () => {
    const db = server.services.store.db;
    // A grant is never changed once written (only its review is added): written here with its end
    // set by the database's clock.
    const grantEnding = (end: string) => db('break_glass_grant').insert({
      practitioner_id: ids.edge, idnps: null, display_name: 'Dr Limite', patient_id: patientId, reason: 'Patient transféré en réanimation, bilan urgent',
      created_at: db.raw("now() - interval '4 hours'"), expires_at: db.raw(`now() + interval '${end}'`),
    });
    /** Both views of the access at once: what GET $break-glass answers, and whether the record opens. */
    const seen = async () => ({
      answered: stateOf((await as('edge', 'GET', `/Patient/${patientId}/$break-glass`)).body).active,
      reads: (await as('edge', 'GET', `/Patient/${patientId}`)).status === 200,
    });
    // The application's clock off the database's by a minute: the access store judged with the
    // first (`new Date()`) and the SQL rule dcc_emergency with the second.

    // Just over by the database's clock, the application's a minute behind: the page said « en cours »
    // while the record was refused.
    await grantEnding('-1 second');
    expect(await withAppClockOff(-60_000, seen)).to.deep.equal({ answered: false, reads: false });
    // Still running by the database's clock, the application's a minute ahead: the page said it had
    // ended while the record still opened.
    await grantEnding('30 seconds');
    expect(await withAppClockOff(60_000, seen)).to.deep.equal({ answered: true, reads: true });
  });

  it("opened on an app server whose clock is hours off, the grant starts at the database's now() and ends 4 hours later by it; its review too is dated by the database", async () => {
    const db = server.services.store.db;
    const before = await databaseNow(db);
    const opened = await withAppClockOff(3 * 3_600_000, () => as('skewed', 'POST', `/Patient/${patientId}/$break-glass`, { reason: 'Patient inconscient admis au SAU' }));
    const after = await databaseNow(db);
    expect(opened.status).to.equal(200);
    const { period } = stateOf((await as('skewed', 'GET', `/Patient/${patientId}/$break-glass`)).body);
    expect(Date.parse(period.start)).to.be.within(before, after);
    expect(Date.parse(period.end) - Date.parse(period.start)).to.equal(4 * 3_600_000);

    // The security officer's review, on a server whose clock is behind: dated by the database too.
    // Reviewed once ended (a running access is refused 409): an ended access of the same physician.
    await backdatedGrant(db, { practitionerId: ids.skewed!, idnps: null, displayName: 'Dr Décalé', patientId, reason: 'Patient inconscient admis au SAU, terminé' },
      { startedAgoMs: 5 * 3_600_000, durationMs: 4 * 3_600_000 });
    const [grant] = (await server.services.accessStore.listBreakGlass({ limit: 500 })).filter((g) => g.practitionerId === ids.skewed && !g.active);
    const reviewedFrom = await databaseNow(db);
    const reviewed = await withAppClockOff(-3 * 3_600_000, () => fetch(`${server.url}/access/break-glass/${grant!.id}/review`, {
      method: 'POST', headers: { ...asUser('officer'), 'content-type': 'application/json' }, body: JSON.stringify({ verdict: 'justified' }),
    }));
    expect(reviewed.status).to.equal(200);
    expect(Date.parse((await reviewed.json()).reviewedAt)).to.be.within(reviewedFrom, await databaseNow(db));
  });

  it('deny by default: anonymous 401, who cannot hold an emergency access 403, a malformed id 404 — each an OperationOutcome', async () => {
    const anonymous = await as('nobody', 'GET', `/Patient/${patientId}/$break-glass`);
    expect(anonymous.status).to.equal(401);
    expect(anonymous.body.resourceType).to.equal('OperationOutcome');
    for (const user of ['nurse', 'officer']) {
      const refused = await as(user, 'GET', `/Patient/${patientId}/$break-glass`);
      expect(refused.status, user).to.equal(403);
      expect(refused.body.issue[0].details.text).to.contain("accès d'urgence");
    }
    const malformed = await as('emergency', 'GET', `/Patient/${'x'.repeat(65)}/$break-glass`);
    expect(malformed.status).to.equal(404);
    expect(malformed.body.resourceType).to.equal('OperationOutcome');
    const deleted = await as('emergency', 'DELETE', `/Patient/${patientId}/$break-glass`);
    expect(deleted.status).to.equal(405);
    expect(deleted.headers.get('allow')).to.equal('POST, GET');
  });

  it('the OperationDefinition says both calls, and that the operation changes state (its POST)', async () => {
    const { body } = await as('emergency', 'GET', '/OperationDefinition/Patient-break-glass');
    expect(body.description).to.contain('GET Patient/{id}/$break-glass').and.contain('POST Patient/{id}/$break-glass');
    expect(body.affectsState).to.equal(true);
  });
});
