import { randomUUID } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import helmet from 'helmet';
import { rateLimit } from 'express-rate-limit';
import pino from 'pino';
import type { Config } from './config.ts';
import type { Principal, RequestContext } from './context.ts';
import { FhirError, outcome, issue, payloadTooLarge, badRequest, unauthorized } from './fhir-kit/errors.ts';
import { auditPatientLookupRouter, breakGlassReviewRouter, buildAuthenticationEvent, RefusedSignIns, signInReviewRouter } from './access/index.ts';
import { capabilityOperationsOf, fhirRouter, operationsRouter } from './fhir/index.ts';
import { authRouter, recordSignIn, type SignInDeps, type SignInMethods } from './auth/index.ts';
import { webClient, webContentSecurityPolicy } from './web/index.ts';
import type { Store } from './store/store.ts';
import { AccessStore } from './store/access-store.ts';
import { operationTable } from './operations.ts';
import { cdaBodyParser } from './cda/index.ts';
import { DCC_CANONICAL_BASE } from './fhir-kit/canonical.ts';

export interface AppDeps {
  config: Config;
  store: Store;
  /** Emergency-access grants (defaults to one on the store's database). */
  accessStore?: AccessStore;
  /**
   * Identifies the caller of a request (the sign-in layer). Returns undefined when the request
   * carries no valid identity: every FHIR endpoint but /metadata then answers 401.
   */
  identify: (req: Request) => Principal | undefined | Promise<Principal | undefined>;
  logger?: pino.Logger;
  /** The clock the summary and the care-programme workflows judge on (tests fix it); the FHIR operations all come from server/operations.ts. */
  clock?: () => Date;
  /**
   * Routers of the capabilities' JSON APIs, at their own path. All behind the authentication gate;
   * they read `req.dccContext` (RequestContext) and work through `store.forRequest(ctx)`.
   */
  apis?: { path: string; router: Router }[];
  /** Read-only public information (the regional directories): mounted without the authentication gate. */
  publicApis?: { path: string; router: Router }[];
  /** Session endpoints and browser sign-in methods (SAML, Pro Santé Connect) under /auth. */
  auth?: { deps: SignInDeps; methods: Router[]; identify?: AppDeps['identify']; available?: SignInMethods };
  /** Serve the web client (client/dist) at / with its routes falling back to index.html. */
  web?: boolean | { distDir: string };
  /** Refused sign-ins are aggregated per address over this window (default a minute; tests shorten it). */
  refusedSignInWindowMs?: number;
}

const SOFTWARE = { name: 'DCC — Dossier Communicant de Cancérologie', version: '0.1.0' };

declare module 'express-serve-static-core' {
  interface Request {
    dccContext?: RequestContext;
  }
}

export function createApp(deps: AppDeps): express.Express {
  const { config } = deps;
  const accessStore = deps.accessStore ?? new AccessStore(deps.store.db);
  const logger = deps.logger ?? pino({ level: config.logLevel });
  const app = express();
  app.disable('x-powered-by');
  app.set('trust proxy', false);
  app.use(helmet({
    contentSecurityPolicy: { directives: webContentSecurityPolicy(config) },
    // HSTS from the demo CPS port (https://localhost:8443) would make browsers rewrite the plain
    // http://localhost:8080 of the demo to https: production only (always behind TLS there).
    strictTransportSecurity: config.production,
  }));
  app.use((req, res, next) => {
    const requestId = randomUUID();
    res.set('X-Request-Id', requestId);
    const started = process.hrtime.bigint();
    res.on('finish', () => {
      logger.info({ requestId, method: req.method, url: req.originalUrl, status: res.statusCode, ms: Number(process.hrtime.bigint() - started) / 1e6 }, 'request');
    });
    req.dccContext = { requestId, principal: { displayName: 'anonyme', roles: [], authMethod: 'anonymous' }, baseUrl: baseUrlOf(req, config), remoteAddress: req.socket.remoteAddress };
    next();
  });

  app.get('/health', async (_req, res) => {
    try {
      await deps.store.db.raw('SELECT 1');
      res.json({ status: 'ok' });
    } catch {
      res.status(503).json({ status: 'unavailable' });
    }
  });

  // Sign-in endpoints answer without authentication: rate-limited per address against guessing
  // and flooding (memory counters per app server; a shared store can replace them behind a balancer).
  // What counts is what guessing or flooding would send: sign-in attempts, and "who am I" without a
  // valid session. A signed-in page asks "who am I" on every load (and the sign-in page lists the
  // methods): counted, 30 reloads a minute behind one hospital address locked everyone out.
  const signInLimiter = rateLimit({
    windowMs: 60_000, limit: config.signInRateLimit, standardHeaders: 'draft-7', legacyHeaders: false,
    skip: (req) => req.method === 'GET' && req.path === '/methods',
    skipSuccessfulRequests: true,
    requestWasSuccessful: (req, res) => req.method === 'GET' && req.path === '/session' && res.statusCode === 200,
    handler: (_req, res) => {
      res.status(429).type('application/fhir+json; charset=utf-8').send(JSON.stringify(outcome([issue('error', 'throttled', 'Trop de tentatives de connexion depuis cette adresse : réessayez dans une minute')])));
    },
  });
  if (deps.auth) app.use('/auth', signInLimiter, authRouter(deps.auth.deps, deps.auth.methods, {
    ...(deps.auth.identify ? { identify: deps.auth.identify } : {}),
    ...(deps.auth.available ? { available: deps.auth.available } : {}),
  }));

  // Refused cards: traced once per address and minute, then aggregated; a flood is throttled (429).
  const refusedSignIns = new RefusedSignIns(async ({ address, count, from, to, detail }) => {
    await deps.store.system().append(buildAuthenticationEvent({
      // A refused session (expired, unknown) is not a refused card: the « Connexions » page says which.
      kind: 'login', outcome: 'failure', method: /^Session/.test(detail) ? 'session' : 'cps', remoteAddress: address,
      detail: count === 1 ? detail : `${count} connexions refusées de plus depuis ${address} entre ${from.toISOString()} et ${to.toISOString()} (dernière : ${detail})`,
    }));
  }, config.signInRateLimit, deps.refusedSignInWindowMs);
  app.locals.refusedSignIns = refusedSignIns;

  // Deny by default: every route below needs an identity, except the CapabilityStatement.
  const requireIdentity = async (req: Request, _res: Response, next: NextFunction) => {
    if (req.baseUrl === '/fhir' && req.path === '/metadata' && (req.method === 'GET' || req.method === 'HEAD')) return next();
    const address = req.socket.remoteAddress ?? 'inconnue';
    try {
      const principal = await deps.identify(req);
      if (!principal) return next(unauthorized('Authentification requise (carte CPS, SAML ou Pro Santé Connect)'));
      req.dccContext!.principal = principal;
      next();
    } catch (error) {
      // A presented but refused card or session is a failed sign-in: traced.
      if (error instanceof FhirError && error.status === 401) {
        // A professional behind the same address with a valid card is not affected: only refusals are throttled.
        const throttled = refusedSignIns.isThrottled(address);
        await refusedSignIns.record(address, error.message).catch((err) =>
          logger.error({ err }, "échec de l'écriture de la trace de connexion refusée"));
        if (throttled) return next(new FhirError(429, outcome([issue('error', 'throttled', 'Trop de connexions refusées depuis cette adresse : réessayez dans une minute')])));
      }
      next(error);
    }
  };
  const contextOf = (req: Request) => req.dccContext!;
  // The one JSON body parser of every authenticated route (FHIR, operations, JSON APIs): one limit,
  // DCC_MAX_BODY; a larger body is refused 413 (OperationOutcome) before it is read whole. Parsed
  // after the identity check, so an anonymous caller cannot make the server read megabytes.
  const jsonBody = express.json({ type: ['application/json', 'application/fhir+json'], limit: config.maxBodySize, strict: true });
  app.use('/fhir', requireIdentity, jsonBody);
  // Every $operation is routed from one table, before the REST routes: `/{type}/{id}/$x` never reads as a resource.
  const operations = operationTable({ store: deps.store, accessStore, config, ...(deps.clock ? { clock: deps.clock } : {}) });
  app.use('/fhir', operationsRouter(operations, { xml: cdaBodyParser }, DCC_CANONICAL_BASE));
  app.use('/fhir', fhirRouter({
    store: deps.store, accessStore, config, contextOf, software: SOFTWARE,
    operationsOf: (type) => capabilityOperationsOf(operations, type, DCC_CANONICAL_BASE),
  }));
  app.use('/access', requireIdentity, jsonBody, breakGlassReviewRouter(accessStore, contextOf, deps.store));
  app.use('/access', requireIdentity, auditPatientLookupRouter(deps.store, contextOf));
  app.use('/access', requireIdentity, signInReviewRouter(deps.store, contextOf));
  for (const api of deps.apis ?? []) app.use(api.path, requireIdentity, jsonBody, api.router);
  for (const api of deps.publicApis ?? []) app.use(api.path, api.router);
  // The web client last: its routes never shadow /fhir, /api, /auth, /access or /health.
  if (deps.web) app.use(webClient(typeof deps.web === 'object' ? deps.web : {}));

  app.use((req, _res, next) => next(new FhirError(404, outcome([issue('error', 'not-found', `Rien à ${req.path}`)]))));
  app.use((error: unknown, req: Request, res: Response, _next: NextFunction) => {
    const fhirError = toFhirError(error);
    if (fhirError.status >= 500) logger.error({ err: error, requestId: req.dccContext?.requestId }, 'request failed');
    // A RangeError or a database value error is answered as the caller's mistake (400), but it may be
    // ours: it is logged with its stack so that a bug of ours does not hide behind a 400.
    else if (guessedAsCallersMistake(error)) logger.warn({ err: error, requestId: req.dccContext?.requestId }, 'request refused on a value error (400): check that it is not ours');
    if (fhirError.status === 401) res.set('WWW-Authenticate', 'Bearer realm="dcc"');
    if (fhirError.status === 503) res.set('Retry-After', '5');
    // Never a stack trace: the OperationOutcome says what the user can act on.
    res.status(fhirError.status).type('application/fhir+json; charset=utf-8').send(JSON.stringify(fhirError.outcome));
  });
  return app;
}

function toFhirError(error: unknown): FhirError {
  if (error instanceof FhirError) return error;
  const e = error as { type?: string; status?: number };
  const unavailable = databaseUnavailable(error);
  if (unavailable) return new FhirError(503, outcome([issue('error', 'transient', unavailable)]));
  // A value the database cannot take (date out of range, bad number…) came from the caller: 400.
  if (isDatabaseValueError(error)) return new FhirError(400, outcome([issue('error', 'invalid', 'Valeur invalide (date, nombre ou texte hors des bornes admises) dans la requête')]));
  if (error instanceof RangeError) return new FhirError(400, outcome([issue('error', 'invalid', 'Requête invalide : valeur hors des bornes admises (date, imbrication)')]));
  if ((e as { code?: string })?.code === '42501') return new FhirError(403, outcome([issue('error', 'forbidden', "Le journal d'audit est en ajout seul : une trace ne peut être ni modifiée ni supprimée")]));
  if (e?.type === 'entity.too.large') return payloadTooLarge('Corps de requête trop volumineux');
  if (e?.type === 'entity.parse.failed') return badRequest('JSON mal formé : le corps de la requête ne peut pas être lu');
  if (e?.type === 'charset.unsupported' || e?.type === 'encoding.unsupported') return new FhirError(415, outcome([issue('error', 'not-supported', 'Encodage non pris en charge : utilisez UTF-8')]));
  if (typeof e?.status === 'number' && e.status >= 400 && e.status < 500) return new FhirError(e.status, outcome([issue('error', 'invalid', 'Requête invalide')]));
  return new FhirError(500, outcome([issue('fatal', 'exception', 'Erreur interne du serveur : la requête n\'a rien modifié. Réessayez ou contactez le support.')]));
}

/** SQLSTATE class 22 (data exception): a value the database cannot take. */
const isDatabaseValueError = (error: unknown) => /^22[0-9A-Z]{3}$/.test((error as { code?: string })?.code ?? '');
const guessedAsCallersMistake = (error: unknown) => error instanceof RangeError || isDatabaseValueError(error);

function baseUrlOf(req: Request, config: Config): string {
  if (config.baseUrl) return `${config.baseUrl}`;
  const host = req.get('host') ?? `${config.host}:${config.port}`;
  const protocol = (req.socket as { encrypted?: boolean }).encrypted ? 'https' : 'http';
  return `${protocol}://${host}/fhir`;
}

/**
 * The database, not the caller, is at fault: a statement cancelled by the timeout, a server
 * restarting or unreachable, no free connection. 503 with Retry-After: the request changed nothing.
 */
function databaseUnavailable(error: unknown): string | undefined {
  const e = error as { code?: string; name?: string } | undefined;
  const code = e?.code ?? '';
  if (code === '57014') return 'Requête trop longue, interrompue (délai maximal de la base de données) : précisez la recherche ou réessayez plus tard';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENOTFOUND', 'EPIPE', '57P01', '57P02', '57P03', '53300', '08000', '08001', '08003', '08006'].includes(code)
    || e?.name === 'KnexTimeoutError' || /Connection terminated|connection is closed|Client has encountered a connection error/i.test((error as Error)?.message ?? '')) {
    return 'Base de données momentanément indisponible : la requête n\'a rien modifié, réessayez dans quelques secondes';
  }
  return undefined;
}
