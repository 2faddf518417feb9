import { expect } from 'chai';
import { readResponse, type RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer, type CareCase } from '../care-plan/fixtures.ts';
import { asUser, testUsers } from '../helpers/users.ts';

const DCC = 'https://dcc-paca.example/fhir';
const LABEL = `${DCC}/StructureDefinition/dcc-post-cancer-label`;
const PROGRAM = { system: `${DCC}/CodeSystem/dcc-health-program`, code: 'parcours-global-apres-cancer' };
const NEED = `${DCC}/CodeSystem/dcc-post-cancer-need`;
const TODAY = '2026-12-05';

/**
 * Décret 2020-1665: the GP may prescribe the after-cancer pathway. The access policy lets a GP of
 * the patient's circle write that ServiceRequest — and no other ServiceRequest, for no other patient.
 */
describe('After-cancer pathway: the GP prescribes (narrow ServiceRequest grant)', () => {
  let server: RunningServer;
  const users = testUsers();
  let c: CareCase;
  let other: CareCase;
  let ppacId: string;
  let otherPpacId: string;
  let structure: string;
  let gpRequest: any;

  const api = async (user: string, method: string, path: string, body?: unknown) => readResponse(await fetch(`${server.url}/api/pathway${path}`, {
    method, headers: { ...asUser(user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
  }));
  const startPpac = async (k: CareCase, oncologist: string) => {
    const pps = await as(server, oncologist, 'POST', `/CarePlan/${k.decisionId}/$build-pps`, ppsInput(k));
    await as(server, oncologist, 'POST', `/CarePlan/${pps.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    const ppac = await as(server, oncologist, 'POST', `/CarePlan/${pps.body.id}/$start-ppac`, { endOfTreatment: '2026-09-15', surveillance: { intervalMonths: 6, years: 5, first: 'hospital' } });
    expect(ppac.status, JSON.stringify(ppac.body)).to.equal(201);
    // Handed over with the patient's agreement to send it to the GP: before that, the PPAC is not the GP's to read.
    const given = await as(server, oncologist, 'POST', `/CarePlan/${ppac.body.id}/$hand-over`, { date: '2026-09-15', shareWithGp: true });
    expect(given.status, JSON.stringify(given.body)).to.equal(200);
    return ppac.body.id as string;
  };
  const prescription = () => ({
    date: '2026-12-01', needsEvaluation: 'Fatigue persistante, déconditionnement physique', physicalActivityAssessment: true, dieteticConsultations: 2,
    structure: { reference: `HealthcareService/${structure}` },
  });
  const serviceRequest = (patientId: string, overrides: Record<string, unknown> = {}) => ({
    resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${patientId}` },
    category: [{ coding: [PROGRAM] }], code: { coding: [{ system: NEED, code: 'psychological' }] }, quantityQuantity: { value: 2, unit: 'consultations' }, authoredOn: '2026-12-02',
    ...overrides,
  });

  before(async function () {
    this.timeout(180_000);
    server = await startCarePlanServer(users, { today: TODAY });
    other = await createCareCase(server, users);
    otherPpacId = await startPpac(other, 'oncologist');
    c = await createCareCase(server, users);
    ppacId = await startPpac(c, 'oncologist');
    structure = (await as(server, 'system', 'POST', '/HealthcareService', {
      resourceType: 'HealthcareService', active: true, name: 'Maison de l’après-cancer de la Côte d’Azur',
      extension: [{ url: LABEL, extension: [{ url: 'year', valueInteger: 2021 }, { url: 'territory', valueString: 'Alpes-Maritimes' }] }],
    })).body.id;
  });
  after(() => server.close());

  it('the GP of the patient prescribes the pathway: the requests are theirs, the PPAC shows it', async () => {
    const res = await api('gp', 'POST', `/ppac/${ppacId}/prescriptions`, prescription());
    expect(res.status, res.text).to.equal(201);
    expect(res.body.prescriptions.map((p: any) => p.code.coding[0].code)).to.deep.equal(['physical-activity-assessment', 'dietetic']);
    expect(res.body.prescriptions[0].requester.reference).to.equal(`Practitioner/${c.practitioners.gp}`);
    gpRequest = res.body.prescriptions[1];
    const ppac = await as(server, 'oncologist', 'GET', `/CarePlan/${ppacId}/$render?format=html`);
    expect(ppac.text).to.contain('2 consultations diététiques');
    // Directly through FHIR too, and the GP may revise their own prescription.
    const direct = await as(server, 'gp', 'POST', '/ServiceRequest', serviceRequest(c.patientId));
    expect(direct.status, direct.text).to.equal(201);
    const revised = await as(server, 'gp', 'PUT', `/ServiceRequest/${direct.body.id}`, { ...direct.body, quantityQuantity: { value: 3, unit: 'consultations' } });
    expect(revised.status, revised.text).to.equal(200);
  });

  it('refuses any other ServiceRequest: another kind, turning one into another, touching the hospital’s requests, deleting', async () => {
    const exam = await as(server, 'gp', 'POST', '/ServiceRequest', serviceRequest(c.patientId, {
      category: [{ coding: [{ system: 'http://snomed.info/sct', code: '363679005', display: 'Imagerie' }] }], code: { text: 'Scanner thoraco-abdomino-pelvien' },
    }));
    expect(exam.status).to.equal(403);
    expect(exam.body.issue[0].details.text).to.contain('parcours de soins global après cancer');
    const mixed = await as(server, 'gp', 'POST', '/ServiceRequest', serviceRequest(c.patientId, { code: { coding: [{ system: NEED, code: 'psychological' }, { system: 'http://snomed.info/sct', code: '77477000' }] } }));
    expect(mixed.status).to.equal(403);
    const turned = await as(server, 'gp', 'PUT', `/ServiceRequest/${gpRequest.id}`, { ...gpRequest, category: [{ text: 'Examen' }], code: { text: 'IRM hépatique' } });
    expect(turned.status).to.equal(403);
    // A request the hospital wrote (outside the pathway) stays out of the GP's reach.
    const hospital = await as(server, 'oncologist', 'POST', '/ServiceRequest', serviceRequest(c.patientId, { category: [{ text: 'Examen' }], code: { text: 'Coloscopie de contrôle' } }));
    expect(hospital.status, hospital.text).to.equal(201);
    const hijack = await as(server, 'gp', 'PUT', `/ServiceRequest/${hospital.body.id}`, serviceRequest(c.patientId, { id: hospital.body.id }));
    expect(hijack.status).to.equal(403);
    expect((await as(server, 'gp', 'DELETE', `/ServiceRequest/${gpRequest.id}`)).status).to.equal(403);
    // Nothing of it was written.
    expect((await as(server, 'system', 'GET', `/ServiceRequest/${hospital.body.id}`)).body.code.text).to.equal('Coloscopie de contrôle');
    expect((await as(server, 'system', 'GET', `/ServiceRequest/${gpRequest.id}`)).body.code.coding[0].code).to.equal('dietetic');
  });

  it('refuses the pathway for a patient who is not theirs; the GP still writes no other type it did not write before', async () => {
    const foreign = await as(server, 'gp', 'POST', '/ServiceRequest', serviceRequest(other.patientId));
    expect(foreign.status).to.equal(403);
    expect((await api('gp', 'POST', `/ppac/${otherPpacId}/prescriptions`, prescription())).status).to.be.oneOf([403, 404]);
    expect((await as(server, 'system', 'GET', `/ServiceRequest?subject=Patient/${other.patientId}&category=${PROGRAM.system}|${PROGRAM.code}`)).body.total).to.equal(0);
    expect((await as(server, 'gp', 'POST', '/MedicationRequest', {
      resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: { reference: `Patient/${c.patientId}` }, medicationCodeableConcept: { text: 'Capécitabine' },
    })).status).to.equal(403);
    // The nurse and pharmacist get no such grant.
    for (const user of ['nurse', 'pharmacist']) expect((await as(server, user, 'POST', '/ServiceRequest', serviceRequest(c.patientId))).status, user).to.equal(403);
  });
});
