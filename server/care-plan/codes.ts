/**
 * Codes, extension URLs and French labels of the PPS (Programme Personnalisé de Soins) and PPAC
 * (Programme Personnalisé de l'Après-Cancer) CarePlans.
 *
 * National codes come from the CI-SIS PPS 2022.01 content model (TA_ASIP terminology, see
 * ../shared/design/reference/CANCER-PPS_2022.01_Autopresentable.xml). Where the national model
 * has no code (PPAC, update reasons other than "réajustement"), the DCC defines a local code system
 * under the DCC canonical base. Until fhir-profiles/README.md publishes the canonical URLs, these
 * are the ones used here (align them there, not in the domain code).
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { EDQM, LOINC, NCIT, SNOMED, TA_ASIP, UCUM } from '../fhir-kit/code-systems.ts';
import { CARE_PLAN_CATEGORY_CODE, CARE_PLAN_CATEGORY_SYSTEM, HAND_OVER_EXTENSION, SHARE_WITH_GP_EXTENSION } from '../fhir-kit/shared-codes.ts';

export { CARE_PLAN_CATEGORY_SYSTEM, DCC_CANONICAL_BASE, EDQM, LOINC, NCIT, SNOMED, TA_ASIP, UCUM };

// ----- profiles (fhir-profiles/README.md) ------------------------------------------------------------
export const PPS_PROFILE = `${DCC_CANONICAL_BASE}/StructureDefinition/dcc-pps`;
export const PPAC_PROFILE = `${DCC_CANONICAL_BASE}/StructureDefinition/dcc-ppac`;
export const ORAL_TREATMENT_PROFILE = `${DCC_CANONICAL_BASE}/StructureDefinition/dcc-oral-treatment`;

// ----- code systems -------------------------------------------------------------------------------
export const PPS_UPDATE_REASON_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-pps-update-reason`;
export const SURVEILLANCE_ACTOR_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-surveillance-actor`;
export const MEDICATION_REQUEST_CATEGORY_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-medication-request-category`;
// Finer vocabularies of this module (not in the published profiles; the profiles are open).
export const SUPPORTIVE_CARE_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-supportive-care-type`;
export const SOCIAL_SUPPORT_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-social-support-type`;
export const CONTACT_ROLE_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-pps-contact-role`;
export const ACTIVITY_TOPIC_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-ppac-activity-topic`;
export const WATCH_KIND_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-watch-kind`;

// ----- extensions ---------------------------------------------------------------------------------
const ext = (name: string) => `${DCC_CANONICAL_BASE}/StructureDefinition/${name}`;
export const EXT = {
  // Published (fhir-profiles/README.md).
  /** CarePlan.activity: rubric of the programme (valueCoding, ValueSet dcc-care-plan-activity-kind). */
  activityKind: ext('dcc-activity-kind'),
  /** CarePlan.activity: done at home (valueBoolean). */
  atHome: ext('dcc-at-home'),
  /** CarePlan.activity (PPAC follow-up): hospital | gp (valueCode). */
  surveillanceBy: ext('dcc-surveillance-by'),
  /** CarePlan (PPS): the patient's choice to send the programme to the GP (valueBoolean). */
  shareWithGp: SHARE_WITH_GP_EXTENSION,
  /** CarePlan (PPS): reason of the latest update (valueCodeableConcept, ValueSet dcc-pps-update-reason). */
  updateReason: ext('dcc-pps-update-reason'),
  /** CarePlan: hand-over to the patient (complex: date, by). */
  handOver: HAND_OVER_EXTENSION,
  /** MedicationRequest: cycle length (valueDuration, e.g. 21 d). */
  treatmentCycle: ext('dcc-treatment-cycle'),
  /** CarePlan.activity of the RCP decision: 1 = first choice. */
  proposalRank: ext('dcc-proposal-rank'),
  // This module's (open profiles).
  /** CarePlan (PPS): one update of a handed-over PPS (complex: reason, detail, date, author). Repeats: the history. */
  updateHistory: ext('dcc-pps-update'),
  /** CarePlan.activity (PPAC): finer topic than the rubric (needs evaluation, APA, return to work…). */
  activityTopic: ext('dcc-activity-topic'),
  /** CarePlan.activity: treatment particulars (complex: type, datesConfirmed, rhythm, route, sideEffect*). */
  treatment: ext('dcc-pps-treatment'),
  /** CarePlan: the data-reuse notice given with the document (complex: version, patientObjects). */
  dataReuseNotice: ext('dcc-data-reuse-notice'),
  /** CarePlan: date of the RCP whose decision the PPS implements (CI-SIS ORG-189). */
  rcpDate: ext('dcc-rcp-date'),
  /** CarePlan: end of all active treatment (TA_ASIP MED-052). */
  endOfActiveTreatment: ext('dcc-end-of-active-treatment'),
  /** CarePlan: something to watch (complex: kind, description, action). */
  watchItem: ext('dcc-watch-item'),
  /** CarePlan.activity (PPAC): surveillance visit (complex: visitNumber, monthsAfterStart, exam*). */
  surveillanceVisit: ext('dcc-surveillance-visit'),
  /** CarePlan.activity (PPAC): labelled supportive-care structure the patient is oriented to. */
  orientation: ext('dcc-supportive-care-orientation'),
  /** MedicationRequest: number of cycles planned (valueInteger). */
  treatmentCycleCount: ext('dcc-treatment-cycle-count'),
} as const;

// ----- CarePlan categories ----------------------------------------------------------------------
export const CATEGORY = {
  rcpDecision: { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.rcpDecision, display: 'Décision de RCP' },
  pps: { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.pps, display: 'Programme personnalisé de soins (PPS)' },
  ppac: { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.ppac, display: "Programme personnalisé de l'après-cancer (PPAC)" },
} as const satisfies Record<string, Coding>;
/** LOINC of the PPS document (CI-SIS PPS 2022.01: "Plan of care note"). */
export const PPS_LOINC: Coding = { system: LOINC, code: '18776-5', display: 'Plan of care note' };
export const ORAL_ANTICANCER: Coding = { system: MEDICATION_REQUEST_CATEGORY_SYSTEM, code: 'oral-anticancer', display: 'Traitement anticancéreux oral' };

export type CarePlanKind = 'rcpDecision' | 'pps' | 'ppac';

// ----- sections of the programme (CarePlan.activity) -----------------------------------------------
export type ActivitySection =
  | 'treatment' | 'prevention' | 'associated-measure' | 'follow-up' | 'supportive-care' | 'social-support'
  | 'surveillance' | 'needs-evaluation' | 'physical-activity' | 'psychosocial' | 'return-to-work' | 'addiction' | 'local-relay';

const KIND = {
  treatment: { system: TA_ASIP, code: 'MED-568', display: 'Traitement' },
  prevention: { system: TA_ASIP, code: 'MED-569', display: 'Action de prévention et de gestion médicamenteuse des effets secondaires' },
  measure: { system: TA_ASIP, code: 'MED-570', display: 'Mesure associée' },
  followUp: { system: TA_ASIP, code: 'MED-571', display: 'Suivi' },
  supportive: { system: TA_ASIP, code: 'MED-572', display: 'Soin oncologique de support' },
  social: { system: TA_ASIP, code: 'MED-573', display: 'Accompagnement social ou socioprofessionnel' },
} satisfies Record<string, Coding>;

/** Each section: its rubric in the published value set (dcc-activity-kind) and, for the PPAC ones, a finer topic. */
export const SECTION: Record<ActivitySection, { kind: Coding; topic?: Coding; title: string }> = {
  treatment: { kind: KIND.treatment, title: 'Traitements' },
  prevention: { kind: KIND.prevention, title: 'Prévention des effets indésirables' },
  'associated-measure': { kind: KIND.measure, title: 'Mesures associées' },
  'follow-up': { kind: KIND.followUp, title: 'Suivi' },
  'supportive-care': { kind: KIND.supportive, title: 'Soins de support' },
  'social-support': { kind: KIND.social, title: 'Accompagnement social et professionnel' },
  surveillance: { kind: KIND.followUp, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'surveillance', display: 'Surveillance alternée' }, title: 'Calendrier de surveillance' },
  'needs-evaluation': { kind: KIND.supportive, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'needs-evaluation', display: 'Évaluation des besoins en soins de support' }, title: 'Évaluation des besoins en soins de support' },
  'physical-activity': { kind: KIND.supportive, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'physical-activity', display: 'Activité physique adaptée' }, title: 'Activité physique adaptée' },
  psychosocial: { kind: KIND.supportive, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'psychosocial', display: 'Retentissement psychologique et social' }, title: 'Soutien psychologique et social' },
  'return-to-work': { kind: KIND.social, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'return-to-work', display: 'Retour au travail' }, title: 'Retour au travail' },
  addiction: { kind: KIND.supportive, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'addiction', display: 'Addictions (tabac, alcool)' }, title: 'Tabac, alcool : aide au sevrage' },
  'local-relay': { kind: KIND.social, topic: { system: ACTIVITY_TOPIC_SYSTEM, code: 'local-relay', display: 'Relais de proximité' }, title: 'Vos relais de proximité' },
};

/** The section of an activity from its topic (PPAC) or else its rubric. */
export function sectionOf(kindCode: string | undefined, topicCode: string | undefined): ActivitySection | undefined {
  const sections = Object.keys(SECTION) as ActivitySection[];
  if (topicCode) {
    const byTopic = sections.find((s) => SECTION[s].topic?.code === topicCode);
    if (byTopic) return byTopic;
  }
  return sections.find((s) => !SECTION[s].topic && SECTION[s].kind.code === kindCode);
}

// ----- treatment types (FRCP / PPS proposals) ----------------------------------------------------
export const THERAPY_TYPES: Coding[] = [
  { system: SNOMED, code: '387713003', display: 'Chirurgie' },
  { system: NCIT, code: 'C15313', display: 'Radiothérapie externe' },
  { system: NCIT, code: 'C15195', display: 'Curiethérapie' },
  { system: NCIT, code: 'C15632', display: 'Chimiothérapie' },
  { system: NCIT, code: 'C93352', display: 'Thérapie ciblée' },
  { system: NCIT, code: 'C547', display: 'Hormonothérapie' },
  { system: NCIT, code: 'C15262', display: 'Immunothérapie' },
  { system: NCIT, code: 'C15747', display: 'Soins de support' },
  { system: TA_ASIP, code: 'MED-556', display: 'Fenêtre thérapeutique' },
  { system: TA_ASIP, code: 'GEN-092.03.01', display: 'Autre traitement' },
  { system: `${DCC_CANONICAL_BASE}/CodeSystem/dcc-treatment-type`, code: 'graft', display: 'Greffe' },
  { system: `${DCC_CANONICAL_BASE}/CodeSystem/dcc-treatment-type`, code: 'palliative-care', display: 'Soins palliatifs' },
];
/** Decision proposals that are follow-up rather than treatment (FRCP: surveillance, exams, recours). */
export const FOLLOW_UP_PROPOSALS: Record<string, string> = {
  'MED-226': 'Surveillance',
  'MED-227': 'Surveillance active',
  'ORG-064': 'Examens complémentaires',
  'ORG-120': 'Avis d’une RCP de recours',
};

// ----- administration route ------------------------------------------------------------------------
export type RouteKey = 'oral' | 'iv' | 'sc' | 'im' | 'intradermal' | 'topical' | 'other';
export const ROUTE: Record<RouteKey, { coding?: Coding; text: string }> = {
  oral: { coding: { system: EDQM, code: '20053000', display: 'Voie orale' }, text: 'par voie orale (comprimés, gélules)' },
  iv: { coding: { system: SNOMED, code: '47625008', display: 'Intravenous route' }, text: 'en perfusion intraveineuse' },
  sc: { coding: { system: SNOMED, code: '34206005', display: 'Subcutaneous route' }, text: 'en injection sous-cutanée' },
  im: { coding: { system: SNOMED, code: '78421000', display: 'Intramuscular route' }, text: 'en injection intramusculaire' },
  intradermal: { coding: { system: SNOMED, code: '372464004', display: 'Intradermal route' }, text: 'en injection intradermique' },
  topical: { coding: { system: SNOMED, code: '6064005', display: 'Topical route' }, text: 'en application locale' },
  other: { text: 'autre mode' },
};
export function routeConcept(route: RouteKey): CodeableConcept {
  const r = ROUTE[route];
  return { ...(r.coding ? { coding: [r.coding] } : {}), text: r.text };
}
export function routeKeyOf(concept: CodeableConcept | undefined): RouteKey | undefined {
  if (!concept) return undefined;
  for (const key of Object.keys(ROUTE) as RouteKey[]) {
    const c = ROUTE[key].coding;
    if (c && concept.coding?.some((x) => x.system === c.system && x.code === c.code)) return key;
  }
  if (concept.coding?.some((c) => c.code === 'PO' || (c.system === SNOMED && c.code === '26643006'))) return 'oral';
  if (/\b(orale?|per os)\b/i.test(concept.text ?? '')) return 'oral';
  return undefined;
}

// ----- update reasons of a PPS (CI-SIS GEN-037 "Motif de mise à jour"; ValueSet dcc-pps-update-reason) ------
export type UpdateReason = 'relapse' | 'refusal' | 'palliative-care' | 'calendar-change' | 'treatment-adjustment' | 'end-of-active-treatment' | 'other';
export const UPDATE_REASON: Record<UpdateReason, { label: string; coding: Coding }> = {
  relapse: { label: 'Rechute ou évolution de la maladie', coding: { system: TA_ASIP, code: 'MED-244', display: 'Rechute du cancer' } },
  refusal: { label: 'Refus du patient', coding: { system: PPS_UPDATE_REASON_SYSTEM, code: 'patient-refusal', display: 'Refus du patient' } },
  'palliative-care': { label: 'Passage en soins palliatifs', coding: { system: PPS_UPDATE_REASON_SYSTEM, code: 'palliative-care', display: 'Passage en soins palliatifs' } },
  'calendar-change': { label: 'Modification du calendrier', coding: { system: TA_ASIP, code: 'MED-560', display: 'Réajustement du programme thérapeutique et de suivi' } },
  'treatment-adjustment': { label: 'Réajustement du programme thérapeutique et de suivi', coding: { system: TA_ASIP, code: 'MED-560', display: 'Réajustement du programme thérapeutique et de suivi' } },
  'end-of-active-treatment': { label: 'Fin des traitements actifs (relais par le PPAC)', coding: { system: PPS_UPDATE_REASON_SYSTEM, code: 'other', display: 'Autre motif' } },
  other: { label: 'Autre motif', coding: { system: PPS_UPDATE_REASON_SYSTEM, code: 'other', display: 'Autre motif' } },
};
/** The codings the published value set admits, "system|code". */
export const ALLOWED_UPDATE_REASON_CODES: ReadonlySet<string> = new Set(Object.values(UPDATE_REASON).map((r) => `${r.coding.system}|${r.coding.code}`));
export function updateReasonConcept(reason: UpdateReason, text?: string): CodeableConcept {
  return { coding: [UPDATE_REASON[reason].coding], text: text ?? UPDATE_REASON[reason].label };
}
export function isUpdateReason(value: unknown): value is UpdateReason {
  return typeof value === 'string' && value in UPDATE_REASON;
}

// ----- supportive care (soins oncologiques de support) and social support ----------------------------
export type SupportiveCareType = 'pain' | 'nutrition' | 'psychology' | 'physical-activity' | 'fertility' | 'smoking-cessation' | 'alcohol' | 'relatives' | 'lifestyle' | 'socio-esthetics' | 'other';
export const SUPPORTIVE_CARE: Record<SupportiveCareType, { label: string; national?: Coding }> = {
  pain: { label: 'Prise en charge de la douleur' },
  nutrition: { label: 'Prise en charge diététique et nutritionnelle', national: { system: TA_ASIP, code: 'ORG-036', display: 'Prise en charge diététique et nutritionnelle' } },
  psychology: { label: 'Soutien psychologique' },
  'physical-activity': { label: 'Activité physique adaptée (APA)' },
  fertility: { label: 'Préservation de la fertilité' },
  'smoking-cessation': { label: 'Aide au sevrage tabagique', national: { system: TA_ASIP, code: 'MED-562', display: 'Soutien au sevrage tabagique' } },
  alcohol: { label: "Aide à l'arrêt de l'alcool" },
  relatives: { label: 'Soutien des proches et des aidants' },
  lifestyle: { label: "Conseils d'hygiène de vie", national: { system: TA_ASIP, code: 'ORG-176', display: "Conseil d'hygiène de vie" } },
  'socio-esthetics': { label: 'Socio-esthétique' },
  other: { label: 'Autre soin de support' },
};
export type SocialSupportType = 'home-help' | 'social-worker' | 'sick-leave' | 'return-to-work' | 'financial' | 'disability' | 'other';
export const SOCIAL_SUPPORT: Record<SocialSupportType, { label: string; national?: Coding }> = {
  'home-help': { label: 'Aide à domicile', national: { system: TA_ASIP, code: 'PAT-024', display: 'Aide à domicile' } },
  'social-worker': { label: 'Rendez-vous avec une assistante sociale' },
  'sick-leave': { label: 'Arrêt de travail' },
  'return-to-work': { label: 'Préparation du retour au travail' },
  financial: { label: 'Aides financières' },
  disability: { label: 'Reconnaissance du handicap (MDPH)' },
  other: { label: 'Autre accompagnement' },
};
export function supportiveCareConcept(type: SupportiveCareType, text?: string): CodeableConcept {
  const t = SUPPORTIVE_CARE[type];
  return { coding: [{ system: SUPPORTIVE_CARE_SYSTEM, code: type, display: t.label }, ...(t.national ? [t.national] : [])], text: text ?? t.label };
}
export function socialSupportConcept(type: SocialSupportType, text?: string): CodeableConcept {
  const t = SOCIAL_SUPPORT[type];
  return { coding: [{ system: SOCIAL_SUPPORT_SYSTEM, code: type, display: t.label }, ...(t.national ? [t.national] : [])], text: text ?? t.label };
}

// ----- contacts (CI-SIS PPS participants: TA_ASIP ORG-177…191) ------------------------------------------
export type ContactRole =
  | 'referent-physician' | 'care-team-member' | 'reference-establishment' | 'coordination-centre' | 'gp' | 'nurse' | 'pharmacist'
  | 'health-mediator' | 'coordination-structure' | 'regional-network' | 'social-body' | 'support-structure' | 'other';
export const CONTACT_ROLE: Record<ContactRole, { label: string; national: Coding }> = {
  'referent-physician': { label: 'Médecin référent', national: { system: TA_ASIP, code: 'ORG-177', display: 'Etablissement de santé de référence' } },
  'care-team-member': { label: "Membre de l'équipe de soins", national: { system: TA_ASIP, code: 'ORG-177', display: 'Etablissement de santé de référence' } },
  'reference-establishment': { label: 'Établissement de référence', national: { system: TA_ASIP, code: 'ORG-177', display: 'Etablissement de santé de référence' } },
  'coordination-centre': { label: 'Centre de coordination en cancérologie (3C)', national: { system: TA_ASIP, code: 'ORG-190', display: 'Centre de coordination de cancérologie (3C)' } },
  gp: { label: 'Médecin traitant', national: { system: TA_ASIP, code: 'ORG-178', display: 'Structure et professionnels de proximité impliqués dans les soins' } },
  nurse: { label: 'Infirmier(ère) de ville', national: { system: TA_ASIP, code: 'ORG-178', display: 'Structure et professionnels de proximité impliqués dans les soins' } },
  pharmacist: { label: "Pharmacien d'officine", national: { system: TA_ASIP, code: 'ORG-178', display: 'Structure et professionnels de proximité impliqués dans les soins' } },
  'health-mediator': { label: 'Médiateur de santé', national: { system: TA_ASIP, code: 'ORG-188', display: 'Structures et professionnels de proximité impliqués dans les soins - Médiateur de santé' } },
  'coordination-structure': { label: 'Structure de coordination ville-hôpital', national: { system: TA_ASIP, code: 'ORG-179', display: "Structure de coordination ou d'interface ville-hôpital" } },
  'regional-network': { label: 'Réseau régional de cancérologie', national: { system: TA_ASIP, code: 'ORG-191', display: 'Réseau régional de cancérologie (RRC)' } },
  'social-body': { label: "Organisme social et de maintien dans l'emploi", national: { system: TA_ASIP, code: 'ORG-180', display: "Organisme social et de maintien dans l'emploi" } },
  'support-structure': { label: "Structure de soutien et d'information", national: { system: TA_ASIP, code: 'ORG-181', display: "Structure de soutien et d'information" } },
  other: { label: 'Autre contact', national: { system: TA_ASIP, code: 'ORG-178', display: 'Structure et professionnels de proximité impliqués dans les soins' } },
};
export function contactRoleConcept(role: ContactRole, text?: string): CodeableConcept {
  const r = CONTACT_ROLE[role];
  return { coding: [{ system: CONTACT_ROLE_SYSTEM, code: role, display: r.label }, r.national], text: text ?? r.label };
}
export function contactRoleOf(concepts: CodeableConcept[] | undefined): ContactRole | undefined {
  for (const c of concepts ?? []) {
    const code = c.coding?.find((x) => x.system === CONTACT_ROLE_SYSTEM)?.code;
    if (code && code in CONTACT_ROLE) return code as ContactRole;
  }
  return undefined;
}

// ----- things to watch ------------------------------------------------------------------------------
export type WatchKind = 'side-effect' | 'late-effect' | 'relapse-sign' | 'second-cancer';
export const WATCH_KIND: Record<WatchKind, string> = {
  'side-effect': 'Effet indésirable à surveiller',
  'late-effect': 'Effet tardif à surveiller',
  'relapse-sign': 'Signe de rechute',
  'second-cancer': 'Dépistage d’un second cancer',
};

// ----- data-reuse notice (CI-SIS PPS 2022.01, section GEN-294 "Information pour le patient") ------------
export const DATA_REUSE_NOTICE_VERSION = 'INCa — CI-SIS PPS 2022.01';
export const DATA_REUSE_NOTICE: readonly string[] = [
  "Les établissements ou professionnels de santé qui mettent en œuvre votre programme thérapeutique et votre suivi, ainsi que ceux qui assurent vos soins oncologiques de support, collectent, pour accomplir leur travail, des données concernant votre santé et votre identité. Ces données sont couvertes par le secret médical et sont strictement confidentielles. Elles sont utilisées sous la responsabilité de ces établissements ou professionnels de santé que vous pouvez solliciter pour être plus informé ou pour exercer vos droits sur vos données.",
  "Des acteurs de la santé publique sont autorisés à réutiliser certaines de vos données dans le cadre de projets de recherche pour, par exemple, améliorer les connaissances sur les causes de cancer, étudier le parcours et la qualité des soins, évaluer les dispositifs de lutte contre le cancer et, plus largement, conduire des études pour améliorer la prise en charge des patients.",
  "Dans ce cadre et, sauf opposition de votre part, elles pourront être transmises à certains de ces acteurs, notamment, aux registres des cancers de votre région et à l'Institut national du cancer (INCa). Elles pourront ainsi être transférées vers la plateforme de données en cancérologie de l'INCa et, éventuellement, être reliées aux données du Système national des données de santé (SNDS) qui comporte notamment des données de l'assurance maladie et de l'activité hospitalière.",
  "Pour plus d'information sur les registres des cancers, la plateforme des données en cancérologie de l'INCa et sur l'exercice de vos droits, vous pouvez consulter son site http://lesdonnees.e-cancer.fr",
];

/** Labels of CarePlan.activity.detail.status for the patient. */
export const ACTIVITY_STATUS_LABEL: Record<string, string> = {
  'not-started': 'à venir',
  scheduled: 'programmé',
  'in-progress': 'en cours',
  'on-hold': 'suspendu',
  completed: 'terminé',
  cancelled: 'annulé',
  stopped: 'arrêté',
  unknown: 'à préciser',
  'entered-in-error': 'saisi par erreur',
};
