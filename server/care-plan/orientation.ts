/**
 * After-cancer pathway (parcours de soins global après le traitement d'un cancer, décret
 * n° 2020-1665, arrêté du 24 décembre 2020): the checks made when the PPAC orients the patient to
 * a structure, and when it starts while an oral treatment still runs. Plain functions: the caller
 * reads the structure and the treatments through its repository and passes them here.
 */
import type { HealthcareService, MedicationRequest, Organization, Reference } from '@medplum/fhirtypes';
import { businessRule } from '../fhir-kit/errors.ts';
import { isLabelledOn, isPharmacy, labelOf } from '../directories/index.ts';
import { longDate } from '../fhir-kit/french-dates.ts';

export interface OrientationTarget {
  reference: Reference;
  /** The resource the reference points to; undefined when it does not exist (or was deleted). */
  target?: HealthcareService | Organization;
  /** The organization behind it: the target itself, or the service's providedBy. */
  organization?: Organization;
  /** When the target is an Organization: the services it provides (one must hold the label). */
  services?: HealthcareService[];
}

/**
 * Refuses an orientation the patient could not follow: a structure missing from the directory, a
 * pharmacy, or a structure without a valid after-cancer label on `date` (only labelled structures
 * take the pathway's consultations — décret 2020-1665). Returns the labelled service.
 */
export function checkOrientation(o: OrientationTarget, date: string, field = 'needsEvaluation.structure'): HealthcareService {
  const FIELD = [field];
  const ref = o.reference.reference ?? '';
  const name = o.target?.name ? `« ${o.target.name} » (${ref})` : ref;
  if (!o.target) {
    throw businessRule(`La structure d'orientation ${ref} n'existe pas dans l'annuaire (ou a été supprimée) : choisissez une structure labellisée de l'annuaire régional`, FIELD);
  }
  if (isPharmacy(o.organization)) {
    throw businessRule(`${name} est une pharmacie d'officine : l'évaluation des besoins de l'après-cancer se fait dans une structure labellisée par l'ARS, pas dans une pharmacie`, FIELD);
  }
  const candidates = o.target.resourceType === 'HealthcareService' ? [o.target] : (o.services ?? []);
  const labelled = candidates.find((s) => isLabelledOn(s, date));
  if (labelled) return labelled;
  const withdrawn = candidates.map(labelOf).find((l) => l?.withdrawn && l.withdrawn <= date);
  if (withdrawn) {
    throw businessRule(`${name} n'est plus labellisée pour le parcours de soins global après cancer : label retiré le ${longDate(withdrawn.withdrawn)}. Choisissez une autre structure labellisée de l'annuaire`, FIELD);
  }
  if (candidates.some((s) => s.active === false)) {
    throw businessRule(`${name} n'est plus active dans l'annuaire : choisissez une autre structure labellisée`, FIELD);
  }
  throw businessRule(`${name} n'est pas une structure labellisée pour le parcours de soins global après cancer (décret n° 2020-1665) au ${longDate(date)} : choisissez une structure labellisée de l'annuaire régional`, FIELD);
}

export interface RemainingCycles {
  medication: string;
  /** Cycles whose intake days end after the end of active treatment. */
  count: number;
  lastDay: string;
}

/**
 * Cycles of the oral anticancer treatments still to take after the declared end of active
 * treatment: the PPAC takes over when treatment is over, so a remaining cycle means either the
 * end date is wrong or the treatment must be stopped — the author is warned, not blocked
 * (a treatment stopped early is not always recorded yet).
 */
export function remainingOralCycles(requests: MedicationRequest[], endOfTreatment: string): RemainingCycles[] {
  const remaining: RemainingCycles[] = [];
  for (const request of requests) {
    if (request.status !== 'active' && request.status !== 'on-hold' && request.status !== 'draft') continue;
    const later = (request.dosageInstruction ?? [])
      .map((d) => d.timing?.repeat?.boundsPeriod?.end?.slice(0, 10))
      .filter((end): end is string => typeof end === 'string' && end > endOfTreatment);
    if (!later.length) continue;
    const medication = request.medicationCodeableConcept?.text ?? request.medicationCodeableConcept?.coding?.[0]?.display ?? request.medicationReference?.display ?? 'traitement oral';
    remaining.push({ medication, count: later.length, lastDay: later.sort().at(-1)! });
  }
  return remaining;
}

export function remainingCyclesWarning(r: RemainingCycles, endOfTreatment: string): string {
  const cycles = r.count === 1 ? '1 cycle reste prévu' : `${r.count} cycles restent prévus`;
  return `Traitement oral en cours : ${cycles} de ${r.medication} après la fin des traitements actifs déclarée le ${longDate(endOfTreatment)} (dernière prise prévue le ${longDate(r.lastDay)}). Vérifiez la date de fin des traitements ou arrêtez le traitement.`;
}
