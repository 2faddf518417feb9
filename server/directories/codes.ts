/**
 * Codes and extension URLs of the regional directories (open clinical trials, offer of care,
 * labelled after-cancer structures). Local code systems live under the DCC canonical base until
 * the regional network publishes its own.
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { POST_CANCER_NEED_CODES, POST_CANCER_NEED_SYSTEM, POST_CANCER_PROGRAM } from '../fhir-kit/shared-codes.ts';

export { POST_CANCER_NEED_CODES, POST_CANCER_NEED_SYSTEM, POST_CANCER_PROGRAM };

const ext = (name: string) => `${DCC_CANONICAL_BASE}/StructureDefinition/${name}`;

/** HealthcareService.category: which directory of the regional offer an entry belongs to. */
export const DIRECTORY_KIND_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-directory-kind`;
export const DIRECTORY_KIND = {
  'authorised-treatment': 'Établissement autorisé au traitement du cancer',
  'supportive-care': 'Structure de soins oncologiques de support',
  'specific-consultation': 'Consultation spécialisée en cancérologie',
  'patient-association': 'Association de patients',
} as const;
export type DirectoryKind = keyof typeof DIRECTORY_KIND;

/** HealthcareService.type: what the entry offers (treatment authorised, supportive care, consultation). */
export const OFFER_TYPE_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-offer-type`;
export const OFFER_TYPE: Record<string, string> = {
  // Authorised treatments (régime des autorisations de traitement du cancer, décret 2022-689).
  'surgery-digestive': 'Chirurgie oncologique digestive',
  'surgery-breast': 'Chirurgie oncologique du sein',
  'surgery-gynaecological': 'Chirurgie oncologique gynécologique',
  'surgery-urological': 'Chirurgie oncologique urologique',
  'surgery-thoracic': 'Chirurgie oncologique thoracique',
  'surgery-ent': 'Chirurgie oncologique ORL et maxillo-faciale',
  radiotherapy: 'Radiothérapie externe',
  chemotherapy: 'Traitements médicamenteux systémiques du cancer',
  // Supportive care (the same codes as the PPS supportive-care vocabulary where they overlap).
  'needs-evaluation': 'Bilan des besoins en soins de support',
  'physical-activity': 'Activité physique adaptée (APA)',
  nutrition: 'Consultation diététique',
  psychology: 'Soutien psychologique',
  'socio-esthetics': 'Socio-esthétique',
  'return-to-work': 'Accompagnement du retour au travail',
  // Specific consultations.
  oncofertility: 'Préservation de la fertilité (oncofertilité)',
  oncogeriatrics: 'Consultation d’oncogériatrie',
  oncogenetics: 'Consultation d’oncogénétique',
  // Associations.
  'peer-support': 'Écoute et soutien entre patients',
};

/**
 * HealthcareService: the label of the after-cancer pathway (parcours de soins global après le
 * traitement d'un cancer, décret n° 2020-1665, arrêté du 24 décembre 2020) given by the ARS.
 * Complex: year (valueInteger), territory (valueString), withdrawn (valueDate, when the ARS withdrew it).
 */
export const POST_CANCER_LABEL_EXT = ext('dcc-post-cancer-label');

/** Organization.type of a community pharmacy: the demo code and the FINESS category 620. */
export const PHARMACY_TYPES: readonly Coding[] = [
  { system: `${DCC_CANONICAL_BASE}/CodeSystem/organization-type`, code: 'OFF' },
  { system: 'https://mos.esante.gouv.fr/NOS/TRE_R66-CategorieEtablissement/FHIR/TRE-R66-CategorieEtablissement', code: '620' },
];

/** Business identifiers of the directory entries (conditional creates, import, export). */
export const DIRECTORY_ENTRY_ID_SYSTEM = `${DCC_CANONICAL_BASE}/sid/regional-directory`;
/** Kept from the first, hard-coded list so that existing references and seeds still resolve. */
export const SUPPORTIVE_CARE_STRUCTURE_ID_SYSTEM = `${DCC_CANONICAL_BASE}/sid/supportive-care-structure`;
export const FINESS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.2';

export function kindConcept(kind: DirectoryKind): CodeableConcept {
  return { coding: [{ system: DIRECTORY_KIND_SYSTEM, code: kind, display: DIRECTORY_KIND[kind] }], text: DIRECTORY_KIND[kind] };
}

export function offerTypeConcept(code: string): CodeableConcept {
  return { coding: [{ system: OFFER_TYPE_SYSTEM, code, display: OFFER_TYPE[code] }], text: OFFER_TYPE[code] };
}

// ----- clinical trials ---------------------------------------------------------------------------
/** Registry numbers: ClinicalTrials.gov (NCT) and the EU Clinical Trials Information System (EU CT). */
export const NCT_SYSTEM = 'https://clinicaltrials.gov';
export const EU_CT_SYSTEM = 'https://euclinicaltrials.eu';
export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
/** ResearchStudy.phase (R4 value set research-study-phase). */
export const PHASE_SYSTEM = 'http://terminology.hl7.org/CodeSystem/research-study-phase';
export const PHASE_LABEL: Record<string, string> = {
  'n-a': 'Sans objet', 'early-phase-1': 'Phase précoce', 'phase-1': 'Phase I', 'phase-1-phase-2': 'Phase I/II',
  'phase-2': 'Phase II', 'phase-2-phase-3': 'Phase II/III', 'phase-3': 'Phase III', 'phase-4': 'Phase IV',
};
/** ResearchStudy.category marking the studies of the regional directory (and not copies made by a sheet). */
export const TRIAL_DIRECTORY_CATEGORY: Coding = { system: `${DCC_CANONICAL_BASE}/CodeSystem/dcc-directory-kind`, code: 'open-trial', display: "Essai clinique ouvert de l'annuaire régional" };
/** ResearchStudy extensions: targeted stages (valueString) and the main inclusion criteria (valueMarkdown). */
export const TRIAL_STAGE_EXT = ext('dcc-trial-targeted-stage');
export const TRIAL_INCLUSION_EXT = ext('dcc-trial-main-inclusion-criteria');
/** ResearchSubject: who recorded the inclusion (valueReference Practitioner); R4 has no recorder element. */
export const INCLUSION_RECORDED_BY_EXT = ext('dcc-recorded-by');
/** ResearchSubject: the RCP proposal (Observation MED-250) the inclusion follows. */
export const INCLUSION_PROPOSAL_EXT = ext('dcc-trial-proposal');
/** ResearchSubject.status (R4 research-subject-status) in French, for the pages and summaries. */
export const INCLUSION_STATUS_LABEL: Record<string, string> = {
  candidate: 'Candidat(e)', eligible: 'Éligible', 'follow-up': 'Suivi après traitement (dans l’essai)', ineligible: 'Non éligible',
  'not-registered': 'Non inclus(e)', 'off-study': 'Sorti(e) de l’essai', 'on-study': 'Inclus(e)', 'on-study-intervention': 'Inclus(e), sous traitement de l’essai',
  'on-study-observation': 'Inclus(e), en observation', 'pending-on-study': 'Inclusion en attente', 'potential-candidate': 'Candidat(e) potentiel(le)',
  screening: 'En pré-inclusion (screening)', withdrawn: 'Retrait de l’essai',
};
