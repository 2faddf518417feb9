/**
 * FHIR operations of the care programmes (routed from the table in server/operations.ts):
 *
 *   POST /fhir/CarePlan/{decisionId}/$build-pps        PPS + contacts CareTeam + oral MedicationRequests, one transaction
 *   POST /fhir/CarePlan/{id}/$hand-over                date, by whom, the patient's choice about the GP
 *   POST /fhir/CarePlan/{ppsId}/$start-ppac            PPAC from the PPS at the end of active treatment
 *   GET  /fhir/CarePlan/{id}/$render?format=html|pdf   printable PPS / PPAC for the patient
 *
 * Each route declares who may call it, reads its input, and hands over to service.ts.
 */
import type { Request, Response } from 'express';
import type { Parameters, Reference, Resource } from '@medplum/fhirtypes';
import { mayReadType, mayWriteType, requireReadableType } from '../access/index.ts';
import type { Principal, RequestContext } from '../context.ts';
import { badRequest, forbidden, issue, outcome } from '../fhir-kit/errors.ts';
import { type OperationHandler } from '../fhir/index.ts';
import { ifMatchVersion } from '../fhir-kit/versions.ts';
import type { Store } from '../store/store.ts';
import type { StartPpacInput } from './ppac.ts';
import type { BuildPpsInput } from './pps.ts';
import { renderCarePlanHtml, renderCarePlanPdf } from './render.ts';
import { buildPpsForDecision, handOverProgramme, printableProgramme, startPpacWithWarnings } from './service.ts';
import { foldAccents } from '../fhir-kit/text.ts';

export interface CarePlanOperationDeps {
  store: Store;
  /** The clock the workflows judge on (end of active treatment reached, hand-over date): tests fix it. */
  clock?: () => Date;
}

export function carePlanOperations(deps: CarePlanOperationDeps): Record<'buildPps' | 'handOver' | 'startPpac' | 'render', OperationHandler> {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());

  const buildPps: OperationHandler = async (req, res, { id }) => {
    const ctx = req.dccContext!;
    requireProgrammeWriter(ctx.principal, 'établir un PPS');
    const input = operationInput(req) as BuildPpsInput & { coordinationCentre?: Reference };
    const created = await buildPpsForDecision(store.forRequest(ctx), String(id), input, callerReference(ctx), clock());
    sendVersioned(req, res, 201, created);
  };

  const handOver: OperationHandler = async (req, res, { id }) => {
    const ctx = req.dccContext!;
    requireProgrammeWriter(ctx.principal, 'remettre un programme au patient');
    const raw = operationInput(req);
    const stored = await handOverProgramme(store.forRequest(ctx), String(id), {
      date: raw.date as string | undefined,
      by: typeof raw.by === 'string' ? { reference: raw.by } : (raw.by as Reference | undefined) ?? callerReference(ctx),
      shareWithGp: raw.shareWithGp as boolean | undefined,
      dataReuseObjection: raw.dataReuseObjection as boolean | undefined,
      ...(typeof raw.reason === 'string' ? { reason: raw.reason } : {}),
    }, ifMatchVersion(req.get('if-match')), clock());
    sendVersioned(req, res, 200, stored);
  };

  const startPpac: OperationHandler = async (req, res, { id }) => {
    const ctx = req.dccContext!;
    requireProgrammeWriter(ctx.principal, 'établir un PPAC');
    const input = operationInput(req) as unknown as StartPpacInput;
    const { ppac, warnings } = await startPpacWithWarnings(store.forRequest(ctx), String(id), input, callerReference(ctx), ifMatchVersion(req.get('if-match')), clock());
    sendVersioned(req, res, 201, ppac, warnings);
  };

  const render: OperationHandler = async (req, res, { id: programmeId }) => {
    const ctx = req.dccContext!;
    requireReadableType(ctx.principal, 'CarePlan');
    const format = typeof req.query.format === 'string' ? req.query.format : 'html';
    if (format !== 'html' && format !== 'pdf') throw badRequest(`format=${format} n'est pas proposé : html ou pdf`, ['format']);
    const id = String(programmeId);
    const { kind, document } = await printableProgramme(store.forRequest(ctx), id, (type) => mayReadType(ctx.principal, type));
    res.set('Cache-Control', 'no-store');
    if (format === 'html') {
      res.status(200).type('text/html; charset=utf-8').send(renderCarePlanHtml(document));
      return;
    }
    const pdf = await renderCarePlanPdf(document);
    res.status(200).type('application/pdf').set('Content-Disposition', `inline; filename="${kind}-${id}.pdf"`).send(pdf);
  };

  return { buildPps, handOver, startPpac, render };
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
  return foldAccents(text).replace(/[’‘]/g, "'").replace(/œ/g, 'oe').replace(/"/g, "'").replace(/[^\x20-\x7e]/g, '?');
}
