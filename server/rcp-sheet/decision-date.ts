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
