import express, { type Request, type Response, type Router } from 'express';
import * as oidc from 'openid-client';
import type { Principal } from '../context.ts';
import { unauthorized } from '../fhir-kit/errors.ts';
import { isValidIdnps } from '../identity/index.ts';
import { readCookie } from './session.ts';
import { completeSignIn, recordSignIn, safeReturnTo, type SignInDeps } from './sign-in.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import type { PscConfig } from '../config.ts';

const STATE_KIND = 'psc';
const STATE_TTL_MS = 10 * 60_000;
/** Binds a sign-in to the browser that started it (no login CSRF with a callback link sent to someone else). */
const BROWSER_COOKIE = 'dcc_psc_state';
const DISCOVERY_TIMEOUT_S = 10;

interface PscLoginState {
  nonce: string;
  codeVerifier: string;
  returnTo: string;
}

/** What PSC says about the professional (userinfo), only the fields the DCC uses. */
interface PscExercice {
  codeProfession?: unknown;
  codeSavoirFaire?: unknown;
  nomDexercice?: unknown;
  prenomDexercice?: unknown;
}

/** A refusal the user can act on: message shown as is, technical detail logged only. */
class PscError extends Error {
  constructor(
    readonly status: 401 | 500 | 503,
    readonly userMessage: string,
    readonly detail: Record<string, unknown> = {},
  ) {
    super(userMessage);
  }
}

const MSG = {
  unreachable: 'Pro Santé Connect est momentanément injoignable. Réessayez dans quelques instants, ou connectez-vous avec votre carte CPS.',
  noState: "Réponse de Pro Santé Connect incomplète (paramètre state absent) : relancez la connexion.",
  unknownState: 'Cette demande de connexion est inconnue, expirée (plus de 10 minutes) ou a déjà été utilisée : relancez la connexion Pro Santé Connect.',
  otherBrowser: "Cette réponse de connexion ne correspond pas à la connexion lancée depuis ce navigateur (autre navigateur ou plusieurs onglets ?) : relancez la connexion Pro Santé Connect.",
  denied: 'Connexion Pro Santé Connect annulée ou refusée : aucune session ouverte.',
  idpError: 'Pro Santé Connect a refusé la demande de connexion : relancez la connexion ou contactez le support.',
  grant: "Pro Santé Connect n'a pas validé la connexion (code d'autorisation refusé ou expiré) : relancez la connexion.",
  token: "La réponse de Pro Santé Connect n'a pas pu être vérifiée (jeton d'identité invalide) : connexion refusée.",
  noIdnps: "Pro Santé Connect n'a pas transmis d'identifiant national (SubjectNameID) : connexion refusée.",
  internal: "Erreur interne pendant la connexion Pro Santé Connect : aucune session ouverte. Réessayez ou contactez le support.",
};

/**
 * Pro Santé Connect sign-in: authorization code flow with PKCE (S256), state and nonce. The state,
 * nonce and PKCE verifier live in the database for 10 minutes and are taken once; a cookie ties the
 * callback to the browser that started the sign-in. Mounted under /auth by authRouter.
 */
export function pscRouter(deps: SignInDeps, psc: PscConfig): Router {
  const router = express.Router();
  const discover = lazyDiscovery(psc);
  const secureCookie = deps.config.production || psc.redirectUri.protocol === 'https:';
  const cookiePath = psc.redirectUri.pathname;

  router.get('/psc/login', async (req, res) => {
    try {
      const config = await discover();
      const state = oidc.randomState();
      const data: PscLoginState = {
        nonce: oidc.randomNonce(),
        codeVerifier: oidc.randomPKCECodeVerifier(),
        returnTo: safeReturnTo(typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined),
      };
      if (!(await deps.sessionStore.saveLoginState(state, STATE_KIND, data, STATE_TTL_MS))) {
        throw new Error('login state clash');
      }
      const url = oidc.buildAuthorizationUrl(config, {
        response_type: 'code',
        redirect_uri: psc.redirectUri.href,
        scope: psc.scopes,
        acr_values: psc.acrValues,
        state,
        nonce: data.nonce,
        code_challenge: await oidc.calculatePKCECodeChallenge(data.codeVerifier),
        code_challenge_method: 'S256',
      });
      res.cookie(BROWSER_COOKIE, state, { httpOnly: true, sameSite: 'lax', secure: secureCookie, path: cookiePath, maxAge: STATE_TTL_MS });
      res.set('Cache-Control', 'no-store').redirect(302, url.href);
    } catch (error) {
      fail(req, res, deps, error, 'login');
    }
  });

  router.get('/psc/callback', async (req, res) => {
    try {
      res.set('Cache-Control', 'no-store');
      res.clearCookie(BROWSER_COOKIE, { path: cookiePath, httpOnly: true, sameSite: 'lax', secure: secureCookie });
      const params = new URLSearchParams(req.originalUrl.includes('?') ? req.originalUrl.slice(req.originalUrl.indexOf('?') + 1) : '');
      const state = params.get('state');
      const error = params.get('error');
      if (!state) throw error ? idpRefusal(params) : new PscError(401, MSG.noState);
      // Taken once, even by two servers at once: a replayed or forged callback finds nothing.
      const saved = await deps.sessionStore.takeLoginState<PscLoginState>(state, STATE_KIND);
      if (!saved) throw new PscError(401, MSG.unknownState);
      if (readCookie(req, BROWSER_COOKIE) !== state) throw new PscError(401, MSG.otherBrowser);
      if (error) throw idpRefusal(params);

      const config = await discover();
      // The registered redirect URI, not this request's URL: behind a proxy they differ, and PSC compares them.
      const currentUrl = new URL(psc.redirectUri);
      for (const [key, value] of params) currentUrl.searchParams.append(key, value);
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        expectedState: state, expectedNonce: saved.nonce, pkceCodeVerifier: saved.codeVerifier,
      });
      const idToken = tokens.claims();
      if (!idToken) throw new PscError(401, MSG.token, { reason: 'no id_token' });
      if (psc.acrValues && idToken.acr !== undefined && !psc.acrValues.split(/\s+/).includes(String(idToken.acr))) {
        deps.logger.warn({ acr: idToken.acr, requested: psc.acrValues }, 'PSC : acr du jeton différent de celui demandé');
      }
      const userinfo = await oidc.fetchUserInfo(config, tokens.access_token, idToken.sub);
      await completeSignIn(req, res, deps, principalFromUserInfo(userinfo), saved.returnTo);
    } catch (error) {
      fail(req, res, deps, error, 'callback');
    }
  });
  return router;
}

/** Discovery at first use, then cached; a failure is not cached (the issuer may be down at boot). */
function lazyDiscovery(psc: PscConfig): () => Promise<oidc.Configuration> {
  let pending: Promise<oidc.Configuration> | undefined;
  return () => {
    pending ??= oidc.discovery(
      psc.issuer, psc.clientId, { client_secret: psc.clientSecret }, oidc.ClientSecretBasic(psc.clientSecret),
      { execute: psc.allowInsecureHttp ? [oidc.allowInsecureRequests] : [], timeout: DISCOVERY_TIMEOUT_S },
    ).catch((error: unknown) => {
      pending = undefined;
      throw new PscError(503, MSG.unreachable, { step: 'discovery', ...errorFields(error) });
    });
    return pending;
  };
}

/** Principal from PSC userinfo: SubjectNameID = IDNPS, roles from the exercised professions. */
export function principalFromUserInfo(userinfo: Record<string, unknown>): Principal {
  const idnps = typeof userinfo.SubjectNameID === 'string' ? userinfo.SubjectNameID.trim() : '';
  if (!idnps) throw new PscError(401, MSG.noIdnps);
  if (!isValidIdnps(idnps)) {
    throw new PscError(401, `Pro Santé Connect a transmis l'identifiant '${idnps}', qui n'est pas un IDNPS valide : connexion refusée.`, { idnps });
  }
  const exercices = exercicesOf(userinfo.SubjectRefPro);
  const family = text(userinfo.family_name) ?? text(exercices[0]?.nomDexercice);
  const given = text(userinfo.given_name) ?? text(exercices[0]?.prenomDexercice);
  return {
    idnps,
    displayName: [given, family].filter(Boolean).join(' ') || idnps,
    ...(family ? { family } : {}),
    ...(given ? { given } : {}),
    roles: rolesOfExercices(exercices),
    authMethod: 'psc',
  };
}

/** codeProfession (G15): 10 médecin (SM54 médecine générale → gp), 21 pharmacien, 60 infirmier. */
export function rolesOfExercices(exercices: PscExercice[]): string[] {
  const roles = new Set<string>();
  for (const e of exercices) {
    const profession = text(e.codeProfession);
    if (profession === '10') roles.add(text(e.codeSavoirFaire) === 'SM54' ? 'gp' : 'physician');
    else if (profession === '21') roles.add('pharmacist');
    else if (profession === '60') roles.add('nurse');
  }
  return [...roles];
}

/** The one IDNPS check (identity/rpps.ts), re-exported for this module's callers. */
export { isValidIdnps };

function exercicesOf(subjectRefPro: unknown): PscExercice[] {
  let value = subjectRefPro;
  if (typeof value === 'string') {
    try {
      value = JSON.parse(value);
    } catch {
      return [];
    }
  }
  const exercices = (value as { exercices?: unknown } | null)?.exercices;
  return Array.isArray(exercices) ? exercices.filter((e): e is PscExercice => !!e && typeof e === 'object') : [];
}

function text(value: unknown): string | undefined {
  return typeof value === 'string' && value.trim() ? value.trim() : undefined;
}

function idpRefusal(params: URLSearchParams): PscError {
  const code = params.get('error') ?? '';
  const detail = { error: code, error_description: params.get('error_description') ?? undefined };
  return new PscError(401, code === 'access_denied' ? MSG.denied : MSG.idpError, detail);
}

/** Maps any failure to what the user is told; the technical detail goes to the log only. */
function toPscError(error: unknown): PscError {
  if (error instanceof PscError) return error;
  const fields = errorFields(error);
  if (error instanceof oidc.AuthorizationResponseError) {
    return new PscError(401, error.error === 'access_denied' ? MSG.denied : MSG.idpError, fields);
  }
  if (error instanceof oidc.ResponseBodyError) {
    return error.status >= 500 ? new PscError(503, MSG.unreachable, fields) : new PscError(401, MSG.grant, fields);
  }
  if (error instanceof oidc.ClientError) {
    if (error.code === 'OAUTH_TIMEOUT' || error.code === 'OAUTH_ABORT') return new PscError(503, MSG.unreachable, fields);
    const status = (error.cause as { status?: unknown } | undefined)?.status;
    if (error.code === 'OAUTH_RESPONSE_IS_NOT_CONFORM' && typeof status === 'number' && status >= 500) return new PscError(503, MSG.unreachable, fields);
    return new PscError(401, MSG.token, fields);
  }
  if (error instanceof TypeError && error.message === 'fetch failed') return new PscError(503, MSG.unreachable, fields);
  if (error instanceof oidc.WWWAuthenticateChallengeError) return new PscError(401, MSG.token, fields);
  return new PscError(500, MSG.internal, fields);
}

/** Never tokens, codes or stack traces to the user; names and codes of the error for the log. */
function errorFields(error: unknown): Record<string, unknown> {
  if (error instanceof PscError) return error.detail;
  const e = error as { name?: unknown; message?: unknown; code?: unknown; error?: unknown; error_description?: unknown; status?: unknown; cause?: unknown };
  const cause = e?.cause as { code?: unknown; message?: unknown; status?: unknown } | undefined;
  return {
    name: e?.name, message: e?.message, code: e?.code, error: e?.error, error_description: e?.error_description, status: e?.status,
    ...(cause && typeof cause === 'object' && !(cause instanceof URLSearchParams) ? { cause: { code: cause.code, message: cause.message, status: cause.status } } : {}),
  };
}

function fail(req: Request, res: Response, deps: SignInDeps, error: unknown, step: 'login' | 'callback'): void {
  const refusal = toPscError(error);
  const log = { step, status: refusal.status, reason: refusal.userMessage, detail: refusal.detail };
  if (refusal.status === 500) deps.logger.error({ ...log, err: error }, 'connexion Pro Santé Connect en erreur');
  else deps.logger.warn(log, 'connexion Pro Santé Connect refusée');
  if (step === 'callback') {
    recordSignIn(deps.store, req, { outcome: 'failure', method: 'psc', detail: refusal.userMessage }).catch((err) =>
      deps.logger.error({ err }, "échec de l'écriture de la trace de connexion refusée"));
  }
  if (res.headersSent) return;
  res.status(refusal.status).set('Cache-Control', 'no-store');
  if (refusal.status === 401) res.set('WWW-Authenticate', 'Bearer realm="dcc"');
  const type = req.accepts(['text/html', 'application/fhir+json', 'application/json']);
  if (type === 'text/html') {
    res.type('text/html; charset=utf-8').send(errorPage(refusal.userMessage));
  } else {
    res.type('application/fhir+json; charset=utf-8').send(JSON.stringify(unauthorizedOutcome(refusal)));
  }
}

function unauthorizedOutcome(refusal: PscError) {
  const outcome = unauthorized(refusal.userMessage).outcome;
  if (refusal.status !== 401) outcome.issue[0]!.code = refusal.status === 503 ? 'transient' : 'exception';
  return outcome;
}

function errorPage(message: string): string {
  return `<!doctype html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>Connexion Pro Santé Connect impossible</title></head>
<body>
<main>
<h1>Connexion impossible</h1>
<p>${escapeHtml(message)}</p>
<p><a href="login">Se connecter avec Pro Santé Connect</a> · <a href="/">Accueil</a></p>
</main>
</body>
</html>
`;
}
