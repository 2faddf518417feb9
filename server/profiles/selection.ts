/**
 * Which DCC profile(s) a resource must conform to: those it claims in `meta.profile`, plus the one
 * its kind selects (fhir-profiles/README.md explains each rule).
 */
import type { Coding, Resource } from '@medplum/fhirtypes';
import { dccCodeSystem } from '../fhir-kit/canonical.ts';
import { LOINC, TA_ASIP } from '../fhir-kit/code-systems.ts';
import { CARE_PLAN_CATEGORY_CODE, CARE_PLAN_CATEGORY_SYSTEM, RCP_SHEET_LOINC } from '../fhir-kit/shared-codes.ts';
import { DCC_PROFILE_BASE } from './catalog.ts';

const profile = (id: string): string => `${DCC_PROFILE_BASE}${id}`;

export const DCC_PROFILES = {
  patient: profile('dcc-patient'),
  cancerCondition: profile('dcc-cancer-condition'),
  tnmStaging: profile('dcc-tnm-staging'),
  performanceStatus: profile('dcc-performance-status'),
  rcpSheet: profile('dcc-rcp-sheet'),
  rcpDecision: profile('dcc-rcp-decision'),
  pps: profile('dcc-pps'),
  ppac: profile('dcc-ppac'),
  oralTreatment: profile('dcc-oral-treatment'),
  objectionConsent: profile('dcc-objection-consent'),
} as const;

/** CarePlan categories that select the RCP decision, PPS and PPAC profiles. */
export { CARE_PLAN_CATEGORY_SYSTEM, RCP_SHEET_LOINC };
export const CARE_PLAN_CATEGORY = CARE_PLAN_CATEGORY_CODE;
export const MEDICATION_REQUEST_CATEGORY_SYSTEM = dccCodeSystem('dcc-medication-request-category');
export const ORAL_ANTICANCER_CATEGORY = 'oral-anticancer';
export const TA_ASIP_SYSTEM = TA_ASIP;
export const LOINC_SYSTEM = LOINC;

const IDENTITY_RELIABILITY = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';
const MORPHOLOGY = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior';

type Json = Record<string, any>;

const hasCoding = (codings: Coding[] | undefined, system: string, code: string): boolean =>
  Array.isArray(codings) && codings.some((c) => c?.system === system && c?.code === code);
const hasCategory = (resource: Json, system: string, code: string): boolean =>
  Array.isArray(resource.category) && resource.category.some((c: Json) => hasCoding(c?.coding, system, code));
const hasExtension = (resource: Json, url: string): boolean =>
  Array.isArray(resource.extension) && resource.extension.some((e: Json) => e?.url === url);

/** Kind rules: the resource's content says which DCC profile it is, without claiming it. */
const KIND_RULES: { resourceType: string; profile: string; matches: (r: Json) => boolean }[] = [
  { resourceType: 'Patient', profile: DCC_PROFILES.patient, matches: (r) => hasExtension(r, IDENTITY_RELIABILITY) },
  { resourceType: 'Condition', profile: DCC_PROFILES.cancerCondition, matches: (r) => hasExtension(r, MORPHOLOGY) },
  { resourceType: 'Observation', profile: DCC_PROFILES.tnmStaging, matches: (r) => hasCoding(r.code?.coding, LOINC_SYSTEM, '75620-5') },
  { resourceType: 'Observation', profile: DCC_PROFILES.performanceStatus, matches: (r) => hasCoding(r.code?.coding, TA_ASIP_SYSTEM, 'MED-239') },
  { resourceType: 'Composition', profile: DCC_PROFILES.rcpSheet, matches: (r) => hasCoding(r.type?.coding, LOINC_SYSTEM, RCP_SHEET_LOINC) },
  { resourceType: 'CarePlan', profile: DCC_PROFILES.rcpDecision, matches: (r) => hasCategory(r, CARE_PLAN_CATEGORY_SYSTEM, CARE_PLAN_CATEGORY.rcpDecision) },
  { resourceType: 'CarePlan', profile: DCC_PROFILES.pps, matches: (r) => hasCategory(r, CARE_PLAN_CATEGORY_SYSTEM, CARE_PLAN_CATEGORY.pps) },
  { resourceType: 'CarePlan', profile: DCC_PROFILES.ppac, matches: (r) => hasCategory(r, CARE_PLAN_CATEGORY_SYSTEM, CARE_PLAN_CATEGORY.ppac) },
  { resourceType: 'MedicationRequest', profile: DCC_PROFILES.oralTreatment, matches: (r) => hasCategory(r, MEDICATION_REQUEST_CATEGORY_SYSTEM, ORAL_ANTICANCER_CATEGORY) },
  // Consent: claimed only (see the README: every deny Consent is an objection for the access rules).
];

/** DCC profile urls claimed in meta.profile (version suffix `|x.y` removed). */
export function claimedDccProfiles(resource: Resource): string[] {
  const claimed = (resource.meta?.profile ?? []).filter((p): p is string => typeof p === 'string').map((p) => p.split('|')[0]!);
  return [...new Set(claimed.filter((p) => p.startsWith(DCC_PROFILE_BASE)))];
}

/** DCC profile urls the resource's kind selects. */
export function kindProfiles(resource: Resource): string[] {
  return KIND_RULES.filter((rule) => rule.resourceType === resource.resourceType && rule.matches(resource as Json)).map((rule) => rule.profile);
}

/** Every DCC profile the resource must conform to: claimed ones first, then the kind-selected ones. */
export function profilesOf(resource: Resource): string[] {
  return [...new Set([...claimedDccProfiles(resource), ...kindProfiles(resource)])];
}

/** The DCC profile of a resource (the first claimed, else the one its kind selects), or undefined. */
export function profileOf(resource: Resource): string | undefined {
  return profilesOf(resource)[0];
}
