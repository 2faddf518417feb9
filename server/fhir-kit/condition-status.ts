import type { Resource } from '@medplum/fhirtypes';

export const CONDITION_VER_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/**
 * A Condition marked « saisie erronée » (verificationStatus entered-in-error): kept in the record's
 * history, left out of everything that counts or offers diagnoses.
 */
export function isEnteredInError(resource: Resource | undefined): boolean {
  return resource?.resourceType === 'Condition' && Boolean(resource.verificationStatus?.coding?.some((c) => c.system === CONDITION_VER_STATUS && c.code === 'entered-in-error'));
}
