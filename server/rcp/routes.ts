import express, { type Request, type Response, type Router } from 'express';
import { ifMatchVersion } from '../fhir-kit/versions.ts';
import type { Store } from '../store/store.ts';
import { createBoard, listBoards, loadBoard, updateBoard } from './boards.ts';
import { boardCalendar, practitionerCalendar } from './calendar.ts';
import { acceptCase, caseCompleteness, caseView, listCases, moveCase, registerCase, rejectCase, withdrawCase } from './cases.ts';
import { correctCase, decisionView, discussCase, postponeCase, recordCase, saveDecision, signCase } from './decision.ts';
import { invalidInput } from './errors.ts';
import type { RcpContext } from './fhir-helpers.ts';
import { qualityCsv, qualityOfPeriod, qualityPeriodOf } from '../pathway/index.ts';
import { forbidden } from '../fhir-kit/errors.ts';
import { mayReadType } from '../access/index.ts';
import { computeIndicators, indicatorsCsv, parseIndicatorQuery, requireIndicatorReader } from './indicators.ts';
import { cancelSession, closeSession, generateSessions, listSessions, reorderAgenda, sessionDetails, sessionQuorum, setAttendance, startSession } from './sessions.ts';
import { isCaseState, type SessionState } from './transitions.ts';
import { pendingRegistrations } from './pending-registrations.ts';

export interface RcpApiDeps {
  store: Store;
  /** Clock of the workflow (cut-offs, delays); tests and the demo seed may set it. */
  now?: () => Date;
}

/**
 * The RCP workflow as a JSON API (mounted at /api/rcp behind the authentication gate). Routes are
 * thin: they read the request, call the domain step (boards, sessions, cases, decision) as the
 * caller, and answer JSON with the version as ETag; errors are OperationOutcomes naming the rule.
 */
export function rcpApiRouter(deps: RcpApiDeps): Router {
  const router = express.Router();
  const rcOf = (req: Request, channel?: 'rcp-board'): RcpContext => {
    const ctx = channel ? { ...req.dccContext!, channel } : req.dccContext!;
    return { repo: deps.store.forRequest(ctx), ctx, now: deps.now?.() ?? new Date() };
  };
  const ifMatch = (req: Request) => ifMatchVersion(req.get('if-match'));
  const send = (res: Response, status: number, body: unknown, version?: string) => {
    if (version) res.set('ETag', `W/"${version}"`);
    res.status(status).json(body);
  };
  const text = (q: unknown) => (typeof q === 'string' && q ? q : undefined);

  // --- Boards -------------------------------------------------------------------------------
  router.get('/boards', async (req, res) => {
    const active = text(req.query.active);
    send(res, 200, await listBoards(rcOf(req), {
      ...(text(req.query.centre) ? { centre: String(req.query.centre).startsWith('Organization/') ? String(req.query.centre) : `Organization/${req.query.centre}` } : {}),
      ...(active ? { active: active === 'true' } : {}),
      ...(text(req.query.practitioner) ? { practitioner: String(req.query.practitioner).startsWith('Practitioner/') ? String(req.query.practitioner) : `Practitioner/${req.query.practitioner}` } : {}),
    }));
  });
  router.post('/boards', async (req, res) => {
    const { board, warnings } = await createBoard(rcOf(req, 'rcp-board'), req.body);
    res.location(`/api/rcp/boards/${board.id}`);
    send(res, 201, { ...board, warnings }, board.version);
  });
  router.get('/boards/:id', async (req, res) => {
    const { board } = await loadBoard(rcOf(req), req.params.id);
    send(res, 200, board, board.version);
  });
  router.put('/boards/:id', async (req, res) => {
    const { board, warnings } = await updateBoard(rcOf(req, 'rcp-board'), req.params.id, req.body, ifMatch(req));
    send(res, 200, { ...board, warnings }, board.version);
  });
  router.post('/boards/:id/sessions/generate', async (req, res) => {
    const horizon = req.body?.horizonDays;
    if (horizon !== undefined && !Number.isInteger(horizon)) throw invalidInput('board-invalid', 'horizonDays : nombre entier de jours attendu', ['horizonDays']);
    send(res, 200, await generateSessions(rcOf(req), req.params.id, { ...(horizon !== undefined ? { horizonDays: horizon } : {}) }));
  });
  router.get('/boards/:id/sessions', async (req, res) => {
    const state = text(req.query.state) as SessionState | undefined;
    if (state && !['planned', 'in-progress', 'closed', 'cancelled'].includes(state)) throw invalidInput('session-transition', 'state : planned, in-progress, closed ou cancelled', ['state']);
    send(res, 200, await listSessions(rcOf(req), req.params.id, {
      ...(text(req.query.from) ? { from: String(req.query.from) } : {}), ...(text(req.query.to) ? { to: String(req.query.to) } : {}), ...(state ? { state } : {}),
    }));
  });
  router.get('/boards/:id/calendar.ics', async (req, res) => {
    res.type('text/calendar; charset=utf-8').send(await boardCalendar(rcOf(req), req.params.id));
  });
  router.get('/practitioners/:id/calendar.ics', async (req, res) => {
    res.type('text/calendar; charset=utf-8').send(await practitionerCalendar(rcOf(req), req.params.id));
  });

  // --- Sessions -----------------------------------------------------------------------------
  router.get('/sessions/:id', async (req, res) => {
    const details = await sessionDetails(rcOf(req), req.params.id);
    send(res, 200, details, details.session.version);
  });
  router.post('/sessions/:id/start', async (req, res) => {
    const session = await startSession(rcOf(req), req.params.id, ifMatch(req), req.body);
    send(res, 200, session, session.version);
  });
  router.post('/sessions/:id/close', async (req, res) => {
    const result = await closeSession(rcOf(req), req.params.id, ifMatch(req));
    send(res, 200, result, result.session.version);
  });
  router.post('/sessions/:id/cancel', async (req, res) => {
    const session = await cancelSession(rcOf(req), req.params.id, req.body?.reason, ifMatch(req));
    send(res, 200, session, session.version);
  });
  router.put('/sessions/:id/attendance', async (req, res) => {
    const session = await setAttendance(rcOf(req), req.params.id, req.body?.attendance, ifMatch(req));
    send(res, 200, session, session.version);
  });
  router.get('/sessions/:id/quorum', async (req, res) => {
    send(res, 200, await sessionQuorum(rcOf(req), req.params.id, text(req.query.case)));
  });
  router.put('/sessions/:id/agenda', async (req, res) => {
    const agenda = await reorderAgenda(rcOf(req), req.params.id, req.body?.order, ifMatch(req));
    send(res, 200, agenda, agenda.version);
  });

  // --- Cases --------------------------------------------------------------------------------
  router.get('/registrations/pending', async (req, res) => {
    send(res, 200, await pendingRegistrations(rcOf(req)));
  });
  router.get('/cases', async (req, res) => {
    const state = text(req.query.state);
    if (state && !isCaseState(state)) throw invalidInput('case-transition', `state inconnu : ${state}`, ['state']);
    send(res, 200, await listCases(rcOf(req), {
      ...(text(req.query.session) ? { session: String(req.query.session) } : {}),
      ...(text(req.query.patient) ? { patient: String(req.query.patient) } : {}),
      ...(text(req.query.board) ? { board: String(req.query.board) } : {}),
      ...(text(req.query.requester) ? { requester: String(req.query.requester) } : {}),
      ...(state && isCaseState(state) ? { state } : {}),
    }));
  });
  router.post('/cases', async (req, res) => {
    const result = await registerCase(rcOf(req), req.body);
    res.location(`/api/rcp/cases/${result.case.id}`);
    send(res, result.existing ? 200 : 201, result, result.case.version);
  });
  router.get('/cases/:id', async (req, res) => {
    const view = await caseView(rcOf(req), req.params.id);
    send(res, 200, view, view.version);
  });
  router.get('/cases/:id/completeness', async (req, res) => {
    const stage = req.query.stage === 'signature' ? 'signature' : 'session';
    const rc = rcOf(req);
    send(res, 200, await rc.repo.reading((repo) => caseCompleteness({ ...rc, repo }, req.params.id, stage)));
  });
  const caseStep = (path: string, step: (rc: RcpContext, id: string, body: unknown, ifMatch?: string) => Promise<{ version: string }>) => {
    router.post(`/cases/:id/${path}`, async (req, res) => {
      const c = await step(rcOf(req), req.params.id, req.body, ifMatch(req));
      send(res, 200, c, c.version);
    });
  };
  caseStep('accept', (rc, id, _body, m) => acceptCase(rc, id, m));
  caseStep('reject', (rc, id, body, m) => rejectCase(rc, id, (body as { reason?: unknown } | undefined)?.reason, m));
  caseStep('withdraw', (rc, id, body, m) => withdrawCase(rc, id, (body as { reason?: unknown } | undefined)?.reason, m));
  caseStep('move', moveCase);
  caseStep('discuss', (rc, id, _body, m) => discussCase(rc, id, m));
  caseStep('record', recordCase);
  caseStep('postpone', (rc, id, body, m) => postponeCase(rc, id, (body as { reason?: unknown } | undefined)?.reason, m));
  router.get('/cases/:id/decision', async (req, res) => {
    // Read-only pages read in one transaction (repository.reading): their traces in one statement.
    const rc = rcOf(req);
    const view = await rc.repo.reading((repo) => decisionView({ ...rc, repo }, req.params.id));
    send(res, 200, view, view.sheet.version);
  });
  router.put('/cases/:id/decision', async (req, res) => {
    const view = await saveDecision(rcOf(req), req.params.id, req.body, ifMatch(req));
    send(res, 200, view, view.sheet.version);
  });
  router.post('/cases/:id/sign', async (req, res) => {
    const result = await signCase(rcOf(req), req.params.id, req.body, ifMatch(req));
    send(res, 200, result, result.report.version);
  });
  router.post('/cases/:id/correct', async (req, res) => {
    const result = await correctCase(rcOf(req), req.params.id, req.body, ifMatch(req));
    send(res, 200, result, result.report.version);
  });

  // --- Indicators ---------------------------------------------------------------------------
  router.get('/indicators', async (req, res) => {
    const rc = rcOf(req);
    requireIndicatorReader(rc); // refused before the query is even read
    const report = await computeIndicators(rc, parseIndicatorQuery(req.query as Record<string, unknown>));
    const csv = req.query.format === 'csv' || (req.query.format === undefined && req.accepts(['application/json', 'text/csv']) === 'text/csv');
    // The six quality criteria per establishment, same period and caller (server/pathway/quality.ts);
    // not for who may not read diagnoses (the administrator).
    const period = qualityPeriodOf(report.period);
    if (csv && req.query.table === 'quality') {
      // The criteria name the patients who miss them: only for who may read diagnoses.
      if (!mayReadType(rc.ctx.principal, 'Condition')) throw forbidden('Les critères qualité nomment des patients et leurs diagnostics : réservés aux professions qui lisent les diagnostics (3C, médecins)');
      const quality = await qualityOfPeriod(rc.repo, period.from, period.to);
      res.type('text/csv; charset=utf-8').attachment(`criteres-qualite-${report.period.from.slice(0, 10)}-${report.period.to.slice(0, 10)}.csv`).send(qualityCsv(quality.period, quality.establishments));
      return;
    }
    const quality = !csv && req.query.quality !== 'false' && mayReadType(rc.ctx.principal, 'Condition') ? await qualityOfPeriod(rc.repo, period.from, period.to) : undefined;
    if (csv) {
      res.type('text/csv; charset=utf-8').attachment(`indicateurs-rcp-${report.period.from.slice(0, 10)}-${report.period.to.slice(0, 10)}.csv`).send(indicatorsCsv(report));
    } else send(res, 200, quality ? { ...report, quality: quality.establishments } : report);
  });

  return router;
}
