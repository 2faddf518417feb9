/**
 * Oral anticancer treatments of a PPS as MedicationRequests, written for the community pharmacist
 * and the nurse: drug, dose per intake, intakes per day, cycle (e.g. 14 days on / 7 off) with the
 * dates of each cycle, prescriber.
 */
import type {
  CodeableConcept, Condition, Dosage, Extension, MedicationRequest, Reference as FhirReference,
} from '@medplum/fhirtypes';

/** References between these resources are checked by the profiles, not by the TypeScript types. */
type Reference<_T = unknown> = FhirReference<any>;
import { badRequest } from '../fhir-kit/errors.ts';
import { EXT, ORAL_ANTICANCER, ORAL_TREATMENT_PROFILE, routeConcept } from './codes.ts';
import { UCUM } from '../fhir-kit/code-systems.ts';
import { addDays, isIsoDate } from '../fhir-kit/dates.ts';
import { extensionOf } from './model.ts';

export interface TreatmentCycle {
  /** Days of intake at the start of each cycle. */
  daysOn: number;
  /** Days without intake that close each cycle. */
  daysOff: number;
  /** Number of cycles planned (unknown: until the next assessment). */
  count?: number;
}

export interface OralTreatmentInput {
  medication: CodeableConcept;
  /** Dose per intake, e.g. { value: 1500, unit: 'mg' }. */
  dose: { value: number; unit: string; code?: string };
  /** Intakes per day (2 = morning and evening). */
  timesPerDay: number;
  cycle?: TreatmentCycle;
  /** First day of intake (YYYY-MM-DD). */
  start?: string;
  /** Last day (when there is no cycle count). */
  end?: string;
  /** Patient instruction, e.g. "dans les 30 minutes qui suivent le repas". */
  instructions?: string;
  /** Side effects to watch: carried on the prescription itself, since the pharmacist does not read the PPS. */
  sideEffects?: string[];
  prescriber?: Reference;
}

export interface OralTreatmentContext {
  id: string;
  subject: Reference;
  /** The RCP decision the treatment implements. */
  decision: Reference;
  reasons?: Reference<Condition>[];
  prescriber?: Reference;
  authoredOn: string;
  /** The proposal's own MedicationRequest, when the decision had one. */
  proposal?: Reference;
}

/** Checks the oral-treatment part of a client request; `path` names it in the errors. */
export function checkOralTreatment(input: Partial<OralTreatmentInput>, path: string, what: string): asserts input is OralTreatmentInput {
  if (!input.medication || (!input.medication.text && !input.medication.coding?.length)) {
    throw badRequest(`Traitement oral ${what} : indiquez le médicament (medication)`, [`${path}.medication`]);
  }
  const dose = input.dose;
  if (!dose || typeof dose.value !== 'number' || !(dose.value > 0) || typeof dose.unit !== 'string' || !dose.unit) {
    throw badRequest(`Traitement oral ${what} : indiquez la dose par prise, par exemple { "value": 1500, "unit": "mg" }`, [`${path}.dose`]);
  }
  if (!Number.isInteger(input.timesPerDay) || input.timesPerDay! < 1 || input.timesPerDay! > 6) {
    throw badRequest(`Traitement oral ${what} : indiquez le nombre de prises par jour (timesPerDay, de 1 à 6)`, [`${path}.timesPerDay`]);
  }
  if (input.cycle) {
    const c = input.cycle;
    if (!Number.isInteger(c.daysOn) || c.daysOn < 1 || !Number.isInteger(c.daysOff) || c.daysOff < 0) {
      throw badRequest(`Traitement oral ${what} : le cycle s'exprime en jours de prise (daysOn ≥ 1) et jours d'arrêt (daysOff ≥ 0)`, [`${path}.cycle`]);
    }
    if (c.count !== undefined && (!Number.isInteger(c.count) || c.count < 1 || c.count > 100)) {
      throw badRequest(`Traitement oral ${what} : nombre de cycles invalide (${String(c.count)})`, [`${path}.cycle.count`]);
    }
  }
  for (const key of ['start', 'end'] as const) {
    if (input[key] !== undefined && !isIsoDate(input[key])) throw badRequest(`Traitement oral ${what} : date invalide '${String(input[key])}' (attendu AAAA-MM-JJ)`, [`${path}.${key}`]);
  }
}

/** "1500 mg 2 fois par jour, 14 jours sur 21, 6 cycles" — what the patient and the pharmacist read. */
export function describeOralDosage(input: OralTreatmentInput): string {
  const intakes = input.timesPerDay === 1 ? 'une fois par jour' : input.timesPerDay === 2 ? 'matin et soir' : `${input.timesPerDay} fois par jour`;
  const parts = [`${formatNumber(input.dose.value)} ${input.dose.unit} ${intakes}`];
  if (input.cycle) {
    parts.push(cycleRhythm(input.cycle));
    if (input.cycle.count) parts.push(`${input.cycle.count} cycle${input.cycle.count > 1 ? 's' : ''} prévu${input.cycle.count > 1 ? 's' : ''}`);
  }
  if (input.instructions) parts.push(input.instructions);
  return parts.join(', ');
}

/**
 * "14 jours de prise puis 7 jours d'arrêt (cycles de 21 jours)", or "en continu (cycles de 28 jours)"
 * for a cycle without a break: « puis 0 jours d'arrêt » / « 28 j sur 28 » read as a missing value.
 */
export function cycleRhythm(cycle: Pick<TreatmentCycle, 'daysOn' | 'daysOff'>): string {
  const length = cycle.daysOn + cycle.daysOff;
  return cycle.daysOff ? `${cycle.daysOn} jours de prise puis ${cycle.daysOff} jours d'arrêt (cycles de ${length} jours)` : `en continu (cycles de ${length} jours)`;
}

function formatNumber(n: number): string {
  return String(n).replace('.', ',');
}

/** Dates of each cycle's intake days: cycle k runs from start + (k−1)·(on+off) for `daysOn` days. */
export function cycleDates(start: string, cycle: TreatmentCycle & { count: number }): { cycle: number; start: string; end: string }[] {
  const length = cycle.daysOn + cycle.daysOff;
  return Array.from({ length: cycle.count }, (_, i) => {
    const first = addDays(start, i * length);
    return { cycle: i + 1, start: first, end: addDays(first, cycle.daysOn - 1) };
  });
}

/**
 * The cycle as the published profile carries it: dcc-treatment-cycle = cycle length (valueDuration),
 * the intake days being the timing bounds of each dosage line; the number of cycles in its own
 * extension.
 */
export function cycleExtensions(cycle: TreatmentCycle): Extension[] {
  return [
    { url: EXT.treatmentCycle, valueDuration: { value: cycle.daysOn + cycle.daysOff, unit: 'jours', system: UCUM, code: 'd' } },
    ...(cycle.count !== undefined ? [{ url: EXT.treatmentCycleCount, valueInteger: cycle.count }] : []),
  ];
}
export function cycleOf(request: MedicationRequest): TreatmentCycle | undefined {
  const length = extensionOf(request, EXT.treatmentCycle)?.valueDuration?.value;
  const repeat = request.dosageInstruction?.[0]?.timing?.repeat;
  let daysOn: number | undefined;
  if (repeat?.boundsDuration?.value !== undefined) daysOn = repeat.boundsDuration.value;
  else if (repeat?.boundsPeriod?.start && repeat.boundsPeriod.end) {
    daysOn = Math.round((Date.parse(repeat.boundsPeriod.end.slice(0, 10)) - Date.parse(repeat.boundsPeriod.start.slice(0, 10))) / 86_400_000) + 1;
  }
  if (length === undefined || daysOn === undefined || daysOn > length) return undefined;
  const count = extensionOf(request, EXT.treatmentCycleCount)?.valueInteger;
  return { daysOn, daysOff: length - daysOn, ...(count !== undefined ? { count } : {}) };
}

/**
 * The MedicationRequest of an oral treatment (intent `plan`: the programme, not the prescription
 * itself). With a start date and a cycle count, one dosage line per cycle carries that cycle's
 * dates, so the pharmacist sees when each cycle starts and ends.
 */
export function buildOralMedicationRequest(input: OralTreatmentInput, ctx: OralTreatmentContext): MedicationRequest {
  const text = describeOralDosage(input);
  const base: Dosage = {
    text,
    ...(input.instructions ? { patientInstruction: input.instructions } : {}),
    ...(input.sideEffects?.length ? { additionalInstruction: input.sideEffects.map((s) => ({ text: `Effet indésirable à surveiller : ${s}` })) } : {}),
    route: routeConcept('oral'),
    doseAndRate: [{ doseQuantity: { value: input.dose.value, unit: input.dose.unit, system: UCUM, code: input.dose.code ?? input.dose.unit } }],
  };
  const daily = { frequency: input.timesPerDay, period: 1, periodUnit: 'd' as const };
  let dosageInstruction: Dosage[];
  if (input.cycle && input.start && input.cycle.count) {
    dosageInstruction = cycleDates(input.start, { ...input.cycle, count: input.cycle.count }).map((c) => ({
      ...base,
      sequence: c.cycle,
      text: `Cycle ${c.cycle} : ${text}`,
      timing: { repeat: { ...daily, boundsPeriod: { start: c.start, end: c.end } } },
    }));
  } else if (input.cycle) {
    dosageInstruction = [{
      ...base,
      timing: { repeat: { ...daily, boundsDuration: { value: input.cycle.daysOn, unit: 'jours', system: UCUM, code: 'd' } } },
    }];
  } else {
    const bounds = input.start || input.end ? { boundsPeriod: { ...(input.start ? { start: input.start } : {}), ...(input.end ? { end: input.end } : {}) } } : {};
    dosageInstruction = [{ ...base, timing: { repeat: { ...daily, ...bounds } } }];
  }
  const prescriber = input.prescriber ?? ctx.prescriber;
  if (!prescriber?.reference) throw badRequest('Traitement oral : indiquez le prescripteur (prescriber : Practitioner/…)', ['prescriber']);
  const medication = input.medication.text ? input.medication : { ...input.medication, text: input.medication.coding?.[0]?.display ?? input.medication.coding?.[0]?.code };
  return {
    resourceType: 'MedicationRequest',
    id: ctx.id,
    meta: { profile: [ORAL_TREATMENT_PROFILE] },
    ...(input.cycle ? { extension: cycleExtensions(input.cycle) } : {}),
    status: 'active',
    intent: 'plan',
    category: [
      { coding: [ORAL_ANTICANCER], text: 'Traitement anticancéreux oral' },
      { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-category', code: 'community', display: 'Community' }], text: 'À domicile' },
    ],
    medicationCodeableConcept: medication,
    subject: ctx.subject,
    authoredOn: ctx.authoredOn,
    requester: prescriber,
    ...(ctx.reasons?.length ? { reasonReference: ctx.reasons } : {}),
    basedOn: [ctx.decision, ...(ctx.proposal ? [ctx.proposal] : [])],
    courseOfTherapyType: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-course-of-therapy', code: input.cycle ? 'continuous' : 'acute' }], text: input.cycle ? 'Traitement par cycles' : 'Traitement' },
    dosageInstruction,
  };
}

/** An oral anticancer treatment (the DCC profile, or its category): what the pharmacist and the city nurse follow. */
export function isOralAnticancer(request: MedicationRequest): boolean {
  return Boolean(request.meta?.profile?.includes(ORAL_TREATMENT_PROFILE))
    || (request.category ?? []).some((c) => c.coding?.some((x) => x.system === ORAL_ANTICANCER.system && x.code === ORAL_ANTICANCER.code));
}

/** Reads back the oral-treatment parameters of a proposal's MedicationRequest (when the decision had one). */
export function oralInputFromRequest(request: MedicationRequest): Partial<OralTreatmentInput> {
  const dosage = request.dosageInstruction?.[0];
  const dose = dosage?.doseAndRate?.[0]?.doseQuantity;
  const repeat = dosage?.timing?.repeat;
  return {
    medication: request.medicationCodeableConcept ?? (request.medicationReference ? { text: request.medicationReference.display ?? 'Médicament' } : undefined),
    ...(dose?.value !== undefined ? { dose: { value: dose.value, unit: dose.unit ?? dose.code ?? '', code: dose.code } } : {}),
    ...(repeat?.frequency && repeat.periodUnit === 'd' && (repeat.period ?? 1) === 1 ? { timesPerDay: repeat.frequency } : {}),
    ...(cycleOf(request) ? { cycle: cycleOf(request) } : {}),
    ...(repeat?.boundsPeriod?.start ? { start: repeat.boundsPeriod.start.slice(0, 10) } : {}),
    ...(dosage?.patientInstruction ? { instructions: dosage.patientInstruction } : {}),
    ...(request.requester ? { prescriber: request.requester } : {}),
  };
}

/**
 * The dates of an oral treatment as the printed PPS and the summary give them: from the start of
 * its first dosage line (cycle 1) to the end of its last one. Mirrored by the hospital page
 * (client/src/lib/oral-treatment-period.ts; test/client/oral-treatment-period.test.ts keeps them equal).
 */
export function oralTreatmentPeriod(request: MedicationRequest | undefined): { start?: string; end?: string } | undefined {
  const bounds = (request?.dosageInstruction ?? []).map((d) => d.timing?.repeat?.boundsPeriod).filter((b): b is NonNullable<typeof b> => Boolean(b));
  if (!bounds.length) return undefined;
  return { ...(bounds[0]!.start ? { start: bounds[0]!.start } : {}), ...(bounds.at(-1)!.end ? { end: bounds.at(-1)!.end } : {}) };
}
