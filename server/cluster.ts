import cluster, { type Worker } from 'node:cluster';
import pino from 'pino';
import type { Config } from './config.ts';

/** Message a worker sends the primary once its listeners are up (see main.ts). */
export const WORKER_READY = 'dcc:ready';
/** Message a worker sends once its demo activity is written (at once when it seeds nothing). */
export const DEMO_WRITTEN = 'dcc:demo-written';
/** node:cluster numbers workers from 1: the first one forked is the only one that seeds the demo data. */
export const SEEDING_WORKER_ID = 1;
/** A worker dying this often (within RESTART_WINDOW_MS) is a fault to fix, not to restart forever. */
const MAX_RESTARTS = 5;
const RESTART_WINDOW_MS = 60_000;

/**
 * DCC_WORKERS=N on PostgreSQL: this (primary) process serves nothing itself; it forks N app
 * processes that share the HTTP and mutual-TLS ports (node:cluster hands connections out in turn).
 * They need nothing from each other: sessions, login state and outbox leases are in the database.
 *
 * The first worker starts alone (migrations, demo data, demo certificates) and the others once its
 * demo activity is written, so they find that work done instead of racing for the migration lock
 * or writing the demo history a second time (its idempotence checks are not atomic: two processes
 * seeding together each create the boards they do not see yet). Only that first worker seeds;
 * meanwhile it serves alone. A worker that
 * fails before it ever served stops the whole service (its error is the operator's to read); one
 * that dies later is replaced.
 */
export async function superviseWorkers(config: Config): Promise<void> {
  const logger = pino({ level: config.logLevel });
  let stopping = false;
  const restarts: number[] = [];

  const fork = (until: string = WORKER_READY) => new Promise<Worker>((resolve, reject) => {
    const worker = cluster.fork();
    const onExit = (code: number | null) => reject(new Error(`le processus ${worker.process.pid} s'est arrêté au démarrage (code ${code})`));
    worker.once('exit', onExit);
    worker.on('message', (message: unknown) => {
      if (message !== until) return;
      worker.off('exit', onExit);
      resolve(worker);
    });
  });

  // Stop signals are handled from the start: a SIGTERM during start-up (the demo data takes a
  // while) stops the workers already forked instead of killing this process and orphaning them.
  const stop = async (exitCode: number) => {
    if (stopping) return;
    stopping = true;
    const workers = Object.values(cluster.workers ?? {}).filter((w): w is Worker => Boolean(w) && !w!.isDead());
    await Promise.all(workers.map((w) => new Promise<void>((resolve) => {
      w.once('exit', () => resolve());
      w.kill('SIGTERM');
    })));
    process.exit(exitCode);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    await fork(DEMO_WRITTEN); // alone first: migrations, demo data and its activity
    await Promise.all(Array.from({ length: config.workers - 1 }, () => fork()));
  } catch (error) {
    if (stopping) return; // stopped by a signal during start-up: stop() ends the workers and the process
    stopping = true;
    for (const worker of Object.values(cluster.workers ?? {})) worker?.kill('SIGTERM');
    throw error;
  }
  logger.info({ workers: config.workers, pids: Object.values(cluster.workers ?? {}).map((w) => w?.process.pid) }, `${config.workers} processus applicatifs sur PostgreSQL`);

  cluster.on('exit', (worker, code, signal) => {
    if (stopping) return;
    const now = Date.now();
    restarts.push(now);
    while (restarts.length && now - restarts[0]! > RESTART_WINDOW_MS) restarts.shift();
    if (restarts.length > MAX_RESTARTS) {
      logger.error(`${restarts.length} arrêts de processus en une minute : le service s'arrête (voir les erreurs ci-dessus)`);
      void stop(1);
      return;
    }
    logger.warn({ pid: worker.process.pid, code, signal }, 'processus applicatif arrêté : remplacé');
    fork().catch((error) => logger.error({ err: error }, 'remplacement impossible'));
  });

}
