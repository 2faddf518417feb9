/**
 * The DCC's HTTP application as `npm start` runs it: every JSON API, the public directories, the
 * FHIR API with its operations, the sign-in methods and the web client. start.ts serves it; the
 * tests run the same assembly (test/helpers/harness.ts), with only the caller and the clock fixed.
 */
import type { Request } from 'express';
import pino from 'pino';
import { createApp, type AppDeps } from './app.ts';
import { buildIdentify, cardSignInTracer, demoSignInRouter, pscRouter, samlRouter, type SignInDeps } from './auth/index.ts';
import type { Services } from './bootstrap.ts';
import { cityRouter } from './city/index.ts';
import type { Config, PscConfig, SamlConfig } from './config.ts';
import type { Principal } from './context.ts';
import { parisDay } from './fhir-kit/french-dates.ts';
import { deliveryRouter } from './delivery/index.ts';
import { directoriesApiRouter, publicDirectoriesRouter } from './directories/index.ts';
import { pathwayRouter } from './pathway/index.ts';
import { rcpApiRouter } from './rcp/index.ts';

export interface BuildAppOptions {
  logger?: pino.Logger;
  /** Browser sign-in methods that are configured (start.ts loads them; none by default). */
  saml?: SamlConfig;
  psc?: PscConfig;
  /** The port of the CPS mutual-TLS listener, once it listens (the sign-in page links to it). */
  cpsPort?: () => number | undefined;
  /** Serve the web client (client/dist). */
  web?: boolean;
  /** Tests: who calls, instead of sessions and certificates (the sign-in methods have their own tests). */
  identify?: (req: Request) => Principal | undefined | Promise<Principal | undefined>;
  /** Tests: the clock the workflow, the pathway and the summaries judge on. */
  clock?: () => Date;
  /** Tests: the public directories' rate limit and the refused sign-ins' window. */
  publicRateLimit?: number;
  refusedSignInWindowMs?: number;
}

export function buildApp(config: Config, services: Services, options: BuildAppOptions = {}): ReturnType<typeof createApp> {
  const { store } = services;
  const { clock, saml, psc } = options;
  const logger = options.logger ?? pino({ level: config.logLevel });
  // The calendar day the pathway and the trial inclusions are dated with: the Paris day of the clock.
  const today = clock ? () => parisDay(clock()) : undefined;
  const signIn: SignInDeps = { config, sessions: services.sessions, sessionStore: services.sessionStore, directory: services.directory, logger, store };
  const identify = options.identify ?? buildIdentify(config, services.sessions, services.directory,
    cardSignInTracer(store, config.sessionIdleMinutes * 60_000, (err) => logger.error({ err }, "échec de l'écriture de la trace de connexion par carte CPS")));
  const demo = config.demoSignIn && !config.production;
  const deps: AppDeps = {
    config, store, accessStore: services.accessStore, identify, logger,
    ...(clock ? { clock } : {}),
    apis: [
      { path: '/api/rcp', router: rcpApiRouter({ store, ...(clock ? { now: clock } : {}) }) },
      { path: '/api/deliveries', router: deliveryRouter({ store }) },
      { path: '/api/city', router: cityRouter({ store }) },
      { path: '/api/directories', router: directoriesApiRouter({ store, ...(today ? { today } : {}) }) },
      { path: '/api/pathway', router: pathwayRouter({ store, ...(today ? { today } : {}) }) },
    ],
    publicApis: [{ path: '/public/directories', router: publicDirectoriesRouter({ store, ...(options.publicRateLimit ? { publicRateLimit: options.publicRateLimit } : {}) }) }],
    auth: {
      deps: signIn,
      methods: [
        ...(saml ? [samlRouter(signIn, saml)] : []),
        ...(psc ? [pscRouter(signIn, psc)] : []),
        // Demo mode only: in production the route does not exist at all.
        ...(demo ? [demoSignInRouter(signIn)] : []),
      ],
      identify,
      available: { saml: Boolean(saml), psc: Boolean(psc), demo, cpsPort: () => (config.cpsPublicUrl ? undefined : options.cpsPort?.()) },
    },
    ...(options.web ? { web: true } : {}),
    ...(options.refusedSignInWindowMs ? { refusedSignInWindowMs: options.refusedSignInWindowMs } : {}),
  };
  return createApp(deps);
}

/**
 * Idle keep-alive connections are held longer than Node's 5 s default. The server announces its
 * timeout, and a client (a browser, undici in the tests, a reverse proxy) that sends on a socket just
 * as the server closes it gets ECONNRESET instead of an answer — seen under load, when a client's
 * timer fires late. 65 s outlasts the usual proxy idle timeout (60 s); headers still must arrive
 * within headersTimeout, which must exceed it.
 */
export function holdIdleConnections<S extends import('node:http').Server>(server: S): S {
  server.keepAliveTimeout = 65_000;
  server.headersTimeout = 66_000;
  return server;
}
