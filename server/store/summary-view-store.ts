import type { Executor } from './repository.ts';

/** When each professional last opened each patient's summary (migration 011): "what changed since I last looked". */
export class SummaryViewStore {
  constructor(private readonly db: Executor) {}

  async record(practitionerId: string, patientId: string, at: Date = new Date()): Promise<void> {
    await this.db.raw(
      `INSERT INTO summary_view (practitioner_id, patient_id, viewed_at) VALUES (?, ?, ?)
       ON CONFLICT (practitioner_id, patient_id) DO UPDATE SET viewed_at = GREATEST(summary_view.viewed_at, EXCLUDED.viewed_at)`,
      [practitionerId, patientId, at.toISOString()],
    );
  }

  /** Last views of this professional, by patient id (all patients when `patientIds` is omitted). */
  async lastViews(practitionerId: string, patientIds?: string[]): Promise<Map<string, Date>> {
    const rows = await this.db('summary_view').where({ practitioner_id: practitionerId })
      .modify((q) => { if (patientIds) q.whereIn('patient_id', patientIds); })
      .select('patient_id', 'viewed_at');
    return new Map(rows.map((r: any) => [r.patient_id as string, new Date(r.viewed_at)]));
  }
}
