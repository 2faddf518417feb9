import fs from 'node:fs';
import http from 'node:http';
import https from 'node:https';
import pino from 'pino';
import { createApp } from './app.ts';
import { ensureDemoPki } from './auth/demo-pki.ts';
import { buildIdentify } from './auth/identify.ts';
import { seedDemoData, startServices } from './bootstrap.ts';
import { loadConfig } from './config.ts';
import { buildDemoBundle } from './seed/demo-data.ts';
import { loadPscConfig, pscRouter } from './auth/psc.ts';
import { loadSamlConfig, samlRouter } from './auth/saml.ts';
import { carePlanRouter, seedDemoCarePlans } from './care-plan/index.ts';
import { rcpSheetRouter, seedDemoRcpSheets } from './rcp-sheet/index.ts';
import { rcpApiRouter } from './rcp/index.ts';
import { patientRecordRouter } from './record/routes.ts';
import { seedDemoRcp } from './seed/demo-rcp.ts';
import { startDemoMailbox, type DemoMailbox } from './delivery/demo-mailbox.ts';
import { FhirPushClient } from './delivery/fhir-push.ts';
import { MailSender, type MailConfig } from './delivery/mail.ts';
import { deliveryRouter } from './delivery/routes.ts';
import { cityRouter } from './city/index.ts';
import { summaryRouter } from './summary/index.ts';
import { DeliveryWorker } from './delivery/worker.ts';

const config = loadConfig();
const psc = loadPscConfig(); // throws when half-configured, or http in production
const saml = loadSamlConfig(process.env); // likewise
const logger = pino({ level: config.logLevel });
if (config.production && config.demoPki) throw new Error('DCC_DEMO_PKI est interdit avec NODE_ENV=production');
const services = await startServices(config);
const { db, store } = services;
const where = config.databaseUrl ? `PostgreSQL (${new URL(config.databaseUrl).host})` : `PGlite embarqué (${config.dataDir}/pglite)`;
if (config.seedDemo) {
  const created = await seedDemoData(store);
  await seedDemoRcpSheets(store); // a signed report, a sheet awaiting signature, an incomplete draft
  await seedDemoCarePlans(store); // PPS / PPAC from the signed decisions
  await seedDemoRcp(store); // boards, past and upcoming sessions, cases in every state (first start ~20 s)
  logger.info({ created }, created ? 'données de démonstration créées' : 'données de démonstration déjà présentes');
}

let tls = config.tlsCertFile && config.tlsKeyFile && config.cpsCaFile
  ? { cert: config.tlsCertFile, key: config.tlsKeyFile, ca: config.cpsCaFile }
  : undefined;
if (!tls && config.demoPki) {
  const pki = await ensureDemoPki(config.dataDir, buildDemoBundle(), config.production);
  tls = { cert: pki.certFile, key: pki.keyFile, ca: pki.caFile };
  logger.info({ folder: pki.folder, users: pki.users.map((u) => `${u.title} ${u.name}: ${u.file}`) }, 'certificats CPS de démonstration');
}

const signIn = { config, sessions: services.sessions, sessionStore: services.sessionStore, directory: services.directory, logger, store };
const fhirExtensions = [
  rcpSheetRouter(store, { maxBody: config.maxBodySize, defaultCount: config.defaultPageSize, maxCount: config.maxPageSize }),
  carePlanRouter({ store, maxBodySize: config.maxBodySize }),
  patientRecordRouter(store),
  summaryRouter({ store }),
];
const apis = [
  { path: '/api/rcp', router: rcpApiRouter({ store, maxBodySize: config.maxBodySize }) },
  { path: '/api/deliveries', router: deliveryRouter({ store }) },
  { path: '/api/city', router: cityRouter({ store }) },
];
const app = createApp({ config, store, accessStore: services.accessStore, logger, fhirExtensions, apis, identify: buildIdentify(config, services.sessions, services.directory), auth: { deps: signIn, methods: [...(saml ? [samlRouter(signIn, saml)] : []), ...(psc ? [pscRouter(signIn, psc)] : [])] } });
if (saml) logger.info({ entityId: saml.spEntityId, acs: saml.callbackUrl }, 'SAML activé : GET /auth/saml/login, métadonnées GET /auth/saml/metadata');
if (psc) logger.info({ issuer: psc.issuer.href, redirectUri: psc.redirectUri.href }, 'Pro Santé Connect activé : GET /auth/psc/login');
const servers: (http.Server | https.Server)[] = [];
servers.push(http.createServer(app).listen(config.port, config.host, () => {
  logger.info(`DCC prêt sur http://${config.host}:${config.port}/fhir (base : ${where}) — /fhir/metadata et /health sans authentification`);
}));
if (tls) {
  // Mutual TLS: a client certificate is asked for but not required at the handshake, so a missing
  // or refused card gets a readable 401 OperationOutcome instead of a TLS alert.
  const options = { cert: fs.readFileSync(tls.cert), key: fs.readFileSync(tls.key), ca: fs.readFileSync(tls.ca), requestCert: true, rejectUnauthorized: false, minVersion: 'TLSv1.2' as const };
  servers.push(https.createServer(options, app).listen(config.tlsPort, config.host, () => {
    logger.info(`Accès par carte CPS (TLS mutuel) : https://${config.host}:${config.tlsPort}/fhir`);
  }));
}

// Sharing with the city: the outbox drained by this server (others may drain it too).
let mailConfig: MailConfig | undefined = config.mail;
let demoMailbox: DemoMailbox | undefined;
if (!mailConfig && config.demoMailboxPort) {
  try {
    demoMailbox = await startDemoMailbox({ port: config.demoMailboxPort, dir: `${config.dataDir}/demo-mailbox` });
    mailConfig = {
      host: '127.0.0.1', port: demoMailbox.port, secure: false, requireTls: false, rejectUnauthorized: true,
      from: 'DCC démo <dcc@dcc-demo.mssante.fr>', messageIdDomain: 'dcc-demo.mssante.fr', publicBaseUrl: config.baseUrl ?? `http://${config.host}:${config.port}`,
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
    fhirBaseUrl: `${config.baseUrl ?? `http://${config.host}:${config.port}`}/fhir`,
    sender: config.sender.phone || !config.seedDemo ? config.sender : { ...config.sender, phone: '04 65 71 10 50' },
    ...(mailSender && mailConfig ? { mail: { sender: mailSender, config: mailConfig } } : {}),
    ...(config.push ? { push: { client: new FhirPushClient(config.push), endpoint: config.push.baseUrl } } : {}),
  })
  : undefined;
if (worker) {
  worker.start();
  void worker.drainOnce().catch((err) => logger.warn({ err }, 'outbox: first round failed'));
}

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'arrêt');
  for (const server of servers) server.close();
  await worker?.stop();
  mailSender?.close();
  await demoMailbox?.close();
  await db.destroy(); // PGlite flushes its data folder on close
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
