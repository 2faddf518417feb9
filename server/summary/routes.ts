/**
 * GET /fhir/Patient/{id}/$summary?audience=gp|nurse|pharmacist&_format=json|html|pdf
 *
 * The patient's summary for one profession, as a FHIR document Bundle (default,
 * application/fhir+json), a French page (text/html) or a PDF (also chosen by Accept). Every read
 * goes through the caller's repository (circle of care, objections, PPS agreement, audit); a
 * successful view is traced (AuditEvent summary-view). It does not acknowledge "what changed":
 * only « Marquer comme vu » does (POST /api/city/patients/{id}/seen) — a record opened by mistake,
 * or the PDF printed for someone else, once cleared the professional's news unread.
 */
import type { Request } from 'express';
import { buildSharingEvent, ROLE_LABELS } from '../access/index.ts';
import { FhirError, badRequest } from '../fhir-kit/errors.ts';
import type { OperationHandler } from '../fhir/index.ts';
import type { Store } from '../store/store.ts';
import { resolveAudience } from './audience.ts';
import { buildSummary } from './build.ts';
import { summaryDocument } from './document.ts';
import { gatherSummarySources } from './gather.ts';
import { printableSummary, renderSummaryHtml, renderSummaryPdf } from './printable.ts';

export interface SummaryOperationDeps {
  store: Store;
  /** The clock the summary is judged on (overdue surveillance, treatments started): tests fix it. */
  clock?: () => Date;
}

type Format = 'json' | 'html' | 'pdf';

/** _format first (json, html, pdf or their media types), then Accept; JSON by default. */
export function summaryFormat(req: Request): Format {
  const format = typeof req.query._format === 'string' ? req.query._format.toLowerCase() : undefined;
  if (format !== undefined) {
    if (['json', 'application/json', 'fhir+json', 'application/fhir+json'].includes(format)) return 'json';
    if (['html', 'text/html'].includes(format)) return 'html';
    if (['pdf', 'application/pdf'].includes(format)) return 'pdf';
    throw new FhirError(406, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', details: { text: `_format=${format} n'est pas proposé pour la synthèse : json, html ou pdf` }, expression: ['_format'] }] });
  }
  const accept = req.get('accept');
  if (!accept) return 'json';
  const best = req.accepts(['application/fhir+json', 'application/json', 'text/html', 'application/pdf']);
  if (best === 'text/html') return 'html';
  if (best === 'application/pdf') return 'pdf';
  if (best) return 'json';
  throw new FhirError(406, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-supported', details: { text: `Accept '${accept}' ne peut être servi : application/fhir+json, text/html ou application/pdf` } }] });
}

export function summaryOperation(deps: SummaryOperationDeps): OperationHandler {
  const { store } = deps;
  const clock = deps.clock ?? (() => new Date());

  return async (req, res, target) => {
    const ctx = req.dccContext!;
    const patientId = String(target.id);
    const audienceParam = req.query.audience;
    if (Array.isArray(audienceParam)) throw badRequest('Un seul paramètre audience est attendu', ['audience']);
    const audience = resolveAudience(ctx.principal, audienceParam);
    const format = summaryFormat(req);

    const repo = store.forRequest(ctx);
    const sources = await gatherSummarySources(repo, ctx.principal, patientId, audience);
    const summary = buildSummary(audience, sources, { now: clock() });
    const bundle = format === 'json' ? summaryDocument(summary, { baseUrl: ctx.baseUrl }) : undefined;
    const body = format === 'html' ? renderSummaryHtml(printableSummary(summary)) : format === 'pdf' ? await renderSummaryPdf(printableSummary(summary), { created: new Date(summary.generatedAt) }) : undefined;

    // Traced once the summary is built: one event naming the documents shown.
    await repo.transaction(async (tx) => {
      await tx.append(buildSharingEvent(ctx, {
        kind: 'summary-view', patientId, documents: summary.documents,
        // The trail's words, not the code: « Synthèse infirmier(ère) libéral(e) (PDF) », not « Synthèse nurse (pdf) ».
        detail: summaryViewDetail(audience, format),
      }));
    });

    res.status(200).set('Cache-Control', 'no-store');
    if (format === 'json') {
      res.type('application/fhir+json; charset=utf-8').send(JSON.stringify(bundle));
    } else if (format === 'html') {
      res.type('text/html; charset=utf-8').send(body);
    } else {
      res.type('application/pdf').set('Content-Disposition', `inline; filename="synthese-${audience}-${patientId}.pdf"`).send(body);
    }
  };
}

/** How a summary view reads in the audit trail and its CSV: the role in the menus' words (ROLE_LABELS), the format named. */
export function summaryViewDetail(audience: keyof typeof ROLE_LABELS, format: string): string {
  const label = ROLE_LABELS[audience];
  return `Synthèse ${label.charAt(0).toLowerCase()}${label.slice(1)} (${format.toUpperCase()})`;
}
