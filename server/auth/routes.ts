import express, { type Router } from 'express';
import { unauthorized } from '../fhir/errors.ts';
import { recordSignIn, type SignInDeps } from './sign-in.ts';

/**
 * /auth: the session endpoints, plus the SAML and Pro Santé Connect sign-in routers when
 * configured. Sign-in endpoints answer without authentication by nature.
 */
export function authRouter(deps: SignInDeps, methods: Router[]): Router {
  const router = express.Router();
  for (const method of methods) router.use(method);

  // Who am I, and the CSRF token the web client must send on state-changing requests.
  router.get('/session', async (req, res, next) => {
    try {
      const principal = await deps.sessions.identify(req);
      if (!principal) throw unauthorized('Pas de session : connectez-vous');
      res.set('Cache-Control', 'no-store').json({ principal, csrfToken: await deps.sessions.csrfTokenOf(req) });
    } catch (error) {
      next(error);
    }
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
