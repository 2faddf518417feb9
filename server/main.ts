import cluster from 'node:cluster';
import v8 from 'node:v8';
import { loadConfig } from './config.ts';
import { DEMO_WRITTEN, SEEDING_WORKER_ID, superviseWorkers, WORKER_READY } from './cluster.ts';
import type { RunningDcc } from './start.ts';

// A full collection once the old generation has grown by half of what survived the last one. V8's
// default lets it grow up to fourfold when the heap limit is 2 GB or more (Node sets it from the
// machine's memory): with ~55 MB live, an app process under load went past 400 MB resident, mostly
// garbage (issue 16: < 300 MB). Read by V8 at each collection, so set here rather than on each
// command line that starts this file (npm start, cluster workers, benches, tests). At a high
// allocation rate V8 still let the heap grow past 400 MB, so `npm start` also caps the old generation
// (--max-old-space-size, which only a command line can set: see heap.ts).
v8.setFlagsFromString('--heap-growing-percent=50');

// `npm start`: the whole service (see start.ts). A start-up fault prints one clear line, not a stack.
const config = loadConfig();
if (config.workersNote && cluster.isPrimary) console.warn(config.workersNote);

if (config.workers > 1 && cluster.isPrimary) {
  // DCC_WORKERS=N on PostgreSQL: this process only supervises N app processes (see cluster.ts).
  try {
    await superviseWorkers(config);
  } catch (error) {
    console.error(`Démarrage impossible : ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
} else {
  // Imported here, not above: the supervising primary loads none of the application (~35 MB of heap).
  const { startDcc } = await import('./start.ts');
  let dcc: RunningDcc;
  // Under DCC_WORKERS, the demo data is written by the first worker alone (see cluster.ts).
  const seeds = !cluster.isWorker || cluster.worker!.id === SEEDING_WORKER_ID;
  try {
    dcc = await startDcc(seeds ? config : { ...config, seedDemo: false });
  } catch (error) {
    console.error(`Démarrage impossible : ${error instanceof Error ? error.message : String(error)}`);
    process.exit(1);
  }
  if (cluster.isWorker) {
    process.send?.(WORKER_READY);
    void dcc.demoActivity.then(() => process.send?.(DEMO_WRITTEN));
  }

  let closing = false;
  const shutdown = async (signal: string): Promise<void> => {
    // Ctrl-C reaches a cluster worker twice (from the terminal and from the primary): close once.
    if (closing) return;
    closing = true;
    console.info(`arrêt (${signal})`);
    await dcc.close();
    process.exit(0);
  };
  process.on('SIGINT', () => void shutdown('SIGINT'));
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
}
