import type { Executor } from './repository.ts';

export type OutboxStatus = 'pending' | 'sent' | 'failed' | 'dead';

export interface OutboxEntry<P = unknown> {
  id: string;
  kind: string;
  payload: P;
  status: OutboxStatus;
  attempts: number;
  nextAttemptAt: string;
  createdAt: string;
  sentAt: string | null;
  lastError: string | null;
  dedupKey: string;
}

export interface NewOutboxEntry<P = unknown> {
  kind: string;
  payload: P;
  /** One message per key: enqueueing the same key again returns the existing entry. */
  dedupKey: string;
  /** Defaults to now. */
  createdAt?: Date;
  /** Not before (defaults to createdAt). */
  notBefore?: Date;
}

/**
 * The outbox table (migration 010). Takes an executor so a message is written in the caller's
 * transaction (`repo.db` inside `repo.transaction`): the change and its message commit together.
 */
export class OutboxStore {
  constructor(private readonly db: Executor) {}

  /** Idempotent on `dedupKey`. */
  async enqueue<P>(entry: NewOutboxEntry<P>): Promise<{ entry: OutboxEntry<P>; created: boolean }> {
    const createdAt = entry.createdAt ?? new Date();
    const inserted = await this.db.raw(
      `INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, created_at, dedup_key)
       VALUES (?, ?::jsonb, 'pending', 0, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING RETURNING *`,
      [entry.kind, JSON.stringify(entry.payload), (entry.notBefore ?? createdAt).toISOString(), createdAt.toISOString(), entry.dedupKey],
    );
    if (inserted.rows[0]) return { entry: toEntry<P>(inserted.rows[0]), created: true };
    const existing = await this.db('outbox').where({ dedup_key: entry.dedupKey }).first();
    return { entry: toEntry<P>(existing), created: false };
  }

  /**
   * Due messages, locked for the caller's transaction and skipped by concurrent drainers
   * (`FOR UPDATE SKIP LOCKED`): call inside a transaction and mark each one before it ends.
   */
  async claimDue(options: { limit: number; now?: Date; kinds?: string[] }): Promise<OutboxEntry[]> {
    const rows = await this.db('outbox')
      .whereIn('status', ['pending', 'failed'])
      .where('next_attempt_at', '<=', (options.now ?? new Date()).toISOString())
      .modify((q) => {
        if (options.kinds?.length) q.whereIn('kind', options.kinds);
      })
      .orderBy([{ column: 'next_attempt_at' }, { column: 'id' }])
      .limit(options.limit)
      .forUpdate()
      .skipLocked()
      .select('*');
    return rows.map((r: any) => toEntry(r));
  }

  async markSent(id: string, at: Date = new Date()): Promise<void> {
    await this.db('outbox').where({ id }).update({ status: 'sent', sent_at: at.toISOString(), last_error: null, attempts: this.db.raw('attempts + 1') });
  }

  /**
   * A failed attempt: retried after an exponential backoff (1 min, 2, 4… capped at 6 h), or `dead`
   * after `maxAttempts` so a human looks at it.
   */
  async markFailed(id: string, error: string, options: { now?: Date; maxAttempts?: number } = {}): Promise<OutboxStatus> {
    const now = options.now ?? new Date();
    const row = await this.db('outbox').where({ id }).first('attempts');
    if (!row) return 'dead';
    const attempts = Number(row.attempts) + 1;
    const status: OutboxStatus = attempts >= (options.maxAttempts ?? 10) ? 'dead' : 'failed';
    const delayMs = Math.min(60_000 * 2 ** (attempts - 1), 6 * 3_600_000);
    await this.db('outbox').where({ id }).update({
      status, attempts, last_error: error.slice(0, 2000), next_attempt_at: new Date(now.getTime() + delayMs).toISOString(),
    });
    return status;
  }

  async findByDedupKeys<P = unknown>(keys: string[]): Promise<OutboxEntry<P>[]> {
    if (!keys.length) return [];
    const out: OutboxEntry<P>[] = [];
    for (let i = 0; i < keys.length; i += 1000) {
      const rows = await this.db('outbox').whereIn('dedup_key', keys.slice(i, i + 1000)).select('*');
      out.push(...rows.map((r: any) => toEntry<P>(r)));
    }
    return out;
  }

  async list<P = unknown>(options: { kind?: string; status?: OutboxStatus; limit?: number } = {}): Promise<OutboxEntry<P>[]> {
    const rows = await this.db('outbox')
      .modify((q) => {
        if (options.kind) q.where('kind', options.kind);
        if (options.status) q.where('status', options.status);
      })
      .orderBy('id')
      .limit(options.limit ?? 100)
      .select('*');
    return rows.map((r: any) => toEntry<P>(r));
  }
}

function toEntry<P>(row: any): OutboxEntry<P> {
  const iso = (v: unknown) => (v ? new Date(v as string).toISOString() : null);
  return {
    id: String(row.id),
    kind: row.kind,
    payload: (typeof row.payload === 'string' ? JSON.parse(row.payload) : row.payload) as P,
    status: row.status,
    attempts: Number(row.attempts),
    nextAttemptAt: iso(row.next_attempt_at)!,
    createdAt: iso(row.created_at)!,
    sentAt: iso(row.sent_at),
    lastError: row.last_error ?? null,
    dedupKey: row.dedup_key,
  };
}
