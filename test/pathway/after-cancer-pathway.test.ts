import { expect } from 'chai';
import { buildTimeline } from '../../server/record/timeline.ts';
import { readResponse, type RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer, type CareCase } from '../care-plan/fixtures.ts';
import { asUser, testUsers } from '../helpers/users.ts';

const DCC = 'https://dcc-paca.example/fhir';
const LABEL = `${DCC}/StructureDefinition/dcc-post-cancer-label`;
const TODAY = '2026-12-05';

/**
 * The after-cancer pathway (décret 2020-1665): prescription within the year after the end of
 * active treatment, in a labelled structure; consultations honoured or not; the ARS report's
 * figures checked against the data built here.
 */
describe('After-cancer pathway: prescription, consultations, ARS report', () => {
  let server: RunningServer;
  const users = testUsers();
  let c: CareCase;
  let ppacId: string;
  let structure: string;
  let prescriptions: any[];

  const api = async (user: string, method: string, path: string, body?: unknown) => readResponse(await fetch(`${server.url}/api/pathway${path}`, {
    method, headers: { ...asUser(user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
  }));

  before(async () => {
    server = await startCarePlanServer(users, { today: TODAY });
    c = await createCareCase(server, users);
    const pps = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    await as(server, 'oncologist', 'POST', `/CarePlan/${pps.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    const ppac = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.body.id}/$start-ppac`, { endOfTreatment: '2026-09-15', surveillance: { intervalMonths: 6, years: 5, first: 'hospital' } });
    expect(ppac.status, JSON.stringify(ppac.body)).to.equal(201);
    ppacId = ppac.body.id;
    structure = (await as(server, 'system', 'POST', '/HealthcareService', {
      resourceType: 'HealthcareService', active: true, name: 'Espace de soins de support du Vieux-Port',
      extension: [{ url: LABEL, extension: [{ url: 'year', valueInteger: 2021 }, { url: 'territory', valueString: 'Bouches-du-Rhône' }] }],
    })).body.id;
  });
  after(() => server.close());

  const prescription = (overrides: Record<string, unknown> = {}) => ({
    date: '2026-12-01', needsEvaluation: 'Fatigue, prise de poids sous traitement, anxiété de la reprise du travail',
    physicalActivityAssessment: true, dieteticConsultations: 3, psychologicalConsultations: 2,
    structure: { reference: `HealthcareService/${structure}` }, ...overrides,
  });

  it('refuses outside the year after the end of active treatment (with the dates allowed), a missing or unlabelled structure, and non-prescribers', async () => {
    const early = await api('oncologist', 'POST', `/ppac/${ppacId}/prescriptions`, prescription({ date: '2026-09-01' }));
    expect(early.status).to.equal(422);
    expect(early.body.issue[0].details.text).to.contain("dans l'année qui suit la fin des traitements actifs");
    expect(early.body.issue[0].details.text).to.contain('entre le 15 septembre 2026 et le 15 septembre 2027');
    expect(early.body.issue[0].expression).to.deep.equal(['date']);
    const future = await api('oncologist', 'POST', `/ppac/${ppacId}/prescriptions`, prescription({ date: '2027-01-10' }));
    expect(future.status).to.equal(422);
    const unborn = await api('oncologist', 'POST', `/ppac/${ppacId}/prescriptions`, prescription({ date: '1950-01-10' }));
    expect(unborn.status).to.equal(422);
    expect(unborn.body.issue[0].details.text).to.contain('La date de prescription (10 janvier 1950) précède la naissance du patient (14 mars 1958)');
    const missing = await api('oncologist', 'POST', `/ppac/${ppacId}/prescriptions`, prescription({ structure: { reference: 'HealthcareService/00000000-0000-4000-8000-000000000001' } }));
    expect(missing.status).to.equal(422);
    expect(missing.body.issue[0].expression).to.deep.equal(['structure']);
    const tooMany = await api('oncologist', 'POST', `/ppac/${ppacId}/prescriptions`, prescription({ dieteticConsultations: 12 }));
    expect(tooMany.status).to.equal(400);
    expect(tooMany.body.issue[0].expression).to.deep.equal(['dieteticConsultations']);
    for (const user of ['nurse', 'pharmacist', 'coordinator']) expect((await api(user, 'POST', `/ppac/${ppacId}/prescriptions`, prescription())).status, user).to.equal(403);
    // Nothing written by the refusals.
    expect((await as(server, 'system', 'GET', `/ServiceRequest?based-on=CarePlan/${ppacId}`)).body.total).to.equal(0);
  });

  it('records the prescription (one request per kind, with its number) and the PPAC shows it', async () => {
    const res = await api('oncologist', 'POST', `/ppac/${ppacId}/prescriptions`, prescription());
    expect(res.status, res.text).to.equal(201);
    prescriptions = res.body.prescriptions;
    expect(prescriptions.map((p: any) => [p.code.coding[0].code, p.quantityQuantity.value])).to.deep.equal([['physical-activity-assessment', 1], ['dietetic', 3], ['psychological', 2]]);
    expect(prescriptions[1]).to.deep.include({ status: 'active', intent: 'order', authoredOn: '2026-12-01', occurrencePeriod: { start: '2026-12-01', end: '2027-09-15' } });
    expect(prescriptions[1].performer[0].reference).to.equal(`HealthcareService/${structure}`);
    expect(prescriptions[1].requester.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    const html = await as(server, 'oncologist', 'GET', `/CarePlan/${ppacId}/$render?format=html`);
    expect(html.text).to.contain('Prescrit le 1er décembre 2026 auprès de Espace de soins de support du Vieux-Port');
    expect(html.text).to.contain('3 consultations diététiques, 2 consultations psychologiques');
  });

  it('the structure’s consultations: done or not honoured, never beyond the number prescribed nor outside the period', async () => {
    const dietetic = prescriptions[1].id;
    const record = (start: string, honoured: boolean, user = 'coordinator') => api(user, 'POST', `/prescriptions/${dietetic}/consultations`, { start, honoured });
    expect((await record('2026-12-02T10:00:00+01:00', true, 'gp')).status).to.equal(403);
    // The 3C coordinator of the case is not in this patient's circle here: the oncologist records.
    for (const [start, honoured] of [['2026-12-02T10:00:00+01:00', true], ['2026-12-09T10:00:00+01:00', false], ['2026-12-16T10:00:00+01:00', true], ['2026-12-23T10:00:00+01:00', true]] as const) {
      const r = await record(start, honoured, 'oncologist');
      expect(r.status, r.text).to.equal(201);
      expect(r.body.status).to.equal(honoured ? 'fulfilled' : 'noshow');
    }
    const fourth = await record('2026-12-30T10:00:00+01:00', true, 'oncologist');
    expect(fourth.status).to.equal(409);
    expect(fourth.body.issue[0].details.text).to.contain('Les 3 consultation(s) prescrite(s)');
    const psychological = await api('oncologist', 'POST', `/prescriptions/${prescriptions[2].id}/consultations`, { start: '2027-10-01T09:00:00+02:00', honoured: true });
    expect(psychological.status).to.equal(422);
    expect(psychological.body.issue[0].details.text).to.contain('hors de la période prescrite');
    expect((await api('oncologist', 'POST', `/prescriptions/${prescriptions[2].id}/consultations`, { start: '2026-12-10', honoured: true })).status).to.equal(400);
    expect((await api('oncologist', 'POST', `/prescriptions/${prescriptions[2].id}/consultations`, { start: '2026-12-10T15:00:00+01:00', honoured: true })).status).to.equal(201);
  });

  it('the ARS report per semester: active file, age band, cancer site, treatment type, prescribed vs honoured — JSON and CSV', async () => {
    const res = await api('oncologist', 'GET', '/report?semester=2026-S2');
    expect(res.status, res.text).to.equal(200);
    const r = res.body;
    expect(r.semester).to.deep.equal({ label: '2026-S2', from: '2026-07-01', to: '2027-01-01' });
    expect(r.activeFile).to.equal(1);
    expect(r.byAgeBand).to.deep.include({ '65-74': 1, '40-64': 0, '75+': 0 }); // born 14 March 1958: 68 on 1 July 2026
    expect(r.byCancerSite).to.deep.equal({ C18: 1 });
    expect(r.byTreatmentType).to.deep.equal({ surgery: 1, radiotherapy: 0, systemic: 1, other: 0 });
    expect(r.consultations).to.deep.equal({
      'physical-activity-assessment': { prescribed: 1, honoured: 0, notHonoured: 0 },
      dietetic: { prescribed: 3, honoured: 3, notHonoured: 1 },
      psychological: { prescribed: 2, honoured: 1, notHonoured: 0 },
    });
    const next = (await api('oncologist', 'GET', '/report?semester=2027-S1')).body;
    expect(next.activeFile).to.equal(1); // the prescription runs until September 2027
    expect(next.consultations.dietetic).to.deep.equal({ prescribed: 0, honoured: 0, notHonoured: 0 });

    const csv = await api('oncologist', 'GET', '/report?semester=2026-S2&format=csv');
    expect(csv.headers.get('content-type')).to.match(/^text\/csv/);
    expect(csv.text).to.contain('2026-S2;File active;Patients;1');
    expect(csv.text).to.contain('2026-S2;Honorées;Consultations diététiques;3');
    expect(csv.text).to.contain('2026-S2;Non honorées;Consultations diététiques;1');
    expect((await api('oncologist', 'GET', '/report?semester=2026-07')).status).to.equal(400);
    expect((await api('nurse', 'GET', '/report?semester=2026-S2')).status).to.equal(403);
  });

  it('the announcement: the medical consultation and the nurse’s support time, with their date and who; shown in the record’s timeline', async () => {
    const medical = await api('oncologist', 'POST', `/patients/${c.patientId}/announcement`, { kind: 'medical', date: '2026-01-20', condition: `Condition/${c.conditionId}` });
    expect(medical.status, medical.text).to.equal(201);
    expect(medical.body.performer[0].actor.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    expect((await api('oncologist', 'POST', `/patients/${c.patientId}/announcement`, { kind: 'nurse', date: '2026-01-22' })).status).to.equal(400);
    const nurse = await api('oncologist', 'POST', `/patients/${c.patientId}/announcement`, { kind: 'nurse', date: '2026-01-22', by: `Practitioner/${c.practitioners.nurse}` });
    expect(nurse.status, nurse.text).to.equal(201);
    expect((await api('oncologist', 'POST', `/patients/${c.patientId}/announcement`, { kind: 'medical', date: '2027-01-20' })).status).to.equal(422);
    expect((await api('oncologist', 'POST', `/patients/${c.patientId}/announcement`, { kind: 'medical', date: '2026-01-20', by: 'Practitioner/00000000-0000-4000-8000-000000000009' })).status).to.equal(422);
    expect((await api('nurse', 'POST', `/patients/${c.patientId}/announcement`, { kind: 'nurse', date: '2026-01-22', by: `Practitioner/${c.practitioners.nurse}` })).status).to.equal(403);

    const list = await api('gp', 'GET', `/patients/${c.patientId}/announcement`);
    expect(list.status, list.text).to.equal(200);
    expect(list.body.announcement.map((a: any) => [a.kind, a.date])).to.deep.equal([['medical', '2026-01-20'], ['nurse', '2026-01-22']]);
    expect(list.body.announcement[1].by).to.contain('Amandine');
    const timeline = buildTimeline([medical.body, nurse.body]);
    expect(timeline.map((e) => e.kind)).to.deep.equal(['annonce', 'annonce']);
    expect(timeline[0]!.label).to.contain("Consultation d'annonce médicale");
  });
});
