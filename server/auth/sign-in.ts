import type { Request, Response } from 'express';
import type pino from 'pino';
import type { Config } from '../config.ts';
import type { Principal } from '../context.ts';
import type { SessionStore } from '../store/session-store.ts';
import type { Directory } from './directory.ts';
import type { SessionManager } from './session.ts';
import type { Store } from '../store/store.ts';
import { buildAuthenticationEvent } from '../access/index.ts';

/** What a sign-in method (SAML, Pro Santé Connect) needs to open a session. */
export interface SignInDeps {
  config: Config;
  sessions: SessionManager;
  sessionStore: SessionStore;
  directory: Directory;
  logger: pino.Logger;
  /** Where sign-ins and failed sign-ins are traced (the audit trail). */
  store?: Store;
}

/**
 * Ends every successful browser sign-in the same way: directory entry found or created from the
 * authenticated identity, new session, redirect to a local page only (no open redirect).
 */
export async function completeSignIn(req: Request, res: Response, deps: SignInDeps, identity: Principal, returnTo?: string): Promise<void> {
  await openSession(req, res, deps, identity);
  res.redirect(303, safeReturnTo(returnTo));
}

/** The common part of every sign-in: directory entry, new session cookie, sign-in traced and logged. */
export async function openSession(req: Request, res: Response, deps: SignInDeps, identity: Principal): Promise<{ principal: Principal; csrfToken: string }> {
  const principal = await deps.directory.resolve(identity);
  const { csrfToken } = await deps.sessions.start(req, res, principal);
  await recordSignIn(deps.store, req, { outcome: 'success', method: principal.authMethod }, principal);
  deps.logger.info({ idnps: principal.idnps, method: principal.authMethod, roles: principal.roles }, 'connexion');
  return { principal, csrfToken };
}

/** Only same-site absolute paths: '/x' yes, '//evil.example' or 'https://…' no. */
export function safeReturnTo(value: string | undefined): string {
  return value && /^\/(?![/\\])/.test(value) ? value : '/';
}

/** Traces a sign-in, a refused sign-in or a logout; never lets a tracing failure pass silently. */
export async function recordSignIn(
  store: Store | undefined, req: Request,
  event: { outcome: 'success' | 'failure'; method: string; detail?: string; kind?: 'login' | 'logout' },
  principal?: Principal,
): Promise<void> {
  if (!store) return;
  await store.system().append(buildAuthenticationEvent({ kind: event.kind ?? 'login', ...event, remoteAddress: req.socket.remoteAddress }, principal));
}
