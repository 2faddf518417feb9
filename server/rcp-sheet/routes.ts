/**
 * FHIR operations of the RCP sheet (routed from the table in server/operations.ts):
 *
 *   POST /Composition/$rcp-sheet                 create a sheet from its JSON (RcpSheetInput) → 201 Composition
 *   GET  /Composition/{id}/$rcp-sheet            the sheet as its JSON (RcpSheetInput), version, status, what is missing, stored values to fix (?version=n)
 *   PUT  /Composition/{id}/$rcp-sheet            save a new version (If-Match; `correctionReason` for a signed sheet)
 *   PATCH /Composition/{id}/$rcp-sheet           replace some items (top-level keys), save a new version
 *   GET  /Composition/{id}/$completeness         missing items (?stage=session|signature) → OperationOutcome
 *   GET  /Composition/{id}/$document             FHIR document Bundle
 *   GET  /Composition/{id}/$render?format=html|pdf   printable sheet in French
 *   POST /Composition/{id}/$sign                 sign (physician; If-Match) → signed Composition
 */
import type { Request, Response } from 'express';
import type { Parameters } from '@medplum/fhirtypes';
import { badRequest } from '../fhir-kit/errors.ts';
import { type OperationHandler, type OperationTarget } from '../fhir/index.ts';
import { ifMatchVersion } from '../fhir-kit/versions.ts';
import type { Store } from '../store/store.ts';
import { completenessOf, completenessOutcome, type CompletenessStage } from './completeness.ts';
import { buildRcpSheetDocument } from './document.ts';
import { parseRcpSheetInput, type RcpSheetInput } from './input.ts';
import { isSignedRcpSheet } from './read.ts';
import { loadRcpSheet } from './load.ts';
import { correctionOf, createRcpSheet, patchRcpSheet, rcpSheetInputOf, updateRcpSheet } from './rcp-sheet.ts';
import { renderRcpSheetHtml, renderRcpSheetPdf } from './render.ts';
import { signRcpSheet } from './sign.ts';
import { tnmNotationIssues } from './tnm.ts';

export interface RcpSheetOperationOptions {
  defaultCount?: number;
  maxCount?: number;
}

type RcpSheetOperation = 'create' | 'read' | 'save' | 'patch' | 'completeness' | 'document' | 'render' | 'sign';

export function rcpSheetOperations(store: Store, options: RcpSheetOperationOptions = {}): Record<RcpSheetOperation, OperationHandler> {
  const limits = { defaultCount: options.defaultCount ?? 20, maxCount: options.maxCount ?? 200 };
  const repoOf = (req: Request) => store.forRequest(req.dccContext!);
  // The operations table only routes ids of the FHIR id syntax here.
  const idOf = (target: OperationTarget) => String(target.id);
  const send = (res: Response, status: number, resource: unknown) => {
    res.status(status).set('Cache-Control', 'no-store').type('application/fhir+json; charset=utf-8').send(JSON.stringify(resource));
  };
  const sendComposition = (req: Request, res: Response, status: number, composition: { id?: string; meta?: { versionId?: string; lastUpdated?: string } }) => {
    const ctx = req.dccContext!;
    res.location(`${ctx.baseUrl}/Composition/${composition.id}/_history/${composition.meta?.versionId}`);
    res.set('ETag', `W/"${composition.meta?.versionId}"`);
    if (composition.meta?.lastUpdated) res.set('Last-Modified', new Date(composition.meta.lastUpdated).toUTCString());
    send(res, status, composition);
  };

  const create: OperationHandler = async (req, res) => {
    const input = parseRcpSheetInput(req.body);
    const composition = await createRcpSheet(repoOf(req), req.dccContext!, input, limits);
    sendComposition(req, res, 201, composition);
  };

  const save: OperationHandler = async (req, res, target) => {
    const id = idOf(target);
    const body = (req.body ?? {}) as Record<string, unknown>;
    const correctionReason = body.correctionReason;
    if (correctionReason !== undefined && (typeof correctionReason !== 'string' || !correctionReason.trim())) {
      throw badRequest('correctionReason : le motif de la correction est un texte non vide', ['correctionReason']);
    }
    const { correctionReason: _reason, ...sheet } = body;
    // Checked by updateRcpSheet, against the stored version (a legacy TNM kept as is passes).
    const composition = await updateRcpSheet(repoOf(req), req.dccContext!, id, sheet, {
      ifMatch: ifMatchVersion(req.get('if-match')),
      ...(typeof correctionReason === 'string' ? { correctionReason } : {}),
    }, limits);
    sendComposition(req, res, 200, composition);
  };

  const patch: OperationHandler = async (req, res, target) => {
    const id = idOf(target);
    const body = req.body;
    if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Le corps attendu est un objet JSON : les rubriques de la fiche à remplacer (ex. participants, fileStatus, proposal, basis)');
    const { correctionReason, ...changes } = body as Record<string, unknown>;
    if (correctionReason !== undefined && (typeof correctionReason !== 'string' || !correctionReason.trim())) {
      throw badRequest('correctionReason : le motif de la correction est un texte non vide', ['correctionReason']);
    }
    const composition = await patchRcpSheet(repoOf(req), req.dccContext!, id, changes as Partial<RcpSheetInput>, {
      ifMatch: ifMatchVersion(req.get('if-match')),
      ...(typeof correctionReason === 'string' ? { correctionReason } : {}),
    }, limits);
    sendComposition(req, res, 200, composition);
  };

  // The web form reads the sheet in the shape it writes (PATCH above), with both completeness
  // checks, so one request fills the form and its "dossier complet" panel.
  const read: OperationHandler = async (req, res, target) => {
    const version = typeof req.query.version === 'string' && /^\d{1,9}$/.test(req.query.version) ? req.query.version : undefined;
    // Read in one transaction (repository.reading): the traces of the sheet's reads in one statement.
    const loaded = await repoOf(req).reading((repo) => loadRcpSheet(repo, req.dccContext!, idOf(target), version ? { version } : {}));
    const { composition, content } = loaded;
    const correction = correctionOf(composition);
    // Stored values a save would refuse if written now (a TNM kept from before its notation was
    // checked): the form shows them under their field, to be fixed before the signature.
    const issues = tnmNotationIssues(content.data.diagnosis?.tnm);
    send(res, 200, {
      id: composition.id,
      version: composition.meta?.versionId,
      lastUpdated: composition.meta?.lastUpdated,
      status: composition.status,
      signed: isSignedRcpSheet(composition),
      ...(correction ? { correction } : {}),
      data: rcpSheetInputOf(content),
      // A diagnosis taken from the record's Condition is sent back as its reference: shown as read.
      ...(content.data.diagnosis?.condition ? { recordDiagnosis: content.data.diagnosis } : {}),
      completeness: { session: completenessOf(content, { stage: 'session' }), signature: completenessOf(content, { stage: 'signature' }) },
      ...(issues.length ? { issues } : {}),
    });
  };

  const completeness: OperationHandler = async (req, res, target) => {
    const stage = stageOf(req.query.stage);
    const loaded = await repoOf(req).reading((repo) => loadRcpSheet(repo, req.dccContext!, idOf(target)));
    send(res, 200, completenessOutcome(completenessOf(loaded.content, { stage }), stage));
  };

  const document: OperationHandler = async (req, res, target) => {
    send(res, 200, await repoOf(req).reading((repo) => buildRcpSheetDocument(repo, req.dccContext!, idOf(target))));
  };

  const render: OperationHandler = async (req, res, target) => {
    const format = typeof req.query.format === 'string' ? req.query.format : /application\/pdf/.test(req.get('accept') ?? '') ? 'pdf' : 'html';
    if (format !== 'html' && format !== 'pdf') throw badRequest(`format=${format} n'est pas proposé : html ou pdf`, ['format']);
    // The sheet is read in one transaction; the rendering happens after it, the connection released.
    const loaded = await repoOf(req).reading((repo) => loadRcpSheet(repo, req.dccContext!, idOf(target)));
    res.set('Cache-Control', 'no-store');
    if (format === 'pdf') {
      const pdf = await renderRcpSheetPdf(loaded.content);
      res.status(200).type('application/pdf').set('Content-Disposition', `inline; filename="fiche-rcp-${loaded.composition.id}-v${loaded.composition.meta?.versionId}.pdf"`).send(pdf);
    } else {
      res.status(200).type('text/html; charset=utf-8').send(renderRcpSheetHtml(loaded.content));
    }
  };

  const sign: OperationHandler = async (req, res, target) => {
    const { composition } = await signRcpSheet(repoOf(req), req.dccContext!, idOf(target), {
      ifMatch: ifMatchVersion(req.get('if-match')),
      ...(correctionReasonOf(req.body) ? { correctionReason: correctionReasonOf(req.body) } : {}),
    });
    sendComposition(req, res, 200, composition);
  };

  return { create, read, save, patch, completeness, document, render, sign };
}

function stageOf(value: unknown): CompletenessStage {
  if (value === undefined) return 'session';
  if (value === 'session' || value === 'signature') return value;
  throw badRequest(`stage=${String(value)} : valeurs permises session (avant la séance) ou signature (avant la signature du compte rendu)`, ['stage']);
}

/** `{ "correctionReason": "…" }` or a Parameters with a `correctionReason` valueString. */
function correctionReasonOf(body: unknown): string | undefined {
  if (!body || typeof body !== 'object') return undefined;
  const b = body as Record<string, unknown>;
  if (b.resourceType === 'Parameters') return (b as unknown as Parameters).parameter?.find((p) => p.name === 'correctionReason')?.valueString;
  return typeof b.correctionReason === 'string' && b.correctionReason.trim() ? b.correctionReason : undefined;
}
