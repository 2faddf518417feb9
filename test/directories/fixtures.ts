/**
 * A test server with the directories mounted (signed-in API and public read-only API) and the
 * demo regional directory loaded; each request acts as the user named in `x-test-user`, or as
 * nobody when the header is absent (public reads).
 */
import type { AddressInfo } from 'node:net';
import type { Server } from 'node:http';
import type { Request } from 'express';
import { createApp } from '../../server/app.ts';
import type { Principal } from '../../server/context.ts';
import { directoriesApiRouter, publicDirectoriesRouter, regionalDirectoryEntries } from '../../server/directories/index.ts';
import { TEST_SYSTEM, http, readResponse, testConfig, testServices, type RunningServer } from '../helpers/harness.ts';

const pro = (roles: string[]): Principal => ({ displayName: roles.join('+'), roles, authMethod: 'cps' });
export const USERS: Record<string, Principal> = {
  system: TEST_SYSTEM,
  coordinator: pro(['coordinator']),
  admin: pro(['admin']),
  physician: pro(['physician']),
  gp: pro(['gp']),
  nurse: pro(['nurse']),
};

export async function startDirectoriesServer(): Promise<RunningServer> {
  const services = await testServices();
  const identify = (req: Request) => {
    const name = req.get('x-test-user');
    return name ? USERS[name] : undefined;
  };
  const app = createApp({
    config: testConfig(), store: services.store, identify,
    apis: [{ path: '/api/directories', router: directoriesApiRouter({ store: services.store }) }],
    publicApis: [{ path: '/public/directories', router: publicDirectoriesRouter({ store: services.store, publicRateLimit: 10_000 }) }],
  });
  const server: Server = await new Promise((resolve) => {
    const srv = app.listen(0, '127.0.0.1', () => resolve(srv));
  });
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const running: RunningServer = { url, fhirUrl: `${url}/fhir`, services, close: () => new Promise((resolve) => server.close(() => resolve())) };
  const seeded = await http(running, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: regionalDirectoryEntries() }, { 'x-test-user': 'system' });
  if (seeded.status !== 200) throw new Error(`seed: ${seeded.status} ${seeded.text.slice(0, 500)}`);
  return running;
}

/** A request to a path of the server (not under /fhir), as `user` (none: anonymous). */
export async function call(server: RunningServer, user: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { accept: 'application/json', ...(user ? { 'x-test-user': user } : {}), ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readResponse(res);
}
