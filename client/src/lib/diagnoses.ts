import type { Condition } from '@medplum/fhirtypes';

/**
 * The diagnoses of a record as the hospital pages list and offer them. No relative import: the
 * mocha unit tests load this file directly.
 */

const VER_STATUS = 'http://terminology.hl7.org/CodeSystem/condition-ver-status';

/** Marked « saisie erronée » (verificationStatus entered-in-error): shown as such, never offered. */
export function isEnteredInError(condition: Condition): boolean {
  return Boolean(condition.verificationStatus?.coding?.some((c) => c.system === VER_STATUS && c.code === 'entered-in-error'));
}

/** The diagnoses one may register a case on: every Condition of the bundle but those entered in error. */
export function offeredDiagnoses(conditions: (Condition | undefined)[]): Condition[] {
  return conditions.filter((c): c is Condition => c?.resourceType === 'Condition' && !isEnteredInError(c));
}

/** Why it was marked (the last note the server wrote: « Saisie erronée : … »), or undefined. */
export function enteredInErrorReason(condition: Condition): string | undefined {
  if (!isEnteredInError(condition)) return undefined;
  const note = [...(condition.note ?? [])].reverse().find((n) => n.text?.startsWith('Saisie erronée : '));
  return note?.text?.slice('Saisie erronée : '.length);
}
