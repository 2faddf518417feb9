import type { Patient } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { printedPatientIdentity } from '../identity/index.ts';
import type { AccessStore, BreakGlassGrant } from '../store/access-store.ts';
import type { Store } from '../store/store.ts';
import { buildAuditEvent } from './audit.ts';

/** A grant as the security officer reviews it: whose record, by the patient's identity traits. */
export type ReviewedGrant = BreakGlassGrant & { patientIdentity?: string };

/**
 * The emergency accesses to review, each naming its patient (« CASTELLANI Hélène Marie, née le
 * 14/03/1958 », the shared display name): the list said only « Voir les accès au dossier », and the
 * officer opened each trail to learn whose record it was. Identity traits only, no clinical data
 * (separation of duties, policy.ts); reading them is traced like the officer's patient lookup.
 */
export async function listBreakGlassForReview(
  store: Store, accessStore: AccessStore, ctx: RequestContext, options: { since?: string; unreviewedOnly: boolean },
): Promise<ReviewedGrant[]> {
  const grants = await accessStore.listBreakGlass({ ...options, limit: 500 });
  const ids = [...new Set(grants.map((g) => g.patientId))];
  if (!ids.length) return grants;
  const repo = store.system();
  const patients = await repo.readManyIfExists<Patient>('Patient', ids);
  await repo.append(buildAuditEvent(ctx, {
    interaction: 'read', outcome: 'success',
    resources: [...patients.keys()].map((id) => ({ resourceType: 'Patient', id, patientId: id })),
    detail: "Identité des patients des accès d'urgence à relire (responsable de la sécurité)",
  }, new Set()));
  return grants.map((g) => {
    const patient = patients.get(g.patientId);
    return patient ? { ...g, patientIdentity: printedPatientIdentity(patient) } : g;
  });
}
