import { expect } from 'chai';
import type { Resource } from '@medplum/fhirtypes';
import { systemContext, type RequestContext } from '../../server/context.ts';
import { RCP_BOARD_MEMBERS_SYSTEM, RCP_CASE_CODE, RCP_CODE_SYSTEM, RCP_SESSION_GROUP_SYSTEM } from '../../server/fhir-kit/shared-codes.ts';
import { mayMatchMany } from '../../server/store/search-sql.ts';
import { parseSearchRequest } from '../../server/fhir-kit/search-request.ts';
import { testServices, unique, type RunningServer } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { backdatedGrant } from '../helpers/break-glass.ts';
import { professional } from '../helpers/users.ts';

type Services = RunningServer['services'];

/**
 * The circle of care has two forms (server/store/visibility-sql.ts): dcc_in_circle, asked row by
 * row, and dcc_circle_patients, the same patients computed once for a search that may match many.
 * They must never disagree: a patient one form shows and the other hides is a leak or a hole
 * depending on which search the caller happens to run. Every way into the circle is built here,
 * with its near misses (deleted, another code, no board), and both forms are asked about every
 * practitioner and patient, then through the repository as a caller sees them.
 */
describe('Circle of care as a set: the same patients as the row-by-row rule', function () {
  this.timeout(60_000);
  let services: Services;
  const prac: Record<string, string> = {};
  const pat: Record<string, string> = {};
  const ref = (type: string, id: string) => ({ reference: `${type}/${id}` });
  const rcpCase = (patient: string, extra: Record<string, unknown>) => ({
    resourceType: 'Task', status: 'requested', intent: 'order', for: ref('Patient', patient),
    code: { coding: [{ system: RCP_CODE_SYSTEM, code: RCP_CASE_CODE }] }, ...extra,
  });

  before(async () => {
    services = await testServices();
    const repo = services.store.system();
    const mk = async (body: Record<string, unknown>): Promise<string> => (await repo.create(body as unknown as Resource)).id!;
    const gone = async (type: string, id: string) => { await repo.delete(type, id); };
    for (const name of ['gp', 'member', 'requester', 'coordinator', 'boardMember', 'sessionDoctor', 'exMember', 'exRequester',
      'exBoardMember', 'exSessionDoctor', 'otherCoordinator', 'grantee', 'exGrantee', 'twin', 'outsider']) {
      prac[name] = await mk({ resourceType: 'Practitioner', name: [{ family: unique(`Cercle-${name}`) }] });
    }
    for (const name of ['byGp', 'byTeam', 'byDeletedTeam', 'byRequest', 'byDeletedRequest', 'byCase', 'byDeletedCase', 'notACase',
      'caseOnOtherBoard', 'caseWithoutBoard', 'deletedPatient', 'byGrant', 'nobody']) {
      pat[name] = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique(`Cercle-${name}`) }] }));
    }
    // Declared GP (also of a patient whose record was then deleted).
    pat.byGp = (await repo.update({ ...(await repo.read('Patient', pat.byGp)), generalPractitioner: [ref('Practitioner', prac.gp)] } as Resource)).resource.id!;
    await repo.update({ ...(await repo.read('Patient', pat.deletedPatient)), generalPractitioner: [ref('Practitioner', prac.gp)] } as Resource);
    await gone('Patient', pat.deletedPatient);
    // Care team and requests, each with a deleted twin.
    await mk({ resourceType: 'CareTeam', status: 'active', subject: ref('Patient', pat.byTeam), participant: [{ member: ref('Practitioner', prac.member) }] });
    await gone('CareTeam', await mk({ resourceType: 'CareTeam', status: 'active', subject: ref('Patient', pat.byDeletedTeam), participant: [{ member: ref('Practitioner', prac.exMember) }] }));
    await mk({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: ref('Patient', pat.byRequest), requester: ref('Practitioner', prac.requester) });
    await gone('ServiceRequest', await mk({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: ref('Patient', pat.byDeletedRequest), requester: ref('Practitioner', prac.exRequester) }));
    // A 3C (a role in the board's organization), a board's members, a session's participants.
    const org = await mk({ resourceType: 'Organization', name: unique('3C') });
    const otherOrg = await mk({ resourceType: 'Organization', name: unique('Autre 3C') });
    await mk({ resourceType: 'PractitionerRole', practitioner: ref('Practitioner', prac.coordinator), organization: ref('Organization', org) });
    await mk({ resourceType: 'PractitionerRole', practitioner: ref('Practitioner', prac.otherCoordinator), organization: ref('Organization', otherOrg) });
    const board = await mk({ resourceType: 'HealthcareService', name: unique('RCP'), providedBy: ref('Organization', org) });
    const otherBoard = await mk({ resourceType: 'HealthcareService', name: unique('RCP'), providedBy: ref('Organization', otherOrg) });
    await mk({ resourceType: 'CareTeam', status: 'active', identifier: [{ system: RCP_BOARD_MEMBERS_SYSTEM, value: board }], participant: [{ member: ref('Practitioner', prac.boardMember) }] });
    await gone('CareTeam', await mk({ resourceType: 'CareTeam', status: 'active', identifier: [{ system: RCP_BOARD_MEMBERS_SYSTEM, value: otherBoard }], participant: [{ member: ref('Practitioner', prac.exBoardMember) }] }));
    const session = await mk({ resourceType: 'Appointment', status: 'booked', start: '2026-12-10T14:00:00Z', end: '2026-12-10T16:00:00Z', participant: [{ actor: ref('Practitioner', prac.sessionDoctor), status: 'accepted' }] });
    const cancelled = await mk({ resourceType: 'Appointment', status: 'booked', start: '2026-12-10T14:00:00Z', end: '2026-12-10T16:00:00Z', participant: [{ actor: ref('Practitioner', prac.exSessionDoctor), status: 'accepted' }] });
    await gone('Appointment', cancelled);
    // A PractitionerRole that shares a practitioner's id, as board member and session participant:
    // a role is not the practitioner, and opens nothing to them (nor to anyone).
    await repo.update({ resourceType: 'PractitionerRole', id: prac.twin, organization: ref('Organization', org) } as Resource);
    await mk({ resourceType: 'CareTeam', status: 'active', identifier: [{ system: RCP_BOARD_MEMBERS_SYSTEM, value: board }], participant: [{ member: ref('PractitionerRole', prac.twin) }] });
    await repo.update({ ...(await repo.read('Appointment', session)), participant: [
      { actor: ref('Practitioner', prac.sessionDoctor), status: 'accepted' }, { actor: ref('PractitionerRole', prac.twin), status: 'accepted' },
    ] } as Resource);
    const onAgenda = (id: string) => ({ groupIdentifier: { system: RCP_SESSION_GROUP_SYSTEM, value: id } });
    await mk(rcpCase(pat.byCase, { owner: ref('HealthcareService', board), ...onAgenda(session) }));
    // A case cannot be deleted through the store (it stays a case): marked deleted in the table,
    // its index rows kept, so the rules' own `NOT deleted` is what hides it.
    const deletedCase = await mk(rcpCase(pat.byDeletedCase, { owner: ref('HealthcareService', board), ...onAgenda(session) }));
    await services.db('resource').where({ resource_type: 'Task', id: deletedCase }).update({ deleted: true });
    await mk({ ...rcpCase(pat.notACase, { owner: ref('HealthcareService', board), ...onAgenda(session) }), code: { text: 'Autre tâche' } });
    await mk(rcpCase(pat.caseOnOtherBoard, { owner: ref('HealthcareService', otherBoard), ...onAgenda(cancelled) }));
    await mk(rcpCase(pat.caseWithoutBoard, onAgenda(session)));
    // An emergency access: not the circle, but the wide form must keep it as the row-by-row one does.
    await services.accessStore.grantBreakGlass({
      practitionerId: prac.grantee, idnps: null, displayName: 'Dr Urgence', patientId: pat.byGrant, reason: 'Urgence vitale',
    }, 3_600_000);
    // …and one that has expired, which neither form keeps.
    await backdatedGrant(services.db, {
      practitionerId: prac.exGrantee, idnps: null, displayName: 'Dr Passé', patientId: pat.byGrant, reason: 'Urgence vitale',
    }, { startedAgoMs: 7_200_000, durationMs: 3_600_000 });
  });

  const inCircle = async (me: string, patient: string): Promise<{ row: boolean; set: boolean }> => {
    const rows = await services.db.raw(
      'SELECT dcc_in_circle(?, ?) AS row, ? IN (SELECT dcc_circle_patients(?)) AS set',
      [patient, me, patient, me],
    );
    const r = (rows.rows ?? rows)[0];
    return { row: r.row, set: r.set };
  };

  it('each way in (GP, care team, request, 3C, board member, session) opens the circle; deleted or unrelated records do not', async () => {
    const opens: Record<string, string[]> = {
      gp: ['byGp'], member: ['byTeam'], requester: ['byRequest'],
      coordinator: ['byCase'], boardMember: ['byCase'], sessionDoctor: ['byCase'],
      otherCoordinator: ['caseOnOtherBoard'],
    };
    for (const me of Object.keys(prac)) {
      for (const patient of Object.keys(pat)) {
        const { row, set } = await inCircle(prac[me], pat[patient]);
        const want = (opens[me] ?? []).includes(patient);
        expect(row, `dcc_in_circle: ${me} × ${patient}`).to.equal(want);
        expect(set, `dcc_circle_patients: ${me} × ${patient}`).to.equal(want);
      }
    }
  });

  it('searches by date or code may match many; by id, identifier value or for given patients, a handful', () => {
    const many = (type: string, params: Record<string, string>) => mayMatchMany(parseSearchRequest(type, new URLSearchParams(params), { defaultCount: 10, maxCount: 10 }, true).request);
    expect(many('Patient', { _lastUpdated: 'ge2000-01-01' })).to.equal(true);
    expect(many('Condition', { 'recorded-date': 'ge2025-01-01' })).to.equal(true);
    expect(many('Patient', { 'general-practitioner': 'Practitioner/p1' })).to.equal(true);
    expect(many('Task', { owner: 'HealthcareService/b1' })).to.equal(true);
    expect(many('ServiceRequest', { identifier: 'https://dcc.example/sid/case|' })).to.equal(true);
    expect(many('Condition', { patient: 'Patient/p1', 'recorded-date': 'ge2025-01-01' })).to.equal(false);
    expect(many('Observation', { subject: 'Patient/p1,Patient/p2' })).to.equal(false);
    expect(many('Patient', { _id: 'p1,p2' })).to.equal(false);
    expect(many('Patient', { identifier: 'urn:oid:1.2.250.1.213.1.4.8|1234567890123' })).to.equal(false);
    expect(many('Task', { focus: 'ServiceRequest/s1' })).to.equal(false);
    expect(many('Patient', { name: 'dupont', birthdate: '1962-05-14' })).to.equal(false);
    expect(many('Patient', { 'name:missing': 'true' })).to.equal(true);
  });

  it('a search that may match many (the set) and the same search for given patients (row by row) keep the same records, for every caller', async () => {
    const patients = Object.values(pat);
    for (const [name, id] of Object.entries(prac)) {
      for (const roles of [['physician'], ['coordinator'], ['gp']]) {
        const ctx: RequestContext = { ...systemContext(), principal: professional(name, roles, { practitionerId: id }) };
        const repo = services.store.forRequest(ctx);
        const many = (await repo.searchAll('Patient', { _lastUpdated: 'ge2000-01-01' })).map((p) => p.id).filter((p) => patients.includes(p!));
        const given = (await repo.searchAll('Patient', { _id: patients.join(',') })).map((p) => p.id);
        expect([...many].sort(), `${name} (${roles})`).to.deep.equal([...given].sort());
        if (name === 'grantee') expect(many, 'emergency access').to.include(pat.byGrant);
        if (name === 'exGrantee') expect(many, 'expired emergency access').to.not.include(pat.byGrant);
      }
    }
  });
});
