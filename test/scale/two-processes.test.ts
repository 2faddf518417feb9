import { spawn, type ChildProcess } from 'node:child_process';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadConfig } from '../../server/config.ts';
import { rppsCheckDigit } from '../../server/identity/rpps.ts';
import { startDcc } from '../../server/start.ts';
import { openDatabase } from '../../server/store/database.ts';
import { Browser, startTestIdp, type TestIdp } from '../helpers/oidc-provider.ts';
import { freePort } from '../helpers/ports.ts';
import { SmtpCatcher } from '../helpers/smtp-catcher.ts';

/**
 * Scale-out (issue 16): two app servers on one PostgreSQL, as behind a load balancer, keep nothing
 * of their own — a Pro Santé Connect sign-in started on one ends on the other, the session it
 * opens is good on both, and their outbox workers, draining together, send each mail once.
 */
const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
const CLIENT_ID = 'dcc-scale';
const CLIENT_SECRET = 'secret-de-test-scale-0123456789';
const databaseUrl = process.env.DATABASE_URL;
const describeOnPostgres = databaseUrl ? describe : describe.skip;

/**
 * The browser of a user behind a load balancer: one site, whichever server answers. Cookies are kept
 * per host name (as browsers do, whatever the port), so both servers get the same cookies.
 */
class SiteBrowser {
  private readonly cookies = new Map<string, string>();

  async fetch(url: string, init: RequestInit = {}): Promise<Response> {
    const headers = new Headers(init.headers);
    if (this.cookies.size) headers.set('cookie', [...this.cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) <= Date.now()));
      if (expired || !value) this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return res;
  }
}

/** One app server as `npm start` runs it, in its own process; resolves with its URL once it serves. */
function startAppProcess(env: NodeJS.ProcessEnv): Promise<{ child: ChildProcess; url: string; output: () => string }> {
  const child = spawn(process.execPath, ['--import', 'tsx', 'test/scale/app-process.ts'], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let output = '';
  child.stderr!.on('data', (c: Buffer) => { output += c.toString('utf8'); });
  return new Promise((resolve, reject) => {
    child.once('exit', (code) => reject(new Error(`app process stopped at start (code ${code}): ${output.slice(-2000)}`)));
    child.stdout!.on('data', (c: Buffer) => {
      output += c.toString('utf8');
      const ready = /^ready (\S+)$/m.exec(output);
      if (ready) {
        child.removeAllListeners('exit');
        resolve({ child, url: ready[1]!, output: () => output });
      }
    });
  });
}

function stopAppProcess(child: ChildProcess | undefined): Promise<void> {
  // Already gone (an exit code, or a signal): its 'exit' event will not come again.
  if (!child || child.exitCode !== null || child.signalCode !== null) return Promise.resolve();
  return new Promise((resolve) => {
    const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
    child.once('exit', () => {
      clearTimeout(timer);
      resolve();
    });
    child.kill('SIGTERM');
  });
}

describeOnPostgres(`two app processes on one PostgreSQL${databaseUrl ? '' : ' (skipped on PGlite: the embedded database is opened by one process only)'}`, function () {
  this.timeout(300_000);
  const dbName = `dcc_scale_${process.pid}`;
  const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-scale-'));
  const first10 = String(Math.floor(Math.random() * 1e10)).padStart(10, '0');
  const gpIdnps = `8${first10}${rppsCheckDigit(first10)}`;
  let scaleUrl: string;
  let catcher: SmtpCatcher;
  let idp: TestIdp;
  let a: Awaited<ReturnType<typeof startAppProcess>> | undefined;
  let b: Awaited<ReturnType<typeof startAppProcess>> | undefined;

  async function withAdmin<T>(url: string, work: (db: ReturnType<typeof openDatabase>) => Promise<T>): Promise<T> {
    const db = openDatabase({ databaseUrl: url });
    try {
      return await work(db);
    } finally {
      await db.destroy();
    }
  }

  before(async () => {
    // A database of its own (not a schema): the app processes run as `npm start` does, on the
    // default schema of the database DATABASE_URL names.
    await withAdmin(databaseUrl!, async (db) => {
      await db.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`);
      await db.raw(`CREATE DATABASE ${dbName}`);
    });
    const url = new URL(databaseUrl!);
    url.pathname = `/${dbName}`;
    scaleUrl = url.toString();

    // Migrations and the demo data, with no outbox worker: the demo's signed reports leave mails
    // to send in the outbox, for the two servers' workers to share.
    const seeded = await startDcc({
      ...loadConfig({ NODE_ENV: 'test' }), databaseUrl: scaleUrl, dataDir: path.join(dataDir, 'seed'), port: 0,
      seedDemo: true, demoPki: false, demoSignIn: false, demoMailboxPort: undefined, deliveryWorker: false, logLevel: 'silent',
    }, { buildClient: false });
    await seeded.close();

    catcher = await SmtpCatcher.start();
    const [portA, portB] = [await freePort(), await freePort()];
    // The identity provider sends the browser back to B, whichever server started the sign-in.
    const redirectUri = `http://127.0.0.1:${portB}/auth/psc/callback`;
    idp = await startTestIdp({
      clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri,
      accounts: {
        gp: {
          SubjectNameID: gpIdnps, given_name: 'Paul', family_name: 'Roux',
          SubjectRefPro: { exercices: [{ codeProfession: '10', codeCategorieProfessionnelle: 'C', codeTypeSavoirFaire: 'S', codeSavoirFaire: 'SM54', activities: [] }] },
        },
      },
    });
    const env = (port: number, name: string): NodeJS.ProcessEnv => ({
      PATH: process.env.PATH, HOME: process.env.HOME, NODE_ENV: 'test', LOG_LEVEL: 'info',
      DATABASE_URL: scaleUrl, HOST: '127.0.0.1', PORT: String(port), DCC_DATA_DIR: path.join(dataDir, name),
      DCC_SEED_DEMO: 'false', DCC_DEMO_PKI: 'false', DCC_DEMO_SIGN_IN: 'false',
      DCC_DELIVERY_WORKER: 'true', DCC_DELIVERY_INTERVAL_MS: '100',
      SMTP_HOST: '127.0.0.1', SMTP_PORT: String(catcher.port), SMTP_REQUIRE_TLS: 'false', SMTP_FROM: 'DCC test <dcc@dcc-test.mssante.fr>',
      DCC_PUBLIC_URL: `http://127.0.0.1:${portA}`,
      PSC_ISSUER: idp.issuer, PSC_CLIENT_ID: CLIENT_ID, PSC_CLIENT_SECRET: CLIENT_SECRET, PSC_REDIRECT_URI: redirectUri,
    });
    [a, b] = await Promise.all([startAppProcess(env(portA, 'a')), startAppProcess(env(portB, 'b'))]);
  });

  after(async () => {
    await Promise.all([stopAppProcess(a?.child), stopAppProcess(b?.child)]);
    await idp?.close();
    await catcher?.stop();
    if (scaleUrl) await withAdmin(databaseUrl!, (db) => db.raw(`DROP DATABASE IF EXISTS ${dbName} WITH (FORCE)`));
    fs.rmSync(dataDir, { recursive: true, force: true });
  });

  it('a sign-in started on one server ends on the other, and its session cookie works on both', async () => {
    const browser = new SiteBrowser();
    const login = await browser.fetch(`${a!.url}/auth/psc/login`);
    expect(login.status).to.equal(302);
    const callback = await idp.authorize(new Browser(), login.headers.get('location')!, 'gp');
    expect(callback.origin, 'the identity provider sends the browser to B').to.equal(b!.url);

    // B finds the login state (state, nonce, PKCE verifier) A saved.
    const signedIn = await browser.fetch(callback.href, { headers: { accept: 'application/json' } });
    expect(signedIn.status, await signedIn.clone().text()).to.equal(303);

    for (const server of [a!.url, b!.url]) {
      const me = await browser.fetch(`${server}/auth/session`, { headers: { accept: 'application/json' } });
      expect(me.status, server).to.equal(200);
      const body = await me.json() as { principal: { idnps: string; roles: string[]; authMethod: string } };
      expect(body.principal).to.include({ idnps: gpIdnps, authMethod: 'psc' });
      expect(body.principal.roles).to.deep.equal(['gp']);
    }

    // The state is spent for both servers: the same callback replayed on A is refused.
    const replayed = await browser.fetch(`${a!.url}${callback.pathname}${callback.search}`, { headers: { accept: 'application/json' } });
    expect(replayed.status).to.equal(401);

    // Signing out on A ends the session on B too.
    const csrfToken = ((await (await browser.fetch(`${b!.url}/auth/session`, { headers: { accept: 'application/json' } })).json()) as { csrfToken: string }).csrfToken;
    expect((await browser.fetch(`${a!.url}/auth/logout`, { method: 'POST', headers: { 'x-csrf-token': csrfToken } })).status).to.equal(204);
    expect((await browser.fetch(`${b!.url}/auth/session`, { headers: { accept: 'application/json' } })).status).to.equal(401);
  });

  it('the two outbox workers drain one outbox together and send each mail once', async () => {
    const deadline = Date.now() + 180_000;
    let open = Infinity;
    while (Date.now() < deadline) {
      open = await withAdmin(scaleUrl, async (db) => Number((await db.raw("SELECT count(*) AS n FROM outbox WHERE status IN ('pending', 'sending')")).rows[0].n));
      if (open === 0) break;
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect(open, 'outbox drained').to.equal(0);
    const rows: { status: string; n: number }[] = await withAdmin(scaleUrl, async (db) => (await db.raw("SELECT status, count(*)::int AS n FROM outbox WHERE kind = 'mail' GROUP BY status")).rows);
    const sent = rows.find((r) => r.status === 'sent')?.n ?? 0;
    expect(sent, JSON.stringify(rows)).to.be.greaterThan(1);
    const ids = catcher.messages.map((m) => m.messageId);
    expect(new Set(ids).size, 'no Message-ID twice').to.equal(ids.length);
    expect(catcher.messages.length, 'one mail per sent delivery').to.equal(sent);
    // Each sent mail is in exactly one server's log of its rounds (which one is up to the race).
    // The service log is written in blocks flushed every 250 ms (start.ts): wait for its last block.
    const sentBy = () => [a!, b!].map((server) => server.output().split('\n').filter((l) => l.includes('"outbox: round"')).reduce((n, l) => n + (JSON.parse(l).sent ?? 0), 0));
    const logDeadline = Date.now() + 5_000;
    while (sentBy()[0]! + sentBy()[1]! < sent && Date.now() < logDeadline) await new Promise((resolve) => setTimeout(resolve, 100));
    expect(sentBy()[0]! + sentBy()[1]!, `sent by A, B: ${sentBy().join(', ')}`).to.equal(sent);
  });
});
