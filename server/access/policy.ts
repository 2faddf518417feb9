import type { Principal } from '../context.ts';

/**
 * Who may see and write what, by profession (least privilege). The circle-of-care rule that
 * applies to patient data is in visibility.ts; this file is the table a security officer reads.
 */
export type Role = 'physician' | 'gp' | 'nurse' | 'pharmacist' | 'coordinator' | 'admin' | 'system';

/** Resource types that carry no patient data: the shared directory every professional may read. */
export const DIRECTORY_TYPES = ['Practitioner', 'PractitionerRole', 'Organization', 'HealthcareService', 'Location', 'ResearchStudy', 'Medication'];

const CLINICAL_TYPES = [
  'Patient', 'CareTeam', 'Condition', 'Observation', 'Procedure', 'MedicationRequest', 'RequestGroup', 'ServiceRequest',
  'Task', 'Appointment', 'List', 'CarePlan', 'Composition', 'DocumentReference', 'Consent', 'Provenance', 'Binary',
  // A patient's inclusion in a trial of the directory (the trial itself is a directory ResearchStudy).
  'ResearchSubject',
];
/**
 * Patient-data types that may also exist without a patient (an RCP session, its agenda, a board's
 * team, a session task): shared with the professions that read the type. Any other type must be
 * attached to a patient, so its visibility follows that patient's circle of care.
 */
export const PATIENTLESS_TYPES = ['Appointment', 'List', 'Task', 'CareTeam', 'HealthcareService'];

const RCP_WORKFLOW_TYPES = ['HealthcareService', 'Appointment', 'List', 'Task', 'ServiceRequest', 'Composition', 'Provenance', 'CareTeam'];

/** Patient-data types each profession may read (inside the circle of care). */
const READ: Record<Exclude<Role, 'system'>, string[]> = {
  physician: CLINICAL_TYPES,
  gp: CLINICAL_TYPES, // the whole record of their patients
  // Care calendar, treatments at home, whom to call: no diagnosis detail, no RCP discussion.
  nurse: ['Patient', 'CareTeam', 'CarePlan', 'MedicationRequest', 'RequestGroup', 'Appointment'],
  // Oral treatment plan: drugs, doses, dates, prescriber, contacts.
  pharmacist: ['Patient', 'CareTeam', 'MedicationRequest', 'RequestGroup'],
  // What organising the sessions of its boards needs, including checking that a file is complete
  // before the meeting (diagnosis, histology, stage) and following the PPS hand-over indicator —
  // only for the patients of its boards' cases (the circle of care).
  coordinator: ['Patient', 'Condition', 'Observation', 'Procedure', 'CarePlan', ...RCP_WORKFLOW_TYPES],
  // Directory and configuration; the audit trail for review. No clinical data.
  admin: ['AuditEvent'],
};

/** Types each profession may create or change. */
const WRITE: Record<Exclude<Role, 'system'>, string[]> = {
  physician: [...CLINICAL_TYPES, 'ResearchStudy'],
  gp: ['Observation', 'CarePlan', 'Composition', 'DocumentReference', 'Consent', 'Task', 'CareTeam'],
  nurse: [],
  pharmacist: [],
  coordinator: [...RCP_WORKFLOW_TYPES, 'ResearchStudy'],
  admin: DIRECTORY_TYPES,
};

/**
 * Separation of duties (least privilege): the security officer (admin) reviews everyone's accesses,
 * including emergency ones, so he holds no clinical role himself — whatever his card says. A
 * physician who is also the security officer uses two accounts.
 */
export function separateDuties(roles: string[]): string[] {
  return roles.includes('admin') ? roles.filter((r) => r === 'admin' || r === 'system') : roles;
}

export function rolesOf(principal: Principal): Role[] {
  return separateDuties(principal.roles).filter((r): r is Role => ['physician', 'gp', 'nurse', 'pharmacist', 'coordinator', 'admin', 'system'].includes(r));
}

export function isSystem(principal: Principal): boolean {
  return principal.roles.includes('system');
}

/** Patient-data types the caller may read at all (any patient in their circle). */
export function readableTypes(principal: Principal): Set<string> {
  return new Set(rolesOf(principal).flatMap((r) => (r === 'system' ? [] : READ[r])));
}

export function mayReadType(principal: Principal, resourceType: string): boolean {
  return isSystem(principal) || DIRECTORY_TYPES.includes(resourceType) || readableTypes(principal).has(resourceType);
}

export function mayWriteType(principal: Principal, resourceType: string): boolean {
  if (isSystem(principal)) return true;
  if (resourceType === 'AuditEvent') return false; // the trail is written by the server only
  return rolesOf(principal).some((r) => r !== 'system' && WRITE[r].includes(resourceType));
}

/** Only physicians may open a record outside their circle in an emergency. */
export function mayBreakGlass(principal: Principal): boolean {
  return rolesOf(principal).some((r) => r === 'physician' || r === 'gp');
}

/** Reads the whole audit trail (security officer / administrator). */
export function mayReviewAudit(principal: Principal): boolean {
  return isSystem(principal) || rolesOf(principal).includes('admin');
}

/** A physician who creates a patient record joins its care team. */
export function joinsCareTeamOnCreate(principal: Principal): boolean {
  return rolesOf(principal).includes('physician');
}
