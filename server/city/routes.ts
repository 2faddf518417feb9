/**
 * The city professionals' JSON API, mounted at /api/city behind the authentication gate:
 *
 *   GET  /api/city/patients?name=&_count=&cursor=            mes patients (by name; name= searches)
 *   GET  /api/city/changes?since=&patient=&_count=&cursor=   ce qui a changé (newest first)
 *   POST /api/city/patients/{id}/seen?until=                  acknowledges the patient's changes up to `until`
 *                                                             (the newest one shown; now by default) (204)
 *
 * Errors are OperationOutcomes (FhirError); the work is in service.ts.
 */
import express, { type Request, type Router } from 'express';
import { badRequest } from '../fhir-kit/errors.ts';
import type { Store } from '../store/store.ts';
import { countOf } from './paging.ts';
import { listChanges, listMyPatients, markSeen, parseSince } from './service.ts';
import { isFhirId } from '../fhir-kit/ids.ts';

export interface CityRouterDeps {
  store: Store;
  /** Clock (tests). */
  now?: () => Date;
}

const DEFAULT_COUNT = 20;
const MAX_COUNT = 100;

export function cityRouter(deps: CityRouterDeps): Router {
  const router = express.Router();
  const now = () => deps.now?.() ?? new Date();
  const text = (req: Request, name: string): string | undefined => {
    const v = req.query[name];
    if (v === undefined) return undefined;
    if (typeof v !== 'string') throw badRequest(`Le paramètre ${name} ne se donne qu'une fois`, [name]);
    return v || undefined;
  };

  router.get('/patients', async (req, res) => {
    const ctx = req.dccContext!;
    const options = { count: countOf(text(req, '_count'), DEFAULT_COUNT, MAX_COUNT), cursor: text(req, 'cursor'), now: now(), name: text(req, 'name')?.slice(0, 100) };
    // One transaction per page: the traces of its reads (one per history read) go in one statement at the
    // end. listMyPatients checks its input before reading, so a refused page has read nothing.
    const page = await deps.store.forRequest(ctx).transaction((tx) => listMyPatients(tx, ctx.principal, options));
    res.set('Cache-Control', 'no-store').json({ ...page, ...(page.cursor ? { next: nextLink('/api/city/patients', req, page.cursor) } : {}) });
  });

  router.get('/changes', async (req, res) => {
    const ctx = req.dccContext!;
    const patient = text(req, 'patient')?.replace(/^Patient\//, '');
    if (patient !== undefined && !isFhirId(patient)) throw badRequest(`patient attend l'identifiant d'un patient, reçu '${patient}'`, ['patient']);
    const page = await listChanges(deps.store.forRequest(ctx), ctx.principal, {
      count: countOf(text(req, '_count'), DEFAULT_COUNT, MAX_COUNT), cursor: text(req, 'cursor'), since: parseSince(text(req, 'since')), patient, now: now(),
    });
    res.set('Cache-Control', 'no-store').json({ ...page, ...(page.cursor ? { next: nextLink('/api/city/changes', req, page.cursor) } : {}) });
  });

  router.post('/patients/:id/seen', async (req, res) => {
    const ctx = req.dccContext!;
    const id = String(req.params.id);
    if (!isFhirId(id)) throw badRequest(`Identifiant de patient invalide : '${id}'`, ['id']);
    // Up to the newest change the professional was shown: one recorded meanwhile stays new.
    const until = parseSince(text(req, 'until'), 'until');
    const at = now();
    await markSeen(deps.store.forRequest(ctx), ctx.principal, id, until && until < at ? until : at);
    res.status(204).end();
  });

  return router;
}

/** The same query with the next page's cursor. */
function nextLink(path: string, req: Request, cursor: string): string {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(req.query)) if (typeof v === 'string' && k !== 'cursor') query.set(k, v);
  query.set('cursor', cursor);
  return `${path}?${query.toString()}`;
}
