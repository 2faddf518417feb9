import type { HumanName, Patient } from '@medplum/fhirtypes';
import { birthNameOf } from './identity-rules.ts';
import { numericDate } from '../fhir-kit/french-dates.ts';

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

/**
 * The used name (RNIV "nom utilisé", FR Core `use: usual`) when its family differs from the birth
 * name's, capitals aside: shown apart from the birth name, never instead of it.
 */
export function usedNameOf(patient: Pick<Patient, 'name'>): HumanName | undefined {
  const birth = shownName(patient.name);
  const used = patient.name?.find((n) => n.use === 'usual' && n !== birth);
  const inCapitals = (family: string | undefined) => family?.trim().toLocaleUpperCase('fr-FR');
  return used?.family?.trim() && inCapitals(used.family) !== inCapitals(birth?.family) ? used : undefined;
}

/**
 * The used name as pages and printouts show it: its family name alone, in capitals ("MARCHETTI").
 * The used first name is another RNIV trait (« prénom utilisé »), not part of the « nom utilisé ».
 * The client mirrors this rule (client/src/lib/patient-identity.ts `usedName`, held equal by
 * test/client/patient-name-parity.test.ts).
 */
export function usedFamilyName(patient: Pick<Patient, 'name'>): string | undefined {
  return usedNameOf(patient)?.family?.trim().toLocaleUpperCase('fr-FR');
}

/**
 * The patient as every printed page names them: the display name and the birth date
 * ("CASTELLANI Hélène Marie, née le 14/03/1958"). RNIV: each page of a document carries the
 * identity traits, so that a loose page cannot be filed in another patient's record.
 */
export function printedPatientIdentity(patient: Pick<Patient, 'name' | 'birthDate' | 'gender'>): string {
  const born = patient.gender === 'female' ? 'née' : patient.gender === 'male' ? 'né' : 'né(e)';
  return `${patientDisplayName(patient)}${patient.birthDate ? `, ${born} le ${numericDate(patient.birthDate)}` : ', date de naissance non renseignée'}`;
}
