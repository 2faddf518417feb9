/**
 * A test server with the directories mounted (signed-in API and public read-only API) and the
 * demo regional directory loaded; each request acts as the user it names (asUser), or as
 * nobody when it names none (public reads).
 */
import { regionalDirectoryEntries } from '../../server/directories/index.ts';
import { http, readResponse, startTestServer, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, professional, testUsers } from '../helpers/users.ts';

const pro = (roles: string[]) => professional(roles.join('+'), roles);
export const USERS = testUsers({
  coordinator: pro(['coordinator']),
  admin: pro(['admin']),
  physician: pro(['physician']),
  gp: pro(['gp']),
  nurse: pro(['nurse']),
});

export async function startDirectoriesServer(): Promise<RunningServer> {
  const running = await startTestServer({ identify: identifyByHeader(USERS), publicRateLimit: 10_000 });
  const seeded = await http(running, 'POST', '/', { resourceType: 'Bundle', type: 'transaction', entry: regionalDirectoryEntries() }, asUser('system'));
  if (seeded.status !== 200) throw new Error(`seed: ${seeded.status} ${seeded.text.slice(0, 500)}`);
  return running;
}

/** A request to a path of the server (not under /fhir), as `user` (none: anonymous). */
export async function call(server: RunningServer, user: string | undefined, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${server.url}${path}`, {
    method,
    headers: { accept: 'application/json', ...(user ? asUser(user) : {}), ...(body !== undefined ? { 'content-type': 'application/fhir+json' } : {}), ...headers },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  return readResponse(res);
}
