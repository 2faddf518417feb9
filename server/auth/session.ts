import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type { Request, Response } from 'express';
import type { Principal } from '../context.ts';
import { forbidden, unauthorized } from '../fhir-kit/errors.ts';
import type { SessionStore } from '../store/session-store.ts';

export const SESSION_COOKIE = 'dcc_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface SessionOptions {
  /** Ends a session unused for this long (PGSSI-S: short idle timeout on health data). */
  idleMs: number;
  /** Ends any session this long after sign-in, used or not. */
  absoluteMs: number;
  /** Secure cookies: always in production; over plain HTTP only for local development. */
  secureCookies: boolean;
}

/**
 * Browser sessions after a SAML or Pro Santé Connect sign-in: an opaque random cookie whose hash
 * is the database key, idle and absolute timeouts, and a CSRF token required on every
 * state-changing request that relies on the cookie.
 */
export class SessionManager {
  constructor(
    private readonly store: SessionStore,
    private readonly options: SessionOptions,
  ) {}

  async start(req: Request, res: Response, principal: Principal): Promise<{ csrfToken: string }> {
    // A new token at each sign-in: an earlier (possibly planted) cookie is never promoted.
    const old = readCookie(req, SESSION_COOKIE);
    if (old) await this.store.deleteSession(hashToken(old));
    const token = randomBytes(32).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    const now = new Date();
    await this.store.insertSession({
      id: hashToken(token), principal: { ...principal, authMethod: principal.authMethod }, csrfToken,
      createdAt: now, lastSeenAt: now, expiresAt: new Date(now.getTime() + this.options.absoluteMs),
    });
    res.cookie(SESSION_COOKIE, token, {
      httpOnly: true, sameSite: 'lax', path: '/', secure: this.options.secureCookies || isTls(req),
      maxAge: this.options.absoluteMs,
    });
    return { csrfToken };
  }

  /** The principal of the request's session cookie, or undefined when there is none. */
  async identify(req: Request): Promise<Principal | undefined> {
    const token = readCookie(req, SESSION_COOKIE);
    if (!token) return undefined;
    const session = await this.store.findSession(hashToken(token));
    const now = Date.now();
    if (!session) throw unauthorized('Session inconnue ou terminée : reconnectez-vous');
    if (session.expiresAt.getTime() <= now) {
      await this.store.deleteSession(session.id);
      throw unauthorized('Session expirée (durée maximale atteinte) : reconnectez-vous');
    }
    if (session.lastSeenAt.getTime() + this.options.idleMs <= now) {
      await this.store.deleteSession(session.id);
      throw unauthorized("Session expirée après une période d'inactivité : reconnectez-vous");
    }
    if (!SAFE_METHODS.has(req.method) && !sameToken(req.get(CSRF_HEADER), session.csrfToken)) {
      throw forbidden(`Jeton anti-CSRF manquant ou invalide : envoyez l'en-tête ${CSRF_HEADER} reçu de GET /auth/session`);
    }
    // Touch at most once a minute: reads stay reads for the database.
    if (now - session.lastSeenAt.getTime() > 60_000) await this.store.touchSession(session.id, new Date(now));
    return { ...session.principal, authMethod: session.principal.authMethod };
  }

  async csrfTokenOf(req: Request): Promise<string | undefined> {
    const token = readCookie(req, SESSION_COOKIE);
    return token ? (await this.store.findSession(hashToken(token)))?.csrfToken : undefined;
  }

  async end(req: Request, res: Response): Promise<void> {
    const token = readCookie(req, SESSION_COOKIE);
    if (token) await this.store.deleteSession(hashToken(token));
    res.clearCookie(SESSION_COOKIE, { path: '/' });
  }
}

export function hashToken(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export function readCookie(req: Request, name: string): string | undefined {
  for (const part of (req.get('cookie') ?? '').split(';')) {
    const i = part.indexOf('=');
    if (i > 0 && part.slice(0, i).trim() === name) {
      try {
        return decodeURIComponent(part.slice(i + 1).trim());
      } catch {
        return undefined; // a malformed cookie is no cookie, not a 500
      }
    }
  }
  return undefined;
}

function sameToken(given: string | undefined, expected: string): boolean {
  if (!given) return false;
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

function isTls(req: Request): boolean {
  return Boolean((req.socket as { encrypted?: boolean }).encrypted);
}
