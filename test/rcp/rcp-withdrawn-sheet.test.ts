import { expect } from 'chai';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

const texts = (res: { body: any }) => (res.body?.issue ?? []).map((i: any) => i.details?.text ?? i.diagnostics).join(' | ');
const rule = (res: { body: any }) => res.body?.issue?.[0]?.details?.coding?.[0]?.code;

/**
 * QA: after « Retirer la demande », the case's draft RCP sheet stayed editable (PATCH $rcp-sheet
 * saved 200) and the record's timeline said « Fiche RCP … (en cours) ». The sheet of a withdrawn or
 * refused request is read-only, whoever writes it, and the timeline says what became of it.
 */
describe('The RCP sheet of a withdrawn or refused request is read-only', () => {
  let world: RcpWorld;
  let sessions: any[];
  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    sessions = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());

  it('withdrawn: PATCH $rcp-sheet and PUT of the Composition are refused (409, in French); the timeline says « demande retirée »', async () => {
    const p = await newPatient(world);
    const reg = await world.api('surgeon', 'POST', '/cases', registration(sessions[1]!.id, p));
    expect(reg.status, reg.text).to.equal(201);
    const caseId = reg.body.case.id;
    const sheetId = String(reg.body.case.sheet).split('/')[1]!;
    // Editable while the request stands.
    const before = await world.fhir('surgeon', 'PATCH', `/Composition/${sheetId}/$rcp-sheet`, { otherData: 'Avant le retrait' });
    expect(before.status, before.text).to.equal(200);

    const withdrawn = await world.api('surgeon', 'POST', `/cases/${caseId}/withdraw`, { reason: 'Patient opéré en urgence' });
    expect(withdrawn.status, withdrawn.text).to.equal(200);

    const patch = await world.fhir('surgeon', 'PATCH', `/Composition/${sheetId}/$rcp-sheet`, { otherData: 'Après le retrait' });
    expect(patch.status, patch.text).to.equal(409);
    expect(patch.body.resourceType).to.equal('OperationOutcome');
    expect(rule(patch)).to.equal('sheet-case-closed');
    expect(texts(patch)).to.match(/La demande d'inscription a été retirée le \d\d\/\d\d\/\d{4}/).and.to.contain('Patient opéré en urgence').and.to.contain("la fiche n'est plus modifiable");

    const composition = (await world.fhir('surgeon', 'GET', `/Composition/${sheetId}`)).body;
    const put = await world.fhir('surgeon', 'PUT', `/Composition/${sheetId}`, { ...composition, title: 'Autre titre' });
    expect(put.status, put.text).to.equal(409);
    expect(rule(put)).to.equal('sheet-case-closed');
    // Nothing changed: the sheet is as the request left it.
    const read = await world.fhir('surgeon', 'GET', `/Composition/${sheetId}/$rcp-sheet`);
    expect(read.body.data.otherData).to.equal('Avant le retrait');
    expect(read.body.status).to.equal('preliminary');

    const timeline = await world.fhir('surgeon', 'GET', `/Patient/${p.patient}/$timeline`);
    expect(timeline.status, timeline.text).to.equal(200);
    const sheetLine = timeline.body.events.find((e: any) => e.reference === `Composition/${sheetId}`);
    expect(sheetLine.label).to.contain('(demande retirée)').and.not.to.contain('en cours');
  });

  it('refused by the 3C: the sheet is read-only too, said so', async () => {
    const p = await newPatient(world);
    const reg = await world.api('surgeon', 'POST', '/cases', registration(sessions[2]!.id, p));
    expect(reg.status, reg.text).to.equal(201);
    const sheetId = String(reg.body.case.sheet).split('/')[1]!;
    const rejected = await world.api('oncologist', 'POST', `/cases/${reg.body.case.id}/reject`, { reason: 'Relève de la RCP de recours régionale' });
    expect(rejected.status, rejected.text).to.equal(200);
    const patch = await world.fhir('surgeon', 'PATCH', `/Composition/${sheetId}/$rcp-sheet`, { otherData: 'Après le refus' });
    expect(patch.status, patch.text).to.equal(409);
    expect(texts(patch)).to.contain("La demande d'inscription a été refusée").and.to.contain("la fiche n'est plus modifiable");
    const timeline = await world.fhir('surgeon', 'GET', `/Patient/${p.patient}/$timeline`);
    expect(timeline.body.events.find((e: any) => e.reference === `Composition/${sheetId}`).label).to.contain('(demande refusée)');
  });
});
