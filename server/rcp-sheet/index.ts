/**
 * The RCP sheet (fiche RCP, CI-SIS CANCER-FRCP 2022.01) as FHIR: what other capabilities call.
 *
 * - build and save: `buildRcpSheet`, `createRcpSheet`, `updateRcpSheet`, `patchRcpSheet`
 * - read: `loadRcpSheet` (Composition + referenced resources, as the caller), `readRcpSheet`,
 *   `meetingDateOfDecision` (the date of an RCP decision: its sheet's meeting), `decisionStandings`
 *   (which decision is in force for a tumour, which ones a later meeting replaced)
 * - check: `checkRcpSheetCompleteness` / `completenessOf`, `completenessOutcome`
 * - sign and lock: `signRcpSheet`, `registerRcpSheetRules`, `isSignedRcpSheet`, `asCorrection`
 * - print and exchange: `buildRcpSheetDocument`, `renderRcpSheetHtml`, `renderRcpSheetPdf`
 * - HTTP: `rcpSheetOperations(store)` (routed from the operations table, server/operations.ts)
 */
export type { RcpSheetInput, RcpSheetData, Professional, RcpParticipant, RcpMeeting, RcpReason, CancerDiagnosis, ProposedTreatment, ResearchStudyInput } from './input.ts';
export { parseRcpSheetInput, type GeneralPractitioner } from './input.ts';
export { buildRcpSheet, createRcpSheet, updateRcpSheet, patchRcpSheet, rcpSheetInputOf, asCorrection, correctionOf, clinicalDatesAsInput } from './rcp-sheet.ts';
export { loadRcpSheet, type LoadedRcpSheet, referencesIn } from './load.ts';
export { byLatestMeeting, meetingDateOfDecision } from './decision-date.ts';
export { tnmBasis, tnmStageLabel } from './tnm.ts';
export { decisionStandings, isRcpDecision, type DecisionStanding } from './decision-standing.ts';
export { readRcpSheet, isRcpSheet, isSignedRcpSheet, type RcpSheetContent, referenceKey, resolverOf } from './read.ts';
export { checkRcpSheetCompleteness, completenessOf, completenessOutcome, type CompletenessStage, type MissingItem } from './completeness.ts';
export { signRcpSheet, registerRcpSheetRules, rcpSheetWriteRule, type SignOptions, type SignResult } from './sign.ts';
export { buildRcpSheetDocument } from './document.ts';
export { renderRcpSheetHtml, renderRcpSheetPdf } from './render.ts';
export { rcpSheetOperations } from './routes.ts';
export * as rcpSheetCodes from './codes.ts';
export { ASSERTED_DATE_EXTENSION, AUTHOR_SIGNATURE, CODE, hasCoding, RCP_SHEET_TAG, ICD10, keyOf, LATERALITY, LATERALITY_EXTENSION, LOINC, MORPHOLOGY_EXTENSION, RCP_SHEET_TYPE, SECTION, TNM_EDITION, TREATMENT_TYPE, type TreatmentType, type CaseStatus } from './codes.ts';
export { isSurveillanceOnly, SURVEILLANCE_AFTER_TREATMENT } from './print.ts';
export { sectionEntries } from './entries.ts';
