import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import type { FhirRepository } from '../store/repository.ts';
import { badRequest, FhirError, outcome, issue } from '../fhir-kit/errors.ts';
import { structuralIssues } from '../fhir-kit/structure-check.ts';
import {
  checkBody, createResource, createWithCareTeam, deleteResource, matchesOf, requireType, searchResources, updateResource, versionedResult,
  type InteractionOptions, type InteractionResult,
} from './interactions.ts';

const STATUS_TEXT: Record<number, string> = { 200: '200 OK', 201: '201 Created', 204: '204 No Content' };
const MAX_ENTRIES = 1000;

/**
 * POST /fhir with a transaction (all or nothing, urn:uuid references resolved, conditional
 * creates inside) or a batch (each entry on its own).
 */
export async function processBundle(repo: FhirRepository, ctx: RequestContext, body: unknown, options: InteractionOptions): Promise<Bundle> {
  const bundle = body as Bundle;
  if (!bundle || bundle.resourceType !== 'Bundle') throw badRequest("POST /fhir attend un Bundle de type 'transaction' ou 'batch'", ['resourceType']);
  if (bundle.type !== 'transaction' && bundle.type !== 'batch') {
    throw badRequest(`Bundle.type doit être 'transaction' ou 'batch', reçu '${bundle.type}'`, ['Bundle.type']);
  }
  if (bundle.entry !== undefined && !Array.isArray(bundle.entry)) throw badRequest('Bundle.entry doit être un tableau d\'entrées', ['Bundle.entry']);
  const entries = bundle.entry ?? [];
  if (entries.length > MAX_ENTRIES) throw badRequest(`Un Bundle est limité à ${MAX_ENTRIES} entrées (reçu ${entries.length})`, ['Bundle.entry']);
  const problems = entries.map((entry, i) => entryProblem(entry, i));
  if (bundle.type === 'transaction') {
    const first = problems.find(Boolean);
    if (first) throw first;
    return processTransaction(repo, ctx, entries, options);
  }
  return processBatch(repo, ctx, entries, options, problems);
}

const METHODS = new Set(['GET', 'HEAD', 'POST', 'PUT', 'DELETE', 'PATCH']);

/**
 * The shape of one entry, checked before anything reads it: a malformed entry is the caller's
 * mistake (400 naming it), and in a batch only that entry fails.
 */
function entryProblem(entry: unknown, i: number): FhirError | undefined {
  const at = `Bundle.entry[${i}]`;
  if (!entry || typeof entry !== 'object' || Array.isArray(entry)) return badRequest(`${at} doit être un objet`, [at]);
  const e = entry as Record<string, unknown>;
  const request = e.request as Record<string, unknown> | undefined;
  if (!request || typeof request !== 'object' || Array.isArray(request)) return badRequest(`${at}.request (method, url) est obligatoire`, [`${at}.request`]);
  if (typeof request.method !== 'string' || !METHODS.has(request.method)) return badRequest(`${at}.request.method doit être GET, POST, PUT ou DELETE`, [`${at}.request.method`]);
  if (typeof request.url !== 'string' || !request.url || request.url.length > 4096) return badRequest(`${at}.request.url doit être un texte non vide`, [`${at}.request.url`]);
  for (const key of ['ifNoneExist', 'ifMatch', 'ifNoneMatch', 'ifModifiedSince'] as const) {
    if (request[key] !== undefined && (typeof request[key] !== 'string' || !request[key])) return badRequest(`${at}.request.${key} doit être un texte`, [`${at}.request.${key}`]);
  }
  if (e.fullUrl !== undefined && (typeof e.fullUrl !== 'string' || !e.fullUrl)) return badRequest(`${at}.fullUrl doit être un texte (URI)`, [`${at}.fullUrl`]);
  if (e.resource !== undefined && (!e.resource || typeof e.resource !== 'object' || Array.isArray(e.resource))) return badRequest(`${at}.resource doit être une ressource`, [`${at}.resource`]);
  const issues = [...structuralIssues(e.request, `${at}.request`), ...(e.resource ? structuralIssues(e.resource, `${at}.resource`) : [])];
  return issues.length ? new FhirError(400, outcome(issues)) : undefined;
}

async function processTransaction(repo: FhirRepository, ctx: RequestContext, entries: BundleEntry[], options: InteractionOptions): Promise<Bundle> {
  return repo.transaction(async (tx) => {
    const results: InteractionResult[] = new Array(entries.length);
    // References to urn:uuid fullUrls → the ids they get in this transaction.
    const resolved = new Map<string, string>();
    const order = entries.map((entry, i) => ({ entry, i })).sort((a, b) => rank(a.entry) - rank(b.entry));

    // First pass: decide the id of every created resource (or the match of a conditional create).
    const plannedIds = new Map<number, string>();
    for (const { entry, i } of order) {
      if (entry.request!.method !== 'POST') continue;
      const type = entry.request!.url.split('?')[0];
      await atEntry(i, async () => {
        requireType(type);
        if (entry.request!.ifNoneExist) {
          await tx.lock(`conditional-create:${type}?${entry.request!.ifNoneExist}`);
          const matches = await matchesOf(tx, type, entry.request!.ifNoneExist, options);
          if (matches.length > 1) throw new FhirError(412, outcome([issue('error', 'duplicate', `If-None-Exist '${entry.request!.ifNoneExist}' correspond à ${matches.length} ressources`)]));
          if (matches.length === 1) {
            results[i] = versionedResult(ctx, 200, matches[0]);
            if (entry.fullUrl) resolved.set(entry.fullUrl, `${type}/${matches[0].id}`);
            return;
          }
        }
        const id = randomUUID();
        plannedIds.set(i, id);
        if (entry.fullUrl) resolved.set(entry.fullUrl, `${type}/${id}`);
      });
    }
    for (const entry of entries) {
      if (entry.request!.method === 'PUT' && entry.fullUrl?.startsWith('urn:uuid:')) resolved.set(entry.fullUrl, entry.request!.url.split('?')[0]);
    }

    for (const { entry, i } of order) {
      if (results[i]) continue;
      results[i] = await atEntry(i, async () => {
        const resource = entry.resource ? (resolveReferences(structuredClone(entry.resource), resolved) as Resource) : undefined;
        return runEntry(tx, ctx, entry, resource, options, plannedIds.get(i));
      });
    }
    return { resourceType: 'Bundle', type: 'transaction-response', entry: results.map((r) => responseEntry(r)) };
  });
}

async function processBatch(repo: FhirRepository, ctx: RequestContext, entries: BundleEntry[], options: InteractionOptions, problems: (FhirError | undefined)[]): Promise<Bundle> {
  const out: BundleEntry[] = [];
  for (const [i, entry] of entries.entries()) {
    const problem = problems[i];
    if (problem) {
      out.push({ response: { status: String(problem.status), outcome: problem.outcome } });
      continue;
    }
    try {
      out.push(responseEntry(await repo.transaction((tx) => runEntry(tx, ctx, entry, entry.resource, options))));
    } catch (error) {
      if (!(error instanceof FhirError)) throw error;
      out.push({ response: { status: String(error.status), outcome: error.outcome } });
    }
  }
  return { resourceType: 'Bundle', type: 'batch-response', entry: out };
}

async function runEntry(
  tx: FhirRepository, ctx: RequestContext, entry: BundleEntry, resource: Resource | undefined, options: InteractionOptions, plannedId?: string,
): Promise<InteractionResult> {
  const { method, url } = entry.request!;
  const [path, query = ''] = url.replace(/^\//, '').split('?');
  const [type, id, ...rest] = path.split('/');
  requireType(type);
  switch (method) {
    case 'POST': {
      if (id) throw badRequest(`POST ${url} : seul POST <Type> est permis dans un Bundle`);
      const body = checkBody(type, resource, undefined, { principal: ctx.principal });
      if (plannedId) return versionedResult(ctx, 201, await createWithCareTeam(tx, ctx, body, plannedId));
      return createResource(tx, ctx, body, options, entry.request!.ifNoneExist);
    }
    case 'PUT':
      if (!id || rest.length) throw badRequest(`PUT ${url} : attendu PUT <Type>/<id>`);
      return updateResource(tx, ctx, checkBody(type, resource, id, { principal: ctx.principal }), entry.request!.ifMatch);
    case 'DELETE':
      if (!id || rest.length) throw badRequest(`DELETE ${url} : attendu DELETE <Type>/<id>`);
      return deleteResource(tx, type, id);
    case 'GET':
      if (!id) return { status: 200, resource: await searchResources(tx, ctx, type, new URLSearchParams(query), options) };
      if (rest.length === 2 && rest[0] === '_history') return versionedResult(ctx, 200, await tx.vread(type, id, rest[1]));
      return versionedResult(ctx, 200, await tx.read(type, id));
    default:
      throw badRequest(`Méthode ${method} non prise en charge dans un Bundle`);
  }
}

/** FHIR processing order inside a transaction: DELETE, POST, PUT/PATCH, then GET. */
function rank(entry: BundleEntry): number {
  return { DELETE: 0, POST: 1, PUT: 2, PATCH: 2, GET: 3, HEAD: 3 }[entry.request!.method] ?? 4;
}

async function atEntry<T>(index: number, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (error) {
    if (error instanceof FhirError) {
      // Name the entry so the client knows which one broke the transaction.
      for (const i of error.outcome.issue ?? []) {
        i.expression = (i.expression ?? ['']).map((e) => `Bundle.entry[${index}]${e ? `.resource.${e.replace(/^[A-Z][A-Za-z]+\./, '')}` : ''}`);
      }
    }
    throw error;
  }
}

function resolveReferences(value: unknown, resolved: Map<string, string>): unknown {
  if (Array.isArray(value)) return value.map((v) => resolveReferences(v, resolved));
  if (!value || typeof value !== 'object') return value;
  const obj = value as Record<string, unknown>;
  for (const [key, v] of Object.entries(obj)) {
    if (key === 'reference' && typeof v === 'string' && v.startsWith('urn:uuid:')) {
      const target = resolved.get(v);
      if (!target) throw badRequest(`Référence ${v} : aucune entrée du Bundle n'a ce fullUrl`, [key]);
      obj[key] = target;
    } else obj[key] = resolveReferences(v, resolved);
  }
  return obj;
}

function responseEntry(result: InteractionResult): BundleEntry {
  return {
    ...(result.resource ? { resource: result.resource } : {}),
    response: {
      status: STATUS_TEXT[result.status] ?? String(result.status),
      ...(result.location ? { location: result.location } : {}),
      ...(result.etag ? { etag: result.etag } : {}),
      ...(result.lastModified ? { lastModified: result.lastModified } : {}),
    },
  };
}
