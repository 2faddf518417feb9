/**
 * Code systems, codes and extension URLs of the RCP sheet (fiche RCP, CI-SIS CANCER-FRCP 2022.01).
 *
 * Codes come from the ANS example documents (../shared/design/reference/CANCER-FRCP_2022.01_*.xml):
 * LOINC section codes, TA_ASIP codes (OID 1.2.250.1.213.1.1.4.322), SNOMED CT and NCIt treatment
 * types. Where the national data set names an item without a published code, a DCC code system
 * (`https://dcc-paca.example/fhir/...`, never a real namespace) carries it.
 */
import type { Coding } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { LOINC, SNOMED } from '../fhir-kit/code-systems.ts';
import { CARE_PLAN_CATEGORY_CODE, CARE_PLAN_CATEGORY_SYSTEM, RCP_SHEET_LOINC } from '../fhir-kit/shared-codes.ts';

export { CARE_PLAN_CATEGORY_SYSTEM, LOINC, SNOMED };
export const NCIT = 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl';
/** TA_ASIP terminology of the ANS (codes ORG-…, MED-…, GEN-…). */
export const TA_ASIP = 'urn:oid:1.2.250.1.213.1.1.4.322';
export const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
export const ICDO3 = 'http://terminology.hl7.org/CodeSystem/icd-o-3';
export const R38_SPECIALTY = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
/** TRE_R213 mode of care: code 39 = Réunion de Concertation Pluridisciplinaire. */
export const R213_CARE_MODE = 'https://mos.esante.gouv.fr/NOS/TRE_R213-ModePriseEnCharge/FHIR/TRE-R213-ModePriseEnCharge';
export const SIGNATURE_TYPE_SYSTEM = 'urn:iso-astm:E1762-95:2013';
export const AUTHOR_SIGNATURE: Coding = { system: SIGNATURE_TYPE_SYSTEM, code: '1.2.840.10065.1.12.1.1', display: "Author's Signature" };
export const PROVENANCE_PARTICIPANT_TYPE = 'http://terminology.hl7.org/CodeSystem/provenance-participant-type';
export const DOCUMENT_COMPLETION = 'http://terminology.hl7.org/CodeSystem/v3-DocumentCompletion';

/** National identifiers of the RCP context (encompassingEncounter ids of the CDA FRCP). */
export const RRC_ID_SYSTEM = 'urn:oid:1.2.250.1.161.1.20.1.1';
export const THREE_C_ID_SYSTEM = 'urn:oid:1.2.250.1.161.1.20.2.1';
export const RCP_ID_SYSTEM = 'urn:oid:1.2.250.1.161.1.20.3.1';
export const RCP_SESSION_ID_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.9';

// DCC definitions (pending the published profiles of fhir-profiles/: align there).
const DCC = DCC_CANONICAL_BASE;
export const RCP_SHEET_PROFILE = `${DCC}/StructureDefinition/dcc-rcp-sheet`;
export const RCP_DECISION_PROFILE = `${DCC}/StructureDefinition/dcc-rcp-decision`;
// Published in fhir-profiles/ (README): document status, quorum, file complete, proposal rank and sequence.
export const EXT_DOCUMENT_STATUS = `${DCC}/StructureDefinition/dcc-document-status`;
export const EXT_QUORUM_STATUS = `${DCC}/StructureDefinition/dcc-quorum-status`;
export const EXT_FILE_COMPLETE = `${DCC}/StructureDefinition/dcc-file-complete`;
export const EXT_PROPOSAL_INTENTION = `${DCC}/StructureDefinition/dcc-proposal-rank`;
export const EXT_PROPOSAL_SEQUENCE = `${DCC}/StructureDefinition/dcc-proposal-sequence`;
/** Rubric of an activity (ValueSet dcc-care-plan-activity-kind): marks a surveillance that follows a treatment. */
export const EXT_ACTIVITY_KIND = `${DCC}/StructureDefinition/dcc-activity-kind`;
// Defined by the RCP sheet (profiles are open; to be added to fhir-profiles/).
export const EXT_RCP_MEETING = `${DCC}/StructureDefinition/dcc-rcp-meeting`;
export const EXT_RCP_PARTICIPANT = `${DCC}/StructureDefinition/dcc-rcp-participant`;
/** The author's speciality (R38), on Composition.author: the FRCP header gives it for the author as for every participant. */
export const EXT_AUTHOR_SPECIALITY = `${DCC}/StructureDefinition/dcc-rcp-author-speciality`;
export const EXT_CORRECTION = `${DCC}/StructureDefinition/dcc-rcp-sheet-correction`;
export const EXT_SIGNED_DIGEST = `${DCC}/StructureDefinition/dcc-signed-content-digest`;
export const MORPHOLOGY_EXTENSION = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior';
export const LATERALITY_EXTENSION = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier';
export const ASSERTED_DATE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/condition-assertedDate';
export const RCP_ITEM_SYSTEM = `${DCC}/CodeSystem/dcc-rcp-sheet-item`;
export const RCP_PARTICIPANT_FUNCTION_SYSTEM = `${DCC}/CodeSystem/dcc-rcp-participant-function`;
export const RCP_MEETING_MODE_SYSTEM = `${DCC}/CodeSystem/dcc-rcp-meeting-mode`;
export const RCP_TREATMENT_TYPE_SYSTEM = `${DCC}/CodeSystem/dcc-treatment-type`;
/** TNM UICC (editions 7, 8, 9 as codes). */
export const TNM_UICC = 'urn:oid:2.16.840.1.113883.15.6';
/** Tag of the resources a sheet created itself (updated in place when the sheet is saved again). */
export const RCP_SHEET_TAG: Coding = { system: `${DCC}/CodeSystem/dcc-tag`, code: 'rcp-sheet-entry', display: 'Élément de fiche RCP' };

export const RCP_SHEET_TYPE: Coding = { system: LOINC, code: RCP_SHEET_LOINC, display: 'CR de réunion de concertation pluridisciplinaire' };
export const RCP_DECISION_CATEGORY: Coding = { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.rcpDecision, display: 'Décision de RCP' };
export const RCP_EVENT: Coding = { system: R213_CARE_MODE, code: '39', display: 'Réunion de Concertation Pluridisciplinaire (RCP)' };

/** Sections of the sheet: LOINC code → French title (order = order in the document). */
export const SECTION = {
  reason: { code: '42349-1', title: 'Motif et type de RCP' },
  discovery: { code: '42545-4', title: 'Circonstances de découverte' },
  diagnosis: { code: '72135-7', title: 'Diagnostic du cancer' },
  history: { code: '11348-0', title: 'Antécédents' },
  comorbidities: { code: '11450-4', title: 'Comorbidités' },
  functionalStatus: { code: '47420-5', title: 'État général' },
  performance: { code: '46006-3', title: 'Indice de performance OMS' },
  geriatric: { code: '48542-5', title: 'Dépistage de la fragilité gériatrique' },
  pain: { code: '38208-5', title: 'Douleur' },
  exams: { code: '30954-2', title: "Résultats d'examens" },
  phase: { code: '18733-6', title: 'Phase et évolution de la maladie' },
  treatments: { code: '29554-3', title: 'Traitements antérieurs et en cours' },
  operative: { code: '10218-6', title: 'Conclusion du compte rendu opératoire' },
  pathology: { code: '22637-3', title: "Conclusion du compte rendu d'anatomopathologie" },
  molecular: { code: '50397-9', title: 'Conclusion du compte rendu de biologie moléculaire' },
  summary: { code: '10164-2', title: 'Synthèse du cas et question posée à la RCP' },
  fileStatus: { code: '21874-3', title: 'Statut du dossier présenté en RCP' },
  proposal: { code: '18776-5', title: 'Proposition de la RCP' },
  basis: { code: '35510-7', title: 'Cadre de la proposition thérapeutique' },
  patientComment: { code: '55112-7', title: 'Commentaires sur le patient' },
  documentStatus: { code: '33557-0', title: 'Statut du document' },
} as const;
export type SectionKey = keyof typeof SECTION;

export const loinc = (code: string, display: string): Coding => ({ system: LOINC, code, display });
export const asip = (code: string, display: string): Coding => ({ system: TA_ASIP, code, display });
export const item = (code: string, display: string): Coding => ({ system: RCP_ITEM_SYSTEM, code, display });

/** Observation codes of the sheet's entries. */
export const CODE = {
  nature: asip('GEN-098', 'Nature de la discussion'),
  organSystem: asip('ORG-118', 'Appareil concerné'),
  organ: asip('ORG-119', 'Organe'),
  transversalType: asip('ORG-138', 'Traitement / Soins'),
  recours: asip('ORG-184', 'RCP de recours'),
  paediatric: asip('ORG-185', 'RCP pédiatrique'),
  motif: asip('ORG-186', 'Motif de la RCP'),
  caseStatus: asip('ORG-127', 'Statut du cas présenté'),
  screening: loinc('63921-1', 'Dépistage du cancer'),
  tnm: loinc('75620-5', 'Stade TNM clinique'),
  tnmT: loinc('21905-5', 'TNM clinique T'),
  tnmN: loinc('21906-3', 'TNM clinique N'),
  tnmM: loinc('21907-1', 'TNM clinique M'),
  tnmStage: loinc('21909-7', 'Stade clinique'),
  tnmEdition: loinc('21917-0', 'Version de la classification TNM'),
  otherStaging: loinc('21918-8', 'Autre classification du stade'),
  stagingName: asip('GEN-101', 'Nom de la classification'),
  stagingVersion: asip('GEN-102', 'Version de la classification'),
  history: loinc('11348-0', 'Antécédents médicaux'),
  comorbidity: loinc('11450-4', 'Comorbidité'),
  performance: asip('MED-239', 'Echelle de performance OMS'),
  ecog: loinc('89247-1', 'ECOG Performance Status score'),
  geriatric: loinc('48544-1', 'Score de dépistage gériatrique'),
  pain: loinc('38208-5', 'Sévérité de la douleur'),
  examResult: loinc('30954-2', "Résultat d'examen"),
  phase: asip('MED-243', 'Phase du cancer'),
  progression: asip('MED-245', 'Progression du cancer'),
  progressionLocal: asip('MED-246', 'Progression locale du cancer'),
  progressionRegional: asip('MED-247', 'Progression régionale du cancer'),
  progressionDistant: asip('MED-248', 'Progression à distance du cancer'),
  operative: loinc('10218-6', 'Compte rendu opératoire'),
  pathology: loinc('22637-3', 'Conclusion - Diagnostic'),
  molecular: loinc('50397-9', 'Génétique moléculaire - Interprétation'),
  summary: loinc('10164-2', 'Synthèse du cas présenté'),
  question: item('rcp-question', 'Question posée à la RCP'),
  otherData: item('rcp-other-data', "Autres données indispensables à l'avis de la RCP"),
  /** The sheet's own comment on a diagnosis taken from the record (the record's Condition is not the sheet's to annotate). */
  diagnosisComment: item('rcp-diagnosis-comment', 'Commentaire sur le diagnostic'),
  fileStatus: asip('GEN-099', 'Information RCP'),
  fileComplete: asip('GEN-100', 'Dossier complet'),
  quorum: asip('ORG-125', 'Quorum RCP'),
  exam: asip('ORG-064', "Demande d'examen ou de suivi"),
  surveillance: asip('MED-226', 'Surveillance seule'),
  recoursReferral: asip('ORG-120', 'Passage en RCP recours'),
  guideline: asip('MED-249', 'Recommandation/référentiel de pratique clinique'),
  guidelineVersion: item('guideline-version', 'Version du référentiel'),
  guidelineConformity: item('guideline-conformity', 'Proposition conforme au référentiel'),
  trial: asip('MED-250', "Proposition d'inclusion dans un essai clinique"),
  patientComment: loinc('55112-7', 'Commentaire sur le patient'),
} as const;

/** TA_ASIP rubric "Suivi" (dcc-activity-kind): a surveillance proposed after a treatment, not instead of it. */
export const FOLLOW_UP_KIND = asip('MED-571', 'Suivi');

export type RcpNature = 'organ' | 'transversal';
export const NATURE: Record<RcpNature, Coding> = {
  organ: asip('ORG-117', 'RCP Appareil - Organes'),
  transversal: asip('ORG-132', 'RCP Transversale et de soins de support'),
};

export type RcpMotif = 'diagnostic-opinion' | 'treatment-proposal' | 'recours' | 'paediatrics';
export const MOTIF: Record<RcpMotif, Coding> = {
  'diagnostic-opinion': asip('MED-235', 'Avis diagnostique'),
  'treatment-proposal': asip('ORG-114', 'Proposition de traitement (dont ajustement et surveillance)'),
  recours: asip('ORG-115', 'Recours'),
  paediatrics: asip('ORG-116', 'Pédiatrie'),
};

export type CaseStatus = 'registered' | 'discussed';
export const CASE_STATUS: Record<CaseStatus, Coding> = {
  registered: asip('ORG-128', 'Cas enregistré'),
  discussed: asip('ORG-134', 'Cas discuté'),
};

export type Laterality = 'right' | 'left' | 'bilateral';
export const LATERALITY: Record<Laterality, Coding> = {
  right: { system: SNOMED, code: '24028007', display: 'Droite' },
  left: { system: SNOMED, code: '7771000', display: 'Gauche' },
  bilateral: { system: SNOMED, code: '51440002', display: 'Bilatérale' },
};

export type TnmEdition = '7' | '8' | '9';
export const TNM_EDITION: Record<TnmEdition, Coding> = {
  '7': { system: TNM_UICC, code: '7', display: 'TNM UICC 7e édition' },
  '8': { system: TNM_UICC, code: '8', display: 'TNM UICC 8e édition' },
  '9': { system: TNM_UICC, code: '9', display: 'TNM UICC 9e édition' },
};

export type WhoPerformance = 0 | 1 | 2 | 3 | 4;
/** WHO (OMS) performance status: TA_ASIP value + LOINC ECOG answer (mCODE). */
export const WHO_PERFORMANCE: Record<WhoPerformance, { asip: Coding; loinc: Coding; text: string }> = {
  0: { asip: asip('MED-240', 'Stade 0'), loinc: loinc('LA9622-7', 'Fully active'), text: "Capable d'une activité identique à celle précédant la maladie, sans aucune restriction" },
  1: { asip: asip('MED-264', 'Stade 1'), loinc: loinc('LA9623-5', 'Restricted in physically strenuous activity'), text: 'Activité physique diminuée, mais ambulatoire et capable de mener un travail' },
  2: { asip: asip('MED-265', 'Stade 2'), loinc: loinc('LA9624-3', 'Ambulatory and capable of all selfcare'), text: "Ambulatoire et capable de prendre soin de soi-même ; incapable de travailler ; alité moins de 50 % du temps" },
  3: { asip: asip('MED-266', 'Stade 3'), loinc: loinc('LA9625-0', 'Capable of only limited selfcare'), text: 'Capable seulement de quelques soins personnels ; alité ou en chaise plus de 50 % du temps' },
  4: { asip: asip('MED-267', 'Stade 4'), loinc: loinc('LA9626-8', 'Completely disabled'), text: 'Incapable de prendre soin de soi-même ; alité ou en chaise en permanence' },
};

export type CancerPhase = 'initial' | 'relapse';
export const PHASE: Record<CancerPhase, Coding> = {
  initial: asip('MED-268', 'Phase initiale'),
  relapse: asip('MED-244', 'Rechute du cancer'),
};

export type QuorumStatus = 'reached' | 'not-reached' | 'unknown';
export const QUORUM: Record<QuorumStatus, Coding> = {
  reached: asip('ORG-126', 'Quorum atteint'),
  'not-reached': asip('ORG-133', 'Quorum non atteint'),
  unknown: asip('GEN-010', 'Inconnu'),
};

/** Document status (FRCP 33557-0; ValueSet dcc-document-status). The signature makes a sheet `approved`. */
export type DocumentStatus = 'in-progress' | 'done' | 'approved' | 'closed';
export const DOCUMENT_STATUS: Record<DocumentStatus, Coding> = {
  'in-progress': { system: SNOMED, code: '385651009', display: 'En cours' },
  done: { system: SNOMED, code: '385658003', display: 'Terminé' },
  approved: { system: SNOMED, code: '9571008', display: 'Approuvé' },
  closed: { system: SNOMED, code: '29179001', display: 'Clos' },
};

export type MeetingMode = 'in-person' | 'videoconference' | 'hybrid';
export const MEETING_MODE: Record<MeetingMode, Coding> = {
  'in-person': { system: RCP_MEETING_MODE_SYSTEM, code: 'in-person', display: 'Présentiel' },
  videoconference: { system: RCP_MEETING_MODE_SYSTEM, code: 'videoconference', display: 'Visioconférence' },
  hybrid: { system: RCP_MEETING_MODE_SYSTEM, code: 'hybrid', display: 'Présentiel et visioconférence' },
};

export type ParticipantFunction = 'coordinator' | 'requester' | 'presenter' | 'general-practitioner' | 'member';
export const PARTICIPANT_FUNCTION: Record<ParticipantFunction, Coding> = {
  coordinator: { system: RCP_PARTICIPANT_FUNCTION_SYSTEM, code: 'coordinator', display: 'Coordonnateur (3C)' },
  requester: { system: RCP_PARTICIPANT_FUNCTION_SYSTEM, code: 'requester', display: 'Médecin demandeur' },
  presenter: { system: RCP_PARTICIPANT_FUNCTION_SYSTEM, code: 'presenter', display: 'Médecin présentateur' },
  'general-practitioner': { system: RCP_PARTICIPANT_FUNCTION_SYSTEM, code: 'general-practitioner', display: 'Médecin traitant' },
  member: { system: RCP_PARTICIPANT_FUNCTION_SYSTEM, code: 'member', display: 'Participant à la RCP' },
};

/** Treatment types of the FRCP (JDV_TypeTraitement_FRCP_CISIS) and the DCC additions. */
export type TreatmentType =
  | 'surgery' | 'external-radiotherapy' | 'brachytherapy' | 'chemotherapy' | 'targeted-therapy' | 'hormone-therapy'
  | 'immunotherapy' | 'active-surveillance' | 'therapeutic-window' | 'graft' | 'supportive-care' | 'palliative-care' | 'other';
export const TREATMENT_TYPE: Record<TreatmentType, Coding> = {
  surgery: { system: SNOMED, code: '387713003', display: 'Chirurgie' },
  'external-radiotherapy': { system: NCIT, code: 'C15313', display: 'Radiothérapie externe' },
  brachytherapy: { system: NCIT, code: 'C15195', display: 'Curiethérapie' },
  chemotherapy: { system: NCIT, code: 'C15632', display: 'Chimiothérapie' },
  'targeted-therapy': { system: NCIT, code: 'C93352', display: 'Thérapie ciblée' },
  'hormone-therapy': { system: NCIT, code: 'C547', display: 'Hormonothérapie' },
  immunotherapy: { system: NCIT, code: 'C15262', display: 'Immunothérapie' },
  'active-surveillance': asip('MED-227', 'Surveillance active'),
  'therapeutic-window': asip('MED-556', 'Fenêtre thérapeutique'),
  graft: { system: RCP_TREATMENT_TYPE_SYSTEM, code: 'graft', display: 'Greffe' },
  'supportive-care': { system: NCIT, code: 'C15747', display: 'Soins de support' },
  'palliative-care': { system: RCP_TREATMENT_TYPE_SYSTEM, code: 'palliative-care', display: 'Soins palliatifs' },
  other: asip('GEN-092.03.01', 'Autres traitements (à préciser)'),
};

/** The enum value whose coding matches (system + code), if any. */
export function keyOf<K extends string | number>(table: Record<K, Coding>, codings: readonly Coding[] | undefined): K | undefined {
  for (const [key, coding] of Object.entries(table) as [K, Coding][]) {
    if (codings?.some((c) => c.system === coding.system && c.code === coding.code)) return key;
  }
  return undefined;
}

export function hasCoding(codings: readonly Coding[] | undefined, coding: Coding): boolean {
  return Boolean(codings?.some((c) => c.system === coding.system && c.code === coding.code));
}
