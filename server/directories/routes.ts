/**
 * The regional directories over HTTP.
 *
 * Signed in, at /api/directories (behind the authentication gate):
 *   GET  /trials?cancerSite=&phase=&town=&status=recruiting|closed&registryNumber=   open trials of the region
 *   GET  /trials/$export                      the same search as a FHIR Bundle (collection)
 *   GET  /trials/for-patient/{id}             recruiting trials for the patient's active cancers (CIM-10)
 *   POST /trials                              add a trial (ResearchStudy)            — 3C / network staff
 *   PUT  /trials/{id}                         update it in place (If-Match honoured) — 3C / network staff
 *   POST /trials/{id}/$close                  close its recruitment                  — 3C / network staff
 *   POST /trials/$import                      Bundle of trials (+ sites), upsert on the registry number — network staff
 *   GET  /offer?kind=&offer=&town=&near=<postcode>&withinKm=&labelled=true   regional offer of care
 *   GET  /offer/$export                       the same search as a FHIR Bundle (services, organizations, places)
 *   POST /offer/{serviceId}/$close            closes an entry (active = false)          — network staff (admin)
 *   POST /offer/$import                       Bundle of services (+ organizations, places), upsert on identifiers — network staff (admin)
 *   (entries are created and updated through the FHIR API: Organization, Location, HealthcareService — admin)
 *   GET  /patients/{id}/trial-inclusions      the patient's trial participations, with the trial and its contact (circle of care)
 *   POST /patients/{id}/trial-inclusions      { study, date, status?, subjectNumber? } after an RCP proposal of that trial — physicians of the circle
 *   POST /trial-inclusions/{id}/$status       { status, date }: treatment, follow-up, end, withdrawal — physicians of the circle
 *
 * Public, at /public/directories (no sign-in: these directories are public information):
 *   GET  /trials, GET /offer                  the same searches, read-only, rate-limited per address
 */
import express, { type Request, type Response, type Router } from 'express';
import { rateLimit } from 'express-rate-limit';
import type { ResearchStudy } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import { badRequest, forbidden, issue, outcome } from '../fhir-kit/errors.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';
import { ifMatchVersion } from '../fhir-kit/versions.ts';
import type { Store } from '../store/store.ts';
import { closeOfferEntry, exportOffer, parseOfferQuery, searchOffer } from './offer.ts';
import { importOffer } from './offer-import.ts';
import { changeInclusionStatus, inclusionsOf, recordInclusion, type InclusionInput, type InclusionStatusInput } from './inclusion.ts';
import { requireReadableType } from '../access/index.ts';
import { closeTrial, createTrial, importTrials, parseTrialQuery, searchTrials, trialsBundle, trialsForPatient, updateTrial } from './trials.ts';
import { isFhirId } from '../fhir-kit/ids.ts';

export interface DirectoriesRouterDeps {
  store: Store;
  /** Public reads per minute and address (default 120). */
  publicRateLimit?: number;
  /** Clock (tests). */
  today?: () => string;
}


/**
 * Who maintains the trial directory: the 3C coordinators and the network staff (admin). Least
 * privilege: a physician proposes a trial in a sheet but does not edit the regional directory.
 */
export function mayManageTrials(principal: Principal): boolean {
  return principal.roles.some((r) => r === 'coordinator' || r === 'admin' || r === 'system');
}

function requireTrialManager(principal: Principal, what: string): void {
  if (!mayManageTrials(principal)) {
    throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) ne peut pas ${what} : l'annuaire des essais est tenu par le 3C et l'équipe du réseau régional`);
  }
}

export function directoriesApiRouter(deps: DirectoriesRouterDeps): Router {
  const { store } = deps;
  const router = express.Router();

  router.get('/trials', async (req, res) => {
    const found = await searchTrials(store.forRequest(req.dccContext!), parseTrialQuery(req.query));
    res.set('Cache-Control', 'no-store').json({ total: found.entries.length, trials: found.entries });
  });

  // During registration and in the session: the open trials targeting the patient's cancers.
  router.get('/trials/for-patient/:id', async (req, res) => {
    const found = await trialsForPatient(store.forRequest(req.dccContext!), idParam(req));
    res.set('Cache-Control', 'no-store').json(found);
  });

  router.get(/^\/trials\/\$export$/, async (req, res) => {
    const found = await searchTrials(store.forRequest(req.dccContext!), parseTrialQuery(req.query));
    res.set('Cache-Control', 'no-store').type('application/fhir+json; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="essais-cliniques-ouverts.json"')
      .send(JSON.stringify(trialsBundle(found.studies, found.included, req.dccContext!.baseUrl)));
  });

  router.post(/^\/trials\/\$import$/, async (req, res) => {
    const ctx = req.dccContext!;
    requireTrialManager(ctx.principal, "importer des essais dans l'annuaire");
    const result = await importTrials(store.forRequest(ctx), req.body);
    res.status(200).json(result);
  });

  router.post('/trials', async (req, res) => {
    const ctx = req.dccContext!;
    requireTrialManager(ctx.principal, "ajouter un essai à l'annuaire");
    const created = await createTrial(store.forRequest(ctx), req.body as ResearchStudy);
    sendStudy(req, res, 201, created);
  });

  router.put('/trials/:id', async (req, res) => {
    const ctx = req.dccContext!;
    requireTrialManager(ctx.principal, "modifier un essai de l'annuaire");
    const updated = await updateTrial(store.forRequest(ctx), idParam(req), req.body as ResearchStudy, ifMatchVersion(req.get('if-match')));
    sendStudy(req, res, 200, updated);
  });

  router.post(/^\/trials\/([^/]+)\/\$close$/, async (req, res) => {
    const ctx = req.dccContext!;
    requireTrialManager(ctx.principal, "clore un essai de l'annuaire");
    const date = typeof req.body?.date === 'string' ? req.body.date : parisDay(new Date());
    if (!/^\d{4}-\d{2}-\d{2}$/.test(date)) throw badRequest(`date=${date} : AAAA-MM-JJ attendu`, ['date']);
    sendStudy(req, res, 200, await closeTrial(store.forRequest(ctx), idParam(req), date));
  });

  router.get('/offer', async (req, res) => {
    const entries = await searchOffer(store.forRequest(req.dccContext!), parseOfferQuery(req.query));
    res.set('Cache-Control', 'no-store').json({ total: entries.length, entries });
  });

  router.get(/^\/offer\/\$export$/, async (req, res) => {
    const bundle = await exportOffer(store.forRequest(req.dccContext!), parseOfferQuery(req.query), req.dccContext!.baseUrl);
    res.set('Cache-Control', 'no-store').type('application/fhir+json; charset=utf-8')
      .set('Content-Disposition', 'attachment; filename="offre-de-soins.json"').send(JSON.stringify(bundle));
  });

  // The offer is kept by the network staff (admin: the directory types' writers in the access policy).
  router.post(/^\/offer\/\$import$/, async (req, res) => {
    const ctx = req.dccContext!;
    if (!ctx.principal.roles.some((r) => r === 'admin' || r === 'system')) throw forbidden("L'annuaire de l'offre de soins est tenu par l'équipe du réseau régional : import refusé");
    res.status(200).json(await importOffer(store.forRequest(ctx), req.body));
  });

  router.post(/^\/offer\/([^/]+)\/\$close$/, async (req, res) => {
    const ctx = req.dccContext!;
    if (!ctx.principal.roles.some((r) => r === 'admin' || r === 'system')) throw forbidden("L'annuaire de l'offre de soins est tenu par l'équipe du réseau régional");
    const closed = await closeOfferEntry(store.forRequest(ctx), idParam(req));
    res.status(200).type('application/fhir+json; charset=utf-8').send(JSON.stringify(closed));
  });

  // A trial inclusion is patient data: the store's circle-of-care rules decide who reads and writes it.
  // The clinical day is the Paris one: from midnight to 1 or 2 a.m. the UTC day is still yesterday.
  const today = () => deps.today?.() ?? parisDay(new Date());
  router.get('/patients/:id/trial-inclusions', async (req, res) => {
    const ctx = req.dccContext!;
    requireReadableType(ctx.principal, 'ResearchSubject');
    res.set('Cache-Control', 'no-store').json({ inclusions: await inclusionsOf(store.forRequest(ctx), idParam(req)) });
  });

  router.post('/patients/:id/trial-inclusions', async (req, res) => {
    const ctx = req.dccContext!;
    requireIncluder(ctx.principal);
    const recorder = ctx.principal.practitionerId ? { reference: `Practitioner/${ctx.principal.practitionerId}`, display: ctx.principal.displayName } : undefined;
    const created = await recordInclusion(store.forRequest(ctx), idParam(req), req.body as InclusionInput, recorder, today());
    res.status(201).location(`${ctx.baseUrl}/ResearchSubject/${created.id}`).type('application/fhir+json; charset=utf-8').send(JSON.stringify(created));
  });

  router.post(/^\/trial-inclusions\/([^/]+)\/\$status$/, async (req, res) => {
    const ctx = req.dccContext!;
    requireIncluder(ctx.principal);
    const updated = await changeInclusionStatus(store.forRequest(ctx), idParam(req), req.body as InclusionStatusInput, today());
    res.status(200).type('application/fhir+json; charset=utf-8').send(JSON.stringify(updated));
  });

  return router;
}

/** The investigators' side: a physician of the patient's circle records the inclusion (the store checks the circle). */
function requireIncluder(principal: Principal): void {
  if (!principal.roles.some((r) => r === 'physician' || r === 'system')) {
    throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) ne peut pas enregistrer l'inclusion d'un patient dans un essai : réservé aux médecins de son équipe de soins`);
  }
}

/**
 * Read-only public directories. The anonymous caller goes through the same access rules as
 * anyone (directory types only: no patient data is reachable), and only the searches are routed.
 */
export function publicDirectoriesRouter(deps: DirectoriesRouterDeps): Router {
  const { store } = deps;
  const router = express.Router();
  router.use(rateLimit({
    windowMs: 60_000, limit: deps.publicRateLimit ?? 120, standardHeaders: 'draft-7', legacyHeaders: false,
    handler: (_req, res) => {
      res.status(429).type('application/fhir+json; charset=utf-8').send(JSON.stringify(outcome([issue('error', 'throttled', 'Trop de requêtes depuis cette adresse : réessayez dans une minute')])));
    },
  }));
  router.get('/trials', async (req, res) => {
    const found = await searchTrials(store.forRequest(req.dccContext!), parseTrialQuery(req.query));
    res.set('Cache-Control', 'public, max-age=300').json({ total: found.entries.length, trials: found.entries });
  });
  router.get('/offer', async (req, res) => {
    const entries = await searchOffer(store.forRequest(req.dccContext!), parseOfferQuery(req.query));
    res.set('Cache-Control', 'public, max-age=300').json({ total: entries.length, entries });
  });
  router.all(/.*/, (req, _res, next) => next(req.method === 'GET' ? undefined : forbidden("L'annuaire public est en lecture seule : connectez-vous pour le tenir à jour")));
  return router;
}

function idParam(req: Request): string {
  const params = req.params as Record<string, string>;
  const id = String(params.id ?? params[0]);
  if (!isFhirId(id)) throw badRequest(`Identifiant invalide : '${id}'`, ['id']);
  return id;
}

function sendStudy(req: Request, res: Response, status: number, study: ResearchStudy): void {
  res.status(status)
    .location(`${req.dccContext!.baseUrl}/ResearchStudy/${study.id}/_history/${study.meta?.versionId}`)
    .set('ETag', `W/"${study.meta?.versionId}"`)
    .type('application/fhir+json; charset=utf-8')
    .send(JSON.stringify(study));
}
