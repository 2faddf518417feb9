import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import net from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig, type Config } from '../../server/config.ts';
import { startDcc } from '../../server/start.ts';
import { freePort } from '../helpers/ports.ts';

const ROOT = path.resolve(import.meta.dirname, '../..');

/** The environment of a child server: embedded database in `dataDir`, nothing optional started. */
function childEnv(dataDir: string, extra: Record<string, string> = {}): NodeJS.ProcessEnv {
  const env: NodeJS.ProcessEnv = {
    ...process.env, DCC_DATA_DIR: dataDir, DCC_SEED_DEMO: 'false', DCC_DEMO_PKI: 'false', DCC_DEMO_MAILBOX: 'false',
    DCC_DELIVERY_WORKER: 'false', LOG_LEVEL: 'warn', ...extra,
  };
  delete env.DATABASE_URL;
  return env;
}

function run(script: string, env: NodeJS.ProcessEnv): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', script], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
}

/** Exit code and output of a process that is expected to stop by itself. */
function finished(child: ChildProcess): Promise<{ code: number | null; stdout: string; stderr: string }> {
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (d) => { stdout += d; });
  child.stderr!.on('data', (d) => { stderr += d; });
  return new Promise((resolve) => child.on('exit', (code) => resolve({ code, stdout, stderr })));
}

function ready(child: ChildProcess): Promise<string> {
  return new Promise((resolve, reject) => {
    let out = '';
    let err = '';
    child.stdout!.on('data', (d) => {
      out += d;
      const m = /ready (\S+)/.exec(out);
      if (m) resolve(m[1]);
    });
    child.stderr!.on('data', (d) => { err += d; });
    child.on('exit', (code) => reject(new Error(`child exited ${code}: ${err}`)));
  });
}

function configFor(dataDir: string, extra: Partial<Config> = {}): Config {
  return { ...loadConfig(childEnv(dataDir)), NODE_ENV: 'test', logLevel: 'silent', port: 0, ...extra } as Config;
}

/**
 * Issue 10, items 2 and 10: one server per embedded database (a second start is refused in one
 * line, exit 1, before the database is opened; a crash leaves no stale lock), and start-up faults
 * are one line naming what to set, found before migrating.
 */
describe('Start-up: lock of the embedded database, faults in one line', function () {
  this.timeout(240_000); // the first start creates an embedded database (~10 s idle, much more on a loaded machine)
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-lock-'));
  after(() => fs.rmSync(dataDir, { recursive: true, force: true, maxRetries: 3 }));

  it('a second server on the same data folder is refused (one line, exit 1); after kill -9 of the first, a start succeeds', async () => {
    const first = run('test/helpers/start-dcc-child.ts', childEnv(dataDir));
    try {
      const url = await ready(first);
      expect(fs.readFileSync(path.join(dataDir, 'dcc.lock'), 'utf8').trim()).to.equal(String(first.pid));

      const second = await finished(run('server/main.ts', childEnv(dataDir, { PORT: String(await freePort()) })));
      expect(second.code).to.equal(1);
      const lines = second.stderr.trim().split('\n');
      expect(lines, second.stderr).to.have.length(1);
      expect(lines[0]).to.contain(`PID ${first.pid}`).and.contain('DCC_DATA_DIR');
      expect((await fetch(`${url}/health`)).status).to.equal(200); // the first one is unharmed

      // In-process too (e.g. the browser-test harness): refused while the first runs.
      const refused = await startDcc(configFor(dataDir), { buildClient: false }).then(() => 'started', (e: Error) => e.message);
      expect(refused).to.contain('dcc.lock');
    } finally {
      first.kill('SIGKILL');
      await new Promise((resolve) => (first.exitCode !== null || first.signalCode !== null ? resolve(undefined) : first.once('exit', resolve)));
    }
    // The crash left the lock file behind, with a dead PID: stale, taken over.
    expect(fs.existsSync(path.join(dataDir, 'dcc.lock'))).to.equal(true);
    const dcc = await startDcc(configFor(dataDir), { buildClient: false });
    try {
      expect((await fetch(`${dcc.url}/health`)).status).to.equal(200);
      expect(fs.readFileSync(path.join(dataDir, 'dcc.lock'), 'utf8').trim()).to.equal(String(process.pid));
    } finally {
      await dcc.close();
    }
    expect(fs.existsSync(path.join(dataDir, 'dcc.lock'))).to.equal(false);
  });

  it('a demo seed that no longer applies (data changed by use) does not keep the service from starting', async () => {
    // Two organisations with the FINESS the demo seed creates conditionally: its first step fails (412).
    const first = await startDcc(configFor(dataDir), { buildClient: false });
    const finess = [{ system: 'https://finess.esante.gouv.fr', value: '130999014' }];
    await first.services.store.system().create({ resourceType: 'Organization', name: 'Doublon 1', identifier: finess });
    await first.services.store.system().create({ resourceType: 'Organization', name: 'Doublon 2', identifier: finess });
    await first.close();
    const dcc = await startDcc(configFor(dataDir, { seedDemo: true }), { buildClient: false });
    try {
      expect((await fetch(`${dcc.url}/health`)).status).to.equal(200);
    } finally {
      await dcc.close();
    }
  });

  it('start-up faults are found before migrating and said in one line', async () => {
    const fault = (config: Partial<Config>) => startDcc(configFor(dataDir, config), { buildClient: false }).then(() => 'started', (e: Error) => e.message);
    const blocker = net.createServer();
    await new Promise<void>((resolve) => blocker.listen(0, '127.0.0.1', resolve));
    const taken = (blocker.address() as net.AddressInfo).port;
    try {
      const started = Date.now();
      expect(await fault({ port: taken })).to.contain(`port ${taken}`).and.contain('PORT');
      expect(Date.now() - started).to.be.below(2000);
    } finally {
      blocker.close();
    }
    expect(await fault({ databaseUrl: 'pas une url' })).to.contain('DATABASE_URL');
    expect(await fault({ databaseUrl: 'mysql://localhost/dcc' })).to.contain('postgres://');
    expect(await fault({ databaseUrl: `postgres://nobody@127.0.0.1:${await freePort()}/dcc` })).to.contain('injoignable').and.contain('DATABASE_URL');
    expect(await fault({ tlsCertFile: '/nonexistent/cert.pem', tlsKeyFile: '/nonexistent/key.pem', cpsCaFile: '/nonexistent/ca.pem' })).to.contain('TLS_CERT_FILE');
    const file = path.join(dataDir, 'not-a-folder');
    fs.writeFileSync(file, 'x');
    expect(await fault({ dataDir: path.join(file, 'sub') })).to.contain('DCC_DATA_DIR');
    expect(await fault({ production: true, demoPki: true })).to.contain('DCC_DEMO_PKI');
  });
});
