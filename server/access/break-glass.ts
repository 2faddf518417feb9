import type { Request, Response, Router } from 'express';
import express from 'express';
import type { RequestContext } from '../context.ts';
import { badRequest, forbidden, notFound } from '../fhir/errors.ts';
import type { AccessStore, BreakGlassGrant } from '../store/access-store.ts';
import type { Store } from '../store/store.ts';
import { mayBreakGlass, mayReviewAudit } from './policy.ts';

export const BREAK_GLASS_HOURS = 4;
const MIN_REASON_LENGTH = 15;

/**
 * Emergency access ("bris de glace"): a physician outside the circle of care opens a record,
 * stating why. The grant lasts a few hours, every access under it is flagged in the audit trail,
 * and the grants are listed for the security officer's review.
 */
export async function breakGlass(store: Store, accessStore: AccessStore, ctx: RequestContext, patientId: string, reason: unknown): Promise<BreakGlassGrant> {
  const { principal } = ctx;
  if (!mayBreakGlass(principal) || !principal.practitionerId) {
    throw forbidden("Seul un médecin identifié peut ouvrir un dossier en urgence (bris de glace)");
  }
  const text = typeof reason === 'string' ? reason.trim() : '';
  if (text.length < MIN_REASON_LENGTH) {
    throw badRequest(`Motif obligatoire (au moins ${MIN_REASON_LENGTH} caractères) : il sera relu par le responsable de la sécurité`, ['reason']);
  }
  // Existence is checked as the service: the caller cannot see the patient yet, by definition.
  if (!(await store.system().readIfExists('Patient', patientId))) throw notFound(`Patient/${patientId} introuvable`);
  const now = new Date();
  const grant = await accessStore.grantBreakGlass({
    practitionerId: principal.practitionerId, idnps: principal.idnps ?? null, displayName: principal.displayName,
    patientId, reason: text, createdAt: now.toISOString(), expiresAt: new Date(now.getTime() + BREAK_GLASS_HOURS * 3_600_000).toISOString(),
  });
  // The opening itself is traced (flagged BTG, with the reason) like any access to the record.
  await store.forRequest(ctx).read('Patient', patientId);
  return grant;
}

/** Review of emergency accesses for the security officer (administrator role). */
export function breakGlassReviewRouter(accessStore: AccessStore, contextOf: (req: Request) => RequestContext): Router {
  const router = express.Router();
  const requireReviewer = (req: Request) => {
    if (!mayReviewAudit(contextOf(req).principal)) throw forbidden('Réservé au responsable de la sécurité (administrateur)');
  };
  router.get('/break-glass', async (req: Request, res: Response) => {
    requireReviewer(req);
    const since = typeof req.query.since === 'string' ? req.query.since : undefined;
    if (since && Number.isNaN(Date.parse(since))) throw badRequest(`since attend une date, reçu '${since}'`);
    const grants = await accessStore.listBreakGlass({ since, unreviewedOnly: req.query.unreviewed === 'true', limit: 500 });
    res.set('Cache-Control', 'no-store').json({ grants });
  });
  router.post('/break-glass/:id/review', async (req: Request, res: Response) => {
    requireReviewer(req);
    if (!(await accessStore.markReviewed(String(req.params.id), new Date()))) throw notFound(`Accès d'urgence ${req.params.id} introuvable`);
    res.status(204).end();
  });
  return router;
}
