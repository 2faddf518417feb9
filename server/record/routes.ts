import { type OperationHandler, sendResource } from '../fhir/index.ts';
import type { Bundle } from '@medplum/fhirtypes';
import { requireReadableType } from '../access/index.ts';
import { badRequest, notFound } from '../fhir-kit/errors.ts';
import { isSupportedResourceType } from '../fhir-kit/resource-types.ts';
import type { Store } from '../store/store.ts';
import { markConditionEnteredInError } from './condition-error.ts';
import { declareGeneralPractitioner } from './general-practitioner.ts';
import { ifMatchVersion } from '../fhir-kit/versions.ts';
import { decisionStandings } from '../rcp-sheet/index.ts';
import { buildTimeline } from './timeline.ts';

const MAX_EVERYTHING = 5000;

/** The patient record as a whole: Patient/{id}/$everything and Patient/{id}/$timeline. */
export function patientRecordOperations(store: Store): Record<'everything' | 'timeline' | 'enteredInError' | 'generalPractitioner', OperationHandler> {
  const everything: OperationHandler = async (req, res, target) => {
    const patientId = String(target.id);
    const ctx = req.dccContext!;
    requireReadableType(ctx.principal, 'Patient');
    const repo = store.forRequest(ctx);
    await repo.read('Patient', patientId); // 404 when out of the circle of care (traced)
    const since = typeof req.query._since === 'string' ? req.query._since : undefined;
    if (since !== undefined && Number.isNaN(Date.parse(since))) throw badRequest(`_since attend un instant, reçu '${since}'`, ['_since']);
    const types = typeof req.query._type === 'string' ? req.query._type.split(',').filter(Boolean) : undefined;
    for (const type of types ?? []) if (!isSupportedResourceType(type)) throw badRequest(`_type : type inconnu '${type}'`, ['_type']);
    const resources = await repo.patientCompartment(patientId, { since: since && new Date(since).toISOString(), types, limit: MAX_EVERYTHING });
    const cut = resources.length > MAX_EVERYTHING;
    const bundle: Bundle = {
      resourceType: 'Bundle',
      type: 'searchset',
      total: Math.min(resources.length, MAX_EVERYTHING),
      link: [{ relation: 'self', url: `${ctx.baseUrl}/Patient/${patientId}/$everything` }],
      entry: [
        ...resources.slice(0, MAX_EVERYTHING).map((resource) => ({ fullUrl: `${ctx.baseUrl}/${resource.resourceType}/${resource.id}`, resource, search: { mode: 'match' as const } })),
        ...(cut ? [{ resource: { resourceType: 'OperationOutcome' as const, issue: [{ severity: 'warning' as const, code: 'too-costly' as const, details: { text: `Dossier tronqué aux ${MAX_EVERYTHING} premières ressources : précisez _since ou _type` } }] }, search: { mode: 'outcome' as const } }] : []),
      ],
    };
    sendResource(req, res, 200, bundle);
  };

  const timeline: OperationHandler = async (req, res, target) => {
    const patientId = String(target.id);
    const ctx = req.dccContext!;
    const repo = store.forRequest(ctx);
    const patient = await repo.readIfExists('Patient', patientId);
    if (!patient) throw notFound(`Patient/${patientId} introuvable`);
    const resources = await repo.patientCompartment(patientId, { limit: MAX_EVERYTHING });
    // decisions: which RCP decision is in force for each tumour (the record page offers a PPS only from it).
    res.set('Cache-Control', 'no-store').json({ patient: `Patient/${patientId}`, events: buildTimeline(resources), decisions: decisionStandings(resources) });
  };
  /** Condition/{id}/$entered-in-error { reason }: a wrong diagnosis marked « saisie erronée », never deleted. */
  const enteredInError: OperationHandler = async (req, res, target) => {
    const ctx = req.dccContext!;
    const condition = await markConditionEnteredInError(store.forRequest(ctx), String(target.id), req.body, ctx.principal);
    sendResource(req, res, 200, condition);
  };
  /** Patient/{id}/$general-practitioner { practitioner }: the médecin traitant declared from the record (If-Match honoured). */
  const generalPractitioner: OperationHandler = async (req, res, target) => {
    const ctx = req.dccContext!;
    const patient = await declareGeneralPractitioner(store.forRequest(ctx), String(target.id), req.body, ctx.principal, ifMatchVersion(req.get('if-match')));
    sendResource(req, res, 200, patient);
  };
  return { everything, timeline, enteredInError, generalPractitioner };
}
