import type { Knex } from 'knex';

/**
 * The circle-of-care functions look up a patient's care teams, requests and RCP cases, and their
 * objections (Consent), by `patient_id` then type. With an index on `patient_id` alone each call
 * read every row of the patient's compartment — its audit trail included, which grows with every
 * read of the record — and then dropped all but a few by type (3,000 access checks at 100,000
 * resources: 480–800 ms). Keyed on (patient_id, resource_type) with the columns those lookups
 * return, they are index-only scans of the rows they want (150–210 ms). It serves the lookups by
 * `patient_id` alone as well, so the older index goes.
 */
export async function up(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS resource_patient_type ON resource (patient_id, resource_type) INCLUDE (seq, deleted)');
  await knex.raw('DROP INDEX IF EXISTS resource_patient_id_index');
}

export async function down(knex: Knex): Promise<void> {
  await knex.raw('CREATE INDEX IF NOT EXISTS resource_patient_id_index ON resource (patient_id)');
  await knex.raw('DROP INDEX IF EXISTS resource_patient_type');
}
