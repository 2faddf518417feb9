import type { Knex } from 'knex';

/**
 * resource_type, param, code and system are strongly correlated: without extended statistics
 * PostgreSQL underestimates broad token matches (97 rows estimated for 8,029) and picks a sort
 * over all of them. With the statistics and an index that ends with `res`, a page of a broad
 * search is a merge join that stops after one page (measured 39.5 ms → 0.22 ms at 100k resources).
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE STATISTICS IF NOT EXISTS sp_token_stats (dependencies, mcv) ON resource_type, param, code, system FROM sp_token');
  await knex.raw('CREATE STATISTICS IF NOT EXISTS sp_reference_stats (dependencies, mcv) ON resource_type, param, target_type, target_id FROM sp_reference');
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_token_lookup_res ON sp_token (resource_type, param, code, system, res)');
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_reference_lookup_res ON sp_reference (resource_type, param, target_id, target_type, res)');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS sp_reference_lookup_res');
  await knex.raw('DROP INDEX IF EXISTS sp_token_lookup_res');
  await knex.raw('DROP STATISTICS IF EXISTS sp_reference_stats');
  await knex.raw('DROP STATISTICS IF EXISTS sp_token_stats');
}
