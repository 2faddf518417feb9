import type { Knex } from 'knex';

/**
 * The audit trail is searched by a few criteria only (patient, agent, entity, date; then type,
 * subtype, action, outcome among those), but each AuditEvent was written with ~10 search-index
 * rows (~30 index entries), a trace per read or search: half of what PostgreSQL did for a read.
 * From here on an AuditEvent is written with its current row and version only, and searched
 * through two expression indexes on its content, partial to the trail:
 * - dcc_audit_keys: the references it names, as 'agent|Practitioner/1', 'entity|Composition/2',
 *   'patient|Patient/3' (agents and entities that are patients), versions and base URLs dropped
 *   as the reference search parameters drop them; a reference that is not `Type/id` is kept as written;
 * - dcc_audit_recorded: its `recorded` instant.
 * The index rows of events written before stay (the trail is append-only) and are no longer read.
 *
 * Both functions are IMMUTABLE, as an index expression must be, and call built-in functions only:
 * an index is built and maintained with a search_path reduced to pg_catalog. dcc_audit_recorded casts text to
 * timestamptz, which depends on the session's time zone only for a text without an offset; a FHIR
 * `instant` always has one (and every AuditEvent is validated or built by the server).
 * Changing either function means a new migration that rebuilds its index.
 */
export async function up(knex: Knex): Promise<void> {
  // `\\?` in the SQL below: knex takes a bare `?` for a binding, even inside a string.
  await knex.raw(`
    CREATE OR REPLACE FUNCTION dcc_audit_keys(c jsonb) RETURNS text[] LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
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
  await knex.raw(`
    CREATE OR REPLACE FUNCTION dcc_audit_recorded(c jsonb) RETURNS timestamptz LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $fn$
      SELECT (c->>'recorded')::timestamptz
    $fn$`);
  await knex.raw(`CREATE INDEX IF NOT EXISTS resource_audit_keys ON resource USING gin (dcc_audit_keys(content)) WHERE resource_type = 'AuditEvent'`);
  await knex.raw(`CREATE INDEX IF NOT EXISTS resource_audit_recorded ON resource (dcc_audit_recorded(content)) WHERE resource_type = 'AuditEvent'`);
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP INDEX IF EXISTS resource_audit_recorded');
  await knex.raw('DROP INDEX IF EXISTS resource_audit_keys');
  await knex.raw('DROP FUNCTION IF EXISTS dcc_audit_recorded(jsonb)');
  await knex.raw('DROP FUNCTION IF EXISTS dcc_audit_keys(jsonb)');
}
