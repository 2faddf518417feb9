/**
 * A diagnosis cannot be dated in the future: a Condition's onset or recording date after
 * today is a typing error (2062 for 2026) that would then be printed on every document. A day of
 * margin covers time zones (a date typed in the evening in Paris is already "tomorrow" in UTC+14).
 */
import type { Condition } from '@medplum/fhirtypes';
import { businessRule } from '../fhir-kit/errors.ts';
import { futureDateMessage } from '../fhir-kit/french-dates.ts';
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

export const futureDiagnosisDateRule: WriteRule = ({ action, next }) => {
  if (action === 'delete' || next?.resourceType !== 'Condition') return;
  const found = futureDiagnosisDate(next);
  if (found) throw businessRule(found.text, [found.expression]);
};

export function registerClinicalDateRules(store: Store): void {
  store.addWriteRule('record:no-future-diagnosis', futureDiagnosisDateRule, { types: ['Condition'], pure: true });
}
