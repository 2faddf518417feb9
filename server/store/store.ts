import type { RequestContext } from '../context.ts';
import { forbidden } from '../fhir-kit/errors.ts';
import type { Database } from './database.ts';
import { FhirRepository, type Executor, type RepositoryOptions, type ResourceValidator, type ScopedWriteRule, type WriteRule, type WriteRuleScope } from './repository.ts';

/** The access module's decisions for one caller: visibility SQL, write check, audit hook. */
export type AccessRule = (ctx: RequestContext) => Pick<RepositoryOptions, 'visibility' | 'wideVisibility' | 'versionVisibility' | 'emergencyAccess' | 'authorizeWrite' | 'audit'>;

/** Entry point of the data layer: hands out repositories bound to a request's caller. */
export class Store {
  constructor(
    readonly db: Database,
    private readonly validate: ResourceValidator,
    private readonly access: AccessRule = () => ({}),
  ) {}

  private readonly rules = new Map<string, ScopedWriteRule>();

  /**
   * Adds a domain invariant checked on every write of the types it concerns (named: adding the same
   * name twice replaces it). A rule is assumed to need the write's transaction unless `pure`.
   */
  addWriteRule(name: string, rule: WriteRule, scope: WriteRuleScope = {}): void {
    this.rules.set(name, { ...scope, check: rule });
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
    const { visibility, wideVisibility, versionVisibility } = this.access(ctx);
    return new FhirRepository(db, {
      validate: this.validate,
      ...(visibility ? { visibility } : {}),
      ...(wideVisibility ? { wideVisibility } : {}),
      ...(versionVisibility ? { versionVisibility } : {}),
      authorizeWrite: () => { throw forbidden('Vue en lecture seule'); },
    });
  }

  /** For the service itself (seeding, workers): sees everything. */
  system(): FhirRepository {
    return new FhirRepository(this.db, { validate: this.validate, rules: [...this.rules.values()] });
  }
}
