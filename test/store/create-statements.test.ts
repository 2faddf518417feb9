import { expect } from 'chai';
import type { Basic, Observation } from '@medplum/fhirtypes';
import { http, startTestServer, TEST_SYSTEM, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, createdId, identifyByHeader, professional, type TestUsers } from '../helpers/users.ts';
import { withIdentity } from '../helpers/identity.ts';
import { Store } from '../../server/store/store.ts';
import type { RequestContext } from '../../server/context.ts';

/**
 * What a create costs the database, statement by statement: each round trip is CPU on the app side
 * (a socket write, a read) and a create is the commonest write of the record (issue 16). A create
 * that is the whole of its work is ONE statement holding its write check, the resource and its
 * trace — no BEGIN / COMMIT — and still all or nothing.
 */
describe('Create: the statements of one write', () => {
  let server: RunningServer;
  const users: TestUsers = {};
  let patientId: string;
  let physician: RequestContext;
  const as = (user: string, method: string, path: string, body?: unknown) => http(server, method, path, body, asUser(user));
  const observation = (): Observation => ({ resourceType: 'Observation', status: 'final', code: { text: unique('OMS') }, subject: { reference: `Patient/${patientId}` } });
  const tracesOf = async (reference: string) => (await as('system', 'GET', `/AuditEvent?entity=${reference}`)).body.entry?.map((e: any) => e.resource) ?? [];

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    users.system = TEST_SYSTEM;
    const mk = (body: any) => createdId(server, body);
    const physicianId = await mk({ resourceType: 'Practitioner', name: [{ family: unique('Stmt') }] });
    users.physician = professional('physician', ['physician'], { practitionerId: physicianId });
    users.outsider = professional('outsider', ['physician'], { practitionerId: await mk({ resourceType: 'Practitioner', name: [{ family: unique('Dehors') }] }) });
    physician = { requestId: 'test', principal: users.physician, baseUrl: 'http://test' };
    patientId = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique('Stmt') }] }));
    await mk({ resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${patientId}` }, participant: [{ member: { reference: `Practitioner/${physicianId}` } }] });
  });
  after(() => server.close());

  async function statementsOf(work: () => Promise<unknown>): Promise<string[]> {
    const seen: string[] = [];
    const listener = (q: { sql: string }) => seen.push(q.sql.replace(/\s+/g, ' ').trim());
    server.services.db.on('query', listener);
    try {
      await work();
    } finally {
      server.services.db.off('query', listener);
    }
    return seen;
  }

  it('an Observation in the circle of care: ONE statement, holding the write check, the resource and its trace', async () => {
    let created: any;
    const statements = await statementsOf(async () => { created = await as('physician', 'POST', '/Observation', observation()); });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(statements).to.have.length(1);
    expect(statements[0]).to.match(/WITH input AS/).and.to.contain('dcc_in_circle');
    const [trace] = await tracesOf(`Observation/${created.body.id}`);
    expect(trace.action).to.equal('C');
    expect(trace.outcome).to.equal('0');
    expect(trace.entity.map((e: any) => e.what.reference)).to.include.members([`Patient/${patientId}`, `Observation/${created.body.id}`]);
  });

  it('outside the circle of care: 403, nothing written, the refusal traced', async () => {
    const before = (await as('system', 'GET', `/Observation?subject=Patient/${patientId}&_summary=count`)).body.total;
    const refused = await as('outsider', 'POST', '/Observation', observation());
    expect(refused.status).to.equal(403);
    expect((await as('system', 'GET', `/Observation?subject=Patient/${patientId}&_summary=count`)).body.total).to.equal(before);
    const trail = (await as('system', 'GET', `/AuditEvent?patient=Patient/${patientId}&outcome=4&subtype=create`)).body;
    expect(trail.total).to.be.greaterThan(0);
  });

  it('authorised before validated: outside the circle, content breaking a rule is still a 403, not a 422', async () => {
    const badStatus = { ...observation(), status: 'finished' };
    expect((await as('physician', 'POST', '/Observation', badStatus)).status).to.equal(422);
    const refused = await as('outsider', 'POST', '/Observation', badStatus);
    expect(refused.status).to.equal(403);
    expect(refused.body.issue[0].details.text).to.contain('cercle de soins');
  });

  it('under emergency access: the one statement writes nothing, the create is made again in a transaction whose trace says BTG', async () => {
    const opened = await as('outsider', 'POST', `/Patient/${patientId}/$break-glass`, { resourceType: 'Parameters', parameter: [{ name: 'reason', valueString: 'Patient aux urgences, détresse respiratoire' }] });
    expect(opened.status).to.equal(200);
    let created: any;
    const statements = await statementsOf(async () => { created = await as('outsider', 'POST', '/Observation', observation()); });
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    expect(statements[0]).to.match(/WITH input AS/);
    expect(statements[1]).to.match(/^BEGIN/i);
    expect(statements.at(-1)).to.match(/^COMMIT/i);
    expect(await tracesOf(`Observation/${created.body.id}`)).to.have.length(1);
    const [trace] = await tracesOf(`Observation/${created.body.id}`);
    expect(trace.purposeOfEvent?.[0]?.coding?.[0]?.code).to.equal('BTG');
  });

  it('an id already taken: 409, and no trace of a create that did not happen', async () => {
    const repo = server.services.store.forRequest(physician);
    const first = await repo.create(observation());
    let refused: any;
    try {
      await repo.createWithId(observation(), first.id!);
    } catch (error) {
      refused = error;
    }
    expect(refused?.status).to.equal(409);
    expect(await tracesOf(`Observation/${first.id}`)).to.have.length(1);
  });

  it('a rule that needs the transaction (not pure, or pure but writing after all) gets one', async () => {
    const { db } = server.services;
    const notes = new Store(db, () => {});
    notes.addWriteRule('test:note', async (change, tx) => {
      if ((change.next as Basic).code.text === 'note') await tx.append<Basic>({ resourceType: 'Basic', code: { text: 'noted' } });
    }, { types: ['Basic'] });
    const mislabelled = new Store(db, () => {});
    mislabelled.addWriteRule('test:pure-but-writes', async (change, tx) => {
      if ((change.next as Basic).code.text === 'pure') await tx.append<Basic>({ resourceType: 'Basic', code: { text: 'written anyway' } });
    }, { types: ['Basic'], pure: true });
    // No rule concerns Observation, and the service account has no check and no trace: one statement.
    expect(await statementsOf(() => notes.system().create<Observation>(observation()))).to.have.length(1);
    for (const [store, text] of [[notes, 'note'], [mislabelled, 'pure']] as const) {
      const statements = await statementsOf(() => store.system().create<Basic>({ resourceType: 'Basic', code: { text } }));
      expect(statements[0], text).to.match(/^BEGIN/i);
      expect(statements.at(-1), text).to.match(/^COMMIT/i);
    }
    const written = (await db('resource').where({ resource_type: 'Basic' }).select('content')).map((r: any) => r.content.code.text);
    expect(written).to.include.members(['note', 'noted', 'pure', 'written anyway']);
  });
});
