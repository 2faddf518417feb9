import type { Resource } from '@medplum/fhirtypes';
import { invalidResource } from '../fhir-kit/errors.ts';
import { takeStructureCheck, validateCheckedStructure, validateFhirResource } from '../fhir-kit/validation.ts';
import { requireSoundStructure } from '../fhir-kit/structure-check.ts';
import { validateDccProfile } from '../profiles/index.ts';

/**
 * Every write is checked before it reaches the database:
 * - not valid FHIR R4 → 400 (structure first: a profile check on a malformed resource says nothing useful);
 * - valid FHIR with a code outside a required value set, or breaking the DCC profile it claims or
 *   its kind selects (server/profiles/, fhir-profiles/README.md) → 422 listing every failing item.
 * A resource that neither claims nor matches a DCC profile is only checked against base FHIR.
 * Content whose structure was checked where it came in (checkBody) is not checked for it twice.
 */
export function validateForWrite(resource: Resource): void {
  const checked = takeStructureCheck(resource);
  if (!checked) requireSoundStructure(resource, resource.resourceType);
  const result = checked ? validateCheckedStructure(resource) : validateFhirResource(resource);
  if (result.structural.length) throw invalidResource(400, result.structural);
  const issues = [...result.bindings, ...validateDccProfile(resource)];
  if (issues.length) throw invalidResource(422, issues);
}
