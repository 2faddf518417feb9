import type { Knex } from 'knex';

/**
 * Durable outbox: messages (e.g. a signed RCP report for the GP) written in the same transaction as
 * the change that causes them, drained by any app server with `FOR UPDATE SKIP LOCKED`.
 * `dedup_key` makes enqueueing idempotent (one message per signed version).
 */
export async function up(knex: Knex): Promise<void> {
  if (await knex.schema.hasTable('outbox')) return; // safe to run twice
  await knex.schema.createTable('outbox', (t) => {
    t.bigIncrements('id').primary();
    t.text('kind').notNullable();
    t.jsonb('payload').notNullable();
    t.text('status').notNullable().defaultTo('pending');
    t.integer('attempts').notNullable().defaultTo(0);
    t.timestamp('next_attempt_at', { useTz: true }).notNullable();
    t.timestamp('created_at', { useTz: true }).notNullable();
    t.timestamp('sent_at', { useTz: true });
    t.text('last_error');
    t.text('dedup_key').notNullable().unique();
    // The drainer's query: due messages in order.
    t.index(['status', 'next_attempt_at']);
    t.index(['kind', 'created_at']);
  });
  await knex.raw(`ALTER TABLE outbox ADD CONSTRAINT outbox_status_check CHECK (status IN ('pending', 'sent', 'failed', 'dead'))`);
  await knex.raw(`ALTER TABLE outbox ADD CONSTRAINT outbox_attempts_check CHECK (attempts >= 0)`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('outbox');
}
