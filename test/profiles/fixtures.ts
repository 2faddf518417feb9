/**
 * Valid examples of each DCC profile, French-realistic: a sigmoid colon adenocarcinoma (the main
 * thread), a breast cancer and a lung cancer. Fictitious test INS (system …4.10) with valid keys.
 */
import type { Resource } from '@medplum/fhirtypes';
import { INS_NIR_TEST_SYSTEM, withInsNirKey } from '../../server/identity/ins.ts';

type Json = Record<string, any>;

const BASE = 'https://dcc-paca.example/fhir';
export const profileUrl = (id: string): string => `${BASE}/StructureDefinition/${id}`;
const ext = (id: string): string => `${BASE}/StructureDefinition/${id}`;
const LOINC = 'http://loinc.org';
const SNOMED = 'http://snomed.info/sct';
const TA = 'urn:oid:1.2.250.1.213.1.1.4.322';
const NCIT = 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl';
const TNM = 'urn:oid:2.16.840.1.113883.15.6';
const CP_CATEGORY = `${BASE}/CodeSystem/dcc-care-plan-category`;

/** Ids of resources the examples point to. */
export interface Refs {
  patient: string;
  condition: string;
  practitioner: string;
  decision: string;
  pps: string;
}

const meta = (id: string) => ({ profile: [profileUrl(id)] });
const div = (text: string) => ({ status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${text}</div>` });

/** A 13-character fictitious NIR (woman born in March 1958 in Marseille) → 15-character test INS. */
export const TEST_INS = withInsNirKey('2580313055123');

/** A fresh INS of the same woman's traits for each example posted (one INS = one patient). */
const freshTestIns = (): string => withInsNirKey(`2580313${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`);

export function patient(): Json {
  return {
    resourceType: 'Patient',
    meta: meta('dcc-patient'),
    extension: [
      {
        url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability',
        extension: [
          { url: 'identityStatus', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status', code: 'QUAL', display: 'Identité qualifiée' } },
          { url: 'methodCollection', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection', code: 'INSI' } },
          { url: 'validationMode', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity', code: 'CN' } },
          { url: 'validationDate', valueDate: '2025-09-08' },
        ],
      },
      {
        url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace',
        valueAddress: { city: 'Marseille 5e Arrondissement', country: 'FRA', extension: [{ url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code', valueCoding: { system: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM', code: '13205' } }] },
      },
    ],
    identifier: [{ use: 'official', system: INS_NIR_TEST_SYSTEM, value: freshTestIns() }],
    name: [
      { use: 'official', family: 'Giordano', given: ['Josiane', 'Marie'] },
      { use: 'usual', family: 'Peyrot', given: ['Josiane'] },
    ],
    gender: 'female',
    birthDate: '1958-03-21',
  };
}

export function colonCancer(r: Refs): Json {
  return {
    resourceType: 'Condition',
    meta: meta('dcc-cancer-condition'),
    extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' }] } }],
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }], text: 'Adénocarcinome du sigmoïde' },
    subject: { reference: `Patient/${r.patient}` },
    onsetDateTime: '2025-09-12',
    recordedDate: '2025-09-19',
  };
}

export function breastCancer(r: Refs): Json {
  return {
    ...colonCancer(r),
    extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8500/3', display: 'Carcinome canalaire infiltrant, SAI' }] } }],
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C50.4', display: 'Tumeur maligne du quadrant supéro-externe du sein' }] },
    bodySite: [{
      extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier', valueCodeableConcept: { coding: [{ system: SNOMED, code: '7771000', display: 'Gauche' }] } }],
      coding: [{ system: SNOMED, code: '76752008', display: 'Breast structure' }], text: 'Sein gauche, quadrant supéro-externe',
    }],
    onsetDateTime: '2025-05-20',
  };
}

export function lungCancer(r: Refs): Json {
  return {
    ...colonCancer(r),
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C34.1', display: 'Tumeur maligne du lobe supérieur, bronches ou poumon' }] },
    bodySite: [{
      extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier', valueCodeableConcept: { coding: [{ system: SNOMED, code: '24028007', display: 'Droit' }] } }],
      text: 'Lobe supérieur droit',
    }],
    onsetDateTime: '2025-08',
  };
}

export function tnmStaging(r: Refs): Json {
  const component = (code: string, value: string) => ({ code: { coding: [{ system: LOINC, code }] }, valueCodeableConcept: { coding: [{ system: TNM, code: value.slice(1) }], text: value } });
  return {
    resourceType: 'Observation',
    meta: meta('dcc-tnm-staging'),
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam' }] }],
    code: { coding: [{ system: LOINC, code: '75620-5', display: 'Stade TNM clinique' }] },
    subject: { reference: `Patient/${r.patient}` },
    focus: [{ reference: `Condition/${r.condition}` }],
    effectiveDateTime: '2025-09-19',
    valueCodeableConcept: { coding: [{ system: TNM, code: 'IIIB' }], text: 'IIIB' },
    method: { coding: [{ system: TNM, code: '8', display: 'TNM UICC 8e édition' }] },
    component: [component('21905-5', 'cT3'), component('21906-3', 'cN1'), component('21907-1', 'cM0')],
  };
}

export function performanceStatus(r: Refs): Json {
  return {
    resourceType: 'Observation',
    meta: meta('dcc-performance-status'),
    status: 'final',
    code: { coding: [{ system: TA, code: 'MED-239', display: 'Echelle de performance OMS' }] },
    subject: { reference: `Patient/${r.patient}` },
    effectiveDateTime: '2025-09-26',
    valueCodeableConcept: { coding: [{ system: TA, code: 'MED-264', display: 'Stade 1' }], text: 'OMS 1 : symptômes, ambulatoire' },
  };
}

const SECTIONS: [string, string, string][] = [
  ['42349-1', 'Motif de la RCP', 'RCP digestive d’organe, proposition de traitement ; cas discuté.'],
  ['42545-4', 'Circonstances de découverte', 'Rectorragies ; découverte hors dépistage organisé.'],
  ['72135-7', 'Diagnostic du cancer', 'Adénocarcinome du sigmoïde (C18.7, 8140/3) diagnostiqué le 12/09/2025, cT3 cN1 cM0 (UICC 8).'],
  ['11348-0', 'Antécédents', 'Appendicectomie (1975). Mère : cancer du sein à 62 ans.'],
  ['11450-4', 'Comorbidités', 'Hypertension artérielle traitée ; diabète de type 2 non insulinorequérant.'],
  ['47420-5', 'État général', 'OMS 1 ; G8 à 15/17 ; douleur EVA 2/10.'],
  ['30954-2', "Résultats d'examens", 'Scanner TAP du 15/09/2025 : épaississement sigmoïdien, 2 adénopathies mésentériques, pas de lésion à distance. ACE 6,2 ng/mL.'],
  ['18733-6', 'Phase et évolution de la maladie', 'Phase initiale, pas de progression.'],
  ['29554-3', 'Traitements antérieurs et en cours', 'Aucun traitement oncologique ; ramipril, metformine.'],
  ['10218-6', 'Conclusion du compte rendu opératoire', 'Sans objet (pas de chirurgie à ce jour).'],
  ['22637-3', "Conclusion du compte rendu d'anatomopathologie", 'Biopsies coloscopiques : adénocarcinome lieberkühnien moyennement différencié.'],
  ['50397-9', 'Conclusion de biologie moléculaire', 'Statut MMR conservé (pMMR) ; RAS et BRAF non mutés.'],
  ['10164-2', 'Synthèse et question posée à la RCP', 'Patiente de 67 ans, adénocarcinome du sigmoïde cT3N1M0 : quelle stratégie thérapeutique ?'],
  ['21874-3', 'Statut du dossier présenté en RCP', 'Dossier complet ; quorum atteint.'],
  ['18776-5', 'Proposition de la RCP', 'Colectomie gauche puis chimiothérapie adjuvante (FOLFOX, 6 mois).'],
  ['35510-7', 'Cadre de la proposition', 'Thésaurus national de cancérologie digestive (TNCD), 2024 ; pas d’essai clinique ouvert adapté.'],
  ['33557-0', 'Statut du document', 'Validé et signé.'],
  ['55112-7', 'Commentaire', 'Patiente informée de la présentation de son dossier en RCP ; non-opposition recueillie.'],
];

export function rcpSheet(r: Refs): Json {
  return {
    resourceType: 'Composition',
    meta: meta('dcc-rcp-sheet'),
    extension: [
      { url: ext('dcc-document-status'), valueCoding: { system: SNOMED, code: '9571008', display: 'Approuvé' } },
      { url: ext('dcc-quorum-status'), valueCoding: { system: TA, code: 'ORG-126', display: 'Quorum atteint' } },
      { url: ext('dcc-file-complete'), valueBoolean: true },
    ],
    identifier: { system: `${BASE}/sid/rcp-sheet`, value: 'FRCP-2025-000123' },
    status: 'final',
    type: { coding: [{ system: LOINC, code: '34794-8', display: 'CR de réunion de concertation pluridisciplinaire' }] },
    subject: { reference: `Patient/${r.patient}` },
    date: '2025-10-02T14:30:00+02:00',
    author: [{ reference: `Practitioner/${r.practitioner}` }],
    title: 'Fiche RCP — RCP digestive du 2 octobre 2025',
    attester: [{ mode: 'legal', time: '2025-10-02T17:05:00+02:00', party: { reference: `Practitioner/${r.practitioner}` } }],
    section: SECTIONS.map(([code, title, text]) => ({ title, code: { coding: [{ system: LOINC, code }] }, text: div(text) })),
  };
}

/** A sheet filled before the meeting: unfilled required sections carry emptyReason. */
export function draftRcpSheet(r: Refs): Json {
  const sheet = rcpSheet(r);
  sheet.status = 'preliminary';
  delete sheet.attester;
  sheet.extension = [{ url: ext('dcc-document-status'), valueCoding: { system: SNOMED, code: '385651009', display: 'En cours' } }];
  for (const s of sheet.section) {
    if (['18776-5', '35510-7'].includes(s.code.coding[0].code)) {
      s.text = div('Non renseigné avant la réunion.');
      s.emptyReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'notstarted' }] };
    }
  }
  return sheet;
}

const proposal = (rank: number, sequence: number, system: string, code: string, display: string, text?: string) => ({
  extension: [
    { url: ext('dcc-proposal-rank'), valuePositiveInt: rank },
    { url: ext('dcc-proposal-sequence'), valuePositiveInt: sequence },
  ],
  detail: { code: { coding: [{ system, code, display }] }, status: 'not-started', ...(text ? { description: text } : {}) },
});

export function rcpDecision(r: Refs): Json {
  return {
    resourceType: 'CarePlan',
    meta: meta('dcc-rcp-decision'),
    status: 'active',
    intent: 'proposal',
    category: [{ coding: [{ system: CP_CATEGORY, code: 'rcp-decision', display: 'Décision de RCP' }] }],
    title: 'Proposition de la RCP digestive du 2 octobre 2025',
    subject: { reference: `Patient/${r.patient}` },
    addresses: [{ reference: `Condition/${r.condition}` }],
    created: '2025-10-02',
    author: { reference: `Practitioner/${r.practitioner}` },
    activity: [
      proposal(1, 1, SNOMED, '387713003', 'Chirurgie', 'Colectomie gauche par cœlioscopie'),
      proposal(1, 2, NCIT, 'C15632', 'Chimiothérapie', 'FOLFOX adjuvant, 12 cures'),
      proposal(2, 1, TA, 'ORG-120', 'Passage en RCP recours', 'Si contre-indication opératoire'),
    ],
  };
}

/** A PPS handed over to a patient with no GP on file: the hand-over says so, and it is not shared. */
export function ppsHandedOverWithoutGp(r: Refs): Json {
  const base = pps(r);
  return {
    ...base,
    extension: [
      ...base.extension.filter((e: Json) => e.url !== ext('dcc-share-with-gp') && e.url !== ext('dcc-handover')),
      { url: ext('dcc-share-with-gp'), valueBoolean: false },
      { url: ext('dcc-handover'), extension: [
        { url: 'date', valueDateTime: '2025-10-09T10:00:00+02:00' },
        { url: 'by', valueReference: { reference: `Practitioner/${r.practitioner}` } },
        { url: 'noGeneralPractitioner', valueBoolean: true },
      ] },
    ],
  };
}

export function pps(r: Refs): Json {
  return {
    resourceType: 'CarePlan',
    meta: meta('dcc-pps'),
    extension: [
      { url: ext('dcc-share-with-gp'), valueBoolean: true },
      { url: ext('dcc-pps-update-reason'), valueCodeableConcept: { coding: [{ system: TA, code: 'MED-560', display: 'Réajustement du programme thérapeutique et de suivi' }] } },
      { url: ext('dcc-handover'), extension: [
        { url: 'date', valueDateTime: '2025-10-09T10:00:00+02:00' },
        { url: 'by', valueReference: { reference: `Practitioner/${r.practitioner}` } },
      ] },
    ],
    status: 'active',
    intent: 'plan',
    category: [{ coding: [{ system: CP_CATEGORY, code: 'pps' }] }],
    title: 'Programme personnalisé de soins',
    subject: { reference: `Patient/${r.patient}` },
    basedOn: [{ reference: `CarePlan/${r.decision}` }],
    addresses: [{ reference: `Condition/${r.condition}` }],
    created: '2025-10-09',
    author: { reference: `Practitioner/${r.practitioner}` },
    activity: [
      {
        extension: [{ url: ext('dcc-activity-kind'), valueCoding: { system: TA, code: 'MED-568', display: 'Traitement' } }],
        detail: { code: { coding: [{ system: SNOMED, code: '387713003', display: 'Chirurgie' }] }, status: 'scheduled', scheduledPeriod: { start: '2025-10-20' }, description: 'Colectomie gauche, CHU Méditerranée' },
      },
      {
        extension: [
          { url: ext('dcc-activity-kind'), valueCoding: { system: TA, code: 'MED-572', display: 'Soin oncologique de support' } },
          { url: ext('dcc-at-home'), valueBoolean: false },
        ],
        detail: { status: 'not-started', description: 'Consultation diététique avant la chirurgie' },
      },
    ],
  };
}

export function ppac(r: Refs): Json {
  const followUp = (start: string, by: 'hospital' | 'gp', text: string) => ({
    extension: [
      { url: ext('dcc-activity-kind'), valueCoding: { system: TA, code: 'MED-571', display: 'Suivi' } },
      { url: ext('dcc-surveillance-by'), valueCode: by },
    ],
    detail: { status: 'scheduled', scheduledPeriod: { start }, description: text },
  });
  return {
    resourceType: 'CarePlan',
    meta: meta('dcc-ppac'),
    status: 'active',
    intent: 'plan',
    category: [{ coding: [{ system: CP_CATEGORY, code: 'ppac' }] }],
    title: 'Programme personnalisé de l’après-cancer',
    subject: { reference: `Patient/${r.patient}` },
    replaces: [{ reference: `CarePlan/${r.pps}` }],
    addresses: [{ reference: `Condition/${r.condition}` }],
    period: { start: '2026-04-15' },
    created: '2026-04-20',
    author: { reference: `Practitioner/${r.practitioner}` },
    activity: [
      followUp('2026-10-15', 'hospital', 'Consultation oncologue, scanner thoraco-abdomino-pelvien, ACE'),
      followUp('2027-04-15', 'gp', 'Consultation médecin traitant, ACE'),
      { extension: [{ url: ext('dcc-activity-kind'), valueCoding: { system: TA, code: 'MED-565', display: 'Effets secondaires' } }], detail: { status: 'not-started', description: 'Neuropathie périphérique (oxaliplatine) : signaler toute aggravation' } },
    ],
  };
}

export function oralTreatment(r: Refs): Json {
  return {
    resourceType: 'MedicationRequest',
    meta: meta('dcc-oral-treatment'),
    extension: [{ url: ext('dcc-treatment-cycle'), valueDuration: { value: 21, unit: 'jours', system: 'http://unitsofmeasure.org', code: 'd' } }],
    status: 'active',
    intent: 'order',
    category: [{ coding: [{ system: `${BASE}/CodeSystem/dcc-medication-request-category`, code: 'oral-anticancer', display: 'Traitement anticancéreux oral' }] }],
    medicationCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L01BC06', display: 'capécitabine' }], text: 'Capécitabine 500 mg, comprimé pelliculé' },
    subject: { reference: `Patient/${r.patient}` },
    authoredOn: '2025-11-03',
    requester: { reference: `Practitioner/${r.practitioner}` },
    basedOn: [{ reference: `CarePlan/${r.pps}` }],
    dosageInstruction: [{
      text: '1 500 mg matin et soir, 14 jours sur 21',
      route: { coding: [{ system: 'http://standardterms.edqm.eu', code: '20053000', display: 'Voie orale' }] },
      timing: { repeat: { frequency: 2, period: 1, periodUnit: 'd', boundsDuration: { value: 14, unit: 'jours', system: 'http://unitsofmeasure.org', code: 'd' } } },
      doseAndRate: [{ doseQuantity: { value: 1500, unit: 'mg', system: 'http://unitsofmeasure.org', code: 'mg' } }],
    }],
  };
}

export function objectionConsent(r: Refs): Json {
  return {
    resourceType: 'Consent',
    meta: meta('dcc-objection-consent'),
    status: 'active',
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: LOINC, code: '59284-0' }] }],
    patient: { reference: `Patient/${r.patient}` },
    dateTime: '2025-10-10T09:15:00+02:00',
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: { type: 'deny', actor: [{ role: { text: 'professionnel refusé par la patiente' }, reference: { reference: `Practitioner/${r.practitioner}` } }] },
  };
}

export interface ProfileExample {
  profile: string;
  title: string;
  build: (r: Refs) => Json;
}

/** One valid example per profile (the sync of required items is driven from these). */
export const EXAMPLES: ProfileExample[] = [
  { profile: 'dcc-patient', title: 'patient identity (QUAL, test INS)', build: () => patient() },
  { profile: 'dcc-cancer-condition', title: 'colon cancer', build: colonCancer },
  { profile: 'dcc-tnm-staging', title: 'clinical TNM cT3 cN1 cM0, stage IIIB', build: tnmStaging },
  { profile: 'dcc-performance-status', title: 'WHO performance status 1', build: performanceStatus },
  { profile: 'dcc-rcp-sheet', title: 'signed RCP sheet', build: rcpSheet },
  { profile: 'dcc-rcp-decision', title: 'RCP decision (surgery then adjuvant chemotherapy)', build: rcpDecision },
  { profile: 'dcc-pps', title: 'PPS', build: pps },
  { profile: 'dcc-ppac', title: 'PPAC with alternating surveillance', build: ppac },
  { profile: 'dcc-oral-treatment', title: 'capecitabine 14 days out of 21', build: oralTreatment },
  { profile: 'dcc-objection-consent', title: 'objection naming a professional', build: objectionConsent },
];

export type { Resource };
