import { createHash } from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import knexFactory, { type Knex } from 'knex';
import pg from 'pg';
import { migrationSource } from '../../migrations/index.ts';
import { ACCESS_FUNCTIONS_SQL, ACCESS_RULE_MARKER } from './visibility-sql.ts';
import { PLANNED_EACH_TIME } from './search-sql.ts';
import { WRITE_MARKER } from './write-sql.ts';

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
  /** PostgreSQL: longest a statement may run (ms) before it is cancelled (the request gets 503). */
  statementTimeoutMs?: number;
}

/** Connection faults are the caller's to report (one line at start-up, 503 on a request): knex need not log them too. */
const quietLog = { warn: () => {}, error: () => {}, deprecate: () => {}, debug: () => {} };

export type Database = Knex;

/**
 * `now() + ms` on the database's clock: an expiry set there is judged there (`expires_at > now()`),
 * one clock for every app server sharing the database, whatever their own clocks say.
 */
export function nowPlus(db: Knex, ms: number): Knex.Raw {
  return db.raw('now() + make_interval(secs => ?::double precision)', [ms / 1000]);
}

/** Opens the database: PostgreSQL when a URL is given, else embedded PGlite (folder or memory). */
export function openDatabase(options: DatabaseOptions): Database {
  if (options.databaseUrl) {
    return knexFactory({
      client: 'pg',
      connection: options.databaseUrl,
      searchPath: options.schema ? [options.schema] : undefined,
      log: quietLog,
      pool: {
        min: 0,
        max: options.poolMax ?? 10,
        afterCreate: (connection: pg.Client, done: (error: Error | null, connection: pg.Client) => void) => {
          reusePlans(connection);
          // One cheap request must not tie up the database: a statement past the limit is cancelled.
          if (!options.statementTimeoutMs) return done(null, connection);
          connection.query(`SET statement_timeout = ${Math.trunc(options.statementTimeoutMs)}`).then(() => done(null, connection), (error: Error) => done(error, connection));
        },
      },
    });
  }
  if (options.dataDir) fs.mkdirSync(path.dirname(options.dataDir), { recursive: true });
  return knexFactory({
    client: yieldingPgLite() as unknown as typeof Knex.Client,
    dialect: 'postgres',
    connection: options.dataDir ? { filename: options.dataDir } : {},
    useNullAsDefault: true,
  });
}

type PgLiteClient = new (...args: unknown[]) => { _query(connection: unknown, obj: unknown): Promise<unknown> };
let yieldingPgLiteClass: PgLiteClient | undefined;

/**
 * PGlite runs each statement on this thread. A long run of statements (the demo seed written after
 * the service listens) would hold every request until it ends: each statement first lets the event
 * loop serve what is waiting (a request's statements then take their turn between the seed's).
 * knex-pglite and PGlite (2 MB of code, ~4 MB of heap) are loaded on the first embedded database
 * only: a process on PostgreSQL never needs them.
 */
function yieldingPgLite(): PgLiteClient {
  if (!yieldingPgLiteClass) {
    const ClientPgLite = createRequire(import.meta.url)('knex-pglite') as PgLiteClient;
    yieldingPgLiteClass = class YieldingPgLite extends ClientPgLite {
      override async _query(connection: unknown, obj: unknown): Promise<unknown> {
        await new Promise<void>((resolve) => setImmediate(resolve));
        return super._query(connection, obj);
      }
    };
  }
  return yieldingPgLiteClass;
}

/** Prepared statements kept per connection (each costs server memory; query shapes are few). */
const MAX_PREPARED_PER_CONNECTION = 1000;

/**
 * The name of a statement's prepared form: a hash of its text, remembered, as the same few dozen
 * texts come back on every request (hashing the access rule's ~2 kB text each time was ~1 % of a
 * read's CPU). Bounded: shapes beyond the limit are hashed again, not kept.
 */
const statementNames = new Map<string, string>();
function statementName(text: string): string {
  let name = statementNames.get(text);
  if (!name) {
    name = `dcc_${createHash('sha1').update(text).digest('hex').slice(0, 32)}`;
    if (statementNames.size < MAX_PREPARED_PER_CONNECTION) statementNames.set(text, name);
  }
  return name;
}

/**
 * A query filtered by the access rules takes ~10 ms for PostgreSQL to plan and well under 1 ms to
 * run (the circle of care is a dozen EXISTS clauses); a write's statement of data-modifying CTEs
 * ~0.2 ms for ~1 ms of work. Both are sent as named prepared statements (the name is a hash of the
 * text), planned on their first executions only, then their plan is reused on that connection.
 * Except a search marked PLANNED_EACH_TIME (a date or number range: no one plan suits every range).
 * Requires session-level connections (not a transaction-pooling PgBouncer).
 */
function reusePlans(connection: pg.Client): void {
  const query = connection.query.bind(connection) as (...args: unknown[]) => unknown;
  const prepared = new Set<string>();
  (connection as unknown as { query: (...args: unknown[]) => unknown }).query = (config: unknown, ...rest: unknown[]) => {
    const c = config as { text?: unknown; name?: unknown } | null;
    if (c && typeof c === 'object' && typeof c.text === 'string' && !c.name && (c.text.includes(ACCESS_RULE_MARKER) || c.text.startsWith(WRITE_MARKER))
      && !c.text.includes(PLANNED_EACH_TIME)) {
      const name = statementName(c.text);
      if (prepared.has(name) || prepared.size < MAX_PREPARED_PER_CONNECTION) {
        prepared.add(name);
        return query({ ...c, name }, ...rest);
      }
    }
    return query(config, ...rest);
  };
}

/** A pooled connection as knex's client hands it out (a transaction's client: always its own). */
interface ConnectionSource {
  acquireConnection(): Promise<pg.Client>;
  releaseConnection(connection: pg.Client): Promise<unknown>;
}

/**
 * Runs one statement with `?` placeholders (`\\?` for a literal question mark), as `db.raw`
 * does, and returns its rows. On PostgreSQL the statement goes straight to a connection of knex's
 * pool — or of the transaction, when `db` is one: knex's own work on a raw statement (rewriting
 * its placeholders, the runner, its events) took ~50 µs of CPU per statement, a third of what the
 * driver itself takes (~140 µs), and these are the statements of every read, search, write and
 * batch of the audit trail (knex's 'query' event is still emitted). Anything knex would treat otherwise
 * (a `??` identifier, a knex object or an undefined binding, a transaction already over, PGlite)
 * goes through `db.raw`.
 */
export async function sqlRows<R = any>(db: Knex | Knex.Transaction, text: string, bindings: readonly unknown[]): Promise<R[]> {
  const viaKnex = isPgLite(db as Database) || text.includes('??') || ('isCompleted' in db && db.isCompleted())
    || bindings.some((b) => b === undefined || (typeof b === 'object' && b !== null && typeof (b as { toSQL?: unknown }).toSQL === 'function'));
  if (viaKnex) return (await db.raw(text, bindings as Knex.RawBinding[])).rows;
  const source = db.client as unknown as ConnectionSource & { emit(event: 'query', query: object): void };
  const connection = await source.acquireConnection();
  // Announced as knex announces its own, for whoever counts statements (bench:actions, tests).
  source.emit('query', { method: 'raw', sql: text, bindings });
  try {
    return (await connection.query({ text: numberedPlaceholders(text), values: bindings as unknown[] })).rows;
  } finally {
    await source.releaseConnection(connection);
  }
}

/** `?` → `$1, $2…` and `\\?` → `?`, exactly as knex's PostgreSQL client does; remembered, as texts repeat. */
const numberedTexts = new Map<string, string>();
function numberedPlaceholders(text: string): string {
  let numbered = numberedTexts.get(text);
  if (numbered === undefined) {
    let n = 0;
    numbered = text.replace(/(\\*)(\?)/g, (_match, escapes: string) => (escapes.length % 2 ? '?' : `$${++n}`));
    if (numberedTexts.size < MAX_PREPARED_PER_CONNECTION) numberedTexts.set(text, numbered);
  }
  return numbered;
}

export async function migrateToLatest(db: Database): Promise<void> {
  await db.migrate.latest({ migrationSource });
  await installAccessFunctions(db);
}

/**
 * The circle-of-care SQL functions (visibility-sql.ts), replaced on every start so they always
 * match the code; serialised so app servers starting together do not collide.
 */
async function installAccessFunctions(db: Database): Promise<void> {
  await db.transaction(async (trx) => {
    if (!isPgLite(db)) await trx.raw('SELECT pg_advisory_xact_lock(7341120)');
    for (const sql of ACCESS_FUNCTIONS_SQL) await trx.raw(sql.replace(/\?/g, '\\?'));
  });
}

export function isPgLite(db: Database): boolean {
  return db.client.config.client !== 'pg';
}

/**
 * PGlite runs no autovacuum: left alone, its tables are never analysed and the planner guesses
 * one row per lookup. Once the audit trail names a patient thousands of times, a summary's
 * "subject = patient" searches then scan every reference to that patient (measured: a GP summary's
 * care-team search 80 ms, 5 ms once analysed). Run after the demo data is written and at each start.
 */
export async function refreshPlannerStatistics(db: Database): Promise<void> {
  await db.raw('ANALYZE');
}
