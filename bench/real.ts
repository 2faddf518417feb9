/**
 * `npm run bench:real` — the path users take, on PostgreSQL (issue 16).
 *
 * 1. Creates the database `dcc_bench_real` beside the one DATABASE_URL names (dropped first, unless
 *    --reuse finds it seeded), migrates it, loads the demo directory (so the demo PKI's cards belong
 *    to real directory entries) and BENCH_RESOURCES resources: per patient a Patient whose declared GP
 *    is the demo GP, a Condition, 4 Observations, a CarePlan and a CareTeam naming the demo hospital
 *    physician. Bulk loader: FhirRepository.bulkInsert, the store's own write path for seeding (same
 *    indexer and tables, one multi-row INSERT per table per 1,000 resources; no write rules, no audit).
 * 2. Starts the service as `npm start` does (server/main.ts, DCC_WORKERS app processes, mutual TLS
 *    with the demo PKI, request logging on) in its own process tree.
 * 3. Per scenario, runs the load generator (bench/real-load.ts, autocannon) in a process of its own,
 *    presenting the physician's or the GP's CPS card; samples RSS and CPU of each app process.
 * 4. Prints machine, data size, req/s, p50, p99, RSS; writes results.json and chart.svg to .bench/real/.
 *
 * Options (environment or --name=value): --resources (100000), --duration (10 s), --warmup (3 s),
 * --connections (20), --workers (1, as `npm start`), --scenarios (read,identifier,create,transaction,
 * gp-read,gp-summary), --rounds (1: runs every scenario that many times, interleaved, and reports
 * the median round with the range), --database (dcc_bench_real: another name keeps parallel runs
 * apart), --reuse (keep a database already seeded with as many resources, by this checkout: its
 * patients are listed in .bench/real),
 * --cpu-prof (write V8 CPU profiles of the app processes to .bench/real/profiles).
 *
 * On a shared virtual machine the cores' speed drifts while measuring (the same loop of work took
 * 660 to 1,090 ms within an hour here): each run times a fixed piece of CPU work before and after
 * (`calibration`), and --rounds gives a median and a range rather than one draw.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import crypto from 'node:crypto';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { parseArgs } from 'node:util';
import type { CareTeam } from '@medplum/fhirtypes';
import { demoProfessionals, ensureDemoPki } from '../server/auth/demo-pki.ts';
import { seedDemoData, startServices } from '../server/bootstrap.ts';
import { loadConfig, type Config } from '../server/config.ts';
import { buildDemoBundle } from '../server/seed/demo-data.ts';
import { openDatabase } from '../server/store/database.ts';
import { bulkLoadPatientRecords, DatasetGenerator, INS_NIR_TEST_SYSTEM, type PatientSummary } from './dataset.ts';
import { PROJECT_ROOT } from './options.ts';
import { renderChart } from './chart.ts';
import type { LoadJob, LoadResult } from './real-load.ts';
import { REAL_SCENARIO_NAMES, type RealScenarioName } from './real-scenarios.ts';
import { machineCpuTimes } from './scenarios.ts';
import { appHeapFlag } from '../server/heap.ts';
import { freePort } from './spawn-dcc.ts';

const DEFAULT_DB_NAME = 'dcc_bench_real';
const OUT_DIR = path.join(PROJECT_ROOT, '.bench', 'real');
const RESOURCES_PER_PATIENT = 8; // the 7 of bench/dataset.ts + the CareTeam
/** Issue 16's targets: reads ≥ 2,000/s, searches ≥ 1,000/s, creates ≥ 500/s, p99 < 50 ms. */
const TARGET_RPS: Partial<Record<RealScenarioName, number>> = { read: 2000, 'gp-read': 2000, identifier: 1000, create: 500 };
const P99_TARGET_MS = 50;

const fmt = (n: number, digits = 0) => n.toLocaleString('en-US', { minimumFractionDigits: digits, maximumFractionDigits: digits });

function readOptions() {
  const { values } = parseArgs({
    options: {
      resources: { type: 'string' }, duration: { type: 'string' }, warmup: { type: 'string' }, connections: { type: 'string' },
      workers: { type: 'string' }, scenarios: { type: 'string' }, rounds: { type: 'string' }, database: { type: 'string' },
      reuse: { type: 'boolean' }, 'cpu-prof': { type: 'boolean' },
    },
  });
  const env = process.env;
  const int = (name: string, raw: string | undefined, fallback: number) => {
    if (raw === undefined || raw === '') return fallback;
    const n = Number(raw.replace(/_/g, ''));
    if (!Number.isInteger(n) || n < 0) throw new Error(`${name} attend un entier, reçu '${raw}'`);
    return n;
  };
  const scenarios = (values.scenarios ?? env.BENCH_SCENARIOS ?? REAL_SCENARIO_NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scenarios) if (!(REAL_SCENARIO_NAMES as readonly string[]).includes(s)) throw new Error(`Scénario inconnu '${s}' (connus : ${REAL_SCENARIO_NAMES.join(', ')})`);
  const database = values.database ?? env.BENCH_DATABASE ?? DEFAULT_DB_NAME;
  // Created and dropped by name: an identifier, never SQL.
  if (!/^[a-z_][a-z0-9_]{0,62}$/.test(database)) throw new Error(`--database attend un nom de base PostgreSQL simple (minuscules, chiffres, _), reçu '${database}'`);
  if (!env.DATABASE_URL) throw new Error('bench:real mesure le chemin de production : DATABASE_URL=postgres://… est requis (PGlite ne sert qu\'un processus)');
  return {
    databaseUrl: env.DATABASE_URL,
    resources: int('--resources', values.resources ?? env.BENCH_RESOURCES, 100_000),
    duration: Math.max(1, int('--duration', values.duration ?? env.BENCH_DURATION, 10)),
    warmup: int('--warmup', values.warmup ?? env.BENCH_WARMUP, 3),
    connections: Math.max(1, int('--connections', values.connections ?? env.BENCH_CONNECTIONS, 20)),
    // As `npm start` runs (DCC_WORKERS=1): on a machine that also hosts PostgreSQL, one app process
    // serves more than one per core (docs/scaling.md); --workers 2 measures the other setting.
    workers: Math.max(1, int('--workers', values.workers ?? env.BENCH_WORKERS, 1)),
    scenarios: scenarios as RealScenarioName[],
    rounds: Math.max(1, int('--rounds', values.rounds ?? env.BENCH_ROUNDS, 1)),
    database,
    reuse: Boolean(values.reuse) || env.BENCH_REUSE === 'true',
    cpuProf: Boolean(values['cpu-prof']) || env.BENCH_CPU_PROF === 'true',
  };
}
type Options = ReturnType<typeof readOptions>;

function databaseUrlFor(url: string, database: string): string {
  const u = new URL(url);
  u.pathname = `/${database}`;
  return u.toString();
}

async function countResources(url: string): Promise<{ total: number; byType: Record<string, number>; auditEvents: number } | undefined> {
  const db = openDatabase({ databaseUrl: url });
  try {
    const rows: { resource_type: string; n: string }[] = (await db.raw('SELECT resource_type, count(*) AS n FROM resource WHERE NOT deleted GROUP BY 1 ORDER BY 1')).rows;
    // The data set is the clinical and directory data; the audit trail the runs write is counted apart.
    const byType = Object.fromEntries(rows.filter((r) => r.resource_type !== 'AuditEvent').map((r) => [r.resource_type, Number(r.n)]));
    const auditEvents = Number(rows.find((r) => r.resource_type === 'AuditEvent')?.n ?? 0);
    return { total: Object.values(byType).reduce((a, b) => a + b, 0), byType, auditEvents };
  } catch {
    return undefined; // no such database, or not migrated
  } finally {
    await db.destroy();
  }
}

async function practitionerIdByIdnps(url: string, idnps: string): Promise<string> {
  const db = openDatabase({ databaseUrl: url });
  try {
    const rows = (await db.raw(`SELECT r.id FROM resource r JOIN sp_token t ON t.res = r.seq
      WHERE r.resource_type = 'Practitioner' AND NOT r.deleted AND t.resource_type = 'Practitioner' AND t.param = 'identifier' AND t.code = ?`, [idnps])).rows;
    if (!rows[0]) throw new Error(`Practitioner IDNPS ${idnps} absent de l'annuaire de démonstration`);
    return rows[0].id;
  } finally {
    await db.destroy();
  }
}

/** Fresh database, migrations, demo directory, demo PKI, then the patients through bulkInsert. */
async function prepare(options: Options, benchUrl: string) {
  const patientsFile = path.join(OUT_DIR, 'patients.json');
  // Which database the patients file lists: the output folder is one per checkout, the databases several.
  const seededFile = path.join(OUT_DIR, 'seeded-database');
  const seededHere = fs.existsSync(seededFile) && fs.readFileSync(seededFile, 'utf8') === options.database;
  const professionals = demoProfessionals(buildDemoBundle());
  const physician = professionals.find((p) => p.role === 'physician')!;
  const gp = professionals.find((p) => p.role === 'gp')!;
  const existing = options.reuse ? await countResources(benchUrl) : undefined;
  // A seed writes whole patient records: up to one record short of the size asked (99,998 for 100,000).
  if (existing && existing.total >= options.resources - RESOURCES_PER_PATIENT && seededHere && fs.existsSync(patientsFile) && fs.existsSync(path.join(OUT_DIR, 'demo-pki', 'ca.crt'))) {
    console.log(`--reuse: ${fmt(existing.total)} resources already in ${options.database}`);
    return { physician, gp, patients: JSON.parse(fs.readFileSync(patientsFile, 'utf8')) as PatientSummary[], seedSeconds: undefined };
  }
  const admin = openDatabase({ databaseUrl: options.databaseUrl });
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${options.database} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${options.database}`);
  } finally {
    await admin.destroy();
  }
  fs.rmSync(OUT_DIR, { recursive: true, force: true });
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const config: Config = { ...loadConfig({}), databaseUrl: benchUrl, dataDir: OUT_DIR, seedDemo: false, logLevel: 'silent' };
  const { db, store } = await startServices(config);
  try {
    await seedDemoData(store);
    await ensureDemoPki(OUT_DIR, buildDemoBundle(), false);
    const physicianId = await practitionerIdByIdnps(benchUrl, physician.idnps);
    const gpId = await practitionerIdByIdnps(benchUrl, gp.idnps);
    const already = (await countResources(benchUrl))?.total ?? 0;
    const patientCount = Math.max(1, Math.floor((options.resources - already) / RESOURCES_PER_PATIENT));
    console.log(`Seeding ${fmt(patientCount)} patients × ${RESOURCES_PER_PATIENT} resources (+ ${fmt(already)} of the demo directory) through FhirRepository.bulkInsert…`);
    const generator = new DatasetGenerator();
    const { seconds: seedSeconds } = await bulkLoadPatientRecords(store.system(), generator, patientCount, {
      extra: (patient) => {
        patient.generalPractitioner = [{ reference: `Practitioner/${gpId}`, display: `Dr ${gp.given} ${gp.family}` }];
        const careTeam: CareTeam = {
          resourceType: 'CareTeam', id: crypto.randomUUID(), status: 'active', name: 'Équipe de soins hospitalière',
          subject: { reference: `Patient/${patient.id}` },
          participant: [{ member: { reference: `Practitioner/${physicianId}`, display: `Dr ${physician.given} ${physician.family}` } }],
        };
        return [careTeam];
      },
      onProgress: (done, perSecond) => console.log(`  ${fmt(done)} resources (${fmt(perSecond)}/s)`),
    });
    // Statistics and the visibility map (index-only scans), as autovacuum gives a long-lived database.
    await db.raw('VACUUM ANALYZE');
    const patients = generator.patients.map(({ id, ins }) => ({ id, ins }));
    fs.writeFileSync(patientsFile, JSON.stringify(patients));
    fs.writeFileSync(seededFile, options.database);
    return { physician, gp, patients, seedSeconds };
  } finally {
    await db.destroy();
  }
}

/** `npm start` in its own process tree; resolves once every app process listens. */
async function startService(options: Options, benchUrl: string): Promise<{ child: ChildProcess; tlsUrl: string; appPids: () => number[] }> {
  const [port, tlsPort] = [await freePort(), await freePort()];
  const log = fs.openSync(path.join(OUT_DIR, 'server.log'), 'w');
  const profiles = path.join(OUT_DIR, 'profiles');
  const child = spawn(process.execPath, [
    appHeapFlag(process.env), '--import', 'tsx', ...(options.cpuProf ? ['--cpu-prof', `--cpu-prof-dir=${profiles}`] : []), 'server/main.ts',
  ], {
    cwd: PROJECT_ROOT,
    stdio: ['ignore', 'pipe', log],
    env: {
      ...process.env, NODE_ENV: 'development', DATABASE_URL: benchUrl, DCC_WORKERS: String(options.workers), HOST: '127.0.0.1', PORT: String(port),
      TLS_PORT: String(tlsPort), DCC_DATA_DIR: OUT_DIR, DCC_SEED_DEMO: 'false', DCC_DEMO_MAILBOX: 'false', DCC_DEMO_SIGN_IN: 'false', LOG_LEVEL: 'info',
    },
  });
  const ready = options.workers > 1 ? 'processus applicatifs sur PostgreSQL' : 'Accès par carte CPS';
  await new Promise<void>((resolve, reject) => {
    let buffered = '';
    const timer = setTimeout(() => reject(new Error('le service n\'a pas démarré en 180 s (voir .bench/real/server.log)')), 180_000);
    child.once('exit', (code) => reject(new Error(`le service s'est arrêté au démarrage (code ${code}, voir .bench/real/server.log)`)));
    child.stdout!.on('data', (chunk: Buffer) => {
      fs.writeSync(log, chunk);
      if (buffered !== undefined) {
        buffered += chunk.toString('utf8');
        if (buffered.includes(ready)) {
          buffered = undefined as unknown as string;
          clearTimeout(timer);
          resolve();
        } else if (buffered.length > 1_000_000) buffered = buffered.slice(-10_000);
      }
    });
  });
  child.removeAllListeners('exit');
  const appPids = () => {
    if (options.workers <= 1) return [child.pid!];
    try {
      return fs.readFileSync(`/proc/${child.pid}/task/${child.pid}/children`, 'utf8').trim().split(/\s+/).filter(Boolean).map(Number);
    } catch {
      return [];
    }
  };
  return { child, tlsUrl: `https://127.0.0.1:${tlsPort}`, appPids };
}

/** Resident set size (MiB) and CPU time (s) of a process, from /proc (Linux). */
function processSample(pid: number): { rssMiB: number; cpuSeconds: number } | undefined {
  try {
    const status = fs.readFileSync(`/proc/${pid}/status`, 'utf8');
    const rss = Number(/VmRSS:\s+(\d+) kB/.exec(status)?.[1] ?? 0) / 1024;
    const fields = fs.readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
    const ticks = Number(fields[11]) + Number(fields[12]); // utime + stime (fields 14 and 15 of stat)
    return { rssMiB: rss, cpuSeconds: ticks / 100 };
  } catch {
    return undefined;
  }
}

/**
 * CPU time (s) of every PostgreSQL process on this machine (backends, WAL writer, checkpointer…),
 * from /proc; undefined when none is visible (a server elsewhere). Per request, it is the
 * database's share of the work: on a shared machine whose speed drifts, the req/s of two runs can
 * differ by a third while what a request costs each process moves far less.
 */
function postgresCpuSeconds(): number | undefined {
  let ticks = 0;
  let found = false;
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      if (fs.readFileSync(`/proc/${entry}/comm`, 'utf8').trim() !== 'postgres') continue;
      const fields = fs.readFileSync(`/proc/${entry}/stat`, 'utf8').split(') ')[1]!.split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
      found = true;
    } catch {
      // The process ended while being read.
    }
  }
  return found ? ticks / 100 : undefined;
}

interface ScenarioRun extends LoadResult {
  rssMiBPerProcess: { pid: number; max: number; average: number }[];
  cpu: { appProcessesPercentOfOneCore: number; appCpuMsPerRequest: number; postgresCpuMsPerRequest?: number; machinePercentOfAllCores: number };
}

/** A scenario's reported run: the median round by req/s, with every round's figures. */
interface ScenarioResult extends ScenarioRun {
  rounds: { requestsPerSecond: number; p99Ms: number; appCpuMsPerRequest: number; postgresCpuMsPerRequest?: number }[];
}

function medianRound(runs: ScenarioRun[]): ScenarioResult {
  const sorted = [...runs].sort((a, b) => a.requestsPerSecond - b.requestsPerSecond);
  const median = sorted[(sorted.length - 1) >> 1]!; // the lower middle of an even count
  return {
    ...median,
    rounds: runs.map((r) => ({ requestsPerSecond: r.requestsPerSecond, p99Ms: r.latencyMs.p99, appCpuMsPerRequest: r.cpu.appCpuMsPerRequest, postgresCpuMsPerRequest: r.cpu.postgresCpuMsPerRequest })),
  };
}

/**
 * Milliseconds this machine takes for a fixed piece of CPU work (hashing and JSON, as a request
 * does), best of three: lower is faster. Timed before and after the runs, it shows how far the
 * shared cores' speed moved while measuring.
 */
function calibrate(): number {
  let best = Infinity;
  for (let attempt = 0; attempt < 3; attempt++) {
    const start = performance.now();
    let sink = 0;
    for (let i = 0; i < 60_000; i++) {
      sink += crypto.createHash('sha256').update(`calibration-${i}`).digest()[0]!;
      sink += (JSON.parse(JSON.stringify({ i, codes: [1, 2, 3], text: 'x'.repeat(64) })) as { i: number }).i;
    }
    best = Math.min(best, performance.now() - start);
    if (sink < 0) console.log(sink); // keeps the work from being optimised away
  }
  return Math.round(best);
}

/**
 * Every INS the database holds: the patients an earlier round or run created are not in the seed's
 * list, and a new patient taking one of their INS is refused (409, identity vigilance).
 */
async function insInDatabase(benchUrl: string): Promise<string[]> {
  const db = openDatabase({ databaseUrl: benchUrl });
  try {
    return (await db('sp_token').where({ resource_type: 'Patient', param: 'identifier', system: INS_NIR_TEST_SYSTEM }).pluck('code')) as string[];
  } finally {
    await db.destroy();
  }
}

async function runScenario(name: RealScenarioName, options: Options, tlsUrl: string, appPids: number[], cards: Record<'physician' | 'gp', LoadJob['card']>, patientsFile: string, benchUrl: string): Promise<ScenarioRun> {
  const as = name.startsWith('gp-') ? 'gp' : 'physician';
  let takenInsFile: string | undefined;
  if (name === 'transaction') {
    takenInsFile = path.join(OUT_DIR, 'taken-ins.json');
    fs.writeFileSync(takenInsFile, JSON.stringify(await insInDatabase(benchUrl)));
  }
  const job: LoadJob = {
    scenario: name, baseUrl: tlsUrl, card: cards[as], patientsFile, ...(takenInsFile ? { takenInsFile } : {}), seed: Date.now() & 0x7fffffff,
    duration: options.duration, warmup: options.warmup, connections: options.connections,
  };
  const jobFile = path.join(OUT_DIR, `job-${name}.json`);
  fs.writeFileSync(jobFile, JSON.stringify(job));
  const samples = new Map<number, number[]>(appPids.map((pid) => [pid, []]));
  const appCpu = () => appPids.reduce((sum, pid) => sum + (processSample(pid)?.cpuSeconds ?? 0), 0);
  // CPU is counted over the measured part only: the load process says when it starts.
  let before: { app: number; postgres?: number; machine: ReturnType<typeof machineCpuTimes>; wall: number } | undefined;
  let sampler: NodeJS.Timeout | undefined;
  const output = await new Promise<string>((resolve, reject) => {
    const load = spawn(process.execPath, ['--import', 'tsx', 'bench/real-load.ts', jobFile], { cwd: PROJECT_ROOT, stdio: ['ignore', 'pipe', 'inherit'] });
    let out = '';
    load.stdout.on('data', (c: Buffer) => {
      out += c.toString('utf8');
      if (!before && out.includes('measure\n')) {
        before = { app: appCpu(), postgres: postgresCpuSeconds(), machine: machineCpuTimes(), wall: performance.now() };
        sampler = setInterval(() => {
          for (const pid of appPids) {
            const s = processSample(pid);
            if (s) samples.get(pid)!.push(s.rssMiB);
          }
        }, 250);
      }
    });
    load.once('exit', (code) => (code === 0 ? resolve(out) : reject(new Error(`générateur de charge ${name} : code ${code}`))));
  });
  clearInterval(sampler);
  const wallSeconds = (performance.now() - before!.wall) / 1000;
  const machineAfter = machineCpuTimes();
  const appCpuSeconds = appCpu() - before!.app;
  const postgresAfter = postgresCpuSeconds();
  const postgresSeconds = before!.postgres !== undefined && postgresAfter !== undefined ? postgresAfter - before!.postgres : undefined;
  const result = JSON.parse(output.trim().split('\n').pop()!) as LoadResult;
  return {
    ...result,
    rssMiBPerProcess: appPids.map((pid) => {
      const s = samples.get(pid)!;
      return { pid, max: Math.round(Math.max(0, ...s)), average: Math.round(s.reduce((a, b) => a + b, 0) / Math.max(1, s.length)) };
    }),
    cpu: {
      appProcessesPercentOfOneCore: Math.round(appCpuSeconds / wallSeconds * 100),
      // What one request costs the app processes, whatever else the machine runs: the figure that
      // says how many requests a dedicated core would serve (PostgreSQL's share apart).
      appCpuMsPerRequest: Number(((appCpuSeconds * 1000) / Math.max(1, result.totalRequests)).toFixed(2)),
      ...(postgresSeconds !== undefined ? { postgresCpuMsPerRequest: Number(((postgresSeconds * 1000) / Math.max(1, result.totalRequests)).toFixed(2)) } : {}),
      machinePercentOfAllCores: Math.round((1 - (machineAfter.idle - before!.machine.idle) / Math.max(1, machineAfter.total - before!.machine.total)) * 100),
    },
  };
}

/** `runs`: every round of every scenario, whose failures are all listed (not only the median round's). */
function printTable(results: ScenarioResult[], runs: ScenarioRun[]): void {
  const ranged = results.some((r) => r.rounds.length > 1);
  const header = ['scenario', 'conn.', 'req/s', ...(ranged ? ['rounds: req/s'] : []), 'resources/s', 'p50 ms', 'p99 ms', 'requests', 'non-2xx', 'errors', 'check', 'RSS max MiB / process', 'app CPU ms/req', 'PG CPU ms/req', 'CPU app / machine'];
  const rows = results.map((r) => [
    r.title, String(r.connections), fmt(r.requestsPerSecond, 1),
    ...(ranged ? [r.rounds.map((x) => fmt(x.requestsPerSecond)).join(' · ')] : []),
    r.resourcesPerRequest ? fmt(r.requestsPerSecond * r.resourcesPerRequest) : '', fmt(r.latencyMs.p50, 1), fmt(r.latencyMs.p99, 1), fmt(r.totalRequests), fmt(r.non2xx), fmt(r.errors),
    r.sanityCheck === 'ok' ? 'ok' : 'FAILED', r.rssMiBPerProcess.map((p) => p.max).join(' / '), fmt(r.cpu.appCpuMsPerRequest, 2),
    r.cpu.postgresCpuMsPerRequest !== undefined ? fmt(r.cpu.postgresCpuMsPerRequest, 2) : '—',
    `${r.cpu.appProcessesPercentOfOneCore}% / ${r.cpu.machinePercentOfAllCores}%`,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((row) => row[i]!.length)));
  const line = (cells: string[]) => cells.map((c, i) => (i === 0 ? c.padEnd(widths[i]!) : c.padStart(widths[i]!))).join(' │ ');
  console.log(line(header));
  console.log(widths.map((w) => '─'.repeat(w)).join('─┼─'));
  for (const row of rows) console.log(line(row));
  if (ranged) console.log(`(each scenario: the median of ${results[0]!.rounds.length} rounds by req/s, rounds interleaved; the other rounds' req/s in "rounds")`);
  console.log('(measured part only — app CPU ms/req: CPU time of the app processes per request; PG CPU ms/req: of every PostgreSQL process on this machine (— when the server is elsewhere); CPU: app processes together in % of one core, machine in % of all cores with PostgreSQL and the load generator)');
  for (const r of runs) {
    if (r.sanityCheck !== 'ok') console.log(`  ${r.scenario}: ${r.sanityCheck}`);
    for (const f of r.failureSamples) console.log(`  ${r.scenario}: ${f.status} ${f.body.slice(0, 200)}`);
  }
}

async function stopService(child: ChildProcess): Promise<void> {
  if (child.exitCode !== null) return;
  const exited = new Promise<void>((resolve) => child.once('exit', () => resolve()));
  child.kill('SIGTERM');
  await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 20_000))]);
  if (child.exitCode === null) child.kill('SIGKILL');
}

async function main(): Promise<void> {
  const options = readOptions();
  // The app processes inherit the environment: the pool they open is the one the configuration reads.
  const databasePool = loadConfig(process.env).databasePoolMax;
  const benchUrl = databaseUrlFor(options.databaseUrl, options.database);
  fs.mkdirSync(OUT_DIR, { recursive: true });
  const cpus = os.cpus();
  const machine = {
    cpuCount: cpus.length, cpuModel: cpus[0]?.model?.trim() ?? 'unknown', totalMemoryGiB: Number((os.totalmem() / 2 ** 30).toFixed(1)),
    node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverageAtStart: os.loadavg().map((l) => Number(l.toFixed(2))),
  };
  console.log(`Machine: ${machine.cpuCount} × ${machine.cpuModel}, ${machine.totalMemoryGiB} GiB RAM, Node ${machine.node}, load average ${machine.loadAverageAtStart.join(' ')} (shared: other work on this machine shows here)`);
  const prepared = await prepare(options, benchUrl);
  const data = (await countResources(benchUrl))!;
  const pgVersion = await (async () => {
    const db = openDatabase({ databaseUrl: benchUrl });
    try {
      return String((await db.raw('SHOW server_version')).rows[0].server_version);
    } finally {
      await db.destroy();
    }
  })();
  console.log(`Data: ${fmt(data.total)} resources in PostgreSQL ${pgVersion} database ${options.database} (${Object.entries(data.byType).map(([t, n]) => `${t} ${fmt(n)}`).join(', ')}), and ${fmt(data.auditEvents)} AuditEvents of earlier runs`);
  const pki = path.join(OUT_DIR, 'demo-pki');
  const card = (slug: string) => ({ certFile: path.join(pki, `${slug}.crt`), keyFile: path.join(pki, `${slug}.key`), caFile: path.join(pki, 'ca.crt') });
  const cards = { physician: card(prepared.physician.slug), gp: card(prepared.gp.slug) };
  console.log(`Signed in over mutual TLS with the demo PKI's CPS cards: physician Dr ${prepared.physician.given} ${prepared.physician.family} (care team of every patient), GP Dr ${prepared.gp.given} ${prepared.gp.family} (declared GP of every patient)`);

  const calibrationBefore = calibrate();
  const { child, tlsUrl, appPids } = await startService(options, benchUrl);
  const runs = new Map<RealScenarioName, ScenarioRun[]>(options.scenarios.map((name) => [name, []]));
  try {
    const pids = appPids();
    console.log(`Service: ${options.workers} app process(es) (pids ${pids.join(', ')}) with ${databasePool} PostgreSQL connections each (DCC_DATABASE_POOL) on ${tlsUrl}; ${options.duration} s per scenario after ${options.warmup} s warm-up, ${options.connections} connections, load generator in its own process${options.rounds > 1 ? `; ${options.rounds} rounds of every scenario, interleaved` : ''}`);
    // Interleaved (a, b, c, a, b, c…): a slow spell of the shared machine falls on every scenario, not on one.
    for (let round = 1; round <= options.rounds; round++) {
      for (const name of options.scenarios) {
        console.log(`… ${name}${options.rounds > 1 ? ` (round ${round})` : ''}`);
        runs.get(name)!.push(await runScenario(name, options, tlsUrl, pids, cards, path.join(OUT_DIR, 'patients.json'), benchUrl));
      }
    }
  } finally {
    await stopService(child);
  }
  const calibration = { beforeMs: calibrationBefore, afterMs: calibrate() };
  const results = options.scenarios.map((name) => medianRound(runs.get(name)!));
  printTable(results, [...runs.values()].flat());
  console.log(`Calibration (the same CPU work, best of 3, lower is faster): ${calibration.beforeMs} ms before the runs, ${calibration.afterMs} ms after`);

  const when = new Date().toISOString();
  const report = {
    when, machine, calibration, note: 'Machine shared with other work while measuring (load average above); PostgreSQL, the app processes and the load generator share its cores.',
    database: { kind: 'PostgreSQL', version: pgVersion, name: options.database, resources: data.total, byType: data.byType, auditEvents: data.auditEvents, seedSeconds: prepared.seedSeconds, loader: 'FhirRepository.bulkInsert (store write path for seeding, 1,000 resources per batch)' },
    service: { workers: options.workers, databasePool, entry: 'server/main.ts', auth: 'CPS client certificates over mutual TLS (demo PKI)', logging: 'info (one JSON line per request)' },
    load: { connections: options.connections, durationSeconds: options.duration, warmupSeconds: options.warmup, rounds: options.rounds, generator: 'autocannon in bench/real-load.ts, own process' },
    targets: { requestsPerSecond: TARGET_RPS, p99Ms: P99_TARGET_MS, rssMiB: 300 },
    results,
  };
  fs.writeFileSync(path.join(OUT_DIR, 'results.json'), `${JSON.stringify(report, null, 2)}\n`);
  const caption = `${fmt(data.total)} resources, PostgreSQL ${pgVersion}, ${options.workers} app process(es) × ${databasePool} connections, ${options.connections} connections, ${machine.cpuCount} × ${machine.cpuModel} (shared), ${when.slice(0, 16)}Z`;
  fs.writeFileSync(path.join(OUT_DIR, 'chart.svg'), renderChart(results.map((r) => ({
    label: r.scenario, requestsPerSecond: r.requestsPerSecond, p99Ms: r.latencyMs.p99, ...(TARGET_RPS[r.scenario] ? { targetRps: TARGET_RPS[r.scenario] } : {}),
  })), caption, P99_TARGET_MS));
  console.log(`Written: ${path.relative(PROJECT_ROOT, path.join(OUT_DIR, 'results.json'))}, ${path.relative(PROJECT_ROOT, path.join(OUT_DIR, 'chart.svg'))}`);
  if ([...runs.values()].flat().some((r) => r.sanityCheck !== 'ok')) process.exitCode = 1;
}

await main();
