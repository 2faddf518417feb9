import { expect } from 'chai';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from '../rcp/fixtures.ts';
import { professional } from '../helpers/users.ts';

const BOARD_MEMBERS = 'https://dcc-paca.example/fhir/sid/rcp-board-members';

/**
 * Issue 10, items 1 and 3: nobody joins an RCP board (and so its patients' circle of care) by a
 * generic FHIR write, and nobody gives themselves a role that opens records. Refusals are traced.
 */
describe('Security: board membership and directory roles are not self-service', () => {
  let world: RcpWorld;
  let board: any;
  let patient: { patient: string; condition: string };

  /** Refused writes traced for this practitioner (AuditEvent with a failure outcome). */
  const refusalsOf = async (practitionerId: string): Promise<number> => {
    const rows = await world.store.db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw("content->>'outcome' <> '0'").whereRaw('content::text like ?', [`%Practitioner/${practitionerId}%`]).count('* as n');
    return Number(rows[0].n);
  };
  const conditionsSeenBy = async (user: string) => (await world.fhir(user, 'GET', `/Condition?patient=${patient.patient}`)).body.total;

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const admin = await world.create({ resourceType: 'Practitioner', name: [{ family: 'Admin', given: ['Test'] }] });
    world.users.admin = professional('Admin', ['admin'], { practitionerId: admin.id });
    const created = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    expect(created.status, created.text).to.equal(201);
    board = created.body;
    const sessions = (await world.api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {})).body.created;
    patient = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[1].id, patient));
    expect(registered.status, registered.text).to.equal(201);
  });
  after(() => world.close());

  it('a physician cannot join a board by writing a member CareTeam (new or the board\'s own): 403, traced, no access gained', async () => {
    expect(await conditionsSeenBy('outsider')).to.equal(0);
    const before = await refusalsOf(world.ids.outsider);
    const forged = await world.fhir('outsider', 'POST', '/CareTeam', {
      resourceType: 'CareTeam', status: 'active', identifier: [{ system: BOARD_MEMBERS, value: board.id }],
      participant: [{ member: { reference: `Practitioner/${world.ids.outsider}` } }],
    });
    expect(forged.status, forged.text).to.equal(403);
    expect(forged.body.resourceType).to.equal('OperationOutcome');
    expect(forged.body.issue[0].details.text).to.contain('/api/rcp/boards');

    const team = (await world.fhir('system', 'GET', `/CareTeam/${board.membersTeamId}`)).body;
    const widened = { ...team, participant: [...team.participant, { member: { reference: `Practitioner/${world.ids.outsider}` } }] };
    expect((await world.fhir('outsider', 'PUT', `/CareTeam/${team.id}`, widened)).status).to.equal(403);
    // Not even the board's coordinator writes the list past the RCP API (which traces the change).
    expect((await world.fhir('coordinator', 'PUT', `/CareTeam/${team.id}`, widened)).status).to.equal(403);
    expect((await world.fhir('outsider', 'DELETE', `/CareTeam/${team.id}`)).status).to.equal(403);
    const charter = (await world.fhir('system', 'GET', `/HealthcareService/${board.id}`)).body;
    expect((await world.fhir('coordinator', 'PUT', `/HealthcareService/${board.id}`, { ...charter, name: 'Renommée' })).status).to.equal(403);

    expect(await conditionsSeenBy('outsider')).to.equal(0);
    expect(await refusalsOf(world.ids.outsider)).to.be.at.least(before + 3);
  });

  it('the board\'s coordinator adds a member through the RCP API: the new member then sees the board\'s patients', async () => {
    const current = await world.api('coordinator', 'GET', `/boards/${board.id}`);
    const members = [...current.body.members, { practitioner: `Practitioner/${world.ids.outsider}`, membership: 'occasional' }];
    const updated = await world.api('coordinator', 'PUT', `/boards/${board.id}`, { ...current.body, members }, { 'if-match': current.headers.get('etag')! });
    expect(updated.status, updated.text).to.equal(200);
    expect(await conditionsSeenBy('outsider')).to.equal(1);
  });

  it('the administrator cannot give himself a role in the 3C (nor edit his own entry); a role for someone else is written and traced', async () => {
    const admin = world.users.admin.practitionerId!;
    const before = await refusalsOf(admin);
    const self = await world.fhir('admin', 'POST', '/PractitionerRole', {
      resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${admin}` }, organization: { reference: `Organization/${world.centre}` },
    });
    expect(self.status, self.text).to.equal(403);
    const own = (await world.fhir('system', 'GET', `/Practitioner/${admin}`)).body;
    expect((await world.fhir('admin', 'PUT', `/Practitioner/${admin}`, { ...own, qualification: [{ code: { text: 'Médecin' } }] })).status).to.equal(403);
    expect(await refusalsOf(admin)).to.equal(before + 2);

    const colleague = await world.fhir('admin', 'POST', '/PractitionerRole', {
      resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${world.ids.pathologist}` }, organization: { reference: `Organization/${world.host}` },
    });
    expect(colleague.status, colleague.text).to.equal(201);
    const traced = await world.store.db('resource').where({ resource_type: 'AuditEvent' })
      .whereRaw('content::text like ?', [`%PractitionerRole/${colleague.body.id}%`]).count('* as n');
    expect(Number(traced[0].n)).to.equal(1);
  });
});
