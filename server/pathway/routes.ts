/**
 * The after-cancer pathway over HTTP, at /api/pathway (behind the authentication gate):
 *
 *   POST /ppac/{id}/prescriptions   needs evaluation + prescription in a labelled structure (physicians)
 *   POST /prescriptions/{id}/consultations   a consultation done or not honoured (physicians, 3C)
 *   GET  /report?semester=2026-S2&format=json|csv   activity report for the ARS (3C, physicians)
 *   GET  /quality-criteria?from=&to=   the six transversal quality criteria per establishment, cases missing each (3C, physicians)
 *   POST /no-gp-tasks/sync             opens a Task (owner: the 3C) per patient without a GP, completes those now with one
 *   POST /no-gp-tasks/{id}             a follow-up note / in-progress | on-hold
 *   POST /patients/{id}/announcement   a time of the dispositif d'annonce (medical | nurse), date and who (physicians)
 *   GET  /patients/{id}/announcement   the announcement times recorded (whoever may read the patient's Procedures)
 */
import express, { type Request, type Router } from 'express';
import type { Principal } from '../context.ts';
import { badRequest, forbidden } from '../fhir-kit/errors.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';
import type { Store } from '../store/store.ts';
import type { PrescriptionInput } from './prescription.ts';
import { parseSemester, pathwayReportCsv } from './report.ts';
import { announcementsOf, pathwayReport, prescribePathway, recordAnnouncement, recordConsultation } from './service.ts';
import type { AnnouncementInput } from './announcement.ts';
import { qualityOfPeriod } from './quality.ts';
import { followUpDeclareGpTask, syncDeclareGpTasks } from './no-gp-task.ts';
import { isFhirId } from '../fhir-kit/ids.ts';

export interface PathwayRouterDeps {
  store: Store;
  /** Clock (tests). */
  today?: () => string;
}


/** Who may do what here (the store's type rules apply on top: a physician writes ServiceRequest, the 3C Appointment). */
const MAY = {
  // Décret 2020-1665: the oncologist, the GP or the paediatrician prescribes. The GP writes this
  // ServiceRequest (and only this one) through a narrow grant of the access policy (access/policy.ts).
  prescribe: ['physician', 'gp'],
  // The structure's report comes through the 3C or the physicians of the circle.
  record: ['physician', 'coordinator'],
  report: ['coordinator', 'physician'],
  quality: ['coordinator', 'physician'],
  // The patients without a GP are followed by the 3C (and the hospital physicians).
  followGp: ['coordinator', 'physician'],
  // The announcement is recorded by the hospital physician (Procedure writer), the nurse's time included.
  announce: ['physician'],
} as const;

function require(principal: Principal, what: keyof typeof MAY, text: string): void {
  if (principal.roles.includes('system') || principal.roles.some((r) => (MAY[what] as readonly string[]).includes(r))) return;
  throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) ne peut pas ${text}`);
}

export function pathwayRouter(deps: PathwayRouterDeps): Router {
  const { store } = deps;
  const router = express.Router();
  // The clinical day is the Paris one: from midnight to 1 or 2 a.m. the UTC day is still yesterday.
  const today = () => deps.today?.() ?? parisDay(new Date());

  router.post('/ppac/:id/prescriptions', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'prescribe', 'prescrire le parcours de soins global après cancer : réservé au médecin (oncologue, médecin traitant, pédiatre)');
    if (!ctx.principal.practitionerId) throw forbidden("La prescription est signée par un professionnel de l'annuaire : votre compte n'y est pas rattaché");
    const requester = { reference: `Practitioner/${ctx.principal.practitionerId}`, display: ctx.principal.displayName };
    const result = await prescribePathway(store.forRequest(ctx), idParam(req), req.body as PrescriptionInput, requester, today());
    res.status(201).json(result);
  });

  router.post('/prescriptions/:id/consultations', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'record', 'enregistrer une consultation du parcours après cancer');
    const body = (req.body ?? {}) as { start: string; honoured: boolean; comment?: string };
    res.status(201).json(await recordConsultation(store.forRequest(ctx), idParam(req), body));
  });

  router.get('/report', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'report', "consulter le rapport d'activité du parcours après cancer");
    const semester = parseSemester(req.query.semester);
    const format = req.query.format ?? 'json';
    if (format !== 'json' && format !== 'csv') throw badRequest(`format=${String(format)} : json ou csv`, ['format']);
    const report = await pathwayReport(store.forRequest(ctx), semester);
    res.set('Cache-Control', 'no-store');
    if (format === 'csv') {
      res.type('text/csv; charset=utf-8').attachment(`parcours-apres-cancer-${semester.label}.csv`).send(pathwayReportCsv(report));
      return;
    }
    res.json(report);
  });
  router.get('/quality-criteria', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'quality', 'consulter les critères qualité des établissements');
    const from = typeof req.query.from === 'string' ? req.query.from : '';
    const to = typeof req.query.to === 'string' ? req.query.to : '';
    res.set('Cache-Control', 'no-store').json(await qualityOfPeriod(store.forRequest(ctx), from, to));
  });

  router.post('/no-gp-tasks/sync', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'followGp', 'suivre les patients sans médecin traitant');
    res.status(200).json(await syncDeclareGpTasks(store.forRequest(ctx), new Date().toISOString()));
  });

  router.post('/no-gp-tasks/:id', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'followGp', 'suivre les patients sans médecin traitant');
    const author = ctx.principal.practitionerId ? { reference: `Practitioner/${ctx.principal.practitionerId}`, display: ctx.principal.displayName } : undefined;
    res.status(200).json(await followUpDeclareGpTask(store.forRequest(ctx), idParam(req), req.body ?? {}, author, new Date().toISOString()));
  });

  router.post('/patients/:id/announcement', async (req, res) => {
    const ctx = req.dccContext!;
    require(ctx.principal, 'announce', "enregistrer un temps du dispositif d'annonce : réservé aux médecins hospitaliers");
    const caller = ctx.principal.practitionerId ? { reference: `Practitioner/${ctx.principal.practitionerId}`, display: ctx.principal.displayName } : undefined;
    res.status(201).json(await recordAnnouncement(store.forRequest(ctx), idParam(req), req.body as AnnouncementInput, caller, today()));
  });

  router.get('/patients/:id/announcement', async (req, res) => {
    const ctx = req.dccContext!;
    res.set('Cache-Control', 'no-store').json({ announcement: await announcementsOf(store.forRequest(ctx), idParam(req)) });
  });
  return router;
}

function idParam(req: Request): string {
  const id = String(req.params.id);
  if (!isFhirId(id)) throw badRequest(`Identifiant invalide : '${id}'`, ['id']);
  return id;
}
