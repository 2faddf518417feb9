import type { Database } from '../../server/store/database.ts';
import type { BreakGlassRequest } from '../../server/store/access-store.ts';

/**
 * An emergency access that started `startedAgoMs` before the database's now() and lasted
 * `durationMs`: the app only opens grants from now on (AccessStore.grantBreakGlass), tests also
 * need ended ones. Both ends on the database's clock, the one that judges them.
 */
export async function backdatedGrant(db: Database, grant: BreakGlassRequest, { startedAgoMs, durationMs }: { startedAgoMs: number; durationMs: number }): Promise<void> {
  const ago = (ms: number) => db.raw('now() - make_interval(secs => ?::double precision)', [ms / 1000]);
  await db('break_glass_grant').insert({
    practitioner_id: grant.practitionerId, idnps: grant.idnps, display_name: grant.displayName, patient_id: grant.patientId,
    reason: grant.reason, created_at: ago(startedAgoMs), expires_at: ago(startedAgoMs - durationMs),
  });
}
