/**
 * Demo programmes: once the demo RCP decisions exist (seeded by the RCP modules), the first one
 * gets a PPS handed over to the patient, the next one of a disease treated with curative intent a
 * PPS closed by a PPAC with its alternating surveillance. Idempotent: a decision that already has
 * its PPS (or a PPS its PPAC) is left alone.
 */
import type { CarePlan, HealthcareService, Observation, Patient } from '@medplum/fhirtypes';
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
import { CODE, hasCoding } from '../rcp-sheet/index.ts';

const DEMO_PPS_INPUT: BuildPpsInput = {
  sideEffectsToWatch: [
    { description: 'Fièvre au-delà de 38 °C ou frissons', action: "appeler sans attendre l'hôpital de jour d'oncologie" },
    { description: 'Diarrhée de plus de 4 selles par jour', action: 'boire abondamment et prévenir votre infirmière ou votre médecin traitant' },
  ],
  prevention: [{ description: 'Bains de bouche au bicarbonate après chaque repas pendant la chimiothérapie' }],
  associatedMeasures: [{ description: 'Pas de vaccin vivant atténué pendant la chimiothérapie (les autres vaccins restent possibles)' }],
  supportiveCare: [
    { type: 'nutrition', description: 'Consultation diététique avant le début de la chimiothérapie' },
    { type: 'psychology', description: "Rendez-vous proposé avec la psychologue de l'établissement" },
    { type: 'physical-activity', rhythm: '2 séances par semaine' },
  ],
  socialSupport: [{ type: 'social-worker', description: "Rencontre avec l'assistante sociale pour les démarches (arrêt de travail, ALD)" }],
  contacts: [{ role: 'support-structure', name: 'Ligue contre le cancer — Comité des Bouches-du-Rhône', phone: '04 65 71 60 00' }],
};

export interface DemoCarePlanResult {
  created: string[];
  /** Decisions left without a demo programme, and why. */
  skipped: string[];
}

/**
 * Seeds the demo PPS / PPAC on the demo RCP decisions (run after the demo bundle and the RCP demo
 * data): by default the two oldest active decisions, or the decisions given. `now`: the clock.
 */
export async function seedDemoCarePlans(store: Store, options: { decisionIds?: string[]; now?: Date } = {}): Promise<DemoCarePlanResult> {
  const repo = store.forRequest(systemContext());
  // The clinical day is the Paris one: between midnight and 1 or 2 a.m. the UTC day is still yesterday.
  const today = parisDay(options.now ?? new Date());
  const result: DemoCarePlanResult = { created: [], skipped: [] };
  const decisions: CarePlan[] = [];
  for (const id of options.decisionIds ?? []) decisions.push(await repo.read<CarePlan>('CarePlan', id));
  if (!options.decisionIds) {
    // Two patients: one PPS under way, one closed by its PPAC. Both on one patient read as a
    // contradiction (a programme in force beside the end of active treatment).
    const active = (await repo.search<CarePlan>(parseSearchRequest('CarePlan', new URLSearchParams({ category: CATEGORY.rcpDecision.code, status: 'active', _sort: '_lastUpdated' }), { defaultCount: 20, maxCount: 20 }, true).request)).resources;
    // Patients in the order of their first decision, each with the decision written last: the one in
    // force (Castellani: the adjuvant decision after her first-line RCP, not the surgery already done).
    const distinct: CarePlan[] = [];
    for (const decision of active) {
      const at = distinct.findIndex((d) => d.subject?.reference === decision.subject?.reference);
      if (at < 0) distinct.push(decision);
      else distinct[at] = decision;
    }
    // The PPAC follows the end of treatments given with curative intent: the demo gave one to a
    // patient under palliative chemotherapy for a metastatic cancer (cT3N2M1).
    const [first, ...others] = distinct;
    if (first) decisions.push(first);
    for (const decision of others) {
      if (!(await isMetastatic(repo, decision.subject?.reference))) {
        decisions.push(decision);
        break;
      }
    }
  }
  for (const [index, decision] of decisions.slice(0, 2).entries()) {
    try {
      let pps = await ppsOfDecision(repo, decision.id!);
      if (!pps) {
        const input = index === 0 ? { ...DEMO_PPS_INPUT, treatments: [demoOralTreatment(decision, today)] } : DEMO_PPS_INPUT;
        pps = await pastTreatmentsDone(repo, await buildPpsForDecision(repo, decision.id!, input, decision.author), today);
        result.created.push(`CarePlan/${pps.id}`);
        pps = await handOverProgramme(repo, pps.id!, { by: decision.author, shareWithGp: true });
      }
      if (index === 1 && pps.status !== 'completed') {
        const ppac = await startPpacFromPps(repo, pps.id!, await demoPpacInput(repo, pps, today), pps.author);
        result.created.push(`CarePlan/${ppac.id}`);
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
    endOfTreatment: today,
    surveillance: {
      intervalMonths: 6, years: 5, first: 'hospital',
      exams: [{ display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 }, { display: "Dosage de l'ACE" }, { display: 'Coloscopie', everyMonths: 36 }],
    },
    lateEffects: [{ description: 'Fourmillements des mains et des pieds (neuropathie)', action: 'en parler à votre médecin traitant' }],
    relapseSigns: [{ description: 'Sang dans les selles, douleurs abdominales persistantes, amaigrissement inexpliqué' }],
    // The organised screenings of the patient's sex: a man was told to keep up breast and cervical screening.
    secondCancerScreening: [{ description: patient?.gender === 'female'
      ? 'Poursuivre les dépistages organisés (sein, col de l’utérus) aux dates habituelles'
      : 'Pas d’autre dépistage organisé à prévoir : le dépistage colorectal est remplacé par la surveillance ci-dessus' }],
    needsEvaluation: structure ? { structure: { reference: `HealthcareService/${structure.id}`, display: structure.name } } : undefined,
    physicalActivity: [{ description: "Programme d'activité physique adaptée de 12 semaines", rhythm: '2 séances par semaine' }],
    psychosocial: [{ description: 'Groupe de parole après le cancer, une fois par mois' }],
    returnToWork: [{ description: 'Visite de pré-reprise avec le médecin du travail ; temps partiel thérapeutique possible' }],
    addictions: [{ description: 'Aide à l’arrêt du tabac : consultation de tabacologie et substituts nicotiniques' }],
    note: 'Établi à la fin des traitements actifs, à partir du PPS.',
  };
}

/** A TNM stage of the patient says M1 (distant metastases). */
async function isMetastatic(repo: FhirRepository, subject: string | undefined): Promise<boolean> {
  if (!subject) return false;
  const stages = await repo.searchAll<Observation>('Observation', { subject, code: `${CODE.tnm.system}|${CODE.tnm.code}` });
  return stages.some((o) => o.component?.some((c) => hasCoding(c.code?.coding, CODE.tnmM) && /M1/i.test(c.valueString ?? c.valueCodeableConcept?.text ?? '')));
}
