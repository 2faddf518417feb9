import { expect } from 'chai';
import { buildRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { checkRcpSheetCompleteness, type CompletenessStage } from '../../server/rcp-sheet/completeness.ts';
import type { RcpSheetInput } from '../../server/rcp-sheet/input.ts';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

/** "Dossier complet": each required item of the FRCP, removed in turn, is named. */
describe('RCP sheet: completeness ("dossier complet")', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  const missingOf = (input: RcpSheetInput, stage: CompletenessStage) => checkRcpSheetCompleteness(buildRcpSheet(input), { stage });

  it('a complete sheet misses nothing, before the session and before signature', () => {
    for (const stage of ['session', 'signature'] as const) expect(missingOf(colonCancerSheet(world), stage), stage).to.deep.equal([]);
  });

  // [what is removed, stage, item key, words of the French label]
  const cases: [string, CompletenessStage, (s: RcpSheetInput) => void, string, string][] = [
    ['the requesting physician', 'session', (s) => delete s.requester, 'requester', 'Médecin demandeur'],
    ['the presenting physician', 'session', (s) => delete s.presenter, 'presenter', 'présentateur'],
    ['the GP', 'session', (s) => delete s.generalPractitioner, 'generalPractitioner', 'Médecin traitant'],
    ['the meeting mode', 'session', (s) => delete s.meeting.mode, 'meeting.mode', 'Mode de réunion'],
    ['the RRC id', 'session', (s) => delete s.meeting.rrcId, 'meeting.rrcId', 'réseau régional de cancérologie'],
    ['the 3C id', 'session', (s) => delete s.meeting.threeCId, 'meeting.threeCId', 'Identifiant du 3C'],
    ['the RCP id', 'session', (s) => delete s.meeting.rcpId, 'meeting.rcpId', 'Identifiant de la RCP'],
    ['the host establishment', 'session', (s) => delete s.meeting.hostEstablishment, 'meeting.hostEstablishment', 'FINESS'],
    ['the registration number', 'session', (s) => delete s.meeting.registrationNumber, 'meeting.registrationNumber', "Numéro d'inscription"],
    ['the organ of an organ RCP', 'session', (s) => { delete s.reason!.organSystem; delete s.reason!.organ; }, 'reason.organSystem', 'organe concerné'],
    ['the nature of the RCP', 'session', (s) => delete s.reason, 'reason.nature', 'Nature de la RCP'],
    ['the motif', 'session', (s) => delete s.reason, 'reason.motifs', 'Motif de la RCP'],
    ['the case status', 'signature', (s) => delete s.reason!.caseStatus, 'reason.caseStatus', 'Statut du cas présenté'],
    ['recours yes/no', 'session', (s) => delete s.reason, 'reason.recours', 'RCP de recours'],
    ['paediatric yes/no', 'session', (s) => delete s.reason, 'reason.paediatric', 'RCP pédiatrique'],
    ['the discovery', 'session', (s) => delete s.discovery, 'discovery', 'Circonstances de découverte'],
    ['the diagnosis date', 'session', (s) => { delete s.diagnosis; delete s.proposal; }, 'diagnosis.date', 'Date du diagnostic'],
    ['the topography', 'session', (s) => { delete s.diagnosis; delete s.proposal; }, 'diagnosis.topography', 'Topographie'],
    ['the morphology', 'session', (s) => { delete s.diagnosis!.morphology; }, 'diagnosis.morphology', 'Morphologie'],
    ['the name of another staging system', 'session', (s) => { s.diagnosis!.otherStaging = { stage: 'B' } as never; }, 'diagnosis.otherStaging.name', 'Nom de la classification'],
    ['the phase', 'session', (s) => delete s.phase, 'phase.phase', 'Phase de la maladie'],
    ['the progression', 'session', (s) => delete s.phase!.progression, 'phase.progression', 'progression locale'],
    ['the relapse date', 'session', (s) => { s.phase = { phase: 'relapse', progression: { local: true, regional: false, distant: false } }; }, 'phase.date', 'Date de la rechute'],
    ['the summary', 'session', (s) => delete s.summary, 'summary', 'Synthèse du cas'],
    ['the question', 'session', (s) => delete s.question, 'question', 'Question posée à la RCP'],
    ['the guideline of a registered-only case', 'session', (s) => { s.reason!.caseStatus = 'registered'; delete s.basis!.guideline; }, 'basis.guideline', 'obligatoire pour un cas enregistré'],
    ['the session id', 'signature', (s) => delete s.meeting.sessionId, 'meeting.sessionId', 'séance'],
    ['the participants', 'signature', (s) => delete s.participants, 'participants', 'Participants à la RCP'],
    ["a participant's IDNPS", 'signature', (s) => delete s.participants![1]!.idnps, 'participants[1].idnps', 'IDNPS du participant'],
    ["a participant's speciality", 'signature', (s) => delete s.participants![0]!.speciality, 'participants[0].speciality', 'Spécialité du participant'],
    ['the file status', 'signature', (s) => delete s.fileStatus, 'fileStatus.complete', 'dossier complet'],
    ['the quorum', 'signature', (s) => delete s.fileStatus, 'fileStatus.quorum', 'Quorum'],
    ['the proposal', 'signature', (s) => delete s.proposal, 'proposal', 'Proposition de la RCP'],
    ['the clinical-trial answer', 'signature', (s) => delete s.basis, 'basis.clinicalTrial', 'essai clinique'],
    ['the trial when one is proposed', 'signature', (s) => { s.basis!.clinicalTrial = { proposed: true }; }, 'basis.clinicalTrial.study', 'Essai clinique proposé'],
    ['the reason for departing from the guideline', 'signature', (s) => { s.basis!.followsGuideline = false; }, 'basis.deviationReason', "Motif de l'écart"],
  ];
  for (const [what, stage, drop, item, words] of cases) {
    it(`names ${what} when it is missing (${stage === 'session' ? 'before the session' : 'before signature'})`, () => {
      const input = colonCancerSheet(world);
      drop(input);
      const missing = missingOf(input, stage);
      const found = missing.find((m) => m.item === item);
      expect(found, JSON.stringify(missing.map((m) => m.item))).to.exist;
      expect(found!.severity).to.equal('error');
      expect(found!.label).to.contain(words);
      expect(found!.expression).to.match(/^Composition|^Patient/);
    });
  }

  it('items filled after the session are not asked before it', () => {
    const input = colonCancerSheet(world);
    delete input.fileStatus;
    delete input.proposal;
    delete input.participants;
    expect(missingOf(input, 'session')).to.deep.equal([]);
  });

  it('recommended items (OMS status, stage) are warnings, not errors', () => {
    const input = colonCancerSheet(world);
    delete input.performanceStatus;
    delete input.diagnosis!.tnm;
    const missing = missingOf(input, 'signature');
    expect(missing.map((m) => [m.item, m.severity])).to.deep.equal([['diagnosis.staging', 'warning'], ['performanceStatus', 'warning']]);
  });

  it('GET Composition/{id}/$completeness: information when complete, one issue per missing item with its expression', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const ok = await world.as('oncologist', 'GET', `/Composition/${created.body.id}/$completeness`);
    expect(ok.status).to.equal(200);
    expect(ok.body.resourceType).to.equal('OperationOutcome');
    expect(ok.body.issue).to.have.length(1);
    expect(ok.body.issue[0].severity).to.equal('information');
    expect(ok.body.issue[0].details.text).to.contain('Dossier complet');

    const draft = colonCancerSheet(world);
    delete draft.question;
    delete draft.discovery;
    delete draft.fileStatus;
    const incomplete = await world.as('gastroenterologist', 'POST', '/Composition/$rcp-sheet', draft);
    expect(incomplete.status).to.equal(201);
    const session = await world.as('coordinator', 'GET', `/Composition/${incomplete.body.id}/$completeness`);
    // The 3C coordinator checks the file before the meeting: it reads the sheet's clinical entries
    // (diagnosis, stage) of its boards' patients, and finds what the physician finds.
    expect(session.status, JSON.stringify(session.body)).to.equal(200);
    const check = await world.as('oncologist', 'GET', `/Composition/${incomplete.body.id}/$completeness`);
    expect(session.body.issue).to.deep.equal(check.body.issue);
    expect(check.body.issue.map((i: any) => i.severity)).to.deep.equal(['error', 'error']);
    const texts = check.body.issue.map((i: any) => i.details.text).join(' | ');
    expect(texts).to.contain('Question posée à la RCP').and.contain('Circonstances de découverte');
    expect(check.body.issue[0].expression[0]).to.contain("section.where(code.coding.code = '");
    const signature = await world.as('oncologist', 'GET', `/Composition/${incomplete.body.id}/$completeness?stage=signature`);
    expect(signature.body.issue.map((i: any) => i.details.text).join(' | ')).to.contain('Quorum');
    expect((await world.as('oncologist', 'GET', `/Composition/${incomplete.body.id}/$completeness?stage=demain`)).status).to.equal(400);
  });
});
