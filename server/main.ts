import { loadConfig } from './config.ts';
import { startDcc, type RunningDcc } from './start.ts';

// `npm start`: the whole service (see start.ts). A start-up fault prints one clear line, not a stack.
let dcc: RunningDcc;
try {
  dcc = await startDcc(loadConfig());
} catch (error) {
  console.error(`Démarrage impossible : ${error instanceof Error ? error.message : String(error)}`);
  process.exit(1);
}

async function shutdown(signal: string): Promise<void> {
  console.info(`arrêt (${signal})`);
  await dcc.close();
  process.exit(0);
}
process.on('SIGINT', () => void shutdown('SIGINT'));
process.on('SIGTERM', () => void shutdown('SIGTERM'));
