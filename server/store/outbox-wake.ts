import pg from 'pg';
import type { PGlite } from '@electric-sql/pglite';
import { isPgLite, type Database } from './database.ts';
import { OUTBOX_CHANNEL_SQL } from './outbox-store.ts';

/**
 * Wakes the outbox drainers as soon as a message commits, instead of at their next poll (a mail
 * used to leave 10–15 s after the signature). The insert notifies (pg_notify, delivered by the
 * database only if and when the transaction commits); each drainer LISTENs. The channel is per
 * schema: tests and side-by-side deployments in their own schemas do not wake each other.
 * The poll stays as the fallback: a notification lost while a listener reconnects is drained by it.
 */


export interface OutboxListener {
  /** Resolves once the first LISTEN is in place. */
  ready: Promise<void>;
  close(): Promise<void>;
}

interface Log { warn: (obj: object, msg?: string) => void; info?: (obj: object, msg?: string) => void }

/** Calls `onWake` on each outbox notification, and once each time listening (re)starts. */
export function listenForOutbox(db: Database, onWake: () => void, log?: Log): OutboxListener {
  return isPgLite(db) ? listenOnPgLite(db, onWake) : listenOnPostgres(db, onWake, log);
}

async function channelOf(db: Database): Promise<string> {
  return String((await db.raw(`SELECT ${OUTBOX_CHANNEL_SQL} AS channel`)).rows[0].channel);
}

/** PGlite is one in-process connection: its notifications come back to it (PGlite.listen). */
function listenOnPgLite(db: Database, onWake: () => void): OutboxListener {
  let unlisten: (() => Promise<void>) | undefined;
  let closed = false;
  const ready = (async () => {
    const channel = await channelOf(db); // also opens the connection, so the PGlite instance exists
    const pglite = (db.client as unknown as { pglite: PGlite }).pglite;
    const stop = await pglite.listen(channel, () => onWake());
    if (closed) await stop();
    else unlisten = stop;
  })();
  return {
    ready,
    close: async () => {
      closed = true;
      await ready.catch(() => undefined);
      await unlisten?.().catch(() => undefined);
    },
  };
}

/**
 * PostgreSQL: a dedicated connection outside the pool (a pooled one would be handed to queries),
 * reconnected with a growing delay when it drops; the drainer runs a round on each (re)connection
 * for whatever committed meanwhile.
 */
function listenOnPostgres(db: Database, onWake: () => void, log?: Log): OutboxListener {
  const config = db.client.config as { connection: string | pg.ClientConfig; searchPath?: string | string[] };
  let client: pg.Client | undefined;
  let closed = false;
  let retryTimer: NodeJS.Timeout | undefined;
  let delayMs = 500;
  let firstReady: () => void;
  const ready = new Promise<void>((resolve) => { firstReady = resolve; });

  const connect = async (): Promise<void> => {
    if (closed) return;
    const c = new pg.Client(typeof config.connection === 'string' ? { connectionString: config.connection } : config.connection);
    client = c;
    let dropped = false;
    const reconnect = (err?: unknown) => {
      if (dropped || closed) return;
      dropped = true;
      log?.warn({ err }, `outbox : écoute des notifications interrompue, reprise dans ${delayMs} ms (relève périodique en attendant)`);
      void c.end().catch(() => undefined);
      retryTimer = setTimeout(() => { void connect(); }, delayMs);
      retryTimer.unref();
      delayMs = Math.min(delayMs * 2, 30_000);
    };
    c.on('error', reconnect);
    c.on('end', () => reconnect());
    c.on('notification', () => onWake());
    try {
      await c.connect();
      const schema = [config.searchPath ?? []].flat()[0];
      if (schema) await c.query(`SET search_path TO ${c.escapeIdentifier(schema)}`);
      const channel = String((await c.query(`SELECT ${OUTBOX_CHANNEL_SQL} AS channel`)).rows[0].channel);
      await c.query(`LISTEN ${c.escapeIdentifier(channel)}`);
      if (closed) return void (await c.end().catch(() => undefined));
      delayMs = 500;
      firstReady();
      onWake();
    } catch (err) {
      reconnect(err);
    }
  };
  void connect();
  return {
    ready,
    close: async () => {
      closed = true;
      if (retryTimer) clearTimeout(retryTimer);
      await client?.end().catch(() => undefined);
    },
  };
}
