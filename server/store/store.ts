import type { RequestContext } from '../context.ts';
import { forbidden } from '../fhir-kit/errors.ts';
import type { Database } from './database.ts';
import { FhirRepository, type Executor, type RepositoryOptions, type ResourceValidator, type WriteRule } from './repository.ts';

/** The access module's decisions for one caller: visibility SQL, write check, audit hook. */
export type AccessRule = (ctx: RequestContext) => Pick<RepositoryOptions, 'visibility' | 'emergencyAccess' | 'authorizeWrite' | 'audit'>;

/** Entry point of the data layer: hands out repositories bound to a request's caller. */
export class Store {
  constructor(
    readonly db: Database,
    private readonly validate: ResourceValidator,
    private readonly access: AccessRule = () => ({}),
  ) {}

  private readonly rules = new Map<string, WriteRule>();

  /** Adds a domain invariant checked on every write (named: adding the same name twice replaces it). */
  addWriteRule(name: string, rule: WriteRule): void {
    this.rules.set(name, rule);
  }

  /** The repository a request works through: it sees, writes and is traced as the caller. */
  forRequest(ctx: RequestContext): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate, rules: [...this.rules.values()], ...this.access(ctx) });
  }

  /**
   * What this caller would be allowed to see, without acting as them: used to decide what may be
   * sent to a professional (no audit entry in their name, no writes).
   */
  seenBy(ctx: RequestContext, db: Executor = this.db): FhirRepository {
    const { visibility } = this.access(ctx);
    return new FhirRepository(db, {
      validate: this.validate,
      ...(visibility ? { visibility } : {}),
      authorizeWrite: () => { throw forbidden('Vue en lecture seule'); },
    });
  }

  /** For the service itself (seeding, workers): sees everything. */
  system(): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate, rules: [...this.rules.values()] });
  }
}
