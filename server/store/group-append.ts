import type { Resource } from '@medplum/fhirtypes';
import { FhirRepository, type Executor } from './repository.ts';

/**
 * Group commit for the audit trail of reads: every read and search writes an AuditEvent before it
 * answers, and writing each one in its own transaction (resource, version, index rows: ~7
 * statements) was the main cost of a read. Events that arrive while a batch is being written wait
 * for the next one, which is written in one statement (FhirRepository.appendAll). No timer:
 * alone, an event is written at once; under load, batches grow by themselves. Each caller's promise
 * settles when its own event is committed, so a read still never answers before its trace exists.
 *
 * Only for writes outside a transaction: inside one, the event belongs to that transaction.
 */
export class GroupAppender {
  private queue: { resource: Resource; resolve: () => void; reject: (error: unknown) => void }[] = [];
  private writing: Promise<void> | undefined;
  private readonly repo: FhirRepository;

  constructor(db: Executor, private readonly maxBatch = 500) {
    // The server's own events, built by code a test validates: not validated again here.
    this.repo = new FhirRepository(db, { validate: () => undefined });
  }

  append(resource: Resource): Promise<void> {
    return new Promise<void>((resolve, reject) => {
      this.queue.push({ resource, resolve, reject });
      this.writing ??= this.writeAll().finally(() => { this.writing = undefined; });
    });
  }

  private async writeAll(): Promise<void> {
    while (this.queue.length) {
      const batch = this.queue.splice(0, this.maxBatch);
      try {
        await this.repo.appendAll(batch.map((b) => b.resource));
        for (const b of batch) b.resolve();
      } catch (error) {
        for (const b of batch) b.reject(error);
      }
    }
  }
}
