import type { CodeableConcept } from '@medplum/fhirtypes';
import { dccCodeSystem, dccIdentifierSystem, dccStructureDefinition } from './canonical.ts';

/**
 * Codes the access rules match on (access/access-control.ts, store/visibility-sql.ts) and the domains
 * write (rcp, rcp-sheet, care-plan). They live below both, so the access layer needs no domain import.
 */
export const RCP_CODE_SYSTEM = dccCodeSystem('rcp');
/** Task.code of a case registered for an RCP. */
export const RCP_CASE_CODE = 'rcp-case';
/** HealthcareService.category of an RCP board. */
export const RCP_BOARD_CATEGORY_CODE = 'rcp';
/** Members CareTeam of a board: identifier value = the board's HealthcareService id. */
export const RCP_BOARD_MEMBERS_SYSTEM = dccIdentifierSystem('rcp-board-members');
/** Task.groupIdentifier of a case: value = the Appointment id of its current session. */
export const RCP_SESSION_GROUP_SYSTEM = dccIdentifierSystem('rcp-session-cases');
/** LOINC 34794-8, the type of the RCP sheet (Composition) and of its report. */
export const RCP_SHEET_LOINC = '34794-8';

export const CARE_PLAN_CATEGORY_SYSTEM = dccCodeSystem('dcc-care-plan-category');
export const CARE_PLAN_CATEGORY_CODE = { rcpDecision: 'rcp-decision', pps: 'pps', ppac: 'ppac' } as const;
/** CarePlan (PPS): the patient's choice to send the programme to the GP (valueBoolean). */
export const SHARE_WITH_GP_EXTENSION = dccStructureDefinition('dcc-share-with-gp');
/** CarePlan: hand-over to the patient (complex: date, by). */
export const HAND_OVER_EXTENSION = dccStructureDefinition('dcc-handover');

// The after-cancer pathway: access/policy.ts lets a GP write exactly these prescriptions.
/** HealthcareService.program of the labelled after-cancer structures. */
export const POST_CANCER_PROGRAM: CodeableConcept = {
  coding: [{ system: dccCodeSystem('dcc-health-program'), code: 'parcours-global-apres-cancer', display: "Parcours de soins global après le traitement d'un cancer" }],
  text: "Parcours de soins global après le traitement d'un cancer",
};

/** ServiceRequest.code of the after-cancer pathway's prescription (one request per kind of need). */
export const POST_CANCER_NEED_SYSTEM = dccCodeSystem('dcc-post-cancer-need');
export const POST_CANCER_NEED_CODES = ['physical-activity-assessment', 'dietetic', 'psychological'] as const;
