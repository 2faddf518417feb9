import type { Knex } from 'knex';
import * as fhirStore from './001-fhir-store.ts';
import * as searchStatistics from './002-search-statistics.ts';
import * as sessions from './003-sessions.ts';
import * as breakGlass from './004-break-glass.ts';
import * as auditAppendOnly from './005-audit-append-only.ts';

/** Migrations in order. Listed explicitly so the same code runs under tsx, in tests and bundled. */
const migrations: Record<string, Knex.Migration> = {
  '001-fhir-store': fhirStore,
  '002-search-statistics': searchStatistics,
  '003-sessions': sessions,
  '004-break-glass': breakGlass,
  '005-audit-append-only': auditAppendOnly,
};

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => Object.keys(migrations),
  getMigrationName: (name) => name,
  getMigration: async (name) => migrations[name],
};
