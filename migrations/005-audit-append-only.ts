import type { Knex } from 'knex';

/**
 * The audit trail is append-only, enforced by the database itself: whatever code runs, a stored
 * AuditEvent (current row, its versions and its index rows) can be neither changed nor deleted.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw(`
    CREATE OR REPLACE FUNCTION refuse_audit_change() RETURNS trigger AS $$
    BEGIN
      IF OLD.resource_type = 'AuditEvent' THEN
        RAISE EXCEPTION 'audit trail is append-only (%.%)', TG_TABLE_NAME, TG_OP USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN CASE WHEN TG_OP = 'DELETE' THEN OLD ELSE NEW END;
    END;
    $$ LANGUAGE plpgsql`);
  for (const table of ['resource', 'resource_version', 'sp_token', 'sp_string', 'sp_date', 'sp_reference', 'sp_number']) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_audit_append_only ON ${table}`);
    await knex.raw(`CREATE TRIGGER ${table}_audit_append_only BEFORE UPDATE OR DELETE ON ${table} FOR EACH ROW EXECUTE FUNCTION refuse_audit_change()`);
  }
}

export async function down(knex: Knex): Promise<void> {
  for (const table of ['resource', 'resource_version', 'sp_token', 'sp_string', 'sp_date', 'sp_reference', 'sp_number']) {
    await knex.raw(`DROP TRIGGER IF EXISTS ${table}_audit_append_only ON ${table}`);
  }
  await knex.raw('DROP FUNCTION IF EXISTS refuse_audit_change()');
}
