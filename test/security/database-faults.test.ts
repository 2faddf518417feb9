import type { AddressInfo } from 'node:net';
import net from 'node:net';
import type { Server } from 'node:http';
import express from 'express';
import { expect } from 'chai';
import { createApp } from '../../server/app.ts';
import { openDatabase } from '../../server/store/database.ts';
import { Store } from '../../server/store/store.ts';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import { loadFhirDefinitions } from '../../server/fhir-kit/validation.ts';
import { testConfig, TEST_SCHEMA, TEST_SYSTEM } from '../helpers/harness.ts';

async function listen(app: express.Express): Promise<{ server: Server; url: string }> {
  const server: Server = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  return { server, url: `http://127.0.0.1:${(server.address() as AddressInfo).port}` };
}

/**
 * Issue 10, items 6 and 11: a database that is down, or a statement cut by the statement timeout,
 * is the service's trouble, not the caller's mistake nor an "exception": 503 with Retry-After and
 * an OperationOutcome (the request changed nothing; the client may retry).
 */
// createApp by hand, not startTestServer: each case injects a broken database (unreachable, or a statement timeout) that the shared test services cannot have.
describe('Robustness: database outage and statement timeout answer 503 with Retry-After', () => {
  before(() => loadFhirDefinitions());

  it('database unreachable → 503 + Retry-After, an OperationOutcome', async () => {
    const probe = net.createServer();
    await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
    const port = (probe.address() as AddressInfo).port;
    await new Promise((resolve) => probe.close(resolve)); // nobody listens there now
    const db = openDatabase({ databaseUrl: `postgres://dcc@127.0.0.1:${port}/dcc` });
    const { server, url } = await listen(createApp({ config: testConfig(), store: new Store(db, validateForWrite), identify: () => TEST_SYSTEM }));
    try {
      const res = await fetch(`${url}/fhir/Patient?name=a`);
      expect(res.status).to.equal(503);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      const body = await res.json();
      expect(body.resourceType).to.equal('OperationOutcome');
      expect(body.issue[0].code).to.equal('transient');
    } finally {
      server.close();
      await db.destroy();
    }
  });

  it('PostgreSQL: a statement past DCC_STATEMENT_TIMEOUT_MS is cancelled → 503 + Retry-After', async function () {
    const config = testConfig();
    if (!config.databaseUrl) this.skip(); // PGlite runs in this process: no timeout can interrupt it
    const db = openDatabase({ databaseUrl: config.databaseUrl, schema: TEST_SCHEMA, statementTimeoutMs: 200 });
    const slow = express.Router();
    slow.get('/slow', async (_req, res) => {
      await db.raw('SELECT pg_sleep(5)');
      res.json({ done: true });
    });
    const { server, url } = await listen(createApp({ config, store: new Store(db, validateForWrite), identify: () => TEST_SYSTEM, apis: [{ path: '/api/test', router: slow }] }));
    try {
      const started = Date.now();
      const res = await fetch(`${url}/api/test/slow`);
      expect(res.status).to.equal(503);
      expect(Date.now() - started).to.be.below(3000);
      expect(res.headers.get('retry-after')).to.match(/^\d+$/);
      expect((await res.json()).issue[0].details.text).to.contain('trop longue');
    } finally {
      server.close();
      await db.destroy();
    }
  });
});
