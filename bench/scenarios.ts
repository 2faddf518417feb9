/**
 * The HTTP scenarios: each one is an autocannon run (after a short warm-up) whose requests cycle
 * through randomly pre-picked patients, so neither PostgreSQL's buffers nor any cache see the same
 * row over and over.
 *
 * Most scenarios act as the service account (system: no row-level rule). The gp-* scenarios act as
 * the patient's declared GP (header BENCH_GP_HEADER, read by the bench app's identify), so every
 * query carries the circle-of-care conditions and each read writes its audit as a professional.
 */
import os from 'node:os';
import autocannon from 'autocannon';
import type { Bundle, Observation } from '@medplum/fhirtypes';
import { DatasetGenerator, INS_NIR_TEST_SYSTEM, OBSERVATIONS_PER_PATIENT, observationTransaction, prng, type PatientSummary } from './dataset.ts';
import type { ScenarioName } from './options.ts';

const FHIR_JSON = 'application/fhir+json';
const TRANSACTION_SIZE = 10;
/** Request header naming the GP (Practitioner id) the request acts as; absent → the service account. */
export const BENCH_GP_HEADER = 'x-bench-gp';

export interface ScenarioResult {
  name: ScenarioName;
  title: string;
  request: string;
  requestsPerSecond: number;
  totalRequests: number;
  durationSeconds: number;
  latencyMs: { average: number; p50: number; p90: number; p99: number; max: number };
  non2xx: number;
  errors: number;
  timeouts: number;
  statusCodes: Record<string, number>;
  /** First non-2xx responses (truncated), to tell what went wrong. */
  failureSamples: { status: number; body: string }[];
  /** Result of the single request checked before the run (right status and response shape). */
  sanityCheck: string;
  /** Resources written per successful request (create: 1, transaction: 10). */
  resourcesPerRequest?: number;
  /**
   * CPU used during the measured run: this Node process (server + load generator, % of one core)
   * and the whole machine (% of all cores, database server included when it is local).
   */
  cpu: { nodeProcessPercentOfOneCore: number; machinePercentOfAllCores: number };
}

interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
  /** Extra request headers (e.g. BENCH_GP_HEADER to act as a GP). */
  headers?: Record<string, string>;
}

interface Scenario {
  name: ScenarioName;
  title: string;
  request: string;
  /** The i-th request of the run (i grows across connections). */
  next: (i: number) => RequestSpec;
  /** Checks one response of this scenario; returns a problem description or undefined. */
  check: (status: number, body: any, spec: RequestSpec) => string | undefined;
  resourcesPerRequest?: number;
}

/** Fisher-Yates on a copy: the order in which the benchmark visits patients. */
export function shuffled<T>(list: readonly T[], rng: () => number): T[] {
  const copy = [...list];
  for (let i = copy.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    [copy[i], copy[j]] = [copy[j], copy[i]];
  }
  return copy;
}

export function buildScenarios(patients: PatientSummary[], generator: DatasetGenerator): Record<ScenarioName, Scenario> {
  const rng = prng(Date.now() & 0xffffffff);
  const visit = shuffled(patients, rng);
  const at = (i: number) => visit[i % visit.length];
  const now = Date.now();
  const observationFor = (p: PatientSummary): Observation =>
    generator.observation({ reference: `Patient/${p.id}` }, new Date(now - rng() * 365 * 86_400_000), rng);
  // Bodies are built in advance so the load generator (same process) spends its time sending.
  const createBodies = Array.from({ length: Math.min(4000, Math.max(500, visit.length)) }, (_, i) => JSON.stringify(observationFor(at(i))));
  const transactionBodies = Array.from({ length: 500 }, (_, i) =>
    JSON.stringify(observationTransaction(Array.from({ length: TRANSACTION_SIZE }, (_, k) => observationFor(at(i * TRANSACTION_SIZE + k))))));
  // The GP scenarios visit only patients with a declared GP (all of them when practitioners were seeded first).
  const withGp = visit.filter((p): p is PatientSummary & { gpId: string } => Boolean(p.gpId));
  const atWithGp = (i: number) => {
    if (!withGp.length) throw new Error('No bench patient has a declared GP: seed practitioners before patients');
    return withGp[i % withGp.length];
  };
  const asGp = (p: { gpId: string }) => ({ [BENCH_GP_HEADER]: p.gpId });

  return {
    read: {
      name: 'read',
      title: 'read Patient by id',
      request: 'GET /fhir/Patient/<id>',
      next: (i) => ({ method: 'GET', path: `/fhir/Patient/${at(i).id}` }),
      check: (status, body, spec) => {
        if (status !== 200) return `status ${status}`;
        if (body?.resourceType !== 'Patient' || !spec.path.endsWith(`/${body.id}`)) return 'not the requested Patient';
        return undefined;
      },
    },
    identifier: {
      name: 'identifier',
      title: 'search Patient by INS',
      request: 'GET /fhir/Patient?identifier=<system>|<INS>',
      next: (i) => ({ method: 'GET', path: `/fhir/Patient?identifier=${encodeURIComponent(`${INS_NIR_TEST_SYSTEM}|${at(i).ins}`)}` }),
      check: (status, body) => {
        if (status !== 200) return `status ${status}`;
        const matches = (body?.entry ?? []).filter((e: any) => e.search?.mode === 'match');
        if (matches.length !== 1 || matches[0].resource.resourceType !== 'Patient') return `expected 1 Patient, got ${matches.length}`;
        return undefined;
      },
    },
    include: {
      name: 'include',
      title: 'search Observation by patient, _include subject',
      request: 'GET /fhir/Observation?subject=Patient/<id>&_include=Observation:subject',
      next: (i) => ({ method: 'GET', path: `/fhir/Observation?subject=${encodeURIComponent(`Patient/${at(i).id}`)}&_include=Observation:subject` }),
      check: (status, body) => {
        if (status !== 200) return `status ${status}`;
        const entries: any[] = body?.entry ?? [];
        const matches = entries.filter((e) => e.search?.mode === 'match' && e.resource.resourceType === 'Observation');
        const included = entries.filter((e) => e.search?.mode === 'include' && e.resource.resourceType === 'Patient');
        if (matches.length < OBSERVATIONS_PER_PATIENT || included.length !== 1) return `expected ≥${OBSERVATIONS_PER_PATIENT} Observations + 1 Patient, got ${matches.length} + ${included.length}`;
        return undefined;
      },
    },
    create: {
      name: 'create',
      title: 'create Observation',
      request: 'POST /fhir/Observation',
      next: (i) => ({ method: 'POST', path: '/fhir/Observation', body: createBodies[i % createBodies.length] }),
      check: (status, body) => {
        if (status !== 201) return `status ${status}`;
        if (body?.resourceType !== 'Observation' || !body.id || body.meta?.versionId !== '1') return 'no created Observation in the response';
        return undefined;
      },
      resourcesPerRequest: 1,
    },
    transaction: {
      name: 'transaction',
      title: `transaction of ${TRANSACTION_SIZE} Observation creates`,
      request: `POST /fhir (transaction Bundle, ${TRANSACTION_SIZE} × POST Observation)`,
      next: (i) => ({ method: 'POST', path: '/fhir', body: transactionBodies[i % transactionBodies.length] }),
      check: (status, body) => {
        if (status !== 200) return `status ${status}`;
        const response = body as Bundle | undefined;
        const created = (response?.entry ?? []).filter((e) => e.response?.status?.startsWith('201'));
        if (response?.type !== 'transaction-response' || created.length !== TRANSACTION_SIZE) return `expected ${TRANSACTION_SIZE} × 201, got ${created.length}`;
        return undefined;
      },
      resourcesPerRequest: TRANSACTION_SIZE,
    },
    'gp-read': {
      name: 'gp-read',
      title: 'read Patient by id, as their GP',
      request: 'GET /fhir/Patient/<id> (principal: the patient\'s declared GP)',
      next: (i) => {
        const p = atWithGp(i);
        return { method: 'GET', path: `/fhir/Patient/${p.id}`, headers: asGp(p) };
      },
      check: (status, body, spec) => {
        if (status !== 200) return `status ${status}`;
        if (body?.resourceType !== 'Patient' || !spec.path.endsWith(`/${body.id}`)) return 'not the requested Patient';
        return undefined;
      },
    },
    'gp-summary': {
      name: 'gp-summary',
      title: 'GP summary ($summary, document Bundle), as their GP',
      request: 'GET /fhir/Patient/<id>/$summary?audience=gp (principal: the patient\'s declared GP)',
      next: (i) => {
        const p = atWithGp(i);
        return { method: 'GET', path: `/fhir/Patient/${p.id}/$summary?audience=gp`, headers: asGp(p) };
      },
      check: (status, body) => {
        if (status !== 200) return `status ${status}`;
        const bundle = body as Bundle | undefined;
        if (bundle?.resourceType !== 'Bundle' || bundle.type !== 'document') return `expected a document Bundle, got ${bundle?.resourceType}/${bundle?.type}`;
        const first = bundle.entry?.[0]?.resource?.resourceType;
        if (first !== 'Composition') return `first entry is ${first ?? 'missing'}, not a Composition`;
        return undefined;
      },
    },
  };
}

/** One request sent with fetch, its response checked: the run is meaningless if this fails. */
async function sanityCheck(baseUrl: string, scenario: Scenario): Promise<string> {
  const spec = scenario.next(0);
  const res = await fetch(`${baseUrl}${spec.path}`, {
    method: spec.method,
    headers: { accept: FHIR_JSON, ...(spec.body ? { 'content-type': FHIR_JSON } : {}), ...spec.headers },
    body: spec.body,
  });
  const text = await res.text();
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const problem = scenario.check(res.status, body, spec);
  return problem ? `FAILED: ${spec.method} ${spec.path} → ${problem}: ${text.slice(0, 300)}` : 'ok';
}

async function fire(baseUrl: string, scenario: Scenario, connections: number, duration: number, counter: { i: number }, failures?: ScenarioResult['failureSamples']) {
  return autocannon({
    url: baseUrl,
    connections,
    duration,
    timeout: 30,
    requests: [{
      setupRequest: (request) => {
        const spec = scenario.next(counter.i++);
        return {
          ...request,
          method: spec.method,
          path: spec.path,
          headers: { accept: FHIR_JSON, ...(spec.body ? { 'content-type': FHIR_JSON } : {}), ...spec.headers },
          body: spec.body,
        };
      },
      onResponse: (status, body) => {
        if (failures && (status < 200 || status > 299) && failures.length < 3) failures.push({ status, body: body.slice(0, 500) });
      },
    }],
  });
}

export async function runScenario(
  baseUrl: string, scenario: Scenario, options: { connections: number; duration: number; warmup: number },
): Promise<ScenarioResult> {
  const check = await sanityCheck(baseUrl, scenario);
  // Pre-picked patients are visited in order; warm-up and measure continue from where they are.
  const counter = { i: 1 };
  if (options.warmup > 0) await fire(baseUrl, scenario, options.connections, options.warmup, counter);
  const failures: ScenarioResult['failureSamples'] = [];
  const machineBefore = machineCpuTimes();
  const processBefore = process.cpuUsage();
  const wallBefore = performance.now();
  const r = await fire(baseUrl, scenario, options.connections, options.duration, counter, failures);
  const wallMs = performance.now() - wallBefore;
  const processUsed = process.cpuUsage(processBefore);
  const machineAfter = machineCpuTimes();
  const machineBusy = 1 - (machineAfter.idle - machineBefore.idle) / Math.max(1, machineAfter.total - machineBefore.total);
  const statusCodes: Record<string, number> = {};
  for (const [code, { count }] of Object.entries(r.statusCodeStats ?? {})) statusCodes[code] = Number(count ?? 0);
  const total = r['1xx'] + r['2xx'] + r['3xx'] + r['4xx'] + r['5xx'];
  return {
    name: scenario.name,
    title: scenario.title,
    request: scenario.request,
    requestsPerSecond: r.requests.average,
    totalRequests: total,
    durationSeconds: r.duration,
    latencyMs: { average: r.latency.average, p50: r.latency.p50, p90: r.latency.p90, p99: r.latency.p99, max: r.latency.max },
    non2xx: r.non2xx,
    errors: r.errors,
    timeouts: r.timeouts,
    statusCodes,
    failureSamples: failures,
    sanityCheck: check,
    ...(scenario.resourcesPerRequest ? { resourcesPerRequest: scenario.resourcesPerRequest } : {}),
    cpu: {
      nodeProcessPercentOfOneCore: Math.round(((processUsed.user + processUsed.system) / 1000 / wallMs) * 100),
      machinePercentOfAllCores: Math.round(machineBusy * 100),
    },
  };
}

/** Cumulative CPU times of all cores (ms): busy share over an interval = 1 − Δidle / Δtotal. */
export function machineCpuTimes(): { idle: number; total: number } {
  let idle = 0;
  let total = 0;
  for (const { times } of os.cpus()) {
    idle += times.idle;
    total += times.user + times.nice + times.sys + times.idle + times.irq;
  }
  return { idle, total };
}
