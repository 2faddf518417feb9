/**
 * The PPAC's alternating surveillance as the GP follows it: each visit (and the supportive-care
 * needs evaluation) with its due date, who sees the patient (hospital specialist or GP), the exams
 * to do before, and whether it is done, overdue (due date passed, nothing recorded) or to come.
 */
import type { CarePlan, Reference } from '@medplum/fhirtypes';
import { activitySection, EXT, extensionOf, sub, subs, type SurveillanceSetting } from '../care-plan/index.ts';
import { dayOf } from '../fhir-kit/french-dates.ts';

export type SurveillanceState = 'done' | 'overdue' | 'upcoming' | 'cancelled';

export interface SurveillanceItem {
  /** Index in CarePlan.activity. */
  activityIndex: number;
  kind: 'visit' | 'needs-evaluation';
  /** Visit number (1, 2…), for visits. */
  number?: number;
  /** Due date (YYYY-MM-DD): the visit date, or the latest date of the needs evaluation. */
  due: string;
  /** Who sees the patient at this visit. */
  by?: SurveillanceSetting;
  performer?: Reference;
  label: string;
  exams: string[];
  state: SurveillanceState;
  /** The first item still to come. */
  next?: boolean;
}

const CLOSED = new Set(['cancelled', 'stopped', 'entered-in-error']);


/**
 * The surveillance calendar of a PPAC on `today` (YYYY-MM-DD). Done = the activity is completed or
 * has an outcome recorded (outcomeReference); overdue = its due date is before today and it is not
 * done; a cancelled visit is listed as such and never overdue.
 */
export function surveillanceSchedule(ppac: CarePlan, today: string): SurveillanceItem[] {
  const items: SurveillanceItem[] = [];
  (ppac.activity ?? []).forEach((activity, activityIndex) => {
    const section = activitySection(activity);
    if (section !== 'surveillance' && section !== 'needs-evaluation') return;
    const detail = activity.detail;
    const period = detail?.scheduledPeriod;
    const dueRaw = section === 'needs-evaluation' ? period?.end ?? period?.start : period?.start ?? period?.end;
    if (!dueRaw) return;
    const due = dayOf(dueRaw);
    const visit = extensionOf(activity, EXT.surveillanceVisit);
    const by = extensionOf(activity, EXT.surveillanceBy)?.valueCode as SurveillanceSetting | undefined;
    const status = detail?.status ?? 'unknown';
    const done = status === 'completed' || Boolean(activity.outcomeReference?.length);
    const state: SurveillanceState = done ? 'done' : CLOSED.has(status) ? 'cancelled' : due < today ? 'overdue' : 'upcoming';
    items.push({
      activityIndex,
      kind: section === 'surveillance' ? 'visit' : 'needs-evaluation',
      ...(sub(visit, 'visitNumber')?.valueInteger !== undefined ? { number: sub(visit, 'visitNumber')!.valueInteger } : {}),
      due,
      ...(by === 'hospital' || by === 'gp' ? { by } : {}),
      ...(detail?.performer?.[0] ? { performer: detail.performer[0] } : {}),
      label: section === 'surveillance'
        ? `Consultation de surveillance${sub(visit, 'visitNumber')?.valueInteger ? ` n° ${sub(visit, 'visitNumber')!.valueInteger}` : ''}`
        : 'Évaluation des besoins en soins oncologiques de support',
      exams: subs(visit, 'exam').map((e) => e.valueCodeableConcept?.text ?? e.valueCodeableConcept?.coding?.[0]?.display ?? '').filter(Boolean),
      state,
    });
  });
  items.sort((a, b) => (a.due < b.due ? -1 : a.due > b.due ? 1 : a.activityIndex - b.activityIndex));
  const next = items.find((i) => i.state === 'upcoming');
  if (next) next.next = true;
  return items;
}

export const STATE_LABEL: Record<SurveillanceState, string> = {
  done: 'réalisée',
  overdue: 'EN RETARD',
  upcoming: 'à venir',
  cancelled: 'annulée',
};
