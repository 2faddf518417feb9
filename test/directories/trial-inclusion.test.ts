import { expect } from 'chai';
import { buildTimeline } from '../../server/record/timeline.ts';
import { readResponse, type RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, startCarePlanServer, type CareCase } from '../care-plan/fixtures.ts';
import { asUser, testUsers } from '../helpers/users.ts';

const NCT = 'https://clinicaltrials.gov';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const PHASE = 'http://terminology.hl7.org/CodeSystem/research-study-phase';
const TA_ASIP = 'urn:oid:1.2.250.1.213.1.1.4.322';
const TODAY = '2026-12-05';

/**
 * The inclusion of a patient in a trial of the regional directory (ResearchSubject): after an RCP
 * proposal of that trial, by a physician of the circle, traced; the GP sees it with the contact.
 */
describe('Directories: inclusion of a patient in a trial of the directory', () => {
  let server: RunningServer;
  const users = testUsers();
  let c: CareCase;
  let other: CareCase;
  let studyId: string;
  let closedStudyId: string;
  let inclusionId: string;

  const api = async (user: string, method: string, path: string, body?: unknown) => readResponse(await fetch(`${server.url}/api/directories${path}`, {
    method, headers: { ...asUser(user), ...(body !== undefined ? { 'content-type': 'application/json' } : {}) }, body: body === undefined ? undefined : JSON.stringify(body),
  }));
  const trial = (registry: string, title: string) => ({
    resourceType: 'ResearchStudy', identifier: [{ system: NCT, value: registry }], title, status: 'active',
    phase: { coding: [{ system: PHASE, code: 'phase-3' }] },
    condition: [{ coding: [{ system: ICD10, code: 'C18', display: 'Tumeur maligne du côlon' }] }],
    contact: [{ name: 'Dr Mireille Achard, investigatrice principale', telecom: [{ system: 'phone', value: '04 65 71 74 31' }, { system: 'email', value: 'essais@dcc-demo.mssante.fr' }] }],
  });
  const propose = (patientId: string, study: string, by = 'oncologist') => as(server, by, 'POST', '/Observation', {
    resourceType: 'Observation', status: 'final', subject: { reference: `Patient/${patientId}` },
    code: { coding: [{ system: TA_ASIP, code: 'MED-250', display: "Proposition d'inclusion dans un essai clinique" }] },
    valueBoolean: true, focus: [{ reference: `ResearchStudy/${study}` }], effectiveDateTime: '2026-02-03T18:00:00+01:00',
  });

  before(async function () {
    this.timeout(180_000);
    server = await startCarePlanServer(users, { today: TODAY });
    other = await createCareCase(server, users);
    users.otherGp = users.gp!;
    users.otherOncologist = users.oncologist!;
    c = await createCareCase(server, users);
    const created = await api('system', 'POST', '/trials', trial(`NCT099${String(Date.now()).slice(-5)}`, 'COLO-ADJ : chimiothérapie adjuvante raccourcie du cancer du côlon'));
    expect(created.status, created.text).to.equal(201);
    studyId = created.body.id;
    const closed = await api('system', 'POST', '/trials', trial(`NCT098${String(Date.now()).slice(-5)}`, 'COLO-OLD : essai clos'));
    closedStudyId = closed.body.id;
    expect((await api('system', 'POST', `/trials/${closedStudyId}/$close`, { date: '2026-06-30' })).status).to.equal(200);
  });
  after(() => server.close());

  it('refuses an inclusion no RCP decision proposed, a closed trial, a study outside the directory, a future date, and non-physicians', async () => {
    const unproposed = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '2026-03-01' });
    expect(unproposed.status).to.equal(422);
    expect(unproposed.body.issue[0].details.text).to.contain('Aucune décision de RCP ne propose');
    // A copy made outside the directory is not an entry of it.
    const copy = await as(server, 'oncologist', 'POST', '/ResearchStudy', { resourceType: 'ResearchStudy', status: 'active', title: 'Copie locale' });
    const notDirectory = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${copy.body.id}`, date: '2026-03-01' });
    expect(notDirectory.status).to.equal(422);
    expect(notDirectory.body.issue[0].details.text).to.contain("n'est pas un essai de l'annuaire");
    expect((await propose(c.patientId, closedStudyId)).status).to.equal(201);
    const closed = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${closedStudyId}`, date: '2026-03-01' });
    expect(closed.status).to.equal(422);
    expect(closed.body.issue[0].details.text).to.contain("n'inclut plus");
    expect((await propose(c.patientId, studyId)).status).to.equal(201);
    const future = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '2027-01-10' });
    expect(future.status).to.equal(422);
    expect(future.body.issue[0].expression).to.deep.equal(['date']);
    // Before the patient's birth (14 March 1958): the same slip, the other way.
    const unborn = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '1950-03-01' });
    expect(unborn.status, unborn.text).to.equal(422);
    expect(unborn.body.issue[0].details.text).to.equal("La date d'inclusion (1er mars 1950) précède la naissance du patient (14 mars 1958) : vérifiez l'année saisie");
    expect(unborn.body.issue[0].expression).to.deep.equal(['date']);
    expect((await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: 'colo-adj', date: '2026-03-01' })).status).to.equal(400);
    for (const user of ['gp', 'nurse', 'pharmacist', 'coordinator']) {
      expect((await api(user, 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '2026-03-01' })).status, user).to.equal(403);
    }
    // A physician outside the patient's circle of care may not record it either.
    expect((await api('otherOncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '2026-03-01' })).status).to.be.oneOf([403, 404]);
    expect((await as(server, 'system', 'GET', `/ResearchSubject?patient=Patient/${c.patientId}`)).body.total).to.equal(0);
  });

  it('records the inclusion as a ResearchSubject referencing the directory trial, who recorded it, traced; once per trial', async () => {
    const res = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '2026-03-02', subjectNumber: 'COLO-ADJ-013-007' });
    expect(res.status, res.text).to.equal(201);
    inclusionId = res.body.id;
    expect(res.body).to.deep.include({ resourceType: 'ResearchSubject', status: 'on-study', period: { start: '2026-03-02' } });
    expect(res.body.study.reference).to.equal(`ResearchStudy/${studyId}`);
    expect(res.body.individual.reference).to.equal(`Patient/${c.patientId}`);
    expect(res.body.extension.find((e: any) => e.url.endsWith('dcc-recorded-by')).valueReference.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    // Never a copy: the directory still holds one study with that number.
    const registry = (await as(server, 'system', 'GET', `/ResearchStudy/${studyId}`)).body.identifier[0];
    expect((await as(server, 'system', 'GET', `/ResearchStudy?identifier=${registry.system}|${registry.value}`)).body.total).to.equal(1);
    const trail = await as(server, 'system', 'GET', `/AuditEvent?entity=ResearchSubject/${inclusionId}&agent=Practitioner/${c.practitioners.oncologist}&_count=20`);
    expect(trail.status, trail.text).to.equal(200);
    expect(trail.body.entry.map((e: any) => e.resource.action)).to.include('C');
    const again = await api('oncologist', 'POST', `/patients/${c.patientId}/trial-inclusions`, { study: `ResearchStudy/${studyId}`, date: '2026-03-05' });
    expect(again.status).to.equal(409);
    const timeline = buildTimeline([res.body]);
    expect(timeline[0]).to.deep.include({ kind: 'essai', date: '2026-03-02' });
  });

  it('the GP sees the trial their patient is in, with its contact; another GP and the nurse do not', async () => {
    const res = await api('gp', 'GET', `/patients/${c.patientId}/trial-inclusions`);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.inclusions).to.have.length(1);
    const [inclusion] = res.body.inclusions;
    expect(inclusion).to.deep.include({ reference: `ResearchSubject/${inclusionId}`, status: 'on-study', statusLabel: 'Inclus(e)', start: '2026-03-02', subjectNumber: 'COLO-ADJ-013-007' });
    expect(inclusion.trial.title).to.contain('COLO-ADJ');
    expect(inclusion.trial.contact).to.deep.equal({ name: 'Dr Mireille Achard, investigatrice principale', phone: '04 65 71 74 31', email: 'essais@dcc-demo.mssante.fr' });
    expect(inclusion.recordedBy).to.equal('oncologist');
    expect((await api('otherGp', 'GET', `/patients/${c.patientId}/trial-inclusions`)).status).to.be.oneOf([403, 404]);
    expect((await as(server, 'otherGp', 'GET', `/ResearchSubject/${inclusionId}`)).status).to.be.oneOf([403, 404]);
    expect((await as(server, 'otherGp', 'GET', `/ResearchSubject?patient=Patient/${c.patientId}`)).body.total ?? 0).to.equal(0);
    expect((await api('nurse', 'GET', `/patients/${c.patientId}/trial-inclusions`)).status).to.equal(403);
    // The GP's read is traced too.
    const trail = await as(server, 'system', 'GET', `/AuditEvent?patient=Patient/${c.patientId}&agent=Practitioner/${c.practitioners.gp}&_count=50`);
    expect(trail.body.entry.some((e: any) => (e.resource.entity ?? []).some((x: any) => x.what?.reference === `ResearchSubject/${inclusionId}`))).to.equal(true);
  });

  it('the GP’s summary (page and PDF model) lists the trial with its status and contact; the nurse’s does not', async () => {
    const gp = await as(server, 'gp', 'GET', `/Patient/${c.patientId}/$summary?audience=gp`);
    expect(gp.status, gp.text).to.equal(200);
    const composition = gp.body.entry[0].resource;
    const section = composition.section.find((s: any) => s.code.coding.some((x: any) => x.code === 'clinical-trials'));
    expect(section, 'section Participation à un essai clinique').to.be.an('object');
    expect(section.title).to.equal('Participation à un essai clinique');
    expect(section.text.div).to.contain('COLO-ADJ').and.to.contain('Inclus(e), depuis le 2 mars 2026').and.to.contain('04 65 71 74 31');
    expect(section.entry.map((e: any) => e.reference.split('/').slice(-2).join('/'))).to.include(`ResearchSubject/${inclusionId}`);
    const html = await as(server, 'gp', 'GET', `/Patient/${c.patientId}/$summary?audience=gp&_format=html`);
    expect(html.text).to.contain('Participation à un essai clinique').and.to.contain('Dr Mireille Achard');
    const nurse = await as(server, 'nurse', 'GET', `/Patient/${c.patientId}/$summary?audience=nurse`);
    expect(nurse.status, nurse.text).to.equal(200);
    expect(JSON.stringify(nurse.body)).not.to.contain('COLO-ADJ');
  });

  it('follows the participation to its end; a GP may not change it', async () => {
    expect((await api('gp', 'POST', `/trial-inclusions/${inclusionId}/$status`, { status: 'off-study', date: '2026-11-30' })).status).to.equal(403);
    expect((await api('oncologist', 'POST', `/trial-inclusions/${inclusionId}/$status`, { status: 'off-study', date: '2026-02-01' })).status).to.equal(422);
    const ended = await api('oncologist', 'POST', `/trial-inclusions/${inclusionId}/$status`, { status: 'off-study', date: '2026-11-30' });
    expect(ended.status, ended.text).to.equal(200);
    expect(ended.body).to.deep.include({ status: 'off-study', period: { start: '2026-03-02', end: '2026-11-30' } });
    expect((await api('oncologist', 'POST', `/trial-inclusions/${inclusionId}/$status`, { status: 'on-study', date: '2026-12-01' })).status).to.equal(409);
    expect((await api('gp', 'GET', `/patients/${c.patientId}/trial-inclusions`)).body.inclusions[0].statusLabel).to.equal('Sorti(e) de l’essai');
    expect(other.patientId).to.be.a('string');
  });
});
