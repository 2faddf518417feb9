/**
 * Looks inside the benchmark's requests on the seeded PostgreSQL schema (run `npm run bench` with
 * DATABASE_URL first; the schema dcc_bench is left in place):
 *
 *   DATABASE_URL=postgres://… npx tsx bench/explain.ts [--sql-only]
 *
 * - the SQL the repository really sends for read / search by identifier / search with _include,
 *   captured from knex, each with EXPLAIN (ANALYZE, BUFFERS) on a random patient;
 * - the round trips of one create and of one 10-entry transaction (run then rolled back);
 * - the CPU the server spends per written Observation in validation and indexing;
 * - the cost of the COUNT query every search runs by default (_total=accurate).
 */
import type { Knex } from 'knex';
import type { Observation, Resource } from '@medplum/fhirtypes';
import { systemContext } from '../server/context.ts';
import { processBundle } from '../server/fhir/bundle-processing.ts';
import { parseSearchRequest } from '../server/fhir-kit/search-request.ts';
import { loadFhirDefinitions } from '../server/fhir-kit/validation.ts';
import { validateForWrite } from '../server/fhir/write-validation.ts';
import { indexResource } from '../server/store/indexer.ts';
import { openDatabase } from '../server/store/database.ts';
import { Store } from '../server/store/store.ts';
import { DatasetGenerator, INS_NIR_TEST_SYSTEM, observationTransaction } from './dataset.ts';
import { BENCH_SCHEMA } from './options.ts';

interface Captured { sql: string; bindings: unknown[] }

const databaseUrl = process.env.DATABASE_URL;
if (!databaseUrl) throw new Error('DATABASE_URL is required: EXPLAIN runs on the PostgreSQL schema seeded by npm run bench');
const sqlOnly = process.argv.includes('--sql-only');
const LIMITS = { defaultCount: 20, maxCount: 200 };
const OPTIONS = { ...LIMITS, strict: false };

loadFhirDefinitions();
const db = openDatabase({ databaseUrl, schema: BENCH_SCHEMA, poolMax: 2 });
const store = new Store(db, validateForWrite);
const repo = store.system();

class Rollback extends Error {}

/** Runs `work`, returning the statements it sent (BEGIN/COMMIT included). */
async function capture(work: () => Promise<unknown>): Promise<Captured[]> {
  const statements: Captured[] = [];
  const listener = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
  db.on('query', listener);
  try {
    await work();
  } catch (error) {
    if (!(error instanceof Rollback)) throw error;
  } finally {
    db.off('query', listener);
  }
  return statements;
}

/** knex reports pg statements with $n placeholders: back to ? for db.raw. */
const toKnex = (sql: string) => sql.replace(/\$\d+/g, '?');

function inline(sql: string, bindings: unknown[]): string {
  let i = 0;
  return toKnex(sql).replace(/\?/g, () => {
    const v = bindings[i++];
    return typeof v === 'number' ? String(v) : `'${String(typeof v === 'object' ? JSON.stringify(v) : v).replace(/'/g, "''")}'`;
  });
}

async function explain(label: string, work: () => Promise<unknown>): Promise<void> {
  const statements = (await capture(work)).filter((s) => /^\s*select/i.test(s.sql));
  console.log(`\n=== ${label}: ${statements.length} SELECT statement(s)`);
  for (const s of statements) {
    console.log(`\n-- ${inline(s.sql, s.bindings)}`);
    if (sqlOnly) continue;
    const plan = await db.raw(`EXPLAIN (ANALYZE, BUFFERS) ${toKnex(s.sql)}`, s.bindings as Knex.RawBinding[]);
    for (const row of plan.rows) console.log(`   ${row['QUERY PLAN']}`);
  }
}

async function timeIt(n: number, work: (i: number) => Promise<unknown>): Promise<number> {
  const started = performance.now();
  for (let i = 0; i < n; i++) await work(i);
  return (performance.now() - started) / n;
}

try {
  const patients: { id: string; ins: string }[] = (await db.raw(
    `SELECT id, content->'identifier'->0->>'value' AS ins FROM resource WHERE resource_type = 'Patient' AND content->'identifier'->0->>'system' = ? ORDER BY random() LIMIT 300`,
    [INS_NIR_TEST_SYSTEM],
  )).rows;
  if (!patients.length) throw new Error(`No seeded patients in schema ${BENCH_SCHEMA}: run npm run bench with DATABASE_URL first`);
  const [p] = patients;
  const search = (type: string, query: string) => repo.search(parseSearchRequest(type, new URLSearchParams(query), LIMITS, true).request);
  const identifierQuery = (ins: string) => `identifier=${encodeURIComponent(`${INS_NIR_TEST_SYSTEM}|${ins}`)}`;
  const includeQuery = (id: string) => `subject=Patient/${id}&_include=Observation:subject`;

  await explain(`read Patient/${p.id}`, () => repo.read('Patient', p.id));
  await explain(`search Patient?identifier=…|${p.ins}`, () => search('Patient', identifierQuery(p.ins)));
  await explain(`search Observation?subject=Patient/${p.id}&_include=Observation:subject`, () => search('Observation', includeQuery(p.id)));
  // Broader searches than the scenarios (many matches): where a COUNT and a top-N sort start to cost.
  await explain('search Observation?code=http://loinc.org|718-7 (≈ 1/8 of the Observations)', () => search('Observation', `code=${encodeURIComponent('http://loinc.org|718-7')}`));
  await explain('search Patient?name=mar (string prefix)', () => search('Patient', 'name=mar'));
  await explain(`search Observation?subject=Patient/${p.id}&_sort=-date`, () => search('Observation', `subject=Patient/${p.id}&_sort=-date`));

  // Write paths: statements sent, then rolled back.
  const generator = new DatasetGenerator(7);
  const obs = (): Observation => generator.observation({ reference: `Patient/${p.id}` }, new Date());
  const createStatements = await capture(() => repo.transaction(async (tx) => {
    await tx.create(obs());
    throw new Rollback();
  }));
  const bundleStatements = await capture(() => repo.transaction(async (tx) => {
    await processBundle(tx, systemContext(), observationTransaction(Array.from({ length: 10 }, obs)), OPTIONS);
    throw new Rollback();
  }));
  const kinds = (list: Captured[]) => {
    const counts = new Map<string, number>();
    for (const s of list) {
      const key = s.sql.replace(/\s+/g, ' ').trim().split(' ').slice(0, 3).join(' ').replace(/"/g, '');
      counts.set(key, (counts.get(key) ?? 0) + 1);
    }
    return [...counts].map(([k, n]) => `${n} × ${k}`).join(', ');
  };
  console.log(`\n=== round trips: create Observation = ${createStatements.length} (${kinds(createStatements)})`);
  console.log(`=== round trips: transaction of 10 Observation creates = ${bundleStatements.length} (${kinds(bundleStatements)})`);

  // CPU per written Observation, outside the database.
  const samples: Resource[] = Array.from({ length: 500 }, obs);
  for (const s of samples.slice(0, 50)) validateForWrite(s); // warm-up (JIT, caches)
  let started = performance.now();
  for (const s of samples) validateForWrite({ ...s, id: 'x', meta: { versionId: '1', lastUpdated: new Date().toISOString() } } as Resource);
  const validateMs = (performance.now() - started) / samples.length;
  started = performance.now();
  for (const s of samples) indexResource({ ...s, id: 'x' } as Resource);
  const indexMs = (performance.now() - started) / samples.length;
  console.log(`=== CPU per Observation write: validateForWrite ${validateMs.toFixed(2)} ms, indexResource ${indexMs.toFixed(2)} ms`);

  // What the default COUNT costs, one request at a time (no concurrency).
  const n = Math.min(200, patients.length);
  for (const [label, build] of [['identifier', identifierQuery], ['include', includeQuery]] as const) {
    const key = (x: { id: string; ins: string }) => (label === 'identifier' ? x.ins : x.id);
    const type = label === 'identifier' ? 'Patient' : 'Observation';
    await timeIt(n, (i) => search(type, build(key(patients[i])))); // warm-up: every page in shared buffers
    const accurate = await timeIt(n, (i) => search(type, build(key(patients[i]))));
    const none = await timeIt(n, (i) => search(type, `${build(key(patients[i]))}&_total=none`));
    const statements = await capture(() => search(type, build(key(patients[0]))));
    console.log(`=== search ${label}: ${statements.length} statements; ${accurate.toFixed(2)} ms per search (default _total=accurate) vs ${none.toFixed(2)} ms with _total=none`);
  }
  const readMs = await timeIt(n, (i) => repo.read('Patient', patients[i].id));
  const pingMs = await timeIt(n, () => db.raw('SELECT 1'));
  console.log(`=== read: ${readMs.toFixed(2)} ms per read (sequential, repository only); SELECT 1 round trip ${pingMs.toFixed(2)} ms`);

  // Commit cost: one create per transaction, synchronous_commit on (default) vs off for that transaction.
  // These creates are committed to the bench schema (a few hundred extra Observations).
  const settings = (await db.raw("SELECT name, setting FROM pg_settings WHERE name IN ('synchronous_commit', 'fsync', 'wal_sync_method', 'commit_delay', 'shared_buffers', 'jit')")).rows;
  console.log(`=== settings: ${settings.map((r: any) => `${r.name}=${r.setting}`).join(', ')}`);
  const createSync = await timeIt(100, () => repo.create(obs()));
  const createAsync = await timeIt(100, () => repo.transaction(async (tx) => {
    await tx.db.raw('SET LOCAL synchronous_commit = off');
    return tx.create(obs());
  }));
  console.log(`=== create (sequential, repository only): ${createSync.toFixed(2)} ms with synchronous_commit=on, ${createAsync.toFixed(2)} ms with off`);

  // Index experiment, rolled back: lookup indexes that end with `res`, so an equality lookup returns
  // its rows in res (= resource.seq) order: a merge semi-join on resource_pkey can then stop after one
  // page, and EXISTS / COUNT become index-only scans. Extended statistics fix the row estimate of the
  // correlated (resource_type, param, code, system) columns.
  if (!sqlOnly && !process.argv.includes('--no-experiment')) {
    await repo.transaction(async (tx) => {
      const started = performance.now();
      await tx.db.raw('CREATE INDEX bench_sp_token_lookup_res ON sp_token (resource_type, param, code, system, res)');
      await tx.db.raw('CREATE INDEX bench_sp_reference_lookup_res ON sp_reference (resource_type, param, target_id, target_type, res)');
      await tx.db.raw('CREATE STATISTICS bench_sp_token_stats (dependencies, mcv) ON resource_type, param, code, system FROM sp_token');
      await tx.db.raw('ANALYZE sp_token, sp_reference');
      console.log(`\n=== EXPERIMENT (rolled back): 2 indexes + extended statistics built in ${((performance.now() - started) / 1000).toFixed(1)} s`);
      const experimentRepo = new (repo.constructor as any)(tx.db, { validate: validateForWrite });
      const run = (type: string, query: string) => experimentRepo.search(parseSearchRequest(type, new URLSearchParams(query), LIMITS, true).request);
      const explainIn = async (label: string, work: () => Promise<unknown>) => {
        const statements: Captured[] = [];
        const listener = (q: { sql: string; bindings?: unknown[] }) => statements.push({ sql: q.sql, bindings: q.bindings ?? [] });
        db.on('query', listener);
        try {
          await work();
        } finally {
          db.off('query', listener);
        }
        console.log(`\n=== EXPERIMENT ${label}`);
        for (const st of statements.filter((x) => /^\s*select/i.test(x.sql))) {
          const plan = await tx.db.raw(`EXPLAIN (ANALYZE, BUFFERS) ${toKnex(st.sql)}`, st.bindings as Knex.RawBinding[]);
          console.log(`\n-- ${inline(st.sql, st.bindings).slice(0, 160)}…`);
          for (const row of plan.rows) console.log(`   ${row['QUERY PLAN']}`);
        }
      };
      await explainIn('search Observation?code=http://loinc.org|718-7', () => run('Observation', `code=${encodeURIComponent('http://loinc.org|718-7')}`));
      await explainIn(`search Observation?subject=Patient/${p.id}&_include=Observation:subject`, () => run('Observation', includeQuery(p.id)));
      throw new Rollback();
    }).catch((error) => {
      if (!(error instanceof Rollback)) throw error;
    });
  }
} finally {
  await db.destroy();
}
