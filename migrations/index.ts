import type { Knex } from 'knex';
import * as fhirStore from './001-fhir-store.ts';

/** Migrations in order. Listed explicitly so the same code runs under tsx, in tests and bundled. */
const migrations: Record<string, Knex.Migration> = {
  '001-fhir-store': fhirStore,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
