import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Config } from '../config.ts';
import type { RequestContext } from '../context.ts';
import type { Store } from '../store/store.ts';
import { buildCapabilityStatement } from './capability.ts';
import { processBundle } from './bundle-processing.ts';
import { allOk, badRequest, methodNotAllowed, notFound, unsupportedMediaType } from '../fhir-kit/errors.ts';
import { isStrict, sendInteraction, sendResource } from './http.ts';
import {
  checkBody, createResource, deleteResource, historyBundle, outcomeOf, requireType, searchResources, updateResource,
  versionedResult, type InteractionOptions,
} from './interactions.ts';
import { validateFhirResource } from '../fhir-kit/validation.ts';
import { structuralIssues } from '../fhir-kit/structure-check.ts';
import type { OperationHandler } from './operations.ts';
import { breakGlass, ownEmergencyAccess, requireReadableType } from '../access/index.ts';
import { meetingDateTime } from '../fhir-kit/french-dates.ts';
import type { AccessStore } from '../store/access-store.ts';
import { FHIR_ID_PATTERN } from '../fhir-kit/ids.ts';

export interface FhirRouteDeps {
  store: Store;
  accessStore: AccessStore;
  config: Config;
  /** The caller of a request, set by the authentication layer. */
  contextOf: (req: Request) => RequestContext;
  software: { name: string; version: string };
  /** The `$operation` list of a type, from the operations table, for the CapabilityStatement. */
  operationsOf: (type: string) => { name: string; definition: string }[];
}

type Handler = (req: Request, res: Response, deps: FhirRouteDeps, params: string[]) => Promise<void>;

interface Route { pattern: RegExp; methods: Partial<Record<string, Handler>> }

const TYPE = '([A-Z][A-Za-z]+)';
const ID = `(${FHIR_ID_PATTERN})`;

/** FHIR R4 REST interactions under /fhir. Handlers are thin: the work is in interactions.ts. */
export function fhirRouter(deps: FhirRouteDeps): Router {
  const router = express.Router();
  router.use(requireJsonBody);
  router.use(express.urlencoded({ extended: false, limit: deps.config.maxBodySize }));

  const routes: Route[] = [
    { pattern: /^\/metadata$/, methods: { GET: metadata } },
    { pattern: /^\/?$/, methods: { POST: bundle } },
    { pattern: /^\/_history$/, methods: { GET: systemHistory } },
    { pattern: new RegExp(`^/${TYPE}$`), methods: { GET: search, POST: create } },
    { pattern: new RegExp(`^/${TYPE}/_search$`), methods: { POST: searchPost } },
    { pattern: new RegExp(`^/${TYPE}/_history$`), methods: { GET: typeHistory } },
    { pattern: new RegExp(`^/${TYPE}/${ID}$`), methods: { GET: read, PUT: update, DELETE: remove } },
    { pattern: new RegExp(`^/${TYPE}/${ID}/_history$`), methods: { GET: instanceHistory } },
    { pattern: new RegExp(`^/${TYPE}/${ID}/_history/([^/]+)$`), methods: { GET: vread } },
  ];

  router.use((req: Request, res: Response, next: NextFunction) => {
    for (const route of routes) {
      const match = route.pattern.exec(req.path);
      if (!match) continue;
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      const handler = route.methods[method];
      if (!handler) {
        res.set('Allow', Object.keys(route.methods).join(', '));
        return next(methodNotAllowed(`${req.method} n'est pas permis sur ${req.baseUrl}${req.path} (permis : ${Object.keys(route.methods).join(', ')})`));
      }
      const params = match.slice(1);
      if (params[0] && /^[A-Z]/.test(params[0])) {
        try {
          requireType(params[0]);
        } catch (error) {
          return next(error);
        }
      }
      return handler(req, res, deps, params).catch(next);
    }
    next(notFound(`Aucune interaction FHIR à ${req.baseUrl}${req.path}`));
  });
  return router;
}

/** A body must be JSON: 415 otherwise, before anything is parsed. */
function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!['POST', 'PUT', 'PATCH'].includes(req.method) || !hasBody) return next();
  const type = (req.get('content-type') ?? '').split(';')[0].trim().toLowerCase();
  const formSearch = req.path.endsWith('/_search') && type === 'application/x-www-form-urlencoded';
  if (type === 'application/fhir+json' || type === 'application/json' || formSearch) return next();
  next(unsupportedMediaType(`Type de contenu '${type || '(absent)'}' non pris en charge : envoyez application/fhir+json`));
}

function optionsOf(req: Request, deps: FhirRouteDeps): InteractionOptions {
  return { defaultCount: deps.config.defaultPageSize, maxCount: deps.config.maxPageSize, strict: isStrict(req) };
}

function queryOf(req: Request): URLSearchParams {
  const i = req.originalUrl.indexOf('?');
  return new URLSearchParams(i < 0 ? '' : req.originalUrl.slice(i + 1));
}

function repoOf(req: Request, deps: FhirRouteDeps) {
  const ctx = deps.contextOf(req);
  return { ctx, repo: deps.store.forRequest(ctx) };
}

/** For reads: a type the caller's profession never sees is refused (403) — and the attempt traced. */
async function readerOf(req: Request, deps: FhirRouteDeps, type: string, id?: string) {
  const { ctx, repo } = repoOf(req, deps);
  try {
    requireReadableType(ctx.principal, type);
  } catch (error) {
    const patientId = id ? await repo.patientIdOf(type, id) : null;
    await repo.traceRefusal({
      interaction: id ? 'read' : 'search-type',
      resources: id ? [{ resourceType: type, id, patientId }] : [],
      query: id ? undefined : `${type}?${queryOf(req).toString()}`,
      detail: (error as Error).message,
    });
    throw error;
  }
  return { ctx, repo };
}

const metadata: Handler = async (req, res, deps) => {
  sendResource(req, res, 200, buildCapabilityStatement(deps.contextOf(req).baseUrl, deps.software, deps.operationsOf));
};

const bundle: Handler = async (req, res, deps) => {
  const { ctx, repo } = repoOf(req, deps);
  sendResource(req, res, 200, await processBundle(repo, ctx, req.body, optionsOf(req, deps)));
};

const create: Handler = async (req, res, deps, [type]) => {
  const { ctx, repo } = repoOf(req, deps);
  // The store gives a created resource its id: one in the body is ignored.
  const body = checkBody(type, req.body, undefined, { principal: ctx.principal });
  const result = await createResource(repo, ctx, body, optionsOf(req, deps), req.get('if-none-exist') ?? undefined);
  sendInteraction(req, res, result);
};

const read: Handler = async (req, res, deps, [type, id]) => {
  const { ctx, repo } = await readerOf(req, deps, type, id);
  sendInteraction(req, res, versionedResult(ctx, 200, await repo.read(type, id)));
};

const vread: Handler = async (req, res, deps, [type, id, version]) => {
  const { ctx, repo } = await readerOf(req, deps, type, id);
  sendInteraction(req, res, versionedResult(ctx, 200, await repo.vread(type, id, version)));
};

const update: Handler = async (req, res, deps, [type, id]) => {
  const { ctx, repo } = repoOf(req, deps);
  sendInteraction(req, res, await updateResource(repo, ctx, checkBody(type, req.body, id, { principal: ctx.principal }), req.get('if-match') ?? undefined));
};

const remove: Handler = async (req, res, deps, [type, id]) => {
  const { repo } = repoOf(req, deps);
  const result = await deleteResource(repo, type, id);
  sendResource(req, res, result.status, undefined);
};

const search: Handler = async (req, res, deps, [type]) => {
  const { ctx, repo } = await readerOf(req, deps, type);
  sendResource(req, res, 200, await searchResources(repo, ctx, type, queryOf(req), optionsOf(req, deps)));
};

const searchPost: Handler = async (req, res, deps, [type]) => {
  const { ctx, repo } = await readerOf(req, deps, type);
  const query = queryOf(req);
  for (const [k, v] of Object.entries((req.body ?? {}) as Record<string, string | string[]>)) {
    for (const value of Array.isArray(v) ? v : [v]) query.append(k, value);
  }
  sendResource(req, res, 200, await searchResources(repo, ctx, type, query, optionsOf(req, deps)));
};

const systemHistory: Handler = async (req, res, deps) => {
  const { ctx, repo } = repoOf(req, deps);
  sendResource(req, res, 200, await historyBundle(repo, ctx, queryOf(req), optionsOf(req, deps)));
};

const typeHistory: Handler = async (req, res, deps, [type]) => {
  const { ctx, repo } = await readerOf(req, deps, type);
  sendResource(req, res, 200, await historyBundle(repo, ctx, queryOf(req), optionsOf(req, deps), type));
};

const instanceHistory: Handler = async (req, res, deps, [type, id]) => {
  const { ctx, repo } = await readerOf(req, deps, type, id);
  sendResource(req, res, 200, await historyBundle(repo, ctx, queryOf(req), optionsOf(req, deps), type, id));
};

/** $validate: the body is a resource or a Parameters with a `resource` part; answers 200 with the outcome. */
/** The operations of the FHIR layer itself, routed from the table in server/operations.ts. */
export function coreOperations(deps: { store: Store; accessStore: AccessStore }): Record<'validate' | 'breakGlass' | 'emergencyAccess', OperationHandler> {
  return {
    validate: async (req, res, { type }) => validate(req, res, type),
    breakGlass: async (req, res, { id }) => breakGlassOperation(req, res, deps, String(id)),
    emergencyAccess: async (req, res, { id }) => emergencyAccessOperation(req, res, deps, String(id)),
  };
}

async function validate(req: Request, res: Response, type: string): Promise<void> {
  let candidate = req.body;
  if (candidate?.resourceType === 'Parameters') candidate = parameterOf(candidate, 'resource')?.resource;
  if (!candidate) throw badRequest('$validate attend une ressource (ou un Parameters avec une partie resource)');
  const resource = checkBody(type, candidate, undefined, { structure: false });
  const sound = structuralIssues(resource, type);
  const { structural, bindings } = sound.length ? { structural: [], bindings: [] } : validateFhirResource(resource);
  const issues = [...sound, ...structural, ...bindings];
  sendResource(req, res, 200, issues.length ? outcomeOf(issues) : allOk(`${type} valide`));
}

/** Patient/{id}/$break-glass: emergency access with a stated reason (Parameters.reason or {reason}). */
async function breakGlassOperation(req: Request, res: Response, deps: { store: Store; accessStore: AccessStore }, id: string): Promise<void> {
  const ctx = req.dccContext!;
  const body = req.body ?? {};
  const reason = body.resourceType === 'Parameters' ? parameterOf(body, 'reason')?.valueString : body.reason;
  const grant = await breakGlass(deps.store, deps.accessStore, ctx, id, reason);
  sendResource(req, res, 200, {
    resourceType: 'OperationOutcome',
    issue: [{
      severity: 'warning', code: 'suppressed',
      // The end in Paris time, as the professional reads it; software reads it from GET $break-glass (Parameters.period).
      details: { text: `Accès d'urgence ouvert jusqu'au ${meetingDateTime(grant.expiresAt)} (heure de Paris) : chaque consultation est tracée et sera relue. Motif : ${grant.reason}` },
    }],
  });
}

/** Query parameters every FHIR read accepts (http.ts): anything else names what this operation does not take. */
const FORMAT_PARAMETERS = ['_format', '_pretty'];

/**
 * GET Patient/{id}/$break-glass: the caller's own emergency access to the record, as Parameters
 * `active` and, while it runs, `period` (its start and end). It takes no parameter: there is no
 * asking about someone else's access.
 */
async function emergencyAccessOperation(req: Request, res: Response, deps: { store: Store; accessStore: AccessStore }, id: string): Promise<void> {
  const unexpected = Object.keys(req.query).filter((name) => !FORMAT_PARAMETERS.includes(name));
  if (unexpected.length) {
    throw badRequest(`$break-glass en GET ne prend aucun paramètre (reçu : ${unexpected.join(', ')}) : il répond de votre propre accès d'urgence`, unexpected);
  }
  const grant = await ownEmergencyAccess(deps.store, deps.accessStore, req.dccContext!, id);
  // Its answer changes as the access ends: never served from a cache.
  res.set('Cache-Control', 'no-store');
  sendResource(req, res, 200, {
    resourceType: 'Parameters',
    parameter: [
      { name: 'active', valueBoolean: Boolean(grant) },
      ...(grant ? [{ name: 'period', valuePeriod: { start: grant.createdAt, end: grant.expiresAt } }] : []),
    ],
  });
}

/** The named part of a Parameters resource; 400 when `parameter` is not a list of parts. */
function parameterOf(body: { parameter?: unknown }, name: string): Record<string, any> | undefined {
  if (body.parameter === undefined) return undefined;
  if (!Array.isArray(body.parameter) || !body.parameter.every((p) => p && typeof p === 'object' && !Array.isArray(p))) {
    throw badRequest('Parameters.parameter doit être une liste de parties { name, value[x] | resource }', ['Parameters.parameter']);
  }
  return body.parameter.find((p: Record<string, unknown>) => p.name === name);
}
