import type { Patient } from '@medplum/fhirtypes';

/**
 * Who receives a signed RCP report, worded as the server addresses it (server/rcp/decision.ts
 * recipientsOf): the declared GPs, then the requester unless he is one of them; without a declared
 * GP, the requester only. No relative import: the mocha unit tests load this file directly.
 */
export function reportRecipients(patient: Patient, requester: { reference: string; display?: string }): string {
  const gps = (patient.generalPractitioner ?? []).filter((g) => g.reference?.startsWith('Practitioner/'));
  const requesterName = requester.display ?? 'le médecin demandeur';
  if (!gps.length) return `au seul médecin demandeur, ${requesterName} : le patient n’a pas de médecin traitant déclaré`;
  const gpNames = gps.map((g) => g.display ?? 'déclaré dans le dossier').join(', ');
  if (gps.some((g) => g.reference === requester.reference)) return `au médecin traitant, qui est aussi le médecin demandeur : ${gpNames}`;
  return `au médecin traitant (${gpNames}) et au médecin demandeur (${requesterName})`;
}
