/**
 * The prescription of the after-cancer pathway (parcours de soins global après le traitement d'un
 * cancer, décret n° 2020-1665, arrêté du 24 décembre 2020): within the year that follows the end of
 * active treatment, the oncologist, the GP or the paediatrician records the needs evaluation and
 * prescribes, in a labelled structure, an adapted-physical-activity assessment and a number of
 * dietetic and psychological consultations. One ServiceRequest per kind (the structure reports
 * against each), based on the PPAC. Pure: the caller reads and writes.
 */
import type { Appointment, CarePlan, CodeableConcept, Reference as FhirReference, ServiceRequest } from '@medplum/fhirtypes';

/** References between these resources are checked by the profiles, not by the TypeScript types. */
type Reference = FhirReference<any>;
import { addMonths, compareDates, datePart, isIsoDate } from '../fhir-kit/dates.ts';
import { EXT, extensionOf, isPpac } from '../care-plan/index.ts';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { POST_CANCER_NEED_SYSTEM, POST_CANCER_PROGRAM } from '../fhir-kit/shared-codes.ts';
import { badRequest, businessRule, conflict } from '../fhir-kit/errors.ts';
import { isRelativeReference } from '../fhir-kit/ids.ts';
import { beforeBirthMessage, futureDateMessage, longDate } from '../fhir-kit/french-dates.ts';

export const PATHWAY_NEED_SYSTEM = POST_CANCER_NEED_SYSTEM;
export const PATHWAY_NEED = {
  'physical-activity-assessment': 'Bilan fonctionnel et motivationnel d’activité physique adaptée',
  dietetic: 'Consultations diététiques',
  psychological: 'Consultations psychologiques',
} as const;
export type PathwayNeed = keyof typeof PATHWAY_NEED;
/**
 * Consultations of one kind in one prescription: the pathway's flat fee (arrêté du 24 décembre
 * 2020: 180 € per patient) pays for a handful; the regional network caps each kind at six.
 */
export const MAX_CONSULTATIONS = 6;

export interface PrescriptionInput {
  /** Date of the prescription (YYYY-MM-DD; default today). */
  date?: string;
  /** The needs evaluation made at the consultation (what the patient needs and why). */
  needsEvaluation: string;
  physicalActivityAssessment?: boolean;
  dieteticConsultations?: number;
  psychologicalConsultations?: number;
  /** The labelled structure (HealthcareService/… or Organization/…). */
  structure: Reference;
}

export function endOfActiveTreatment(ppac: CarePlan): string | undefined {
  return extensionOf(ppac, EXT.endOfActiveTreatment)?.valueDate ?? ppac.period?.start;
}

/** The one-year window of the pathway: from the end of active treatment to twelve months later. */
export function pathwayWindow(ppac: CarePlan): { start: string; end: string } {
  const start = endOfActiveTreatment(ppac);
  if (!start) throw businessRule(`Le PPAC CarePlan/${ppac.id} ne porte pas la date de fin des traitements actifs : le parcours ne peut pas être daté`, ['CarePlan.extension']);
  return { start: datePart(start), end: addMonths(datePart(start), 12) };
}

export function checkPrescriptionInput(input: PrescriptionInput, today: string, birthDate?: string): { date: string; needs: [PathwayNeed, number][] } {
  if (!input || typeof input !== 'object') throw badRequest('Le corps de la prescription est un objet JSON', []);
  const date = input.date ?? today;
  if (!isIsoDate(date)) throw badRequest(`Date de prescription invalide : '${String(date)}' (AAAA-MM-JJ)`, ['date']);
  if (compareDates(date, today) > 0) throw businessRule(futureDateMessage('La date de prescription', date), ['date']);
  const early = beforeBirthMessage('La date de prescription', date, birthDate);
  if (early) throw businessRule(early, ['date']);
  if (typeof input.needsEvaluation !== 'string' || !input.needsEvaluation.trim()) throw badRequest("Décrivez l'évaluation des besoins (needsEvaluation) : ce qu'elle a montré motive la prescription", ['needsEvaluation']);
  const count = (name: 'dieteticConsultations' | 'psychologicalConsultations'): number => {
    const v = input[name];
    if (v === undefined) return 0;
    if (!Number.isInteger(v) || v < 0 || v > MAX_CONSULTATIONS) throw badRequest(`${name} : un nombre de consultations entre 0 et ${MAX_CONSULTATIONS} est attendu`, [name]);
    return v;
  };
  const needs: [PathwayNeed, number][] = [];
  if (input.physicalActivityAssessment === true) needs.push(['physical-activity-assessment', 1]);
  if (count('dieteticConsultations')) needs.push(['dietetic', count('dieteticConsultations')]);
  if (count('psychologicalConsultations')) needs.push(['psychological', count('psychologicalConsultations')]);
  if (!needs.length) throw badRequest('Prescrivez au moins un bilan d’activité physique adaptée (physicalActivityAssessment) ou des consultations diététiques ou psychologiques', ['physicalActivityAssessment']);
  if (!isRelativeReference(input.structure?.reference, 'HealthcareService', 'Organization')) {
    throw badRequest('Indiquez la structure labellisée de l\'annuaire (structure : { reference: HealthcareService/… ou Organization/… })', ['structure']);
  }
  return { date, needs };
}

/**
 * The ServiceRequests of a prescription; refuses outside the year after the end of active
 * treatment (décret 2020-1665), saying which dates are allowed.
 */
export function buildPrescriptions(ppac: CarePlan, input: PrescriptionInput, ctx: { today: string; requester: Reference; structure: Reference; birthDate?: string }): ServiceRequest[] {
  if (!isPpac(ppac)) throw businessRule(`CarePlan/${ppac.id} n'est pas un PPAC : le parcours de soins global après cancer se prescrit sur le programme de l'après-cancer`, ['ppac']);
  if (ppac.status === 'revoked' || ppac.status === 'entered-in-error') throw conflict(`Le PPAC CarePlan/${ppac.id} est annulé (statut ${ppac.status})`);
  const { date, needs } = checkPrescriptionInput(input, ctx.today, ctx.birthDate);
  const window = pathwayWindow(ppac);
  if (compareDates(date, window.start) < 0 || compareDates(date, window.end) > 0) {
    throw businessRule(`Le parcours de soins global après cancer se prescrit dans l'année qui suit la fin des traitements actifs (${longDate(window.start)}) : entre le ${longDate(window.start)} et le ${longDate(window.end)} — date de prescription : ${longDate(date)}`, ['date']);
  }
  return needs.map(([need, quantity]) => ({
    resourceType: 'ServiceRequest',
    status: 'active',
    intent: 'order',
    category: [POST_CANCER_PROGRAM],
    code: needConcept(need),
    quantityQuantity: { value: quantity, unit: quantity > 1 ? 'consultations' : 'consultation' },
    subject: ppac.subject,
    basedOn: [{ reference: `CarePlan/${ppac.id}`, display: "Programme personnalisé de l'après-cancer" }],
    occurrencePeriod: { start: date, end: window.end },
    authoredOn: date,
    requester: ctx.requester,
    performer: [ctx.structure],
    ...(ppac.addresses?.length ? { reasonReference: ppac.addresses } : {}),
    note: [{ text: `Évaluation des besoins : ${input.needsEvaluation.trim()}` }],
  }));
}

export function needConcept(need: PathwayNeed): CodeableConcept {
  return { coding: [{ system: PATHWAY_NEED_SYSTEM, code: need, display: PATHWAY_NEED[need] }], text: PATHWAY_NEED[need] };
}

export function needOf(request: ServiceRequest): PathwayNeed | undefined {
  const code = request.code?.coding?.find((c) => c.system === PATHWAY_NEED_SYSTEM)?.code;
  return code && code in PATHWAY_NEED ? (code as PathwayNeed) : undefined;
}

/** The PPAC's needs-evaluation activity, completed, with what was prescribed where: the PPAC shows it. */
export function ppacWithPrescription(ppac: CarePlan, prescriptions: ServiceRequest[], structureName: string | undefined, date: string): CarePlan {
  const summary = prescriptions.map((p) => {
    const need = needOf(p)!;
    const n = p.quantityQuantity?.value ?? 1;
    return need === 'physical-activity-assessment' ? PATHWAY_NEED[need].toLowerCase() : `${n} ${need === 'dietetic' ? (n > 1 ? 'consultations diététiques' : 'consultation diététique') : (n > 1 ? 'consultations psychologiques' : 'consultation psychologique')}`;
  }).join(', ');
  const line = `Prescrit le ${longDate(date)}${structureName ? ` auprès de ${structureName}` : ''} : ${summary}.`;
  const activity = (ppac.activity ?? []).map((a) => {
    const isEvaluation = a.extension?.some((e) => e.valueCoding?.code === 'needs-evaluation');
    if (!isEvaluation || !a.detail) return a;
    return {
      ...a,
      outcomeReference: [...(a.outcomeReference ?? []), ...prescriptions.map((p) => ({ reference: `ServiceRequest/${p.id}` }))],
      detail: { ...a.detail, status: 'completed' as const, description: [a.detail.description, line].filter(Boolean).join(' ') },
    };
  });
  return { ...ppac, activity };
}

/** A consultation the structure reports: done (fulfilled) or not honoured (noshow). */
export function consultationAppointment(prescription: ServiceRequest, input: { start: string; honoured: boolean; comment?: string }, done: Appointment[]): Appointment {
  if (typeof input.start !== 'string' || !/^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2})?(Z|[+-]\d{2}:\d{2})$/.test(input.start)) {
    throw badRequest(`start : date et heure de la consultation avec le fuseau attendues (ex. 2026-10-05T14:30:00+02:00), reçu '${String(input.start)}'`, ['start']);
  }
  if (typeof input.honoured !== 'boolean') throw badRequest('honoured : true (consultation faite) ou false (non honorée)', ['honoured']);
  const need = needOf(prescription);
  if (!need || prescription.status !== 'active') throw businessRule(`ServiceRequest/${prescription.id} n'est pas une prescription active du parcours de soins global après cancer`, ['prescription']);
  const day = datePart(input.start);
  const period = prescription.occurrencePeriod;
  if (period?.start && period.end && (compareDates(day, period.start) < 0 || compareDates(day, period.end) > 0)) {
    throw businessRule(`La consultation du ${longDate(day)} est hors de la période prescrite (du ${longDate(period.start)} au ${longDate(period.end)})`, ['start']);
  }
  const prescribed = prescription.quantityQuantity?.value ?? 1;
  const honoured = done.filter((a) => a.status === 'fulfilled').length;
  if (input.honoured && honoured >= prescribed) {
    throw conflict(`Les ${prescribed} consultation(s) prescrite(s) (${PATHWAY_NEED[need].toLowerCase()}) ont déjà été faites : une nouvelle prescription est nécessaire`);
  }
  return {
    resourceType: 'Appointment',
    status: input.honoured ? 'fulfilled' : 'noshow',
    serviceCategory: [POST_CANCER_PROGRAM],
    serviceType: [needConcept(need)],
    basedOn: [{ reference: `ServiceRequest/${prescription.id}` }],
    start: input.start,
    end: input.start,
    ...(input.comment ? { comment: input.comment } : {}),
    participant: [
      ...(prescription.subject ? [{ actor: prescription.subject as Reference, status: 'accepted' as const }] : []),
      ...(prescription.performer?.[0] ? [{ actor: prescription.performer[0] as Reference, status: 'accepted' as const }] : []),
    ],
  };
}
