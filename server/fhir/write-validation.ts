import type { Resource } from '@medplum/fhirtypes';
import { invalidResource } from './errors.ts';
import { validateFhirResource } from './validation.ts';

/**
 * Every write is checked against FHIR R4 before it reaches the database: not valid FHIR → 400,
 * valid FHIR with a code outside a required value set → 422. (DCC profiles plug in here.)
 */
export function validateForWrite(resource: Resource): void {
  const result = validateFhirResource(resource);
  if (result.structural.length) throw invalidResource(400, result.structural);
  if (result.bindings.length) throw invalidResource(422, result.bindings);
}
