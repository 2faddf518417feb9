/**
 * Demo RCP sheets on top of the demo data set (demo-data.ts), prepared by the physician before their
 * session: the clinical part (diagnosis, stage, exams, reports, summary and question) of the past
 * first RCPs of Hélène Castellani (sigmoid colon), François Ménard (rectum, the spring RCP) and
 * Chloé Bérenger (lung, the work-up before the treatment decision), and the draft of Gaëlle Le
 * Bihan's coming post-operative RCP, still incomplete (what the 3C's completeness check flags).
 *
 * Each is then the sheet of a case of the demo's boards (demo-rcp.ts): registered on a session,
 * discussed, its proposal decided and signed there for the three past ones — a sheet with no case
 * belonged to no board, and the record and the 3C's pages told two stories. Written through the
 * same path as a physician would (createRcpSheet) acting as the demo oncologist, on the clock of
 * the preparation. The dates are those of the reference demo day, moved to the seeding day
 * (demo-clock.ts). Idempotent: a patient who already has an RCP sheet gets nothing new.
 */
import type { Condition, Organization, Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { systemContext } from '../context.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import { FINESS_SYSTEM, IDNPS_SYSTEM, INS_NIR_TEST_SYSTEM } from '../identity/index.ts';
import { DEMO_IDENTIFIER_BASE, ippSystem } from './demo-data.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { createRcpSheet, type Professional, type RcpSheetInput } from '../rcp-sheet/index.ts';
import { ageOn, demoClock } from './demo-clock.ts';

// Identifiers of the demo data set (RPPS with their Luhn key, test INS, IPP, FINESS).
const DEMO = {
  chuFiness: '130999014',
  clinicFiness: '060999026',
  pros: {
    surgeon: { rpps: '10009990010', name: 'Dr Marc Aubert', speciality: { code: 'SM14', display: 'Chirurgie viscérale et digestive (SM)' } },
    oncologist: { rpps: '10009990028', name: 'Dr Sophie Lambert', speciality: { code: 'SM36', display: 'Oncologie, option médicale (SM)' } },
    radiotherapist: { rpps: '10009990036', name: 'Dr Julien Rossi', speciality: { code: 'SM37', display: 'Oncologie, option radiothérapie (SM)' } },
    gastroenterologist: { rpps: '10009990044', name: 'Dr Claire Fabre', speciality: { code: 'SM24', display: 'Gastro-entérologie et Hépatologie (SM)' } },
    pathologist: { rpps: '10009990051', name: 'Dr Étienne Morel', speciality: { code: 'SM01', display: 'Anatomie et Cytologie pathologiques (SM)' } },
    coordinator: { rpps: '10009990069', name: 'Dr Nathalie Girard', speciality: { code: 'SM49', display: 'Santé publique et Médecine sociale (SM)' } },
    gp: { rpps: '10009990077', name: 'Dr Laurent Chabert', speciality: { code: 'SM54', display: 'Médecine générale (SM)' } },
  },
  colon: { ins: '258032A00412336', condition: 'COND-0001' },
  rectum: { ins: '151111320508760', condition: 'COND-0002' },
  breast: { ipp: '500004711', condition: 'COND-0003' },
  lung: { ipp: '500004790', condition: 'COND-0005' },
} as const;

type ProKey = keyof typeof DEMO.pros;

const frenchDay = (day: string): string => day.split('-').reverse().join('/');

async function findOne<T extends Resource>(repo: FhirRepository, type: string, query: Record<string, string>): Promise<T | undefined> {
  const { request } = parseSearchRequest(type, new URLSearchParams({ ...query, _count: '1' }), { defaultCount: 1, maxCount: 1 }, true);
  request.total = 'none';
  return (await repo.search<T>(request)).resources[0];
}

/** Seeds the demo sheets; returns how many sheets were created. */
export async function seedDemoRcpSheets(store: Store, options: { now?: Date } = {}): Promise<number> {
  const system = store.system();
  const { shift } = demoClock(options.now);
  const seededAt = (options.now ?? new Date()).toISOString();
  /**
   * When a sheet was prepared: three weeks before the meeting of the reference story (never after the
   * seeding), before its registration on a session of the board (demo-rcp.ts: nine days before it).
   */
  const prepared = (meeting: string) => new Date(Math.min(Date.parse(meeting) - 20 * 86_400_000, Date.parse(seededAt))).toISOString();
  const ids: Partial<Record<ProKey, string>> = {};
  for (const key of Object.keys(DEMO.pros) as ProKey[]) {
    const p = await findOne<Practitioner>(system, 'Practitioner', { identifier: `${IDNPS_SYSTEM}|8${DEMO.pros[key].rpps}` });
    if (!p) return 0; // demo data set not seeded
    ids[key] = p.id;
  }
  const chu = await findOne<Organization>(system, 'Organization', { identifier: `${FINESS_SYSTEM}|${DEMO.chuFiness}` });
  const pro = (key: ProKey, organization = 'CHU Méditerranée'): Professional => ({
    practitioner: `Practitioner/${ids[key]}`, idnps: `8${DEMO.pros[key].rpps}`, name: DEMO.pros[key].name, speciality: DEMO.pros[key].speciality, organization,
  });
  const oncologist: RequestContext = {
    ...systemContext(),
    requestId: 'seed-rcp-sheets',
    principal: { displayName: DEMO.pros.oncologist.name, practitionerId: ids.oncologist, idnps: `8${DEMO.pros.oncologist.rpps}`, roles: ['physician'], authMethod: 'system' },
  };
  const repo = store.forRequest(oncologist);
  const host = { finess: DEMO.chuFiness, name: 'CHU Méditerranée — Hôpital Sainte-Marthe', ...(chu?.id ? { organization: `Organization/${chu.id}` } : {}) };
  const common = {
    author: pro('oncologist'),
    coordinator: pro('coordinator', '3C du CHU Méditerranée'),
    generalPractitioner: pro('gp', 'Maison de santé pluriprofessionnelle du Vieux-Port'),
  };

  let created = 0;
  const sheetFor = async (patientQuery: Record<string, string>, conditionKey: string, build: (patient: string, condition: string) => RcpSheetInput, at: string) => {
    const patient = await findOne<Patient>(system, 'Patient', patientQuery);
    const condition = await findOne<Condition>(system, 'Condition', { identifier: `${DEMO_IDENTIFIER_BASE}/condition|${conditionKey}` });
    if (!patient || !condition) return;
    if (await findOne(system, 'Composition', { subject: `Patient/${patient.id}`, type: 'http://loinc.org|34794-8' })) return;
    await createRcpSheet(repo, oncologist, build(`Patient/${patient.id}`, `Condition/${condition.id}`), undefined, { now: at });
    created++;
  };

  // Sigmoid colon adenocarcinoma, stage IIIB: the first-line RCP (it proposes the surgery first: demo-rcp.ts, DIG-H01).
  const colonMeeting = shift('2025-10-02T14:00:00+02:00');
  await sheetFor({ identifier: `${INS_NIR_TEST_SYSTEM}|${DEMO.colon.ins}` }, DEMO.colon.condition, (patient, condition) => ({
    patient, ...common,
    requester: pro('gastroenterologist', 'Clinique des Oliviers'),
    presenter: pro('gastroenterologist', 'Clinique des Oliviers'),
    meeting: {
      rcpName: 'RCP digestive — 3C du CHU Méditerranée', date: colonMeeting, mode: 'hybrid',
      rrcId: '9301', threeCId: '930114', rcpId: '93011401', hostEstablishment: host,
    },
    reason: {
      nature: 'organ', organSystem: { code: '86762007', display: 'Appareil digestif' }, organ: { code: 'MED-251', system: 'urn:oid:1.2.250.1.213.1.1.4.322', display: 'Colon-Rectum-Anus' },
      recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed',
    },
    discovery: { byScreening: true, comment: `Test immunologique positif (dépistage organisé), coloscopie le ${frenchDay(shift('2025-09-05'))}` },
    diagnosis: { condition, date: shift('2025-09-12'), tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8', date: shift('2025-09-19') } },
    history: [{ date: '2012', text: 'Cholécystectomie' }],
    comorbidities: [{ date: '2015', text: 'Hypertension artérielle traitée' }],
    performanceStatus: { who: 1, date: shift('2025-09-26') },
    examResults: [
      { date: shift('2025-09-05'), exam: 'Coloscopie', result: 'Tumeur sténosante du sigmoïde à 25 cm de la marge anale, biopsiée' },
      { date: shift('2025-09-19'), exam: 'Scanner thoraco-abdomino-pelvien', result: 'Épaississement sigmoïdien, adénopathies régionales, pas de lésion secondaire' },
    ],
    phase: { phase: 'initial', date: shift('2025-09-26'), progression: { local: false, regional: true, distant: false } },
    otherReports: [{ kind: 'pathology', date: shift('2025-09-12'), author: 'Dr Étienne Morel', conclusion: 'Adénocarcinome lieberkühnien moyennement différencié' }],
    summary: `Patiente de ${ageOn('1958-03-14', colonMeeting.slice(0, 10))} ans, OMS 1, adénocarcinome du côlon sigmoïde cT3 cN1 cM0 découvert par le dépistage organisé.`,
    question: 'Chirurgie première puis chimiothérapie adjuvante selon l’histologie définitive ?',
    documentStatus: 'in-progress',
  }), prepared(colonMeeting));

  // Rectal adenocarcinoma cT3 cN1 cM0: first-line RCP of the spring (it proposes radiochemotherapy,
  // then proctectomy: demo-rcp.ts, DIG-H02); the treatments took place on the dates it planned.
  const rectumMeeting = shift('2025-06-10T14:00:00+02:00');
  await sheetFor({ identifier: `${INS_NIR_TEST_SYSTEM}|${DEMO.rectum.ins}` }, DEMO.rectum.condition, (patient, condition) => ({
    patient, ...common,
    requester: pro('gastroenterologist', 'Clinique des Oliviers'),
    presenter: pro('gastroenterologist', 'Clinique des Oliviers'),
    meeting: {
      rcpName: 'RCP digestive — 3C du CHU Méditerranée', date: rectumMeeting, mode: 'hybrid',
      rrcId: '9301', threeCId: '930114', rcpId: '93011401', hostEstablishment: host,
    },
    reason: {
      nature: 'organ', organSystem: { code: '86762007', display: 'Appareil digestif' }, organ: { code: 'MED-251', system: 'urn:oid:1.2.250.1.213.1.1.4.322', display: 'Colon-Rectum-Anus' },
      recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed',
    },
    discovery: { byScreening: false, comment: `Rectorragies, rectoscopie avec biopsies le ${frenchDay(shift('2025-05-19'))}` },
    diagnosis: { condition, date: shift('2025-05-19'), tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8', date: shift('2025-05-26') } },
    comorbidities: [{ date: '2010', text: 'Diabète de type 2 sous metformine' }],
    performanceStatus: { who: 0, date: shift('2025-06-02') },
    examResults: [
      { date: shift('2025-05-19'), exam: 'Rectoscopie', result: 'Tumeur ulcéro-bourgeonnante du moyen rectum, pôle inférieur à 8 cm de la marge anale, biopsiée' },
      { date: shift('2025-05-26'), exam: 'IRM pelvienne', result: 'Tumeur du moyen rectum mrT3c, deux adénopathies mésorectales suspectes, marge circonférentielle à 2 mm' },
      { date: shift('2025-05-26'), exam: 'Scanner thoraco-abdomino-pelvien', result: 'Pas de lésion secondaire' },
    ],
    phase: { phase: 'initial', date: shift('2025-06-02'), progression: { local: true, regional: true, distant: false } },
    otherReports: [{ kind: 'pathology', date: shift('2025-05-23'), author: 'Dr Étienne Morel', conclusion: 'Adénocarcinome lieberkühnien bien différencié, pMMR' }],
    summary: `Patient de ${ageOn('1951-11-02', rectumMeeting.slice(0, 10))} ans, OMS 0, adénocarcinome du moyen rectum cT3 cN1 cM0, marge circonférentielle menacée à l’IRM.`,
    question: 'Radiochimiothérapie néoadjuvante puis proctectomie ?',
    documentStatus: 'in-progress',
  }), prepared(rectumMeeting));

  // Lung adenocarcinoma cT2a cN2 cM0 (IIIA): the first RCP, on the work-up (invasive mediastinal
  // staging, brain MRI) before the treatment decision; the trial is proposed if the disease proves
  // resectable (demo-rcp.ts, THX-H01). The workflow's THX-001 decides the treatment on the results.
  const lungMeeting = shift('2025-10-09T13:30:00+02:00');
  await sheetFor({ identifier: `${ippSystem(DEMO.clinicFiness)}|${DEMO.lung.ipp}` }, DEMO.lung.condition, (patient, condition) => ({
    patient, ...common,
    requester: pro('oncologist'), presenter: pro('oncologist'),
    meeting: {
      rcpName: 'RCP thoracique — 3C du CHU Méditerranée', date: lungMeeting, mode: 'videoconference',
      rrcId: '9301', threeCId: '930114', rcpId: '93011402', hostEstablishment: host,
    },
    reason: {
      nature: 'organ', organSystem: { code: '20139000', display: 'Appareil respiratoire' }, organ: { code: '39607008', display: 'Poumon' },
      recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed',
    },
    discovery: { byScreening: false, comment: 'Toux persistante, radiographie thoracique' },
    diagnosis: { condition, date: shift('2025-09-18'), tnm: { t: 'cT2a', n: 'cN2', m: 'cM0', stage: 'IIIA', edition: '8', date: shift('2025-09-25') } },
    comorbidities: [{ text: 'Tabagisme sevré (20 paquets-années)' }],
    performanceStatus: { who: 1, date: shift('2025-09-29') },
    examResults: [{ date: shift('2025-09-25'), exam: 'TEP-scanner', result: 'Fixation du lobe supérieur droit et des ganglions médiastinaux 4R et 7, pas de fixation à distance' }],
    phase: { phase: 'initial', date: shift('2025-09-29'), progression: { local: false, regional: true, distant: false } },
    otherReports: [{ kind: 'molecular', date: shift('2025-09-29'), author: 'Plateforme de génétique moléculaire', conclusion: 'EGFR et ALK non mutés ; PD-L1 60 %' }],
    summary: `Patiente de ${ageOn('1985-01-08', lungMeeting.slice(0, 10))} ans, OMS 1, adénocarcinome pulmonaire lobaire supérieur droit cT2a cN2 cM0, PD-L1 60 %.`,
    question: 'Bilan d’extension et résécabilité : atteinte ganglionnaire médiastinale à confirmer avant de choisir entre traitement périopératoire et radiochimiothérapie ?',
    documentStatus: 'in-progress',
  }), prepared(lungMeeting));

  // Breast carcinoma: the post-operative RCP after the workflow's first-line decision (demo-rcp.ts,
  // SEIN-001), registered ahead of a coming session, file still incomplete (completeness shows what is missing).
  const breastMeeting = shift('2026-01-08T12:30:00+01:00');
  await sheetFor({ identifier: `${ippSystem(DEMO.clinicFiness)}|${DEMO.breast.ipp}` }, DEMO.breast.condition, (patient, condition) => ({
    patient, ...common,
    requester: pro('oncologist'),
    meeting: { rcpName: 'RCP sénologie — 3C du CHU Méditerranée', date: breastMeeting, mode: 'in-person', rrcId: '9301', threeCId: '930114', rcpId: '93011403', hostEstablishment: host },
    reason: { nature: 'organ', organ: { code: '76752008', display: 'Sein' }, recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
    discovery: { byScreening: true, comment: 'Mammographie de dépistage organisé, ACR 5' },
    diagnosis: { condition, date: shift('2025-10-20') },
    summary: `Patiente de ${ageOn('1972-06-21', breastMeeting.slice(0, 10))} ans, carcinome canalaire infiltrant du sein gauche, quadrant supéro-externe, cT2N0M0 RH+ HER2−. Tumorectomie avec ganglion sentinelle programmée ; histologie définitive à joindre.`,
    question: 'Indication d’une chimiothérapie adjuvante au vu de l’histologie définitive (signature génomique) avant la radiothérapie et l’hormonothérapie ?',
    documentStatus: 'in-progress',
  }), seededAt);
  return created;
}
