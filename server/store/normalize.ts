import { foldForComparison } from '../fhir-kit/text.ts';

/** Search form of a string: lower case without accents, so 'hélène' and 'HELENE' match 'Hélène'. */
export function normalizeString(value: string): string {
  return foldForComparison(value).trim();
}
