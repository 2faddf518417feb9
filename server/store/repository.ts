import { randomUUID } from 'node:crypto';
import type { Knex } from 'knex';
import type { Resource } from '@medplum/fhirtypes';
import { conflict, FhirError, forbidden, gone, notFound, preconditionFailed } from '../fhir-kit/errors.ts';
import { indexResource, type IndexRows } from './indexer.ts';
import { auditIncludeSource, auditIndex, auditRevIncludeCondition } from './audit-sql.ts';
import { cursorCondition, mayMatchMany, searchSource, sortKeys, type Sql } from './search-sql.ts';
import type { IncludeRule, SearchCursor, SearchRequest, SearchResult } from '../fhir-kit/search-types.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import { insertResourcesSql, writeVersionSql } from './write-sql.ts';
import { sqlRows } from './database.ts';
import { AuditCollector, collectorOf, openCollector } from './audit-collector.ts';
import { idOf, isFhirId } from '../fhir-kit/ids.ts';
import { passStructureCheck } from '../fhir-kit/validation.ts';

export type Executor = Knex | Knex.Transaction;

/** Checks a resource before it is written; throws a FhirError (400/422) when it is not acceptable. */
export type ResourceValidator = (resource: Resource) => void;

/** A write about to happen, for the authorisation hook. */
export interface WriteChange {
  action: 'create' | 'update' | 'delete';
  resourceType: string;
  id: string;
  /** New content (create, update). */
  resource?: Resource;
  /** Patient compartment of the new content, and of the version it replaces. */
  patientId: string | null;
  previousPatientId?: string | null;
  /** The version being replaced (update). */
  previous?: Resource;
}

/** An access to record in the audit trail. */
export interface AccessRecord {
  interaction: 'read' | 'vread' | 'create' | 'update' | 'delete' | 'search-type' | 'history-instance' | 'history-type' | 'history-system';
  /** `emergency`: the row was read with its emergency-access flag (RepositoryOptions.emergencyAccess). */
  resources: { resourceType: string; id: string; patientId: string | null; emergency?: boolean }[];
  outcome: 'success' | 'failure';
  query?: string;
  detail?: string;
}

/**
 * A domain invariant checked on every write of any caller, inside the write's transaction, with
 * the version being replaced (e.g. "a signed RCP sheet is immutable"). Throws a FhirError.
 */
export type WriteRule = (
  change: { action: 'create' | 'update' | 'delete'; resourceType: string; previous?: Resource; next?: Resource },
  /** The repository of the write's transaction: a rule that writes (e.g. an outbox message) commits or rolls back with the change. */
  tx: FhirRepository,
) => void | Promise<void>;

/** Which writes a WriteRule concerns, and whether it needs the write's transaction. */
export interface WriteRuleScope {
  /** The resource types whose writes it checks (every type when omitted): other writes skip it. */
  types?: string[];
  /**
   * It reads the change only (no query, no write through `tx`): a create it concerns may then be
   * written as one statement without a transaction (FhirRepository.create). False when omitted.
   */
  pure?: boolean;
}

export interface ScopedWriteRule extends WriteRuleScope { check: WriteRule }

export interface RepositoryOptions {
  validate: ResourceValidator;
  /** Domain invariants (see WriteRule). */
  rules?: ScopedWriteRule[];
  /** Extra SQL conditions on `resource r` restricting what the caller may see (access rules). */
  visibility?: Sql[];
  /**
   * The same restriction written for searches that may match many rows (search-sql.ts
   * mayMatchMany): it must keep exactly the rows `visibility` keeps.
   */
  wideVisibility?: Sql[];
  /**
   * The same restriction for reads of given versions (vread, history: `resource_version v`),
   * where a signing status is the version's own (visibility-sql.ts, `ofVersion`). Defaults to `visibility`.
   */
  versionVisibility?: Sql[];
  /** SQL on `resource r`: true when the caller reaches the row through emergency access (for the audit). */
  emergencyAccess?: Sql;
  /** Throws (403) when the caller may not make this change; runs inside the write's transaction. */
  authorizeWrite?: (repo: FhirRepository, change: WriteChange) => Promise<void>;
  /** Writes the AuditEvent of an access; for writes, in the same transaction. */
  audit?: (repo: FhirRepository, access: AccessRecord) => Promise<void>;
}

export interface HistoryEntry {
  resource?: Resource;
  resourceType: string;
  id: string;
  versionId: string;
  lastUpdated: string;
  deleted: boolean;
  /** 1 for the version that created the resource: tells POST from PUT in history bundles. */
  isFirst: boolean;
}

export interface HistoryRequest {
  resourceType?: string;
  id?: string;
  since?: string;
  count: number;
  /** Keyset position: the history page starts strictly after this (last_updated, res, version). */
  after?: { lastUpdated: string; res: string; versionId: number };
}


/**
 * Resources without a patient reference of their own that belong to the patient of what they point
 * at: a Provenance to the signed sheet's patient, a Task or Observation to its focus's patient.
 */
const DERIVED_COMPARTMENT: Record<string, string[]> = { Provenance: ['target'], Task: ['focus'], Observation: ['focus'] };
const MAX_INCLUDED = 1000;
/** Refusals already traced (or queued): an enclosing layer that sees the same error does not trace it again. */
const tracedRefusals = new WeakSet<Error>();

/**
 * Thrown by a repository holding the writes of a one-statement create (see `create`) when asked
 * for a write it cannot hold: the create is then made again in a transaction (nothing was written).
 */
class NeedsTransaction extends Error {}

/** What a one-statement create holds for its statement (see `createNew`): its traces, and the rows its check took as visible. */
class HeldCreate extends AuditCollector<AccessRecord> {
  readonly visibleRows: { resourceType: string; id: string }[] = [];
}

/**
 * The one data-access path for FHIR resources: versioned writes with their search indexes in the
 * same transaction, reads of any version, history and search.
 */
/** FHIR search parameters by name; a list repeats the parameter (AND of the values). */
export type SearchParams = Record<string, string | string[]>;
export interface SearchAllOptions {
  /** Stop once this many matches are read (the rest are not fetched). */
  max?: number;
  /** Matches per page read; the store's largest page by default. */
  pageSize?: number;
}
/** Page size of searchAll: the largest page a client may ask for. */
const SEARCH_ALL_PAGE = 200;

export class FhirRepository {
  constructor(
    readonly db: Executor,
    private readonly options: RepositoryOptions,
    /** What a one-statement create holds for its statement (see `createNew`). */
    private readonly held?: HeldCreate,
  ) {}

  /**
   * What this repository's writes commit with: its transaction, or the one statement of a create;
   * undefined when each statement commits alone. Hooks key per-write memos on it.
   */
  get writeScope(): object | undefined {
    return this.held ?? (this.db.isTransaction ? this.db : undefined);
  }

  /** Runs `work` in one database transaction; everything it wrote is undone if it throws. */
  async transaction<T>(work: (repo: FhirRepository) => Promise<T>): Promise<T> {
    return this.inTransaction(work, false);
  }

  /**
   * Read-only work in one transaction: the traces of its reads are written together in one statement
   * at the end instead of one write each (the bulk of a page's statements), and still written when
   * the work fails, after the rollback: a read is traced whether or not the request then succeeds.
   */
  async reading<T>(work: (repo: FhirRepository) => Promise<T>): Promise<T> {
    return this.inTransaction(work, true);
  }

  /**
   * One transaction whose traces are collected and written in one statement before it commits.
   * If it fails, the refusal that ended it is traced after the rollback, and with `keepTraces` so
   * are its reads (a write that failed left nothing to trace but the refusal).
   */
  private async inTransaction<T>(work: (repo: FhirRepository) => Promise<T>, keepTraces: boolean): Promise<T> {
    if (this.db.isTransaction) return work(this);
    if (this.held) throw new NeedsTransaction();
    let collector: AuditCollector<AccessRecord> | undefined;
    try {
      return await (this.db as Knex).transaction(async (trx) => {
        collector = openCollector<AccessRecord>(trx);
        const repo = new FhirRepository(trx, this.options);
        const result = await work(repo);
        const events = collector.drain();
        if (events.length) await repo.bulkInsert(events);
        return result;
      });
    } catch (error) {
      if (keepTraces) {
        const events = collector?.drain() ?? [];
        if (events.length) await this.bulkInsert(events);
      }
      for (const record of collector?.refusalsEndedBy(error) ?? []) await this.recordAccess(record);
      throw error;
    }
  }

  /**
   * The same transaction as the service sees it: every record, no audit, no writes. For invariants
   * that must look past the caller's circle of care (one INS = one patient); what it finds is never
   * handed to the caller as content.
   */
  serviceView(): FhirRepository {
    return new FhirRepository(this.db, {
      validate: this.options.validate,
      authorizeWrite: async () => { throw forbidden('Vue de contrôle en lecture seule'); },
    }, this.held);
  }

  /** Serialises concurrent work on the same key until the transaction ends (e.g. conditional create). */
  async lock(key: string): Promise<void> {
    if (this.held) throw new NeedsTransaction();
    await this.db.raw('SELECT pg_advisory_xact_lock(hashtext(?))', [key]);
  }

  async create<T extends Resource>(resource: T): Promise<T> {
    const withId = passStructureCheck(resource, { ...resource, id: randomUUID() });
    return this.tracingRefusal('create', withId, () => this.createNew(withId));
  }

  /**
   * A create that is the whole of its work (no transaction around it, no rule that queries or
   * writes) is ONE statement with its trace and no BEGIN / COMMIT: a statement is atomic by itself.
   * Its write check's read of the patient's row (`visibility`) is made by that statement too: the
   * row is taken as visible without emergency access — the common case — and the statement writes
   * nothing unless it is. Under READ COMMITTED the check sees what it saw in a transaction of its
   * own (it locks nothing). When the statement wrote nothing (patient not visible, or reached by
   * emergency access, whose trace says so), or a hook asks for a write it cannot hold
   * (NeedsTransaction), the create is made again in a transaction, whose check refuses or traces it.
   */
  private async createNew<T extends Resource>(resource: T): Promise<T> {
    if (this.db.isTransaction || this.held || this.needsTransaction(resource.resourceType)) {
      return this.transaction((repo) => repo.insertNew(resource, true));
    }
    try {
      return await new FhirRepository(this.db, this.options, new HeldCreate()).insertNew(resource, true);
    } catch (error) {
      if (!(error instanceof NeedsTransaction)) throw error;
      return this.transaction((repo) => repo.insertNew(resource, true));
    }
  }

  private needsTransaction(resourceType: string): boolean {
    return (this.options.rules ?? []).some((rule) => !rule.pure && concerns(rule, resourceType));
  }

  /**
   * A refused write (403) is rolled back with its transaction; its trace is written afterwards so
   * an attempt on a record outside one's circle stays in the audit trail.
   */
  private async tracingRefusal<T>(interaction: 'create' | 'update' | 'delete', target: { resourceType: string; id?: string } | Resource, work: () => Promise<T>): Promise<T> {
    try {
      return await work();
    } catch (error) {
      if (error instanceof FhirError && error.status === 403 && !tracedRefusals.has(error)) {
        const id = target.id ?? '';
        const patientId = interaction !== 'delete'
          ? (await this.indexWithCompartment(target as Resource)).patientId ?? (await this.patientIdOf(target.resourceType, id))
          : await this.patientIdOf(target.resourceType, id);
        const record: AccessRecord = { interaction, resources: [{ resourceType: target.resourceType, id, patientId }], outcome: 'failure', detail: error.message };
        const collector = collectorOf<AccessRecord>(this.db);
        if (collector) collector.addRefusal(error, record); // written by the outermost transaction, after its rollback
        else await this.recordAccess(record);
        tracedRefusals.add(error); // not again by an enclosing layer
      }
      throw error;
    }
  }

  /** Appends a server-written resource (the audit trail itself): no authorisation, no audit of the audit. */
  async append<T extends Resource>(resource: T): Promise<T> {
    const collector = resource.resourceType === 'AuditEvent' ? this.held ?? collectorOf(this.db) : undefined;
    if (collector) {
      // Written with the transaction's other traces when it commits (audit-collector.ts).
      const event = { ...resource, id: randomUUID() };
      collector.add(event);
      return event;
    }
    return this.transaction((repo) => repo.insertNew({ ...resource, id: randomUUID() }, false));
  }

  /** Creates with an id the caller chose and knows to be new (a transaction's planned urn:uuid targets). */
  async createWithId<T extends Resource>(resource: T, id: string): Promise<T> {
    const withId = passStructureCheck(resource, { ...resource, id });
    return this.tracingRefusal('create', withId, () => this.createNew(withId));
  }

  async read<T extends Resource>(resourceType: string, id: string): Promise<T> {
    const row = await this.currentRow(resourceType, id, true);
    if (!row || row.deleted) {
      // The attempt is traced against the patient it concerned, even when the caller may not see it.
      const patientId = row?.patient_id ?? (await this.patientIdOf(resourceType, id));
      await this.recordAccess({ interaction: 'read', resources: [{ resourceType, id, patientId }], outcome: 'failure', detail: row ? 'supprimé' : 'introuvable ou hors du cercle de soins' });
      if (!row) throw notFound(`${resourceType}/${id} introuvable`);
      throw gone(`${resourceType}/${id} a été supprimé (version ${row.version_id})`);
    }
    await this.recordAccess({ interaction: 'read', resources: [{ resourceType, id, patientId: row.patient_id, ...emergencyOf(row) }], outcome: 'success' });
    return row.content as T;
  }

  async readIfExists<T extends Resource>(resourceType: string, id: string): Promise<T | undefined> {
    const row = await this.currentRow(resourceType, id);
    return row && !row.deleted ? (row.content as T) : undefined;
  }

  /**
   * The current versions of these resources the caller may see, in one query, as `readIfExists`
   * does one by one (no audit: for directory and workflow records such as a board's member list).
   */
  async readManyIfExists<T extends Resource>(resourceType: string, ids: (string | undefined)[]): Promise<Map<string, T>> {
    const wanted = [...new Set(ids)].filter(isFhirId);
    const out = new Map<string, T>();
    if (!wanted.length) return out;
    const rows: { content: T }[] = await this.db('resource as r')
      .where({ 'r.resource_type': resourceType, 'r.deleted': false })
      .whereIn('r.id', wanted)
      .modify((qb) => this.applyVisibility(qb))
      .select('r.content');
    for (const row of rows) out.set(row.content.id!, row.content);
    return out;
  }

  async vread<T extends Resource>(resourceType: string, id: string, versionId: string): Promise<T> {
    // Checked before the query: 'abc' or 1e12 would otherwise be a database error (500), not a 404.
    if (!/^\d{1,9}$/.test(versionId)) throw notFound(`${resourceType}/${id} n'a pas de version ${versionId}`);
    const row = await this.db('resource_version as v')
      .join('resource as r', 'r.seq', 'v.res')
      .where({ 'r.resource_type': resourceType, 'r.id': id, 'v.version_id': Number(versionId) })
      .modify((qb) => this.applyVisibility(qb, 'version'))
      .first('v.content', 'v.deleted', 'r.patient_id');
    await this.recordAccess({ interaction: 'vread', resources: [{ resourceType, id, patientId: row?.patient_id ?? null }], outcome: row && !row.deleted ? 'success' : 'failure' });
    if (!row) throw notFound(`${resourceType}/${id} n'a pas de version ${versionId}`);
    if (row.deleted) throw gone(`La version ${versionId} de ${resourceType}/${id} est une suppression`);
    return row.content as T;
  }

  /**
   * Update (or create with a client-chosen id). With `ifMatch`, the write happens only if the
   * current version is still that one: a concurrent edit gets 412 and loses nothing.
   */
  async update<T extends Resource>(resource: T, options: { ifMatch?: string } = {}): Promise<{ resource: T; created: boolean }> {
    const { resourceType, id } = resource;
    if (resourceType === 'AuditEvent') throw appendOnly();
    if (!isFhirId(id)) throw conflict(`Identifiant de ressource invalide : '${id ?? ''}'`);
    return this.tracingRefusal('update', resource, () => this.transaction(async (repo) => {
      const current = await repo.db('resource').where({ resource_type: resourceType, id }).forUpdate().first('seq', 'version_id', 'deleted', 'patient_id', 'content');
      if (options.ifMatch !== undefined && (!current || String(current.version_id) !== options.ifMatch)) {
        throw preconditionFailed(
          current
            ? `${resourceType}/${id} a été modifié entre-temps : version courante ${current.version_id}, If-Match attendait ${options.ifMatch}. Relisez la ressource avant de la modifier.`
            : `${resourceType}/${id} n'existe pas : If-Match ${options.ifMatch} ne peut pas être satisfait`,
        );
      }
      if (!current) return { resource: await repo.insertNew(resource, true), created: true };
      const written = await repo.writeVersion(resource, current.seq, current.version_id + 1, current.patient_id, current.deleted ? undefined : current.content);
      return { resource: written, created: false };
    }));
  }

  /** Soft delete: a new version marked deleted; earlier versions stay readable. */
  async delete(resourceType: string, id: string): Promise<{ deleted: boolean }> {
    if (resourceType === 'AuditEvent') throw appendOnly();
    return this.tracingRefusal('delete', { resourceType, id }, () => this.transaction(async (repo) => {
      const current = await repo.db('resource').where({ resource_type: resourceType, id }).forUpdate().first('seq', 'version_id', 'deleted', 'patient_id', 'content');
      if (!current) throw notFound(`${resourceType}/${id} introuvable`);
      if (current.deleted) return { deleted: false };
      await repo.options.authorizeWrite?.(repo, { action: 'delete', resourceType, id, patientId: current.patient_id, previousPatientId: current.patient_id });
      await repo.checkRules({ action: 'delete', resourceType, previous: current.content });
      const write = writeVersionSql(String(current.seq), { resourceType, id, versionId: current.version_id + 1, lastUpdated: new Date().toISOString(), deleted: true });
      await sqlRows(repo.db, write.text, write.bindings);
      await repo.recordAccess({ interaction: 'delete', resources: [{ resourceType, id, patientId: current.patient_id }], outcome: 'success' });
      return { deleted: true };
    }));
  }

  /**
   * Every match the caller may see, page after page along the keyset cursor: a helper that read
   * only the first page gave a silently short list for a patient with many resources. Parameters as
   * in a FHIR query (a list repeats the parameter); an unknown one is a 400, not ignored.
   * `max` caps a search the caller knows to be bounded (e.g. a directory).
   */
  async searchAll<T extends Resource>(resourceType: string, params: SearchParams, options: SearchAllOptions = {}): Promise<T[]> {
    return (await this.searchAllWithIncluded<T>(resourceType, params, options)).resources;
  }

  /** `searchAll`, with the `_include` / `_revinclude` resources of every page. */
  async searchAllWithIncluded<T extends Resource>(resourceType: string, params: SearchParams, options: SearchAllOptions = {}): Promise<{ resources: T[]; included: Resource[] }> {
    // A small `max` needs no larger page than itself.
    const pageSize = options.pageSize ?? Math.min(options.max ?? SEARCH_ALL_PAGE, SEARCH_ALL_PAGE);
    const query = new URLSearchParams();
    for (const [name, value] of Object.entries(params)) for (const v of Array.isArray(value) ? value : [value]) query.append(name, v);
    const { request } = parseSearchRequest(resourceType, query, { defaultCount: pageSize, maxCount: pageSize }, true);
    request.total = 'none';
    request.count = pageSize;
    const resources: T[] = [];
    const included: Resource[] = [];
    for (;;) {
      const page = await this.search<T>(request);
      resources.push(...page.resources);
      included.push(...page.included);
      if (!page.next || (options.max !== undefined && resources.length >= options.max)) break;
      request.cursor = page.next;
    }
    return { resources: options.max !== undefined ? resources.slice(0, options.max) : resources, included };
  }

  async search<T extends Resource>(request: SearchRequest): Promise<SearchResult<T>> {
    const source = searchSource(request, this.visibilityOf(request));
    const result: SearchResult<T> = { resources: [], included: [] };
    const count = async () => Number((await sqlRows(this.db, `SELECT count(*) AS n FROM ${source.text}`, source.bindings))[0].n);
    if (request.summaryCount) {
      result.total = await count();
      await this.recordAccess({ interaction: 'search-type', resources: patientCriteria(request), outcome: 'success', query: request.queryText });
      return result;
    }

    const keys = sortKeys(request);
    const keyColumns = keys.map((_, i) => `q.k${i}`);
    const select = keys.map((k, i) => `, ${k.expr} AS k${i}`).join('');
    const flag = this.options.emergencyAccess;
    const inner = `SELECT r.seq, r.patient_id, r.content${select}${flag ? `, ${flag.text} AS emergency` : ''} FROM ${source.text}`;
    const innerBindings = [...keys.flatMap((k) => k.bindings), ...(flag?.bindings ?? []), ...source.bindings];
    const cursor = request.cursor;
    const backwards = cursor?.direction === 'previous';
    const cursorSql = cursor ? cursorCondition(keyColumns, keys.map((k) => k.descending), cursor) : undefined;
    const order = [...keys.map((k, i) => `${keyColumns[i]} ${k.descending !== backwards ? 'DESC' : 'ASC'}`), `q.seq ${backwards ? 'DESC' : 'ASC'}`].join(', ');
    const text = `SELECT * FROM (${inner}) q${cursorSql ? ` WHERE ${cursorSql.text}` : ''} ORDER BY ${order} LIMIT ?`;
    const rows: any[] = await sqlRows(this.db, text, [...innerBindings, ...(cursorSql?.bindings ?? []), request.count + 1]);

    const more = rows.length > request.count;
    const page = rows.slice(0, request.count);
    // A first page that holds every match is its own count: the count query (the access rules
    // evaluated once more on every match) is run only when there is more than one page.
    if (request.total === 'accurate') result.total = !cursor && !more ? page.length : await count();
    if (backwards) page.reverse();
    const positionOf = (row: any): Omit<SearchCursor, 'direction'> => ({
      keys: keys.map((_, i) => serializeKey(row[`k${i}`])),
      seq: String(row.seq),
    });
    if (page.length) {
      if (backwards ? true : more) result.next = { direction: 'next', ...positionOf(page.at(-1)) };
      if (backwards ? more : cursor) result.previous = { direction: 'previous', ...positionOf(page[0]) };
    }
    result.resources = page.map((row) => row.content as T);
    const seqs = page.map((row) => String(row.seq));
    const ids = result.resources.map((r) => r.id!);
    // Per call, not on the instance: summary/gather.ts runs searches in parallel on one repository.
    const includedRows: IncludedRow[] = [];
    for (const rule of request.include) includedRows.push(...(await this.included(rule, seqs)));
    for (const rule of request.revinclude) includedRows.push(...(await this.revIncluded(rule, request.resourceType, ids)));
    result.included = uniqueResources(includedRows.map((r) => r.content as T), result.resources);
    await this.recordAccess({
      interaction: 'search-type',
      resources: [
        ...patientCriteria(request),
        ...page.map((row) => ({ resourceType: row.content.resourceType, id: row.content.id, patientId: row.patient_id, ...emergencyOf(row) })),
        ...includedRows.map((r) => ({ resourceType: r.content.resourceType, id: r.content.id!, patientId: r.patient_id })),
      ],
      outcome: 'success',
      query: request.queryText,
    });
    return result;
  }

  /** The access rule's form for this search: row by row, or with the caller's circle as a set when it may match many. */
  private visibilityOf(request: SearchRequest): Sql[] | undefined {
    return mayMatchMany(request) ? this.options.wideVisibility ?? this.options.visibility : this.options.visibility;
  }

  /**
   * Several searches in one round trip, each answered and audited as `search` would (same matches,
   * same trace): reading a sheet's entries and references was one statement per resource type.
   * Only plain first pages (no _sort, _include, cursor or total) are combined; others run alone.
   */
  async searchEach<T extends Resource>(requests: SearchRequest[]): Promise<T[][]> {
    const plain = (r: SearchRequest) => !r.sort.length && !r.include.length && !r.revinclude.length && !r.cursor && r.total !== 'accurate' && !r.summaryCount;
    const out: T[][] = requests.map(() => []);
    const combined = requests.map((request, i) => ({ request, i })).filter(({ request }) => plain(request));
    for (const [i, request] of requests.entries()) if (!plain(request)) out[i] = (await this.search<T>(request)).resources;
    if (!combined.length) return out;
    const parts = combined.map(({ request, i }) => {
      const source = searchSource(request, this.visibilityOf(request));
      return { text: `(SELECT ${i} AS q, r.seq, r.patient_id, r.content FROM ${source.text} ORDER BY r.seq LIMIT ?)`, bindings: [...source.bindings, request.count] };
    });
    const rows: { q: number; seq: string; patient_id: string | null; content: T }[] = await sqlRows(this.db,
      `SELECT * FROM (${parts.map((p) => p.text).join(' UNION ALL ')}) u ORDER BY u.q, u.seq`,
      parts.flatMap((p) => p.bindings),
    );
    for (const { request, i } of combined) {
      const page = rows.filter((row) => Number(row.q) === i);
      out[i] = page.map((row) => row.content);
      await this.recordAccess({
        interaction: 'search-type',
        resources: [...patientCriteria(request), ...page.map((row) => ({ resourceType: row.content.resourceType, id: row.content.id!, patientId: row.patient_id }))],
        outcome: 'success',
        query: request.queryText,
      });
    }
    return out;
  }

  /** Resources referenced by the page (`_include=Observation:subject`). */
  private async included(rule: IncludeRule, seqs: string[]): Promise<IncludedRow[]> {
    if (!seqs.length) return [];
    if (rule.sourceType === 'AuditEvent') {
      const targets = auditIncludeSource(rule.param.code, seqs, rule.targetType);
      return this.db.select(this.db.raw('DISTINCT ON (r.seq) r.seq, r.patient_id, r.content'))
        .from(this.db.raw(`${targets.text} t`, targets.bindings))
        .join('resource as r', (j) => j.on('r.resource_type', 't.target_type').andOn('r.id', 't.target_id'))
        .where('r.deleted', false)
        .modify((qb) => this.applyVisibility(qb))
        .limit(MAX_INCLUDED);
    }
    const rows: IncludedRow[] = await this.db('sp_reference as i')
      .join('resource as r', (j) => j.on('r.resource_type', 'i.target_type').andOn('r.id', 'i.target_id'))
      .whereIn('i.res', seqs)
      .where({ 'i.param': rule.param.code, 'i.resource_type': rule.sourceType, 'r.deleted': false })
      .modify((qb) => {
        if (rule.targetType) qb.where('i.target_type', rule.targetType);
        this.applyVisibility(qb);
      })
      .select(this.db.raw('DISTINCT ON (r.seq) r.seq, r.patient_id, r.content'))
      .limit(MAX_INCLUDED);
    return rows;
  }

  /** Resources that reference the page (`_revinclude=Observation:subject`). */
  private async revIncluded(rule: IncludeRule, targetType: string, ids: string[]): Promise<IncludedRow[]> {
    if (!ids.length) return [];
    if (rule.sourceType === 'AuditEvent') {
      const naming = auditRevIncludeCondition(rule.param.code, targetType, ids);
      return this.db('resource as r')
        .whereRaw(naming.text, naming.bindings)
        .where('r.deleted', false)
        .modify((qb) => this.applyVisibility(qb))
        .select('r.seq', 'r.patient_id', 'r.content')
        .orderBy('r.seq')
        .limit(MAX_INCLUDED);
    }
    const rows: IncludedRow[] = await this.db('sp_reference as i')
      .join('resource as r', 'r.seq', 'i.res')
      .whereIn('i.target_id', ids)
      .where({ 'i.target_type': targetType, 'i.param': rule.param.code, 'i.resource_type': rule.sourceType, 'r.deleted': false })
      .modify((qb) => this.applyVisibility(qb))
      .select(this.db.raw('DISTINCT ON (r.seq) r.seq, r.patient_id, r.content'))
      .limit(MAX_INCLUDED);
    return rows;
  }

  async history(request: HistoryRequest): Promise<{ entries: HistoryEntry[]; more: boolean; total?: number }> {
    const qb = this.db('resource_version as v')
      .join('resource as r', 'r.seq', 'v.res')
      .modify((q) => {
        if (request.resourceType) q.where('v.resource_type', request.resourceType);
        if (request.id) q.where('r.id', request.id);
        if (request.since) q.where('v.last_updated', '>=', request.since);
        this.applyVisibility(q, 'version');
      });
    let total: number | undefined;
    if (request.id) total = Number((await qb.clone().count({ n: '*' }).first())?.n ?? 0);
    if (request.after) {
      const a = request.after;
      qb.whereRaw('(v.last_updated, v.res, v.version_id) < (?::timestamptz, ?::bigint, ?::int)', [a.lastUpdated, a.res, a.versionId]);
    }
    const rows: any[] = await qb
      .orderBy([{ column: 'v.last_updated', order: 'desc' }, { column: 'v.res', order: 'desc' }, { column: 'v.version_id', order: 'desc' }])
      .limit(request.count + 1)
      .select('v.res', 'v.resource_type', 'r.id', 'v.version_id', 'v.last_updated', 'v.deleted', 'v.content', 'r.patient_id');
    await this.recordAccess({
      interaction: request.id ? 'history-instance' : request.resourceType ? 'history-type' : 'history-system',
      resources: rows.slice(0, request.count).map((row) => ({ resourceType: row.resource_type, id: row.id, patientId: row.patient_id })),
      outcome: 'success',
    });
    // With its row's seq: the history page link (fhir/interactions.ts) continues from it.
    const entries = rows.slice(0, request.count).map((row) => ({ ...historyEntry(row), res: String(row.res) }));
    return { entries, more: rows.length > request.count, total };
  }

  /**
   * The versions of several resources, each after its own instant (newest first, at most `count`
   * each), in one query; each resource is audited as its own history read (`history` with an id).
   */
  async historyOfEach(requests: { resourceType: string; id: string; since: string }[], count: number): Promise<HistoryEntry[][]> {
    if (!requests.length) return [];
    const rows: any[] = await this.db('resource_version as v')
      .join('resource as r', 'r.seq', 'v.res')
      .where((any) => {
        for (const h of requests) any.orWhere((one) => one.where({ 'v.resource_type': h.resourceType, 'r.id': h.id }).where('v.last_updated', '>=', h.since));
      })
      .modify((q) => this.applyVisibility(q, 'version'))
      .orderBy([{ column: 'v.last_updated', order: 'desc' }, { column: 'v.res', order: 'desc' }, { column: 'v.version_id', order: 'desc' }])
      .select('v.res', 'v.resource_type', 'r.id', 'v.version_id', 'v.last_updated', 'v.deleted', 'v.content', 'r.patient_id');
    const out: HistoryEntry[][] = [];
    for (const h of requests) {
      const since = Date.parse(h.since);
      const mine = rows.filter((row) => row.resource_type === h.resourceType && row.id === h.id && new Date(row.last_updated).getTime() >= since).slice(0, count);
      await this.recordAccess({ interaction: 'history-instance', resources: mine.map((row) => ({ resourceType: row.resource_type, id: row.id, patientId: row.patient_id })), outcome: 'success' });
      out.push(mine.map(historyEntry));
    }
    return out;
  }

  /**
   * Given versions of several resources in one query, each audited as its own vread; a version that
   * is missing, not visible or a deletion comes back undefined (where `vread` answers 404 / 410).
   */
  async vreadEach(requests: { resourceType: string; id: string; versionId: string }[]): Promise<(Resource | undefined)[]> {
    const valid = requests.filter((v) => /^\d{1,9}$/.test(v.versionId));
    const rows: { resource_type: string; id: string; version_id: number; content: Resource; deleted: boolean; patient_id: string | null }[] = valid.length
      ? await this.db('resource_version as v')
        .join('resource as r', 'r.seq', 'v.res')
        .where((any) => {
          for (const v of valid) any.orWhere((one) => one.where({ 'r.resource_type': v.resourceType, 'r.id': v.id, 'v.version_id': Number(v.versionId) }));
        })
        .modify((q) => this.applyVisibility(q, 'version'))
        .select('r.resource_type', 'r.id', 'v.version_id', 'v.content', 'v.deleted', 'r.patient_id')
      : [];
    const out: (Resource | undefined)[] = [];
    for (const v of requests) {
      const row = rows.find((x) => x.resource_type === v.resourceType && x.id === v.id && String(x.version_id) === v.versionId);
      await this.recordAccess({ interaction: 'vread', resources: [{ resourceType: v.resourceType, id: v.id, patientId: row?.patient_id ?? null }], outcome: row && !row.deleted ? 'success' : 'failure' });
      out.push(row && !row.deleted ? row.content : undefined);
    }
    return out;
  }

  /**
   * Bulk load for seeding and benchmarks: new resources with their indexes, in batches, through
   * the same indexing code as single writes (validation left to the caller's data).
   */
  async bulkInsert(resources: Resource[]): Promise<void> {
    await this.transaction(async (repo) => {
      const now = new Date().toISOString();
      const prepared = resources.map((r) => {
        const resource = { ...r, id: r.id ?? randomUUID(), meta: { ...r.meta, versionId: '1', lastUpdated: now } } as Resource;
        return { resource, index: storeIndex(resource) };
      });
      const write = insertResourcesSql(prepared, now);
      const inserted = (await repo.db.raw(write.text, write.bindings as any[])).rows;
      // Same contract as the multi-row INSERT it replaces: an existing (type, id) is an error, not a skip.
      if (inserted.length !== prepared.length) throw conflict(`${prepared.length - inserted.length} ressource(s) existent déjà : chargement annulé`);
    });
  }

  /**
   * Appends server-written resources (the audit trail) with fresh ids, in ONE statement and no
   * transaction around it: a statement is atomic by itself, and BEGIN / COMMIT were two of the
   * three round trips of each group commit. Inside a transaction, it is that transaction's.
   */
  async appendAll(resources: Resource[]): Promise<void> {
    if (this.held) throw new NeedsTransaction();
    const now = new Date().toISOString();
    const prepared = resources.map((r) => {
      const resource = { ...r, id: randomUUID(), meta: { ...r.meta, versionId: '1', lastUpdated: now } } as Resource;
      return { resource, index: storeIndex(resource) };
    });
    const write = insertResourcesSql(prepared, now);
    const inserted = await sqlRows(this.db, write.text, write.bindings);
    if (inserted.length !== prepared.length) throw conflict(`${prepared.length - inserted.length} trace(s) non écrite(s) : identifiant déjà pris`);
  }

  private async insertNew<T extends Resource>(resource: T, hooks: boolean): Promise<T> {
    const lastUpdated = new Date().toISOString();
    const stored = withMeta(resource, '1', lastUpdated);
    // Authorised before validated: a caller who may not write here learns nothing about the content rules.
    const index = await this.indexWithCompartment(stored);
    if (hooks) await this.options.authorizeWrite?.(this, { action: 'create', resourceType: stored.resourceType, id: stored.id!, resource: stored, patientId: index.patientId });
    try {
      // The audit trail's own events are built by server code whose output a test validates; checking
      // each one again would cost ~0.5 ms on every read of the service.
      if (hooks || stored.resourceType !== 'AuditEvent') this.options.validate(stored);
      if (hooks) await this.checkRules({ action: 'create', resourceType: stored.resourceType, next: stored });
    } catch (error) {
      // A one-statement create has not read the rows its check took as visible yet: the content's
      // error must not answer before that check, so the create is made again, check first.
      if (this.held?.visibleRows.length) throw new NeedsTransaction();
      throw error;
    }
    if (hooks && this.held) return this.insertWithTraces(stored, index, lastUpdated);
    const write = insertResourcesSql([{ resource: stored, index }], lastUpdated);
    const inserted = await sqlRows(this.db, write.text, write.bindings);
    if (!inserted[0]?.seq) throw conflict(`${stored.resourceType}/${stored.id} existe déjà (création concurrente)`);
    if (hooks) await this.recordAccess({ interaction: 'create', resources: [{ resourceType: stored.resourceType, id: stored.id!, patientId: index.patientId }], outcome: 'success' });
    return stored;
  }

  /**
   * The statement of a one-statement create: the resource and the traces held for it. It fails as
   * a whole if the id is taken (no ON CONFLICT): a trace never outlives the write it tells of.
   */
  private async insertWithTraces<T extends Resource>(stored: T, index: IndexRows, lastUpdated: string): Promise<T> {
    const held = this.held!;
    await this.recordAccess({ interaction: 'create', resources: [{ resourceType: stored.resourceType, id: stored.id!, patientId: index.patientId }], outcome: 'success' });
    const traces = held.drain().map((event) => {
      const resource = withMeta(event, '1', lastUpdated);
      return { resource, index: storeIndex(resource) };
    });
    const onlyIf = held.visibleRows.map((row) => this.visibleWithoutEmergency(row.resourceType, row.id));
    const write = insertResourcesSql([{ resource: stored, index }, ...traces], lastUpdated, { existing: 'fail', onlyIf });
    let written: unknown[];
    try {
      written = await sqlRows(this.db, write.text, write.bindings);
    } catch (error) {
      if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw conflict(`${stored.resourceType}/${stored.id} existe déjà (création concurrente)`);
      throw error;
    }
    if (!written.length) throw new NeedsTransaction(); // a row taken as visible was not: the ordinary check decides
    return stored;
  }

  /** SQL: the current row is one the caller sees, and not through emergency access. */
  private visibleWithoutEmergency(resourceType: string, id: string): Sql {
    const row = this.visibleRow(resourceType, id);
    const flag = this.options.emergencyAccess;
    return {
      text: `EXISTS (SELECT 1 FROM resource r WHERE ${row.text} AND NOT r.deleted${flag ? ` AND NOT COALESCE(${flag.text}, false)` : ''})`,
      bindings: [...row.bindings, ...(flag?.bindings ?? [])],
    };
  }

  /** SQL on `resource r`: the row of this type and id, if the caller may see it (the access rules). */
  private visibleRow(resourceType: string, id: string): Sql {
    const conditions = this.options.visibility ?? [];
    return {
      text: `r.resource_type = ? AND r.id = ?${conditions.map((c) => ` AND (${c.text})`).join('')}`,
      bindings: [resourceType, id, ...conditions.flatMap((c) => c.bindings)],
    };
  }

  private async writeVersion<T extends Resource>(resource: T, seq: string, versionId: number, previousPatientId: string | null, previous?: Resource): Promise<T> {
    const lastUpdated = new Date().toISOString();
    const stored = withMeta(resource, String(versionId), lastUpdated);
    const index = await this.indexWithCompartment(stored);
    await this.options.authorizeWrite?.(this, { action: 'update', resourceType: stored.resourceType, id: stored.id!, resource: stored, patientId: index.patientId, previousPatientId, previous });
    this.options.validate(stored);
    await this.checkRules({ action: previous ? 'update' : 'create', resourceType: stored.resourceType, previous, next: stored });
    const write = writeVersionSql(String(seq), { resourceType: stored.resourceType, id: stored.id!, versionId, lastUpdated, deleted: false, resource: stored, index });
    await sqlRows(this.db, write.text, write.bindings);
    await this.recordAccess({ interaction: 'update', resources: [{ resourceType: stored.resourceType, id: stored.id!, patientId: index.patientId }], outcome: 'success' });
    return stored;
  }

  /** `withEmergency`: with the row's emergency-access flag, for the read's trace. */
  private async currentRow(resourceType: string, id: string, withEmergency = false): Promise<{ version_id: number; deleted: boolean; content: Resource; patient_id: string | null; emergency?: boolean } | undefined> {
    if (!isFhirId(id)) return undefined;
    const flag = withEmergency ? this.options.emergencyAccess : undefined;
    // Written out rather than through knex's query builder: this is the statement of every read, and
    // building it (~5 % of the app's CPU under a read load) cost about half what PostgreSQL takes to run it.
    const row = this.visibleRow(resourceType, id);
    const text = `SELECT r.version_id, r.deleted, r.content, r.patient_id${flag ? `, ${flag.text} AS emergency` : ''} FROM resource r WHERE ${row.text} LIMIT 1`;
    return (await sqlRows(this.db, text, [...(flag?.bindings ?? []), ...row.bindings]))[0];
  }

  /** The patient compartment of a resource whatever the caller may see: for the audit of refusals only. */
  async patientIdOf(resourceType: string, id: string): Promise<string | null> {
    if (!isFhirId(id)) return null;
    const row = await this.db('resource').where({ resource_type: resourceType, id }).first('patient_id');
    return row?.patient_id ?? null;
  }

  /** Traces an access refused before the store was reached (e.g. a type the profession never reads). */
  async traceRefusal(access: Omit<AccessRecord, 'outcome'>): Promise<void> {
    await this.recordAccess({ ...access, outcome: 'failure' });
  }

  /**
   * Everything in a patient's compartment the caller may see (Patient/$everything), oldest change
   * first; `limit + 1` rows are read so the caller can tell the list was cut.
   */
  async patientCompartment(patientId: string, options: { since?: string; types?: string[]; limit: number }): Promise<Resource[]> {
    const rows: { content: Resource; patient_id: string }[] = await this.db('resource as r')
      .where({ 'r.patient_id': patientId, 'r.deleted': false })
      .modify((qb) => {
        if (options.since) qb.where('r.last_updated', '>=', options.since);
        if (options.types?.length) qb.whereIn('r.resource_type', options.types);
        this.applyVisibility(qb);
      })
      .orderBy([{ column: 'r.last_updated', order: 'asc' }, { column: 'r.seq', order: 'asc' }])
      .limit(options.limit + 1)
      .select('r.content', 'r.patient_id');
    await this.recordAccess({
      interaction: 'search-type',
      resources: [{ resourceType: 'Patient', id: patientId, patientId }, ...rows.map((r) => ({ resourceType: r.content.resourceType, id: r.content.id!, patientId: r.patient_id }))],
      outcome: 'success',
      query: `Patient/${patientId}/$everything`,
    });
    return rows.map((r) => r.content);
  }

  /** Whether the caller can see a resource (no audit: used by authorisation checks). */
  /**
   * `isVisible`, with the row's emergency-access flag when the access rules give one: the write
   * check reads the patient's row anyway, and the write's trace then needs no lookup of its own.
   */
  async visibility(resourceType: string, id: string): Promise<{ visible: boolean; emergency?: boolean }> {
    if (this.held && isFhirId(id)) {
      // A one-statement create: taken as visible without emergency access, which its statement checks (see createNew).
      this.held.visibleRows.push({ resourceType, id });
      return { visible: true, ...(this.options.emergencyAccess ? { emergency: false } : {}) };
    }
    const row = await this.currentRow(resourceType, id, true);
    return { visible: Boolean(row && !row.deleted), ...(row ? emergencyOf(row) : {}) };
  }

  async isVisible(resourceType: string, id: string): Promise<boolean> {
    const row = await this.currentRow(resourceType, id);
    return Boolean(row && !row.deleted);
  }

  private async indexWithCompartment(resource: Resource): Promise<IndexRows> {
    const index = storeIndex(resource);
    const params = DERIVED_COMPARTMENT[resource.resourceType];
    if (index.patientId || !params) return index;
    const targets = index.reference.filter((r) => params.includes(r.param) && r.target_type && r.target_id);
    const direct = targets.find((t) => t.target_type === 'Patient');
    if (direct) return { ...index, patientId: direct.target_id };
    for (const t of targets) {
      const row = await this.db('resource').where({ resource_type: t.target_type, id: t.target_id }).whereNotNull('patient_id').first('patient_id');
      if (row) return { ...index, patientId: row.patient_id };
    }
    return index;
  }

  private async checkRules(change: Parameters<WriteRule>[0]): Promise<void> {
    for (const rule of this.options.rules ?? []) if (concerns(rule, change.resourceType)) await rule.check(change, this);
  }

  private async recordAccess(access: AccessRecord): Promise<void> {
    await this.options.audit?.(this, access);
  }

  /** `version`: the query reads `resource_version v` joined to `r` (vread, history). */
  private applyVisibility(qb: Knex.QueryBuilder, of: 'current' | 'version' = 'current'): void {
    const conditions = of === 'version' ? this.options.versionVisibility ?? this.options.visibility : this.options.visibility;
    for (const condition of conditions ?? []) qb.whereRaw(condition.text, condition.bindings as any[]);
  }
}

const UNIQUE_VIOLATION = '23505';

/** The index rows a resource is written with: none for the audit trail, searched by its content (audit-sql.ts). */
function storeIndex(resource: Resource): IndexRows {
  return resource.resourceType === 'AuditEvent' ? auditIndex(resource) : indexResource(resource);
}

function concerns(rule: WriteRuleScope, resourceType: string): boolean {
  return !rule.types || rule.types.includes(resourceType);
}

/** A row of resource_version joined to its resource, as a history entry. */
function historyEntry(row: any): HistoryEntry {
  return {
    resource: row.deleted ? undefined : row.content,
    resourceType: row.resource_type,
    id: row.id,
    versionId: String(row.version_id),
    lastUpdated: toIso(row.last_updated),
    deleted: row.deleted,
    isFirst: row.version_id === 1,
  };
}

/** Patients a search asks about (patient/subject criteria, or _id on Patient): traced even when nothing is found. */
function patientCriteria(request: SearchRequest): AccessRecord['resources'] {
  const ids = new Set<string>();
  for (const filter of request.filters) {
    if (filter.modifier === 'missing' || filter.modifier === 'not') continue;
    const isPatientRef = filter.param?.type === 'reference' && (filter.code === 'patient' || filter.code === 'subject' || filter.param.targets.includes('Patient'));
    for (const value of filter.values) {
      if (request.resourceType === 'Patient' && filter.code === '_id') ids.add(value);
      else if (isPatientRef) {
        const id = idOf(value, 'Patient') ?? (filter.code === 'patient' && isFhirId(value) ? value : undefined);
        if (id) ids.add(id);
      }
    }
  }
  return [...ids].map((id) => ({ resourceType: 'Patient', id, patientId: id }));
}

/** The emergency flag of a row read with it (RepositoryOptions.emergencyAccess), for its trace. */
function emergencyOf(row: { emergency?: boolean | null }): { emergency?: boolean } {
  return typeof row.emergency === 'boolean' ? { emergency: row.emergency } : {};
}

/** A resource an _include or _revinclude added, with its compartment for the search's audit. */
interface IncludedRow { seq: string; patient_id: string | null; content: Resource }

function appendOnly(): FhirError {
  return new FhirError(405, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', details: { text: "Le journal d'audit est en ajout seul : une trace ne peut être ni modifiée ni supprimée" } }] });
}

function withMeta<T extends Resource>(resource: T, versionId: string, lastUpdated: string): T {
  return passStructureCheck(resource, { ...resource, meta: { ...resource.meta, versionId, lastUpdated } });
}

function serializeKey(value: unknown): string | number {
  if (value instanceof Date) return value.toISOString();
  if (typeof value === 'number') return value;
  return String(value);
}

function toIso(value: unknown): string {
  return value instanceof Date ? value.toISOString() : new Date(String(value)).toISOString();
}

function uniqueResources<T extends Resource>(included: T[], matches: T[]): T[] {
  const seen = new Set(matches.map((r) => `${r.resourceType}/${r.id}`));
  return included.filter((r) => {
    const key = `${r.resourceType}/${r.id}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
