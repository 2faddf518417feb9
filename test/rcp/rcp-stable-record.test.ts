import { expect } from 'chai';
import { DECISION, digestiveBoard, startRcpWorld, type RcpWorld } from './fixtures.ts';
import { unique } from '../helpers/harness.ts';

const TRIAL = { title: 'ESSAI-DIG 99 — sunitinib néoadjuvant (fictif)', identifier: { value: 'NCT09999999' }, phase: 'Phase III' };

/**
 * Issue 11, item 1 — tried as a clinician would: a sheet filed with its own diagnosis, attached at
 * registration, decided twice, signed, corrected, then edited three more times. The record keeps one
 * cancer Condition, one decision in force for the case, one ResearchStudy for the trial, and every
 * reference anywhere in the patient's record still answers.
 */
describe('A signed-then-corrected sheet edited again: one Condition, one decision, one trial, no dangling reference', () => {
  let world: RcpWorld;
  let patient: string;
  let caseId: string;
  let sheetId: string;

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 20 }));
    const session = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0];
    patient = (await world.create({
      resourceType: 'Patient', name: [{ family: unique('Rinaldi'), given: ['Josette'] }], gender: 'female', birthDate: '1956-07-21',
      generalPractitioner: [{ reference: `Practitioner/${world.ids.gp}` }],
    })).id;
    await world.create({
      resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${patient}` },
      participant: (['surgeon', 'oncologist', 'radiotherapist', 'gastroenterologist'] as const).map((p) => ({ member: { reference: `Practitioner/${world.ids[p]}` } })),
    });
    // The physician files the sheet first, describing the diagnosis: the sheet creates the cancer Condition.
    const sheet = await world.fhir('surgeon', 'POST', '/Composition/$rcp-sheet', {
      patient: `Patient/${patient}`,
      author: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      requester: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      presenter: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      generalPractitioner: { practitioner: `Practitioner/${world.ids.gp}`, name: 'Dr Généraliste' },
      meeting: { rcpName: 'RCP digestive', date: session.start },
      reason: { nature: 'organ', organSystem: { display: 'Appareil digestif' }, recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
      discovery: { byScreening: false },
      diagnosis: {
        date: '2026-01-20',
        morphology: { code: '8140/3', display: 'Adénocarcinome, SAI' },
        topography: { code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' },
        tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8' },
      },
      phase: { phase: 'initial', date: '2026-01-20', progression: { local: true, regional: false, distant: false } },
      performanceStatus: { who: 1, date: '2026-02-10' },
      summary: 'Adénocarcinome du sigmoïde cT3N1M0, OMS 1.',
      question: 'Chirurgie première ?',
    });
    expect(sheet.status, sheet.text).to.equal(201);
    sheetId = sheet.body.id;
    const condition = sheet.body.section.find((s: any) => s.code.coding[0].code === '72135-7').entry[0].reference;
    const reg = await world.api('surgeon', 'POST', '/cases', {
      session: `Appointment/${session.id}`, patient: `Patient/${patient}`, condition, sheet: `Composition/${sheetId}`,
      motif: 'treatment-proposal', question: 'Chirurgie première ?', summary: 'Adénocarcinome du sigmoïde cT3N1M0, OMS 1.',
      patientInformed: true, patientNonOpposition: true, gpInformed: true,
    });
    expect(reg.status, reg.text).to.equal(201);
    caseId = reg.body.case.id;
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/accept`)).status).to.equal(200);
    world.clock.now = new Date(new Date(session.start).getTime() + 10 * 60_000);
    expect((await world.api('oncologist', 'POST', `/sessions/${session.id}/start`)).status).to.equal(200);
    await world.api('oncologist', 'PUT', `/sessions/${session.id}/attendance`, {
      attendance: ['oncologist', 'surgeon', 'radiotherapist'].map((p) => ({ practitioner: `Practitioner/${world.ids[p as 'surgeon']}`, mode: 'present' })),
    });
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/discuss`)).status).to.equal(200);
  });
  after(() => world.close());

  it('decided twice, signed, corrected, edited three times: the record holds each thing once, and every reference answers', async () => {
    const withTrial = (detail: string) => ({
      ...DECISION,
      treatments: [{ intention: 1, sequence: 1, type: 'surgery', detail }, { intention: 1, sequence: 2, type: 'targeted-therapy', detail: 'Sunitinib 50 mg/j' }],
      clinicalTrial: { proposed: true, study: TRIAL },
    });
    const step = (res: { status: number; text: string }) => expect(res.status, res.text).to.equal(200);
    step(await world.api('oncologist', 'PUT', `/cases/${caseId}/decision`, withTrial('Colectomie gauche')));
    step(await world.api('oncologist', 'PUT', `/cases/${caseId}/decision`, withTrial('Colectomie gauche par cœlioscopie')));
    const signed = await world.api('oncologist', 'POST', `/cases/${caseId}/sign`);
    step(signed);
    step(await world.api('oncologist', 'POST', `/cases/${caseId}/correct`, { reason: 'Précision de la voie d’abord', decision: withTrial('Colectomie gauche, voie ouverte') }));
    // Edited three more times: through the FHIR operation, then twice through the workflow.
    step(await world.fhir('oncologist', 'PATCH', `/Composition/${sheetId}/$rcp-sheet`, { patientComment: 'Souhaite être opérée à Marseille', correctionReason: 'Souhait de la patiente' }));
    step(await world.api('oncologist', 'POST', `/cases/${caseId}/correct`, { reason: 'Ajout de la date', decision: withTrial('Colectomie gauche le 20/04') }));
    step(await world.api('oncologist', 'POST', `/cases/${caseId}/correct`, { reason: 'Relecture', decision: withTrial('Colectomie gauche le 22/04') }));

    const search = async (query: string) => ((await world.fhir('oncologist', 'GET', query)).body.entry ?? []).map((e: any) => e.resource);
    const conditions = (await search(`/Condition?patient=Patient/${patient}`)).filter((c: any) => !c.verificationStatus?.coding?.some((k: any) => k.code === 'entered-in-error'));
    expect(conditions, 'cancer Conditions').to.have.length(1);
    const decisions = await search(`/CarePlan?patient=Patient/${patient}`);
    expect(decisions.filter((p: any) => p.status === 'active'), 'active decisions').to.have.length(1);
    expect(decisions.filter((p: any) => !['revoked', 'entered-in-error'].includes(p.status)), 'decisions not ended').to.have.length(1);
    expect(await search('/ResearchStudy?identifier=NCT09999999'), 'ResearchStudy NCT09999999').to.have.length(1);
    const sheet = (await world.fhir('oncologist', 'GET', `/Composition/${sheetId}`)).body;
    expect(sheet.status).to.equal('amended');
    const rcpCase = (await world.api('oncologist', 'GET', `/cases/${caseId}`)).body;
    expect(rcpCase.state).to.equal('signed');
    expect(rcpCase.decision).to.match(new RegExp(`^CarePlan/${decisions[0].id}/_history/\\d+$`));
    expect(decisions[0].activity[0].detail.description).to.equal('Colectomie gauche le 22/04');

    // Every reference held by the patient's record, in every version of the sheet, answers (no 410, no 404).
    const history = (await world.fhir('oncologist', 'GET', `/Composition/${sheetId}/_history`)).body.entry.map((e: any) => e.resource);
    const holders = [
      ...history,
      ...(await search(`/Task?patient=Patient/${patient}`)), ...(await search(`/ServiceRequest?patient=Patient/${patient}`)),
      ...(await search(`/Observation?patient=Patient/${patient}&_count=100`)), ...decisions, ...conditions,
      ...(await search(`/Provenance?target=Composition/${sheetId}`)),
    ];
    const references = new Set<string>();
    const walk = (v: unknown): void => {
      if (Array.isArray(v)) v.forEach(walk);
      else if (v && typeof v === 'object') {
        for (const [k, x] of Object.entries(v)) {
          if (k === 'reference' && typeof x === 'string' && /^(Condition|Observation|CarePlan|Procedure|ResearchStudy|Composition|Task|ServiceRequest)\//.test(x)) references.add(x);
          else walk(x);
        }
      }
    };
    walk(holders);
    expect(references.size).to.be.greaterThan(20);
    for (const reference of references) {
      const res = await world.fhir('oncologist', 'GET', `/${reference}`);
      expect(res.status, `${reference}: ${res.text.slice(0, 200)}`).to.equal(200);
    }
  });
});
