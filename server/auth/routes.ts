import express, { type Request, type Router } from 'express';
import { unauthorized } from '../fhir-kit/errors.ts';
import type { Principal } from '../context.ts';
import { readCookie, SESSION_COOKIE } from './session.ts';
import { recordSignIn, type SignInDeps } from './sign-in.ts';

/** Which sign-in methods this server offers (GET /auth/methods, for the sign-in page). */
export interface SignInMethods {
  saml: boolean;
  psc: boolean;
  demo: boolean;
  /** Port of the CPS mutual-TLS listener when on and no public URL is configured. */
  cpsPort: () => number | undefined;
}

export interface AuthRouterOptions {
  /** Every way a request is identified (card, proxy header, session): GET /auth/session answers for all. */
  identify?: (req: Request) => Principal | undefined | Promise<Principal | undefined>;
  available?: SignInMethods;
}

/**
 * /auth: the session endpoints, plus the SAML, Pro Santé Connect and demo sign-in routers when
 * configured. Sign-in endpoints answer without authentication by nature.
 */
export function authRouter(deps: SignInDeps, methods: Router[], options: AuthRouterOptions = {}): Router {
  const router = express.Router();
  for (const method of methods) router.use(method);

  // Who am I (any method: a CPS card over mutual TLS has no cookie), and for a cookie session the
  // CSRF token the web client must send on state-changing requests and the idle timeout to announce.
  router.get('/session', async (req, res, next) => {
    try {
      const principal = await (options.identify ?? ((r: Request) => deps.sessions.identify(r)))(req);
      if (!principal) throw unauthorized('Pas de session : connectez-vous');
      const cookieSession = Boolean(readCookie(req, SESSION_COOKIE)) && principal.authMethod !== 'cps';
      res.set('Cache-Control', 'no-store').json({
        principal,
        ...(cookieSession ? { csrfToken: await deps.sessions.csrfTokenOf(req), idleTimeoutSeconds: deps.config.sessionIdleMinutes * 60 } : {}),
      });
    } catch (error) {
      next(error);
    }
  });

  // The ways to sign in, for the sign-in page: only those configured on this server.
  router.get('/methods', (req, res) => {
    const available = options.available;
    const cpsPort = available?.cpsPort();
    const cpsUrl = deps.config.cpsPublicUrl ?? (cpsPort ? `https://${hostOnly(req.get('host') ?? deps.config.host)}:${cpsPort}` : undefined);
    res.set('Cache-Control', 'no-store').json({
      ...(cpsUrl ? { cps: { url: cpsUrl } } : {}),
      psc: Boolean(available?.psc),
      saml: Boolean(available?.saml),
      demo: Boolean(available?.demo),
    });
  });

  router.post('/logout', async (req, res, next) => {
    try {
      const principal = await deps.sessions.identify(req); // checks the CSRF token: a third-party page cannot log you out
      await deps.sessions.end(req, res);
      if (principal) await recordSignIn(deps.store, req, { kind: 'logout', outcome: 'success', method: principal.authMethod }, principal);
      res.status(204).end();
    } catch (error) {
      next(error);
    }
  });
  return router;
}

/** 'host:8080' or '[::1]:8080' → the host part, for a link to the same host on another port. */
function hostOnly(hostHeader: string): string {
  const match = /^(\[[^\]]+\]|[^:]+)/.exec(hostHeader);
  return match?.[1] ?? hostHeader;
}
