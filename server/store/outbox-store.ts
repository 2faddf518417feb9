import type { Executor } from './repository.ts';

/**
 * The channel an outbox write notifies (outbox-wake.ts), computed by the database from the
 * connection's schema so that writers and listeners agree, one channel per schema.
 */
export const OUTBOX_CHANNEL_SQL = `'dcc_outbox_' || current_schema()`;

export type OutboxStatus = 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'withheld';

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
  /** What is delivered (e.g. `Composition/1/_history/3`): a report's deliveries are found by it. */
  topic: string | null;
  /** The event entry this delivery was fanned out from. */
  parentId: string | null;
  /** `Practitioner/…` for a mail, the endpoint for a push. */
  recipient: string | null;
  patientId: string | null;
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
  topic?: string;
  parentId?: string;
  recipient?: string;
  patientId?: string;
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
    // The notification goes out when the caller's transaction commits, not before (outbox-wake.ts).
    const inserted = await this.db.raw(
      `WITH ins AS (INSERT INTO outbox (kind, payload, status, attempts, next_attempt_at, created_at, dedup_key, topic, parent_id, recipient, patient_id)
         VALUES (?, ?::jsonb, 'pending', 0, ?, ?, ?, ?, ?, ?, ?) ON CONFLICT (dedup_key) DO NOTHING RETURNING *)
       SELECT ins.* FROM ins CROSS JOIN LATERAL (SELECT pg_notify(${OUTBOX_CHANNEL_SQL}, ins.kind)) AS woken`,
      [entry.kind, JSON.stringify(entry.payload), (entry.notBefore ?? createdAt).toISOString(), createdAt.toISOString(), entry.dedupKey,
        entry.topic ?? null, entry.parentId ?? null, entry.recipient ?? null, entry.patientId ?? null],
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
      // A `sending` row whose lease has run out belongs to a drainer that died mid-send.
      .whereIn('status', ['pending', 'failed', 'sending'])
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

  /**
   * Claims due messages for one attempt, in a short transaction of its own: each becomes `sending`
   * with its attempt counted and a lease (`next_attempt_at` = now + leaseMs). The send happens
   * outside any transaction; if this drainer dies before markSent/markFailed, the message is due
   * again when the lease ends, and that attempt has been counted (so a message that kills its
   * drainer ends dead, not in a loop).
   */
  async lease(options: { limit: number; now?: Date; kinds?: string[]; leaseMs?: number }): Promise<OutboxEntry[]> {
    const now = options.now ?? new Date();
    const until = new Date(now.getTime() + (options.leaseMs ?? 5 * 60_000)).toISOString();
    const run = async (trx: Executor) => {
      const due = await new OutboxStore(trx).claimDue({ limit: options.limit, now, ...(options.kinds ? { kinds: options.kinds } : {}) });
      if (!due.length) return [];
      const rows = await trx('outbox').whereIn('id', due.map((e) => e.id))
        .update({ status: 'sending', attempts: trx.raw('attempts + 1'), next_attempt_at: until }).returning('*');
      const byId = new Map(rows.map((r: any) => [String(r.id), toEntry(r)]));
      return due.map((e) => byId.get(e.id)!);
    };
    return this.db.transaction(run);
  }

  /**
   * Marks a message sent. `lease`: the entry as this drainer leased it: the update only applies
   * while that lease is still this drainer's (same attempt, still `sending`); false when another
   * drainer took the message over after the lease ran out.
   */
  async markSent(id: string, at: Date = new Date(), lease?: OutboxEntry): Promise<boolean> {
    const n = await this.db('outbox').where({ id })
      .modify((q) => { if (lease) q.where({ status: 'sending', attempts: lease.attempts }); })
      .update({
        status: 'sent', sent_at: at.toISOString(), last_error: null,
        // A leased entry's attempt was counted when it was claimed.
        attempts: this.db.raw(`CASE WHEN status = 'sending' THEN attempts ELSE attempts + 1 END`),
      });
    return Number(n) > 0;
  }

  /** Not sent, on purpose (the patient's objection or choice): kept with its reason for the 3C. */
  async markWithheld(id: string, reason: string, at: Date = new Date()): Promise<void> {
    await this.db('outbox').where({ id }).update({ status: 'withheld', last_error: reason.slice(0, 2000), sent_at: at.toISOString() });
  }

  /** A message handled without sending anything itself (an event fanned out), with an optional note. */
  async markDone(id: string, note: string | null, at: Date = new Date()): Promise<void> {
    await this.db('outbox').where({ id }).update({ status: 'sent', sent_at: at.toISOString(), last_error: note?.slice(0, 2000) ?? null });
  }

  /** A dead message sent again by a human (after fixing the directory, say): due now, attempts reset. */
  async revive(id: string, now: Date = new Date()): Promise<boolean> {
    const n = await this.db('outbox').where({ id }).whereIn('status', ['dead', 'failed']).update({ status: 'pending', attempts: 0, next_attempt_at: now.toISOString(), last_error: null });
    if (Number(n) > 0) await this.db.raw(`SELECT pg_notify(${OUTBOX_CHANNEL_SQL}, 'revived')`);
    return Number(n) > 0;
  }

  async get<P = unknown>(id: string): Promise<OutboxEntry<P> | undefined> {
    const row = await this.db('outbox').where({ id }).first();
    return row ? toEntry<P>(row) : undefined;
  }

  /**
   * A failed attempt: retried after an exponential backoff (1 min, 2, 4… capped at 6 h), or `dead`
   * after `maxAttempts` (or at once when `permanent`, e.g. a mailbox that does not exist) so a
   * human looks at it.
   */
  async markFailed(id: string, error: string, options: { now?: Date; maxAttempts?: number; permanent?: boolean; lease?: OutboxEntry } = {}): Promise<OutboxStatus | undefined> {
    const now = options.now ?? new Date();
    let attempts: number;
    if (options.lease) {
      attempts = options.lease.attempts; // counted at lease time
    } else {
      const row = await this.db('outbox').where({ id }).first('attempts', 'status');
      if (!row) return 'dead';
      attempts = Number(row.attempts) + (row.status === 'sending' ? 0 : 1);
    }
    const status: OutboxStatus = options.permanent || attempts >= (options.maxAttempts ?? 10) ? 'dead' : 'failed';
    const delayMs = Math.min(60_000 * 2 ** (attempts - 1), 6 * 3_600_000);
    const n = await this.db('outbox').where({ id })
      .modify((q) => { if (options.lease) q.where({ status: 'sending', attempts: options.lease.attempts }); })
      .update({ status, attempts, last_error: error.slice(0, 2000), next_attempt_at: new Date(now.getTime() + delayMs).toISOString() });
    // Another drainer took the message over: its outcome stands.
    return Number(n) > 0 ? status : undefined;
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

  async list<P = unknown>(options: {
    kind?: string; kinds?: string[]; status?: OutboxStatus; statuses?: OutboxStatus[]; limit?: number;
    topics?: string[]; topicPrefix?: string; parentIds?: string[]; parentId?: string; patientId?: string; newestFirst?: boolean;
    /** Messages about one RCP case (the report's payload names it). */
    rcpCase?: string;
  } = {}): Promise<OutboxEntry<P>[]> {
    const rows = await this.db('outbox')
      .modify((q) => {
        if (options.kind) q.where('kind', options.kind);
        if (options.status) q.where('status', options.status);
        if (options.kinds) q.whereIn('kind', options.kinds);
        if (options.statuses) q.whereIn('status', options.statuses);
        if (options.topics) q.whereIn('topic', options.topics);
        if (options.topicPrefix) q.where('topic', 'like', `${options.topicPrefix.replace(/[\\%_]/g, (c) => `\\${c}`)}%`);
        if (options.parentIds) q.whereIn('parent_id', options.parentIds);
        if (options.rcpCase) q.whereRaw(`payload->>'case' = ?`, [options.rcpCase]);
        if (options.parentId) q.where('parent_id', options.parentId);
        if (options.patientId) q.where('patient_id', options.patientId);
      })
      .orderBy('id', options.newestFirst ? 'desc' : 'asc')
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
    topic: row.topic ?? null,
    parentId: row.parent_id == null ? null : String(row.parent_id),
    recipient: row.recipient ?? null,
    patientId: row.patient_id ?? null,
  };
}
