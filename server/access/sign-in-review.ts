import type { AuditEvent } from '@medplum/fhirtypes';
import type { Request, Response, Router } from 'express';
import express from 'express';
import type { RequestContext } from '../context.ts';
import { badRequest, forbidden } from '../fhir-kit/errors.ts';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import type { Store } from '../store/store.ts';
import { buildAuditEvent } from './audit.ts';
import { mayReviewAudit } from './policy.ts';

/** The most sign-ins one screen reads: past it the officer narrows the period. */
export const SIGN_IN_CAP = 1000;
const AUTH_METHOD_URL = 'https://dcc-paca.example/fhir/StructureDefinition/auth-method';
const DAY = /^\d{4}-\d{2}-\d{2}$/;

/** One sign-in, successful or refused, as the security officer reads it. */
export interface SignInLine {
  id: string;
  recorded: string;
  /** Name as the directory or the card gave it; « inconnu » when the card could not be read. */
  professional: string;
  idnps?: string;
  practitioner?: string;
  /** cps, saml, psc, demo, session (a session refused: expired, unknown). */
  method?: string;
  address?: string;
  success: boolean;
  /** Why it was refused (or the aggregate of a flood of refusals). */
  reason?: string;
}

/**
 * "Connexions": the sign-ins and refused sign-ins of the trail (DICOM User Authentication, Login),
 * newest first, for the security officer only. Reading them is itself traced; a refusal too.
 * `outcome`: success | failure; `from` / `to`: days (YYYY-MM-DD, to included).
 */
export async function listSignIns(store: Store, ctx: RequestContext, query: { outcome?: unknown; from?: unknown; to?: unknown }): Promise<{ signIns: SignInLine[]; truncated: boolean }> {
  const repo = store.system();
  if (!mayReviewAudit(ctx.principal)) {
    await repo.append(buildAuditEvent(ctx, { interaction: 'search-type', outcome: 'failure', query: 'AuditEvent?type=110114&subtype=110122', resources: [], detail: 'Liste des connexions refusée : réservée au responsable de la sécurité' }, new Set()));
    throw forbidden('Réservé au responsable de la sécurité (administrateur)');
  }
  const { outcome, from, to } = query;
  if (outcome !== undefined && outcome !== 'success' && outcome !== 'failure') throw badRequest("outcome attendu : 'success' ou 'failure'", ['outcome']);
  for (const [name, value] of [['from', from], ['to', to]] as const) {
    if (value !== undefined && (typeof value !== 'string' || !DAY.test(value) || Number.isNaN(Date.parse(value)))) throw badRequest(`${name} attend une date AAAA-MM-JJ`, [name]);
  }
  const dates = [from ? `ge${from}` : undefined, to ? `le${to}T23:59:59` : undefined].filter((d): d is string => Boolean(d));
  const params: Record<string, string | string[]> = {
    type: 'http://dicom.nema.org/resources/ontology/DCM|110114',
    subtype: 'http://dicom.nema.org/resources/ontology/DCM|110122',
    _sort: '-date',
    ...(outcome ? { outcome: outcome === 'success' ? '0' : '4' } : {}),
    ...(dates.length ? { date: dates } : {}),
  };
  const events = await repo.searchAll<AuditEvent>('AuditEvent', params, { max: SIGN_IN_CAP + 1 });
  await repo.append(buildAuditEvent(ctx, {
    interaction: 'search-type', outcome: 'success', resources: [],
    query: `AuditEvent?${new URLSearchParams(Object.entries(params).flatMap(([k, v]) => (Array.isArray(v) ? v : [v]).map((x) => [k, x]))).toString()}`,
    detail: 'Consultation des connexions (responsable de la sécurité)',
  }, new Set()));
  return { signIns: events.slice(0, SIGN_IN_CAP).map(signInLineOf), truncated: events.length > SIGN_IN_CAP };
}

export function signInLineOf(e: AuditEvent): SignInLine {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const who = agent?.who;
  const idnps = who?.identifier?.system === IDNPS_SYSTEM ? who.identifier.value : undefined;
  const method = agent?.extension?.find((x) => x.url === AUTH_METHOD_URL)?.valueCode;
  const success = e.outcome === '0';
  return {
    id: e.id ?? '',
    recorded: e.recorded,
    professional: who?.display ?? who?.reference ?? 'inconnu',
    ...(idnps ? { idnps } : {}),
    ...(who?.reference ? { practitioner: who.reference } : {}),
    ...(method ? { method } : {}),
    ...(agent?.network?.address ? { address: agent.network.address } : {}),
    success,
    ...(!success && e.outcomeDesc ? { reason: e.outcomeDesc } : {}),
  };
}

/** GET /access/sign-ins?outcome=&from=&to= → `{ signIns, truncated }` (security officer only). */
export function signInReviewRouter(store: Store, contextOf: (req: Request) => RequestContext): Router {
  const router = express.Router();
  router.get('/sign-ins', async (req: Request, res: Response) => {
    res.set('Cache-Control', 'no-store').json(await listSignIns(store, contextOf(req), req.query));
  });
  return router;
}
