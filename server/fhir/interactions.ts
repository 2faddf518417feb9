import type { Bundle, OperationOutcome, OperationOutcomeIssue, Patient, Resource } from '@medplum/fhirtypes';
import { careTeamForNewPatient, establishmentForNewPatient, isSystem, mayWriteType, refuseUnlistedGeneralPractitioners } from '../access/index.ts';
import { probableDuplicateWarnings } from '../identity/index.ts';
import type { Principal } from '../context.ts';
import type { RequestContext } from '../context.ts';
import type { FhirRepository, HistoryEntry } from '../store/repository.ts';
import { badRequest, invalidResource, notFound, preconditionFailed } from '../fhir-kit/errors.ts';
import { parseETag } from '../fhir-kit/versions.ts';
import { markStructureChecked, validateFhirResource } from '../fhir-kit/validation.ts';
import { isSupportedResourceType } from '../fhir-kit/resource-types.ts';
import { requireSoundStructure } from '../fhir-kit/structure-check.ts';
import { encodeCursor, parseSearchRequest, queryWithoutCursor, type PagingLimits } from '../fhir-kit/search-request.ts';

/** What an interaction produced, before it is written as an HTTP response or a Bundle entry. */
export interface InteractionResult {
  status: number;
  resource?: Resource;
  location?: string;
  etag?: string;
  lastModified?: string;
  /** Hints and warnings about the write (e.g. a probable duplicate handed to identity-vigilance), for `Prefer: return=OperationOutcome`. */
  issues?: OperationOutcomeIssue[];
}

export interface InteractionOptions extends PagingLimits {
  strict: boolean;
}

export function requireType(type: string): void {
  if (!isSupportedResourceType(type)) throw notFound(`Type de ressource inconnu ou non pris en charge : '${type}'`);
}

/** The body of a write: a resource of the URL's type, of sound structure (400 otherwise; `$validate` reports instead). */
export function checkBody(type: string, body: unknown, id?: string, options: { structure?: boolean; principal?: Principal } = {}): Resource {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Le corps de la requête doit être une ressource FHIR en JSON');
  const resource = body as Resource;
  if (resource.resourceType !== type) {
    throw badRequest(`Le corps est de type '${String(resource.resourceType)}' alors que l'URL désigne ${type}`, ['resourceType']);
  }
  if (id !== undefined && resource.id !== id) {
    throw badRequest(`L'id du corps ('${resource.id ?? ''}') doit être celui de l'URL ('${id}')`, [`${type}.id`]);
  }
  // Before any code walks it (care team, compartment, indexes): empty values, prototype keys, depth…
  if (options.structure === false) return resource;
  requireSoundStructure(resource, type);
  // Base R4 structure (types, cardinality) too: domain rules that run before the store's full
  // validation (identity status, care team, compartment) may then trust the shape they read.
  // A caller who may not write this type at all gets the store's 403 and learns nothing of its content rules.
  if (options.principal && !mayWriteType(options.principal, type)) return resource;
  const { structural } = validateFhirResource(resource);
  if (structural.length) throw invalidResource(400, structural);
  markStructureChecked(resource); // the store's validation of this content checks the rest only
  return resource;
}

export function versionedResult(ctx: RequestContext, status: number, resource: Resource): InteractionResult {
  return {
    status,
    resource,
    location: `${ctx.baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`,
    etag: `W/"${resource.meta?.versionId}"`,
    lastModified: resource.meta?.lastUpdated,
  };
}

/** create; with `ifNoneExist` a conditional create: 200 on one match, 201 on none, 412 on several. */
export async function createResource(
  repo: FhirRepository, ctx: RequestContext, resource: Resource, options: InteractionOptions, ifNoneExist?: string,
): Promise<InteractionResult> {
  const result = !ifNoneExist ? versionedResult(ctx, 201, await createWithCareTeam(repo, ctx, resource)) : await repo.transaction(async (tx) => {
    // Two identical conditional creates at once must not both create.
    await tx.lock(`conditional-create:${resource.resourceType}?${ifNoneExist}`);
    const matches = await matchesOf(tx, resource.resourceType, ifNoneExist, options);
    if (matches.length > 1) throw preconditionFailed(`If-None-Exist '${ifNoneExist}' correspond à ${matches.length} ressources : critère pas assez sélectif`);
    if (matches.length === 1) return versionedResult(ctx, 200, matches[0]);
    return versionedResult(ctx, 201, await createWithCareTeam(tx, ctx, resource));
  });
  if (result.status !== 201 || result.resource?.resourceType !== 'Patient') return result;
  const warnings = await probableDuplicateWarnings(repo, result.resource as Patient);
  return warnings.length ? { ...result, issues: warnings } : result;
}

/**
 * Creates; a patient record gets its establishment (managingOrganization) from its creator's
 * directory roles, and a physician creating it joins its care team, in the same transaction.
 */
export async function createWithCareTeam<T extends Resource>(repo: FhirRepository, ctx: RequestContext, resource: T, id?: string): Promise<T> {
  // Any other create is alone: the store may write it as one statement (FhirRepository.create).
  if (resource.resourceType !== 'Patient') return id ? repo.createWithId(resource, id) : repo.create(resource);
  return repo.transaction(async (tx) => {
    await refuseUnlistedGeneralPractitioners(tx, ctx.principal, resource as Patient);
    const sent = (resource as Patient).managingOrganization;
    const establishment = await establishmentForNewPatient(tx, ctx.principal, resource as Patient);
    // A new object when the server fills it in: the store validates it whole (no structure mark passed on).
    const patient = establishment === sent ? resource : { ...resource, managingOrganization: establishment };
    const created = id ? await tx.createWithId(patient, id) : await tx.create(patient);
    const careTeam = created.resourceType === 'Patient' ? careTeamForNewPatient(ctx.principal, created as Patient) : undefined;
    if (careTeam) await tx.append(careTeam);
    return created;
  });
}

export async function matchesOf(repo: FhirRepository, resourceType: string, query: string, options: InteractionOptions): Promise<Resource[]> {
  const { request } = parseSearchRequest(resourceType, new URLSearchParams(query.replace(/^\?/, '')), options, true);
  if (!request.filters.length) throw badRequest(`Critère conditionnel vide : '${query}'`);
  request.count = 2;
  request.total = 'none';
  return (await repo.search(request)).resources;
}

export async function updateResource(repo: FhirRepository, ctx: RequestContext, resource: Resource, ifMatch?: string): Promise<InteractionResult> {
  const version = ifMatch === undefined ? undefined : parseETag(ifMatch);
  // Only a professional naming a médecin traitant is judged (refuseUnlistedGeneralPractitioners): no extra read otherwise.
  if (resource.resourceType === 'Patient' && resource.id && (resource as Patient).generalPractitioner?.length && !isSystem(ctx.principal)) {
    const previous = await repo.serviceView().readIfExists<Patient>('Patient', resource.id);
    await refuseUnlistedGeneralPractitioners(repo, ctx.principal, resource as Patient, previous);
  }
  const { resource: stored, created } = await repo.update(resource, { ifMatch: version });
  return versionedResult(ctx, created ? 201 : 200, stored);
}

export async function deleteResource(repo: FhirRepository, type: string, id: string): Promise<InteractionResult> {
  await repo.delete(type, id);
  return { status: 204 };
}

export async function searchResources(
  repo: FhirRepository, ctx: RequestContext, type: string, query: URLSearchParams, options: InteractionOptions,
): Promise<Bundle> {
  const { request, warnings } = parseSearchRequest(type, query, options, options.strict);
  const result = await repo.search(request);
  const base = `${ctx.baseUrl}/${type}`;
  const linkTo = (cursor?: string) => {
    const q = queryWithoutCursor(query);
    if (cursor) q.set('_cursor', cursor);
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  const link: Bundle['link'] = [{ relation: 'self', url: linkTo(query.get('_cursor') ?? undefined) }];
  if (result.next) link.push({ relation: 'next', url: linkTo(encodeCursor(result.next)) });
  if (result.previous) link.push({ relation: 'previous', url: linkTo(encodeCursor(result.previous)) });
  const entry: Bundle['entry'] = [
    ...result.resources.map((resource) => ({ fullUrl: `${ctx.baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' as const } })),
    ...result.included.map((resource) => ({ fullUrl: `${ctx.baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'include' as const } })),
  ];
  if (warnings.length) entry.push({ resource: outcomeOf(warnings), search: { mode: 'outcome' } });
  return { resourceType: 'Bundle', type: 'searchset', ...(result.total !== undefined ? { total: result.total } : {}), link, entry };
}

export async function historyBundle(
  repo: FhirRepository, ctx: RequestContext, query: URLSearchParams, options: InteractionOptions, type?: string, id?: string,
): Promise<Bundle> {
  const since = query.get('_since') ?? undefined;
  if (since !== undefined && (Number.isNaN(Date.parse(since)) || !/^\d{4}-/.test(since) || Date.parse(since) > Date.UTC(9999, 11, 31, 23, 59, 59, 999))) throw badRequest(`_since attend un instant (ex. 2025-01-31T08:00:00Z), reçu '${since}'`, ['_since']);
  const countParam = query.get('_count');
  const count = countParam === null ? options.defaultCount : Math.min(Number(countParam), options.maxCount);
  if (!Number.isInteger(count) || count < 1) throw badRequest(`_count attend un entier positif, reçu '${countParam}'`, ['_count']);
  const page = query.get('_page');
  const after = page ? decodeHistoryPage(page) : undefined;
  if (id) await repo.history({ resourceType: type, id, count: 1 }).then((h) => { if (!h.entries.length) throw notFound(`${type}/${id} introuvable`); });
  const { entries, more, total } = await repo.history({ resourceType: type, id, since: since ? new Date(since).toISOString() : undefined, count, after });
  const base = [ctx.baseUrl, type, id, '_history'].filter(Boolean).join('/');
  const linkTo = (pageToken?: string) => {
    const q = new URLSearchParams(query);
    q.delete('_page');
    if (pageToken) q.set('_page', pageToken);
    const s = q.toString();
    return s ? `${base}?${s}` : base;
  };
  const link: Bundle['link'] = [{ relation: 'self', url: linkTo(page ?? undefined) }];
  const last = entries.at(-1) as (HistoryEntry & { res: string }) | undefined;
  if (more && last) link.push({ relation: 'next', url: linkTo(encodeHistoryPage(last)) });
  return {
    resourceType: 'Bundle',
    type: 'history',
    ...(total !== undefined ? { total } : {}),
    link,
    entry: entries.map((e) => ({
      fullUrl: `${ctx.baseUrl}/${e.resourceType}/${e.id}`,
      ...(e.resource ? { resource: e.resource } : {}),
      request: { method: e.deleted ? 'DELETE' : e.isFirst ? 'POST' : 'PUT', url: e.isFirst && !e.deleted ? e.resourceType : `${e.resourceType}/${e.id}` },
      response: { status: e.deleted ? '204' : e.isFirst ? '201' : '200', etag: `W/"${e.versionId}"`, lastModified: e.lastUpdated },
    })),
  };
}

function encodeHistoryPage(e: HistoryEntry & { res: string }): string {
  return Buffer.from(JSON.stringify([e.lastUpdated, e.res, Number(e.versionId)])).toString('base64url');
}

function decodeHistoryPage(token: string): { lastUpdated: string; res: string; versionId: number } {
  try {
    const [lastUpdated, res, versionId] = JSON.parse(Buffer.from(token, 'base64url').toString('utf8'));
    if (Number.isNaN(Date.parse(lastUpdated)) || !/^\d+$/.test(res) || !Number.isInteger(versionId)) throw new Error('shape');
    return { lastUpdated, res, versionId };
  } catch {
    throw badRequest("Lien de pagination d'historique invalide (_page)", ['_page']);
  }
}

export function outcomeOf(issues: OperationOutcomeIssue[]): OperationOutcome {
  return { resourceType: 'OperationOutcome', issue: issues };
}

