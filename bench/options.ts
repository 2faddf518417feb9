/**
 * Benchmark options, from the environment and the command line (`npm run bench -- --resources 5000`);
 * the command line wins.
 *
 *   BENCH_RESOURCES   / --resources    total resources to seed (default 100000)
 *   BENCH_DURATION    / --duration     seconds measured per scenario (default 10)
 *   BENCH_CONNECTIONS / --connections  concurrent HTTP connections (default 10)
 *   BENCH_WARMUP      / --warmup       warm-up seconds before each scenario (default 2, at most the duration)
 *   BENCH_SCENARIOS   / --scenarios    comma-separated subset (default all):
 *                                      read,identifier,include,create,transaction — as the service account (system);
 *                                      gp-read,gp-summary — as the patient's declared GP (circle-of-care SQL, audit,
 *                                      and for gp-summary the GP summary document, GET /fhir/Patient/<id>/$summary?audience=gp)
 *   DATABASE_URL                       PostgreSQL (schema dcc_bench, dropped and recreated); unset → PGlite in .bench/pglite
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';

export const PROJECT_ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const BENCH_DIR = path.join(PROJECT_ROOT, '.bench');
export const BENCH_SCHEMA = 'dcc_bench';
export const SCENARIO_NAMES = ['read', 'identifier', 'include', 'create', 'transaction', 'gp-read', 'gp-summary'] as const;
export type ScenarioName = (typeof SCENARIO_NAMES)[number];

export interface BenchOptions {
  resources: number;
  duration: number;
  connections: number;
  warmup: number;
  scenarios: ScenarioName[];
  databaseUrl?: string;
}

function argvValues(argv: string[]): Map<string, string> {
  const values = new Map<string, string>();
  for (let i = 0; i < argv.length; i++) {
    const m = /^--([a-z-]+)(?:=(.*))?$/.exec(argv[i]);
    if (!m) throw new Error(`Unexpected argument '${argv[i]}' (expected --name=value)`);
    const value = m[2] ?? argv[++i];
    if (value === undefined) throw new Error(`--${m[1]} needs a value`);
    values.set(m[1], value);
  }
  return values;
}

function positiveInt(name: string, raw: string | undefined, fallback: number, allowZero = false): number {
  if (raw === undefined || raw === '') return fallback;
  const n = Number(raw.replace(/_/g, ''));
  if (!Number.isInteger(n) || n < (allowZero ? 0 : 1)) throw new Error(`${name} must be a ${allowZero ? 'non-negative' : 'positive'} integer, got '${raw}'`);
  return n;
}

export function readOptions(env: NodeJS.ProcessEnv = process.env, argv: string[] = process.argv.slice(2)): BenchOptions {
  const args = argvValues(argv);
  const known = new Set(['resources', 'duration', 'connections', 'warmup', 'scenarios']);
  for (const key of args.keys()) if (!known.has(key)) throw new Error(`Unknown option --${key} (known: ${[...known].join(', ')})`);
  const resources = positiveInt('BENCH_RESOURCES', args.get('resources') ?? env.BENCH_RESOURCES, 100_000);
  const duration = positiveInt('BENCH_DURATION', args.get('duration') ?? env.BENCH_DURATION, 10);
  const connections = positiveInt('BENCH_CONNECTIONS', args.get('connections') ?? env.BENCH_CONNECTIONS, 10);
  const warmup = Math.min(duration, positiveInt('BENCH_WARMUP', args.get('warmup') ?? env.BENCH_WARMUP, 2, true));
  const scenarioList = (args.get('scenarios') ?? env.BENCH_SCENARIOS ?? SCENARIO_NAMES.join(',')).split(',').map((s) => s.trim()).filter(Boolean);
  for (const s of scenarioList) {
    if (!(SCENARIO_NAMES as readonly string[]).includes(s)) throw new Error(`Unknown scenario '${s}' (known: ${SCENARIO_NAMES.join(', ')})`);
  }
  if (resources < 7) throw new Error('BENCH_RESOURCES must be at least 7 (one patient record)');
  return { resources, duration, connections, warmup, scenarios: scenarioList as ScenarioName[], databaseUrl: env.DATABASE_URL || undefined };
}
