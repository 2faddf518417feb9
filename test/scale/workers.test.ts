import { spawn, type ChildProcessByStdio } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import type { Readable } from 'node:stream';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { openDatabase } from '../../server/store/database.ts';

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const databaseUrl = process.env.DATABASE_URL;

/**
 * `npm start` (server/main.ts) with DCC_WORKERS=2 on a database of its own, resolved once the primary
 * says both workers serve (port 0 is one port chosen for both, node:cluster); `run` gets the
 * process, its output so far and the database URL; the database and data folder are dropped after.
 */
async function withTwoWorkers(name: string, env: Record<string, string>, readyWithinMs: number,
  run: (primary: ChildProcessByStdio<null, Readable, Readable>, output: () => string, url: string) => Promise<void>): Promise<void> {
  const dbName = `${name}_${process.pid}`;
  const admin = openDatabase({ databaseUrl: databaseUrl! });
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), `${name.replace(/_/g, '-')}-`));
  try {
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.raw(`CREATE DATABASE ${dbName}`);
    const url = new URL(databaseUrl!);
    url.pathname = `/${dbName}`;
    const primary = spawn(process.execPath, ['--import', 'tsx', 'server/main.ts'], {
      cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info', DATABASE_URL: url.toString(), DCC_WORKERS: '2',
        HOST: '127.0.0.1', PORT: '0', DCC_DATA_DIR: dataDir, DCC_DEMO_PKI: 'false', ...env,
      },
    });
    let output = '';
    primary.stderr.on('data', (c: Buffer) => { output += c.toString('utf8'); });
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`not ready in ${readyWithinMs / 1000} s: ${output.slice(-2000)}`)), readyWithinMs);
      primary.once('exit', (code) => reject(new Error(`stopped (code ${code}): ${output.slice(-2000)}`)));
      primary.stdout.on('data', (c: Buffer) => {
        output += c.toString('utf8');
        if (output.includes('processus applicatifs sur PostgreSQL')) {
          clearTimeout(timer);
          resolve();
        }
      });
    });
    primary.removeAllListeners('exit');
    await run(primary, () => output, url.toString());
  } finally {
    await admin.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
    await admin.destroy();
    fs.rmSync(dataDir, { recursive: true, force: true });
  }
}

describe('DCC_WORKERS: app processes per machine', () => {
  it('runs N processes on PostgreSQL, one per core with auto', () => {
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', DCC_WORKERS: '3' }).workers).to.equal(3);
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db', DCC_WORKERS: 'auto' }).workers).to.equal(os.availableParallelism());
    expect(loadConfig({ DATABASE_URL: 'postgres://u@h/db' }).workers).to.equal(1);
  });

  it('keeps one process on PGlite and says why', () => {
    const config = loadConfig({ DCC_WORKERS: '2' });
    expect(config.workers).to.equal(1);
    expect(config.workersNote).to.contain('PGlite').and.contain('DATABASE_URL');
    expect(loadConfig({}).workersNote).to.equal(undefined);
  });

  (databaseUrl ? it : it.skip)(`npm start with DCC_WORKERS=2 serves from two processes, stopped together${databaseUrl ? '' : ' (PostgreSQL only)'}`, async function () {
    this.timeout(240_000);
    await withTwoWorkers('dcc_workers', { DCC_SEED_DEMO: 'false', DCC_DEMO_SIGN_IN: 'false' }, 200_000, async (primary, output) => {
      const workers = fs.readFileSync(`/proc/${primary.pid}/task/${primary.pid}/children`, 'utf8').trim().split(/\s+/).map(Number);
      expect(workers).to.have.length(2);
      const base = /DCC prêt sur (http:\/\/[^/ ]+)\//.exec(output())![1];
      for (let i = 0; i < 4; i++) expect((await fetch(`${base}/health`)).status).to.equal(200);
      const exited = new Promise<string>((resolve) => primary.once('exit', (code, signal) => resolve(`code ${code}, signal ${signal}`)));
      primary.kill('SIGTERM');
      expect(await exited).to.equal('code 0, signal null');
      for (const pid of workers) expect(fs.existsSync(`/proc/${pid}`), `worker ${pid} stopped`).to.equal(false);
    });
  });

  // The demo seed's idempotence checks are not atomic: two workers seeding together would each create what the other has not written yet.
  (databaseUrl ? it : it.skip)(`with DCC_WORKERS=2 the demo data is written once, by one worker${databaseUrl ? '' : ' (PostgreSQL only)'}`, async function () {
    this.timeout(600_000);
    await withTwoWorkers('dcc_workers_seed', { DCC_SEED_DEMO: 'true', DCC_DELIVERY_WORKER: 'false' }, 560_000, async (primary, output, url) => {
      const exited = new Promise<string>((resolve) => primary.once('exit', (code, signal) => resolve(`code ${code}, signal ${signal}`)));
      primary.kill('SIGTERM');
      expect(await exited).to.equal('code 0, signal null');

      // One worker wrote the demo history, before the second started; the second wrote nothing of it.
      expect(output().match(/activité de démonstration en cours d'écriture/g) ?? []).to.have.length(1);
      expect(output().match(/données de démonstration créées/g) ?? []).to.have.length(1);
      const seeded = openDatabase({ databaseUrl: url });
      try {
        // Every demo resource carrying a business identifier (patients, professionals, boards, demo cases…) exists once.
        const duplicates = await seeded.raw(`
          SELECT r.resource_type, i->>'system' AS system, i->>'value' AS value, count(*)::int AS n
          FROM resource r, jsonb_array_elements(r.content->'identifier') i
          WHERE NOT r.deleted AND jsonb_typeof(r.content->'identifier') = 'array'
          GROUP BY 1, 2, 3 HAVING count(*) > 1`);
        expect(duplicates.rows).to.deep.equal([]);
        const boards = await seeded.raw(`SELECT count(*)::int AS n FROM resource WHERE resource_type = 'HealthcareService' AND NOT deleted`);
        expect(boards.rows[0].n).to.be.greaterThan(0);
      } finally {
        await seeded.destroy();
      }
    });
  });
});
