import { expect } from 'chai';
import { INS_NIR_TEST_SYSTEM, withInsNirKey } from '../../server/identity/ins.ts';
import { http, startTestServer, TEST_SYSTEM, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { asUser, createdId, identifyByHeader, professional, type TestUsers } from '../helpers/users.ts';

const RELIABILITY = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';

/**
 * The security officer finds whose trail to read from what a patient's request quotes (INS or
 * name), though he may not search Patient through /fhir (no clinical data: separation of duties).
 */
describe('Access: the security officer looks a patient up by INS or name for the audit trail', () => {
  let server: RunningServer;
  const users: TestUsers = {};
  let adminId: string;
  const family = unique('Homonyme');
  const ins = withInsNirKey(`27211130${String(Math.floor(Math.random() * 1e5)).padStart(5, '0')}`);
  const ids: Record<string, string> = {};
  const lookup = (q: string, user = 'admin') => fetch(`${server.url}/access/audit-patients?q=${encodeURIComponent(q)}`, { headers: asUser(user) });

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    users.system = TEST_SYSTEM;
    const officer = { resourceType: 'Practitioner', name: [{ family: unique('Securite') }] };
    adminId = await createdId(server, officer);
    users.admin = professional('admin', ['admin'], { practitionerId: adminId });
    users.oncologist = professional('oncologist', ['physician']);
    ids.first = await createdId(server, withIdentity({ resourceType: 'Patient', name: [{ use: 'official', family, given: ['Anne'] }], birthDate: '1950-02-01' }));
    ids.second = await createdId(server, withIdentity({ resourceType: 'Patient', name: [{ use: 'official', family, given: ['Paul'] }], gender: 'male', birthDate: '1961-07-09' }));
    const qualified = {
      resourceType: 'Patient',
      extension: [{ url: RELIABILITY, extension: [
        { url: 'identityStatus', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status', code: 'QUAL' } },
        { url: 'methodCollection', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection', code: 'INSI' } },
        { url: 'validationMode', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity', code: 'CN' } },
      ] }],
      identifier: [{ use: 'official', system: INS_NIR_TEST_SYSTEM, value: ins }],
      name: [{ use: 'official', family: unique('Qualifiee'), given: ['Odile'] }],
      gender: 'female',
      birthDate: '1972-11-23',
    };
    ids.qualified = await createdId(server, qualified);
  });
  after(() => server.close());

  it('by INS (typed with spaces): the one patient, with name, birth date and INS', async () => {
    const res = await lookup(ins.replace(/^(\d)(\d{2})(\d{2})/, '$1 $2 $3 '));
    expect(res.status).to.equal(200);
    const body = await res.json();
    expect(body.more).to.equal(false);
    expect(body.patients).to.have.length(1);
    expect(body.patients[0]).to.include({ id: ids.qualified, birthDate: '1972-11-23', ins });
    expect(body.patients[0].name).to.match(/^QUALIFIEE.* Odile$/);
  });

  it('by name: every namesake, to choose from; nobody for an unknown name (an empty list, not an error)', async () => {
    const body = await (await lookup(family)).json();
    expect(body.patients.map((p: { id: string }) => p.id)).to.have.members([ids.first, ids.second]);
    expect(body.patients.map((p: { birthDate: string }) => p.birthDate)).to.have.members(['1950-02-01', '1961-07-09']);
    const none = await lookup(unique('Inconnu'));
    expect(none.status).to.equal(200);
    expect((await none.json()).patients).to.deep.equal([]);
  });

  it('is the security officer’s only, asks for a query, and is itself traced in the patient’s trail', async () => {
    expect((await lookup(family, 'oncologist')).status).to.equal(403);
    expect((await lookup('  ')).status).to.equal(400);
    await lookup(ins);
    const trail = await http(server, 'GET', `/AuditEvent?patient=Patient/${ids.qualified}&agent=Practitioner/${adminId}&_sort=-_lastUpdated`, undefined, asUser('admin'));
    const event = trail.body.entry[0].resource;
    expect(event.action).to.equal('E');
    expect(event.outcomeDesc).to.contain('responsable de la sécurité');
    expect(Buffer.from(event.entity.at(-1).query, 'base64').toString()).to.contain(encodeURIComponent(ins));
  });
});
