/**
 * The load generator of `npm run bench:real`, in its own process so that it takes no CPU from the
 * app processes' event loops (on 2 cores it still competes for the machine: the figures say so).
 *
 * Input: the path of a job file (JSON, written by bench/real.ts). Output: one JSON line on stdout.
 * It presents the professional's CPS card (client certificate of the demo PKI) over mutual TLS, checks
 * one response in full, warms up, then runs autocannon for the measured duration.
 */
import fs from 'node:fs';
import https from 'node:https';
import autocannon from 'autocannon';
import type { PatientSummary } from './dataset.ts';
import { buildRealScenario, type RealScenario, type RealScenarioName, type RequestSpec } from './real-scenarios.ts';

export interface LoadJob {
  scenario: RealScenarioName;
  /** https://127.0.0.1:<TLS port> */
  baseUrl: string;
  card: { certFile: string; keyFile: string; caFile: string };
  patientsFile: string;
  /** A JSON array of the INS the database holds when the scenario starts (new patients avoid them). */
  takenInsFile?: string;
  seed: number;
  duration: number;
  warmup: number;
  connections: number;
}

export interface LoadResult {
  scenario: RealScenarioName;
  title: string;
  request: string;
  as: 'physician' | 'gp';
  sanityCheck: string;
  requestsPerSecond: number;
  totalRequests: number;
  durationSeconds: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  failureSamples: { status: number; body: string }[];
  resourcesPerRequest?: number;
  connections: number;
}

const FHIR_JSON = 'application/fhir+json';

function headersOf(spec: RequestSpec): Record<string, string> {
  return { accept: FHIR_JSON, ...(spec.body ? { 'content-type': FHIR_JSON } : {}) };
}

/** One request over mutual TLS with the card, its response checked in full before any load. */
function sanityCheck(job: LoadJob, tls: https.AgentOptions, scenario: RealScenario): Promise<string> {
  const spec = scenario.next(0);
  return new Promise((resolve) => {
    const req = https.request(`${job.baseUrl}${spec.path}`, { method: spec.method, headers: headersOf(spec), ...tls }, (res) => {
      const chunks: Buffer[] = [];
      res.on('data', (c: Buffer) => chunks.push(c));
      res.on('end', () => {
        const text = Buffer.concat(chunks).toString('utf8');
        let body: unknown;
        try {
          body = JSON.parse(text);
        } catch {
          body = undefined;
        }
        const problem = scenario.check(res.statusCode ?? 0, body, spec);
        resolve(problem ? `FAILED: ${spec.method} ${spec.path} → ${problem}: ${text.slice(0, 300)}` : 'ok');
      });
    });
    req.on('error', (error) => resolve(`FAILED: ${error.message}`));
    req.end(spec.body);
  });
}

function fire(job: LoadJob, tls: https.AgentOptions, scenario: RealScenario, duration: number, counter: { i: number }, failures?: LoadResult['failureSamples']) {
  return autocannon({
    url: job.baseUrl,
    connections: Math.min(job.connections, scenario.maxConnections ?? job.connections),
    duration,
    timeout: 30,
    tlsOptions: tls,
    requests: [{
      setupRequest: (request) => {
        const spec = scenario.next(counter.i++);
        return { ...request, method: spec.method, path: spec.path, headers: headersOf(spec), body: spec.body };
      },
      onResponse: (status, body) => {
        if (failures && (status < 200 || status > 299) && failures.length < 3) failures.push({ status, body: body.slice(0, 500) });
      },
    }],
  } as autocannon.Options);
}

async function main(): Promise<void> {
  const job = JSON.parse(fs.readFileSync(process.argv[2]!, 'utf8')) as LoadJob;
  const patients = JSON.parse(fs.readFileSync(job.patientsFile, 'utf8')) as PatientSummary[];
  const takenIns = job.takenInsFile ? (JSON.parse(fs.readFileSync(job.takenInsFile, 'utf8')) as string[]) : undefined;
  const scenario = buildRealScenario(job.scenario, patients, job.seed, takenIns);
  const tls = { cert: fs.readFileSync(job.card.certFile), key: fs.readFileSync(job.card.keyFile), ca: fs.readFileSync(job.card.caFile), rejectUnauthorized: true };
  const check = await sanityCheck(job, tls, scenario);
  const counter = { i: 1 };
  if (job.warmup > 0) await fire(job, tls, scenario, job.warmup, counter);
  const failures: LoadResult['failureSamples'] = [];
  // Tells the orchestrator the measured part starts (it samples the app processes' CPU from here).
  process.stdout.write('measure\n');
  const r = await fire(job, tls, scenario, Math.max(job.duration, scenario.minDuration ?? 0), counter, failures);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count ?? 0);
  const result: LoadResult = {
    scenario: scenario.name, title: scenario.title, request: scenario.request, as: scenario.as, sanityCheck: check,
    requestsPerSecond: r.requests.average,
    totalRequests: r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'],
    durationSeconds: r.duration,
    latencyMs: { average: r.latency.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    connections: Math.min(job.connections, scenario.maxConnections ?? job.connections),
    non2xx: r.non2xx, errors: r.errors, timeouts: r.timeouts, statusCodes, failureSamples: failures,
    ...(scenario.resourcesPerRequest ? { resourcesPerRequest: scenario.resourcesPerRequest } : {}),
  };
  process.stdout.write(`${JSON.stringify(result)}\n`);
}

await main();
