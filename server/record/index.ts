/**
 * The patient record as the hospital pages show it: timeline and clinical dates.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { registerClinicalDateRules } from './clinical-dates.ts';
export { patientRecordOperations } from './routes.ts';
