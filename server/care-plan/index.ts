/**
 * PPS and PPAC: build from the RCP decision, hand over, update with a reason, start the PPAC,
 * print. Its operations (`carePlanOperations`) are routed from server/operations.ts; call `registerCarePlanRules(store)`
 * at start-up.
 */
export { carePlanOperations, type CarePlanOperationDeps } from './routes.ts';
export { registerCarePlanRules, ppsUpdateReasonRule, ppsDecisionInForceRule } from './rules.ts';
export { requireDecisionInForce } from './decision-in-force.ts';
export { buildPpsFromDecision, handOverCarePlan, type BuildPpsInput, type BuiltPps, type HandOverInput, type PpsContext } from './pps.ts';
export { startPpac, type StartPpacInput, type StartedPpac } from './ppac.ts';
export { generateAlternatingSurveillance, type SurveillanceScheme, type SurveillanceVisit, SETTING_LABEL, type SurveillanceSetting } from './surveillance.ts';
export { buildOralMedicationRequest, describeOralDosage, cycleDates, type OralTreatmentInput, cycleOf, cycleRhythm, isOralAnticancer, oralTreatmentPeriod } from './oral-treatment.ts';
export { printableCarePlan, type Block, patientFields, type PrintableDocument, type PrintableSection } from './printable.ts';
export { renderCarePlanHtml, renderCarePlanPdf } from './render.ts';
export { withoutUnqualifiedIns } from './patient-identity.ts';
export { withUpdateRecord, updateRecordsOf, handOverOf, isPps, isPpac, isRcpDecision, activitySection, extensionOf, sub, subs, watchItemsOf } from './model.ts';
export { seedDemoCarePlans, type DemoCarePlanResult } from './demo.ts';
export { buildPpsForDecision, handOverProgramme, startPpacFromPps, startPpacWithWarnings, printableProgramme, resolveOrientation } from './service.ts';
export { carePlanDocument } from './document.ts';
export { ACTIVITY_STATUS_LABEL, CARE_PLAN_CATEGORY_SYSTEM, CATEGORY, CONTACT_ROLE, contactRoleOf, EXT, ORAL_ANTICANCER, SECTION, THERAPY_TYPES } from './codes.ts';
export { narrativeDiv } from './narrative.ts';
export { activityStatusLabel } from './activity-status.ts';
