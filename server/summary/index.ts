/**
 * Per-profession summaries of a patient (issue 6): GP, city nurse, community pharmacist.
 * `summaryOperation({ store })` is routed from the operations table (server/operations.ts):
 * GET /fhir/Patient/{id}/$summary?audience=gp|nurse|pharmacist&_format=json|html|pdf.
 * The pure builders serve the mail and push workers too (gather, build, then document or print).
 */
export { summaryOperation, summaryFormat, type SummaryOperationDeps } from './routes.ts';
export { resolveAudience, audiencesOf, isAudience } from './audience.ts';
export { gatherSummarySources, latestSignedRcpProposal, latestPlan, audienceTypes } from './gather.ts';
export { buildSummary, type Summary, type SummarySection, type SummarySources } from './build.ts';
export { summaryDocument, forAudience, narrativeOf, type SummaryDocumentOptions } from './document.ts';
export { printableSummary, renderSummaryHtml, renderSummaryPdf, type PrintableSummary } from './printable.ts';
export { surveillanceSchedule, type SurveillanceItem, type SurveillanceState } from './surveillance-schedule.ts';
export { frenchNumber, oralTreatmentLine, oralTreatmentLines, isOralAnticancer, type OralTreatmentLine, type TreatmentState } from './oral-treatments.ts';
export { whomToCall, type WhomToCall, type CallContact, type PhoneLine } from './contacts.ts';
export { cancerConditions, describeCondition, describeStage, describeProposal, type SignedRcpProposal } from './clinical.ts';
export { AUDIENCES, AUDIENCE_LABEL, SUMMARY_TYPE, SUMMARY_SECTION_SYSTEM, SUMMARY_AUDIENCE_SYSTEM, type Audience, type SectionKey } from './codes.ts';
