/**
 * What of the patient's identity a printed programme shows: the INS only when the identity is
 * qualified. The stripping itself is the identity module's rule (withoutUnqualifiedIns).
 */
import type { Patient } from '@medplum/fhirtypes';
import { identityStatusOf, insIdentifiers, mayShareIns, withoutUnqualifiedIns } from '../identity/index.ts';

export { withoutUnqualifiedIns };

/** The INS to print (qualified identities only, whatever the caller passed). */
export function insOf(patient: Patient): string | undefined {
  if (!mayShareIns(identityStatusOf(patient))) return undefined;
  return insIdentifiers(patient)[0]?.value;
}
