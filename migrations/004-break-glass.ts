import type { Knex } from 'knex';

/** Emergency access grants ("bris de glace"): time-limited, with the stated reason, kept for review. */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('break_glass_grant')) return;
  await knex.schema.createTable('break_glass_grant', (t) => {
    t.bigIncrements('id').primary();
    t.text('practitioner_id').notNullable();
    t.text('idnps');
    t.text('display_name').notNullable();
    t.text('patient_id').notNullable();
    t.text('reason').notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('expires_at', { useTz: true }).notNullable();
    t.timestamp('reviewed_at', { useTz: true });
    t.index(['practitioner_id', 'patient_id', 'expires_at']);
    t.index(['created_at']);
  });
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('break_glass_grant');
}
