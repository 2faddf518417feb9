/**
 * The date of an RCP decision is the date of the meeting that took it: the sheet whose proposal
 * section holds the decision says it (Composition.event.period.start, the session's start). The
 * decision CarePlan's `created` is only when its record was first saved — before the meeting for a
 * proposal prepared in advance, the seeding day for the demo — and put a wrong date on the PPS.
 */
import type { Composition, Resource } from '@medplum/fhirtypes';
import { parseReference } from '../fhir-kit/ids.ts';
import { SECTION } from './codes.ts';
import { isRcpSheet } from './read.ts';

/** The meeting date of the RCP sheet (among `resources`) whose proposal is CarePlan/`decisionId`, if any. */
export function meetingDateOfDecision(decisionId: string, resources: readonly Resource[]): string | undefined {
  for (const resource of resources) {
    if (!isRcpSheet(resource)) continue;
    const date = resource.event?.[0]?.period?.start;
    if (date && proposalRefersTo(resource, decisionId)) return date;
  }
  return undefined;
}

/** A signed sheet pins its entries (CarePlan/x/_history/n): the version does not matter here. */
function proposalRefersTo(sheet: Composition, decisionId: string): boolean {
  const proposal = (sheet.section ?? []).find((s) => s.code?.coding?.some((c) => c.code === SECTION.proposal.code));
  return (proposal?.entry ?? []).some((e) => {
    const target = parseReference(e.reference);
    return target?.type === 'CarePlan' && target.id === decisionId;
  });
}

/** Instants compared as instants (the meeting's date carries its offset, a signature time may be UTC); unknown last. */
const instant = (value: string | undefined) => (value ? Date.parse(value) : Number.NaN);
const newestFirst = (a: number, b: number) => (Number.isNaN(a) ? (Number.isNaN(b) ? 0 : 1) : Number.isNaN(b) ? -1 : b - a);

/**
 * The sheet of the latest meeting first; for one meeting, the latest signature. Latest by the
 * meeting, not by the signature: a report signed late (or corrected) for an older meeting does not
 * replace what a later meeting decided.
 */
export function byLatestMeeting(a: Composition, b: Composition): number {
  const meeting = (c: Composition) => instant(c.event?.[0]?.period?.start);
  const signature = (c: Composition) => instant(c.attester?.find((x) => x.mode === 'legal')?.time ?? c.date);
  return newestFirst(meeting(a), meeting(b)) || newestFirst(signature(a), signature(b));
}

/** The sheet (among `resources`) whose proposal is CarePlan/`decisionId`. */
export function sheetOfDecision(decisionId: string, resources: readonly Resource[]): Composition | undefined {
  return resources.find((r): r is Composition => isRcpSheet(r) && proposalRefersTo(r, decisionId));
}
