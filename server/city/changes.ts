/**
 * "Ce qui a changé": what a city professional must notice between two looks at a patient, read
 * from two consecutive versions of a resource. Plain functions: no store, no clock.
 *
 * - RCP report (fiche RCP Composition): a version that becomes signed (final, or amended for a
 *   signed correction), or a signed report withdrawn (correction entered-in-error). Drafts and
 *   unsigned corrections are the hospital's work in progress, not news for the city.
 * - PPS / PPAC (CarePlan): established, handed over to the patient, updated (with the reason of the
 *   update history, CI-SIS PPS GEN-037), closed.
 * - Oral anticancer treatment (MedicationRequest): started, suspended, resumed, stopped (with the
 *   statusReason), or changed (what: drug, dose, intakes, cycle, dates).
 */
import { cycleOf, cycleRhythm, handOverOf, isOralAnticancer, isPpac, isPps, oralTreatmentPeriod, updateRecordsOf } from '../care-plan/index.ts';
import type { CarePlan, Composition, MedicationRequest, Resource } from '@medplum/fhirtypes';
import { correctionOf, isRcpSheet, isSignedRcpSheet } from '../rcp-sheet/index.ts';
import { dayOf, longDay } from '../fhir-kit/french-dates.ts';
import { frenchNumber } from '../summary/index.ts';

export type ChangeKind =
  | 'rcp-report-signed' | 'rcp-report-corrected' | 'rcp-report-cancelled'
  | 'pps-created' | 'pps-handed-over' | 'pps-updated' | 'pps-closed'
  | 'ppac-created' | 'ppac-handed-over' | 'ppac-updated'
  | 'oral-treatment-prescribed' | 'oral-treatment-started' | 'oral-treatment-changed' | 'oral-treatment-suspended' | 'oral-treatment-resumed' | 'oral-treatment-stopped';

export const CHANGE_LABEL: Record<ChangeKind, string> = {
  'rcp-report-signed': 'Compte rendu de RCP signé',
  'rcp-report-corrected': 'Compte rendu de RCP corrigé',
  'rcp-report-cancelled': 'Compte rendu de RCP annulé',
  'pps-created': 'PPS établi',
  'pps-handed-over': 'PPS remis au patient',
  'pps-updated': 'PPS mis à jour',
  'pps-closed': 'PPS clos',
  'ppac-created': 'PPAC établi',
  'ppac-handed-over': 'PPAC remis au patient',
  'ppac-updated': 'PPAC mis à jour',
  'oral-treatment-prescribed': 'Traitement oral prescrit',
  'oral-treatment-started': 'Traitement oral débuté',
  'oral-treatment-changed': 'Traitement oral modifié',
  'oral-treatment-suspended': 'Traitement oral suspendu',
  'oral-treatment-resumed': 'Traitement oral repris',
  'oral-treatment-stopped': 'Traitement oral arrêté',
};

/** The resource types the changes come from (each read only by the professions allowed to). */
export const CHANGE_TYPES = ['Composition', 'CarePlan', 'MedicationRequest'] as const;
export type ChangeType = (typeof CHANGE_TYPES)[number];

export interface DescribedChange {
  kind: ChangeKind;
  label: string;
  /** Short French sentence for the list. */
  description: string;
  /** Why: the PPS update reason, the treatment's statusReason, the correction's reason. */
  reason?: string;
}

/**
 * What changed from `previous` (undefined: the first version) to `next`, for a city professional;
 * undefined when the new version is nothing they need to notice.
 */
export function describeChange(previous: Resource | undefined, next: Resource): DescribedChange | undefined {
  if (previous && sameContent(previous, next)) return undefined;
  switch (next.resourceType) {
    case 'Composition':
      return describeRcpReportChange(previous as Composition | undefined, next);
    case 'CarePlan':
      return describeProgrammeChange(previous as CarePlan | undefined, next);
    case 'MedicationRequest':
      return describeOralTreatmentChange(previous as MedicationRequest | undefined, next);
    default:
      return undefined;
  }
}

/** Whether a resource is one whose versions the change feed follows (before reading its history). */
export function isFollowed(resource: Resource): boolean {
  if (resource.resourceType === 'Composition') return isRcpSheet(resource);
  if (resource.resourceType === 'CarePlan') return isPps(resource) || isPpac(resource);
  if (resource.resourceType === 'MedicationRequest') return isOralAnticancer(resource);
  return false;
}


const made = (kind: ChangeKind, description: string, reason?: string): DescribedChange => ({ kind, label: CHANGE_LABEL[kind], description, ...(reason ? { reason } : {}) });

// ----- RCP report -------------------------------------------------------------------------------

export function describeRcpReportChange(previous: Composition | undefined, next: Composition): DescribedChange | undefined {
  if (!isRcpSheet(next)) return undefined;
  const title = next.title ?? 'Fiche RCP';
  if (isSignedRcpSheet(next) && !isSignedRcpSheet(previous)) {
    const legal = next.attester?.find((a) => a.mode === 'legal');
    const by = legal?.party?.display ? ` par ${legal.party.display}` : '';
    const when = legal?.time ? ` le ${longDay(legal.time)}` : '';
    const correction = next.status === 'amended' ? correctionOf(next) : undefined;
    if (correction) return made('rcp-report-corrected', `${title} : correction signée${by}${when} — motif : ${correction.reason}`, correction.reason);
    return made('rcp-report-signed', `${title} : compte rendu signé${by}${when}`);
  }
  if (next.status === 'entered-in-error' && previous && isSignedRcpSheet(previous)) {
    const reason = correctionOf(next)?.reason;
    return made('rcp-report-cancelled', `${title} : compte rendu signé annulé${reason ? ` — motif : ${reason}` : ''}`, reason);
  }
  return undefined;
}

// ----- PPS / PPAC ---------------------------------------------------------------------------------

const PLAN_STATUS: Record<string, string> = {
  draft: 'en préparation', active: 'en cours', 'on-hold': 'suspendu', revoked: 'annulé', completed: 'clos', 'entered-in-error': 'saisi par erreur', unknown: 'inconnu',
};

export function describeProgrammeChange(previous: CarePlan | undefined, next: CarePlan): DescribedChange | undefined {
  const pps = isPps(next);
  if (!pps && !isPpac(next)) return undefined;
  const name = pps ? 'PPS' : 'PPAC';
  if (!previous) {
    // A city professional's first readable version of a plan is the one handed over: the versions
    // before it were never theirs to read (store/visibility-sql.ts), so that is what happened for them.
    const handedOver = handOverOf(next);
    if (handedOver) return made(pps ? 'pps-handed-over' : 'ppac-handed-over', `${name} remis au patient le ${longDay(handedOver.date)}`);
    return made(pps ? 'pps-created' : 'ppac-created', `${name} établi${next.status === 'draft' ? ' (en préparation, pas encore remis au patient)' : ''}${next.title ? ` : ${next.title}` : ''}`);
  }
  // The newest update records (the rule appends one per change of a handed-over PPS).
  const added = updateRecordsOf(next).slice(updateRecordsOf(previous).length);
  const latest = added.at(-1);
  const reason = latest ? [latest.reason?.text ?? latest.reason?.coding?.[0]?.display, latest.detail].filter(Boolean).join(' — ') || undefined : undefined;
  if (pps && next.status === 'completed' && previous.status !== 'completed') {
    return made('pps-closed', `PPS clos${reason ? ` — motif : ${reason}` : ''}`, reason);
  }
  const handOver = handOverOf(next);
  const before = handOverOf(previous);
  if (handOver && (!before || before.date !== handOver.date) && !latest) {
    return made(pps ? 'pps-handed-over' : 'ppac-handed-over', `${name} remis au patient le ${longDay(handOver.date)}`);
  }
  const parts: string[] = [];
  if (previous.status !== next.status) parts.push(`statut : ${PLAN_STATUS[previous.status] ?? previous.status} → ${PLAN_STATUS[next.status] ?? next.status}`);
  if (reason) parts.push(`motif : ${reason}`);
  return made(pps ? 'pps-updated' : 'ppac-updated', `${name} mis à jour${parts.length ? ` — ${parts.join(' ; ')}` : ''}`, reason);
}

// ----- oral anticancer treatment --------------------------------------------------------------------

const STOPPED: Record<string, string> = { stopped: 'arrêté', cancelled: 'annulé', completed: 'terminé', 'entered-in-error': 'saisi par erreur' };

/** What the pharmacist compares between two versions of the treatment. */
export interface OralTreatmentFacts {
  medication: string;
  dose?: string;
  timesPerDay?: number;
  cycle?: string;
  start?: string;
  end?: string;
}

export function oralTreatmentFacts(request: MedicationRequest): OralTreatmentFacts {
  const medication = request.medicationCodeableConcept?.text ?? request.medicationCodeableConcept?.coding?.[0]?.display
    ?? request.medicationReference?.display ?? 'Traitement oral';
  const dosage = request.dosageInstruction?.[0];
  const quantity = dosage?.doseAndRate?.[0]?.doseQuantity;
  const repeat = dosage?.timing?.repeat;
  // Cycle lines carry each cycle's dates: the treatment's dates are the printed PPS's (oralTreatmentPeriod).
  const period = oralTreatmentPeriod(request);
  const cycle = cycleOf(request);
  // A cycle without a break reads « en continu », as on the PPS: « 28 j sur 28 » looked like a typo.
  const rhythm = cycle && (cycle.daysOff ? `${cycle.daysOn} j sur ${cycle.daysOn + cycle.daysOff}` : cycleRhythm(cycle));
  return {
    medication,
    ...(quantity?.value !== undefined ? { dose: `${frenchNumber(quantity.value)} ${quantity.unit ?? quantity.code ?? ''}`.trim() } : {}),
    ...(repeat?.frequency !== undefined && repeat.periodUnit === 'd' && (repeat.period ?? 1) === 1 ? { timesPerDay: repeat.frequency } : {}),
    ...(cycle ? { cycle: `${rhythm}${cycle.count ? `, ${cycle.count} cycle${cycle.count > 1 ? 's' : ''}` : ''}` } : {}),
    ...(period?.start ? { start: dayOf(period.start) } : {}),
    ...(period?.end ? { end: dayOf(period.end) } : {}),
  };
}

const intakes = (n: number | undefined) => (n === undefined ? 'non précisé' : n === 1 ? '1 prise par jour' : `${n} prises par jour`);
const day = (d: string | undefined) => (d ? longDay(d) : 'non précisée');

/** "dose : 1500 mg → 1000 mg ; début : 30 mars 2026 → 6 avril 2026" — only what differs. */
export function oralTreatmentDifferences(before: OralTreatmentFacts, after: OralTreatmentFacts): string[] {
  const out: string[] = [];
  if (before.medication !== after.medication) out.push(`médicament : ${before.medication} → ${after.medication}`);
  if (before.dose !== after.dose) out.push(`dose par prise : ${before.dose ?? 'non précisée'} → ${after.dose ?? 'non précisée'}`);
  if (before.timesPerDay !== after.timesPerDay) out.push(`prises : ${intakes(before.timesPerDay)} → ${intakes(after.timesPerDay)}`);
  if (before.cycle !== after.cycle) out.push(`cycle : ${before.cycle ?? 'aucun'} → ${after.cycle ?? 'aucun'}`);
  if (before.start !== after.start) out.push(`début : ${day(before.start)} → ${day(after.start)}`);
  if (before.end !== after.end) out.push(`fin : ${day(before.end)} → ${day(after.end)}`);
  return out;
}

function statusReasonOf(request: MedicationRequest): string | undefined {
  const r = request.statusReason;
  return r?.text ?? r?.coding?.find((c) => c.display)?.display ?? r?.coding?.[0]?.code;
}

export function describeOralTreatmentChange(previous: MedicationRequest | undefined, next: MedicationRequest): DescribedChange | undefined {
  if (!isOralAnticancer(next)) return undefined;
  const facts = oralTreatmentFacts(next);
  const reason = statusReasonOf(next);
  const because = reason ? ` — motif : ${reason}` : '';
  if (!previous) {
    // The dose is per intake (« 1 500 mg par prise, 2 prises par jour »): « 1500 mg, 2 prises par jour » read as a daily dose.
    const posology = [facts.dose && `${facts.dose} par prise, ${intakes(facts.timesPerDay)}`, facts.cycle && (cycleOf(next)?.daysOff === 0 ? facts.cycle : `cycles ${facts.cycle}`)].filter(Boolean).join(', ');
    const period = facts.start ? `, à partir du ${longDay(facts.start)}${facts.end ? ` jusqu'au ${longDay(facts.end)}` : ''}` : '';
    const planned = next.status === 'draft' ? ' (prévu)' : '';
    // Its first version is the prescription: "débuté" announced a treatment starting next week as under way.
    return made('oral-treatment-prescribed', `${facts.medication}${planned}${posology ? ` : ${posology}` : ''}${period}`);
  }
  const differences = oralTreatmentDifferences(oralTreatmentFacts(previous), facts);
  const also = differences.length ? ` ; ${differences.join(' ; ')}` : '';
  if (previous.status !== next.status) {
    if (next.status === 'on-hold') return made('oral-treatment-suspended', `${facts.medication} suspendu${because}${also}`, reason);
    if (next.status in STOPPED) return made('oral-treatment-stopped', `${facts.medication} ${STOPPED[next.status]}${because}${also}`, reason);
    if (next.status === 'active' && previous.status === 'on-hold') return made('oral-treatment-resumed', `${facts.medication} repris${also}`);
    if (next.status === 'active' && previous.status === 'draft') return made('oral-treatment-started', `${facts.medication} débuté${also}`);
  }
  return made('oral-treatment-changed', `${facts.medication} modifié${differences.length ? ` — ${differences.join(' ; ')}` : ''}${because}`, reason);
}

// ----- helpers --------------------------------------------------------------------------------------------

/** Two versions with the same content (meta and narrative aside) are not a change. */
function sameContent(a: Resource, b: Resource): boolean {
  return canonical(strip(a)) === canonical(strip(b));
}

function strip(resource: Resource): unknown {
  const { meta: _meta, text: _text, ...rest } = resource as Resource & { text?: unknown };
  return rest;
}

function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v);
}

export { isOralAnticancer };
