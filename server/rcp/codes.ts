import type { Coding } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { LOINC, SNOMED } from '../fhir-kit/code-systems.ts';
import { RCP_BOARD_CATEGORY_CODE, RCP_BOARD_MEMBERS_SYSTEM, RCP_CASE_CODE as RCP_CASE_TASK_CODE, RCP_CODE_SYSTEM, RCP_SESSION_GROUP_SYSTEM, RCP_SHEET_LOINC } from '../fhir-kit/shared-codes.ts';

/**
 * Code systems, identifier systems and extension URLs of the RCP workflow. National codes come from
 * the ANS terminology TA_ASIP (OID 1.2.250.1.213.1.1.4.322, as in the CI-SIS FRCP 2022.01 examples);
 * workflow codes the national models do not define are local (`.example` namespace).
 */
export const DCC_BASE = DCC_CANONICAL_BASE;
export const TA_ASIP_SYSTEM = 'urn:oid:1.2.250.1.213.1.1.4.322';
export const LOINC_SYSTEM = LOINC;
export const SNOMED_SYSTEM = SNOMED;
export const NCIT_SYSTEM = 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl';
export const R38_SPECIALTY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/** Local workflow codes (categories, agenda flags, case states). */
export { RCP_BOARD_MEMBERS_SYSTEM, RCP_CODE_SYSTEM, RCP_SESSION_GROUP_SYSTEM };
/** The rule an OperationOutcome refers to (issue.details.coding), so a client can act on it. */
export const RCP_RULE_SYSTEM = `${DCC_BASE}/CodeSystem/rcp-rule`;

export const RCP_BOARD_ID_SYSTEM = `${DCC_BASE}/sid/rcp-board`;
/** Session Appointment: value = `<board id>/<occurrence key>` (stable across regeneration). */
export const RCP_SESSION_ID_SYSTEM = `${DCC_BASE}/sid/rcp-session`;
/** Agenda List: value = the Appointment id of its session. */
export const RCP_AGENDA_ID_SYSTEM = `${DCC_BASE}/sid/rcp-agenda`;
export const RCP_CASE_ID_SYSTEM = `${DCC_BASE}/sid/rcp-case`;
export const RCP_DECISION_ID_SYSTEM = `${DCC_BASE}/sid/rcp-decision`;
export const RCP_REPORT_ID_SYSTEM = `${DCC_BASE}/sid/rcp-report`;

const ext = (name: string) => `${DCC_BASE}/StructureDefinition/${name}`;
export const EXT = {
  // Board (HealthcareService)
  boardKind: ext('rcp-board-kind'),
  boardOrgan: ext('rcp-board-organ'),
  boardMembers: ext('rcp-board-members'),
  boardQuorum: ext('rcp-board-quorum'),
  boardSchedule: ext('rcp-board-schedule'),
  boardOverride: ext('rcp-board-date-override'),
  boardCutoffHours: ext('rcp-board-registration-cutoff-hours'),
  boardCapacity: ext('rcp-board-capacity'),
  boardPlace: ext('rcp-board-place'),
  boardHorizonDays: ext('rcp-board-horizon-days'),
  boardRequireComplete: ext('rcp-board-require-complete-sheet'),
  boardPaediatric: ext('rcp-board-paediatric'),
  boardRecours: ext('rcp-board-recours'),
  boardRrcId: ext('rcp-board-rrc-id'),
  boardHost: ext('rcp-board-host-establishment'),
  // Members CareTeam participant
  memberSpeciality: ext('rcp-member-speciality'),
  memberChair: ext('rcp-member-chair'),
  // Session (Appointment)
  sessionOccurrence: ext('rcp-session-occurrence'),
  sessionOverride: ext('rcp-session-override'),
  sessionPlace: ext('rcp-session-place'),
  sessionVideoLink: ext('rcp-session-video-link'),
  /** When the session was actually opened (valueDateTime): the delays are measured from it. */
  sessionStartedAt: ext('rcp-session-started-at'),
  attendanceMode: ext('rcp-attendance-mode'),
  attendanceSpeciality: ext('rcp-attendance-speciality'),
  attendanceCase: ext('rcp-attendance-case'),
  agendaOrigin: ext('rcp-agenda-entry-origin'),
  // Case (ServiceRequest + Task)
  question: ext('rcp-question'),
  patientInformed: ext('rcp-patient-informed'),
  patientNonOpposition: ext('rcp-patient-non-opposition'),
  gpInformed: ext('rcp-gp-informed'),
  caseMandatedSpeciality: ext('rcp-case-mandated-speciality'),
  lateRegistration: ext('rcp-late-registration'),
  caseMove: ext('rcp-case-move'),
  caseQuorum: ext('rcp-case-quorum'),
  caseGuideline: ext('rcp-guideline'),
  caseCompleteness: ext('rcp-case-completeness'),
  // Decision (CarePlan)
  proposalRank: ext('rcp-proposal-rank'),
  proposalSequence: ext('rcp-proposal-sequence'),
  guidelineDeparture: ext('rcp-guideline-departure'),
  trialProposal: ext('rcp-trial-proposal'),
  recoursReferral: ext('rcp-recours-referral'),
  correctionReason: ext('rcp-correction-reason'),
} as const;

export const code = (c: string, display?: string, system = RCP_CODE_SYSTEM): Coding => (display ? { system, code: c, display } : { system, code: c });

export const RCP_CATEGORY: Coding = code(RCP_BOARD_CATEGORY_CODE, 'Réunion de concertation pluridisciplinaire');
export const RCP_SESSION_TYPE: Coding = code('rcp-session', 'Séance de RCP');
export const RCP_AGENDA_CODE: Coding = code('rcp-agenda', 'Ordre du jour de la séance de RCP');
export const RCP_REVIEW_CODE: Coding = code('rcp-review', 'Présentation du dossier en RCP');
export const RCP_CASE_CODE: Coding = code(RCP_CASE_TASK_CODE, 'Dossier inscrit en RCP');
export const RCP_DECISION_CATEGORY: Coding = code('rcp-decision', 'Proposition thérapeutique de RCP');
export const RCP_REPORT_TYPE: Coding = { system: LOINC_SYSTEM, code: RCP_SHEET_LOINC, display: 'Interdisciplinary conference Note' };

/** Board nature (FRCP "Nature de la RCP"). */
export const BOARD_KIND: Record<'organ' | 'transversal', Coding> = {
  organ: { system: TA_ASIP_SYSTEM, code: 'ORG-117', display: 'RCP Appareil - Organes' },
  transversal: { system: TA_ASIP_SYSTEM, code: 'ORG-132', display: 'RCP transversale' },
};

/** Motif of presentation (FRCP "Motif de la RCP"). */
export const MOTIFS = {
  'diagnostic-opinion': { system: TA_ASIP_SYSTEM, code: 'MED-235', display: 'Avis diagnostique' },
  'treatment-proposal': { system: TA_ASIP_SYSTEM, code: 'ORG-114', display: 'Proposition de traitement (dont ajustement et surveillance)' },
  recours: { system: TA_ASIP_SYSTEM, code: 'ORG-115', display: 'Recours' },
  paediatrics: { system: TA_ASIP_SYSTEM, code: 'ORG-116', display: 'Pédiatrie' },
} as const satisfies Record<string, Coding>;
export type Motif = keyof typeof MOTIFS;

/** Case status in the FRCP: discussed or only registered (enregistré). */
export const CASE_STATUS_CODING = {
  discussed: { system: TA_ASIP_SYSTEM, code: 'ORG-134', display: 'Cas discuté' },
  recorded: { system: TA_ASIP_SYSTEM, code: 'ORG-128', display: 'Cas enregistré' },
} as const;
export const QUORUM_CODING = {
  reached: { system: TA_ASIP_SYSTEM, code: 'ORG-126', display: 'Quorum atteint' },
  notReached: { system: TA_ASIP_SYSTEM, code: 'ORG-133', display: 'Quorum non atteint' },
} as const;

/** Proposal types of the FRCP (section 18776-5). */
export const PROPOSAL_TYPES = {
  surgery: { system: SNOMED_SYSTEM, code: '387713003', display: 'Chirurgie' },
  'external-radiotherapy': { system: NCIT_SYSTEM, code: 'C15313', display: 'Radiothérapie externe' },
  brachytherapy: { system: NCIT_SYSTEM, code: 'C15195', display: 'Curiethérapie' },
  chemotherapy: { system: NCIT_SYSTEM, code: 'C15632', display: 'Chimiothérapie' },
  'targeted-therapy': { system: NCIT_SYSTEM, code: 'C93352', display: 'Thérapie ciblée' },
  'hormone-therapy': { system: NCIT_SYSTEM, code: 'C547', display: 'Hormonothérapie' },
  immunotherapy: { system: NCIT_SYSTEM, code: 'C15262', display: 'Immunothérapie' },
  'active-surveillance': { system: TA_ASIP_SYSTEM, code: 'MED-227', display: 'Surveillance active' },
  'therapeutic-window': { system: TA_ASIP_SYSTEM, code: 'MED-556', display: 'Fenêtre thérapeutique' },
  surveillance: { system: TA_ASIP_SYSTEM, code: 'MED-226', display: 'Surveillance seule' },
  exams: { system: TA_ASIP_SYSTEM, code: 'ORG-064', display: "Demande d'examen ou de suivi" },
  'recours-referral': { system: TA_ASIP_SYSTEM, code: 'ORG-120', display: 'Passage en RCP recours' },
  graft: code('graft', 'Greffe'),
  'supportive-care': code('supportive-care', 'Soins oncologiques de support'),
  'palliative-care': code('palliative-care', 'Soins palliatifs'),
} as const satisfies Record<string, Coding>;
export type ProposalType = keyof typeof PROPOSAL_TYPES;

/** Agenda entry flags (List.entry.flag): what happened to a case in that session. */
export const AGENDA_FLAGS = {
  scheduled: 'Inscrit',
  discussed: 'Discuté',
  recorded: 'Enregistré',
  'quorum-not-reached': 'Quorum non atteint',
  postponed: 'Ajourné',
  'carried-over': 'Reporté à la séance suivante',
  moved: 'Déplacé vers une autre séance',
  withdrawn: 'Retiré',
  rejected: 'Refusé',
} as const;
export type AgendaFlag = keyof typeof AGENDA_FLAGS;
/** Entries that occupy a place in the session (capacity). */
export const ACTIVE_AGENDA_FLAGS: AgendaFlag[] = ['scheduled', 'discussed', 'recorded', 'quorum-not-reached', 'postponed'];

/**
 * R38 specialities (ANS TRE_R38-SpecialiteOrdinale) by code, for a board that gives a bare code (a
 * mandated speciality "SM20"): the pages name it, never show the code. Written as people read them,
 * without the R38 suffix « (SM) » (speciality-name.ts: one way of naming a speciality).
 */
export const SPECIALITY_LABELS: Record<string, string> = {
  SM01: 'Anatomie et cytologie pathologiques',
  SM11: 'Chirurgie thoracique et cardio-vasculaire',
  SM14: 'Chirurgie viscérale et digestive',
  SM18: 'Gériatrie',
  SM20: 'Gynécologie-obstétrique',
  SM24: 'Gastro-entérologie et hépatologie',
  SM36: 'Oncologie, option médicale',
  SM37: 'Oncologie, option radiothérapie',
  SM49: 'Santé publique et médecine sociale',
  SM54: 'Médecine générale',
};
