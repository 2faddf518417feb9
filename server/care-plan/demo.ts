/**
 * Demo programmes: once the demo RCP decisions exist (seeded by the RCP modules), the first patient's
 * decision in force gets a PPS handed over to the patient; a patient treated with curative intent
 * whose proposed treatments all took place before today gets, on the decision in force (the
 * post-operative RCP's surveillance), a PPS listing the treatments received, closed by a PPAC with
 * its alternating surveillance from the end of the last of them. Idempotent: a decision that already has
 * its PPS (or a PPS its PPAC) is left alone.
 */
import type { CarePlan, CarePlanActivity, Composition, HealthcareService, Observation, Patient } from '@medplum/fhirtypes';
import { systemContext } from '../context.ts';
import { FhirError } from '../fhir-kit/errors.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { CATEGORY } from './codes.ts';
import { addDays, datePart } from '../fhir-kit/dates.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';
import type { StartPpacInput } from './ppac.ts';
import type { BuildPpsInput, PpsTreatmentInput } from './pps.ts';
import { buildPpsForDecision, handOverProgramme, ppsOfDecision, startPpacFromPps } from './service.ts';
import { SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM } from '../directories/index.ts';
import { CODE, decisionStandings, hasCoding, rcpSheetCodes } from '../rcp-sheet/index.ts';
import { RCP_SHEET_LOINC } from '../fhir-kit/shared-codes.ts';

/**
 * The demo PPS's advice, fitting its treatments: the chemotherapy advice (mouthwash, no live vaccine,
 * dietitian before it starts, fever and diarrhoea under it) only on a PPS with a chemotherapy to come.
 * Ménard's PPS, on the decision « Pas de chimiothérapie adjuvante (ypN0) » with every treatment
 * behind her, listed « Bains de bouche… pendant la chimiothérapie ».
 */
export function demoPpsAdvice(chemotherapyToCome: boolean): Omit<BuildPpsInput, 'treatments'> {
  const everyone: Omit<BuildPpsInput, 'treatments'> = {
    supportiveCare: [
      { type: 'psychology', description: "Rendez-vous proposé avec la psychologue de l'établissement" },
      { type: 'physical-activity', rhythm: '2 séances par semaine' },
    ],
    socialSupport: [{ type: 'social-worker', description: "Rencontre avec l'assistante sociale pour les démarches (arrêt de travail, ALD)" }],
    contacts: [{ role: 'support-structure', name: 'Ligue contre le cancer — Comité des Bouches-du-Rhône', phone: '04 65 71 60 00' }],
  };
  if (!chemotherapyToCome) return everyone;
  return {
    ...everyone,
    sideEffectsToWatch: [
      { description: 'Fièvre au-delà de 38 °C ou frissons', action: "appeler sans attendre l'hôpital de jour d'oncologie" },
      { description: 'Diarrhée de plus de 4 selles par jour', action: 'boire abondamment et prévenir votre infirmière ou votre médecin traitant' },
    ],
    prevention: [{ description: 'Bains de bouche au bicarbonate après chaque repas pendant la chimiothérapie' }],
    associatedMeasures: [{ description: 'Pas de vaccin vivant atténué pendant la chimiothérapie (les autres vaccins restent possibles)' }],
    supportiveCare: [{ type: 'nutrition', description: 'Consultation diététique avant le début de la chimiothérapie' }, ...everyone.supportiveCare!],
  };
}

export interface DemoCarePlanResult {
  created: string[];
  /** Decisions left without a demo programme, and why. */
  skipped: string[];
}

/**
 * Seeds the demo PPS / PPAC on the demo RCP decisions (run after the demo bundle and the RCP demo
 * data): by default the decision in force of the first patient (a PPS under way) and the treatment
 * decision of a patient whose treatments are over (a PPS closed by its PPAC), or the two decisions
 * given. `now`: the clock.
 */
export async function seedDemoCarePlans(store: Store, options: { decisionIds?: string[]; now?: Date } = {}): Promise<DemoCarePlanResult> {
  const repo = store.forRequest(systemContext());
  // The clinical day is the Paris one: between midnight and 1 or 2 a.m. the UTC day is still yesterday.
  const today = parisDay(options.now ?? new Date());
  const result: DemoCarePlanResult = { created: [], skipped: [] };
  /** [the PPS under way, the PPS closed by a PPAC] */
  const decisions: (CarePlan | undefined)[] = [];
  for (const id of options.decisionIds ?? []) decisions.push(await repo.read<CarePlan>('CarePlan', id));
  /** Treatments of the earlier decisions the PPAC's PPS carries (they took place before the decision in force). */
  let received: PpsTreatmentInput[] = [];
  if (!options.decisionIds) {
    // Two patients: one PPS under way, one closed by its PPAC. Both on one patient read as a
    // contradiction (a programme in force beside the end of active treatment).
    const active = (await repo.search<CarePlan>(parseSearchRequest('CarePlan', new URLSearchParams({ category: CATEGORY.rcpDecision.code, status: 'active', _sort: '_lastUpdated' }), { defaultCount: 20, maxCount: 20 }, true).request)).resources;
    // Patients in the order of their first decision, each with the decision in force (the latest
    // meeting's, rcp-sheet decisionStandings) and those it replaced: a PPS rests on the decision in
    // force only (Castellani: the adjuvant decision, not her first-line RCP's surgery; Ménard: the
    // post-operative RCP's surveillance, not the spring proposal — the server refuses a replaced one).
    const patients: { inForce: CarePlan; replaced: CarePlan[] }[] = [];
    for (const subject of [...new Set(active.map((d) => d.subject?.reference).filter((s): s is string => !!s))]) {
      const own = await repo.searchAll<CarePlan>('CarePlan', { subject, category: CATEGORY.rcpDecision.code });
      const sheets = await repo.searchAll<Composition>('Composition', { subject, type: `http://loinc.org|${RCP_SHEET_LOINC}` });
      const standings = decisionStandings([...own, ...sheets]);
      const decision = (ref: string | undefined) => own.find((d) => `CarePlan/${d.id}` === ref);
      const inForce = decision(standings.find((x) => x.standing === 'in-force')?.decision);
      if (!inForce) continue;
      const replaced = standings.filter((x) => x.standing === 'replaced').map((x) => decision(x.decision)).filter((d): d is CarePlan => !!d && sameTumour(d, inForce));
      patients.push({ inForce, replaced });
    }
    // The PPAC follows the end of the treatments given with curative intent: not for a metastatic
    // cancer (the demo once gave one under palliative chemotherapy, cT3N2M1), and only once every
    // proposed treatment took place (it was once given to a patient whose radiochemotherapy and
    // proctectomy had been decided a fortnight before): the decision in force proposes none still
    // to come, the earlier ones on the tumour proposed treatments all done by today.
    let after: CarePlan | undefined;
    for (const patient of patients) {
      const nothingToCome = !treatmentActivities(patient.inForce).length || treatmentsEndedBy(patient.inForce, today);
      const treated = patient.replaced.filter((d) => treatmentActivities(d).length);
      if (nothingToCome && treated.length && treated.every((d) => treatmentsEndedBy(d, today)) && !(await isMetastatic(repo, patient.inForce.subject?.reference))) {
        after = patient.inForce;
        received = treated.flatMap(receivedTreatments);
        break;
      }
    }
    const first = patients.find((p) => p.inForce.subject?.reference !== after?.subject?.reference && treatmentActivities(p.inForce).length)?.inForce;
    decisions.push(first, after);
  }
  for (const [index, decision] of decisions.slice(0, 2).entries()) {
    if (!decision) continue;
    try {
      let pps = await ppsOfDecision(repo, decision.id!);
      if (!pps) {
        // The first PPS starts an oral chemotherapy (capecitabine); the second lists treatments all received.
        const input = index === 0 ? { ...demoPpsAdvice(true), treatments: [demoOralTreatment(decision, today)] } : { ...demoPpsAdvice(false), ...(received.length ? { treatments: received } : {}) };
        pps = await pastTreatmentsDone(repo, await buildPpsForDecision(repo, decision.id!, input, decision.author), today);
        result.created.push(`CarePlan/${pps.id}`);
        pps = await handOverProgramme(repo, pps.id!, { by: decision.author, shareWithGp: true });
      }
      if (index === 1 && pps.status !== 'completed') {
        const ppac = await startPpacFromPps(repo, pps.id!, await demoPpacInput(repo, pps, today), pps.author);
        result.created.push(`CarePlan/${ppac.id}`);
        // Handed over, with the patient's agreement to send it to the GP: only then does the GP see it
        // (store/visibility-sql.ts), and the demo's surveillance calendar is the GP's to follow.
        await handOverProgramme(repo, ppac.id!, { by: pps.author, shareWithGp: true });
      }
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      result.skipped.push(`CarePlan/${decision.id} : ${error.message}`);
    }
  }
  return result;
}

/**
 * The demo decisions date back months: what the programme planned before today took place (the
 * surgery of October 2025 is not "à venir" in December 2026), as the team would have recorded it.
 */
export function withPastTreatmentsDone(pps: CarePlan, today: string): CarePlan {
  return {
    ...pps,
    activity: (pps.activity ?? []).map((a) => {
      const start = a.detail?.scheduledPeriod?.start;
      if (!a.detail || !start || datePart(start) >= today || !['not-started', 'scheduled'].includes(a.detail.status)) return a;
      return { ...a, detail: { ...a.detail, status: 'completed' as const } };
    }),
  };
}

async function pastTreatmentsDone(repo: FhirRepository, pps: CarePlan, today: string): Promise<CarePlan> {
  const done = withPastTreatmentsDone(pps, today);
  return JSON.stringify(done) === JSON.stringify(pps) ? pps : (await repo.update<CarePlan>(done)).resource;
}

/** The first demo PPS carries an oral treatment, so the pharmacist and the city nurse have one to follow. */
function demoOralTreatment(decision: CarePlan, today: string): PpsTreatmentInput {
  const start = addDays(today, 7);
  return {
    type: 'C15632',
    route: 'oral',
    description: 'Capécitabine orale (protocole CAPOX), 8 cycles de 21 jours',
    medication: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L01BC06', display: 'capecitabine' }], text: 'Capécitabine 500 mg, comprimé pelliculé' },
    dose: { value: 1500, unit: 'mg' },
    timesPerDay: 2,
    cycle: { daysOn: 14, daysOff: 7, count: 8 },
    start,
    datesConfirmed: true,
    rhythm: 'cycles de 21 jours',
    instructions: 'dans les 30 minutes qui suivent le repas, avec un grand verre d’eau',
    sideEffects: ['syndrome main-pied', 'diarrhée', 'mucite'],
    ...(decision.author ? { prescriber: decision.author } : {}),
  };
}

async function demoPpacInput(repo: FhirRepository, pps: CarePlan, today: string): Promise<StartPpacInput> {
  const patientId = pps.subject?.reference?.split('/')[1];
  const patient = patientId ? await repo.read<Patient>('Patient', patientId) : undefined;
  const { request } = parseSearchRequest('HealthcareService', new URLSearchParams({ identifier: `${SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM}|SCS-13-001-SERVICE` }), { defaultCount: 1, maxCount: 1 }, true);
  const structure = (await repo.search<HealthcareService>(request)).resources[0];
  return {
    endOfTreatment: endOfActiveTreatment(pps, today),
    surveillance: {
      intervalMonths: 6, years: 5, first: 'hospital',
      exams: [{ display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 }, { display: "Dosage de l'ACE" }, { display: 'Coloscopie', everyMonths: 36 }],
    },
    lateEffects: [
      { description: 'Selles fréquentes, impérieuses ou fractionnées après la chirurgie du rectum', action: 'en parler à votre médecin traitant : un traitement et une rééducation sont possibles' },
      { description: 'Troubles urinaires ou sexuels après la radiothérapie et la chirurgie du bassin', action: 'en parler à votre médecin traitant ou au chirurgien' },
    ],
    relapseSigns: [{ description: 'Sang dans les selles, douleurs abdominales persistantes, amaigrissement inexpliqué' }],
    // The organised screenings of the patient's sex: a man was told to keep up breast and cervical screening.
    secondCancerScreening: [{ description: patient?.gender === 'female'
      ? 'Poursuivre les dépistages organisés (sein, col de l’utérus) aux dates habituelles'
      : 'Pas d’autre dépistage organisé à prévoir : le dépistage colorectal est remplacé par la surveillance ci-dessus' }],
    needsEvaluation: structure ? { structure: { reference: `HealthcareService/${structure.id}`, display: structure.name } } : undefined,
    physicalActivity: [{ description: "Programme d'activité physique adaptée de 12 semaines", rhythm: '2 séances par semaine' }],
    psychosocial: [{ description: 'Groupe de parole après le cancer, une fois par mois' }],
    note: 'Établi à la fin des traitements actifs, à partir du PPS.',
  };
}

/** The proposed treatments of a decision (not its exams, surveillance or referral). */
function treatmentActivities(decision: CarePlan): CarePlanActivity[] {
  return (decision.activity ?? []).filter((a) => a.detail?.code?.coding?.length
    && ![CODE.exam, CODE.surveillance, CODE.recoursReferral].some((code) => hasCoding(a.detail?.code?.coding, code)));
}

/** Same patient and same tumour (first `addresses`). */
const sameTumour = (a: CarePlan, b: CarePlan) => a.subject?.reference === b.subject?.reference && a.addresses?.[0]?.reference === b.addresses?.[0]?.reference;

/**
 * The dated first-intention treatments of an earlier decision, as the PPS of the decision in force
 * lists them: the programme the patient received (radiochemotherapy, proctectomy, closure of the
 * ileostomy), which the PPAC then closes.
 */
function receivedTreatments(decision: CarePlan): PpsTreatmentInput[] {
  return treatmentActivities(decision)
    .filter((a) => (a.extension?.find((e) => e.url === rcpSheetCodes.EXT_PROPOSAL_INTENTION)?.valuePositiveInt ?? 1) === 1 && a.detail?.scheduledPeriod?.start)
    .map((a) => {
      const type = a.detail!.code!.coding!.find((c) => c.code)!;
      const period = a.detail!.scheduledPeriod!;
      return {
        type,
        ...(a.detail!.description ? { description: a.detail!.description } : {}),
        start: datePart(period.start!),
        ...(period.end ? { end: datePart(period.end) } : {}),
        datesConfirmed: true,
      };
    });
}

/** Every first-intention treatment of the decision is dated, the last one before today. */
function treatmentsEndedBy(decision: CarePlan, today: string): boolean {
  const first = treatmentActivities(decision).filter((a) => (a.extension?.find((e) => e.url === rcpSheetCodes.EXT_PROPOSAL_INTENTION)?.valuePositiveInt ?? 1) === 1);
  return first.length > 0 && first.every((a) => {
    const period = a.detail?.scheduledPeriod;
    const last = period?.end ?? period?.start;
    return !!last && datePart(last) < today;
  });
}

/** The end of active treatment: the last dated activity of the PPS if it is past, else today. */
export function endOfActiveTreatment(pps: CarePlan, today: string): string {
  const days = (pps.activity ?? []).flatMap((a) => [a.detail?.scheduledPeriod?.start, a.detail?.scheduledPeriod?.end]).filter((d): d is string => !!d).map(datePart).sort();
  const last = days.at(-1);
  return last && last <= today ? last : today;
}

/** A TNM stage of the patient says M1 (distant metastases). */
async function isMetastatic(repo: FhirRepository, subject: string | undefined): Promise<boolean> {
  if (!subject) return false;
  const stages = await repo.searchAll<Observation>('Observation', { subject, code: `${CODE.tnm.system}|${CODE.tnm.code}` });
  return stages.some((o) => o.component?.some((c) => hasCoding(c.code?.coding, CODE.tnmM) && /M1/i.test(c.valueString ?? c.valueCodeableConcept?.text ?? '')));
}
