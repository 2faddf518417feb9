/**
 * FHIR `$operations`: one table of rows (resource, level, method, code → handler), one router
 * built from it, and the OperationDefinition of each operation — so that what is routed and what
 * the CapabilityStatement advertises cannot drift apart (Medplum's `fhir/operations` idea).
 * The table itself is assembled in server/operations.ts, which knows the domain modules.
 */
import express, { type NextFunction, type Request, type RequestHandler, type Response, type Router } from 'express';
import type { OperationDefinition } from '@medplum/fhirtypes';
import { methodNotAllowed, notFound, unsupportedMediaType } from '../fhir-kit/errors.ts';
import { sendResource } from './http.ts';
import { requireType } from './interactions.ts';
import { FHIR_ID_PATTERN } from '../fhir-kit/ids.ts';

/** What an operation is called on: the type from the URL and, at instance level, the id. */
export interface OperationTarget {
  type: string;
  id?: string;
}

export type OperationHandler = (req: Request, res: Response, target: OperationTarget) => Promise<void>;

export type OperationMethod = 'GET' | 'POST' | 'PUT' | 'PATCH';

export interface FhirOperation {
  /** The operation's code, without `$` (`sign`, `rcp-sheet`). */
  code: string;
  /** The resource type it is called on; `Resource` for every supported type (`$validate`). */
  resource: string;
  level: 'type' | 'instance';
  method: OperationMethod;
  /** The body it reads: JSON (FHIR or plain), or an XML document (CDA). */
  input?: 'json' | 'xml';
  /** One line in French, for the OperationDefinition. */
  title: string;
  handler: OperationHandler;
}

/**
 * JSON bodies are already parsed by the app's one JSON parser (server/app.ts); the XML parser of
 * the CDA import is handed in by the assembly, with its own limit (a CDA document).
 */
export interface OperationBodyParsers {
  xml: RequestHandler;
}

const OPERATION_PATH = new RegExp(`^/([A-Z][A-Za-z]+)(?:/(${FHIR_ID_PATTERN}))?/\\$([A-Za-z][A-Za-z0-9-]*)$`);

/** The canonical URL base of our OperationDefinitions (ids like `Composition-sign`, as HL7's `Resource-validate`). */
export const operationDefinitionId = (op: Pick<FhirOperation, 'resource' | 'code'>) => `${op.resource}-${op.code}`;

/**
 * Routes every `/{type}[/{id}]/$code` request from the table, and serves the OperationDefinitions
 * at /OperationDefinition/{id}. Any other `$` path is answered 404 here: an unknown operation never
 * falls through to the REST routes. A known operation called with another method is 405 with Allow.
 */
export function operationsRouter(table: readonly FhirOperation[], parsers: OperationBodyParsers, canonicalBase: string): Router {
  const router = express.Router();
  const definitions = new Map(operationDefinitions(table, canonicalBase).map((d) => [d.id!, d]));

  router.get('/OperationDefinition/:id', (req, res, next) => {
    const definition = definitions.get(String(req.params.id));
    if (!definition) return next(); // a stored OperationDefinition, if any, is the REST routes' business
    sendResource(req, res, 200, definition);
  });

  router.use(async (req: Request, res: Response, next: NextFunction) => {
    if (!req.path.includes('/$')) return next();
    const match = OPERATION_PATH.exec(req.path);
    if (!match) return next(notFound(`Opération inconnue : ${req.baseUrl}${req.path}`));
    const [, type, id, code] = match as unknown as [string, string, string | undefined, string];
    const level = id === undefined ? 'type' : 'instance';
    const rows = table.filter((op) => op.code === code && op.level === level && (op.resource === type || op.resource === 'Resource'));
    try {
      if (!rows.length) throw notFound(`Opération $${code} inconnue sur ${type}${id === undefined ? '' : '/{id}'} : voir /metadata`);
      if (rows.every((op) => op.resource === 'Resource')) requireType(type);
      const method = req.method === 'HEAD' ? 'GET' : req.method;
      // A row for this very type wins over the generic `Resource` row.
      const row = rows.find((op) => op.method === method && op.resource === type) ?? rows.find((op) => op.method === method);
      if (!row) {
        const allowed = [...new Set(rows.map((op) => op.method))].join(', ');
        res.set('Allow', allowed);
        throw methodNotAllowed(`$${code} s'appelle en ${allowed}`);
      }
      if (row.input) await parseBody(req, res, row.input, parsers);
      await row.handler(req, res, { type, ...(id === undefined ? {} : { id }) });
    } catch (error) {
      next(error);
    }
  });
  return router;
}

async function parseBody(req: Request, res: Response, input: 'json' | 'xml', parsers: OperationBodyParsers): Promise<void> {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) return;
  if (input === 'json') {
    const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
    if (type !== 'application/fhir+json' && type !== 'application/json') {
      throw unsupportedMediaType(`Type de contenu '${type || '(absent)'}' non pris en charge : envoyez application/fhir+json`);
    }
    return;
  }
  const parser = parsers[input];
  await new Promise<void>((resolve, reject) => parser(req, res, (error?: unknown) => (error ? reject(error) : resolve())));
}

/** One OperationDefinition per (resource, code), whatever the levels and methods it is called with. */
export function operationDefinitions(table: readonly FhirOperation[], canonicalBase: string): OperationDefinition[] {
  const groups = new Map<string, FhirOperation[]>();
  for (const op of table) groups.set(operationDefinitionId(op), [...(groups.get(operationDefinitionId(op)) ?? []), op]);
  return [...groups.entries()].map(([id, ops]) => {
    const first = ops[0]!;
    return {
      resourceType: 'OperationDefinition',
      id,
      url: `${canonicalBase}/OperationDefinition/${id}`,
      name: id.split(/[^A-Za-z0-9]+/).map((part) => part.charAt(0).toUpperCase() + part.slice(1)).join(''),
      title: `$${first.code} (${first.resource})`,
      status: 'active',
      kind: 'operation',
      description: ops.map((op) => `${op.method} ${op.level === 'instance' ? `${op.resource}/{id}` : op.resource}/$${op.code} — ${op.title}`).join('\n\n'),
      // Only reads are safe to call with GET (FHIR R4 §3.1.0.1.4): every GET row changes nothing.
      affectsState: ops.some((op) => op.method !== 'GET'),
      code: first.code,
      resource: [first.resource] as OperationDefinition['resource'],
      system: false,
      type: ops.some((op) => op.level === 'type'),
      instance: ops.some((op) => op.level === 'instance'),
    };
  });
}

/** The `operation` list of one resource type in the CapabilityStatement. */
export function capabilityOperationsOf(table: readonly FhirOperation[], type: string, canonicalBase: string): { name: string; definition: string }[] {
  const seen = new Map<string, string>();
  for (const op of table) {
    if (op.resource !== type && op.resource !== 'Resource') continue;
    if (!seen.has(op.code) || op.resource === type) seen.set(op.code, `${canonicalBase}/OperationDefinition/${operationDefinitionId(op)}`);
  }
  return [...seen.entries()].map(([name, definition]) => ({ name, definition }));
}
