/**
 * The after-cancer pathway (parcours de soins global après le traitement d'un cancer): orientation
 * checks of the PPAC, prescription in a labelled structure, consultations, ARS report. Mount
 * `pathwayRouter({ store })` at /api/pathway.
 */
export { pathwayRouter, type PathwayRouterDeps } from './routes.ts';
export { buildPrescriptions, pathwayWindow, PATHWAY_NEED, type PrescriptionInput } from './prescription.ts';
export { buildPathwayReport, pathwayReportCsv, parseSemester, type PathwayReport } from './report.ts';
export { qualityCsv, qualityOfPeriod, qualityPeriodOf, QUALITY_CRITERIA, type EstablishmentQuality, type QualityCriterion } from './quality.ts';
