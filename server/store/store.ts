import type { RequestContext } from '../context.ts';
import type { Database } from './database.ts';
import { FhirRepository, type RepositoryOptions, type ResourceValidator } from './repository.ts';

/** The access module's decisions for one caller: visibility SQL, write check, audit hook. */
export type AccessRule = (ctx: RequestContext) => Pick<RepositoryOptions, 'visibility' | 'authorizeWrite' | 'audit'>;

/** Entry point of the data layer: hands out repositories bound to a request's caller. */
export class Store {
  constructor(
    readonly db: Database,
    private readonly validate: ResourceValidator,
    private readonly access: AccessRule = () => ({}),
  ) {}

  /** The repository a request works through: it sees, writes and is traced as the caller. */
  forRequest(ctx: RequestContext): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate, ...this.access(ctx) });
  }

  /** For the service itself (seeding, workers): sees everything. */
  system(): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate });
  }
}
