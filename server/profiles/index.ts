/**
 * DCC profiles: which profile a resource must follow and whether it does.
 * Published definitions: fhir-profiles/ (README lists every url and code); schemas: schemas/profiles/.
 */
export { DCC_CANONICAL, DCC_PROFILE_BASE, expectedCodes, loadCatalog } from './catalog.ts';
export {
  CARE_PLAN_CATEGORY,
  CARE_PLAN_CATEGORY_SYSTEM,
  DCC_PROFILES,
  LOINC_SYSTEM,
  MEDICATION_REQUEST_CATEGORY_SYSTEM,
  ORAL_ANTICANCER_CATEGORY,
  RCP_SHEET_LOINC,
  TA_ASIP_SYSTEM,
  claimedDccProfiles,
  kindProfiles,
  profileOf,
  profilesOf,
} from './selection.ts';
export { loadDccProfiles, validateDccProfile } from './validation.ts';
