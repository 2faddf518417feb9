import fs from 'node:fs';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import ClientPgLite from 'knex-pglite';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.ts';

// Return bigint columns (resource.seq) as strings is pg's default; counts come back as numbers below.
pg.types.setTypeParser(20, (v: string) => v);

export interface DatabaseOptions {
  /** postgres://… ; undefined → embedded PGlite. */
  databaseUrl?: string;
  /** PGlite data folder; undefined with no databaseUrl → in-memory PGlite (tests). */
  dataDir?: string;
  /** PostgreSQL schema to use (tests isolate a run in its own schema). */
  schema?: string;
  poolMax?: number;
}

export type Database = Knex;

/** Opens the database: PostgreSQL when a URL is given, else embedded PGlite (folder or memory). */
export function openDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: options.databaseUrl,
      searchPath: options.schema ? [options.schema] : undefined,
      pool: { min: 0, max: options.poolMax ?? 10 },
    });
  }
  if (options.dataDir) fs.mkdirSync(path.dirname(options.dataDir), { recursive: true });
  return knexFactory({
    client: ClientPgLite as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: options.dataDir ? { filename: options.dataDir } : {},
    useNullAsDefault: true,
  });
}

export async function migrateToLatest(db: Database): Promise<void> {
  await db.migrate.latest({ migrationSource });
}

export function isPgLite(db: Database): boolean {
  return db.client.config.client !== 'pg';
}
