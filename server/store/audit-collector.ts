import type { Knex } from 'knex';
import type { Resource } from '@medplum/fhirtypes';

/**
 * The audit bookkeeping of one transaction. Its traces are written in one statement just before
 * it commits: a workflow step (save an RCP decision, sign, correct) reads and writes dozens of
 * resources, each traced, and written one by one the traces were more statements than the work.
 * They still commit or roll back with the transaction, as before. A refusal (403) made inside is
 * kept apart, by error: if that error ends the transaction, its trace is written after the
 * rollback, so an attempt outside one's circle of care stays in the trail.
 * `R` is the store's access record (repository.ts), left generic to keep this module a leaf.
 */
export class AuditCollector<R = unknown> {
  private readonly events: Resource[] = [];
  private readonly refusals = new Map<unknown, R[]>();

  add(event: Resource): void {
    this.events.push(event);
  }

  /** Takes the events collected so far (the caller writes them). */
  drain(): Resource[] {
    return this.events.splice(0);
  }

  addRefusal(error: unknown, record: R): void {
    this.refusals.set(error, [...(this.refusals.get(error) ?? []), record]);
  }

  /** The refusals traced for the error that rolled the transaction back. */
  refusalsEndedBy(error: unknown): R[] {
    return this.refusals.get(error) ?? [];
  }
}

/** The collector of each open transaction started by FhirRepository.transaction. */
const collectors = new WeakMap<Knex.Transaction, AuditCollector<any>>();

export function openCollector<R>(trx: Knex.Transaction): AuditCollector<R> {
  const collector = new AuditCollector<R>();
  collectors.set(trx, collector);
  return collector;
}

/** The collector of `db` when it is a transaction FhirRepository opened; none otherwise (writes go straight in). */
export function collectorOf<R = unknown>(db: Knex | Knex.Transaction): AuditCollector<R> | undefined {
  return db.isTransaction ? (collectors.get(db as Knex.Transaction) as AuditCollector<R> | undefined) : undefined;
}
