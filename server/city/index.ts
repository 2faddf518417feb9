/**
 * Sharing with the city: "mes patients" and "ce qui a changé depuis ma dernière consultation" for
 * GPs, nurses and pharmacists (and hospital physicians). Mount with
 * `createApp({ apis: [{ path: '/api/city', router: cityRouter({ store }) }] })`.
 */
export { cityRouter, type CityRouterDeps } from './routes.ts';
export { listMyPatients, listChanges, markSeen, requireCityProfessional, windowStart, parseSince, changeSortKey, DEFAULT_WINDOW_DAYS, type MyPatientItem, type Page } from './service.ts';
export { findMyPatients, careReasonsOf, patientDisplayName, nameSortKey, patientSortKey, type MyPatient, type CareReason, type CareReasonCode } from './my-patients.ts';
export { collectChanges, type CityChange, type ChangeWindow, type CollectedChanges } from './feed.ts';
export {
  describeChange, describeRcpReportChange, describeProgrammeChange, describeOralTreatmentChange, oralTreatmentFacts, oralTreatmentDifferences,
  isFollowed, isOralAnticancer, CHANGE_LABEL, CHANGE_TYPES, type ChangeKind, type DescribedChange,
} from './changes.ts';
export { encodeCursor, decodeCursor, pageOf, compareKeys, countOf } from './paging.ts';
