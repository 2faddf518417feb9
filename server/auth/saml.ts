import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash, randomBytes } from 'node:crypto';
import { DOMParser } from '@xmldom/xmldom';
import { ValidateInResponseTo, type CacheItem, type CacheProvider, type Profile, type SamlConfig as NodeSamlOptions } from '@node-saml/node-saml';
import { Strategy as SamlStrategy, type PassportSamlConfig } from '@node-saml/passport-saml';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import passport from 'passport';
import type { Principal } from '../context.ts';
import { issue, outcome } from '../fhir-kit/errors.ts';
import { isValidIdnps } from '../identity/index.ts';
import { rolesOfProfession } from './cps.ts';
import { completeSignIn, recordSignIn, safeReturnTo, type SignInDeps } from './sign-in.ts';
import { samlRoleKey, type SamlConfig } from '../config.ts';

/**
 * SAML 2.0 sign-in (Web Browser SSO profile, SP-initiated): the hospital or regional identity
 * provider (IdP) authenticates the professional, the DCC is the service provider (SP). Built on
 * passport with @node-saml/passport-saml's Strategy (itself on @node-saml/node-saml), without
 * passport sessions: a successful sign-in opens a DCC session (completeSignIn).
 *
 *   GET  /auth/saml/login[?returnTo=/local/path] → 302 to the IdP with a (optionally signed) AuthnRequest
 *   POST /auth/saml/acs                          ← the IdP's signed Response (HTTP-POST binding) → session, 303
 *   GET  /auth/saml/metadata                     → SP metadata to register the DCC at the IdP
 *
 * What is verified on every Response, beyond passport-saml's (node-saml's) own checks (XML signature of
 * the assertion by a configured IdP certificate, audience = SP entity id, time windows with a
 * bounded clock skew, InResponseTo of a request this DCC issued):
 * - the signed assertion has a bearer SubjectConfirmation whose Recipient is our ACS URL and whose
 *   InResponseTo is the request (the Response envelope is not necessarily signed);
 * - the Response Destination, when present, is our ACS URL;
 * - the assertion Issuer is SAML_IDP_ISSUER when that is set;
 * - each request id is consumed once (atomic delete in login_state, shared by all app servers),
 *   and each assertion id is recorded until it expires: a replayed Response is refused;
 * - the IDNPS attribute is a valid IDNPS ('8' + Luhn-valid RPPS, or '0' + 9-digit ADELI).
 */

/** Special value of SAML_ATTR_IDNPS: read the IDNPS from the Subject NameID instead of an attribute. */
export const NAME_ID = 'NameID';

/** Default mapping: G15 profession codes (TRE_G15-ProfessionSante); words are read by rolesOfProfession. */
const DEFAULT_PROFESSION_CODES: Record<string, string[]> = { '10': ['physician'], '21': ['pharmacist'], '60': ['nurse'] };

/** How long a sign-in started at /saml/login may take to come back to the ACS. */
const REQUEST_TTL_MS = 10 * 60_000;
/** Consumed assertion ids are kept at least this long, and at most a day. */
const MAX_REPLAY_RECORD_MS = 24 * 3_600_000;
const REQUEST_KIND = 'saml-request';
const ASSERTION_KIND = 'saml-assertion';
/** Ids of our AuthnRequests: anything else is not ours, no database lookup. */
const REQUEST_ID = /^_[0-9a-f]{40}$/;
const newRequestId = () => `_${randomBytes(20).toString('hex')}`;

/** DCC roles for the values of the role attribute. */
export function rolesFromAttribute(values: string[], roleMap?: Record<string, string[]>): string[] {
  const roles = new Set<string>();
  for (const value of values) {
    const key = samlRoleKey(value);
    if (!key) continue;
    if (roleMap) {
      for (const role of roleMap[key] ?? []) roles.add(role);
      continue;
    }
    for (const role of DEFAULT_PROFESSION_CODES[key] ?? rolesOfProfession(value)) roles.add(role);
  }
  return [...roles];
}

/** The one IDNPS check (identity/rpps.ts), re-exported for this module's callers. */
export { isValidIdnps };

/** Name of the strategy on the router's own passport instance. */
const STRATEGY = 'saml';

/** What the strategy's verify callback hands to the ACS route once every check has passed. */
type SamlUser = { principal: Principal; returnTo?: string };

/** One sign-in step (a /saml/login or an ACS request): what the request-id cache needs from it. */
interface SignInAttempt {
  /** Where to go after sign-in (login step), saved with the request id. */
  returnTo?: string;
  /** Request states this ACS request consumed (atomically) while node-saml checked InResponseTo. */
  taken: Map<string, RequestState>;
}

/** The sign-in routes, mounted under /auth by authRouter. */
export function samlRouter(deps: SignInDeps, saml: SamlConfig): Router {
  const router = express.Router();
  // The router's own passport instance (nothing registered globally); every route authenticates
  // with session: false, the DCC keeps its own sessions.
  const authenticator = new passport.Passport();
  const attempts = new AsyncLocalStorage<SignInAttempt>();
  const options: PassportSamlConfig = { ...nodeSamlOptions(saml, new LoginStateCache(deps, attempts)), name: STRATEGY, passReqToCallback: true };
  const strategy = new SamlStrategy(
    options,
    // Sign-in: the checks node-saml leaves to the SP. A refusal, or an internal error, is reported as
    // a failed authentication carrying the error, so that the route does not take it for one of
    // node-saml's validation errors (which passport-saml reports as errors).
    (_req, profile, done) => {
      verifySignIn(deps, saml, attempts, profile).then((user) => done(null, user), (error: unknown) => done(null, undefined, { error }));
    },
    // Single logout is not offered: each route hands the strategy only a sign-in message (viewFor).
    (_req, _profile, done) => done(new Error('SAML single logout is not supported')),
  );
  // passport-saml's typings are written against Express 4's Request (its own @types/express 4);
  // at run time the strategy reads only query, body, headers, url and res, the same in Express 5.
  authenticator.use(STRATEGY, strategy as unknown as passport.Strategy);

  /** passport.authenticate for one route, inside the sign-in attempt the request-id cache works for. */
  const authenticate = (req: Request, res: Response, message: { SAMLResponse?: string }, attempt: SignInAttempt,
    callback: (error: unknown, user?: unknown, info?: unknown) => void, next: NextFunction): void => {
    attempts.run(attempt, () => authenticator.authenticate(STRATEGY, { session: false }, callback)(viewFor(req, message), res, next));
  };

  router.get('/saml/login', (req, res) => {
    try {
      const query = typeof req.query.returnTo === 'string' ? req.query.returnTo : undefined;
      // Control characters are refused too: browsers drop tabs and newlines, '/\t/evil' → '//evil'.
      const returnTo = query && query.length <= 2048 && !/[\u0000-\u001f\u007f]/.test(query) ? safeReturnTo(query) : '/';
      res.set('Cache-Control', 'no-store');
      // No SAML message: the strategy redirects (302) to the IdP with a new AuthnRequest, whose id the
      // cache saves with returnTo; the callback is called only on an error.
      const failed = (error: unknown) => fail(req, res, deps, error ?? new Error('SAML: no redirection to the identity provider'));
      authenticate(req, res, {}, { returnTo, taken: new Map() }, failed, failed);
    } catch (error) {
      fail(req, res, deps, error);
    }
  });

  router.post('/saml/acs', express.urlencoded({ extended: false, limit: '1mb', parameterLimit: 10 }), (req, res) => {
    try {
      const samlResponse = typeof req.body?.SAMLResponse === 'string' ? req.body.SAMLResponse : '';
      if (!samlResponse) throw refusal(400, "Aucune réponse SAML reçue : cette adresse ne s'ouvre pas directement, passez par la page de connexion", 'no SAMLResponse in the POST body');
      const signedIn = async (error: unknown, user?: unknown, info?: unknown): Promise<void> => {
        try {
          if (error) throw fromNodeSaml(error);
          if (!user) throw (info as { error?: unknown } | undefined)?.error ?? refusal(401, INVALID, 'authentication failed without a reason');
          const { principal, returnTo } = user as SamlUser;
          await completeSignIn(req, res, deps, principal, returnTo);
        } catch (failure) {
          fail(req, res, deps, failure);
        }
      };
      // passport-saml passes (next) on a valid LogoutResponse: a profile-less answer, no sign-in.
      const passed = (error?: unknown) => fail(req, res, deps, error ?? refusal(401, NOT_AUTHENTICATED, 'no profile (LogoutResponse)'));
      authenticate(req, res, { SAMLResponse: samlResponse }, { taken: new Map() }, (error, user, info) => void signedIn(error, user, info), passed);
    } catch (error) {
      fail(req, res, deps, error);
    }
  });

  router.get('/saml/metadata', (req, res) => {
    try {
      const xml = strategy.generateServiceProviderMetadata(saml.spCertificate ?? null, saml.spCertificate ?? null);
      res.set('Cache-Control', 'no-cache').type('application/samlmetadata+xml; charset=utf-8').send(xml);
    } catch (error) {
      fail(req, res, deps, error);
    }
  });
  return router;
}

/**
 * The request as the strategy sees it on one of our routes. passport-saml picks what to do from what
 * the request carries: a SAMLResponse or SAMLRequest in the query (redirect-binding logout messages),
 * a SAMLRequest in the body (logout request), a SAMLResponse in the body (sign-in response), else a
 * new AuthnRequest with the query's or body's RelayState. Each of our routes does one thing, so the
 * strategy only sees the message that route takes: nothing at /saml/login, the posted SAMLResponse
 * at the ACS. Everything else (headers, dccContext…) is the request's own.
 */
function viewFor(req: Request, message: { SAMLResponse?: string }): Request {
  return Object.create(req, { query: { value: {}, enumerable: true }, body: { value: message, enumerable: true } }) as Request;
}

/** The strategy's sign-in verification: profile validated by node-saml → user, or a refusal. */
async function verifySignIn(deps: SignInDeps, saml: SamlConfig, attempts: AsyncLocalStorage<SignInAttempt>, profile: Profile | null): Promise<SamlUser> {
  if (!profile) throw refusal(401, NOT_AUTHENTICATED, 'no profile (NoPassive)');
  const { requestId, assertionId, notOnOrAfter } = checkAssertion(profile, saml);

  // One use per request, even with two app servers receiving the same POST at once.
  const state = attempts.getStore()?.taken.get(requestId) ?? (await deps.sessionStore.takeLoginState<RequestState>(requestId, REQUEST_KIND));
  if (!state) throw refusal(401, ALREADY_USED, `request ${requestId} already consumed`);
  const now = Date.now();
  // As long as this server would still accept the assertion (node-saml judged it on our clock), kept
  // that long on the database's clock, which every server's replay check reads.
  const keepMs = Math.min(Math.max(notOnOrAfter + saml.clockSkewMs - now, REQUEST_TTL_MS), MAX_REPLAY_RECORD_MS);
  const first = await deps.sessionStore.saveLoginState(assertionKey(profile.issuer, assertionId), ASSERTION_KIND, { requestId, at: new Date(now).toISOString() }, keepMs);
  if (!first) throw refusal(401, ALREADY_USED, `assertion ${assertionId} replayed`);

  return { principal: principalFromProfile(profile, saml), returnTo: state.returnTo };
}

function nodeSamlOptions(saml: SamlConfig, cache: CacheProvider): NodeSamlOptions {
  return {
    entryPoint: saml.idpEntryPoint,
    issuer: saml.spEntityId,
    callbackUrl: saml.callbackUrl,
    audience: saml.spEntityId,
    idpCert: saml.idpCertificates,
    ...(saml.idpIssuer ? { idpIssuer: saml.idpIssuer } : {}),
    wantAssertionsSigned: true,
    wantAuthnResponseSigned: saml.wantResponseSigned,
    validateInResponseTo: ValidateInResponseTo.always,
    requestIdExpirationPeriodMs: REQUEST_TTL_MS,
    generateUniqueId: newRequestId,
    cacheProvider: cache,
    acceptedClockSkewMs: saml.clockSkewMs,
    // The IdP picks the NameID format and the authentication means (CPS, e-CPS, OTP…): asking for
    // an e-mail NameID or exact password context (node-saml's defaults) makes strict IdPs refuse.
    identifierFormat: null,
    disableRequestedAuthnContext: true,
    signatureAlgorithm: 'sha256',
    digestAlgorithm: 'sha256',
    ...(saml.spPrivateKey ? { privateKey: saml.spPrivateKey, publicCert: saml.spCertificate, decryptionPvk: saml.spPrivateKey } : {}),
  };
}

interface RequestState {
  createdAt: string;
  returnTo?: string;
}

/**
 * node-saml's request-id cache on login_state, so the ACS may run on another app server than
 * /saml/login. One instance for the strategy; what is per request (returnTo to save, states
 * consumed) is the current sign-in attempt, set by the route around passport.authenticate.
 */
class LoginStateCache implements CacheProvider {
  constructor(
    private readonly deps: SignInDeps,
    private readonly attempts: AsyncLocalStorage<SignInAttempt>,
  ) {}

  private attempt(): SignInAttempt {
    const attempt = this.attempts.getStore();
    if (!attempt) throw new Error('SAML request id cache used outside a sign-in request');
    return attempt;
  }

  async saveAsync(key: string, value: string): Promise<CacheItem | null> {
    const { returnTo } = this.attempt();
    const saved = await this.deps.sessionStore.saveLoginState(key, REQUEST_KIND, { createdAt: value, returnTo }, REQUEST_TTL_MS);
    if (!saved) throw new Error(`SAML request id clash: ${key}`);
    return { value, createdAt: Date.now() };
  }

  async getAsync(key: string): Promise<string | null> {
    if (!REQUEST_ID.test(key)) return null;
    const state = await this.deps.sessionStore.getLoginState<RequestState>(key, REQUEST_KIND);
    return state?.createdAt ?? null;
  }

  async removeAsync(key: string | null): Promise<string | null> {
    if (!key || !REQUEST_ID.test(key)) return null;
    const taken = this.attempt().taken;
    const state = await this.deps.sessionStore.takeLoginState<RequestState>(key, REQUEST_KIND);
    if (!state) return null;
    taken.set(key, state);
    return key;
  }
}

// ---- checks on the verified assertion -------------------------------------------------------

type XmlNode = { $?: Record<string, string>; _?: string; [child: string]: unknown };

function children(node: unknown, name: string): XmlNode[] {
  const value = node && typeof node === 'object' ? (node as Record<string, unknown>)[name] : undefined;
  return Array.isArray(value) ? value.filter((v): v is XmlNode => Boolean(v) && typeof v === 'object') : [];
}

const BEARER = 'urn:oasis:names:tc:SAML:2.0:cm:bearer';

/** What node-saml leaves to the SP: Recipient, Destination, Issuer, request binding, assertion id. */
function checkAssertion(profile: Profile, saml: SamlConfig): { requestId: string; assertionId: string; notOnOrAfter: number } {
  const assertion = (profile.getAssertion?.() as { Assertion?: XmlNode } | undefined)?.Assertion;
  if (!assertion) throw refusal(401, INVALID, 'no assertion in the validated profile');
  const requestId = typeof profile.inResponseTo === 'string' ? profile.inResponseTo : '';
  if (!requestId) throw refusal(401, UNKNOWN_REQUEST, 'no InResponseTo');

  if (saml.idpIssuer && profile.issuer !== saml.idpIssuer) {
    throw refusal(401, "La réponse vient d'un fournisseur d'identité inattendu", `assertion issuer '${profile.issuer}' ≠ '${saml.idpIssuer}'`);
  }
  const assertionId = assertion.$?.ID;
  if (!assertionId) throw refusal(401, INVALID, 'assertion without ID');

  const now = Date.now();
  const confirmations = children(assertion, 'Subject').flatMap((s) => children(s, 'SubjectConfirmation'))
    .filter((c) => c.$?.Method === BEARER)
    .flatMap((c) => children(c, 'SubjectConfirmationData'))
    .map((d) => d.$ ?? {});
  const recipientOk = confirmations.filter((d) => d.Recipient === saml.callbackUrl);
  if (!recipientOk.length) {
    throw refusal(401, "La réponse est destinée à une autre adresse de retour que celle de ce service", `no bearer SubjectConfirmationData with Recipient ${saml.callbackUrl} (got ${confirmations.map((d) => d.Recipient).join(', ') || 'none'})`);
  }
  const confirmation = recipientOk.find((d) => d.InResponseTo === requestId && d.NotOnOrAfter && Date.parse(d.NotOnOrAfter) > now - saml.clockSkewMs);
  if (!confirmation) throw refusal(401, UNKNOWN_REQUEST, 'SubjectConfirmationData InResponseTo missing, different from the Response, or expired');

  const responseXml = profile.getSamlResponseXml?.();
  if (responseXml === undefined) throw refusal(401, INVALID, 'no Response XML in the validated profile');
  const destination = responseDestination(responseXml);
  if (destination !== undefined && destination !== saml.callbackUrl) {
    throw refusal(401, "La réponse est destinée à une autre adresse de retour que celle de ce service", `Response Destination ${destination} ≠ ${saml.callbackUrl}`);
  }
  const conditionsEnd = Date.parse(children(assertion, 'Conditions')[0]?.$?.NotOnOrAfter ?? '');
  const notOnOrAfter = Math.max(Date.parse(confirmation.NotOnOrAfter!), Number.isFinite(conditionsEnd) ? conditionsEnd : 0);
  return { requestId, assertionId, notOnOrAfter };
}

/** Destination of the Response (the envelope, which the IdP need not sign). */
function responseDestination(xml: string): string | undefined {
  const root = new DOMParser({ errorHandler: { warning: () => undefined, error: rethrow, fatalError: rethrow } }).parseFromString(xml, 'text/xml').documentElement;
  if (!root || root.localName !== 'Response') throw refusal(401, INVALID, 'root element is not a Response');
  return root.hasAttribute('Destination') ? root.getAttribute('Destination') ?? undefined : undefined;
}

function rethrow(message: string): never {
  throw refusal(401, INVALID, `XML: ${message}`);
}

function principalFromProfile(profile: Profile, saml: SamlConfig): Principal {
  const idnpsValues = saml.attributes.idnps === NAME_ID ? [profile.nameID ?? ''] : attributeValues(profile, saml.attributes.idnps);
  const distinct = [...new Set(idnpsValues.map(idnpsOf))];
  if (distinct.length !== 1 || !distinct[0]) {
    throw refusal(403, `Connexion refusée : le fournisseur d'identité n'a pas transmis d'identifiant national de professionnel de santé (IDNPS) ; contactez le support de votre établissement`,
      `${distinct.length} IDNPS value(s) in '${saml.attributes.idnps}'`);
  }
  const idnps = distinct[0];
  if (!isValidIdnps(idnps)) {
    throw refusal(403, `Connexion refusée : l'identifiant '${idnps.slice(0, 40)}' transmis par le fournisseur d'identité n'est pas un IDNPS valide ('8' + RPPS ou '0' + ADELI) ; contactez le support de votre établissement`,
      `invalid IDNPS '${idnps.slice(0, 40)}'`);
  }
  const family = attributeValues(profile, saml.attributes.family)[0]?.trim() || undefined;
  const given = attributeValues(profile, saml.attributes.given)[0]?.trim() || undefined;
  return {
    idnps,
    displayName: [given, family].filter(Boolean).join(' ') || idnps,
    ...(family ? { family } : {}),
    ...(given ? { given } : {}),
    roles: rolesFromAttribute(attributeValues(profile, saml.attributes.role), saml.roleMap),
    authMethod: 'saml',
  };
}

/** IDNPS from a plain value or an HL7 v2 identifier 'IDNPS^^^&1.2.250.1.71.4.2.1&ISO'. */
function idnpsOf(value: string): string {
  const v = value.trim();
  const hl7 = /^(\d+)\^\^\^&1\.2\.250\.1\.71\.4\.2\.1&ISO$/.exec(v);
  return hl7 ? hl7[1] : v;
}

/** Values of an attribute as strings; structured values give their 'code' XML attributes. */
function attributeValues(profile: Profile, name: string): string[] {
  const attributes = profile.attributes as Record<string, unknown> | undefined;
  const raw = attributes && Object.prototype.hasOwnProperty.call(attributes, name) ? attributes[name] : undefined;
  const out: string[] = [];
  const visit = (value: unknown, depth: number): void => {
    if (typeof value === 'string') out.push(value);
    else if (Array.isArray(value)) value.forEach((v) => visit(v, depth));
    else if (value && typeof value === 'object' && depth < 4) {
      const node = value as XmlNode;
      if (typeof node.$?.code === 'string') out.push(node.$.code);
      for (const [key, child] of Object.entries(node)) if (key !== '$' && key !== '_') visit(child, depth + 1);
    }
  };
  visit(raw, 0);
  return out;
}

function assertionKey(issuer: string, assertionId: string): string {
  return `saml-assertion:${createHash('sha256').update(`${issuer}\n${assertionId}`).digest('hex')}`;
}

// ---- errors the user can act on -------------------------------------------------------------

const INVALID = "La réponse du fournisseur d'identité n'a pas pu être vérifiée";
const UNKNOWN_REQUEST = "Cette réponse ne correspond à aucune connexion en cours (demande expirée, déjà utilisée ou non sollicitée) : recommencez la connexion";
const ALREADY_USED = 'Cette réponse de connexion a déjà été utilisée : recommencez la connexion';
const NOT_AUTHENTICATED = "Le fournisseur d'identité n'a pas authentifié l'utilisateur";

class SamlRefusal extends Error {
  constructor(
    readonly status: number,
    readonly userMessage: string,
    readonly reason: string,
  ) {
    super(reason);
  }
}

function refusal(status: number, userMessage: string, reason: string): SamlRefusal {
  return new SamlRefusal(status, userMessage, reason);
}

/** node-saml's English technical errors (passport-saml's strategy errors) → what the professional can understand. */
function fromNodeSaml(error: unknown): SamlRefusal {
  if (error instanceof SamlRefusal) return error;
  const message = error instanceof Error ? error.message : String(error);
  const status = (error as { xmlStatus?: unknown })?.xmlStatus !== undefined || /SAML provider returned/.test(message);
  if (status) return refusal(401, "Le fournisseur d'identité n'a pas authentifié l'utilisateur (connexion annulée ou refusée)", message);
  if (/InResponseTo/i.test(message)) return refusal(401, UNKNOWN_REQUEST, message);
  if (/signature/i.test(message)) {
    return refusal(401, `${INVALID} : signature absente ou faite par une clé non reconnue (l'assertion doit être signée par le fournisseur d'identité configuré)`, message);
  }
  if (/expired|not yet valid|too old|subject confirmation/i.test(message)) {
    return refusal(401, 'La réponse de connexion a expiré ou n\'est pas encore valide (vérifiez l\'heure de votre poste) : recommencez la connexion', message);
  }
  if (/audience/i.test(message)) return refusal(401, `${INVALID} : elle est destinée à un autre service`, message);
  if (/issuer/i.test(message)) return refusal(401, "La réponse vient d'un fournisseur d'identité inattendu", message);
  return refusal(401, INVALID, message);
}

function fail(req: Request, res: Response, deps: SignInDeps, error: unknown): void {
  const requestId = req.dccContext?.requestId;
  let known: SamlRefusal;
  if (error instanceof SamlRefusal) {
    known = error;
    deps.logger.warn({ requestId, reason: error.reason, status: error.status }, 'connexion SAML refusée');
  } else {
    known = refusal(500, 'La connexion a échoué à cause d\'une erreur interne : réessayez dans un instant ou contactez le support', 'internal');
    deps.logger.error({ requestId, err: error }, 'connexion SAML : erreur interne');
  }
  recordSignIn(deps.store, req, { outcome: 'failure', method: 'saml', detail: `${known.userMessage} (${known.reason})` }).catch((err) =>
    deps.logger.error({ err }, "échec de l'écriture de la trace de connexion refusée"));
  if (res.headersSent) return;
  res.status(known.status).set('Cache-Control', 'no-store');
  const code = known.status === 403 ? 'forbidden' : known.status === 400 ? 'invalid' : known.status >= 500 ? 'exception' : 'login';
  if (req.accepts(['text/html', 'application/fhir+json', 'application/json']) !== 'text/html') {
    res.type('application/fhir+json; charset=utf-8').send(JSON.stringify(outcome([issue(known.status >= 500 ? 'fatal' : 'error', code, known.userMessage)])));
    return;
  }
  res.type('text/html; charset=utf-8').send(errorPage(known.status >= 500 ? 'Erreur de connexion' : 'Connexion refusée', known.userMessage, requestId));
}

function errorPage(title: string, message: string, requestId: string | undefined): string {
  return `<!DOCTYPE html>
<html lang="fr">
<head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1"><title>${html(title)} — DCC</title></head>
<body style="font-family: sans-serif; max-width: 40rem; margin: 3rem auto; padding: 0 1rem">
<h1>${html(title)}</h1>
<p>${html(message)}</p>
<p><a href="/auth/saml/login">Se connecter à nouveau</a></p>
${requestId ? `<p><small>Référence pour le support : ${html(requestId)}</small></p>` : ''}
</body>
</html>
`;
}

function html(text: string): string {
  return text.replace(/[&<>"']/g, (c) => `&#${c.charCodeAt(0)};`);
}
