/**
 * Demo RCP activity on top of the demo data set (server/seed/demo-data.ts): four boards of the
 * 3C du CHU Méditerranée (digestive, breast, thorax, onco-geriatrics), their past and coming
 * sessions, cases in every state, signed reports (one corrected), reports sent or waiting in the
 * outbox; the first RCPs of the stories too, on the sheets prepared for them (demo-rcp-sheets.ts). Everything goes through the RCP workflow itself (server/rcp), acting as the demo
 * professionals, with the workflow's clock set to the moment each step happened: what the demo
 * shows is what the application produces.
 *
 * Idempotent: boards are found by code, registrations by their demo identifier, and each step is
 * done only if the case is not already past it. Dates are relative to the day of the first seeding.
 */
import type { BundleEntry, Composition, Organization, Patient, Practitioner, Resource, ResearchStudy } from '@medplum/fhirtypes';
import { type Principal, type RequestContext, systemContext } from '../context.ts';
import { addDays } from '../fhir-kit/dates.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';
import { IDNPS_SYSTEM, RPPS_SYSTEM } from '../identity/index.ts';
import { acceptCase, agendaOf, cancelSession, closeSession, correctCase, createBoard, discussCase, generateSessions, listSessions, loadCase, loadSession, moveCase, RCP_BOARD_ID_SYSTEM, type RcpContext, recordCase, registerCase, rejectCase, saveDecision, searchOne, type Session, setAttendance, signCase, startSession, withdrawCase } from '../rcp/index.ts';
import { loadRcpSheet } from '../rcp-sheet/index.ts';
import { OutboxStore } from '../store/outbox-store.ts';
import type { Store } from '../store/store.ts';
import { buildDemoBundle, DEMO_IDENTIFIER_BASE, R38_SPECIALTY_SYSTEM } from './demo-data.ts';
import { ageOn, demoClock } from './demo-clock.ts';

const DEMO_CASE_SYSTEM = `${DEMO_IDENTIFIER_BASE}/rcp-demo-case`;
const DAY = 86_400_000;
/**
 * How far back each board's sessions start: enough for the past sessions its demo cases use — the
 * digestive board's back to Ménard's first RCP in the spring, the thorax's to Bérenger's first RCP.
 */
const PAST_DAYS: Record<string, number> = { digestive: 200, breast: 12, thorax: 80, geriatrics: 3 };
/** The boards were set up before the oldest session the demo uses (and their schedules start then). */
const BOARDS_SET_UP_DAYS = 230;

/** Professionals a few boards need beyond the demo directory (RPPS with valid Luhn keys). */
const EXTRA_PROFESSIONALS = [
  { key: 'thoracicSurgeon', rpps: '10009990119', family: 'Vidal', given: 'Paul', gender: 'male' as const, speciality: { code: 'SM11', display: 'Chirurgie thoracique et cardio-vasculaire (SM)' } },
  { key: 'breastSurgeon', rpps: '10009990127', family: 'Garnier', given: 'Inès', gender: 'female' as const, speciality: { code: 'SM20', display: 'Gynécologie-obstétrique (SM)' } },
  { key: 'geriatrician', rpps: '10009990135', family: 'Blanc', given: 'Henri', gender: 'male' as const, speciality: { code: 'SM18', display: 'Gériatrie (SM)' } },
];

/**
 * TNM (dated as the stage Observation of demo-data.ts) and general condition of the demo patients, for
 * their RCP sheets: dates of the reference demo day, moved to the seeding day like demo-data.ts's.
 */
const clinicalOf = (shift: (day: string) => string): Record<string, Record<string, unknown>> => ({
  Castellani: { discovery: { byScreening: true, comment: 'Test immunologique positif (dépistage organisé)' }, phase: { phase: 'initial', progression: { local: true, regional: true, distant: false } }, performanceStatus: { who: 1, date: shift('2025-09-26') }, diagnosis: { tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8', date: shift('2025-09-19') } } },
  Ménard: { discovery: { byScreening: false, comment: 'Rectorragies' }, phase: { phase: 'initial', progression: { local: true, regional: true, distant: false } }, performanceStatus: { who: 0, date: shift('2025-06-02') }, diagnosis: { tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8', date: shift('2025-05-26') } } },
  'Le Bihan': { discovery: { byScreening: true, comment: 'Mammographie de dépistage' }, phase: { phase: 'initial', progression: { local: true, regional: false, distant: false } }, performanceStatus: { who: 0, date: shift('2025-11-03') }, diagnosis: { tnm: { t: 'cT2', n: 'cN0', m: 'cM0', stage: 'IIA', edition: '8', date: shift('2025-10-27') } } },
  Ricci: { discovery: { byScreening: false, comment: 'Ictère' }, phase: { phase: 'initial', progression: { local: true, regional: true, distant: false } }, performanceStatus: { who: 1, date: shift('2025-10-14') }, geriatricScreening: { tool: 'G8', score: 13, interpretation: 'Fragilité possible (G8 ≤ 14)' }, diagnosis: { tnm: { t: 'cT2', n: 'cN1', m: 'cM0', stage: 'IIB', edition: '8', date: shift('2025-10-09') } } },
  Bérenger: { discovery: { byScreening: false, comment: 'Toux persistante' }, phase: { phase: 'initial', progression: { local: true, regional: true, distant: false } }, performanceStatus: { who: 1, date: shift('2025-09-29') }, diagnosis: { tnm: { t: 'cT2a', n: 'cN2', m: 'cM0', stage: 'IIIA', edition: '8', date: shift('2025-09-25') } } },
  Benali: { discovery: { byScreening: false, comment: 'Dysphagie, amaigrissement' }, phase: { phase: 'initial', progression: { local: true, regional: true, distant: true } }, performanceStatus: { who: 2, date: shift('2025-09-30') }, diagnosis: { tnm: { t: 'cT3', n: 'cN2', m: 'cM1', stage: 'IVB', edition: '8', date: shift('2025-09-26') } } },
});

interface Directory {
  practitioners: Map<string, { id: string; name: string }>;
  patients: Map<string, { id: string; condition: string }>;
  centre: string;
  chu: string;
}

export interface DemoRcpResult {
  boards: number;
  cases: number;
  skipped: boolean;
}

/** Seeds the demo RCP activity (needs the demo data set: call after seedDemoData). */
export async function seedDemoRcp(store: Store, options: { now?: Date } = {}): Promise<DemoRcpResult> {
  const now = options.now ?? new Date();
  const { shift, today } = demoClock(now);
  const CLINICAL = clinicalOf(shift);
  const system = store.system();
  const dir = await resolveDirectory(store);
  const actor = (who: string, roles: string[], at: Date, channel?: 'rcp-board'): RcpContext => {
    const p = dir.practitioners.get(who)!;
    const principal: Principal = { displayName: p.name, practitionerId: p.id, roles, authMethod: 'system' };
    const ctx: RequestContext = { requestId: 'seed-demo-rcp', principal, baseUrl: 'urn:dcc:seed', ...(channel ? { channel } : {}) };
    return { repo: store.forRequest(ctx), ctx, now: at };
  };
  // The 3C sets up its boards as through /api/rcp/boards (the only channel that may write a board's charter and members).
  const coordinator = (at: Date) => actor('Girard', ['coordinator'], at, 'rcp-board');
  const physician = (who: string, at: Date) => actor(who, ['physician'], at);
  // Already seeded (the last demo case exists): nothing to do, whatever the date.
  if (await searchOne(system, 'ServiceRequest', { identifier: `${DEMO_CASE_SYSTEM}|OG-002` })) return { boards: 0, cases: 0, skipped: true };

  // Boards (found by code).
  const boardSpecs = boardsOf(dir, now);
  const boardIds: Record<string, string> = {};
  let createdBoards = 0;
  for (const [key, spec] of Object.entries(boardSpecs)) {
    const existing = await searchOne<Resource>(system, 'HealthcareService', { identifier: `${RCP_BOARD_ID_SYSTEM}|${spec.code}` });
    if (existing) {
      boardIds[key] = existing.id!;
      continue;
    }
    // As the RCP API does it (board charter and members are written only through it).
    const { board } = await createBoard(actor('Girard', ['coordinator'], new Date(now.getTime() - BOARDS_SET_UP_DAYS * DAY), 'rcp-board'), spec);
    boardIds[key] = board.id;
    createdBoards++;
    // Sessions from just before the oldest one the demo uses to three months ahead.
    const pastDays = PAST_DAYS[key] ?? 30;
    await generateSessions(coordinator(new Date(now.getTime() - pastDays * DAY)), board.id, { horizonDays: pastDays + 90 });
  }

  const casesBefore = await countDemoCases(store);
  const sessionsOf = async (boardKey: string) => {
    const all = await listSessions(coordinator(now), boardIds[boardKey]!);
    // Sessions used for finished cases ended at least 5 days ago: their signatures and sendings are in the past too.
    const past = all.filter((s) => new Date(s.start) < new Date(now.getTime() - 5 * DAY)).reverse();
    const before = all.filter((s) => new Date(s.start) < now);
    const coming = all.filter((s) => new Date(s.start) > new Date(now.getTime() + 3 * DAY));
    return { past, before, coming };
  };
  const digestive = await sessionsOf('digestive');
  const breast = await sessionsOf('breast');
  const thorax = await sessionsOf('thorax');
  const geriatrics = await sessionsOf('geriatrics');

  const register = async (key: string, requester: string, patient: string, session: Session, extra: Record<string, unknown>) => {
    const p = dir.patients.get(patient)!;
    // Nine days before the session, and never in the future: the steps that follow a registration
    // (acceptance +24 h, withdrawal +30 h, cancellation +48 h) must have happened by now, or the
    // coordinator's next step today would be dated before them (Task inv-1 refused the acceptance).
    const at = new Date(Math.min(new Date(session.start).getTime() - 9 * DAY, now.getTime() - 3 * DAY));
    const result = await registerCase(physician(requester, at), {
      identifier: { system: DEMO_CASE_SYSTEM, value: key },
      session: `Appointment/${session.id}`,
      patient: `Patient/${p.id}`,
      condition: `Condition/${p.condition}`,
      motif: 'treatment-proposal',
      patientInformed: true,
      patientNonOpposition: true,
      gpInformed: true,
      clinical: CLINICAL[patient],
      ...extra,
    });
    return result.case.id;
  };
  const state = async (id: string) => (await loadCase(physician('Lambert', now), id)).rcpCase;
  /** A moment after the registration (the workflow's clock never goes back before it). */
  const afterRegistration = async (id: string, hours: number) => new Date(new Date((await state(id)).registeredAt).getTime() + hours * 3_600_000);
  const accept = async (id: string) => {
    if ((await state(id)).state === 'pending') await acceptCase(physician('Lambert', await afterRegistration(id, 24)), id);
  };
  const open = async (session: Session, attendance: { who: string; mode: string; cases?: string[] }[]) => {
    const at = new Date(session.start);
    const current = (await loadSession(physician('Lambert', at), session.id)).session;
    if (current.state === 'planned') await startSession(physician('Lambert', at), session.id);
    if (!current.attendance.length) {
      await setAttendance(physician('Lambert', at), session.id, attendance.map((a) => ({ practitioner: `Practitioner/${dir.practitioners.get(a.who)!.id}`, mode: a.mode, ...(a.cases ? { cases: a.cases } : {}) })));
    }
  };
  const close = async (session: Session) => {
    const current = (await loadSession(physician('Lambert', now), session.id)).session;
    if (current.state === 'in-progress') await closeSession(physician('Lambert', new Date(session.end)), session.id);
  };
  const afterStart = (session: Session, minutes: number) => new Date(new Date(session.start).getTime() + minutes * 60_000);
  const discussAndDecide = async (id: string, session: Session, minutes: number, decision: Record<string, unknown>) => {
    const c = await state(id);
    if (c.state === 'accepted' || c.state === 'quorum-not-reached') await discussCase(physician('Lambert', afterStart(session, minutes)), id);
    if (!(await state(id)).decision) await saveDecision(physician('Lambert', afterStart(session, minutes + 5)), id, decision);
  };
  const sign = async (id: string, signer: string, at: Date, sentAfterHours?: number) => {
    if ((await state(id)).state === 'signed') return;
    const result = await signCase(physician(signer, at), id, {});
    if (sentAfterHours !== undefined) {
      const [message] = await new OutboxStore(store.db).findByDedupKeys([result.outbox.dedupKey]);
      if (message?.status === 'pending') await new OutboxStore(store.db).markSent(message.id, new Date(at.getTime() + sentAfterHours * 3_600_000));
    }
  };

  // --- The first RCPs of the stories: past cases on the sheets prepared for them ------------------
  // Castellani's and Bérenger's first RCP and Ménard's spring RCP: the physician prepared the sheet
  // (demo-rcp-sheets.ts), registered it on the board's first session after its last clinical item
  // and before the first treatment it proposes; the RCP discussed it, decided and signed. Done before
  // the later cases of the same patients (a case awaiting its report holds the next registration).
  /** The board's first session on or after `day` (Paris), and before `before` when one is there. */
  const sessionFrom = (sessions: Session[], day: string, before?: string) => {
    const after = sessions.filter((x) => parisDay(new Date(x.start)) >= day);
    return after.find((x) => !before || parisDay(new Date(x.start)) < before) ?? after[0];
  };
  const pastCaseOnSheet = async (key: string, requester: string, patient: string, session: Session | undefined, spec: {
    attendance: { who: string; mode: string }[]; decision: (session: Session) => Record<string, unknown>; signer: string;
  }) => {
    if (!session) return undefined;
    const p = dir.patients.get(patient)!;
    const registered = await searchOne<Resource>(system, 'ServiceRequest', { identifier: `${DEMO_CASE_SYSTEM}|${key}` });
    let id: string | undefined;
    if (registered) {
      id = (await searchOne<Resource>(system, 'Task', { focus: `ServiceRequest/${registered.id}` }))?.id;
    } else {
      const draft = await searchOne<Composition>(system, 'Composition', { subject: `Patient/${p.id}`, type: 'http://loinc.org|34794-8', status: 'preliminary' });
      if (!draft) return undefined; // the prepared sheet is not there (demo-rcp-sheets.ts not seeded)
      const content = (await loadRcpSheet(system, systemContext(), draft.id!)).content.data;
      id = (await registerCase(physician(requester, new Date(new Date(session.start).getTime() - 9 * DAY)), {
        identifier: { system: DEMO_CASE_SYSTEM, value: key },
        session: `Appointment/${session.id}`,
        patient: `Patient/${p.id}`,
        condition: `Condition/${p.condition}`,
        motif: 'treatment-proposal',
        patientInformed: true,
        patientNonOpposition: true,
        gpInformed: true,
        sheet: `Composition/${draft.id}`,
        question: content.question,
        summary: content.summary,
      })).case.id;
    }
    if (!id) return undefined;
    await accept(id);
    await open(session, spec.attendance);
    await discussAndDecide(id, session, 15, spec.decision(session));
    await close(session);
    await sign(id, spec.signer, new Date(new Date(session.start).getTime() + 26 * 3_600_000), 1);
    return id;
  };
  const digestiveAll = [...digestive.before].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const thoraxAll = [...thorax.before].sort((a, b) => Date.parse(a.start) - Date.parse(b.start));
  const digestiveQuorum = [{ who: 'Lambert', mode: 'present' }, { who: 'Aubert', mode: 'present' }, { who: 'Rossi', mode: 'remote' }, { who: 'Fabre', mode: 'present' }, { who: 'Morel', mode: 'present' }];
  // Ménard, spring: radiochemotherapy then proctectomy; the treatments took place on the dates given.
  await pastCaseOnSheet('DIG-H02', 'Fabre', 'Ménard', sessionFrom(digestiveAll, shift('2025-06-02'), shift('2025-06-23')), {
    attendance: digestiveQuorum,
    signer: 'Lambert',
    decision: () => ({
      treatments: [
        { intention: 1, sequence: 1, type: 'external-radiotherapy', detail: 'Radiochimiothérapie néoadjuvante 50,4 Gy en 28 fractions avec capécitabine', start: shift('2025-06-23'), end: shift('2025-07-30') },
        { intention: 1, sequence: 2, type: 'surgery', detail: 'Proctectomie avec exérèse totale du mésorectum et iléostomie de protection, 8 à 10 semaines après la radiochimiothérapie', start: shift('2025-09-29') },
        { intention: 1, sequence: 3, type: 'surgery', detail: 'Fermeture de l’iléostomie de protection après contrôle de l’anastomose', start: shift('2025-11-24') },
      ],
      exams: [{ description: 'IRM pelvienne de réévaluation', earliest: shift('2025-09-08'), latest: shift('2025-09-15') }],
      comment: 'Rediscussion avec l’histologie définitive',
      guideline: { name: 'Thésaurus National de Cancérologie Digestive — Cancer du rectum', version: '2023', date: '2023-06-01' },
      followsGuideline: true,
      clinicalTrial: { proposed: false, comment: 'Pas d’essai ouvert correspondant dans le répertoire régional' },
    }),
  });
  // Castellani, first line: surgery first, the adjuvant treatment discussed again with the histology (DIG-001).
  await pastCaseOnSheet('DIG-H01', 'Aubert', 'Castellani', sessionFrom(digestiveAll, shift('2025-09-26'), shift('2025-10-20')), {
    attendance: digestiveQuorum,
    signer: 'Lambert',
    decision: () => ({
      treatments: [
        { intention: 1, sequence: 1, type: 'surgery', detail: 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', start: shift('2025-10-20') },
        { intention: 1, sequence: 2, type: 'chemotherapy', detail: 'Chimiothérapie adjuvante FOLFOX 6 mois si pN+' },
      ],
      comment: 'Rediscussion avec l’histologie définitive',
      guideline: { name: 'Thésaurus National de Cancérologie Digestive — Cancer du côlon', version: '2023', date: '2023-06-01' },
      followsGuideline: true,
      clinicalTrial: { proposed: false, comment: 'Pas d’essai ouvert correspondant dans le répertoire régional' },
    }),
  });
  // Bérenger, first RCP: the work-up (EBUS, brain MRI) before the treatment decision (THX-001).
  await pastCaseOnSheet('THX-H01', 'Lambert', 'Bérenger', sessionFrom(thoraxAll, shift('2025-09-29')), {
    attendance: [{ who: 'Lambert', mode: 'present' }, { who: 'Vidal', mode: 'remote' }, { who: 'Rossi', mode: 'remote' }, { who: 'Morel', mode: 'remote' }],
    signer: 'Lambert',
    decision: (session) => ({
      exams: [
        { description: 'Écho-endoscopie bronchique (EBUS) avec ponction des ganglions 4R et 7', earliest: isoDate(session.start, 4), latest: isoDate(session.start, 15) },
        { description: 'IRM cérébrale', earliest: isoDate(session.start, 1), latest: isoDate(session.start, 15) },
        { description: 'Explorations fonctionnelles respiratoires avec DLCO', earliest: isoDate(session.start, 1), latest: isoDate(session.start, 15) },
      ],
      comment: 'Rediscussion avec les résultats du bilan : chimio-immunothérapie néoadjuvante puis lobectomie si l’atteinte N2 est limitée et résécable, radiochimiothérapie concomitante sinon',
      guideline: { name: 'Référentiel régional — Cancers bronchiques non à petites cellules', version: '2025', date: '2025-01-15' },
      followsGuideline: true,
      clinicalTrial: {
        proposed: true,
        comment: 'Inclusion proposée si la maladie est jugée résécable au terme du bilan',
        study: { title: 'Essai de démonstration — immunothérapie périopératoire des CBNPC de stade III', identifier: { system: 'https://dcc-paca.example/fhir/sid/essai', value: 'DEMO-PACA-2025-014' }, phase: 'Phase 3', sponsor: 'Promoteur académique (démonstration)' },
      },
    }),
  });

  // --- Digestive board ------------------------------------------------------------------------
  const [d1, d2] = [digestive.past[1]!, digestive.past[0]!]; // older, most recent past session
  const [dNext, dAfter] = [digestive.coming[0]!, digestive.coming[1]!];
  // After Castellani's first-line RCP (DIG-H01, sigmoidectomy first), the next step: the adjuvant
  // treatment once the pathology is known.
  const surgery = shift('2025-10-20');
  // After the surgery the sheets give the pathological stage (as the record's, demo-data.ts), the
  // phase is still the initial one (the FRCP knows initial MED-268 or relapse MED-244, no adjuvant
  // phase: the comment says it) and the surgery is a treatment already received.
  const colonAfterSurgery = {
    ...CLINICAL.Castellani,
    diagnosis: { tnm: { t: 'pT3', n: 'pN2a', m: 'cM0', stage: 'IIIB', edition: '8', date: addDays(surgery, 9) } },
    phase: { phase: 'initial', date: addDays(surgery, 9), comment: 'Situation adjuvante : tumeur réséquée (R0), sans maladie résiduelle connue', progression: { local: false, regional: true, distant: false } },
    treatmentsSoFar: [{ type: 'surgery', description: 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', status: 'completed', start: surgery }],
    otherReports: [
      { kind: 'operative', date: surgery, author: 'Dr Marc Aubert', conclusion: 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire, anastomose colorectale, suites simples' },
      { kind: 'pathology', date: addDays(surgery, 9), author: 'Dr Étienne Morel', conclusion: 'Adénocarcinome lieberkühnien pT3N2a (4/21), marges saines (R0), pMMR' },
    ],
  };
  const colon = await register('DIG-001', 'Aubert', 'Castellani', d2, {
    question: 'Chimiothérapie adjuvante au vu de l\'histologie définitive (pT3N2a) : protocole et durée ?',
    summary: `Sigmoïdectomie par cœlioscopie le ${frenchDay(surgery)}, suites simples. Adénocarcinome lieberkühnien pT3N2a (4/21 ganglions envahis), R0, pMMR. OMS 1.`,
    clinical: colonAfterSurgery,
  });
  // After Ménard's first-line RCP of the spring (DIG-H02: radiochemotherapy, proctectomy), the
  // post-operative step.
  const proctectomy = shift('2025-09-29');
  const rectumAfterSurgery = {
    ...CLINICAL['Ménard'],
    diagnosis: { tnm: { t: 'ypT2', n: 'ypN0', m: 'cM0', stage: 'I', edition: '8', date: addDays(proctectomy, 10) } },
    phase: { phase: 'initial', date: addDays(proctectomy, 10), comment: 'Après radiochimiothérapie néoadjuvante et proctectomie (R0)', progression: { local: false, regional: false, distant: false } },
    treatmentsSoFar: [
      { type: 'external-radiotherapy', description: 'Radiochimiothérapie néoadjuvante 50,4 Gy en 28 fractions avec capécitabine', status: 'completed', start: shift('2025-06-23'), end: shift('2025-07-30') },
      { type: 'surgery', description: 'Proctectomie avec exérèse totale du mésorectum et iléostomie de protection', status: 'completed', start: proctectomy },
    ],
    otherReports: [{ kind: 'pathology', date: addDays(proctectomy, 10), author: 'Dr Étienne Morel', conclusion: 'Adénocarcinome lieberkühnien ypT2N0 (0/16), marges saines (R0), régression tumorale partielle (TRG 2)' }],
  };
  const rectum = await register('DIG-002', 'Fabre', 'Ménard', d1, {
    question: 'Histologie définitive après radiochimiothérapie et proctectomie (ypT2N0, R0) : traitement adjuvant ou surveillance ?',
    summary: `Adénocarcinome du moyen rectum cT3N1M0 : radiochimiothérapie 50,4 Gy avec capécitabine du ${frenchDay(shift('2025-06-23'))} au ${frenchDay(shift('2025-07-30'))}, proctectomie avec exérèse totale du mésorectum et iléostomie de protection le ${frenchDay(proctectomy)}, suites simples. Histologie : ypT2N0 (0/16), marges saines (R0). OMS 0.`,
    clinical: rectumAfterSurgery,
  });
  const stomach = await register('DIG-003', 'Aubert', 'Benali', d1, {
    question: 'Chimiothérapie palliative de première ligne selon le référentiel ?',
    summary: 'Adénocarcinome du cardia cT3N2M1 (carcinose péritonéale), OMS 2.',
  });
  const pancreas = await register('DIG-004', 'Fabre', 'Ricci', d2, {
    question: 'Tumeur de la tête du pancréas résécable d\'emblée ?',
    summary: `Adénocarcinome de la tête du pancréas cT2N1M0, ${ageOn('1946-09-30', today)} ans, évaluation G8 à 13.`,
  });
  for (const id of [colon, rectum, stomach, pancreas]) await accept(id);

  // Session 1: the surgeon is there only for the colon case — the rectum case lacks its quorum.
  await open(d1, [
    { who: 'Lambert', mode: 'present' }, { who: 'Rossi', mode: 'remote' }, { who: 'Fabre', mode: 'present' }, { who: 'Morel', mode: 'present' },
    { who: 'Aubert', mode: 'present', cases: [stomach] },
  ]);
  if ((await state(rectum)).state === 'accepted') await discussCase(physician('Lambert', afterStart(d1, 25)), rectum).catch(() => undefined); // quorum not reached: marked, carried over
  if ((await state(stomach)).state === 'accepted') {
    await recordCase(physician('Lambert', afterStart(d1, 35)), stomach, { guideline: { name: 'Thésaurus national de cancérologie digestive — Cancer de l\'estomac', version: '2024', date: '2024-01-10' } });
  }
  if (!(await state(stomach)).decision) {
    await saveDecision(physician('Lambert', afterStart(d1, 40)), stomach, {
      treatments: [{ intention: 1, sequence: 1, type: 'chemotherapy', detail: 'FOLFOX + nivolumab (CPS ≥ 5)' }],
      followsGuideline: true,
      clinicalTrial: { proposed: false },
    });
  }
  await close(d1);
  await sign(stomach, 'Lambert', new Date(new Date(d1.start).getTime() + 2 * DAY)); // still waiting in the outbox

  // Session 2: the rectum case (carried over) is discussed, then its report corrected.
  await open(d2, [
    { who: 'Lambert', mode: 'present' }, { who: 'Aubert', mode: 'present' }, { who: 'Rossi', mode: 'present' }, { who: 'Fabre', mode: 'remote' },
  ]);
  // ypN0 after neoadjuvant radiochemotherapy: no adjuvant chemotherapy (TNCD, rectum, 2023); surveillance.
  await discussAndDecide(rectum, d2, 10, {
    treatments: [],
    surveillance: { description: 'Pas de chimiothérapie adjuvante (ypN0). Surveillance alternée avec le médecin traitant : examen clinique et dosage de l’ACE tous les 6 mois pendant 5 ans, scanner thoraco-abdomino-pelvien tous les ans' },
    comment: 'Fermeture de l’iléostomie de protection selon le calendrier chirurgical ; programme de l’après-cancer à remettre à la fin des traitements',
    guideline: { name: 'Thésaurus national de cancérologie digestive — Cancer du rectum', version: '2023' },
    followsGuideline: true,
    clinicalTrial: { proposed: false },
  });
  // pT3N2a (N2): high-risk stage III, 6 months of adjuvant oxaliplatin-based chemotherapy (TNCD, côlon, 2023).
  await discussAndDecide(colon, d2, 20, {
    treatments: [
      { intention: 1, sequence: 1, type: 'chemotherapy', detail: 'Chimiothérapie adjuvante CAPOX (capécitabine-oxaliplatine), 8 cycles de 21 jours (6 mois), à débuter dans les 8 semaines suivant la chirurgie' },
      { intention: 2, sequence: 1, type: 'chemotherapy', detail: 'FOLFOX 6 mois en cas de contre-indication à la capécitabine' },
    ],
    exams: [{ description: 'Uracilémie (recherche d’un déficit en DPD) avant la capécitabine', earliest: isoDate(d2.start, 1), latest: isoDate(d2.start, 10) }],
    guideline: { name: 'Thésaurus national de cancérologie digestive — Cancer du côlon', version: '2023', date: '2023-03-15' },
    followsGuideline: true,
    clinicalTrial: { proposed: false, comment: "Pas d'essai adjuvant ouvert au CHU pour ce stade" },
  });
  await discussAndDecide(pancreas, d2, 30, {
    treatments: [{ intention: 1, sequence: 1, type: 'surgery', detail: 'Duodénopancréatectomie céphalique après évaluation oncogériatrique' }],
    guideline: { name: 'Thésaurus national de cancérologie digestive — Cancer du pancréas', version: '2024' },
    followsGuideline: true,
    clinicalTrial: { proposed: false },
  }); // decided, waiting for its signature
  await close(d2);
  await sign(colon, 'Aubert', new Date(new Date(d2.start).getTime() + 22 * 3_600_000), 1.5);
  if ((await state(rectum)).state !== 'signed') await sign(rectum, 'Lambert', new Date(new Date(d2.start).getTime() + 26 * 3_600_000), 3);
  const signedRectum = await state(rectum);
  if (signedRectum.report === signedRectum.firstReport) {
    await correctCase(physician('Lambert', new Date(new Date(d2.start).getTime() + 3 * DAY)), rectum, {
      reason: 'Coloscopie de surveillance omise (à 3 ans de la chirurgie)',
      decision: {
        treatments: [],
        surveillance: { description: 'Pas de chimiothérapie adjuvante (ypN0). Surveillance alternée avec le médecin traitant : examen clinique et dosage de l’ACE tous les 6 mois pendant 5 ans, scanner thoraco-abdomino-pelvien tous les ans, coloscopie à 3 ans puis tous les 5 ans si normale' },
        comment: 'Fermeture de l’iléostomie de protection selon le calendrier chirurgical ; programme de l’après-cancer à remettre à la fin des traitements',
        guideline: { name: 'Thésaurus national de cancérologie digestive — Cancer du rectum', version: '2023' },
        followsGuideline: true,
        clinicalTrial: { proposed: false },
      },
    });
  }

  // Coming sessions: accepted, pending, withdrawn, moved.
  const colonFollowUp = await register('DIG-005', 'Lambert', 'Castellani', dNext, {
    question: 'Nodule pulmonaire infracentimétrique apparu après la chirurgie : surveillance scanographique ou exploration ?',
    summary: 'Adénocarcinome du sigmoïde pT3N2a R0 opéré, chimiothérapie adjuvante CAPOX décidée. Scanner thoracique de référence avant la chimiothérapie : nodule de 6 mm du lobe inférieur droit, absent du bilan initial.',
    clinical: {
      ...colonAfterSurgery,
      treatmentsSoFar: [
        ...colonAfterSurgery.treatmentsSoFar,
        { type: 'chemotherapy', description: `Chimiothérapie adjuvante CAPOX (capécitabine-oxaliplatine), 8 cycles, décidée en RCP le ${frenchDay(parisDay(new Date(d2.start)))}`, status: 'in-progress' },
      ],
    },
  });
  await accept(colonFollowUp);
  await register('DIG-006', 'Fabre', 'Benali', dNext, {
    question: 'Poursuite de FOLFOX-nivolumab au vu du premier scanner d\'évaluation ?',
    summary: 'Chimio-immunothérapie de première ligne en cours : maladie stable au scanner d\'évaluation, OMS 2, neuropathie de grade 1.',
  }); // pending: waiting for the 3C
  const withdrawn = await register('DIG-007', 'Fabre', 'Ménard', dNext, {
    question: 'Lésion hépatique de 8 mm au scanner de fin de traitement : caractérisation par IRM hépatique ?',
    summary: 'Adénocarcinome du moyen rectum ypT2N0 R0, traitements terminés (iléostomie fermée). Scanner thoraco-abdomino-pelvien de fin de traitement : lésion hypodense de 8 mm du segment VI, trop petite pour être caractérisée.',
    clinical: rectumAfterSurgery,
  });
  if ((await state(withdrawn)).state !== 'withdrawn') await withdrawCase(physician('Fabre', await afterRegistration(withdrawn, 30)), withdrawn, 'IRM hépatique réalisée entre-temps : kyste biliaire simple, pas de question pour la RCP');
  const moved = await register('DIG-008', 'Fabre', 'Ricci', dNext, {
    question: 'Résultat de l\'évaluation oncogériatrique : maintien de la chirurgie ?',
    summary: 'Évaluation gériatrique approfondie réalisée, voir RCP d\'oncogériatrie.',
  });
  if ((await state(moved)).sessionId === dNext.id) await moveCase(physician('Lambert', await afterRegistration(moved, 26)), moved, { session: `Appointment/${dAfter.id}`, reason: "En attente de l'avis de la RCP d'oncogériatrie" });

  // --- Breast board: a signed report with a clinical-trial proposal ------------------------------
  const b1 = breast.past[0]!;
  const study = await trialStudy(store);
  const breastCase = await register('SEIN-001', 'Rossi', 'Le Bihan', b1, {
    question: 'Chirurgie conservatrice d\'emblée et indication de radiothérapie ?',
    summary: 'Carcinome canalaire infiltrant du QSE gauche cT2N0M0, RH+ HER2-, Ki67 25 %.',
  });
  await accept(breastCase);
  await open(b1, [{ who: 'Lambert', mode: 'present' }, { who: 'Rossi', mode: 'present' }, { who: 'Garnier', mode: 'present' }, { who: 'Morel', mode: 'remote' }]);
  await discussAndDecide(breastCase, b1, 15, {
    treatments: [
      { intention: 1, sequence: 1, type: 'surgery', detail: 'Tumorectomie avec ganglion sentinelle' },
      { intention: 1, sequence: 2, type: 'external-radiotherapy', detail: 'Radiothérapie du sein' },
      { intention: 1, sequence: 3, type: 'hormone-therapy', detail: 'Hormonothérapie adjuvante 5 ans' },
    ],
    guideline: { name: 'Référentiel régional OncoPaca-Corse — Cancer du sein', version: '2024' },
    followsGuideline: true,
    clinicalTrial: { proposed: true, study: `ResearchStudy/${study}`, comment: 'Inclusion proposée si éligible après chirurgie' },
  });
  await close(b1);
  await sign(breastCase, 'Rossi', new Date(new Date(b1.start).getTime() + 5 * 3_600_000), 0.5);
  // Le Bihan's post-operative RCP: the draft sheet prepared beforehand (demo-rcp-sheets.ts) is the
  // registration's, on the breast board's session nearest to its story's date — a sheet with no case
  // named a board that did not exist.
  const breastDraft = await searchOne<Resource>(system, 'Composition', { subject: `Patient/${dir.patients.get('Le Bihan')!.id}`, type: 'http://loinc.org|34794-8', status: 'preliminary' });
  const postOperative = [...breast.coming].sort((a, b) => Math.abs(Date.parse(a.start) - Date.parse(shift('2026-01-08'))) - Math.abs(Date.parse(b.start) - Date.parse(shift('2026-01-08'))))[0];
  if (breastDraft && postOperative && !(await searchOne(system, 'ServiceRequest', { identifier: `${DEMO_CASE_SYSTEM}|SEIN-002` }))) {
    await registerCase(physician('Lambert', new Date(now.getTime() - 3 * DAY)), {
      identifier: { system: DEMO_CASE_SYSTEM, value: 'SEIN-002' },
      session: `Appointment/${postOperative.id}`,
      patient: `Patient/${dir.patients.get('Le Bihan')!.id}`,
      condition: `Condition/${dir.patients.get('Le Bihan')!.condition}`,
      motif: 'treatment-proposal',
      patientInformed: true,
      patientNonOpposition: true,
      gpInformed: true,
      sheet: `Composition/${breastDraft.id}`,
      question: 'Indication d’une chimiothérapie adjuvante au vu de l’histologie définitive (signature génomique) avant la radiothérapie et l’hormonothérapie ?',
      summary: 'Carcinome canalaire infiltrant du sein gauche cT2N0M0 RH+ HER2−, tumorectomie avec ganglion sentinelle : histologie définitive à joindre.',
    });
  }

  // --- Thorax board: a signed report; a coming session cancelled, its case carried over -----------
  const t1 = thorax.past[0]!;
  const [tNext] = thorax.coming;
  // After Bérenger's first RCP on the work-up (THX-H01), the treatment decided on its results.
  const lung = await register('THX-001', 'Rossi', 'Bérenger', t1, {
    question: 'Résultats du bilan (EBUS, IRM cérébrale) : radiochimiothérapie concomitante puis immunothérapie de consolidation ?',
    summary: 'Adénocarcinome du lobe supérieur droit cT2aN2M0 (stade IIIA), PD-L1 60 %. EBUS : atteinte N2 multi-sites (4R et 7) ; IRM cérébrale normale. Non résécable d\'emblée.',
  });
  await accept(lung);
  await open(t1, [{ who: 'Lambert', mode: 'present' }, { who: 'Rossi', mode: 'remote' }, { who: 'Vidal', mode: 'remote' }, { who: 'Morel', mode: 'remote' }]);
  await discussAndDecide(lung, t1, 20, {
    treatments: [
      { intention: 1, sequence: 1, type: 'external-radiotherapy', detail: 'Radiochimiothérapie concomitante (cisplatine-pémétrexed), 66 Gy' },
      { intention: 1, sequence: 2, type: 'immunotherapy', detail: 'Durvalumab de consolidation 12 mois' },
    ],
    guideline: { name: 'Référentiel AURA — Cancer bronchique non à petites cellules', version: '2025' },
    followsGuideline: true,
    clinicalTrial: { proposed: false },
  });
  await close(t1);
  await sign(lung, 'Lambert', new Date(new Date(t1.start).getTime() + 30 * 3_600_000), 2);
  if (tNext) {
    // Weeks after THX-001: the radiochemotherapy is under way, its reassessment is months away.
    const lungFollowUp = await register('THX-002', 'Rossi', 'Bérenger', tNext, {
      question: 'Radiochimiothérapie en cours : relais du cisplatine par le carboplatine au vu de la fonction rénale ?',
      summary: 'Radiochimiothérapie concomitante commencée après la RCP du ' + frenchDay(parisDay(new Date(t1.start))) + ' ; clairance de la créatinine à 52 mL/min après le premier cycle de cisplatine-pémétrexed.',
    });
    await accept(lungFollowUp);
    const current = (await loadSession(physician('Lambert', now), tNext.id)).session;
    if (current.state === 'planned') await cancelSession(physician('Lambert', await afterRegistration(lungFollowUp, 48)), tNext.id, 'Salle de visioconférence indisponible (travaux) : dossiers reportés à la séance suivante');
  }

  // --- Onco-geriatrics (transversal): accepted and rejected registrations ----------------------------
  const gNext = geriatrics.coming[0]!;
  const geriatric = await register('OG-001', 'Fabre', 'Ricci', gNext, {
    question: `Patient de ${ageOn('1946-09-30', today)} ans, G8 à 13 : chirurgie pancréatique envisageable ?`,
    summary: 'Évaluation gériatrique approfondie demandée avant duodénopancréatectomie.',
  });
  await accept(geriatric);
  const rejected = await register('OG-002', 'Fabre', 'Ménard', gNext, {
    question: 'Évaluation oncogériatrique à la fin des traitements du cancer du rectum : suivi gériatrique à prévoir ?',
    summary: `Patient de ${ageOn('1951-11-02', today)} ans, OMS 0, sans fragilité au G8, traitements terminés.`,
    clinical: rectumAfterSurgery,
  });
  if ((await state(rejected)).state === 'pending') await rejectCase(physician('Lambert', await afterRegistration(rejected, 20)), rejected, 'Patient sans critère de fragilité (G8 > 14) : le suivi relève du programme de l’après-cancer, avec le médecin traitant');

  // Past sessions nobody registered a case on were cancelled by the 3C.
  for (const key of Object.keys(boardIds)) {
    for (const session of (await sessionsOf(key)).before) {
      if (session.state !== 'planned' || (await agendaOf(coordinator(now), session.id))?.entries.length) continue;
      await cancelSession(coordinator(new Date(new Date(session.start).getTime() - DAY)), session.id, 'Aucun dossier inscrit');
    }
  }

  const casesAfter = await countDemoCases(store);
  return { boards: createdBoards, cases: casesAfter - casesBefore, skipped: createdBoards === 0 && casesAfter === casesBefore };
}

const frenchDay = (day: string): string => day.split('-').reverse().join('/');

/** The Paris calendar day `plusDays` after a session's start: exam windows are clinical days. */
function isoDate(start: string, plusDays: number): string {
  return addDays(parisDay(new Date(start)), plusDays);
}

async function countDemoCases(store: Store): Promise<number> {
  const { parseSearchRequest } = await import('../fhir-kit/search-request.ts');
  const { request } = parseSearchRequest('ServiceRequest', new URLSearchParams({ identifier: `${DEMO_CASE_SYSTEM}|`, _summary: 'count' }), { defaultCount: 1, maxCount: 1 }, true);
  return (await store.system().search(request)).total ?? 0;
}

async function trialStudy(store: Store): Promise<string> {
  const system = store.system();
  const identifier = { system: `${DEMO_IDENTIFIER_BASE}/essai-clinique`, value: 'ONCOPACA-SEIN-2025-01' };
  const existing = await searchOne<ResearchStudy>(system, 'ResearchStudy', { identifier: `${identifier.system}|${identifier.value}` });
  if (existing) return existing.id!;
  const study = await system.create<ResearchStudy>({
    resourceType: 'ResearchStudy',
    identifier: [identifier],
    status: 'active',
    title: 'Désescalade de la radiothérapie après chirurgie conservatrice (essai fictif de démonstration)',
    phase: { text: 'Phase III' },
    description: "Essai ouvert dans l'annuaire régional des essais cliniques (données fictives).",
  });
  return study.id!;
}

/** Ids of the demo directory and patients (the demo bundle's business identifiers, looked up in the store). */
async function resolveDirectory(store: Store): Promise<Directory> {
  const system = store.system();
  const entries = buildDemoBundle().entry ?? [];
  const idOf = async (entry: BundleEntry): Promise<string> => {
    const query = entry.request?.ifNoneExist ?? '';
    const [, value] = query.split('=');
    const found = await searchOne<Resource>(system, entry.resource!.resourceType, { identifier: decodeURIComponent(value ?? '') });
    if (!found) throw new Error(`Données de démonstration absentes (${entry.resource!.resourceType} ${query}) : lancez seedDemoData avant seedDemoRcp`);
    return found.id!;
  };
  const practitioners = new Map<string, { id: string; name: string }>();
  const patients = new Map<string, { id: string; condition: string }>();
  const conditionsByPatientUrn = new Map<string, BundleEntry>();
  for (const e of entries) {
    if (e.resource?.resourceType === 'Condition') conditionsByPatientUrn.set((e.resource as { subject?: { reference?: string } }).subject?.reference ?? '', e);
  }
  let centre = '';
  let chu = '';
  for (const e of entries) {
    const r = e.resource!;
    if (r.resourceType === 'Practitioner') {
      const p = r as Practitioner;
      const n = p.name?.[0];
      practitioners.set(n?.family ?? '', { id: await idOf(e), name: [n?.prefix?.[0], ...(n?.given ?? []), n?.family].filter(Boolean).join(' ') });
    } else if (r.resourceType === 'Patient') {
      const family = (r as Patient).name?.find((n) => n.use === 'official')?.family ?? '';
      patients.set(family, { id: await idOf(e), condition: await idOf(conditionsByPatientUrn.get(e.fullUrl!)!) });
    } else if (r.resourceType === 'Organization') {
      const org = r as Organization;
      if (org.type?.some((t) => t.coding?.some((c) => c.code === '3C'))) centre = await idOf(e);
      else if (org.type?.some((t) => t.coding?.some((c) => c.code === 'CHU'))) chu = await idOf(e);
    }
  }
  for (const extra of EXTRA_PROFESSIONALS) {
    const idnps = `8${extra.rpps}`;
    let p = await searchOne<Practitioner>(system, 'Practitioner', { identifier: `${IDNPS_SYSTEM}|${idnps}` });
    p ??= await system.create<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ use: 'official', system: IDNPS_SYSTEM, value: idnps }, { use: 'official', system: RPPS_SYSTEM, value: extra.rpps }],
      active: true,
      name: [{ use: 'official', family: extra.family, given: [extra.given], prefix: ['Dr'] }],
      gender: extra.gender,
      qualification: [{ code: { coding: [{ system: R38_SPECIALTY_SYSTEM, code: extra.speciality.code, display: extra.speciality.display }] } }],
    });
    practitioners.set(extra.family, { id: p.id!, name: `Dr ${extra.given} ${extra.family}` });
  }
  return { practitioners, patients, centre, chu };
}

function boardsOf(dir: Directory, now: Date): Record<string, Record<string, unknown>> {
  const pr = (family: string) => `Practitioner/${dir.practitioners.get(family)!.id}`;
  // A board's schedule starts on a Paris calendar day (its time zone), not the UTC one.
  const from = parisDay(new Date(now.getTime() - (BOARDS_SET_UP_DAYS - 10) * DAY));
  const common = {
    coordinationCentre: `Organization/${dir.centre}`,
    hostEstablishment: `Organization/${dir.chu}`,
    rrcId: 'ONCOPACA-CORSE',
    registrationCutoffHours: 48,
    horizonDays: 90,
  };
  return {
    digestive: {
      ...common,
      code: 'RCP-DIG-CHUM',
      name: 'RCP digestive du CHU Méditerranée',
      kind: 'organ',
      organ: 'Appareil digestif',
      members: [
        { practitioner: pr('Lambert'), membership: 'fixed', chair: true },
        { practitioner: pr('Aubert'), membership: 'fixed' },
        { practitioner: pr('Rossi'), membership: 'fixed' },
        { practitioner: pr('Fabre'), membership: 'fixed' },
        { practitioner: pr('Morel'), membership: 'occasional' },
      ],
      // Surgeon mandatory next to the oncologist and the radiotherapist (INCa, December 2023).
      quorum: { minSpecialities: 3, relevantSpecialities: ['SM14', 'SM36', 'SM37', 'SM24', 'SM01'], mandated: [{ label: 'Chirurgien digestif', anyOf: ['SM14'] }], writtenOpinionCounts: false },
      schedule: { rrule: 'FREQ=MONTHLY;BYDAY=+2TU,+4TU', startTime: '14:00', endTime: '16:00', from, timeZone: 'Europe/Paris' },
      capacity: 12,
      place: 'Salle de staff du pôle digestif, CHU Méditerranée, bâtiment B, 2e étage',
      videoLink: 'https://visio.dcc-paca.example/rcp-digestive',
    },
    breast: {
      ...common,
      code: 'RCP-SEIN-CHUM',
      name: 'RCP sénologie du CHU Méditerranée',
      kind: 'organ',
      organ: 'Sein',
      members: [
        { practitioner: pr('Lambert'), membership: 'fixed', chair: true },
        { practitioner: pr('Garnier'), membership: 'fixed' },
        { practitioner: pr('Rossi'), membership: 'fixed' },
        { practitioner: pr('Morel'), membership: 'fixed' },
      ],
      quorum: {
        minSpecialities: 3, relevantSpecialities: ['SM20', 'SM36', 'SM37', 'SM01'], writtenOpinionCounts: false,
        mandated: [{ label: 'Chirurgien', anyOf: ['SM20'] }, { label: 'Oncologue médical', anyOf: ['SM36'] }, { label: 'Radiothérapeute', anyOf: ['SM37'] }],
      },
      schedule: { rrule: 'FREQ=WEEKLY;BYDAY=TH', startTime: '12:30', endTime: '14:00', from, timeZone: 'Europe/Paris' },
      capacity: 15,
      place: 'Salle Hippocrate, CHU Méditerranée',
      videoLink: 'https://visio.dcc-paca.example/rcp-senologie',
    },
    thorax: {
      ...common,
      code: 'RCP-THX-CHUM',
      name: 'RCP thoracique du CHU Méditerranée',
      kind: 'organ',
      organ: 'Thorax (poumon, plèvre, médiastin)',
      members: [
        { practitioner: pr('Lambert'), membership: 'fixed', chair: true },
        { practitioner: pr('Vidal'), membership: 'fixed' },
        { practitioner: pr('Rossi'), membership: 'fixed' },
        { practitioner: pr('Morel'), membership: 'occasional' },
      ],
      quorum: {
        minSpecialities: 3, relevantSpecialities: ['SM11', 'SM36', 'SM37', 'SM01'], writtenOpinionCounts: false,
        mandated: [{ label: 'Chirurgien thoracique', anyOf: ['SM11'] }, { label: 'Oncologue médical', anyOf: ['SM36'] }, { label: 'Radiothérapeute', anyOf: ['SM37'] }],
      },
      // 1st and 3rd Monday, by videoconference only.
      schedule: { rrule: 'FREQ=MONTHLY;BYDAY=+1MO,+3MO', startTime: '17:00', endTime: '19:00', from, timeZone: 'Europe/Paris' },
      capacity: 10,
      videoLink: 'https://visio.dcc-paca.example/rcp-thorax',
    },
    geriatrics: {
      ...common,
      code: 'RCP-OG-CHUM',
      name: "RCP d'oncogériatrie du CHU Méditerranée",
      kind: 'transversal',
      members: [
        { practitioner: pr('Lambert'), membership: 'fixed', chair: true },
        { practitioner: pr('Blanc'), membership: 'fixed' },
        { practitioner: pr('Fabre'), membership: 'fixed' },
        { practitioner: pr('Aubert'), membership: 'occasional' },
      ],
      // A written opinion of the geriatrician counts (charter of this board).
      quorum: { minSpecialities: 3, relevantSpecialities: ['SM18', 'SM36', 'SM24', 'SM14', 'SM37'], mandated: [{ label: 'Gériatre', anyOf: ['SM18'] }], writtenOpinionCounts: true },
      schedule: { rrule: 'FREQ=MONTHLY;BYDAY=-1WE', startTime: '13:00', endTime: '14:00', from, timeZone: 'Europe/Paris' },
      capacity: 6,
      place: 'Unité de coordination en oncogériatrie, CHU Méditerranée',
      videoLink: 'https://visio.dcc-paca.example/rcp-oncogeriatrie',
    },
  };
}

export { DEMO_CASE_SYSTEM };
