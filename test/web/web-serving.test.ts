import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { loadConfig, type Config } from '../../server/config.ts';
import { openDatabase } from '../../server/store/database.ts';
import { startDcc, type RunningDcc } from '../../server/start.ts';
import { CLIENT_DIST } from '../../server/web/build.ts';

const SCHEMA = `dcc_web_prod_${process.pid}`;

/** The service as started with NODE_ENV=production (no demo data, no demo PKI, no demo sign-in). */
function productionConfig(overrides: Partial<Config> = {}): Config {
  const base = loadConfig({ NODE_ENV: 'production', ...(process.env.DATABASE_URL ? { DATABASE_URL: process.env.DATABASE_URL } : {}) });
  return { ...base, dataDir: ':memory:', host: '127.0.0.1', port: 0, logLevel: 'silent', deliveryWorker: false, ...overrides };
}

describe('Web client serving, and no demo sign-in in production', function () {
  this.timeout(300_000); // builds the client when its sources changed
  let dcc: RunningDcc;

  before(async () => {
    if (process.env.DATABASE_URL) {
      const admin = openDatabase({ databaseUrl: process.env.DATABASE_URL });
      await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.raw(`CREATE SCHEMA ${SCHEMA}`);
      await admin.destroy();
    }
    const config = productionConfig();
    expect(config.demoSignIn).to.equal(false);
    dcc = await startDcc(config, { ...(process.env.DATABASE_URL ? { schema: SCHEMA } : {}), env: {} });
  });

  after(async () => {
    await dcc?.close();
    if (process.env.DATABASE_URL) {
      const admin = openDatabase({ databaseUrl: process.env.DATABASE_URL });
      await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.destroy();
    }
  });

  it('has no demo sign-in route with NODE_ENV=production, and does not offer it', async () => {
    expect((await fetch(`${dcc.url}/auth/demo/users`)).status).to.equal(404);
    const login = await fetch(`${dcc.url}/auth/demo/login`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ practitioner: '810009990077' }) });
    expect(login.status).to.equal(404);
    expect(login.headers.get('set-cookie')).to.equal(null);
    const methods = await (await fetch(`${dcc.url}/auth/methods`)).json();
    expect(methods).to.deep.equal({ psc: false, saml: false, demo: false });
  });

  it('refuses to start in production with the demo sign-in forced on (one clear message)', async () => {
    let error: unknown;
    try {
      await startDcc(productionConfig({ demoSignIn: true }), { env: {}, buildClient: false });
    } catch (e) {
      error = e;
    }
    expect(String(error)).to.contain('DCC_DEMO_SIGN_IN est interdit avec NODE_ENV=production');
    expect(loadConfig({ NODE_ENV: 'production', DCC_DEMO_SIGN_IN: 'true' }).demoSignIn).to.equal(true); // …hence the refusal above
  });

  it('serves the client: index.html never cached, hashed assets immutable, client routes → index.html, strict CSP', async () => {
    const index = await fetch(`${dcc.url}/patients/123?x=1`, { headers: { accept: 'text/html' } });
    expect(index.status).to.equal(200);
    expect(index.headers.get('cache-control')).to.equal('no-store');
    const html = await index.text();
    expect(html).to.contain('<html lang="fr">');
    expect(html).not.to.match(/<script(?![^>]*\bsrc=)[^>]*>/); // no inline script
    const csp = index.headers.get('content-security-policy') ?? '';
    expect(csp).to.contain("script-src 'self';").and.to.contain("style-src 'self' 'unsafe-inline'").and.to.contain('upgrade-insecure-requests');
    expect(index.headers.get('strict-transport-security')).to.match(/max-age=/);

    const asset = /src="(\/assets\/[^"]+\.js)"/.exec(html)?.[1];
    expect(asset, 'script de la page').to.be.a('string');
    const js = await fetch(`${dcc.url}${asset}`);
    expect(js.status).to.equal(200);
    expect(js.headers.get('cache-control')).to.equal('public, max-age=31536000, immutable');
    expect(fs.existsSync(path.join(CLIENT_DIST, asset!))).to.equal(true);
    expect((await fetch(`${dcc.url}/assets/absent-0000.js`)).status).to.equal(404);
  });

  it('never answers the API paths with the client page', async () => {
    for (const p of ['/fhir/Patient', '/api/city/patients', '/access/break-glass']) {
      const res = await fetch(`${dcc.url}${p}`, { headers: { accept: 'text/html' } });
      expect(res.status, p).to.equal(401);
      expect(res.headers.get('content-type'), p).to.contain('application/fhir+json');
    }
    for (const p of ['/auth/nothing', '/api/nothing', '/health/x']) {
      const res = await fetch(`${dcc.url}${p}`, { headers: { accept: 'text/html' } });
      expect(res.status, p).to.equal(404);
      expect(res.headers.get('content-type'), p).to.contain('application/fhir+json');
    }
    expect((await fetch(`${dcc.url}/auth/session`)).status).to.equal(401);
  });
});
