import { nowPlus, type Database } from './database.ts';
import type { Executor } from './repository.ts';

export interface BreakGlassGrant {
  id: string;
  practitionerId: string;
  idnps: string | null;
  displayName: string;
  patientId: string;
  reason: string;
  createdAt: string;
  expiresAt: string;
  reviewedAt: string | null;
  /** The review: by someone other than the grantee, once (the database refuses a second one). */
  review?: BreakGlassReview;
  /** Still running by the database's clock (listed and found grants): a running access is not reviewed yet. */
  active?: boolean;
}

export interface BreakGlassReview {
  reviewerId: string;
  reviewerName: string;
  verdict: 'justified' | 'unjustified';
  comment?: string;
}

/** What the physician opening an emergency access says; its start and end are the database's. */
export type BreakGlassRequest = Pick<BreakGlassGrant, 'practitionerId' | 'idnps' | 'displayName' | 'patientId' | 'reason'>;

/**
 * Emergency-access grants: the SQL of the access module. Whether a grant still runs is decided by
 * the database's clock (`now()`), the one the SQL access rule dcc_emergency reads with: with the
 * application's, the page said « accès en cours » near a grant's end while reads were refused.
 * Its start, end and review time are set by that clock too: app servers' clocks differ, and the
 * security officer reads one timeline.
 */
export class AccessStore {
  constructor(private readonly db: Database) {}

  /** Opens a grant from the database's now() for `durationMs`; both ends come back with it. */
  async grantBreakGlass(grant: BreakGlassRequest, durationMs: number, executor: Executor = this.db): Promise<BreakGlassGrant> {
    const [row] = await executor('break_glass_grant')
      .insert({
        practitioner_id: grant.practitionerId, idnps: grant.idnps, display_name: grant.displayName, patient_id: grant.patientId,
        // One statement, one now(): the grant lasts exactly its duration.
        reason: grant.reason, created_at: executor.fn.now(), expires_at: nowPlus(executor, durationMs),
      })
      .returning('*');
    return toGrant(row);
  }

  /** Patients the practitioner currently holds emergency access to, among those given. */
  async activeBreakGlassPatients(practitionerId: string, patientIds: string[], executor: Executor = this.db): Promise<Set<string>> {
    if (!patientIds.length) return new Set();
    // `executor`: the caller's transaction when there is one (PGlite has a single connection).
    const rows = await executor('break_glass_grant')
      .where('practitioner_id', practitionerId)
      .whereIn('patient_id', patientIds)
      .where('expires_at', '>', executor.fn.now())
      .distinct('patient_id');
    return new Set(rows.map((r: { patient_id: string }) => r.patient_id));
  }

  /** The practitioner's running emergency access to one patient (the one that ends last), if any. */
  async activeBreakGlass(practitionerId: string, patientId: string): Promise<BreakGlassGrant | undefined> {
    const row = await this.db('break_glass_grant')
      .where({ practitioner_id: practitionerId, patient_id: patientId })
      .where('expires_at', '>', this.db.fn.now())
      .orderBy('expires_at', 'desc')
      .first();
    return row ? toGrant(row) : undefined;
  }

  async listBreakGlass(options: { since?: string; unreviewedOnly?: boolean; limit: number }): Promise<BreakGlassGrant[]> {
    const rows = await this.db('break_glass_grant')
      .select('*', this.db.raw('expires_at > now() AS active'))
      .modify((q) => {
        if (options.since) q.where('created_at', '>=', options.since);
        if (options.unreviewedOnly) q.whereNull('reviewed_at');
      })
      .orderBy('created_at', 'desc')
      .limit(options.limit);
    return rows.map(toGrant);
  }

  async findBreakGlass(id: string, executor: Executor = this.db): Promise<BreakGlassGrant | undefined> {
    if (!/^\d{1,18}$/.test(id)) return undefined;
    const row = await executor('break_glass_grant').select('*', executor.raw('expires_at > now() AS active')).where({ id }).first();
    return row ? toGrant(row) : undefined;
  }

  /**
   * Records the review of an ended grant; false when the grant was already reviewed (a concurrent
   * reviewer won) or still runs (what it allowed is not all known yet).
   */
  async recordReview(id: string, review: BreakGlassReview, executor: Executor = this.db): Promise<boolean> {
    const updated = await executor('break_glass_grant').where({ id }).whereNull('reviewed_at').where('expires_at', '<=', executor.fn.now()).update({
      reviewed_at: executor.fn.now(), reviewer_id: review.reviewerId, reviewer_name: review.reviewerName, verdict: review.verdict, review_comment: review.comment ?? null,
    });
    return updated === 1;
  }
}

function toGrant(row: any): BreakGlassGrant {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: String(row.id), practitionerId: row.practitioner_id, idnps: row.idnps, displayName: row.display_name, patientId: row.patient_id,
    reason: row.reason, createdAt: iso(row.created_at)!, expiresAt: iso(row.expires_at)!, reviewedAt: iso(row.reviewed_at),
    ...(row.active !== undefined && row.active !== null ? { active: Boolean(row.active) } : {}),
    ...(row.verdict ? { review: { reviewerId: row.reviewer_id, reviewerName: row.reviewer_name, verdict: row.verdict, ...(row.review_comment ? { comment: row.review_comment } : {}) } } : {}),
  };
}
