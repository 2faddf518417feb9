/**
 * Patient and professional identifiers: INS (NIR and its key), RPPS / IDNPS / FINESS, and the
 * identity-vigilance rules.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { identityStatusChange, identityStatusOf, insIdentifiers, registerIdentityRules, withoutUnqualifiedIns } from './identity-rules.ts';
export { probableDuplicateWarnings, registerIdentityVigilance } from './identity-vigilance.ts';
export { FR_CORE_IDENTIFIER_TYPE_SYSTEM, IDENTITY_METHOD_COLLECTION_SYSTEM, IDENTITY_RELIABILITY_EXTENSION_URL, IDENTITY_STATUS_DISPLAY, IDENTITY_STATUS_SYSTEM, IDENTITY_VALIDATION_MODE_SYSTEM, type IdentityStatus, INS_NIR_TEST_SYSTEM, INS_SYSTEMS, mayShareIns } from './ins.ts';
export { ESTABLISHMENT_ID_SYSTEM, FINESS_SYSTEM, IDNPS_SYSTEM, isValidFiness, isValidIdnps, RPPS_SYSTEM, rppsFromIdnps } from './rpps.ts';
export { patientDisplayName, printedPatientIdentity, shownName, usedFamilyName, usedNameOf } from './patient-name.ts';
