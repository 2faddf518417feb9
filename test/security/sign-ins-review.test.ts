import { expect } from 'chai';
import { buildAuthenticationEvent } from '../../server/access/audit.ts';
import { unauthorized } from '../../server/fhir-kit/errors.ts';
import { startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, newIdnps, professional, testUsers } from '../helpers/users.ts';

/**
 * QA (security officer): sign-ins, successful or refused, were in the trail but nowhere to read.
 * GET /access/sign-ins lists them (newest first, by result and period), for the officer only:
 * anyone else gets 403, and both the reading and the refusal are traced.
 */
describe('Security: the security officer reads the sign-ins and the refused sign-ins (GET /access/sign-ins)', () => {
  let server: RunningServer;
  const users = testUsers();
  const name = unique('Lambert');
  const idnps = newIdnps();
  const forged = unique('carte-forgee');
  const get = async (user: string, query = '') => {
    const res = await fetch(`${server.url}/access/sign-ins${query}`, { headers: asUser(user) });
    return { status: res.status, body: await res.json() };
  };

  before(async () => {
    const byHeader = identifyByHeader(users);
    server = await startTestServer({
      identify: (req) => {
        if (req.get('x-card') === 'forged') throw unauthorized(`Carte CPS refusée : certificat non émis par l'IGC-Santé (${forged})`);
        return byHeader(req);
      },
    });
    users.officer = professional('RSSI', ['admin'], { idnps: newIdnps() });
    users.physician = professional('Dr Martin', ['physician'], { idnps: newIdnps() });
    // A successful sign-in as the SAML route traces it (sign-in.ts openSession).
    await server.services.store.system().append(buildAuthenticationEvent(
      { kind: 'login', outcome: 'success', method: 'saml', remoteAddress: '10.1.2.3' },
      { practitionerId: 'p-lambert', idnps, displayName: `Sophie ${name}`, roles: ['physician'] },
    ));
    // A refused card, through the app's own gate.
    expect((await fetch(`${server.url}/fhir/Patient`, { headers: { 'x-card': 'forged' } })).status).to.equal(401);
  });
  after(() => server.close());

  it('lists both, newest first: date, professional with IDNPS, method, address, result, reason', async () => {
    const { status, body } = await get('officer');
    expect(status).to.equal(200);
    const signIn = body.signIns.find((l: any) => l.professional === `Sophie ${name}`);
    expect(signIn).to.include({ idnps, method: 'saml', address: '10.1.2.3', success: true, practitioner: 'Practitioner/p-lambert' });
    expect(signIn.recorded).to.be.a('string');
    const refused = body.signIns.find((l: any) => l.reason?.includes(forged));
    expect(refused).to.include({ professional: 'inconnu', method: 'cps', success: false });
    expect(refused.address).to.be.a('string');
    const times = body.signIns.map((l: any) => l.recorded);
    expect(times).to.deep.equal([...times].sort().reverse());
    // Logouts are not sign-ins.
    expect(body.signIns.every((l: any) => typeof l.success === 'boolean')).to.equal(true);
  });

  it('filters by result and by period', async () => {
    const failures = (await get('officer', '?outcome=failure')).body.signIns;
    expect(failures.length).to.be.greaterThan(0);
    expect(failures.every((l: any) => !l.success)).to.equal(true);
    expect(failures.some((l: any) => l.reason?.includes(forged))).to.equal(true);
    const successes = (await get('officer', '?outcome=success')).body.signIns;
    expect(successes.every((l: any) => l.success)).to.equal(true);
    expect(successes.some((l: any) => l.professional === `Sophie ${name}`)).to.equal(true);
    expect((await get('officer', '?to=2000-01-01')).body.signIns).to.deep.equal([]);
    expect((await get('officer', '?outcome=peut-etre')).status).to.equal(400);
    expect((await get('officer', '?from=hier')).status).to.equal(400);
  });

  it('anyone else gets 403; the refusal and the officer\'s reading are traced', async () => {
    const refused = await get('physician');
    expect(refused.status).to.equal(403);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    const db = server.services.store.db;
    const traces = async (idnpsOf: string, text: string) => db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw('content::text like ?', [`%${idnpsOf}%`]).whereRaw('content::text like ?', [`%${text}%`]).select('content');
    const denied = await traces(users.physician!.idnps!, 'Liste des connexions refusée');
    expect(denied).to.have.length(1);
    expect(denied[0].content.outcome).to.equal('4');
    expect((await traces(users.officer!.idnps!, 'Consultation des connexions')).length).to.be.at.least(1);
  });
});
