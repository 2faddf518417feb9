/**
 * FHIR operations of the care programmes, mounted under /fhir (before the core REST routes):
 *
 *   POST /fhir/CarePlan/{decisionId}/$build-pps        PPS + contacts CareTeam + oral MedicationRequests, one transaction
 *   POST /fhir/CarePlan/{id}/$hand-over                date, by whom, the patient's choice about the GP
 *   POST /fhir/CarePlan/{ppsId}/$start-ppac            PPAC from the PPS at the end of active treatment
 *   GET  /fhir/CarePlan/{id}/$render?format=html|pdf   printable PPS / PPAC for the patient
 *
 * Each route declares who may call it, reads its input, and hands over to service.ts.
 */
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Parameters, Reference, Resource } from '@medplum/fhirtypes';
import { requireReadableType } from '../access/access-control.ts';
import { mayReadType, mayWriteType } from '../access/policy.ts';
import type { Principal, RequestContext } from '../context.ts';
import { FhirError, badRequest, forbidden, issue, outcome, unsupportedMediaType } from '../fhir-kit/errors.ts';
import type { Store } from '../store/store.ts';
import type { StartPpacInput } from './ppac.ts';
import type { BuildPpsInput } from './pps.ts';
import { renderCarePlanHtml, renderCarePlanPdf } from './render.ts';
import { buildPpsForDecision, handOverProgramme, printableProgramme, startPpacWithWarnings } from './service.ts';
import { parseETag } from '../fhir/interactions.ts';

export interface CarePlanRouterDeps {
  store: Store;
  /** Largest accepted body (default 5mb, as the FHIR API). */
  maxBodySize?: string;
}

const ID = '([A-Za-z0-9\\-.]{1,64})';

export function carePlanRouter(deps: CarePlanRouterDeps): Router {
  const { store } = deps;
  const router = express.Router();
  // Bodies are parsed on these routes only: other /fhir requests keep the core router's parsing.
  const json = [requireJsonBody, express.json({ type: ['application/json', 'application/fhir+json'], limit: deps.maxBodySize ?? '5mb', strict: true })];
  const op = (name: string) => new RegExp(`^/CarePlan/${ID}/\\$${name}$`);

  router.post(op('build-pps'), ...json, async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireProgrammeWriter(ctx.principal, 'établir un PPS');
    const input = operationInput(req) as BuildPpsInput & { coordinationCentre?: Reference };
    const created = await buildPpsForDecision(store.forRequest(ctx), String(req.params[0]), input, callerReference(ctx));
    sendVersioned(req, res, 201, created);
  });

  router.post(op('hand-over'), ...json, async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireProgrammeWriter(ctx.principal, 'remettre un programme au patient');
    const raw = operationInput(req);
    const stored = await handOverProgramme(store.forRequest(ctx), String(req.params[0]), {
      date: raw.date as string | undefined,
      by: typeof raw.by === 'string' ? { reference: raw.by } : (raw.by as Reference | undefined) ?? callerReference(ctx),
      shareWithGp: raw.shareWithGp as boolean | undefined,
      dataReuseObjection: raw.dataReuseObjection as boolean | undefined,
      ...(typeof raw.reason === 'string' ? { reason: raw.reason } : {}),
    }, ifMatchOf(req));
    sendVersioned(req, res, 200, stored);
  });

  router.post(op('start-ppac'), ...json, async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireProgrammeWriter(ctx.principal, 'établir un PPAC');
    const input = operationInput(req) as unknown as StartPpacInput;
    const { ppac, warnings } = await startPpacWithWarnings(store.forRequest(ctx), String(req.params[0]), input, callerReference(ctx), ifMatchOf(req));
    sendVersioned(req, res, 201, ppac, warnings);
  });

  router.get(op('render'), async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireReadableType(ctx.principal, 'CarePlan');
    const format = typeof req.query.format === 'string' ? req.query.format : 'html';
    if (format !== 'html' && format !== 'pdf') throw badRequest(`format=${format} n'est pas proposé : html ou pdf`, ['format']);
    const id = String(req.params[0]);
    const { kind, document } = await printableProgramme(store.forRequest(ctx), id, (type) => mayReadType(ctx.principal, type));
    res.set('Cache-Control', 'no-store');
    if (format === 'html') {
      res.status(200).type('text/html; charset=utf-8').send(renderCarePlanHtml(document));
      return;
    }
    const pdf = await renderCarePlanPdf(document);
    res.status(200).type('application/pdf').set('Content-Disposition', `inline; filename="${kind}-${id}.pdf"`).send(pdf);
  });

  for (const name of ['build-pps', 'hand-over', 'start-ppac', 'render']) {
    router.all(op(name), (_req: Request, res: Response, next: NextFunction) => {
      const allowed = name === 'render' ? 'GET' : 'POST';
      res.set('Allow', allowed);
      next(new FhirError(405, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', details: { text: `$${name} s'appelle en ${allowed}` } }] }));
    });
  }
  return router;
}

/** PPS and PPAC are written by physicians and GPs (server/access/policy.ts: CarePlan writers). */
function requireProgrammeWriter(principal: Principal, what: string): void {
  requireReadableType(principal, 'CarePlan');
  if (!mayWriteType(principal, 'CarePlan')) {
    throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) ne peut pas ${what} : réservé aux médecins`);
  }
}

function callerReference(ctx: RequestContext): Reference | undefined {
  const id = ctx.principal.practitionerId;
  return id ? { reference: `Practitioner/${id}`, display: ctx.principal.displayName } : undefined;
}

/** The version an If-Match names; anything but W/"<number>" is a malformed request (400), not a stale version. */
function ifMatchOf(req: Request): string | undefined {
  const value = req.get('if-match');
  return value === undefined || value === '' ? undefined : parseETag(value);
}

/**
 * The operation's input: a JSON object, or FHIR Parameters whose scalar values become properties
 * (`{ name: 'shareWithGp', valueBoolean: true }` → `{ shareWithGp: true }`).
 */
function operationInput(req: Request): Record<string, unknown> {
  const body = req.body as unknown;
  if (body === undefined || body === null || (typeof body === 'object' && !Array.isArray(body) && !Object.keys(body).length)) return {};
  if (typeof body !== 'object' || Array.isArray(body)) throw badRequest("Le corps de l'opération doit être un objet JSON ou une ressource Parameters");
  const parameters = body as Parameters;
  if (parameters.resourceType !== 'Parameters') return body as Record<string, unknown>;
  const input: Record<string, unknown> = {};
  for (const p of parameters.parameter ?? []) {
    const valueKey = Object.keys(p).find((k) => k.startsWith('value'));
    if (!p.name || !valueKey) throw badRequest(`Paramètre '${p.name ?? ''}' sans valeur simple : passez les données structurées en JSON`, ['Parameters.parameter']);
    input[p.name] = (p as unknown as Record<string, unknown>)[valueKey];
  }
  return input;
}

function requireJsonBody(req: Request, _res: Response, next: NextFunction): void {
  const hasBody = Number(req.get('content-length') ?? 0) > 0 || req.get('transfer-encoding') !== undefined;
  if (!hasBody) return next();
  const type = (req.get('content-type') ?? '').split(';')[0]!.trim().toLowerCase();
  if (type === 'application/fhir+json' || type === 'application/json') return next();
  next(unsupportedMediaType(`Type de contenu '${type || '(absent)'}' non pris en charge : envoyez application/fhir+json`));
}

/**
 * The stored resource; warnings that do not block (e.g. oral cycles still planned) go in `Warning`
 * headers (RFC 7234, code 199), and, with `Prefer: return=OperationOutcome`, as the body's issues.
 */
function sendVersioned(req: Request, res: Response, status: number, resource: Resource, warnings: string[] = []): void {
  const ctx = req.dccContext!;
  if (warnings.length) res.set('Warning', warnings.map((w) => `199 dcc "${headerSafe(w)}"`));
  if (/return=OperationOutcome/i.test(req.get('prefer') ?? '')) {
    res.status(status).location(`${ctx.baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`)
      .set('ETag', `W/"${resource.meta?.versionId}"`).type('application/fhir+json; charset=utf-8')
      .send(JSON.stringify(outcome([
        ...warnings.map((w) => issue('warning', 'business-rule', w)),
        issue('information', 'informational', `${resource.resourceType}/${resource.id} version ${resource.meta?.versionId} enregistrée`),
      ])));
    return;
  }
  res.status(status)
    .location(`${ctx.baseUrl}/${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`)
    .set('ETag', `W/"${resource.meta?.versionId}"`)
    .type('application/fhir+json; charset=utf-8')
    .send(JSON.stringify(resource));
}

/**
 * Header values travel as bytes that clients decode differently: plain ASCII (accents dropped)
 * there; the French text as written is in the OperationOutcome (`Prefer: return=OperationOutcome`).
 */
function headerSafe(text: string): string {
  return text.normalize('NFD').replace(/\p{M}/gu, '').replace(/[’‘]/g, "'").replace(/œ/g, 'oe').replace(/"/g, "'").replace(/[^\x20-\x7e]/g, '?');
}
