import type { Knex } from 'knex';

/**
 * Browser sessions live in the database so app servers stay stateless; `login_state` keeps the
 * short-lived state of a sign-in in progress (SAML request ids for InResponseTo, OIDC state/nonce/
 * PKCE verifier) and the ids of consumed assertions, so a replay is refused on any app server.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasTable('session'))) {
    await knex.schema.createTable('session', (t) => {
      t.text('id').primary(); // SHA-256 of the cookie token: a database leak does not leak live cookies
      t.jsonb('principal').notNullable();
      t.text('csrf_token').notNullable();
      t.timestamp('created_at', { useTz: true }).notNullable();
      t.timestamp('last_seen_at', { useTz: true }).notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.index(['expires_at']);
    });
  }
  if (!(await knex.schema.hasTable('login_state'))) {
    await knex.schema.createTable('login_state', (t) => {
      t.text('id').primary();
      t.text('kind').notNullable();
      t.jsonb('data').notNullable();
      t.timestamp('expires_at', { useTz: true }).notNullable();
      t.index(['expires_at']);
    });
  }
}

export async function down(knex: Knex): Promise<void> {
  await knex.schema.dropTableIfExists('login_state');
  await knex.schema.dropTableIfExists('session');
}
