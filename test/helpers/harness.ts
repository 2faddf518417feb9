import type { AddressInfo } from 'node:net';
import { createServer, type Server } from 'node:http';
import https from 'node:https';
import { Client } from 'fhir-kit-client';
import { buildApp, holdIdleConnections, type BuildAppOptions } from '../../server/build-app.ts';
import { startServices, type Identify, type Services } from '../../server/bootstrap.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import type { Principal } from '../../server/context.ts';

/** The database of this test run: PostgreSQL when DATABASE_URL is set (own schema), else in-memory PGlite. */
let services: Promise<Services> | undefined;
export const TEST_SCHEMA = `dcc_test_${process.pid}`;

export function testConfig(overrides: Partial<Config> = {}): Config {
  // The sign-in rate limit has its own test; other suites sign in many times from 127.0.0.1.
  return { ...loadConfig({ ...process.env, NODE_ENV: 'test' }), dataDir: ':memory:', seedDemo: false, signInRateLimit: 10_000, ...overrides };
}

export async function testServices(): Promise<Services> {
  services ??= (async () => {
    const config = testConfig();
    if (config.databaseUrl) {
      // A fresh schema per run: tests never see a previous run's data or schema.
      const { openDatabase } = await import('../../server/store/database.ts');
      const admin = openDatabase({ databaseUrl: config.databaseUrl });
      await admin.raw(`DROP SCHEMA IF EXISTS ${TEST_SCHEMA} CASCADE`);
      await admin.raw(`CREATE SCHEMA ${TEST_SCHEMA}`);
      await admin.destroy();
    }
    return startServices(config, { schema: config.databaseUrl ? TEST_SCHEMA : undefined });
  })();
  return services;
}

export async function closeTestServices(): Promise<void> {
  if (!services) return;
  const s = await services;
  services = undefined;
  const config = testConfig();
  if (config.databaseUrl) await s.db.raw(`DROP SCHEMA IF EXISTS ${TEST_SCHEMA} CASCADE`);
  await s.db.destroy();
}

/** The FHIR store tests act as the service itself; access rules have their own tests with real professionals. */
export const TEST_SYSTEM: Principal = { displayName: 'Tests (système)', roles: ['system'], authMethod: 'system' };

export interface RunningServer {
  url: string;
  fhirUrl: string;
  services: Services;
  close: () => Promise<void>;
}

export interface TestServerOptions extends Omit<BuildAppOptions, 'identify'> {
  /** Who calls (default: the service account); see test/helpers/users.ts for callers named per request. */
  identify?: Identify;
  /** Callers are identified as in production (session cookie, CPS certificate): for the sign-in tests. */
  realSignIn?: boolean;
  config?: Partial<Config>;
  /** Serve over TLS (the CPS mutual-TLS listener): the server's certificate, the CA, client certificates asked. */
  tls?: https.ServerOptions;
  /** A session manager of the test's own (short timeouts) instead of the services' one. */
  sessions?: Services['sessions'];
  /** Sign-in methods whose callback is this server's own address, known once it listens (SAML, PSC). */
  signInAt?: (url: string) => Pick<BuildAppOptions, 'saml' | 'psc'> | Promise<Pick<BuildAppOptions, 'saml' | 'psc'>>;
}

/**
 * The app as main.ts assembles it (server/build-app.ts: every API, operation and sign-in route), on
 * an ephemeral port; tests fix only who calls (default the service account) and, if they need, the clock.
 */
export async function startTestServer(options: TestServerOptions = {}): Promise<RunningServer & { app: ReturnType<typeof buildApp> }> {
  const s = await testServices();
  const { config: overrides, identify, realSignIn, tls, signInAt, sessions, ...appOptions } = options;
  const config = testConfig(overrides);
  // Listening first, the app mounted next: an identity provider must know the callback address.
  const server: Server = await new Promise((resolve) => {
    const srv: Server = holdIdleConnections(tls ? https.createServer(tls) : createServer());
    srv.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const { port } = server.address() as AddressInfo;
  const url = `${tls ? 'https' : 'http'}://127.0.0.1:${port}`;
  const app = buildApp(config, sessions ? { ...s, sessions } : s, { ...appOptions, ...(await signInAt?.(url)), ...(realSignIn ? {} : { identify: identify ?? (() => TEST_SYSTEM) }) });
  server.on('request', app);
  return {
    url,
    fhirUrl: `${url}/fhir`,
    services: s,
    app,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

export function fhirClient(server: RunningServer): Client {
  return new Client({ baseUrl: server.fhirUrl });
}

/** A value unique to one test, so tests never depend on each other's data. */
export function unique(prefix = 't'): string {
  return `${prefix}${Date.now().toString(36)}${Math.random().toString(36).slice(2, 8)}`;
}

/** Raw HTTP helper for what fhir-kit-client hides (status codes, headers, bad bodies). */
export async function http(server: RunningServer, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.fhirUrl}${path}`, {
    method,
    headers: { accept: 'application/fhir+json', ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
  });
  return readResponse(res);
}

/** Status, headers, text and the JSON body (undefined when the body is not JSON). */
export async function readResponse(res: Response): Promise<{ status: number; headers: Headers; body: any; text: string }> {
  const text = await res.text();
  let json: any;
  try {
    json = text ? JSON.parse(text) : undefined;
  } catch {
    json = undefined;
  }
  return { status: res.status, headers: res.headers, body: json, text };
}
