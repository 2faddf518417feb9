/**
 * Oral anticancer treatments as the community pharmacist dispenses them: drug (coded), dose,
 * intakes, cycle and cycle dates, start and end, prescriber, status (started, suspended, stopped
 * with its reason) and what to check at dispensing.
 */
import { cycleOf, cycleRhythm, isOralAnticancer, oralTreatmentPeriod } from '../care-plan/index.ts';
import type { MedicationRequest, Reference } from '@medplum/fhirtypes';
import { dayOf, longDay } from '../fhir-kit/french-dates.ts';

export type TreatmentState = 'planned' | 'started' | 'suspended' | 'stopped' | 'cancelled' | 'completed' | 'draft' | 'unknown';

export interface OralTreatmentLine {
  request: MedicationRequest;
  drug: string;
  /** Codes of the drug, "ATC L01BC06". */
  codes: string[];
  dose?: string;
  /** Intakes, e.g. "2 prises par jour". */
  schedule?: string;
  cycle?: string;
  cycleDates: string[];
  start?: string;
  end?: string;
  state: TreatmentState;
  /** "en cours depuis le 30 mars 2026", "suspendu — neutropénie de grade 3"… */
  stateLabel: string;
  statusReason?: string;
  prescriber?: Reference;
  /** What the patient is told about the intakes (« dans les 30 minutes qui suivent le repas »). */
  instructions: string[];
  /** Side effects the prescription names (each once, without the « Effet indésirable à surveiller : » of every line). */
  sideEffects: string[];
  /** What the pharmacist checks when dispensing (interactions, mandatory checks, side effects). */
  dispensing: string[];
}

const ATC = 'http://www.whocc.no/atc';

/** How care-plan/oral-treatment.ts writes a side effect to watch into each dosage line. */
const SIDE_EFFECT = /^Effet indésirable à surveiller : /;

const FRENCH_NUMBER = new Intl.NumberFormat('fr-FR', { maximumFractionDigits: 3 });

/** « 1 500 », « 0,5 »: a dose as French prints it (Intl, fr-FR). */
export function frenchNumber(value: number): string {
  return FRENCH_NUMBER.format(value);
}


/**
 * Points to check at dispensing for a few oral anticancer drugs, by ATC code (and name as a
 * fallback). Sources: ANSM / INCa (recherche du déficit en DPD avant fluoropyrimidine, 2018–2019),
 * summaries of product characteristics.
 */
const DISPENSING: { atc: string; name: RegExp; notes: string[] }[] = [
  {
    atc: 'L01BC06',
    name: /cap[ée]citabine/i,
    notes: [
      "Fluoropyrimidine : vérifier sur l'ordonnance la mention « Résultats de l'uracilémie pris en compte » (recherche du déficit en DPD obligatoire avant traitement)",
      'Contre-indication absolue avec la brivudine (Zonavir) : toxicité grave, parfois mortelle',
      "Interactions : antivitamines K (surveiller l'INR), phénytoïne (surveiller les concentrations)",
      'Effets à surveiller : syndrome main-pied, diarrhée, mucite, nausées ; fièvre (neutropénie)',
    ],
  },
];

function drugName(request: MedicationRequest): string {
  const c = request.medicationCodeableConcept;
  return c?.text ?? c?.coding?.find((x) => x.display)?.display ?? request.medicationReference?.display ?? 'Médicament';
}

function codesOf(request: MedicationRequest): string[] {
  return (request.medicationCodeableConcept?.coding ?? []).filter((c) => c.code).map((c) => `${c.system === ATC ? 'ATC' : c.system ?? ''} ${c.code}`.trim());
}

function frequencyLabel(n: number | undefined, period: number | undefined, unit: string | undefined): string | undefined {
  if (!n) return undefined;
  if (unit === 'd' && (period ?? 1) === 1) return n === 1 ? '1 prise par jour' : n === 2 ? '2 prises par jour (matin et soir)' : `${n} prises par jour`;
  if (unit === 'wk' && (period ?? 1) === 1) return `${n} prise${n > 1 ? 's' : ''} par semaine`;
  return `${n} prise${n > 1 ? 's' : ''} toutes les ${period ?? 1} ${unit ?? ''}`.trim();
}

/** One oral treatment read for dispensing, its state judged on `today` (YYYY-MM-DD). */
export function oralTreatmentLine(request: MedicationRequest, today: string): OralTreatmentLine {
  const dosages = request.dosageInstruction ?? [];
  const first = dosages[0];
  const dose = first?.doseAndRate?.[0]?.doseQuantity;
  const repeat = first?.timing?.repeat;
  // The dates of the printed PPS and the programme rows (oralTreatmentPeriod): this line once took
  // the earliest start and the latest end, so one treatment could show two periods in one summary.
  const period = oralTreatmentPeriod(request);
  const start = period?.start;
  const end = period?.end ?? request.dispenseRequest?.validityPeriod?.end;
  const cycle = cycleOf(request);
  const cycleDates = dosages
    .filter((d) => d.sequence && d.timing?.repeat?.boundsPeriod?.start)
    .map((d) => `cycle ${d.sequence} : du ${longDay(d.timing!.repeat!.boundsPeriod!.start)} au ${longDay(d.timing!.repeat!.boundsPeriod!.end)}`);
  const reason = request.statusReason?.text ?? request.statusReason?.coding?.[0]?.display;
  const withReason = (label: string) => (reason ? `${label} — motif : ${reason}` : label);
  let state: TreatmentState;
  let stateLabel: string;
  switch (request.status) {
    case 'active':
      if (start && dayOf(start) > today) {
        state = 'planned';
        stateLabel = `prescrit, début prévu le ${longDay(start)}`;
      } else {
        state = 'started';
        stateLabel = start ? `en cours depuis le ${longDay(start)}` : 'en cours';
      }
      break;
    case 'on-hold':
      state = 'suspended';
      stateLabel = withReason('suspendu');
      break;
    case 'stopped':
      state = 'stopped';
      stateLabel = withReason('arrêté');
      break;
    case 'cancelled':
      state = 'cancelled';
      stateLabel = withReason('annulé');
      break;
    case 'completed':
      state = 'completed';
      stateLabel = 'terminé';
      break;
    case 'draft':
      state = 'draft';
      stateLabel = 'en préparation';
      break;
    default:
      state = 'unknown';
      stateLabel = request.status;
  }
  const atc = (request.medicationCodeableConcept?.coding ?? []).filter((c) => c.system === ATC).map((c) => c.code);
  const name = drugName(request);
  const known = DISPENSING.find((d) => atc.includes(d.atc) || d.name.test(name));
  const additional = dosages.flatMap((d) => (d.additionalInstruction ?? []).map((a) => a.text ?? a.coding?.[0]?.display)).filter((t): t is string => Boolean(t));
  const sideEffects = [...new Set(additional.filter((t) => SIDE_EFFECT.test(t)).map((t) => t.replace(SIDE_EFFECT, '')))];
  const instructions = [
    ...new Set([
      ...dosages.map((d) => d.patientInstruction).filter((t): t is string => Boolean(t)),
      ...additional.filter((t) => !SIDE_EFFECT.test(t)),
    ]),
  ];
  return {
    request,
    drug: name,
    codes: codesOf(request),
    ...(dose?.value !== undefined ? { dose: `${frenchNumber(dose.value)} ${dose.unit ?? dose.code ?? ''}`.trim() + ' par prise' } : {}),
    ...(frequencyLabel(repeat?.frequency, repeat?.period, repeat?.periodUnit) ? { schedule: frequencyLabel(repeat?.frequency, repeat?.period, repeat?.periodUnit) } : {}),
    ...(cycle ? { cycle: `${cycleRhythm(cycle)}${cycle.count ? `, ${cycle.count} cycle${cycle.count > 1 ? 's' : ''} prévu${cycle.count > 1 ? 's' : ''}` : ''}` } : {}),
    cycleDates,
    ...(start ? { start: dayOf(start) } : {}),
    ...(end ? { end: dayOf(end) } : {}),
    state,
    stateLabel,
    ...(reason ? { statusReason: reason } : {}),
    ...(request.requester ? { prescriber: request.requester } : {}),
    instructions,
    sideEffects,
    dispensing: [...(known?.notes ?? []), ...(request.note ?? []).map((n) => n.text).filter(Boolean)],
  };
}

/** Current treatments first (started, planned, suspended), then the stopped ones; newest first within. */
export function oralTreatmentLines(requests: MedicationRequest[], today: string): OralTreatmentLine[] {
  const order: Record<TreatmentState, number> = { started: 0, planned: 1, suspended: 2, draft: 3, stopped: 4, cancelled: 5, completed: 6, unknown: 7 };
  return requests
    .filter((r) => isOralAnticancer(r) && r.status !== 'entered-in-error')
    .map((r) => oralTreatmentLine(r, today))
    .sort((a, b) => order[a.state] - order[b.state] || (b.request.authoredOn ?? '').localeCompare(a.request.authoredOn ?? ''));
}

export { isOralAnticancer };
