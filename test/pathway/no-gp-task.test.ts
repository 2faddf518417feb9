import { expect } from 'chai';
import { readResponse, type RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, startCarePlanServer } from '../care-plan/fixtures.ts';
import { asUser, testUsers } from '../helpers/users.ts';

/** A patient without a GP: a Task owned by the 3C, followed until a GP is declared. */
describe('Shared alert: a patient without a GP becomes a Task for the 3C, followed until a GP is declared', () => {
  let server: RunningServer;
  const users = testUsers();
  const api = async (user: string, path: string, body?: unknown) => readResponse(await fetch(`${server.url}/api/pathway${path}`, {
    method: 'POST', headers: { ...asUser(user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
  }));

  before(async function () {
    this.timeout(180_000);
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  it('opens one Task per patient without a GP (owner: the 3C), keeps its follow-up notes, and completes it once a GP is declared', async () => {
    const c = await createCareCase(server, users);
    const created = await as(server, 'oncologist', 'POST', '/Patient', {
      resourceType: 'Patient', name: [{ family: 'Sanstraitant', given: ['Marius'] }], gender: 'male', birthDate: '1951-07-08',
      managingOrganization: { reference: `Organization/${c.chuId}` },
    });
    expect(created.status, created.text).to.equal(201);
    const patient = created.body;

    expect((await api('nurse', '/no-gp-tasks/sync')).status).to.equal(403);
    const first = await api('oncologist', '/no-gp-tasks/sync');
    expect(first.status, first.text).to.equal(200);
    expect(first.body.opened).to.have.length(1);
    const task = first.body.open[0];
    expect(task).to.deep.include({ status: 'requested', intent: 'order' });
    expect(task.for.reference).to.equal(`Patient/${patient.id}`);
    expect(task.owner.reference).to.equal(`Organization/${c.threeCId}`);
    expect(task.description).to.contain("SANSTRAITANT Marius n'a pas de médecin traitant déclaré");

    const again = await api('oncologist', '/no-gp-tasks/sync');
    expect(again.body.opened).to.deep.equal([]);
    expect(again.body.open.map((t: any) => t.id)).to.deep.equal([task.id]);

    const followed = await api('oncologist', `/no-gp-tasks/${task.id}`, { status: 'in-progress', note: 'Appel du patient : rendez-vous pris avec un médecin du quartier' });
    expect(followed.status, followed.text).to.equal(200);
    expect(followed.body.status).to.equal('in-progress');
    expect(followed.body.note[0].text).to.contain('rendez-vous pris');
    expect((await api('oncologist', `/no-gp-tasks/${task.id}`, {})).status).to.equal(400);

    const declared = await as(server, 'oncologist', 'PUT', `/Patient/${patient.id}`, { ...patient, generalPractitioner: [{ reference: `Practitioner/${c.practitioners.gp}`, display: 'Dr Laurent Chabert' }] });
    expect(declared.status, declared.text).to.equal(200);
    const closed = await api('oncologist', '/no-gp-tasks/sync');
    expect(closed.body.completed).to.deep.equal([`Task/${task.id}`]);
    expect(closed.body.open).to.deep.equal([]);
    const done = (await as(server, 'oncologist', 'GET', `/Task/${task.id}`)).body;
    expect(done.status).to.equal('completed');
    expect(done.output[0].valueReference.reference).to.equal(`Practitioner/${c.practitioners.gp}`);
    expect(done.note.map((n: any) => n.text)).to.deep.equal(['Appel du patient : rendez-vous pris avec un médecin du quartier', 'Médecin traitant déclaré : Dr Laurent Chabert']);
    expect((await api('oncologist', `/no-gp-tasks/${task.id}`, { note: 'encore' })).status).to.equal(409);
  });
});
