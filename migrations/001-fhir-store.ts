import type { Knex } from 'knex';

/**
 * The versioned FHIR store and its search indexes.
 * `resource` holds the current version (one row per resource, `seq` never changes: it is the
 * stable key for index rows and keyset paging); `resource_version` keeps every version.
 * Index tables hold the typed values of the search parameters of the current version only.
 */
export async function up(knex: Knex): Promise<void> {
  // Checked first so that running the migration again on a half-migrated database is safe.
  if (!(await knex.schema.hasTable('resource'))) {
    await knex.schema.createTable('resource', (t) => {
      t.bigIncrements('seq').primary();
      t.text('resource_type').notNullable();
      t.text('id').notNullable();
      t.integer('version_id').notNullable();
      t.timestamp('last_updated', { useTz: true, precision: 3 }).notNullable();
      t.boolean('deleted').notNullable().defaultTo(false);
      // The patient compartment the resource belongs to: used by access rules inside queries.
      t.text('patient_id');
      t.jsonb('content').notNullable();
      t.unique(['resource_type', 'id']);
      t.index(['resource_type', 'last_updated']);
      t.index(['patient_id']);
    });
  }
  if (!(await knex.schema.hasTable('resource_version'))) {
    await knex.schema.createTable('resource_version', (t) => {
      t.bigint('res').notNullable();
      t.text('resource_type').notNullable();
      t.text('id').notNullable();
      t.integer('version_id').notNullable();
      t.timestamp('last_updated', { useTz: true, precision: 3 }).notNullable();
      t.boolean('deleted').notNullable().defaultTo(false);
      t.jsonb('content');
      t.primary(['res', 'version_id']);
      t.index(['resource_type', 'last_updated']);
      t.index(['last_updated']);
    });
  }
  await createIndexTable(knex, 'sp_token', (t) => {
    t.text('system');
    t.text('code');
  }, ['resource_type', 'param', 'code', 'system']);
  await createIndexTable(knex, 'sp_string', (t) => {
    t.text('value').notNullable(); // lower case, accents removed: 'Hélène' matches 'helene'
    t.text('exact').notNullable();
  }, ['resource_type', 'param', 'value']);
  await createIndexTable(knex, 'sp_date', (t) => {
    t.timestamp('low', { useTz: true, precision: 3 });
    t.timestamp('high', { useTz: true, precision: 3 });
  }, ['resource_type', 'param', 'low']);
  await createIndexTable(knex, 'sp_reference', (t) => {
    t.text('target_type');
    t.text('target_id');
    t.text('reference').notNullable();
  }, ['resource_type', 'param', 'target_id']);
  await createIndexTable(knex, 'sp_number', (t) => {
    t.decimal('value', 30, 10).notNullable();
  }, ['resource_type', 'param', 'value']);
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_string_prefix ON sp_string (resource_type, param, value text_pattern_ops)');
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_reference_target ON sp_reference (target_id, target_type)');
  await knex.raw('CREATE INDEX IF NOT EXISTS sp_date_high ON sp_date (resource_type, param, high)');
}

async function createIndexTable(
  knex: Knex,
  name: string,
  columns: (t: Knex.CreateTableBuilder) => void,
  lookup: string[],
): Promise<void> {
  if (await knex.schema.hasTable(name)) return;
  await knex.schema.createTable(name, (t) => {
    t.bigint('res').notNullable(); // resource.seq
    t.text('resource_type').notNullable();
    t.text('param').notNullable();
    columns(t);
    t.index(['res']);
    t.index(lookup);
  });
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['sp_number', 'sp_reference', 'sp_date', 'sp_string', 'sp_token', 'resource_version', 'resource']) {
    await knex.schema.dropTableIfExists(table);
  }
}
