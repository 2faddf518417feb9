/**
 * Regional directories: open clinical trials, offer of care (authorised establishments,
 * supportive-care structures with the after-cancer label, specific consultations, associations).
 * Mount `directoriesApiRouter` at /api/directories and `publicDirectoriesRouter` at
 * /public/directories; `regionalDirectoryEntries()` joins the demo Bundle.
 */
export { directoriesApiRouter, publicDirectoriesRouter, mayManageTrials, type DirectoriesRouterDeps } from './routes.ts';
export { regionalDirectoryEntries } from './demo.ts';
export { findTrialByRegistryNumber, searchTrials, registryIdentifier, registryNumberOf, isDirectoryTrial, targetsCancerSite } from './trials.ts';
export { searchOffer, type OfferEntry, type OfferQuery } from './offer.ts';
export { labelOf, isLabelledOn, isPharmacy, labelExtension, type PostCancerLabel } from './label.ts';
export { recordInclusion, changeInclusionStatus, inclusionsOf, type InclusionView } from './inclusion.ts';
export { INCLUSION_STATUS_LABEL, SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM } from './codes.ts';
export { searchEvery } from './search.ts';
