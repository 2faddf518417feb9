import { expect } from 'chai';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/** What a 3C reads on an agenda and a professional sees in their calendar app: names, not ids. */
describe('RCP agenda and calendar feed name people, not ids', function () {
  this.timeout(120_000); // the first suite of a run also waits for the database to start
  let world: RcpWorld;
  before(async () => {
    world = await startRcpWorld();
  });
  after(() => world.close());

  it("the agenda lists each case's patient by name and birth year; the practitioner feed is titled with the practitioner's name", async () => {
    const board = (await world.api('coordinator', 'POST', '/boards', digestiveBoard(world))).body;
    const session = (await world.api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {})).body.created[0];
    const p = await newPatient(world);
    expect((await world.api('surgeon', 'POST', '/cases', registration(session.id, p))).status).to.equal(201);
    const patient = (await world.fhir('system', 'GET', `/Patient/${p.patient}`)).body;

    const details = await world.api('coordinator', 'GET', `/sessions/${session.id}`);
    expect(details.status, details.text).to.equal(200);
    const [entry] = details.body.agenda.entries;
    expect(entry).to.include({ patient: `Patient/${p.patient}`, patientName: `${patient.name[0].family.toUpperCase()} Test`, birthYear: 1958 });

    // Fetched by the 3C for a member, the feed still bears the member's name.
    const practitioner = (await world.fhir('system', 'GET', `/Practitioner/${world.ids.surgeon}`)).body;
    const ics = await world.api('coordinator', 'GET', `/practitioners/${world.ids.surgeon}/calendar.ics`);
    expect(ics.status).to.equal(200);
    expect(ics.text).to.contain(`X-WR-CALNAME:RCP — Dr Test ${practitioner.name[0].family}`);
    expect(ics.text).to.not.contain('Practitioner/');
  });
});
