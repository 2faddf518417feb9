import type { Knex } from 'knex';

/**
 * The audit trail is searched by a few criteria only (patient, agent, entity, date; then type,
 * subtype, action, outcome among those), but each AuditEvent was written with ~10 search-index
 * rows (~30 index entries), a trace per read or search: half of what PostgreSQL did for a read.
 * From here on an AuditEvent is written with its current row and version only, and searched
 * through two indexes partial to the trail:
 * - `audit_keys`, a column the store fills when it writes an event (store/audit-sql.ts): the
 *   references it names, as 'agent|Practitioner/1', 'entity|Composition/2', 'patient|Patient/3'
 *   (agents and entities that are patients), versions and base URLs dropped as the reference
 *   search parameters drop them, a reference that is not `Type/id` kept as written. A GIN index.
 *   (Computed by an SQL function in an expression index instead, it cost 0.15 ms per event.)
 * - dcc_audit_recorded(content): its `recorded` instant. The function is IMMUTABLE, as an index
 *   expression must be: the text-to-timestamptz cast depends on the session's time zone only for a
 *   text without an offset, and a FHIR `instant` always has one.
 * The events written before get their keys here, once, by the same rules in SQL; their index
 * rows stay (the trail is append-only) and are no longer read. Adding the keys is the one change
 * to the trail this migration makes: the append-only trigger is lifted for it, in its transaction.
 */
export async function up(knex: Knex): Promise<void> {
  if (!(await knex.schema.hasColumn('resource', 'audit_keys'))) {
    await knex.raw('ALTER TABLE resource ADD COLUMN audit_keys text[]');
  }
  // `\\?` below: knex takes a bare `?` for a binding, even inside a string.
  await knex.raw(`
    CREATE FUNCTION pg_temp.audit_keys_of(c jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE AS $fn$
      WITH raw AS (
        SELECT 'agent' AS role, a->'who'->>'reference' AS ref FROM jsonb_array_elements(COALESCE(c->'agent', '[]'::jsonb)) a
        UNION ALL
        SELECT 'entity', e->'what'->>'reference' FROM jsonb_array_elements(COALESCE(c->'entity', '[]'::jsonb)) e
      ), refs AS (
        SELECT role, COALESCE(substring(ref from '(\\?:^|/)([A-Z][A-Za-z]+/[A-Za-z0-9.-]{1,64})(\\?:/_history/[^/]+)\\?$'), ref) AS ref FROM raw
      )
      SELECT COALESCE(array_agg(DISTINCT k), '{}') FROM (
        SELECT role || '|' || ref AS k FROM refs WHERE ref IS NOT NULL
        UNION ALL
        SELECT 'patient|' || ref FROM refs WHERE ref LIKE 'Patient/%'
      ) keys
    $fn$`);
  await knex.raw('ALTER TABLE resource DISABLE TRIGGER resource_audit_append_only');
  await knex.raw("UPDATE resource SET audit_keys = pg_temp.audit_keys_of(content) WHERE resource_type = 'AuditEvent' AND audit_keys IS NULL");
  await knex.raw('ALTER TABLE resource ENABLE TRIGGER resource_audit_append_only');
  await knex.raw('DROP FUNCTION pg_temp.audit_keys_of(jsonb)');
  await knex.raw(`
    CREATE OR REPLACE FUNCTION dcc_audit_recorded(c jsonb) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
      SELECT (c->>'recorded')::timestamptz
    $fn$`);
  await knex.raw("CREATE INDEX IF NOT EXISTS resource_audit_keys ON resource USING gin (audit_keys) WHERE resource_type = 'AuditEvent'");
  await knex.raw("CREATE INDEX IF NOT EXISTS resource_audit_recorded ON resource (dcc_audit_recorded(content)) WHERE resource_type = 'AuditEvent'");
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS resource_audit_recorded');
  await knex.raw('DROP INDEX IF EXISTS resource_audit_keys');
  await knex.raw('DROP FUNCTION IF EXISTS dcc_audit_recorded(jsonb)');
  await knex.raw('ALTER TABLE resource DROP COLUMN IF EXISTS audit_keys');
}
