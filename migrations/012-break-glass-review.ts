import type { Knex } from 'knex';

/**
 * Review of emergency accesses: who reviewed, the verdict and the comment. A grant is reviewed
 * once, by the database's own rule: once `reviewed_at` is set the row can no longer change, and no
 * grant is ever deleted (the review is evidence, like the audit trail).
 */
export async function up(knex: Knex): Promise<void> {
  for (const [column, add] of [
    ['reviewer_id', (t: Knex.AlterTableBuilder) => t.text('reviewer_id')],
    ['reviewer_name', (t: Knex.AlterTableBuilder) => t.text('reviewer_name')],
    ['verdict', (t: Knex.AlterTableBuilder) => t.text('verdict')],
    ['review_comment', (t: Knex.AlterTableBuilder) => t.text('review_comment')],
  ] as const) {
    if (!(await knex.schema.hasColumn('break_glass_grant', column))) await knex.schema.alterTable('break_glass_grant', (t) => { add(t); });
  }
  await knex.raw(`
    CREATE OR REPLACE FUNCTION refuse_break_glass_change() RETURNS trigger AS $$
    BEGIN
      IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'break-glass grants are kept for review (DELETE refused)' USING ERRCODE = 'insufficient_privilege';
      END IF;
      IF OLD.reviewed_at IS NOT NULL THEN
        RAISE EXCEPTION 'break-glass grant % already reviewed', OLD.id USING ERRCODE = 'unique_violation';
      END IF;
      IF (NEW.practitioner_id, NEW.patient_id, NEW.reason, NEW.created_at, NEW.expires_at) IS DISTINCT FROM
         (OLD.practitioner_id, OLD.patient_id, OLD.reason, OLD.created_at, OLD.expires_at) THEN
        RAISE EXCEPTION 'break-glass grant % : only the review may be added', OLD.id USING ERRCODE = 'insufficient_privilege';
      END IF;
      RETURN NEW;
    END;
    $$ LANGUAGE plpgsql`);
  await knex.raw('DROP TRIGGER IF EXISTS break_glass_grant_reviewed_once ON break_glass_grant');
  await knex.raw('CREATE TRIGGER break_glass_grant_reviewed_once BEFORE UPDATE OR DELETE ON break_glass_grant FOR EACH ROW EXECUTE FUNCTION refuse_break_glass_change()');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('DROP TRIGGER IF EXISTS break_glass_grant_reviewed_once ON break_glass_grant');
  await knex.raw('DROP FUNCTION IF EXISTS refuse_break_glass_change()');
  await knex.schema.alterTable('break_glass_grant', (t) => {
    t.dropColumns('reviewer_id', 'reviewer_name', 'verdict', 'review_comment');
  });
}
