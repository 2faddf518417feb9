import { expect } from 'chai';
import type { Knex } from 'knex';
import { isPgLite } from '../../server/store/database.ts';
import { OutboxStore } from '../../server/store/outbox-store.ts';
import { testServices, unique } from '../helpers/harness.ts';

/** The durable outbox (migration 010): idempotent enqueue, due messages claimed once, retries with backoff, dead letters. */
describe('Outbox store', () => {
  let db: Knex;
  before(async () => {
    db = (await testServices()).db;
  });

  it('enqueues once per deduplication key', async () => {
    const outbox = new OutboxStore(db);
    const key = unique('dedup-');
    const first = await outbox.enqueue({ kind: 'test', payload: { n: 1 }, dedupKey: key });
    const second = await outbox.enqueue({ kind: 'test', payload: { n: 2 }, dedupKey: key });
    expect(first.created).to.equal(true);
    expect(second.created).to.equal(false);
    expect(second.entry.id).to.equal(first.entry.id);
    expect(second.entry.payload).to.deep.equal({ n: 1 });
    expect(first.entry).to.include({ status: 'pending', attempts: 0, sentAt: null });
  });

  it('a message written in a transaction that rolls back does not exist', async () => {
    const key = unique('rollback-');
    await db.transaction(async (trx) => {
      await new OutboxStore(trx).enqueue({ kind: 'test', payload: {}, dedupKey: key });
      throw new Error('rollback');
    }).catch(() => undefined);
    expect(await new OutboxStore(db).findByDedupKeys([key])).to.have.length(0);
  });

  it('claims due messages only; failures back off, then become dead letters; a sent message keeps its time', async () => {
    const kind = unique('kind-');
    const outbox = new OutboxStore(db);
    const now = new Date('2026-03-11T10:00:00Z');
    await outbox.enqueue({ kind, payload: { a: 1 }, dedupKey: unique('a-'), createdAt: new Date('2026-03-11T09:00:00Z') });
    await outbox.enqueue({ kind, payload: { b: 1 }, dedupKey: unique('b-'), createdAt: now, notBefore: new Date('2026-03-11T12:00:00Z') });
    const due = await db.transaction((trx) => new OutboxStore(trx).claimDue({ limit: 10, now, kinds: [kind] }));
    expect(due.map((e) => e.payload)).to.deep.equal([{ a: 1 }]);
    const id = due[0]!.id;
    expect(await outbox.markFailed(id, 'MSSanté indisponible', { now, maxAttempts: 2 })).to.equal('failed');
    const [failed] = await outbox.findByDedupKeys([due[0]!.dedupKey]);
    expect(failed).to.include({ status: 'failed', attempts: 1, lastError: 'MSSanté indisponible', nextAttemptAt: '2026-03-11T10:01:00.000Z' });
    expect(await db.transaction((trx) => new OutboxStore(trx).claimDue({ limit: 10, now, kinds: [kind] }))).to.have.length(0);
    expect(await outbox.markFailed(id, 'toujours indisponible', { now, maxAttempts: 2 })).to.equal('dead');
    const later = new Date('2026-03-12T10:00:00Z');
    const second = await db.transaction((trx) => new OutboxStore(trx).claimDue({ limit: 10, now: later, kinds: [kind] }));
    expect(second.map((e) => e.payload)).to.deep.equal([{ b: 1 }]);
    await outbox.markSent(second[0]!.id, later);
    const [sent] = await outbox.findByDedupKeys([second[0]!.dedupKey]);
    expect(sent).to.include({ status: 'sent', sentAt: '2026-03-12T10:00:00.000Z' });
  });

  it('a lease that ran out belongs to the drainer that took the message over: the first drainer’s late outcome is ignored', async () => {
    const kind = unique('kind-');
    const outbox = new OutboxStore(db);
    const t0 = new Date('2026-03-11T10:00:00Z');
    const { entry } = await outbox.enqueue({ kind, payload: {}, dedupKey: unique('l-'), createdAt: t0 });
    const [first] = await outbox.lease({ limit: 1, now: t0, kinds: [kind], leaseMs: 60_000 });
    expect(first).to.include({ id: entry.id, status: 'sending', attempts: 1, nextAttemptAt: '2026-03-11T10:01:00.000Z' });
    expect(await outbox.lease({ limit: 1, now: new Date('2026-03-11T10:00:30Z'), kinds: [kind], leaseMs: 60_000 })).to.have.length(0); // still leased
    const [second] = await outbox.lease({ limit: 1, now: new Date('2026-03-11T10:02:00Z'), kinds: [kind], leaseMs: 60_000 });
    expect(second).to.include({ id: entry.id, attempts: 2 });
    expect(await outbox.markSent(entry.id, new Date('2026-03-11T10:02:05Z'), second)).to.equal(true);
    expect(await outbox.markFailed(entry.id, 'trop tard', { lease: first })).to.equal(undefined);
    expect(await outbox.markSent(entry.id, new Date(), first)).to.equal(false);
    expect(await outbox.get(entry.id)).to.include({ status: 'sent', attempts: 2, lastError: null, sentAt: '2026-03-11T10:02:05.000Z' });
  });

  it('two drainers at once never take the same message (FOR UPDATE SKIP LOCKED, PostgreSQL)', async function () {
    if (isPgLite(db)) this.skip(); // one connection: drainers cannot overlap
    const kind = unique('kind-');
    const outbox = new OutboxStore(db);
    for (let i = 0; i < 4; i++) await outbox.enqueue({ kind, payload: { i }, dedupKey: unique('c-') });
    let release!: () => void;
    const held = new Promise<void>((resolve) => { release = resolve; });
    let firstClaim: string[] = [];
    const first = db.transaction(async (trx) => {
      firstClaim = (await new OutboxStore(trx).claimDue({ limit: 2, kinds: [kind] })).map((e) => e.id);
      await held;
    });
    while (!firstClaim.length) await new Promise((r) => setImmediate(r));
    const secondClaim = (await db.transaction((trx) => new OutboxStore(trx).claimDue({ limit: 10, kinds: [kind] }))).map((e) => e.id);
    release();
    await first;
    expect(secondClaim).to.have.length(2);
    expect(secondClaim.filter((id) => firstClaim.includes(id))).to.deep.equal([]);
  });
});
