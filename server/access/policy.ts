import type { Resource } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import { POST_CANCER_NEED_CODES, POST_CANCER_NEED_SYSTEM, POST_CANCER_PROGRAM } from '../fhir-kit/shared-codes.ts';

/**
 * Who may see and write what, by profession (least privilege). The circle-of-care rule that
 * applies to patient data is SQL inside every query (store/visibility-sql.ts, fed by viewerOf in
 * access-control.ts); this file is the table a security officer reads.
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
 * Narrow grants: a profession writes a type only for one kind of content, never the rest of it.
 * GP: the after-cancer pathway prescription (décret n° 2020-1665: « le médecin traitant, l'oncologue
 * ou le pédiatre » prescribes) — a ServiceRequest of that program and of one of its needs, nothing
 * else (no RCP registration, no exam order). Created or updated; never deleted.
 */
const NARROW_WRITE: Partial<Record<Exclude<Role, 'system'>, Record<string, (r: Resource) => boolean>>> = {
  gp: { ServiceRequest: isPostCancerPrescription },
};

export function isPostCancerPrescription(resource: Resource): boolean {
  if (resource.resourceType !== 'ServiceRequest') return false;
  const program = POST_CANCER_PROGRAM.coding![0]!;
  return Boolean(resource.category?.some((c) => c.coding?.some((x) => x.system === program.system && x.code === program.code)))
    && Boolean(resource.code?.coding?.length)
    && resource.code!.coding!.every((x) => x.system === POST_CANCER_NEED_SYSTEM && (POST_CANCER_NEED_CODES as readonly string[]).includes(x.code ?? ''));
}

/**
 * When the caller holds the type only through a narrow grant: why this write falls outside it
 * (undefined when it fits, or when a full grant applies). Both the new content and the version it
 * replaces must fit, so a grant can neither create nor turn something else into its kind.
 */
export function narrowWriteRefusal(principal: Principal, resourceType: string, action: 'create' | 'update' | 'delete', resource: Resource | undefined, previous: Resource | undefined): string | undefined {
  const roles = rolesOf(principal);
  if (roles.some((r) => r === 'system' || WRITE[r].includes(resourceType))) return undefined;
  const fits = roles.map((r) => (r === 'system' ? undefined : NARROW_WRITE[r]?.[resourceType])).filter((f): f is (r: Resource) => boolean => Boolean(f));
  if (!fits.length) return undefined;
  const ok = action !== 'delete' && fits.some((fit) => (!resource || fit(resource)) && (!previous || fit(previous)));
  return ok ? undefined : `Votre profession (${principal.roles.join(', ')}) ne peut ${action === 'delete' ? 'supprimer' : 'écrire'} de ${resourceType} que pour la prescription du parcours de soins global après cancer (décret n° 2020-1665)`;
}

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
export function readableTypes(principal: Principal): ReadonlySet<string> {
  // Asked several times by every request (type check, visibility rule): one set per combination of roles.
  const key = JSON.stringify(principal.roles);
  let types = readableByRoles.get(key);
  if (!types) {
    types = new Set(rolesOf(principal).flatMap((r) => (r === 'system' ? [] : READ[r])));
    if (readableByRoles.size < 64) readableByRoles.set(key, types);
  }
  return types;
}
const readableByRoles = new Map<string, ReadonlySet<string>>();

export function mayReadType(principal: Principal, resourceType: string): boolean {
  return isSystem(principal) || DIRECTORY_TYPES.includes(resourceType) || readableTypes(principal).has(resourceType);
}

export function mayWriteType(principal: Principal, resourceType: string): boolean {
  if (isSystem(principal)) return true;
  if (resourceType === 'AuditEvent') return false; // the trail is written by the server only
  return rolesOf(principal).some((r) => r !== 'system' && (WRITE[r].includes(resourceType) || Boolean(NARROW_WRITE[r]?.[resourceType])));
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
