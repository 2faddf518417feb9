import type { Request, Response, Router } from 'express';
import express from 'express';
import type { RequestContext } from '../context.ts';
import { badRequest, conflict, forbidden, notFound } from '../fhir-kit/errors.ts';
import { meetingDateTime } from '../fhir-kit/french-dates.ts';
import type { AuditEvent } from '@medplum/fhirtypes';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import type { AccessStore, BreakGlassGrant, BreakGlassReview } from '../store/access-store.ts';
import type { Store } from '../store/store.ts';
import { buildAuditEvent, buildBreakGlassGrantEvent, buildBreakGlassRefusalEvent, DCC_AUDIT_SUBTYPE_SYSTEM } from './audit.ts';
import { isFhirId } from '../fhir-kit/ids.ts';
import { listBreakGlassForReview } from './break-glass-list.ts';
import { mayBreakGlass, mayReviewAudit } from './policy.ts';

export const BREAK_GLASS_HOURS = 4;
/** The one answer to an emergency access that cannot be opened: it says nothing of whether the record exists. */
export const BREAK_GLASS_REFUSED = "Accès d'urgence impossible : ce dossier n'existe pas, ou il ne peut pas vous être ouvert en urgence";
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
  // No record (or a deleted one) answers as every refused read does — « introuvable » named the
  // id and told a made-up one from a real one — and the attempt is traced all the same.
  if (!isFhirId(patientId) || !(await store.system().readIfExists('Patient', patientId))) {
    await store.system().append(buildBreakGlassRefusalEvent(ctx, patientId, text));
    throw notFound(BREAK_GLASS_REFUSED);
  }
  // Start and end by the database's clock, the one that judges whether the grant still runs. The
  // opening itself is an AuditEvent of the patient's trail (flagged BTG, with the reason and the
  // end), written with the grant: no grant without its trace, no trace of a grant that failed.
  const practitionerId = principal.practitionerId;
  return store.system().transaction(async (tx) => {
    const grant = await accessStore.grantBreakGlass({
      practitionerId, idnps: principal.idnps ?? null, displayName: principal.displayName, patientId, reason: text,
    }, BREAK_GLASS_HOURS * 3_600_000, tx.db);
    await tx.append(buildBreakGlassGrantEvent(ctx, grant));
    return grant;
  });
}

/**
 * The caller's own emergency access to a record while it runs, so that every tab and browser can
 * say the record is read under it (the server is the one source). Only the caller's grant, looked
 * up by his own practitioner id: who else opened the record is for the security officer's review.
 * Nothing is said about the patient (no grant and no such record answer alike). Asked under a
 * running grant it is an access under it, traced and flagged BTG; without one nothing is revealed,
 * and the record page of every physician asks it: no trace, or each view would leave two.
 */
export async function ownEmergencyAccess(store: Store, accessStore: AccessStore, ctx: RequestContext, patientId: string): Promise<BreakGlassGrant | undefined> {
  const { principal } = ctx;
  if (!mayBreakGlass(principal) || !principal.practitionerId) {
    throw forbidden("Seul un médecin identifié peut tenir un accès d'urgence (bris de glace)");
  }
  const grant = await accessStore.activeBreakGlass(principal.practitionerId, patientId);
  if (grant) {
    await store.system().append(buildAuditEvent(ctx, {
      interaction: 'read', outcome: 'success', resources: [{ resourceType: 'Patient', id: patientId, patientId }],
      // Read by the security officer on the trail screen: Paris time, as the physician's banner said it.
      detail: `Accès d'urgence en cours consulté par son titulaire (jusqu'au ${meetingDateTime(grant.expiresAt)}, heure de Paris)`,
    }, new Set([patientId])));
  }
  return grant;
}

/** Review of emergency accesses for the security officer (administrator role). */
export function breakGlassReviewRouter(accessStore: AccessStore, contextOf: (req: Request) => RequestContext, store: Store): Router {
  const router = express.Router();
  const requireReviewer = (req: Request) => {
    if (!mayReviewAudit(contextOf(req).principal)) throw forbidden('Réservé au responsable de la sécurité (administrateur)');
  };
  router.get('/break-glass', async (req: Request, res: Response) => {
    requireReviewer(req);
    const since = typeof req.query.since === 'string' ? req.query.since : undefined;
    if (since && Number.isNaN(Date.parse(since))) throw badRequest(`since attend une date, reçu '${since}'`);
    const grants = await listBreakGlassForReview(store, accessStore, contextOf(req), { ...(since ? { since } : {}), unreviewedOnly: req.query.unreviewed === 'true' });
    res.set('Cache-Control', 'no-store').json({ grants });
  });
  // The review: by a security officer who is not the grantee, once the access has ended, once, with
  // a verdict; traced in the same transaction. 200 with the reviewed grant; a review of a running
  // access or a second review is a 409 (the first stands).
  router.post('/break-glass/:id/review', async (req: Request, res: Response) => {
    requireReviewer(req);
    const ctx = contextOf(req);
    const review = parseReview(req.body, ctx);
    const id = String(req.params.id);
    const reviewed = await store.system().transaction(async (tx) => {
      const grant = await accessStore.findBreakGlass(id, tx.db);
      if (!grant) throw notFound(`Accès d'urgence ${id} introuvable`);
      if (grant.practitionerId === ctx.principal.practitionerId) {
        throw forbidden("Un accès d'urgence est relu par un autre responsable de la sécurité que celui qui l'a ouvert");
      }
      // Reviewed once it has ended: under a running access the physician may still read, and the
      // verdict would be given on part of what was consulted (QA: « Justifié » at 01:02 of an access running until 05:02).
      if (!grant.reviewedAt && grant.active) {
        throw conflict(`L'accès d'urgence ${id} de ${grant.displayName} court jusqu'au ${meetingDateTime(grant.expiresAt)} (heure de Paris) : il se relit une fois terminé, quand tout ce qui a été consulté sous cet accès est connu`);
      }
      if (grant.reviewedAt || !(await accessStore.recordReview(id, review, tx.db))) {
        throw conflict(`L'accès d'urgence ${id} a déjà été relu${grant.review ? ` par ${grant.review.reviewerName} (${grant.review.verdict === 'justified' ? 'justifié' : 'injustifié'})` : ''} : une relecture ne se réécrit pas`);
      }
      await tx.append(reviewAuditEvent(ctx, grant, review));
      return (await accessStore.findBreakGlass(id, tx.db))!;
    });
    res.set('Cache-Control', 'no-store').status(200).json(reviewed);
  });
  return router;
}

const MAX_COMMENT = 2000;

/** `{verdict: 'justified' | 'unjustified', comment}`; a verdict of unjustified says why. */
function parseReview(body: unknown, ctx: RequestContext): BreakGlassReview {
  const { verdict, comment } = (body && typeof body === 'object' && !Array.isArray(body) ? body : {}) as Record<string, unknown>;
  if (verdict !== 'justified' && verdict !== 'unjustified') throw badRequest("verdict attendu : 'justified' ou 'unjustified'", ['verdict']);
  if (comment !== undefined && comment !== null && typeof comment !== 'string') throw badRequest('comment attend un texte', ['comment']);
  const text = typeof comment === 'string' ? comment.trim() : '';
  if (text.length > MAX_COMMENT) throw badRequest(`comment : ${MAX_COMMENT} caractères au plus`, ['comment']);
  if (verdict === 'unjustified' && !text) throw badRequest('Un accès jugé injustifié demande un commentaire (ce qui sera fait)', ['comment']);
  if (!ctx.principal.practitionerId) throw forbidden('La relecture doit être signée par un responsable identifié dans l\'annuaire');
  return { reviewerId: ctx.principal.practitionerId, reviewerName: ctx.principal.displayName, verdict, ...(text ? { comment: text } : {}) };
}

/** The review itself in the audit trail: who reviewed which emergency access, with what verdict. */
function reviewAuditEvent(ctx: RequestContext, grant: BreakGlassGrant, review: BreakGlassReview): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113', display: 'Security Alert' },
    subtype: [{ system: DCC_AUDIT_SUBTYPE_SYSTEM, code: 'break-glass-review', display: "Relecture d'un accès d'urgence" }],
    action: 'U',
    recorded: new Date().toISOString(),
    outcome: '0',
    outcomeDesc: `Accès d'urgence ${grant.id} de ${grant.displayName} : ${review.verdict === 'justified' ? 'justifié' : 'injustifié'}${review.comment ? ` — ${review.comment}` : ''}`,
    agent: [{
      requestor: true,
      who: {
        reference: `Practitioner/${review.reviewerId}`, display: review.reviewerName,
        ...(ctx.principal.idnps ? { identifier: { system: IDNPS_SYSTEM, value: ctx.principal.idnps } } : {}),
      },
      role: ctx.principal.roles.map((r) => ({ coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/dcc-role', code: r }] })),
      ...(ctx.remoteAddress ? { network: { address: ctx.remoteAddress, type: '2' as const } } : {}),
    }],
    source: { observer: { display: 'DCC — serveur FHIR' }, type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }] },
    entity: [
      { what: { reference: `Patient/${grant.patientId}` }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' }, role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' } },
      { what: { reference: `Practitioner/${grant.practitionerId}`, display: grant.displayName }, type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' } },
    ],
  };
}
