/**
 * Who may see and write what: the role policy, the circle of care applied inside the store's
 * queries, break-glass, directory roles, and the audit trail of every read and write of patient data.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { AccessControl, careTeamForNewPatient, requireReadableType } from './access-control.ts';
export { buildAuthenticationEvent, buildSharingEvent } from './audit.ts';
export { auditPatientLookupRouter, findPatientsForAuditReview } from './audit-patient-lookup.ts';
export { breakGlass, breakGlassReviewRouter, ownEmergencyAccess } from './break-glass.ts';
export { directorySearch, G15_SYSTEM, PROFESSION_OF_ROLE, rolesFromDirectory, rolesOfPractitioner } from './directory-roles.ts';
export { establishmentForNewPatient } from './patient-establishment.ts';
export { isDirectoryGp, refuseUnlistedGeneralPractitioners } from './general-practitioner.ts';
export { DIRECTORY_TYPES, isSystem, mayReadType, mayWriteType, readableTypes, rolesOf, separateDuties } from './policy.ts';
export { RefusedSignIns } from './refused-sign-ins.ts';
export { signInReviewRouter } from './sign-in-review.ts';
export { ROLE_LABELS } from './role-labels.ts';
