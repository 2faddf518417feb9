import { expect } from 'chai';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * Issue 11, item 10: a sheet filled beforehand and attached at registration receives what the DCC
 * knows of the meeting (3C, RCP and session identifiers, registration number, host establishment), so
 * completeness no longer asks the physician for them.
 */
describe('A sheet attached at registration gets the meeting identifiers', () => {
  let world: RcpWorld;
  after(() => world.close());

  it('the 3C id, the RCP id and the registration number are written into the attached sheet; completeness stops asking for them', async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    const session = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0];
    const first = await newPatient(world);
    expect((await world.api('surgeon', 'POST', '/cases', registration(session.id, first))).status).to.equal(201);

    const p = await newPatient(world);
    const filed = await world.fhir('surgeon', 'POST', '/Composition/$rcp-sheet', {
      patient: `Patient/${p.patient}`,
      author: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      meeting: { rcpName: 'RCP digestive', date: '2026-03-10T14:00:00+01:00' },
      reason: { nature: 'organ', organSystem: { display: 'Appareil digestif' }, recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
      diagnosis: { condition: `Condition/${p.condition}` },
      summary: 'Adénocarcinome du sigmoïde cT3N1M0.',
      question: 'Chirurgie première ?',
    });
    expect(filed.status, filed.text).to.equal(201);
    const before = await world.fhir('surgeon', 'GET', `/Composition/${filed.body.id}/$completeness`);
    const missingBefore = before.body.issue.map((i: any) => i.details.text).join(' | ');
    expect(missingBefore).to.contain('Identifiant du 3C').and.to.contain('Identifiant de la RCP').and.to.contain("Numéro d'inscription");

    const reg = await world.api('surgeon', 'POST', '/cases', { ...registration(session.id, p, { clinical: undefined }), sheet: `Composition/${filed.body.id}` });
    expect(reg.status, reg.text).to.equal(201);
    const labels = reg.body.completeness.map((m: any) => m.label).join(' | ');
    expect(labels).not.to.contain('Identifiant du 3C');
    expect(labels).not.to.contain('Identifiant de la RCP');
    expect(labels).not.to.contain("Numéro d'inscription");

    const sheet = (await world.fhir('surgeon', 'GET', `/Composition/${filed.body.id}`)).body;
    const meeting = sheet.extension.find((e: any) => e.url.endsWith('dcc-rcp-meeting')).extension;
    const sub = (url: string) => meeting.find((e: any) => e.url === url);
    const centre = (await world.fhir('system', 'GET', `/Organization/${world.centre}`)).body;
    expect(sub('threeC').valueIdentifier.value).to.equal(centre.identifier[0].value);
    expect(sub('rcp').valueReference.identifier.value).to.equal(board.body.code);
    expect(sub('registrationNumber').valueString).to.equal('2');
    expect(sub('session').valueReference.reference).to.equal(`Appointment/${session.id}`);
    expect(sub('hostEstablishment').valueReference.reference).to.equal(`Organization/${world.host}`);
    // The clinical content the physician wrote is untouched.
    const summary = sheet.section.find((s: any) => s.code.coding[0].code === '10164-2').entry.map((e: any) => e.reference);
    expect(summary).to.deep.equal(filed.body.section.find((s: any) => s.code.coding[0].code === '10164-2').entry.map((e: any) => e.reference));
  });
});
