import { expect } from 'chai';
import { digestiveBoard, startRcpWorld, type RcpWorld } from './fixtures.ts';
import { unique } from '../helpers/harness.ts';
import { asUser } from '../helpers/users.ts';

/**
 * Issue 11, item 2: a case whose question is the diagnosis (motif diagnostic-opinion) is registered
 * without a Condition and must be decidable — and signable — without one; a treatment proposal still
 * needs its diagnosis.
 */
describe('A diagnostic-opinion case is decided without a diagnosis', () => {
  let world: RcpWorld;
  let sessionId: string;
  let patient: string;

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    sessionId = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0].id;
    patient = (await world.create({
      resourceType: 'Patient', name: [{ family: unique('Bonnet'), given: ['Lucien'] }], gender: 'male', birthDate: '1949-02-03',
      generalPractitioner: [{ reference: `Practitioner/${world.ids.gp}` }],
    })).id;
    await world.create({
      resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${patient}` },
      participant: (['surgeon', 'oncologist', 'radiotherapist'] as const).map((p) => ({ member: { reference: `Practitioner/${world.ids[p]}` } })),
    });
  });
  after(() => world.close());

  it('registered without a Condition, the RCP asks for exams: decided, signed, the decision addresses no Condition', async () => {
    const reg = await world.api('surgeon', 'POST', '/cases', {
      session: `Appointment/${sessionId}`, patient: `Patient/${patient}`, motif: 'diagnostic-opinion',
      question: 'Masse pancréatique de 2 cm : tumeur neuro-endocrine ou adénocarcinome ?',
      summary: 'Découverte fortuite au scanner, biopsie sous écho-endoscopie non contributive.',
      patientInformed: true, patientNonOpposition: true, gpInformed: true,
      clinical: { discovery: { byScreening: false, comment: 'Découverte fortuite' }, phase: { phase: 'initial', progression: { local: false, regional: false, distant: false } }, performanceStatus: { who: 0, date: '2026-02-20' } },
    });
    expect(reg.status, reg.text).to.equal(201);
    const caseId = reg.body.case.id;
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/accept`)).status).to.equal(200);
    world.clock.now = new Date('2026-03-10T13:05:00Z');
    expect((await world.api('oncologist', 'POST', `/sessions/${sessionId}/start`)).status).to.equal(200);
    await world.api('oncologist', 'PUT', `/sessions/${sessionId}/attendance`, {
      attendance: ['oncologist', 'surgeon', 'radiotherapist'].map((p) => ({ practitioner: `Practitioner/${world.ids[p as 'surgeon']}`, mode: 'present' })),
    });
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/discuss`)).status).to.equal(200);

    const decision = await world.api('oncologist', 'PUT', `/cases/${caseId}/decision`, {
      exams: [{ description: 'Nouvelle biopsie sous écho-endoscopie avec immunohistochimie', latest: '2026-03-31' }, { description: 'TEP au 68Ga-DOTATOC' }],
      clinicalTrial: { proposed: false },
    });
    expect(decision.status, decision.text).to.equal(200);
    expect(decision.body.proposal.exams).to.have.length(2);
    const plan = (await world.fhir('oncologist', 'GET', `/${decision.body.decision}`)).body;
    expect(plan.addresses).to.equal(undefined);
    expect(plan.activity).to.have.length(2);

    const missing = await world.api('oncologist', 'GET', `/cases/${caseId}/completeness?stage=signature`);
    expect(missing.body.complete, JSON.stringify(missing.body)).to.equal(true);
    world.clock.now = new Date('2026-03-10T15:00:00Z');
    const signed = await world.api('oncologist', 'POST', `/cases/${caseId}/sign`);
    expect(signed.status, signed.text).to.equal(200);
    expect((await world.fhir('oncologist', 'GET', `/${plan.resourceType}/${plan.id}`)).body.status).to.equal('active');
    const html = await (await fetch(`${world.url}/fhir/${signed.body.report.reference}/$render`, { headers: asUser('oncologist') })).text();
    expect(html).to.contain('Avis diagnostique').and.to.contain('TEP au 68Ga-DOTATOC');
  });

  it('a treatment proposal still needs its diagnosis (400 naming it)', async () => {
    const res = await world.fhir('surgeon', 'POST', '/Composition/$rcp-sheet', {
      patient: `Patient/${patient}`,
      author: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      meeting: { rcpName: 'RCP digestive', date: '2026-03-24T14:00:00+01:00' },
      reason: { nature: 'organ', recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
      proposal: { treatments: [{ intention: 1, sequence: 1, type: 'surgery' }] },
    });
    expect(res.status).to.equal(400);
    expect(res.body.issue.map((i: any) => i.details.text).join(' ')).to.contain('renseignez aussi le diagnostic').and.not.contain('diagnosis');
  });
});
