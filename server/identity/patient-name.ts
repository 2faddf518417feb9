import type { HumanName, Patient } from '@medplum/fhirtypes';
import { birthNameOf } from './identity-rules.ts';

/**
 * The name a patient is shown by, on every page and list: the birth name in capitals, then the
 * first names ("CASTELLANI Hélène Marie", RNIV). Lists built their own, some from the first name
 * listed (which may be the used name) and in another order ("Hélène Marie CASTELLANI").
 */
export function patientDisplayName(patient: Pick<Patient, 'name'>): string {
  const n = shownName(patient.name);
  if (!n) return 'Patient sans nom';
  return [n.family?.toLocaleUpperCase('fr-FR'), ...(n.given ?? [])].filter(Boolean).join(' ') || n.text || 'Patient sans nom';
}

/** The birth name as the identity rules read it (birthNameOf), else any name not marked old, else the first. */
export function shownName(names: HumanName[] | undefined): HumanName | undefined {
  return birthNameOf({ resourceType: 'Patient', ...(names ? { name: names } : {}) }) ?? names?.find((x) => x.use !== 'old') ?? names?.[0];
}
