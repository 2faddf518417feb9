import type { Request, Response } from 'express';
import type { Resource } from '@medplum/fhirtypes';
import { notAcceptable } from '../fhir-kit/errors.ts';
import type { InteractionResult } from './interactions.ts';

const FHIR_JSON = 'application/fhir+json';

/** Picks the response media type from _format or Accept; FHIR XML is not offered. */
export function responseType(req: Request): string {
  const format = typeof req.query._format === 'string' ? req.query._format : undefined;
  if (format) {
    if (['json', 'application/json'].includes(format)) return 'application/json';
    if (['application/fhir+json', 'fhir+json'].includes(format)) return FHIR_JSON;
    throw notAcceptable(`_format=${format} n'est pas proposé : seul JSON (application/fhir+json) l'est`);
  }
  const accept = req.get('accept');
  if (!accept || /\*\/\*|application\/fhir\+json|application\/\*/.test(accept)) return FHIR_JSON;
  if (/application\/json/.test(accept)) return 'application/json';
  if (/json/.test(accept)) return FHIR_JSON;
  throw notAcceptable(`Accept '${accept}' ne peut être servi : seul JSON (application/fhir+json) l'est`);
}

export function sendResource(req: Request, res: Response, status: number, resource: Resource | undefined): void {
  res.status(status);
  if (resource === undefined) {
    res.end();
    return;
  }
  res.type(`${responseType(req)}; charset=utf-8`);
  res.send(JSON.stringify(resource, null, req.query._pretty === 'true' ? 2 : undefined));
}

/** Writes a create/update/read result, honouring `Prefer: return=minimal|representation|OperationOutcome`. */
export function sendInteraction(req: Request, res: Response, result: InteractionResult): void {
  if (result.location && (result.status === 201 || req.method !== 'GET')) res.location(result.location);
  if (result.etag) res.set('ETag', result.etag);
  if (result.lastModified) res.set('Last-Modified', new Date(result.lastModified).toUTCString());
  const prefer = req.get('prefer') ?? '';
  if (req.method !== 'GET' && /return=minimal/.test(prefer)) return sendResource(req, res, result.status, undefined);
  if (req.method !== 'GET' && /return=OperationOutcome/i.test(prefer)) {
    return sendResource(req, res, result.status, {
      resourceType: 'OperationOutcome',
      issue: [
        { severity: 'information', code: 'informational', details: { text: `${result.resource?.resourceType}/${result.resource?.id} version ${result.resource?.meta?.versionId} enregistrée` } },
        ...(result.issues ?? []),
      ],
    });
  }
  sendResource(req, res, result.status, result.resource);
}

export function isStrict(req: Request): boolean {
  return /handling=strict/.test(req.get('prefer') ?? '');
}
