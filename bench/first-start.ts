/**
 * First start on a fresh clone (`npm run bench:first-start`): what a newcomer waits for after
 * `npm install && npm start` — embedded PGlite, demo data, an empty data folder each run.
 *
 * For each run: spawns the server (bench/spawn-dcc.ts) on a new temp data folder and prints
 *   - listening: ms until GET /health answers 200;
 *   - first page: ms until a physician signed in (demo sign-in) has the page's answers: the web
 *     page, GET /auth/session and the "Mes patients" list (GET /fhir/Patient?_count=20&_sort=family);
 *   - demo done: ms until the log says the demo data and activity are written;
 *   - CPU seconds of the server process at the first page and at demo done.
 * Writes .bench/first-start.json. Options: --runs N (default 1). The client must be built (npm install does it).
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { setTimeout as delay } from 'node:timers/promises';
import { BENCH_DIR } from './options.ts';
import { signIn, spawnDcc } from './spawn-dcc.ts';

const runsArg = process.argv.indexOf('--runs');
const runs = runsArg > 0 ? Number(process.argv[runsArg + 1]) : 1;

interface Run { listeningMs: number; firstPageMs: number; demoDoneMs?: number; cpuAtFirstPage: number; cpuAtDemoDone?: number }

async function oneRun(): Promise<Run> {
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-first-start-'));
  const dcc = await spawnDcc(dataDir);
  const started = performance.now() - dcc.listeningMs;
  try {
    // The page a physician lands on. Sign-in is rate-limited (30 a minute): retried once a second at most.
    let firstPageMs: number | undefined;
    let lastFault = '';
    let session: Awaited<ReturnType<typeof signIn>> | undefined;
    while (firstPageMs === undefined) {
      try {
        session ??= await signIn(dcc.url, 'physician');
        const answers = await Promise.all([session.get('/', 'text/html'), session.get('/auth/session'), session.get('/fhir/Patient?_count=20&_sort=family')]);
        await Promise.all(answers.map((r) => r.arrayBuffer()));
        if (answers.every((r) => r.ok)) firstPageMs = performance.now() - started;
        else lastFault = answers.map((r) => `${r.url} ${r.status}`).join(', ');
      } catch (error) {
        lastFault = String(error); // not ready yet
      }
      if (performance.now() - started > 600_000) throw new Error(`no signed-in page after 10 min: ${lastFault}`);
      if (firstPageMs === undefined) await new Promise((r) => setTimeout(r, 1000));
    }
    const cpuAtFirstPage = dcc.cpuSeconds();
    const demoDoneMs = await Promise.race([dcc.demoDone, delay(300_000, undefined, { ref: false })]);
    const cpuAtDemoDone = demoDoneMs === undefined ? undefined : dcc.cpuSeconds();
    return { listeningMs: dcc.listeningMs, firstPageMs, demoDoneMs, cpuAtFirstPage, cpuAtDemoDone };
  } finally {
    await dcc.stop();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

const results: Run[] = [];
for (let i = 0; i < runs; i++) {
  const run = await oneRun();
  results.push(run);
  const s = (ms?: number) => (ms === undefined ? '—' : `${(ms / 1000).toFixed(1)} s`);
  console.log(`run ${i + 1}: listening ${s(run.listeningMs)}, first signed-in page ${s(run.firstPageMs)}, demo done ${s(run.demoDoneMs)}; CPU ${run.cpuAtFirstPage.toFixed(1)} s at first page, ${run.cpuAtDemoDone?.toFixed(1) ?? '—'} s at demo done`);
}
const machine = { cpus: os.cpus().length, model: os.cpus()[0]?.model, loadavg: os.loadavg(), node: process.version };
console.log(`machine: ${machine.cpus} cores (${machine.model}), load ${machine.loadavg.map((l) => l.toFixed(1)).join(' ')}`);
fs.mkdirSync(BENCH_DIR, { recursive: true });
fs.writeFileSync(path.join(BENCH_DIR, 'first-start.json'), JSON.stringify({ date: new Date().toISOString(), machine, runs: results }, null, 2));
