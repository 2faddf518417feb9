/**
 * Which RCP decision is in force: for one patient and one tumour, the decision of the latest
 * meeting (byLatestMeeting, as the GP's summary reads the latest proposal). An earlier decision
 * stays in the record as signed, but it is replaced by the next meeting's — the demo showed a
 * first-line FOLFOX proposal « en vigueur », offering its PPS, beside the adjuvant CAPOX decided after
 * surgery. Only signed decisions (active, or on hold while their report is corrected) count: a
 * draft proposal replaces nothing.
 */
import type { CarePlan, Composition, Resource } from '@medplum/fhirtypes';
import { parseReference } from '../fhir-kit/ids.ts';
import { hasCoding, RCP_DECISION_CATEGORY } from './codes.ts';
import { byLatestMeeting, sheetOfDecision } from './decision-date.ts';

export interface DecisionStanding {
  /** CarePlan/<id> of the decision. */
  decision: string;
  standing: 'in-force' | 'replaced';
  /** The decision of the next meeting on the same tumour, and that meeting's date. */
  replacedBy?: string;
  replacedOn?: string;
}

const SIGNED = new Set(['active', 'on-hold', 'completed']);

export const isRcpDecision = (r: Resource): r is CarePlan =>
  r.resourceType === 'CarePlan' && hasCoding((r as CarePlan).category?.flatMap((c) => c.coding ?? []), RCP_DECISION_CATEGORY);

/** The patient and the tumour a decision is about (its first `addresses`); the patient alone when it names none. */
function tumourOf(decision: CarePlan): string {
  const condition = parseReference(decision.addresses?.[0]?.reference);
  return `${decision.subject?.reference ?? ''}|${condition ? `${condition.type}/${condition.id}` : ''}`;
}

/**
 * The standing of each signed RCP decision among `resources` (decisions and their sheets, e.g. a
 * patient's compartment). A decision whose sheet is not among them is left out: without its
 * meeting, nothing says which came first.
 */
export function decisionStandings(resources: readonly Resource[]): DecisionStanding[] {
  const byTumour = new Map<string, { decision: CarePlan; sheet: Composition }[]>();
  for (const decision of resources.filter(isRcpDecision)) {
    if (!SIGNED.has(decision.status)) continue;
    const sheet = sheetOfDecision(decision.id!, resources);
    if (!sheet) continue;
    const key = tumourOf(decision);
    byTumour.set(key, [...(byTumour.get(key) ?? []), { decision, sheet }]);
  }
  const standings: DecisionStanding[] = [];
  for (const decisions of byTumour.values()) {
    const latestFirst = [...decisions].sort((a, b) => byLatestMeeting(a.sheet, b.sheet));
    latestFirst.forEach(({ decision }, i) => {
      const next = latestFirst[i - 1];
      standings.push(next
        ? { decision: `CarePlan/${decision.id}`, standing: 'replaced', replacedBy: `CarePlan/${next.decision.id}`, ...(next.sheet.event?.[0]?.period?.start ? { replacedOn: next.sheet.event[0].period.start } : {}) }
        : { decision: `CarePlan/${decision.id}`, standing: 'in-force' });
    });
  }
  return standings;
}
