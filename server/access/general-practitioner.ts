import type { Patient, Practitioner } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import { invalidResource, issue } from '../fhir-kit/errors.ts';
import { parseRelativeReference } from '../fhir-kit/ids.ts';
import type { FhirRepository } from '../store/repository.ts';
import { rolesOfPractitioner } from './directory-roles.ts';
import { isSystem } from './policy.ts';

/** Practitioner/{id} is an active general practitioner of the directory (a role of speciality SM54). */
export async function isDirectoryGp(repo: FhirRepository, practitionerId: string): Promise<boolean> {
  const practitioner = await repo.serviceView().readIfExists<Practitioner>('Practitioner', practitionerId);
  return Boolean(practitioner && practitioner.active !== false && (await rolesOfPractitioner(repo.serviceView(), practitionerId)).includes('gp'));
}

/**
 * A Practitioner named médecin traitant joins the patient's circle of care (store/visibility-sql.ts)
 * and receives the later reports: whoever writes the Patient — the record's « Déclarer le médecin
 * traitant », a FHIR PUT or POST, a transaction — names only a GP of the directory, or the record
 * would open to any professional its writer chose. References kept from the stored version are not
 * judged again (a GP who has since left the directory stays until someone changes it); other
 * reference types open nothing and are left to the structure checks. The service account (imports,
 * the demo) is trusted.
 */
export async function refuseUnlistedGeneralPractitioners(repo: FhirRepository, principal: Principal, next: Patient, previous?: Patient): Promise<void> {
  if (isSystem(principal)) return;
  const kept = new Set((previous?.generalPractitioner ?? []).map((r) => r.reference));
  for (const [index, ref] of (next.generalPractitioner ?? []).entries()) {
    if (!ref.reference || kept.has(ref.reference)) continue;
    const parts = parseRelativeReference(ref.reference);
    if (parts?.type !== 'Practitioner') continue;
    if (!(await isDirectoryGp(repo, parts.id))) {
      throw invalidResource(422, [issue('error', 'business-rule', `${ref.reference} n'est pas un médecin généraliste en exercice de l'annuaire (spécialité SM54, médecine générale) : le médecin traitant se choisit dans la liste des médecins généralistes`, [`Patient.generalPractitioner[${index}]`])]);
    }
  }
}
