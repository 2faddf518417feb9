import type { CarePlan, CarePlanActivity, MedicationRequest } from '@medplum/fhirtypes';
import { ACTIVITY_STATUS_LABEL } from './codes.ts';

/** MedicationRequest.status of a programme's oral treatment, as said to people (the code showed raw: "on-hold"). */
const PRESCRIPTION_STATUS_LABEL: Record<MedicationRequest['status'], string> = {
  active: 'prescrit',
  'on-hold': 'suspendu',
  stopped: 'arrêté',
  completed: 'terminé',
  cancelled: 'annulé',
  draft: 'prévu',
  'entered-in-error': 'saisi par erreur',
  unknown: 'à préciser',
};

/** Statuses that say nothing happened yet: in a programme that is over, they are no longer true. */
const NOT_YET = ['not-started', 'scheduled', 'unknown'];

/**
 * The status of a programme's activity in a summary or a printed programme: its prescription's
 * when it has one (a PPS's oral treatment), otherwise its own. A programme that is over (closed at
 * the end of active treatments, or cancelled) never says "à venir" of what was not recorded as
 * done: the GP read « Statut : terminé » above a chemotherapy « à venir ». "Non renseigné" says
 * what the record holds, without claiming it took place or not.
 */
export function activityStatusLabel(activity: CarePlanActivity, request: MedicationRequest | undefined, planStatus: CarePlan['status'] | undefined): string {
  if (request) return PRESCRIPTION_STATUS_LABEL[request.status] ?? 'à préciser';
  const status = activity.detail?.status ?? 'unknown';
  if ((planStatus === 'completed' || planStatus === 'revoked') && NOT_YET.includes(status)) return 'non renseigné';
  return ACTIVITY_STATUS_LABEL[status] ?? '';
}
