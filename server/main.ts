import pino from 'pino';
import { createApp } from './app.ts';
import { seedDemoData, startServices } from './bootstrap.ts';
import { loadConfig } from './config.ts';

const config = loadConfig();
const logger = pino({ level: config.logLevel });
const { db, store } = await startServices(config);
const where = config.databaseUrl ? `PostgreSQL (${new URL(config.databaseUrl).host})` : `PGlite embarqué (${config.dataDir}/pglite)`;
if (config.seedDemo) {
  const created = await seedDemoData(store);
  logger.info({ created }, created ? 'données de démonstration créées' : 'données de démonstration déjà présentes');
}
// Sign-in comes with the authentication module; until one is configured every FHIR call gets 401.
const app = createApp({ config, store, logger, identify: () => undefined });
const server = app.listen(config.port, config.host, () => {
  logger.info(`DCC prêt sur http://${config.host}:${config.port}/fhir (base : ${where})`);
});

async function shutdown(signal: string): Promise<void> {
  logger.info({ signal }, 'arrêt');
  server.close();
  await db.destroy(); // PGlite flushes its data folder on close
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
