import type { Knex } from 'knex';

/**
 * Delivery of what the DCC shares with the city (issue 6):
 * - outbox rows get `withheld` (not sent: the patient objected, or the recipient may no longer see
 *   it) and `sending` (a lease: claimed by one drainer until `next_attempt_at`, then due
 *   again if that drainer died mid-send), and columns to find a report's deliveries without
 *   reading JSON: `topic` (what is delivered, e.g. `Composition/1/_history/3`), `parent_id` (the
 *   event a delivery was fanned out from), `recipient` (`Practitioner/…`, or the push endpoint) and
 *   `patient_id`.
 * - `summary_view`: when each professional last opened each patient's summary ("what changed since
 *   I last looked").
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('outbox', 'topic'))) {
    await knex.schema.alterTable('outbox', (t) => {
      t.text('topic');
      t.bigInteger('parent_id').references('id').inTable('outbox');
      t.text('recipient');
      t.text('patient_id');
      t.index(['topic']);
      t.index(['parent_id']);
      t.index(['patient_id', 'created_at']);
    });
    // Reports queued before this migration: their topic and patient, so the 3C finds their status.
    await knex.raw(`UPDATE outbox SET topic = (payload->>'composition') || '/_history/' || (payload->>'compositionVersion'),
                      patient_id = regexp_replace(payload->>'patient', '^Patient/', '')
                    WHERE kind = 'rcp-report' AND topic IS NULL`);
    await knex.raw(`ALTER TABLE outbox DROP CONSTRAINT outbox_status_check`);
    await knex.raw(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sending', 'sent', 'failed', 'dead', 'withheld'))`);
  }
  if (!(await knex.schema.hasTable('summary_view'))) {
    await knex.schema.createTable('summary_view', (t) => {
      t.text('practitioner_id').notNullable();
      t.text('patient_id').notNullable();
      t.timestamp('viewed_at', { useTz: true }).notNullable();
      t.primary(['practitioner_id', 'patient_id']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('summary_view');
  await knex.raw(`ALTER TABLE outbox DROP CONSTRAINT IF EXISTS outbox_status_check`);
  await knex.raw(`DELETE FROM outbox WHERE parent_id IS NOT NULL`); // deliveries did not exist before
  await knex.raw(`UPDATE outbox SET status = 'pending' WHERE status IN ('sending', 'withheld')`);
  await knex.raw(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'dead'))`);
  await knex.schema.alterTable('outbox', (t) => {
    t.dropColumn('topic');
    t.dropColumn('parent_id');
    t.dropColumn('recipient');
    t.dropColumn('patient_id');
  });
}
