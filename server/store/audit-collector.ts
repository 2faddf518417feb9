import type { Knex } from 'knex';
import type { Resource } from '@medplum/fhirtypes';

/**
 * The audit trail of one transaction, written in one statement just before it commits. A
 * workflow step (save an RCP decision, sign, correct) reads and writes dozens of resources, each
 * traced: written one by one, the traces were more statements than the work itself. Collected,
 * they still commit or roll back with the transaction, as before.
 */
export class AuditCollector {
  private readonly events: Resource[] = [];

  add(event: Resource): void {
    this.events.push(event);
  }

  /** Takes the events collected so far (the caller writes them). */
  drain(): Resource[] {
    return this.events.splice(0);
  }
}

/** The collector of each open transaction started by FhirRepository.transaction. */
const collectors = new WeakMap<Knex.Transaction, AuditCollector>();

export function openCollector(trx: Knex.Transaction): AuditCollector {
  const collector = new AuditCollector();
  collectors.set(trx, collector);
  return collector;
}

/** The collector of `db` when it is a transaction FhirRepository opened; none otherwise (writes go straight in). */
export function collectorOf(db: Knex | Knex.Transaction): AuditCollector | undefined {
  return db.isTransaction ? collectors.get(db as Knex.Transaction) : undefined;
}
