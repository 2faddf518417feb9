/**
 * The DCC as `npm start` runs it, in a child process, for the benches that time what a user waits
 * for (bench/first-start.ts, bench/render.ts): the load generator stays in this process, the
 * server's CPU is read from /proc for the child alone.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { freePort } from '../test/helpers/ports.ts';
import { appHeapFlag } from '../server/heap.ts';
import { PROJECT_ROOT } from './options.ts';

export interface SpawnedDcc {
  child: ChildProcess;
  url: string;
  /** Milliseconds since spawn at which /health first answered 200. */
  listeningMs: number;
  /** Milliseconds since spawn of the log line saying the demo data is complete (undefined until then). */
  demoDoneMs: () => number | undefined;
  /** Resolves when the log says the demo data (and its activity) is written. */
  demoDone: Promise<number>;
  /** CPU seconds (user + system) the server process has used so far. */
  cpuSeconds: () => number;
  stop: () => Promise<void>;
  log: string[];
}

/** A free TCP port on 127.0.0.1 (PORT=0 is not accepted by config.ts): the tests' probe. */
export { freePort };

const CLOCK_TICKS = 100; // USER_HZ on Linux

function cpuOf(pid: number): number {
  try {
    // Fields after the command name "(…)": utime and stime are the 12th and 13th.
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8');
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

/**
 * Starts `node --max-old-space-size=… --import tsx server/main.ts` (what `npm start` runs, without npm and tsx's own
 * launcher process in between) on the data folder, with free ports, and waits for /health.
 */
export async function spawnDcc(dataDir: string, extraEnv: NodeJS.ProcessEnv = {}): Promise<SpawnedDcc> {
  const [port, tlsPort, smtpPort] = [await freePort(), await freePort(), await freePort()];
  const env: NodeJS.ProcessEnv = { ...process.env, DCC_DATA_DIR: dataDir, PORT: String(port), TLS_PORT: String(tlsPort), DCC_DEMO_SMTP_PORT: String(smtpPort), LOG_LEVEL: 'info', ...extraEnv };
  delete env.DATABASE_URL; // first start on a fresh clone: embedded PGlite
  delete env.NODE_ENV;
  const started = performance.now();
  const child = spawn(process.execPath, [appHeapFlag(process.env), '--import', 'tsx', path.join(PROJECT_ROOT, 'server/main.ts')], { cwd: PROJECT_ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  const log: string[] = [];
  let demoAt: number | undefined;
  let settleDemo: (ms: number) => void = () => {};
  const demoDone = new Promise<number>((resolve) => { settleDemo = resolve; });
  const onLine = (line: string) => {
    log.push(line);
    if (demoAt === undefined && /données de démonstration (créées|déjà présentes|incomplètes)/.test(line)) {
      demoAt = performance.now() - started;
      settleDemo(demoAt);
    }
  };
  for (const stream of [child.stdout!, child.stderr!]) {
    let buffer = '';
    stream.setEncoding('utf8').on('data', (chunk: string) => {
      buffer += chunk;
      let nl: number;
      while ((nl = buffer.indexOf('\n')) >= 0) {
        onLine(buffer.slice(0, nl));
        buffer = buffer.slice(nl + 1);
      }
    });
  }
  const exited = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));
  const url = `http://127.0.0.1:${port}`;
  let listeningMs: number | undefined;
  while (listeningMs === undefined) {
    if (child.exitCode !== null) throw new Error(`the DCC exited (${child.exitCode}) before listening:\n${log.slice(-20).join('\n')}`);
    try {
      const res = await fetch(`${url}/health`);
      if (res.ok) listeningMs = performance.now() - started;
      await res.arrayBuffer();
    } catch {
      // not listening yet
    }
    if (listeningMs === undefined) await new Promise((r) => setTimeout(r, 50));
  }
  return {
    child, url, listeningMs, log, demoDone,
    demoDoneMs: () => demoAt,
    cpuSeconds: () => cpuOf(child.pid!),
    stop: async () => {
      if (child.exitCode === null) child.kill('SIGTERM');
      await exited;
    },
  };
}

/** A signed-in browser-like session: the demo sign-in of the first professional of a role. */
export async function signIn(url: string, role: 'physician' | 'gp' | 'coordinator'): Promise<{ cookie: string; get: (p: string, accept?: string) => Promise<Response> }> {
  const users = await (await fetch(`${url}/auth/demo/users`)).json() as { roles: { role: string; users: { idnps: string }[] }[] };
  const idnps = users.roles.find((r) => r.role === role)?.users[0]?.idnps;
  if (!idnps) throw new Error(`no demo ${role}`);
  const res = await fetch(`${url}/auth/demo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ practitioner: idnps }) });
  if (!res.ok) throw new Error(`demo sign-in as ${role}: ${res.status} ${await res.text()}`);
  await res.arrayBuffer();
  const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
  return { cookie, get: (p: string, accept = 'application/fhir+json') => fetch(`${url}${p}`, { headers: { cookie, accept } }) };
}
