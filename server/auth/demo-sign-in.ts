import express, { type Router } from 'express';
import { ROLE_LABELS } from '../access/index.ts';
import { badRequest, FhirError, issue, outcome } from '../fhir-kit/errors.ts';
import { buildDemoBundle } from '../seed/index.ts';
import { rolesOfProfession } from './cps.ts';
import { demoProfessionals, type DemoProfessional } from './demo-pki.ts';
import { openSession, type SignInDeps } from './sign-in.ts';


/**
 * "Connexion de démonstration" (demo mode only; never mounted with NODE_ENV=production):
 *   GET  /auth/demo/users → the demo professionals by role
 *   POST /auth/demo/login {practitioner: IDNPS} → a real database session, traced like any sign-in.
 * The identity comes from the demo directory, never from what the client claims beyond the choice;
 * the directory then refines the role (GP, 3C, administrator) exactly as for a CPS card.
 */
export function demoSignInRouter(deps: SignInDeps): Router {
  const router = express.Router();
  const professionals = demoProfessionals(buildDemoBundle());
  const byIdnps = new Map(professionals.map((p) => [p.idnps, p]));

  router.get('/demo/users', (_req, res) => {
    // The roles in the order and the words of the pages (ROLE_LABELS); no demo user is 'system'.
    const roles = Object.entries(ROLE_LABELS).map(([role, label]) => ({
      role, label,
      users: professionals.filter((p) => p.role === role).map(publicView),
    })).filter((r) => r.users.length);
    res.set('Cache-Control', 'no-store').json({ roles });
  });

  // JSON only: a cross-site form cannot send application/json without a CORS preflight (no login CSRF).
  // Its own tiny limit, apart from the app's one parser: this route answers before any identity.
  router.post('/demo/login', express.json({ limit: '4kb' }), async (req, res, next) => {
    try {
      if (!req.is('application/json')) throw new FhirError(415, outcome([issue('error', 'not-supported', 'Envoyez {"practitioner": "<IDNPS>"} en application/json')]));
      const idnps = typeof req.body?.practitioner === 'string' ? req.body.practitioner : undefined;
      const professional = idnps ? byIdnps.get(idnps) : undefined;
      if (!professional) throw badRequest("Professionnel de démonstration inconnu : choisissez-en un dans la liste (GET /auth/demo/users)");
      const { principal, csrfToken } = await openSession(req, res, deps, {
        idnps: professional.idnps,
        displayName: `${professional.given} ${professional.family}`,
        family: professional.family,
        given: professional.given,
        roles: rolesOfProfession(professional.title),
        authMethod: 'demo',
      });
      res.set('Cache-Control', 'no-store').json({ principal, csrfToken });
    } catch (error) {
      next(error);
    }
  });
  return router;
}

function publicView(p: DemoProfessional) {
  return { idnps: p.idnps, name: `${p.given} ${p.family}`, title: p.title, role: p.role };
}
