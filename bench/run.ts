/**
 * Load benchmark of the FHIR store through the real HTTP server (`npm run bench`).
 *
 * 1. Opens PostgreSQL (DATABASE_URL, schema dcc_bench, dropped and recreated) or PGlite in .bench/pglite.
 * 2. Seeds BENCH_RESOURCES resources (≈ 7 per patient) through FhirRepository.bulkInsert, then ANALYZE.
 * 3. Starts the Express app on 127.0.0.1:<ephemeral> (FHIR store + the $summary operation) and runs the
 *    autocannon scenarios one after the other: read, identifier, include, create, transaction as the
 *    service account; gp-read and gp-summary as the patient's declared GP (circle of care, audit).
 * 4. Prints a table and writes .bench/results-<db>.json.
 *
 * Options: see bench/options.ts. The schema dcc_bench is left in place after the run so its queries
 * can be examined (bench/explain.ts).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Request } from 'express';
import type { Practitioner, Resource } from '@medplum/fhirtypes';
import { buildApp } from '../server/build-app.ts';
import { startServices, type Services } from '../server/bootstrap.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { openDatabase, type Database } from '../server/store/database.ts';
import type { Store } from '../server/store/store.ts';
import type { Principal } from '../server/context.ts';
import { DatasetGenerator, RESOURCES_PER_PATIENT } from './dataset.ts';
import { BENCH_DIR, BENCH_SCHEMA, PROJECT_ROOT, readOptions, type BenchOptions } from './options.ts';
import { BENCH_GP_HEADER, buildScenarios, runScenario, type ScenarioResult } from './scenarios.ts';

const BATCH_SIZE = 1000;
const INDEXED_TABLES = ['resource', 'resource_version', 'sp_token', 'sp_string', 'sp_date', 'sp_reference', 'sp_number'];

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

async function prepareDatabase(options: BenchOptions, config: Config) {
  if (options.databaseUrl) {
    // A dedicated schema, recreated on every run (the same way test/helpers/harness.ts isolates tests).
    const admin = openDatabase({ databaseUrl: options.databaseUrl });
    try {
      await admin.raw(`DROP SCHEMA IF EXISTS ${BENCH_SCHEMA} CASCADE`);
      await admin.raw(`CREATE SCHEMA ${BENCH_SCHEMA}`);
    } finally {
      await admin.destroy();
    }
  } else {
    fs.rmSync(path.join(config.dataDir, 'pglite'), { recursive: true, force: true });
  }
  return startServices(config, { schema: options.databaseUrl ? BENCH_SCHEMA : undefined });
}

async function describeDatabase(db: Database, options: BenchOptions): Promise<{ kind: 'PostgreSQL' | 'PGlite'; label: string; version: string }> {
  const version = String((await db.raw('SELECT version() AS v')).rows[0].v);
  if (options.databaseUrl) return { kind: 'PostgreSQL', label: version.split(' on ')[0], version };
  let pgliteVersion = '?';
  try {
    pgliteVersion = JSON.parse(fs.readFileSync(path.join(PROJECT_ROOT, 'node_modules/@electric-sql/pglite/package.json'), 'utf8')).version;
  } catch {
    // version unknown: not worth failing the run
  }
  return { kind: 'PGlite', label: `PGlite ${pgliteVersion} (${version.split(' on ')[0]}, in-process WASM, single connection)`, version };
}

async function countResources(db: Database): Promise<{ total: number; byType: Record<string, number> }> {
  const rows: { resource_type: string; n: string }[] = (await db.raw('SELECT resource_type, count(*) AS n FROM resource GROUP BY resource_type ORDER BY resource_type')).rows;
  const byType = Object.fromEntries(rows.map((r) => [r.resource_type, Number(r.n)]));
  return { total: Object.values(byType).reduce((a, b) => a + b, 0), byType };
}

async function seed(store: Store, total: number): Promise<{ generator: DatasetGenerator; seconds: number; inserted: number }> {
  const generator = new DatasetGenerator();
  const practitionerCount = Math.max(1, Math.floor(total / 1000));
  const patientCount = Math.max(1, Math.floor((total - practitionerCount) / RESOURCES_PER_PATIENT));
  const expected = practitionerCount + patientCount * RESOURCES_PER_PATIENT;
  console.log(`Seeding ${fmt(expected)} resources: ${fmt(patientCount)} patients × ${RESOURCES_PER_PATIENT} + ${fmt(practitionerCount)} practitioners, batches of ~${BATCH_SIZE}…`);
  const repo = store.system();
  const started = performance.now();
  let batch: Resource[] = generator.makePractitioners(practitionerCount);
  let inserted = 0;
  let lastReport = started;
  const flush = async () => {
    if (!batch.length) return;
    await repo.bulkInsert(batch);
    inserted += batch.length;
    batch = [];
    const now = performance.now();
    if (now - lastReport > 5000 || inserted === expected) {
      lastReport = now;
      console.log(`  ${fmt(inserted)}/${fmt(expected)} (${fmt(inserted / ((now - started) / 1000))} resources/s)`);
    }
  };
  for (let p = 0; p < patientCount; p++) {
    batch.push(...generator.makePatientRecord());
    if (batch.length > BATCH_SIZE - RESOURCES_PER_PATIENT) await flush();
  }
  await flush();
  return { generator, seconds: (performance.now() - started) / 1000, inserted };
}

/** The seeded GPs as signed-in professionals (CPS card), by Practitioner id. */
function gpPrincipals(practitioners: Practitioner[]): Map<string, Principal> {
  const principals = new Map<string, Principal>();
  for (const p of practitioners) {
    const name = p.name?.[0];
    const idnps = p.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'IDNPS'))?.value;
    principals.set(p.id!, {
      displayName: `Dr ${name?.given?.[0] ?? ''} ${name?.family ?? ''}`.trim(),
      practitionerId: p.id!,
      ...(idnps ? { idnps } : {}),
      roles: ['gp'],
      authMethod: 'cps',
    });
  }
  return principals;
}

/** The app as main.ts assembles it (server/build-app.ts), with only the caller fixed. */
function startServer(config: Config, services: Services, gps: Map<string, Principal>): Promise<Server> {
  const system: Principal = { displayName: 'bench', roles: ['system'], authMethod: 'system' };
  const app = buildApp(config, services, {
    // Sign-in (CPS / SAML / Pro Santé Connect) is not part of the measured path: a request is the
    // service account, or the seeded GP named in the x-bench-gp header (unknown id → 401), so the
    // gp-* scenarios pay the circle-of-care SQL and the professional's audit like real users.
    identify: (req: Request) => {
      const gp = req.get(BENCH_GP_HEADER);
      return gp === undefined ? system : gps.get(gp);
    },
  });
  return new Promise((resolve, reject) => {
    const server = app.listen(0, '127.0.0.1', () => resolve(server));
    server.once('error', reject);
  });
}

/**
 * Requests the server is still answering. autocannon stops at the deadline with requests in flight
 * (a $summary takes a while): the next scenario, and closing the database (whose pool refuses new
 * connections once closing, leaving those requests waiting for the acquire timeout), wait for them.
 */
function trackInFlight(server: Server): { waitIdle: (timeoutMs?: number) => Promise<number> } {
  let inFlight = 0;
  server.on('request', (_req, res) => {
    inFlight++;
    res.once('close', () => inFlight--);
  });
  return {
    async waitIdle(timeoutMs = 60_000) {
      const deadline = performance.now() + timeoutMs;
      while (inFlight > 0 && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 20));
      return inFlight;
    },
  };
}

function closeServer(server: Server): Promise<void> {
  return new Promise((resolve, reject) => {
    server.close((error) => (error ? reject(error) : resolve()));
    server.closeIdleConnections();
  });
}

function printTable(results: ScenarioResult[]): void {
  const header = ['scenario', 'req/s (avg)', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors', 'check', 'CPU node / machine'];
  const rows = results.map((r) => [
    r.title,
    fmt(r.requestsPerSecond, 1),
    fmt(r.latencyMs.p50, 1),
    fmt(r.latencyMs.p99, 1),
    fmt(r.totalRequests),
    fmt(r.non2xx),
    fmt(r.errors),
    r.sanityCheck === 'ok' ? 'ok' : 'FAILED',
    `${r.cpu.nodeProcessPercentOfOneCore}% / ${r.cpu.machinePercentOfAllCores}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i].length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]) : c.padStart(widths[i]))).join(' │ ');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of rows) console.log(line(row));
  console.log('(CPU: this process — server and load generator — in % of one core; machine in % of all cores)');
}

async function main(): Promise<void> {
  const options = readOptions();
  fs.mkdirSync(BENCH_DIR, { recursive: true });
  const config: Config = { ...loadConfig(process.env), dataDir: BENCH_DIR, seedDemo: false, logLevel: 'silent' };
  const cpus = os.cpus();
  const machine = { node: process.version, cpuCount: cpus.length, cpuModel: cpus[0]?.model?.trim() ?? 'unknown', platform: `${os.platform()} ${os.release()}`, totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)) };

  console.log(`Benchmark: ${fmt(options.resources)} resources, ${options.duration}s per scenario (+${options.warmup}s warm-up), ${options.connections} connections`);
  const services = await prepareDatabase(options, config);
  const { db, store } = services;
  let server: Server | undefined;
  let inFlight: ReturnType<typeof trackInFlight> | undefined;
  try {
    const database = await describeDatabase(db, options);
    console.log(`Database: ${database.label}${options.databaseUrl ? ` — schema ${BENCH_SCHEMA}` : ` — ${path.relative(PROJECT_ROOT, path.join(config.dataDir, 'pglite'))}`}`);

    const seeded = await seed(store, options.resources);
    console.log(`Seeded ${fmt(seeded.inserted)} resources in ${fmt(seeded.seconds, 1)} s (${fmt(seeded.inserted / seeded.seconds)} resources/s)`);
    const analyzeStarted = performance.now();
    await db.raw(`ANALYZE ${INDEXED_TABLES.join(', ')}`);
    console.log(`ANALYZE in ${fmt((performance.now() - analyzeStarted) / 1000, 1)} s`);
    const before = await countResources(db);

    server = await startServer(config, services, gpPrincipals(seeded.generator.practitioners));
    inFlight = trackInFlight(server);
    const baseUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    const scenarios = buildScenarios(seeded.generator.patients, seeded.generator);
    const results: ScenarioResult[] = [];
    for (const name of options.scenarios) {
      process.stdout.write(`Running ${scenarios[name].title}… `);
      const result = await runScenario(baseUrl, scenarios[name], options);
      const left = await inFlight.waitIdle();
      if (left) console.log(`(${left} requests still unanswered after 60 s) `);
      results.push(result);
      console.log(`${fmt(result.requestsPerSecond, 1)} req/s, p99 ${fmt(result.latencyMs.p99, 1)} ms${result.non2xx ? `, ${fmt(result.non2xx)} non-2xx` : ''}`);
    }
    const after = await countResources(db);

    const cpuLine = `${machine.cpuCount} × ${machine.cpuModel}`;
    console.log('');
    console.log(`Data: ${fmt(before.total)} resources in \`resource\` (${Object.entries(before.byType).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}) — ${fmt(after.total)} after the write scenarios`);
    console.log(`DB: ${database.label} | Node ${machine.node} | CPUs: ${cpuLine} | ${options.connections} connections, ${options.duration}s per scenario (load generator in the same process)`);
    console.log('');
    printTable(results);

    const problems = results.filter((r) => r.non2xx || r.errors || r.sanityCheck !== 'ok');
    for (const r of problems) {
      console.log(`\n⚠ ${r.title}: ${fmt(r.non2xx)} non-2xx, ${fmt(r.errors)} errors (${fmt(r.timeouts)} timeouts), status codes ${JSON.stringify(r.statusCodes)}, check: ${r.sanityCheck}`);
      for (const s of r.failureSamples) console.log(`   ${s.status}: ${s.body}`);
    }
    if (!problems.length) console.log('\nAll scenarios: 0 non-2xx, 0 errors.');

    const file = path.join(BENCH_DIR, `results-${database.kind.toLowerCase()}.json`);
    const report = {
      date: new Date().toISOString(),
      options: { resources: options.resources, duration: options.duration, connections: options.connections, warmup: options.warmup, scenarios: options.scenarios },
      database: { kind: database.kind, version: database.version, ...(options.databaseUrl ? { schema: BENCH_SCHEMA } : {}) },
      machine,
      seed: { resources: seeded.inserted, patients: seeded.generator.patients.length, seconds: Number(seeded.seconds.toFixed(2)), resourcesPerSecond: Math.round(seeded.inserted / seeded.seconds) },
      dataSize: { before, after },
      scenarios: results,
    };
    fs.writeFileSync(file, `${JSON.stringify(report, null, 2)}\n`);
    console.log(`Results written to ${path.relative(PROJECT_ROOT, file)}`);
  } finally {
    await inFlight?.waitIdle();
    if (server) await closeServer(server);
    await db.destroy();
  }
}

main().catch((error) => {
  console.error(error);
  process.exit(1);
});
