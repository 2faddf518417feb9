import type { RequestContext } from '../context.ts';
import type { Database } from './database.ts';
import { FhirRepository, type ResourceValidator } from './repository.ts';
import type { Sql } from './search-sql.ts';

/** Decides which rows a caller may see, as SQL on `resource r` (filled in by the access module). */
export type VisibilityRule = (ctx: RequestContext) => Sql[];

/** Entry point of the data layer: hands out repositories bound to a request's caller. */
export class Store {
  constructor(
    readonly db: Database,
    private readonly validate: ResourceValidator,
    private readonly visibility: VisibilityRule = () => [],
  ) {}

  /** The repository a request works through; its visibility comes from the caller. */
  forRequest(ctx: RequestContext): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate, visibility: this.visibility(ctx) });
  }

  /** For the service itself (seeding, workers): sees everything. */
  system(): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate });
  }
}
