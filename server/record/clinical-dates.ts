/**
 * A diagnosis cannot be dated in the future: a Condition's onset or recording date after
 * today is a typing error (2062 for 2026) that would then be printed on every document. A day of
 * margin covers time zones (a date typed in the evening in Paris is already "tomorrow" in UTC+14).
 * Nor before the patient's birth (1955 for 1965): the same slip, the other way.
 */
import type { Condition, Patient } from '@medplum/fhirtypes';
import { isEnteredInError } from '../fhir-kit/condition-status.ts';
import { businessRule } from '../fhir-kit/errors.ts';
import { beforeBirthMessage, futureDateMessage } from '../fhir-kit/french-dates.ts';
import { readOptional } from '../store/optional-reads.ts';
import type { WriteRule } from '../store/repository.ts';
import type { Store } from '../store/store.ts';

const DIAGNOSIS_DATES: { key: 'onsetDateTime' | 'recordedDate'; label: string }[] = [
  { key: 'onsetDateTime', label: 'La date du diagnostic' },
  { key: 'recordedDate', label: "La date d'enregistrement du diagnostic" },
];

export function futureDiagnosisDate(condition: Condition, now = new Date()): { expression: string; text: string } | undefined {
  const limit = now.getTime() + 86_400_000;
  for (const { key, label } of DIAGNOSIS_DATES) {
    const value = condition[key];
    if (typeof value !== 'string') continue;
    const time = Date.parse(value.length === 4 ? `${value}-01-01` : value.length === 7 ? `${value}-01` : value);
    if (!Number.isNaN(time) && time > limit) {
      return { expression: `Condition.${key}`, text: futureDateMessage(label, value, "vérifiez l'année et le mois saisis") };
    }
  }
  return undefined;
}

/** A diagnosis date before the patient's birth date, or undefined. */
export function diagnosisDateBeforeBirth(condition: Condition, birthDate: string | undefined): { expression: string; text: string } | undefined {
  for (const { key, label } of DIAGNOSIS_DATES) {
    const value = condition[key];
    const text = typeof value === 'string' ? beforeBirthMessage(label, value, birthDate) : undefined;
    if (text) return { expression: `Condition.${key}`, text };
  }
  return undefined;
}

// A diagnosis being marked « saisie erronée » keeps its wrong dates: that is how it is corrected.
const markedInError = isEnteredInError;

export const futureDiagnosisDateRule: WriteRule = ({ action, next }) => {
  if (action === 'delete' || next?.resourceType !== 'Condition' || markedInError(next)) return;
  const found = futureDiagnosisDate(next);
  if (found) throw businessRule(found.text, [found.expression]);
};

/**
 * Reads the subject (whoever writes: the rule holds for every writer) only when the Condition
 * carries a date; a subject that is not a Patient or not found is left to the other rules.
 */
export const diagnosisBeforeBirthRule: WriteRule = async ({ action, next }, tx) => {
  if (action === 'delete' || next?.resourceType !== 'Condition' || markedInError(next)) return;
  if (typeof next.onsetDateTime !== 'string' && typeof next.recordedDate !== 'string') return;
  const [type, id] = (next.subject?.reference ?? '').split('/');
  if (type !== 'Patient' || !id) return;
  const patient = await readOptional<Patient>(tx.serviceView(), 'Patient', id);
  const found = diagnosisDateBeforeBirth(next, patient?.birthDate);
  if (found) throw businessRule(found.text, [found.expression]);
};

export function registerClinicalDateRules(store: Store): void {
  store.addWriteRule('record:no-future-diagnosis', futureDiagnosisDateRule, { types: ['Condition'], pure: true });
  store.addWriteRule('record:no-diagnosis-before-birth', diagnosisBeforeBirthRule, { types: ['Condition'] });
}
