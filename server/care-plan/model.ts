/**
 * Reading and writing the DCC extensions of PPS / PPAC CarePlans: which kind of plan a CarePlan
 * is, its hand-over, its update history, the things to watch.
 */
import type { CarePlan, CarePlanActivity, CodeableConcept, Coding, Extension, Patient, Reference as FhirReference } from '@medplum/fhirtypes';
import { withExtension } from '../fhir-kit/extensions.ts';

/** References between these resources are checked by the profiles, not by the TypeScript types. */
type Reference<_T = unknown> = FhirReference<any>;
import {
  CATEGORY, EXT, SECTION, WATCH_KIND_SYSTEM, WATCH_KIND, sectionOf, updateReasonConcept,
  type ActivitySection, type CarePlanKind, type UpdateReason, type WatchKind,
} from './codes.ts';

function hasCategory(plan: CarePlan, coding: Coding): boolean {
  return (plan.category ?? []).some((c) => c.coding?.some((x) => x.system === coding.system && x.code === coding.code));
}

/**
 * The RCP decision: category `rcp-decision` (fhir-profiles: dcc-care-plan-category). The code is
 * matched whatever its system, and a `proposal` whose category code mentions the RCP is accepted
 * too, while the RCP modules converge on the published code system.
 */
export function isRcpDecision(plan: CarePlan): boolean {
  const codes = (plan.category ?? []).flatMap((c) => c.coding ?? []).map((x) => x.code ?? '');
  if (codes.includes(CATEGORY.rcpDecision.code)) return true;
  return plan.intent === 'proposal' && codes.some((code) => /rcp/i.test(code));
}
export const isPps = (plan: CarePlan): boolean => hasCategory(plan, CATEGORY.pps);
export const isPpac = (plan: CarePlan): boolean => hasCategory(plan, CATEGORY.ppac);

export function kindOf(plan: CarePlan): CarePlanKind | undefined {
  if (isPps(plan)) return 'pps';
  if (isPpac(plan)) return 'ppac';
  if (isRcpDecision(plan)) return 'rcpDecision';
  return undefined;
}

// ----- complex extensions -------------------------------------------------------------------------

export function sub(extension: Extension | undefined, url: string): Extension | undefined {
  return extension?.extension?.find((e) => e.url === url);
}
export function subs(extension: Extension | undefined, url: string): Extension[] {
  return extension?.extension?.filter((e) => e.url === url) ?? [];
}
export function extensionsOf(holder: { extension?: Extension[] } | undefined, url: string): Extension[] {
  return holder?.extension?.filter((e) => e.url === url) ?? [];
}
export function extensionOf(holder: { extension?: Extension[] } | undefined, url: string): Extension | undefined {
  return holder?.extension?.find((e) => e.url === url);
}
export { withExtension };

/** Drops empty sub-extensions so a complex extension only carries what was given. */
export function complex(url: string, parts: (Extension | undefined | false)[]): Extension {
  return { url, extension: parts.filter((p): p is Extension => Boolean(p)) };
}

// ----- activity section ---------------------------------------------------------------------------

/** The rubric (published dcc-activity-kind) and, for the PPAC sections, the finer topic. */
export function sectionExtensions(section: ActivitySection): Extension[] {
  const s = SECTION[section];
  return [{ url: EXT.activityKind, valueCoding: s.kind }, ...(s.topic ? [{ url: EXT.activityTopic, valueCoding: s.topic }] : [])];
}
export function activitySection(activity: CarePlanActivity): ActivitySection | undefined {
  return sectionOf(extensionOf(activity, EXT.activityKind)?.valueCoding?.code, extensionOf(activity, EXT.activityTopic)?.valueCoding?.code);
}

// ----- hand-over ------------------------------------------------------------------------------------

/** A GP on file (Patient.generalPractitioner with a reference): the one a programme may be sent to. */
export function hasDeclaredGp(patient: Patient): boolean {
  return (patient.generalPractitioner ?? []).some((gp) => Boolean(gp.reference));
}

export interface HandOver {
  date: string;
  by?: Reference;
  shareWithGp?: boolean;
  /** No GP was declared when it was handed over: the question was not asked, nothing was sent to a GP. */
  noGp?: boolean;
}

/**
 * dcc-handover (date, by, noGeneralPractitioner when the patient had no GP on file); the patient's
 * choice about the GP is its own extension, dcc-share-with-gp.
 */
export function handOverExtension(h: HandOver): Extension {
  return complex(EXT.handOver, [
    { url: 'date', valueDateTime: h.date },
    h.by && { url: 'by', valueReference: h.by },
    h.noGp && { url: 'noGeneralPractitioner', valueBoolean: true },
  ]);
}
export function shareWithGpExtension(share: boolean): Extension {
  return { url: EXT.shareWithGp, valueBoolean: share };
}
export function handOverOf(plan: CarePlan): HandOver | undefined {
  const e = extensionOf(plan, EXT.handOver);
  const date = sub(e, 'date')?.valueDateTime;
  if (!e || !date) return undefined;
  const noGp = sub(e, 'noGeneralPractitioner')?.valueBoolean === true;
  return { date, by: sub(e, 'by')?.valueReference, shareWithGp: extensionOf(plan, EXT.shareWithGp)?.valueBoolean, ...(noGp ? { noGp } : {}) };
}

// ----- update history ---------------------------------------------------------------------------------

export interface UpdateRecord {
  reason?: CodeableConcept;
  detail?: string;
  date?: string;
  author?: Reference;
}

/** One entry of the update history (dcc-pps-update), appended for each new version after hand-over. */
export function updateHistoryExtension(record: { reason: UpdateReason; text?: string; detail?: string; date: string; author?: Reference }): Extension {
  return complex(EXT.updateHistory, [
    { url: 'reason', valueCodeableConcept: updateReasonConcept(record.reason, record.text) },
    record.detail ? { url: 'detail', valueString: record.detail } : undefined,
    { url: 'date', valueDateTime: record.date },
    record.author && { url: 'author', valueReference: record.author },
  ]);
}
export function updateRecordsOf(plan: CarePlan | undefined): UpdateRecord[] {
  return extensionsOf(plan, EXT.updateHistory).map((e) => ({
    reason: sub(e, 'reason')?.valueCodeableConcept,
    detail: sub(e, 'detail')?.valueString,
    date: sub(e, 'date')?.valueDateTime,
    author: sub(e, 'author')?.valueReference,
  }));
}

/**
 * Records an update of the programme: appends to the history and sets the published
 * dcc-pps-update-reason to this latest reason.
 */
export function withUpdateRecord(plan: CarePlan, record: { reason: UpdateReason; text?: string; detail?: string; date: string; author?: Reference }): CarePlan {
  const withReason = withExtension(plan, EXT.updateReason, { url: EXT.updateReason, valueCodeableConcept: updateReasonConcept(record.reason, record.text) });
  return { ...withReason, extension: [...(withReason.extension ?? []), updateHistoryExtension(record)] };
}

// ----- things to watch ----------------------------------------------------------------------------------

export interface WatchItem {
  kind: WatchKind;
  description: string;
  /** What to do: prevention, when to call whom. */
  action?: string;
}
export function watchItemExtension(item: WatchItem): Extension {
  return complex(EXT.watchItem, [
    { url: 'kind', valueCoding: { system: WATCH_KIND_SYSTEM, code: item.kind, display: WATCH_KIND[item.kind] } },
    { url: 'description', valueString: item.description },
    item.action ? { url: 'action', valueString: item.action } : undefined,
  ]);
}
export function watchItemsOf(plan: CarePlan): WatchItem[] {
  return extensionsOf(plan, EXT.watchItem).map((e) => ({
    kind: (sub(e, 'kind')?.valueCoding?.code ?? 'side-effect') as WatchKind,
    description: sub(e, 'description')?.valueString ?? '',
    action: sub(e, 'action')?.valueString,
  }));
}
