/**
 * Delivery follow-up for the 3C and the hospital physicians, mounted at /api/deliveries:
 *
 *   GET  /api/deliveries?document=Composition/{id}[/_history/{v}]   sending status of a report / programme
 *   GET  /api/deliveries?patient=Patient/{id}                       everything sent about a patient
 *   GET  /api/deliveries?case={id}                                  the reports of an RCP case (first and corrections)
 *   GET  /api/deliveries/alerts                                     patients without a GP, undelivered documents
 *   POST /api/deliveries/{id}/retry                                 send a dead delivery again (directory fixed)
 *
 * The outbox holds no access rule of its own: each answer is limited to the patients the caller
 * may read through the store (the read is traced as any other).
 */
import express, { type Request, type Response, type Router } from 'express';
import type { Patient } from '@medplum/fhirtypes';
import { isSystem, mayReadType, rolesOf } from '../access/index.ts';
import type { RequestContext } from '../context.ts';
import { badRequest, forbidden, notFound, conflict } from '../fhir-kit/errors.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import { OutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import type { Store } from '../store/store.ts';
import { EVENT_KINDS } from './events.ts';
import { documentDelivery, missingGpAlert, type DocumentDelivery } from './status.ts';
import { hasVersionIdOrNone, isFhirId, parseRelativeReference, relativeReferenceId } from '../fhir-kit/ids.ts';

const DOCUMENT_TYPES = ['Composition', 'CarePlan', 'MedicationRequest'];
/** document=Type/id[/_history/v]: relative, of a shared document's type, any version of this server's form. */
const isDocumentReference = (value: string) => {
  const target = parseRelativeReference(value);
  return Boolean(target && DOCUMENT_TYPES.includes(target.type) && hasVersionIdOrNone(target));
};
const MAX_LIST = 200;

/** Patients without a GP listed on the 3C's follow-up page, by name. */
const MISSING_GP_SHOWN = 100;

export function deliveryRouter(deps: { store: Store }): Router {
  const { store } = deps;
  const router = express.Router();

  router.get('/', async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireFollowUp(ctx);
    const document = typeof req.query.document === 'string' ? req.query.document : undefined;
    const patient = typeof req.query.patient === 'string' ? req.query.patient : undefined;
    const rcpCase = typeof req.query.case === 'string' ? req.query.case : undefined;
    if ([document, patient, rcpCase].filter(Boolean).length !== 1) {
      throw badRequest('Indiquez un seul critère : document=Composition/{id} (ou CarePlan/…, MedicationRequest/…), patient=Patient/{id} ou case={id} (dossier de RCP)', ['document', 'patient', 'case']);
    }
    if (rcpCase && !isFhirId(rcpCase)) throw badRequest(`case=${rcpCase} : identifiant de dossier attendu`, ['case']);
    if (document && !isDocumentReference(document)) throw badRequest(`document=${document} : référence Composition/{id}[/_history/{v}], CarePlan/{id} ou MedicationRequest/{id} attendue`, ['document']);
    const patientId = patient ? relativeReferenceId(patient, 'Patient') : undefined;
    if (patient && !patientId) throw badRequest(`patient=${patient} : référence Patient/{id} attendue`, ['patient']);
    const outbox = new OutboxStore(store.db);
    const events = (await outbox.list({
      kinds: [...EVENT_KINDS], limit: MAX_LIST, newestFirst: true,
      ...(document ? { topicPrefix: document.includes('/_history/') ? document : `${document}/_history/` } : {}),
      ...(patientId ? { patientId } : {}),
      ...(rcpCase ? { rcpCase } : {}),
    })).filter((e) => mayFollow(ctx, e));
    // Throws 403/404 as the FHIR API would when the caller may not read one of these patients.
    const repo = store.forRequest(ctx);
    for (const id of new Set([...(patientId ? [patientId] : []), ...events.map((e) => e.patientId).filter((p): p is string => Boolean(p))])) {
      await repo.read<Patient>('Patient', id);
    }
    if ((document || rcpCase) && !events.length) throw notFound(`Aucun envoi enregistré pour ${document ?? `le dossier ${rcpCase}`}`);
    res.set('Cache-Control', 'no-store').json({ documents: await withDeliveries(outbox, events) });
  });

  router.get('/alerts', async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireFollowUp(ctx);
    const repo = store.forRequest(ctx);
    // The first 100 by name and whether more follow: counting every patient without a GP would be
    // a second pass over them all (seconds at regional scale) for a figure the page does not need.
    const { request } = parseSearchRequest('Patient', new URLSearchParams({ 'general-practitioner:missing': 'true', _count: String(MISSING_GP_SHOWN + 1), _sort: 'family', _total: 'none' }), { defaultCount: MISSING_GP_SHOWN + 1, maxCount: MISSING_GP_SHOWN + 1 }, true);
    const withoutGp = (await repo.search<Patient>(request)).resources;
    const outbox = new OutboxStore(store.db);
    // The newest dead letters (deliveries, and events that could not even be fanned out).
    const dead = (await outbox.list({ statuses: ['dead'], limit: MAX_LIST * 5, newestFirst: true })).filter((d) => mayFollow(ctx, d));
    const visible = await visiblePatients(store, ctx, dead.map((d) => d.patientId).filter((p): p is string => Boolean(p)));
    const eventIds = [...new Set(dead.filter((d) => d.patientId && visible.has(d.patientId)).map((d) => d.parentId ?? d.id))].slice(0, MAX_LIST);
    const events = await Promise.all(eventIds.map((id) => outbox.get(id)));
    res.set('Cache-Control', 'no-store').json({
      missingGp: withoutGp.slice(0, MISSING_GP_SHOWN).map(missingGpAlert),
      missingGpMore: withoutGp.length > MISSING_GP_SHOWN,
      undelivered: await withDeliveries(outbox, events.filter((e): e is OutboxEntry => Boolean(e))),
    });
  });

  router.post('/:id/retry', async (req: Request, res: Response) => {
    const ctx = req.dccContext!;
    requireFollowUp(ctx);
    const id = String(req.params.id);
    if (!/^\d{1,18}$/.test(id)) throw badRequest(`Envoi ${id} : identifiant numérique attendu`, ['id']);
    const outbox = new OutboxStore(store.db);
    const entry = await outbox.get(id);
    if (!entry || !mayFollow(ctx, entry)) throw notFound(`Envoi ${id} introuvable`);
    if (entry.patientId) await store.forRequest(ctx).read<Patient>('Patient', entry.patientId);
    if (!(await outbox.revive(id))) throw conflict(`Envoi ${id} : seul un envoi en échec se relance (statut actuel : ${entry.status})`);
    // Sent again as it is now: the worker checks the patient's choices and the directory again before sending.
    const event = entry.parentId ? await outbox.get(entry.parentId) : entry;
    res.status(200).json(documentDelivery(event!, await outbox.list({ parentId: event!.id, limit: MAX_LIST })));
  });

  return router;
}

/** The documents of this kind are of a type the caller reads (the 3C does not follow oral-treatment messages). */
function mayFollow(ctx: RequestContext, entry: OutboxEntry): boolean {
  const type = entry.topic?.split('/')[0];
  return Boolean(type) && mayReadType(ctx.principal, type!);
}

/** The 3C and the hospital physicians follow what is sent; city professionals read their own summaries. */
function requireFollowUp(ctx: RequestContext): void {
  const roles = rolesOf(ctx.principal);
  if (isSystem(ctx.principal) || roles.includes('coordinator') || roles.includes('physician')) return;
  throw forbidden("Le suivi des envois est réservé au 3C et aux médecins de l'établissement");
}

async function withDeliveries(outbox: OutboxStore, events: OutboxEntry[]): Promise<DocumentDelivery[]> {
  if (!events.length) return [];
  const children = await outbox.list({ parentIds: events.map((e) => e.id), limit: MAX_LIST * 10 });
  return events
    .sort((a, b) => b.createdAt.localeCompare(a.createdAt))
    .map((e) => documentDelivery(e, children.filter((c) => c.parentId === e.id)));
}

async function visiblePatients(store: Store, ctx: RequestContext, ids: string[]): Promise<Set<string>> {
  const unique = [...new Set(ids)];
  const out = new Set<string>();
  for (let i = 0; i < unique.length; i += 100) {
    const { request } = parseSearchRequest('Patient', new URLSearchParams({ _id: unique.slice(i, i + 100).join(','), _count: '100', _total: 'none' }), { defaultCount: 100, maxCount: 100 }, true);
    for (const p of (await store.forRequest(ctx).search<Patient>(request)).resources) out.add(p.id!);
  }
  return out;
}
