/**
 * Documents a user waits for (`npm run bench:render`), on the demo data (PGlite), through the real
 * path: the server runs as `npm start` in its own process (bench/spawn-dcc.ts), the requests come
 * from this one, signed in with the demo sign-in (session cookie, circle of care, audit trail on).
 *
 *   rcp-sheet-pdf   GET /fhir/Composition/{id}/$render?format=pdf   a signed RCP sheet, as the oncologist
 *   rcp-document    GET /fhir/Composition/{id}/$document            the same sheet as a FHIR document
 *   pps-pdf         GET /fhir/CarePlan/{id}/$render?format=pdf      a PPS, as the oncologist
 *   gp-summary      GET /fhir/Patient/{id}/$summary?audience=gp     the GP summary (FHIR document), as the GP
 *   gp-summary-pdf  the same, Accept: application/pdf
 *
 * Requests are sent one after the other (what one user waits for, not throughput): --warmup N
 * (default 3) then --requests N (default 30) per scenario; prints p50 / p99 / max and writes
 * .bench/render.json. The data folder .bench/render-data is seeded on the first run and kept.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { BENCH_DIR } from './options.ts';
import { spawnDcc } from './spawn-dcc.ts';

function option(name: string, fallback: number): number {
  const i = process.argv.indexOf(`--${name}`);
  return i > 0 ? Number(process.argv[i + 1]) : fallback;
}
const warmup = option('warmup', 3);
const requests = option('requests', 30);
const dataDir = path.join(BENCH_DIR, 'render-data');

interface Session { get: (p: string, accept?: string) => Promise<Response> }

async function signInAs(url: string, role: string, family: string): Promise<Session> {
  const users = await (await fetch(`${url}/auth/demo/users`)).json() as { roles: { role: string; users: { idnps: string; name: string }[] }[] };
  const user = users.roles.find((r) => r.role === role)?.users.find((u) => u.name.includes(family));
  if (!user) throw new Error(`no demo ${role} named ${family}`);
  const res = await fetch(`${url}/auth/demo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ practitioner: user.idnps }) });
  if (!res.ok) throw new Error(`demo sign-in as ${family}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { get: (p, accept = 'application/fhir+json') => fetch(`${url}${p}`, { headers: { cookie, accept } }) };
}

async function ids(session: Session, type: string, query: string): Promise<string[]> {
  const res = await session.get(`/fhir/${type}?${query}`);
  if (!res.ok) throw new Error(`${type}?${query}: ${res.status}`);
  const bundle = await res.json() as { entry?: { resource?: { id?: string } }[] };
  return (bundle.entry ?? []).map((e) => e.resource?.id).filter((id): id is string => Boolean(id));
}

/** The first of the candidates the path answers 200 for. */
async function firstServed(session: Session, candidates: string[], pathOf: (id: string) => string, accept?: string): Promise<string> {
  for (const id of candidates) {
    const res = await session.get(pathOf(id), accept);
    await res.arrayBuffer();
    if (res.ok) return pathOf(id);
  }
  throw new Error(`none of ${candidates.length} candidates served by ${pathOf('{id}')}`);
}

function percentile(sorted: number[], p: number): number {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)]!;
}

fs.mkdirSync(BENCH_DIR, { recursive: true });
const dcc = await spawnDcc(dataDir);
try {
  await dcc.demoDone;
  const oncologist = await signInAs(dcc.url, 'physician', 'Lambert');
  const gp = await signInAs(dcc.url, 'gp', 'Chabert');
  const sheet = await firstServed(oncologist, await ids(oncologist, 'Composition', 'status=final&_count=50'), (id) => `/fhir/Composition/${id}/$render?format=pdf`);
  const carePlan = await firstServed(oncologist, await ids(oncologist, 'CarePlan', '_count=50'), (id) => `/fhir/CarePlan/${id}/$render?format=pdf`);
  const gpSummary = await firstServed(gp, await ids(gp, 'Patient', '_count=50'), (id) => `/fhir/Patient/${id}/$summary?audience=gp`);
  const scenarios: { name: string; session: Session; path: string; accept?: string }[] = [
    { name: 'rcp-sheet-pdf', session: oncologist, path: sheet },
    { name: 'rcp-document', session: oncologist, path: sheet.replace('$render?format=pdf', '$document') },
    { name: 'pps-pdf', session: oncologist, path: carePlan },
    { name: 'gp-summary', session: gp, path: gpSummary },
    { name: 'gp-summary-pdf', session: gp, path: gpSummary, accept: 'application/pdf' },
  ];
  const results = [];
  for (const s of scenarios) {
    const times: number[] = [];
    let bytes = 0;
    for (let i = 0; i < warmup + requests; i++) {
      const t0 = performance.now();
      const res = await s.session.get(s.path, s.accept);
      const body = await res.arrayBuffer();
      const ms = performance.now() - t0;
      if (!res.ok) throw new Error(`${s.name} ${s.path}: ${res.status} ${Buffer.from(body).toString('utf8').slice(0, 300)}`);
      bytes = body.byteLength;
      if (i >= warmup) times.push(ms);
    }
    times.sort((a, b) => a - b);
    const result = { name: s.name, path: s.path, requests, bytes, p50: percentile(times, 50), p99: percentile(times, 99), max: times[times.length - 1]! };
    results.push(result);
    console.log(`${s.name.padEnd(15)} p50 ${result.p50.toFixed(0).padStart(5)} ms   p99 ${result.p99.toFixed(0).padStart(5)} ms   max ${result.max.toFixed(0).padStart(5)} ms   (${(bytes / 1024).toFixed(0)} KiB)`);
  }
  const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version };
  console.log(`machine: ${machine.cpus} cores (${machine.model}), load ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}; PGlite, demo data; ${requests} requests per scenario after ${warmup} warm-up`);
  fs.writeFileSync(path.join(BENCH_DIR, 'render.json'), JSON.stringify({ date: new Date().toISOString(), machine, warmup, results }, null, 2));
} finally {
  await dcc.stop();
}
