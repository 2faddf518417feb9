import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import type { AddressInfo } from 'node:net';
import pino from 'pino';
import { buildApp, holdIdleConnections } from './build-app.ts';
import { type DemoPki, ensureDemoPki } from './auth/index.ts';
import { seedDemoData, startServices, type Services } from './bootstrap.ts';
import { loadSignInMethods, type Config } from './config.ts';
import { buildDemoBundle, seedDemoRcp, seedDemoRcpSheets } from './seed/index.ts';
import { seedDemoCarePlans } from './care-plan/index.ts';
import { DeliveryWorker, type DemoMailbox, FhirPushClient, MailSender, startDemoMailbox } from './delivery/index.ts';
import { type MailConfig } from './config.ts';
import { ensureClientBuilt } from './web/index.ts';
import { lockDataDir, preflight, StartupError, type DataLock } from './start-checks.ts';
import { isPgLite, refreshPlannerStatistics } from './store/database.ts';

export interface StartOptions {
  /** PostgreSQL schema to use (tests); the database's default schema otherwise. */
  schema?: string;
  logger?: pino.Logger;
  /** Environment the optional sign-in methods (SAML, PSC) are read from (default: config.ts's signInEnvironment()). */
  env?: NodeJS.ProcessEnv;
  /** Build the web client first when its sources are newer than client/dist (default: yes). */
  buildClient?: boolean;
}

/** A running DCC: what main.ts prints and what the browser tests drive. */
export interface RunningDcc {
  config: Config;
  services: Services;
  /** http://host:port (the actual port when config.port is 0). */
  url: string;
  /** https://host:port of the CPS mutual-TLS listener, when TLS is on. */
  tlsUrl?: string;
  /** Demo CA and CPS-like certificates, when the demo PKI is on. */
  pki?: DemoPki;
  /**
   * Resolves once the demo activity (RCP boards, sessions, cases, sheets, PPS / PPAC) is written.
   * The service listens before: pages are usable while the demo history is filled in. Never rejects
   * (a seed step that no longer applies is logged). Resolved at once when no demo data is seeded.
   */
  demoActivity: Promise<void>;
  /** Waits for the demo activity, then closes the listeners, the worker and the database. */
  close: () => Promise<void>;
}

/**
 * Starts the whole service as `npm start` does: database and migrations, demo data, sign-in
 * methods, HTTP and mutual-TLS listeners, the web client, the demo mailbox and the outbox worker.
 * Throws (one clear message) on a configuration fault.
 */
export async function startDcc(config: Config, options: StartOptions = {}): Promise<RunningDcc> {
  // Ports, files, URLs and the embedded database's lock are checked before the database is opened.
  await preflight(config);
  const lock = config.databaseUrl || config.dataDir === ':memory:' ? undefined : lockDataDir(config.dataDir);
  try {
    return await startLocked(config, options, lock);
  } catch (error) {
    lock?.release();
    throw databaseFault(error, config) ?? error;
  }
}

/** An unreachable or refusing database, said in one line with what to check. */
function databaseFault(error: unknown, config: Config): StartupError | undefined {
  const code = (error as { code?: string })?.code ?? '';
  const where = config.databaseUrl ? `PostgreSQL ${safeHost(config.databaseUrl)}` : `la base embarquée de ${config.dataDir}`;
  if (['ECONNREFUSED', 'ENOTFOUND', 'EAI_AGAIN', 'ETIMEDOUT', 'EHOSTUNREACH', 'ECONNRESET'].includes(code)) return new StartupError(`${where} injoignable (${code}) : vérifiez DATABASE_URL et que le serveur PostgreSQL tourne`);
  if (code === '28P01' || code === '28000') return new StartupError(`${where} refuse la connexion (authentification) : vérifiez l'utilisateur et le mot de passe de DATABASE_URL`);
  if (code === '3D000') return new StartupError(`${where} : la base nommée dans DATABASE_URL n'existe pas (créez-la : createdb)`);
  if (error instanceof Error && error.name === 'RuntimeError') return new StartupError(`${where} ne s'ouvre pas (${error.message}) : restaurez la sauvegarde de DCC_DATA_DIR`);
  return undefined;
}

function safeHost(url: string): string {
  try {
    return new URL(url).host;
  } catch {
    return '(DATABASE_URL)';
  }
}

async function startLocked(config: Config, options: StartOptions, lock: DataLock | undefined): Promise<RunningDcc> {
  const { psc, saml } = loadSignInMethods(options.env); // throws when half-configured, or http in production
  const logger = options.logger ?? bufferedLogger(config.logLevel);
  if (config.production && config.demoPki) throw new Error('DCC_DEMO_PKI est interdit avec NODE_ENV=production');
  if (config.production && config.demoSignIn) throw new Error('DCC_DEMO_SIGN_IN est interdit avec NODE_ENV=production');
  if (options.buildClient !== false) await ensureClientBuilt({ logger });
  const services = await startServices(config, { schema: options.schema });
  const { db, store } = services;
  const where = config.databaseUrl ? `PostgreSQL (${new URL(config.databaseUrl).host})` : `PGlite embarqué (${config.dataDir}/pglite)`;
  // The demo PKI needs no database: its keys are generated while the demo data is written.
  const demoPki = !(config.tlsCertFile && config.tlsKeyFile && config.cpsCaFile) && config.demoPki
    ? ensureDemoPki(config.dataDir, buildDemoBundle(), config.production)
    : undefined;
  demoPki?.catch(() => undefined); // awaited below; a fault is reported there, not as an unhandled rejection
  // Demo data never keeps the service from starting: after ordinary use (demo patients deleted,
  // boards changed) a seed step may no longer apply; the service starts with what is there.
  const demoFault = (error: unknown) => logger.warn(`données de démonstration incomplètes (${error instanceof Error ? error.message : String(error)}) : le service démarre avec les données présentes`);
  // The directory and the patients before listening: a newcomer signs in and finds the patients.
  let demoCreated = 0;
  let demoReady = config.seedDemo;
  const demoNow = new Date();
  if (config.seedDemo) {
    try {
      demoCreated = await seedDemoData(store, { now: demoNow });
    } catch (error) {
      demoReady = false;
      demoFault(error);
    }
  }

  let tls = config.tlsCertFile && config.tlsKeyFile && config.cpsCaFile
    ? { cert: config.tlsCertFile, key: config.tlsKeyFile, ca: config.cpsCaFile }
    : undefined;
  let pki: DemoPki | undefined;
  if (!tls && demoPki) {
    pki = await demoPki;
    tls = { cert: pki.certFile, key: pki.keyFile, ca: pki.caFile };
    logger.info({ folder: pki.folder, users: pki.users.map((u) => `${u.title} ${u.name}: ${u.file}`) }, 'certificats CPS de démonstration');
  }

  // The CPS sign-in link the client shows: known once the TLS listener has its port.
  const listening: { tlsPort?: number } = {};
  const app = buildApp(config, services, { logger, ...(saml ? { saml } : {}), ...(psc ? { psc } : {}), cpsPort: () => listening.tlsPort, web: true });
  if (saml) logger.info({ entityId: saml.spEntityId, acs: saml.callbackUrl }, 'SAML activé : GET /auth/saml/login, métadonnées GET /auth/saml/metadata');
  if (psc) logger.info({ issuer: psc.issuer.href, redirectUri: psc.redirectUri.href }, 'Pro Santé Connect activé : GET /auth/psc/login');

  const servers: (http.Server | https.Server)[] = [];
  const httpServer = await listen(http.createServer(app), config.port, config.host);
  servers.push(httpServer);
  const url = `http://${config.host}:${(httpServer.address() as AddressInfo).port}`;
  logger.info(`DCC prêt sur ${url}/ (application web) et ${url}/fhir (base : ${where}) — /fhir/metadata et /health sans authentification`);
  let tlsUrl: string | undefined;
  if (tls) {
    // Mutual TLS: a client certificate is asked for but not required at the handshake, so a missing
    // or refused card gets a readable 401 OperationOutcome instead of a TLS alert.
    const tlsOptions = { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key), ca: fs.readFileSync(tls.ca), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' as const };
    const tlsServer = await listen(https.createServer(tlsOptions, app), config.tlsPort, config.host);
    servers.push(tlsServer);
    listening.tlsPort = (tlsServer.address() as AddressInfo).port;
    tlsUrl = `https://${config.host}:${listening.tlsPort}`;
    logger.info(`Accès par carte CPS (TLS mutuel) : ${tlsUrl}/ (application web) et ${tlsUrl}/fhir`);
  }

  // Sharing with the city: the outbox drained by this server (others may drain it too).
  let mailConfig: MailConfig | undefined = config.mail;
  let demoMailbox: DemoMailbox | undefined;
  if (!mailConfig && config.demoMailboxPort !== undefined) {
    try {
      demoMailbox = await startDemoMailbox({ port: config.demoMailboxPort, dir: `${config.dataDir}/demo-mailbox` });
      mailConfig = {
        host: '127.0.0.1', port: demoMailbox.port, secure: false, requireTls: false, rejectUnauthorized: true,
        from: 'DCC démo <dcc@dcc-demo.mssante.fr>', messageIdDomain: 'dcc-demo.mssante.fr', publicBaseUrl: config.baseUrl ?? url,
      };
      logger.info({ port: demoMailbox.port, folder: `${config.dataDir}/demo-mailbox` }, 'messagerie de démonstration : les messages sécurisés y arrivent (fichiers .eml)');
    } catch (err) {
      logger.warn({ err }, 'messagerie de démonstration indisponible : aucun message ne sera envoyé');
    }
  }
  const mailSender = mailConfig ? new MailSender(mailConfig) : undefined;
  const worker = config.deliveryWorker
    ? new DeliveryWorker({
      store, log: logger, intervalMs: config.deliveryIntervalMs,
      fhirBaseUrl: `${config.baseUrl ?? url}/fhir`,
      sender: config.sender,
      ...(mailSender && mailConfig ? { mail: { sender: mailSender, config: mailConfig } } : {}),
      ...(config.push ? { push: { client: new FhirPushClient(config.push), endpoint: config.push.baseUrl } } : {}),
      ...(config.dmpPush ? { dmp: { config: config.dmpPush } } : {}),
    })
    : undefined;
  // The demo activity, after listening (most of a first start: every RCP step goes through the
  // workflow, traced). The worker starts after it: the seed dates the sending of some demo reports
  // itself, which a worker draining the outbox meanwhile would do first, at today's date.
  const demoActivity = (async () => {
    if (demoReady) {
      logger.info('activité de démonstration en cours d\'écriture (RCP, fiches, PPS / PPAC) : les pages se complètent');
      try {
        // One clock for the whole demo story (the clinical dates are moved to it: seed/demo-clock.ts).
        const now = demoNow;
        await seedDemoRcpSheets(store, { now }); // the stories' first sheets, drafts that seedDemoRcp registers, discusses and signs
        await seedDemoRcp(store, { now }); // boards, past and upcoming sessions, cases in every state
        // PPS / PPAC from the decisions in force: after the RCP data, so that the first start
        // already has both (a PPS with an oral treatment, and a PPAC with its surveillance calendar).
        await seedDemoCarePlans(store, { now });
        // Statistics for the data just written (PGlite never gathers them; PostgreSQL's autovacuum does).
        if (isPgLite(db)) await refreshPlannerStatistics(db);
        logger.info({ created: demoCreated }, demoCreated ? 'données de démonstration créées' : 'données de démonstration déjà présentes');
      } catch (error) {
        demoFault(error);
      }
    } else if (isPgLite(db)) {
      await refreshPlannerStatistics(db).catch((err) => logger.warn({ err }, 'ANALYZE impossible'));
    }
    if (worker) {
      worker.start();
      void worker.drainOnce().catch((err) => logger.warn({ err }, 'outbox: first round failed'));
    }
  })();

  return {
    config, services, url, ...(tlsUrl ? { tlsUrl } : {}), ...(pki ? { pki } : {}), demoActivity,
    close: async () => {
      // The seed writes through the database closed below: let its current run finish first.
      await demoActivity;
      await Promise.all(servers.map((server) => new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      })));
      await worker?.stop();
      mailSender?.close();
      await demoMailbox?.close();
      await db.destroy(); // PGlite flushes its data folder on close
      lock?.release();
    },
  };
}

/**
 * The service's log on stdout, one JSON line per request: written in blocks of 4 KiB, and at least
 * every 250 ms, instead of one write(2) per line (pino flushes what is left when the process exits).
 */
function bufferedLogger(level: string): pino.Logger {
  const destination = pino.destination({ dest: 1, minLength: 4096, sync: false });
  setInterval(() => destination.flush(), 250).unref();
  return pino({ level }, destination);
}

function listen<S extends http.Server | https.Server>(server: S, port: number, host: string): Promise<S> {
  holdIdleConnections(server);
  return new Promise((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve(server);
    });
  });
}
