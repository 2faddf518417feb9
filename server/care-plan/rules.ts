/**
 * Domain invariants of the PPS, checked on every write whoever makes it (FHIR PUT, transaction,
 * care-plan operations).
 */
import type { CarePlan } from '@medplum/fhirtypes';
import { businessRule } from '../fhir-kit/errors.ts';
import type { WriteRule } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { ALLOWED_UPDATE_REASON_CODES, EXT, UPDATE_REASON } from './codes.ts';
import { extensionsOf, handOverOf, isPps, updateRecordsOf } from './model.ts';
import { decisionOfPps, requireDecisionInForce } from './decision-in-force.ts';
import { longDate } from '../fhir-kit/french-dates.ts';

/** Parts of a PPS that are not its content: changing only these is not an update of the programme. */
const NOT_CONTENT = new Set<string>([EXT.handOver, EXT.shareWithGp, EXT.dataReuseNotice]);

/**
 * Once handed to the patient, a PPS changes only with the reason of the change (CI-SIS PPS
 * 2022.01, GEN-037 "motif de mise à jour": relapse, refusal, palliative care, calendar change…):
 * each new version of its content appends one update record, and earlier records stay as they were.
 * Recording a new hand-over, or the patient's choices, is not a change of content.
 */
export const ppsUpdateReasonRule: WriteRule = (change) => {
  if (change.resourceType !== 'CarePlan' || change.action !== 'update') return;
  const previous = change.previous as CarePlan | undefined;
  const next = change.next as CarePlan | undefined;
  if (!previous || !next || !isPps(previous)) return;
  const handOver = handOverOf(previous);
  if (!handOver) return;
  if (sameContent(previous, next)) return;

  const before = extensionsOf(previous, EXT.updateHistory);
  const after = extensionsOf(next, EXT.updateHistory);
  const reasons = [...new Map(Object.values(UPDATE_REASON).map((r) => [`${r.coding.system}|${r.coding.code}`, `${r.coding.code} (${r.coding.display?.toLowerCase()})`])).values()].join(', ');
  if (after.length <= before.length) {
    throw businessRule(
      `Ce PPS a été remis au patient le ${longDate(handOver.date)} : toute modification doit indiquer son motif (rechute, refus du patient, soins palliatifs, modification du calendrier…). Ajoutez à la suite une extension ${EXT.updateHistory} avec « reason » (${reasons}) et « date ».`,
      ['CarePlan.extension'],
    );
  }
  const kept = after.slice(0, before.length);
  if (canonical(kept) !== canonical(before)) {
    throw businessRule('Les motifs des mises à jour précédentes de ce PPS ne peuvent être ni modifiés ni supprimés : ajoutez le nouveau motif à la suite', ['CarePlan.extension']);
  }
  const records = updateRecordsOf(next).slice(before.length);
  records.forEach((record, i) => {
    const position = before.length + i + 1;
    const codings = record.reason?.coding ?? [];
    if (!codings.some((c) => ALLOWED_UPDATE_REASON_CODES.has(`${c.system}|${c.code}`))) {
      throw businessRule(`Motif de mise à jour n° ${position} absent ou inconnu (${codings.map((c) => c.code).join(', ') || 'aucun code'}) : attendu l'un de ${reasons}`, ['CarePlan.extension']);
    }
    if (!record.date) throw businessRule(`Le motif de mise à jour n° ${position} doit être daté (sous-extension « date »)`, ['CarePlan.extension']);
  });
};

/**
 * A PPS rests on the RCP decision in force for its tumour, however it is written ($build-pps, FHIR
 * POST or PUT, transaction): on create, and when an update changes the decision it is based on. A
 * PPS already built keeps its decision when a later RCP replaces it (it is then updated, with a reason).
 */
export const ppsDecisionInForceRule: WriteRule = async (change, tx) => {
  if (change.resourceType !== 'CarePlan' || change.action === 'delete') return;
  const next = change.next as CarePlan | undefined;
  if (!next || !isPps(next)) return;
  const previous = change.previous as CarePlan | undefined;
  const basedOn = (plan: CarePlan | undefined) => JSON.stringify((plan?.basedOn ?? []).map((r) => r.reference));
  if (change.action === 'update' && previous && isPps(previous) && basedOn(previous) === basedOn(next)) return;
  const decision = await decisionOfPps(tx, next);
  if (decision) await requireDecisionInForce(tx, decision);
};

/** Registers the care-plan invariants on the store (idempotent: same names replace). */
export function registerCarePlanRules(store: Store): void {
  store.addWriteRule('care-plan:pps-update-reason', ppsUpdateReasonRule, { types: ['CarePlan'], pure: true });
  store.addWriteRule('care-plan:pps-decision-in-force', ppsDecisionInForceRule, { types: ['CarePlan'] });
}

function contentOf(plan: CarePlan): unknown {
  // Notes (e.g. why the programme was handed over again) annotate the programme, they are not its content.
  const { meta: _meta, text: _text, note: _note, ...rest } = plan as CarePlan & Record<string, unknown>;
  const extension = (rest.extension ?? []).filter((e) => !NOT_CONTENT.has(e.url));
  return { ...rest, extension };
}

function sameContent(a: CarePlan, b: CarePlan): boolean {
  return canonical(contentOf(a)) === canonical(contentOf(b));
}

/** JSON with sorted keys: a client that re-orders properties has not changed the content. */
function canonical(value: unknown): string {
  return JSON.stringify(value, (_key, v) =>
    v && typeof v === 'object' && !Array.isArray(v)
      ? Object.fromEntries(Object.keys(v).sort().map((k) => [k, (v as Record<string, unknown>)[k]]))
      : v);
}
