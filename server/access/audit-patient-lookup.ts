import type { Patient } from '@medplum/fhirtypes';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { RequestContext } from '../context.ts';
import { badRequest, forbidden, notFound } from '../fhir-kit/errors.ts';
import { INS_SYSTEMS, patientDisplayName, printedPatientIdentity } from '../identity/index.ts';
import type { Store } from '../store/store.ts';
import { buildAuditEvent } from './audit.ts';
import { mayReviewAudit } from './policy.ts';

/** Enough to tell namesakes apart on a screen; a broader name is refined, not paged through. */
export const AUDIT_LOOKUP_MAX = 20;
const MAX_QUERY = 100;
/** INS (NIR or NIA): 15 characters, Corsican departments 2A / 2B included. */
const INS_PATTERN = /^[1-8]\d{4}(\d{2}|2A|2B)\d{8}$/;

/**
 * What the security officer sees of a patient to choose whose trail to read: identity traits only.
 * `identity` is the patient as every list names them (« VASSEUR Odile, née le 23/07/1959 »).
 */
export interface AuditPatient { id: string; name: string; identity: string; birthDate?: string; ins?: string }
const RECORD_ID = /^[A-Za-z0-9\-.]{1,64}$/;

/**
 * "Qui a consulté ce dossier" starts from what the patient's request gives: an INS or a name, not
 * our record id. The security officer reads no clinical data (policy.ts, separation of duties), so
 * he cannot search Patient through /fhir: this lookup answers with the identity traits alone, for
 * him only, and is itself traced (the officer's search appears in the patients' trails).
 */
export async function findPatientsForAuditReview(store: Store, ctx: RequestContext, text: string): Promise<{ patients: AuditPatient[]; more: boolean }> {
  if (!mayReviewAudit(ctx.principal)) throw forbidden('Réservé au responsable de la sécurité (administrateur)');
  const value = text.trim();
  if (!value) throw badRequest("q attend l'INS ou le nom du patient", ['q']);
  if (value.length > MAX_QUERY) throw badRequest(`q : ${MAX_QUERY} caractères au plus`, ['q']);
  const compact = value.replace(/\s/g, '').toUpperCase();
  const params: Record<string, string> = INS_PATTERN.test(compact)
    ? { identifier: INS_SYSTEMS.map((s) => `${s}|${compact}`).join(',') }
    : { name: value, _sort: 'family' };
  const repo = store.system();
  const found = await repo.searchAll<Patient>('Patient', params, { max: AUDIT_LOOKUP_MAX + 1 });
  const shown = found.slice(0, AUDIT_LOOKUP_MAX);
  const query = `Patient?${new URLSearchParams(params).toString()}`;
  await repo.append(buildAuditEvent(ctx, {
    interaction: 'search-type', outcome: 'success', query,
    resources: shown.map((p) => ({ resourceType: 'Patient', id: p.id!, patientId: p.id! })),
    detail: "Recherche d'un patient pour la revue de son journal des accès (responsable de la sécurité)",
  }, new Set()));
  return { patients: shown.map(auditPatientOf), more: found.length > AUDIT_LOOKUP_MAX };
}

/**
 * The patient whose trail is opened by record id (« Voir les accès au dossier » of the emergency
 * accesses): the page said « Dossier Patient/<id> ». Identity traits only, the read traced as the
 * lookup's; no record answers 404 (the officer sees the trail of a record gone since all the same).
 */
export async function findPatientByIdForAuditReview(store: Store, ctx: RequestContext, id: string): Promise<AuditPatient> {
  if (!mayReviewAudit(ctx.principal)) throw forbidden('Réservé au responsable de la sécurité (administrateur)');
  if (!RECORD_ID.test(id)) throw badRequest(`Identifiant de dossier invalide : '${id.slice(0, 80)}'`, ['id']);
  const repo = store.system();
  const patient = await repo.readIfExists<Patient>('Patient', id);
  if (!patient) throw notFound(`Patient/${id} introuvable`);
  await repo.append(buildAuditEvent(ctx, {
    interaction: 'read', outcome: 'success', resources: [{ resourceType: 'Patient', id, patientId: id }],
    detail: 'Identité du patient pour la revue de son journal des accès (responsable de la sécurité)',
  }, new Set()));
  return auditPatientOf(patient);
}

function auditPatientOf(p: Patient): AuditPatient {
  const ins = p.identifier?.find((i) => i.system && INS_SYSTEMS.includes(i.system))?.value;
  return {
    id: p.id!,
    name: patientDisplayName(p),
    identity: printedPatientIdentity(p),
    ...(p.birthDate ? { birthDate: p.birthDate } : {}),
    ...(ins ? { ins } : {}),
  };
}

/** GET /access/audit-patients?q=<INS or name> → `{ patients, more }`. */
export function auditPatientLookupRouter(store: Store, contextOf: (req: Request) => RequestContext): Router {
  const router = express.Router();
  router.get('/audit-patients', async (req: Request, res: Response) => {
    const q = typeof req.query.q === 'string' ? req.query.q : '';
    res.set('Cache-Control', 'no-store').json(await findPatientsForAuditReview(store, contextOf(req), q));
  });
  /** GET /access/audit-patients/<id> → the AuditPatient of that record (traced), 404 when none. */
  router.get('/audit-patients/:id', async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json(await findPatientByIdForAuditReview(store, contextOf(req), String(req.params.id)));
  });
  return router;
}
