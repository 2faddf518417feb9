import type { Knex } from 'knex';

/**
 * Two search indexes duplicated by longer ones: `sp_token (resource_type, param, code, system)` is
 * the prefix of `sp_token_lookup_res` and `sp_reference (resource_type, param, target_id)` the prefix
 * of `sp_reference_lookup_res` (002, which serve the same lookups and the paging merge joins). Every
 * index row written — an AuditEvent per read writes about ten — paid for both; the longer ones stay.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS sp_token_resource_type_param_code_system_index');
  await knex.raw('DROP INDEX IF EXISTS sp_reference_resource_type_param_target_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_token_resource_type_param_code_system_index ON sp_token (resource_type, param, code, system)');
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_reference_resource_type_param_target_id_index ON sp_reference (resource_type, param, target_id)');
}
