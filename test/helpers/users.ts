/**
 * Who calls in a test: signed-in professionals (Principal, server/context.ts) named per request by a
 * header that only the test's identify function reads. The server never reads it: its own sign-in
 * methods (CPS, SAML, PSC, sessions) have their own tests in test/auth/.
 */
import type { Request } from 'express';
import type { Principal } from '../../server/context.ts';
import { rppsCheckDigit } from '../../server/identity/rpps.ts';
import { http, TEST_SYSTEM, type RunningServer } from './harness.ts';

/** A test's callers by name ('oncologist', 'gp', ...); tests add to it as they create practitioners. */
export type TestUsers = Record<string, Principal>;

/** Names the caller of one request. */
export const TEST_USER_HEADER = 'x-test-user';

/** The callers of a test: the service account as 'system', plus the given ones. */
export function testUsers(more: TestUsers = {}): TestUsers {
  return { system: TEST_SYSTEM, ...more };
}

/**
 * Each request acts as the user its header names, looked up when the request arrives (users added
 * after the server started count). A name not in `users` is anonymous; a request without the header
 * acts as `withoutHeader` (anonymous when not given).
 */
export function identifyByHeader(users: TestUsers, withoutHeader?: string): (req: Request) => Principal | undefined {
  return (req) => users[req.get(TEST_USER_HEADER) ?? withoutHeader ?? ''];
}

/** The headers of a request made as `user` (plus any others). */
export function asUser(user: string, headers: Record<string, string> = {}): Record<string, string> {
  return { [TEST_USER_HEADER]: user, ...headers };
}

/**
 * A professional signed in with a CPS card, with the DCC roles (physician, gp, nurse, pharmacist,
 * coordinator, admin) and, when known, the directory entry and the IDNPS.
 */
export function professional(displayName: string, roles: string[], ids: { practitionerId?: string; idnps?: string } = {}): Principal {
  return { displayName, ...ids, roles, authMethod: 'cps' };
}

const randomDigits = (n: number): string => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

/** A fresh RPPS with its Luhn key, so tests never share a directory entry. */
export function newRpps(): string {
  const first10 = `1${randomDigits(9)}`;
  return `${first10}${rppsCheckDigit(first10)}`;
}

/** A fresh IDNPS of an RPPS professional ('8' + RPPS). */
export function newIdnps(rpps = newRpps()): string {
  return `8${rpps}`;
}

/** A fixture created through the API as `user` (the service account by default): its id; anything but 201 fails the test. */
export async function createdId(server: RunningServer, body: { resourceType: string }, user = 'system'): Promise<string> {
  const res = await http(server, 'POST', `/${body.resourceType}`, body, asUser(user));
  if (res.status !== 201) throw new Error(`fixture ${body.resourceType}: ${res.status} ${res.text}`);
  return res.body.id as string;
}
