/**
 * Deterministic demo data set (PACA region): establishments, a 3C, professionals, patients with their
 * cancer diagnosis, staging, performance status and care team.
 *
 * Everything is fictitious: FINESS and RPPS numbers are invented but carry valid Luhn keys, INS are
 * test INS (system …4.10) with valid NIR keys, phone numbers are in the ARCEP ranges reserved for
 * fiction (04 65 71…, 06 39 98…), mail addresses use a made-up MSSanté domain.
 *
 * Every entry is a conditional create (ifNoneExist on a business identifier) so seeding twice creates
 * nothing new, and entries only reference earlier entries so a store may process them in order.
 */
import type {
  Bundle,
  BundleEntry,
  CareTeam,
  CareTeamParticipant,
  CodeableConcept,
  Coding,
  Condition,
  ContactPoint,
  Extension,
  Identifier,
  Observation,
  Organization,
  Patient,
  Practitioner,
  PractitionerRole,
  Procedure,
  Reference,
  Resource,
} from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE, dccCodeSystem } from '../fhir-kit/canonical.ts';
import { LOINC, SNOMED } from '../fhir-kit/code-systems.ts';
import { ESTABLISHMENT_ID_SYSTEM, FINESS_SYSTEM, FR_CORE_IDENTIFIER_TYPE_SYSTEM, IDENTITY_METHOD_COLLECTION_SYSTEM, IDENTITY_RELIABILITY_EXTENSION_URL, IDENTITY_STATUS_DISPLAY, IDENTITY_STATUS_SYSTEM, IDENTITY_VALIDATION_MODE_SYSTEM, type IdentityStatus, IDNPS_SYSTEM, INS_NIR_TEST_SYSTEM, RPPS_SYSTEM } from '../identity/index.ts';
import { foldForComparison } from '../fhir-kit/text.ts';
import { demoClock } from './demo-clock.ts';

// ---------------------------------------------------------------------------------------------
// Code systems
// ---------------------------------------------------------------------------------------------

export const G15_PROFESSION_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
export const R38_SPECIALTY_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
const R256_MESSAGING_TYPE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R256-TypeMessagerie/FHIR/TRE-R256-TypeMessagerie';
const R13_COMMUNE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM';
const FR_CORE_EMAIL_TYPE_EXTENSION = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-contact-point-email-type';
const FR_CORE_INSEE_CODE_EXTENSION = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code';
const BIRTH_PLACE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
// mCODE carries the ICD-O-3 morphology on the primary cancer Condition with this extension.
const MORPHOLOGY_EXTENSION = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior';
const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
const ICDO3_SYSTEM = 'http://terminology.hl7.org/CodeSystem/icd-o-3';
const V2_0203 = 'http://terminology.hl7.org/CodeSystem/v2-0203';

/** Local (DCC) identifier systems; `.example` so they can never clash with a real namespace. */
export const DCC_ROLE_SYSTEM = dccCodeSystem('dcc-role');
export const DEMO_IDENTIFIER_BASE = `${DCC_CANONICAL_BASE}/sid`;
export const DEMO_ORGANIZATION_TYPE_SYSTEM = dccCodeSystem('organization-type');
const ROLE_ID_SYSTEM = `${DEMO_IDENTIFIER_BASE}/practitioner-role`;
const CONDITION_ID_SYSTEM = `${DEMO_IDENTIFIER_BASE}/condition`;
const OBSERVATION_ID_SYSTEM = `${DEMO_IDENTIFIER_BASE}/observation`;
const CARE_TEAM_ID_SYSTEM = `${DEMO_IDENTIFIER_BASE}/care-team`;
const PROCEDURE_ID_SYSTEM = `${DEMO_IDENTIFIER_BASE}/procedure`;
const COORDINATION_CENTRE_ID_SYSTEM = `${DEMO_IDENTIFIER_BASE}/3c`;
/** IPP (patient id local to an establishment), namespaced by the establishment FINESS. */
export function ippSystem(finess: string): string {
  return `${DEMO_IDENTIFIER_BASE}/ipp/${finess}`;
}

const MSSANTE_DOMAIN = 'dcc-demo.mssante.fr';

// ---------------------------------------------------------------------------------------------
// Organizations
// ---------------------------------------------------------------------------------------------

interface OrgSpec {
  uuid: string;
  finess: string;
  name: string;
  alias?: string;
  type: { code: string; display: string };
  line: string;
  postalCode: string;
  city: string;
  phone: string;
  /** Direct line for complications (oncology on-call), shown first under "whom to call". */
  hotline?: string;
}

// FINESS computed with finessCheckDigit() and hard-coded; the seed test re-checks them.
const CHU: OrgSpec = {
  uuid: '75365a7e-03f7-44e6-8d75-40c9c61bc7b2',
  finess: '130999014',
  name: 'CHU Méditerranée — Hôpital Sainte-Marthe',
  alias: 'CHU Méditerranée',
  type: { code: 'CHU', display: 'Centre hospitalier universitaire' },
  line: '12 boulevard des Hôpitaux',
  postalCode: '13005',
  city: 'Marseille',
  phone: '04 65 71 10 00',
  hotline: '04 65 71 10 99',
};
const CLINIC: OrgSpec = {
  uuid: '0d951baa-c159-4ee3-b723-a9513ec1cee4',
  finess: '060999026',
  name: 'Clinique des Oliviers',
  type: { code: 'CLIN', display: 'Clinique privée' },
  line: '45 avenue des Oliviers',
  postalCode: '06000',
  city: 'Nice',
  phone: '04 65 71 20 00',
};
const MSP: OrgSpec = {
  uuid: '80511904-e41f-4cb6-bdff-ab7fbff1dabb',
  finess: '130999030',
  name: 'Maison de santé pluriprofessionnelle du Vieux-Port',
  type: { code: 'MSP', display: 'Maison de santé pluriprofessionnelle' },
  line: '8 quai de Rive-Neuve',
  postalCode: '13007',
  city: 'Marseille',
  phone: '04 65 71 30 00',
};
const PHARMACY: OrgSpec = {
  uuid: '4a998ef3-0004-490d-81f3-f93e21055105',
  finess: '130999048',
  name: 'Pharmacie des Calanques',
  type: { code: 'OFF', display: "Pharmacie d'officine" },
  line: '3 rue Paradis',
  postalCode: '13001',
  city: 'Marseille',
  phone: '04 65 71 40 00',
};
const ESTABLISHMENTS: readonly OrgSpec[] = [CHU, CLINIC, MSP, PHARMACY];

const THREE_C = {
  uuid: '37bbc7ff-00b0-43fd-9dc0-3b0d066cc740',
  id: '3C-CHU-MEDITERRANEE',
  name: '3C du CHU Méditerranée',
};

// ---------------------------------------------------------------------------------------------
// Professionals
// ---------------------------------------------------------------------------------------------

type ProfessionCode = '10' | '21' | '60';
const PROFESSION_DISPLAY: Record<ProfessionCode, string> = { '10': 'Médecin', '21': 'Pharmacien', '60': 'Infirmier' };

interface ProSpec {
  uuid: string;
  roleUuid: string;
  /** RPPS with its Luhn key, computed by rppsCheckDigit() and hard-coded. */
  rpps: string;
  family: string;
  given: string[];
  gender: 'male' | 'female';
  prefix?: string;
  profession: ProfessionCode;
  /** TRE_R38 savoir-faire (speciality) — physicians only. */
  specialty?: { code: string; display: string };
  org: { uuid: string; name: string };
  /** Role label shown in care teams. */
  roleText: string;
  /** Work phone (secretariat or practice): what a patient can call, printed on the PPS. */
  phone: string;
  /** DCC role beyond the profession (server/access/directory-roles.ts reads it). */
  dccRole?: 'admin' | 'coordinator';
}

const ORG_REF_3C = { uuid: THREE_C.uuid, name: THREE_C.name };
const orgRef = (o: OrgSpec): { uuid: string; name: string } => ({ uuid: o.uuid, name: o.alias ?? o.name });

const SURGEON: ProSpec = {
  uuid: '3969d288-7f16-450e-ab1e-b195dd4af99f',
  roleUuid: 'ae7bffa9-85a5-4bd0-ba24-b00f80af4ab6',
  rpps: '10009990010',
  family: 'Aubert',
  given: ['Marc'],
  gender: 'male',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM14', display: 'Chirurgie viscérale et digestive (SM)' },
  org: orgRef(CHU),
  roleText: 'Chirurgien digestif',
  phone: '04 65 71 11 14',
};
const ONCOLOGIST: ProSpec = {
  uuid: '63913467-5c57-49c0-89f2-c3b691bd79d4',
  roleUuid: '52a96477-650b-4a8e-8647-d305c8821f88',
  rpps: '10009990028',
  family: 'Lambert',
  given: ['Sophie'],
  gender: 'female',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM36', display: 'Oncologie, option médicale (SM)' },
  org: orgRef(CHU),
  roleText: 'Oncologue médicale référente',
  phone: '04 65 71 11 36',
};
const RADIOTHERAPIST: ProSpec = {
  uuid: '9f516d62-2cfb-4a9e-9bab-faec26db7acb',
  roleUuid: '0268f189-c8ee-4351-98cf-c2deb7073d30',
  rpps: '10009990036',
  family: 'Rossi',
  given: ['Julien'],
  gender: 'male',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM37', display: 'Oncologie, option radiothérapie (SM)' },
  org: orgRef(CLINIC),
  roleText: 'Oncologue radiothérapeute',
  phone: '04 65 71 21 37',
};
const GASTROENTEROLOGIST: ProSpec = {
  uuid: '5baa84a9-f6b7-4e45-aab5-a6a437fd5446',
  roleUuid: '12e0e2d5-1ad1-4a52-8189-f95eb457120f',
  rpps: '10009990044',
  family: 'Fabre',
  given: ['Claire'],
  gender: 'female',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM24', display: 'Gastro-entérologie et Hépatologie (SM)' },
  org: orgRef(CLINIC),
  roleText: 'Gastro-entérologue',
  phone: '04 65 71 21 24',
};
const PATHOLOGIST: ProSpec = {
  uuid: 'c02c75ae-e133-4185-8bbe-163dd7fd7081',
  roleUuid: '368ad5e4-95ad-4251-824f-8de87405b62d',
  rpps: '10009990051',
  family: 'Morel',
  given: ['Étienne'],
  gender: 'male',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM01', display: 'Anatomie et Cytologie pathologiques (SM)' },
  org: orgRef(CHU),
  roleText: 'Pathologiste',
  phone: '04 65 71 11 01',
};
const COORDINATOR: ProSpec = {
  uuid: 'd4b13e92-247c-4c7d-ba99-9427e068f463',
  roleUuid: 'a18ee34b-a44f-43e1-88a5-78652c0cee35',
  rpps: '10009990069',
  family: 'Girard',
  given: ['Nathalie'],
  gender: 'female',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM49', display: 'Santé publique et Médecine sociale (SM)' },
  org: ORG_REF_3C,
  roleText: 'Médecin coordonnateur du 3C',
  phone: '04 65 71 10 51',
};
const GP: ProSpec = {
  uuid: '162e73b0-03b9-4864-b385-b4c4b8512b60',
  roleUuid: '5ecb4cd6-bde5-4e89-8af1-90b3492ecf70',
  rpps: '10009990077',
  family: 'Chabert',
  given: ['Laurent'],
  gender: 'male',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM54', display: 'Médecine générale (SM)' },
  org: orgRef(MSP),
  roleText: 'Médecin traitant',
  phone: '04 65 71 30 10',
};
const NURSE: ProSpec = {
  uuid: '8d8afb1f-25bb-44ae-829c-9984de98e132',
  roleUuid: 'b85859ce-c003-4b8a-8f5c-8b7a526d7641',
  rpps: '10009990085',
  family: 'Roux',
  given: ['Amandine'],
  gender: 'female',
  profession: '60',
  org: orgRef(MSP),
  roleText: 'Infirmière libérale (IDEL)',
  phone: '06 39 98 02 01',
};
const PHARMACIST: ProSpec = {
  uuid: '25de3216-be0e-4cf3-b246-9362e9f8d5de',
  roleUuid: 'ac610b70-b4c4-4977-848c-1f16d974970c',
  rpps: '10009990093',
  family: 'Lefèvre',
  given: ['Thomas'],
  gender: 'male',
  profession: '21',
  org: orgRef(PHARMACY),
  roleText: "Pharmacien d'officine",
  phone: '04 65 71 40 01',
};
// The DCC administrator (security officer): directory and audit review, no clinical data.
const ADMINISTRATOR: ProSpec = {
  uuid: '0b6f3d1e-5c2a-4f8e-9a71-3d2c8e4b6a15',
  roleUuid: '7e2a9c4d-1b3f-4a6e-8d5c-9f0e2b4a7c31',
  rpps: '10009990101',
  family: 'Mercier',
  given: ['Hugo'],
  gender: 'male',
  prefix: 'Dr',
  profession: '10',
  specialty: { code: 'SM49', display: 'Santé publique et Médecine sociale (SM)' },
  org: orgRef(CHU),
  roleText: 'Responsable de la sécurité du DCC (administrateur)',
  phone: '04 65 71 11 49',
  dccRole: 'admin',
};
const PROFESSIONALS: readonly ProSpec[] = [
  SURGEON,
  ONCOLOGIST,
  RADIOTHERAPIST,
  GASTROENTEROLOGIST,
  PATHOLOGIST,
  COORDINATOR,
  GP,
  NURSE,
  PHARMACIST,
  ADMINISTRATOR,
];

// ---------------------------------------------------------------------------------------------
// Patients and their cancer
// ---------------------------------------------------------------------------------------------

interface PatientSpec {
  uuid: string;
  conditionUuid: string;
  ecogUuid: string;
  stageUuid: string;
  careTeamUuid: string;
  /** Short local key used to build the business identifiers of the patient's resources. */
  key: string;
  status: IdentityStatus;
  /** Test INS (15 chars); only for identities retrieved from INSi (RECUP, QUAL). */
  ins?: string;
  ipp: string;
  site: OrgSpec;
  family: string;
  usualFamily?: string;
  given: string[];
  gender: 'male' | 'female';
  birthDate: string;
  birthPlace: { city: string; insee: string };
  address: { line: string; postalCode: string; city: string };
  mobile: string;
  identity: { method: 'CV' | 'INSI' | 'SM'; document?: 'CN' | 'PA'; validationDate?: string };
  cancer: {
    icd10: string;
    icd10Display: string;
    morphology: string;
    morphologyDisplay: string;
    bodySite?: CodeableConcept;
    onset: string;
    recorded: string;
    t: string;
    n: string;
    m: string;
    stage: string;
    ecog: number;
    assessed: string;
  };
  /**
   * The surgery of the tumour, done by the seeding day, and the pathological stage it gave: after it
   * the record's latest stage is the pTNM (the GP's summary, the next RCP sheets), not the work-up's cTNM.
   */
  surgery?: { uuid: string; stageUuid: string; text: string; performed: string; t: string; n: string; m: string; stage: string; assessed: string };
  team: ProSpec[];
}

const PATIENT_SPECS: readonly PatientSpec[] = [
  {
    uuid: '78a1c273-447b-402b-b604-4260439075eb',
    conditionUuid: '25e4646d-00f7-4342-b0b6-897f2bebf729',
    ecogUuid: 'c4b72ae4-485a-4b52-9d85-293d3e906c27',
    stageUuid: '60f923cb-5686-44a9-a52a-336656dfbb1c',
    careTeamUuid: '1f2f45b7-e901-49c7-9f1c-ebb686507d70',
    key: '0001',
    status: 'QUAL',
    ins: '258032A00412336', // born in Ajaccio (2A): exercises the Corsica key rule
    ipp: '800012345',
    site: CHU,
    family: 'Castellani',
    usualFamily: 'Marchetti',
    given: ['Hélène', 'Marie'],
    gender: 'female',
    birthDate: '1958-03-14',
    birthPlace: { city: 'Ajaccio', insee: '2A004' },
    address: { line: '27 rue du Commandant Rolland', postalCode: '13008', city: 'Marseille' },
    mobile: '06 39 98 01 01',
    identity: { method: 'CV', document: 'CN', validationDate: '2025-09-08' },
    cancer: {
      icd10: 'C18.7',
      icd10Display: 'Tumeur maligne du côlon sigmoïde',
      morphology: '8140/3',
      morphologyDisplay: 'Adénocarcinome, SAI',
      onset: '2025-09-12',
      recorded: '2025-09-19',
      t: 'cT3',
      n: 'cN1',
      m: 'cM0',
      stage: 'IIIB',
      ecog: 1,
      assessed: '2025-09-26',
    },
    // First-line RCP of early October: surgery first (server/seed/demo-rcp-sheets.ts); histology pT3N2a (4/21), R0.
    surgery: {
      uuid: '42bfe8e2-945b-4ae8-b92b-7570d0363b81', stageUuid: 'b33099dc-e715-4181-af58-ecdc3713b383',
      text: 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', performed: '2025-10-20',
      t: 'pT3', n: 'pN2a', m: 'cM0', stage: 'IIIB', assessed: '2025-10-29',
    },
    team: [SURGEON, ONCOLOGIST, PATHOLOGIST, GP, NURSE, PHARMACIST],
  },
  {
    uuid: 'f887453f-b923-4705-94da-8d914b4e9c89',
    conditionUuid: '74e98cc4-0d21-4d4f-832f-446eee83eb0e',
    ecogUuid: '87d85698-0aa6-4eaf-bc42-ee5c40174701',
    stageUuid: '94945ec8-668a-485f-addf-79340eb83d48',
    careTeamUuid: 'cbdc96b6-609d-4ab6-b617-50e5e78f50ee',
    key: '0002',
    status: 'QUAL',
    ins: '151111320508760',
    ipp: '800012346',
    site: CHU,
    family: 'Ménard',
    given: ['François', 'Louis'],
    gender: 'male',
    birthDate: '1951-11-02',
    birthPlace: { city: 'Marseille 5e Arrondissement', insee: '13205' },
    address: { line: '5 avenue des Goums', postalCode: '13400', city: 'Aubagne' },
    mobile: '06 39 98 01 02',
    identity: { method: 'INSI', document: 'PA', validationDate: '2025-06-30' },
    cancer: {
      icd10: 'C20',
      icd10Display: 'Tumeur maligne du rectum',
      morphology: '8140/3',
      morphologyDisplay: 'Adénocarcinome, SAI',
      // Treated since the spring: radiochemotherapy, proctectomy in September, ileostomy closed in
      // November; the after-cancer programme follows (server/seed/demo-rcp-sheets.ts, care-plan/demo.ts).
      onset: '2025-05-19',
      recorded: '2025-05-26',
      t: 'cT3',
      n: 'cN1',
      m: 'cM0',
      stage: 'IIIB',
      ecog: 0,
      assessed: '2025-06-02',
    },
    // After the neoadjuvant radiochemotherapy: ypT2N0 (0/16), R0 (the post-operative RCP, demo-rcp.ts DIG-002).
    surgery: {
      uuid: '5ce6eff3-e940-4ce4-926d-c2ee82749f8a', stageUuid: '5ec132b2-401a-4b93-a3e0-3911449df388',
      text: 'Proctectomie avec exérèse totale du mésorectum et iléostomie de protection', performed: '2025-09-29',
      t: 'ypT2', n: 'ypN0', m: 'cM0', stage: 'I', assessed: '2025-10-09',
    },
    team: [SURGEON, ONCOLOGIST, RADIOTHERAPIST, GASTROENTEROLOGIST, GP],
  },
  {
    uuid: '36def4ed-c2e6-464a-9e44-9061edd412d7',
    conditionUuid: 'd12a0582-8665-4678-b965-8991ad7722cf',
    ecogUuid: '28b0d7cd-a43f-43f2-ab93-8e5a56340e9a',
    stageUuid: 'd07e40b4-317f-440f-a1a3-568da5f7b97f',
    careTeamUuid: '98c1730e-f614-4258-80b0-a48f9cd9150f',
    key: '0003',
    // INS fetched from INSi but no identity document checked yet: stored, not shareable.
    status: 'RECUP',
    ins: '272062901921442',
    ipp: '500004711',
    site: CLINIC,
    family: 'Le Bihan',
    given: ['Gaëlle', 'Anne'],
    gender: 'female',
    birthDate: '1972-06-21',
    birthPlace: { city: 'Brest', insee: '29019' },
    address: { line: '14 rue de la Buffa', postalCode: '06000', city: 'Nice' },
    mobile: '06 39 98 01 03',
    identity: { method: 'INSI' },
    cancer: {
      icd10: 'C50.4',
      icd10Display: 'Tumeur maligne du quadrant supéro-externe du sein',
      morphology: '8500/3',
      morphologyDisplay: 'Carcinome canalaire infiltrant, SAI',
      bodySite: {
        coding: [{ system: SNOMED, code: '80248007', display: 'Left breast structure' }],
        text: 'Sein gauche, quadrant supéro-externe',
      },
      onset: '2025-10-20',
      recorded: '2025-10-27',
      t: 'cT2',
      n: 'cN0',
      m: 'cM0',
      stage: 'IIA',
      ecog: 0,
      assessed: '2025-11-03',
    },
    team: [ONCOLOGIST, RADIOTHERAPIST, PATHOLOGIST, GP, NURSE],
  },
  {
    uuid: '344b2643-e12e-44d3-8948-32b4645aae86',
    conditionUuid: '7c683669-5911-4ded-9e5c-03e6b35e0dcb',
    ecogUuid: 'cefd9fdf-296d-423e-ab6a-b92c29d9fa32',
    stageUuid: '5bb6e100-9041-4382-b3df-96afd369273f',
    careTeamUuid: '5dd85c3e-0bdc-4ddd-82e6-ed827fcebff9',
    key: '0004',
    status: 'QUAL',
    ins: '146092B03304505', // born in Bastia (2B)
    ipp: '800012389',
    site: CHU,
    family: 'Ricci',
    given: ['Jean-Noël'],
    gender: 'male',
    birthDate: '1946-09-30',
    birthPlace: { city: 'Bastia', insee: '2B033' },
    address: { line: '9 rue Picot', postalCode: '83000', city: 'Toulon' },
    mobile: '06 39 98 01 04',
    identity: { method: 'CV', document: 'CN', validationDate: '2025-10-02' },
    cancer: {
      icd10: 'C25.0',
      icd10Display: 'Tumeur maligne de la tête du pancréas',
      morphology: '8500/3',
      morphologyDisplay: 'Carcinome canalaire infiltrant, SAI',
      onset: '2025-10-06',
      recorded: '2025-10-09',
      t: 'cT2',
      n: 'cN1',
      m: 'cM0',
      stage: 'IIB',
      ecog: 1,
      assessed: '2025-10-14',
    },
    team: [SURGEON, ONCOLOGIST, GASTROENTEROLOGIST, GP, NURSE, PHARMACIST],
  },
  {
    uuid: '0c116d0a-7f03-4ee7-95e9-848257661c6f',
    conditionUuid: '050473c6-327c-4abc-8aed-ef5adae63b0b',
    ecogUuid: 'f00e3492-3085-4174-b1f5-e84f275270a6',
    stageUuid: '6a079890-85a4-4e2b-981b-963acf533f85',
    careTeamUuid: '4aec660a-5e89-47e4-9028-e2cd5b9741d2',
    key: '0005',
    // Identity document checked but INSi not queried yet, so no INS (RNIV).
    status: 'VALI',
    ipp: '500004790',
    site: CLINIC,
    family: 'Bérenger',
    given: ['Chloé'],
    gender: 'female',
    birthDate: '1985-01-08',
    birthPlace: { city: 'Nice', insee: '06088' },
    address: { line: '31 boulevard Wilson', postalCode: '06600', city: 'Antibes' },
    mobile: '06 39 98 01 05',
    identity: { method: 'SM', document: 'PA', validationDate: '2025-08-18' },
    cancer: {
      icd10: 'C34.1',
      icd10Display: 'Tumeur maligne du lobe supérieur, bronches ou poumon',
      morphology: '8140/3',
      morphologyDisplay: 'Adénocarcinome, SAI',
      bodySite: { text: 'Lobe supérieur droit' },
      onset: '2025-09-18',
      recorded: '2025-09-25',
      t: 'cT2a',
      n: 'cN2',
      m: 'cM0',
      stage: 'IIIA',
      ecog: 1,
      assessed: '2025-09-29',
    },
    team: [ONCOLOGIST, RADIOTHERAPIST, PATHOLOGIST, GP, PHARMACIST],
  },
  {
    uuid: '246e7ff1-7117-4a15-b894-2c10ee4cf813',
    conditionUuid: '6d8ec13b-e37f-4caf-94d1-97fae776729f',
    ecogUuid: '2ca21872-6c18-421e-b89e-c112effd973f',
    stageUuid: '8d3a7c57-d3b4-4443-88a2-07945b87c10f',
    careTeamUuid: '2d848a89-83ae-4d0e-953f-7661adc2e6f6',
    key: '0006',
    // Admitted via the emergency department without papers: provisional identity, no INS.
    status: 'PROV',
    ipp: '800012402',
    site: CHU,
    family: 'Benali',
    given: ['Rachid'],
    gender: 'male',
    birthDate: '1963-04-17',
    birthPlace: { city: 'Marseille 3e Arrondissement', insee: '13203' },
    address: { line: '52 rue de Crimée', postalCode: '13003', city: 'Marseille' },
    mobile: '06 39 98 01 06',
    identity: { method: 'SM' },
    cancer: {
      icd10: 'C16.0',
      icd10Display: 'Tumeur maligne du cardia',
      morphology: '8140/3',
      morphologyDisplay: 'Adénocarcinome, SAI',
      onset: '2025-09-22',
      recorded: '2025-09-26',
      t: 'cT3',
      n: 'cN2',
      m: 'cM1',
      stage: 'IVB',
      ecog: 2,
      assessed: '2025-09-30',
    },
    team: [SURGEON, ONCOLOGIST, GASTROENTEROLOGIST, GP],
  },
];

export const DEMO_PATIENT_COUNT = PATIENT_SPECS.length;
export const DEMO_PRACTITIONER_COUNT = PROFESSIONALS.length;

// ---------------------------------------------------------------------------------------------
// Builders
// ---------------------------------------------------------------------------------------------

// Generic so it fits typed fields (Reference<Organization>…); urn:uuid targets are not type-checked.
function ref<T extends Resource = Resource>(uuid: string, display?: string): Reference<T> {
  return display === undefined ? { reference: `urn:uuid:${uuid}` } : { reference: `urn:uuid:${uuid}`, display };
}

function conditionalCreate(uuid: string, resource: Resource, key: Identifier): BundleEntry {
  return {
    fullUrl: `urn:uuid:${uuid}`,
    resource,
    request: { method: 'POST', url: resource.resourceType, ifNoneExist: `identifier=${key.system}|${key.value}` },
  };
}

function idType(code: string, display: string): CodeableConcept {
  return { coding: [{ system: FR_CORE_IDENTIFIER_TYPE_SYSTEM, code, display }] };
}

function mssante(local: string): ContactPoint {
  return {
    system: 'email',
    use: 'work',
    value: `${local}@${MSSANTE_DOMAIN}`,
    extension: [{ url: FR_CORE_EMAIL_TYPE_EXTENSION, valueCoding: { system: R256_MESSAGING_TYPE_SYSTEM, code: 'MSSANTE', display: 'MSSANTE' } }],
  };
}

function mailLocalPart(p: ProSpec): string {
  const ascii = (s: string): string => foldForComparison(s).replace(/[^a-z0-9]+/g, '-');
  return `${ascii(p.given[0]!)}.${ascii(p.family)}`;
}

function professionCoding(p: ProSpec): Coding {
  return { system: G15_PROFESSION_SYSTEM, code: p.profession, display: PROFESSION_DISPLAY[p.profession] };
}

function specialtyCoding(p: ProSpec): Coding | undefined {
  return p.specialty && { system: R38_SPECIALTY_SYSTEM, code: p.specialty.code, display: p.specialty.display };
}

function organizationEntry(o: OrgSpec): BundleEntry {
  const finess: Identifier = {
    use: 'official',
    type: idType('FINEG', "FINESS d'entité géographique"),
    system: FINESS_SYSTEM,
    value: o.finess,
  };
  const org: Organization = {
    resourceType: 'Organization',
    identifier: [
      finess,
      { use: 'official', type: idType('IDNST', 'Identification nationale de structure définie par l’ANS dans le CI_SIS'), system: ESTABLISHMENT_ID_SYSTEM, value: '1' + o.finess },
    ],
    active: true,
    type: [{ coding: [{ system: DEMO_ORGANIZATION_TYPE_SYSTEM, code: o.type.code, display: o.type.display }], text: o.type.display }],
    name: o.name,
    ...(o.alias ? { alias: [o.alias] } : {}),
    telecom: [{ system: 'phone', use: 'work', value: o.phone }],
    address: [{ use: 'work', type: 'both', line: [o.line], postalCode: o.postalCode, city: o.city, country: 'FRA' }],
    ...(o.hotline ? {
      contact: [{
        purpose: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/contactentity-type', code: 'PATINF', display: 'Patient' }], text: 'Urgences et complications en oncologie (24 h/24)' },
        name: { text: "Astreinte d'oncologie" },
        telecom: [{ system: 'phone', use: 'work', value: o.hotline }],
      }],
    } : {}),
  };
  return conditionalCreate(o.uuid, org, finess);
}

function coordinationCentreEntry(): BundleEntry {
  const id: Identifier = { use: 'official', system: COORDINATION_CENTRE_ID_SYSTEM, value: THREE_C.id };
  const org: Organization = {
    resourceType: 'Organization',
    identifier: [id],
    active: true,
    type: [{ coding: [{ system: DEMO_ORGANIZATION_TYPE_SYSTEM, code: '3C', display: 'Centre de Coordination en Cancérologie' }], text: 'Centre de Coordination en Cancérologie' }],
    name: THREE_C.name,
    alias: ['3C Méditerranée'],
    telecom: [{ system: 'phone', use: 'work', value: '04 65 71 10 50' }, mssante('3c')],
    address: [{ use: 'work', type: 'both', line: [CHU.line], postalCode: CHU.postalCode, city: CHU.city, country: 'FRA' }],
    partOf: ref(CHU.uuid, CHU.alias),
  };
  return conditionalCreate(THREE_C.uuid, org, id);
}

function practitionerEntry(p: ProSpec): BundleEntry {
  const idnps: Identifier = { use: 'official', type: idType('IDNPS', 'Identifiant National de Professionnel de Santé'), system: IDNPS_SYSTEM, value: '8' + p.rpps };
  const speciality = specialtyCoding(p);
  const practitioner: Practitioner = {
    resourceType: 'Practitioner',
    identifier: [idnps, { use: 'official', type: idType('RPPS', 'N° RPPS'), system: RPPS_SYSTEM, value: p.rpps }],
    active: true,
    name: [{ use: 'official', family: p.family, given: p.given, ...(p.prefix ? { prefix: [p.prefix] } : {}) }],
    gender: p.gender,
    telecom: [{ system: 'phone', use: 'work', value: p.phone }, mssante(mailLocalPart(p))],
    qualification: [
      { code: { coding: [professionCoding(p)] } },
      ...(speciality ? [{ code: { coding: [speciality] } }] : []),
    ],
  };
  return conditionalCreate(p.uuid, practitioner, idnps);
}

function practitionerRoleEntry(p: ProSpec): BundleEntry {
  const id: Identifier = { use: 'official', system: ROLE_ID_SYSTEM, value: `${p.rpps}-${p.org.uuid.slice(0, 8)}` };
  const speciality = specialtyCoding(p);
  const role: PractitionerRole = {
    resourceType: 'PractitionerRole',
    identifier: [id],
    active: true,
    practitioner: ref(p.uuid, displayName(p)),
    organization: ref(p.org.uuid, p.org.name),
    code: [
      { coding: [professionCoding(p)], text: p.roleText },
      ...(p.dccRole ? [{ coding: [{ system: DCC_ROLE_SYSTEM, code: p.dccRole }] }] : []),
    ],
    ...(speciality ? { specialty: [{ coding: [speciality] }] } : {}),
    telecom: [{ system: 'phone', use: 'work', value: p.phone }, mssante(mailLocalPart(p))],
  };
  return conditionalCreate(p.roleUuid, role, id);
}

function displayName(p: ProSpec): string {
  return [p.prefix, ...p.given, p.family].filter(Boolean).join(' ');
}

function identityReliability(s: PatientSpec): Extension {
  const sub: Extension[] = [
    { url: 'identityStatus', valueCoding: { system: IDENTITY_STATUS_SYSTEM, code: s.status, display: IDENTITY_STATUS_DISPLAY[s.status] } },
    { url: 'methodCollection', valueCoding: { system: IDENTITY_METHOD_COLLECTION_SYSTEM, code: s.identity.method } },
  ];
  if (s.identity.document) {
    sub.push({ url: 'validationMode', valueCoding: { system: IDENTITY_VALIDATION_MODE_SYSTEM, code: s.identity.document } });
  }
  if (s.identity.validationDate) sub.push({ url: 'validationDate', valueDate: s.identity.validationDate });
  return { url: IDENTITY_RELIABILITY_EXTENSION_URL, extension: sub };
}

function patientEntry(s: PatientSpec): BundleEntry {
  const ipp: Identifier = {
    use: 'usual',
    type: { coding: [{ system: V2_0203, code: 'PI', display: 'Patient internal identifier' }], text: 'IPP' },
    system: ippSystem(s.site.finess),
    value: s.ipp,
    assigner: ref(s.site.uuid, s.site.alias ?? s.site.name),
  };
  const ins: Identifier | undefined = s.ins
    ? { use: 'official', type: idType('INS-NIR-TEST', 'NIR TEST'), system: INS_NIR_TEST_SYSTEM, value: s.ins }
    : undefined;
  const patient: Patient = {
    resourceType: 'Patient',
    extension: [
      identityReliability(s),
      {
        url: BIRTH_PLACE_EXTENSION,
        valueAddress: {
          city: s.birthPlace.city,
          country: 'FRA',
          extension: [{ url: FR_CORE_INSEE_CODE_EXTENSION, valueCoding: { system: R13_COMMUNE_SYSTEM, code: s.birthPlace.insee } }],
        },
      },
    ],
    identifier: ins ? [ins, ipp] : [ipp],
    active: true,
    name: [
      { use: 'official', family: s.family, given: s.given },
      ...(s.usualFamily ? [{ use: 'usual' as const, family: s.usualFamily, given: [s.given[0]!] }] : []),
    ],
    telecom: [{ system: 'phone', use: 'mobile', value: s.mobile }],
    gender: s.gender,
    birthDate: s.birthDate,
    address: [{ use: 'home', type: 'both', line: [s.address.line], postalCode: s.address.postalCode, city: s.address.city, country: 'FRA' }],
    generalPractitioner: [ref(GP.uuid, displayName(GP))],
    managingOrganization: ref(s.site.uuid, s.site.alias ?? s.site.name),
  };
  // Idempotence keyed on the INS when there is one, else on the establishment IPP.
  return conditionalCreate(s.uuid, patient, ins ?? ipp);
}

function patientDisplay(s: PatientSpec): string {
  return `${s.given[0]} ${s.usualFamily ?? s.family}`;
}

function conditionEntry(s: PatientSpec): BundleEntry {
  const c = s.cancer;
  const id: Identifier = { system: CONDITION_ID_SYSTEM, value: `COND-${s.key}` };
  const condition: Condition = {
    resourceType: 'Condition',
    identifier: [id],
    extension: [
      {
        url: MORPHOLOGY_EXTENSION,
        valueCodeableConcept: { coding: [{ system: ICDO3_SYSTEM, code: c.morphology, display: c.morphologyDisplay }] },
      },
    ],
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active', display: 'Active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed', display: 'Confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item', display: 'Problem List Item' }] }],
    code: { coding: [{ system: ICD10_SYSTEM, code: c.icd10, display: c.icd10Display }], text: c.icd10Display },
    ...(c.bodySite ? { bodySite: [c.bodySite] } : {}),
    subject: ref(s.uuid, patientDisplay(s)),
    onsetDateTime: c.onset,
    recordedDate: c.recorded,
    recorder: ref(ONCOLOGIST.uuid, displayName(ONCOLOGIST)),
    // Stage summary only: the staging Observation points here via `focus`, not the other way round,
    // so the bundle has no reference cycle.
    stage: [
      { summary: { text: `Stade ${c.stage} (${c.t} ${c.n} ${c.m})` }, type: { text: 'TNM clinique UICC 8e édition' } },
      ...(s.surgery ? [{ summary: { text: `Stade ${s.surgery.stage} (${s.surgery.t} ${s.surgery.n} ${s.surgery.m})` }, type: { text: 'TNM pathologique UICC 8e édition' } }] : []),
    ],
  };
  return conditionalCreate(s.conditionUuid, condition, id);
}

function ecogEntry(s: PatientSpec): BundleEntry {
  const id: Identifier = { system: OBSERVATION_ID_SYSTEM, value: `ECOG-${s.key}` };
  const obs: Observation = {
    resourceType: 'Observation',
    identifier: [id],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'survey', display: 'Survey' }] }],
    code: { coding: [{ system: LOINC, code: '89247-1', display: 'ECOG Performance Status score' }], text: 'Indice de performance OMS (ECOG)' },
    subject: ref(s.uuid, patientDisplay(s)),
    effectiveDateTime: s.cancer.assessed,
    performer: [ref(ONCOLOGIST.uuid, displayName(ONCOLOGIST))],
    // mCODE ECOGPerformanceStatus uses valueInteger (0–4).
    valueInteger: s.cancer.ecog,
  };
  return conditionalCreate(s.ecogUuid, obs, id);
}

/** A T, N or M component of a stage Observation: the LOINC of the category, the class as text (AJCC codes are licensed). */
function tnmComponent(code: string, display: string, value: string): NonNullable<Observation['component']>[number] {
  return { code: { coding: [{ system: LOINC, code, display }] }, valueCodeableConcept: { text: value } };
}

function stageEntry(s: PatientSpec): BundleEntry {
  const c = s.cancer;
  const id: Identifier = { system: OBSERVATION_ID_SYSTEM, value: `TNM-${s.key}` };
  const obs: Observation = {
    resourceType: 'Observation',
    identifier: [id],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'exam', display: 'Exam' }] }],
    code: { coding: [{ system: LOINC, code: '21908-9', display: 'Stage group.clinical Cancer' }], text: 'Stade clinique TNM' },
    subject: ref(s.uuid, patientDisplay(s)),
    focus: [ref(s.conditionUuid)],
    effectiveDateTime: c.recorded,
    performer: [ref(ONCOLOGIST.uuid, displayName(ONCOLOGIST))],
    // AJCC/UICC stage codes are licensed; the stage is carried as text, the edition as the method.
    valueCodeableConcept: { text: c.stage },
    method: { text: 'Classification TNM UICC, 8e édition' },
    component: [
      tnmComponent('21905-5', 'Primary tumor.clinical [Class] Cancer', c.t),
      tnmComponent('21906-3', 'Regional lymph nodes.clinical [Class] Cancer', c.n),
      tnmComponent('21907-1', 'Distant metastases.clinical [Class] Cancer', c.m),
    ],
  };
  return conditionalCreate(s.stageUuid, obs, id);
}

/** The surgery as a Procedure of the record: the timeline and the next RCP sheets know it was done. */
function surgeryEntry(s: PatientSpec): BundleEntry | undefined {
  const op = s.surgery;
  if (!op) return undefined;
  const id: Identifier = { system: PROCEDURE_ID_SYSTEM, value: `CHIR-${s.key}` };
  const procedure: Procedure = {
    resourceType: 'Procedure',
    identifier: [id],
    status: 'completed',
    category: { coding: [{ system: SNOMED, code: '387713003', display: 'Surgical procedure' }], text: 'Chirurgie' },
    code: { text: op.text },
    subject: ref(s.uuid, patientDisplay(s)),
    performedDateTime: op.performed,
    performer: [{ actor: ref(SURGEON.uuid, displayName(SURGEON)) }],
    reasonReference: [ref(s.conditionUuid)],
  };
  return conditionalCreate(op.uuid, procedure, id);
}

/** The pathological stage group (LOINC 21902-2, mCODE TNMPathologicalStageGroup) the surgery gave. */
function pathologicalStageEntry(s: PatientSpec): BundleEntry | undefined {
  const op = s.surgery;
  if (!op) return undefined;
  const id: Identifier = { system: OBSERVATION_ID_SYSTEM, value: `PTNM-${s.key}` };
  const obs: Observation = {
    resourceType: 'Observation',
    identifier: [id],
    status: 'final',
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: 'laboratory', display: 'Laboratory' }] }],
    code: { coding: [{ system: LOINC, code: '21902-2', display: 'Stage group.pathology Cancer' }], text: 'Stade pathologique TNM' },
    subject: ref(s.uuid, patientDisplay(s)),
    focus: [ref(s.conditionUuid)],
    effectiveDateTime: op.assessed,
    performer: [ref(PATHOLOGIST.uuid, displayName(PATHOLOGIST))],
    valueCodeableConcept: { text: op.stage },
    method: { text: 'Classification TNM UICC, 8e édition' },
    component: [
      tnmComponent('21899-0', 'Primary tumor.pathology Cancer', op.t),
      tnmComponent('21900-6', 'Regional lymph nodes.pathology Cancer', op.n),
      tnmComponent('21901-4', 'Distant metastases.pathology Cancer', op.m),
    ],
  };
  return conditionalCreate(op.stageUuid, obs, id);
}

function careTeamEntry(s: PatientSpec): BundleEntry {
  const id: Identifier = { system: CARE_TEAM_ID_SYSTEM, value: `CT-${s.key}` };
  const participant: CareTeamParticipant[] = s.team.map((p) => {
    const speciality = specialtyCoding(p);
    return {
      role: [{ coding: [professionCoding(p), ...(speciality ? [speciality] : [])], text: p.roleText }],
      member: ref(p.uuid, displayName(p)),
      onBehalfOf: ref(p.org.uuid, p.org.name),
      period: { start: s.cancer.recorded },
    };
  });
  const team: CareTeam = {
    resourceType: 'CareTeam',
    identifier: [id],
    status: 'active',
    category: [{ coding: [{ system: LOINC, code: 'LA28865-6', display: 'Longitudinal care-coordination focused care team' }] }],
    name: `Équipe de soins de ${patientDisplay(s)}`,
    subject: ref(s.uuid, patientDisplay(s)),
    period: { start: s.cancer.recorded },
    participant,
    reasonReference: [ref(s.conditionUuid)],
    managingOrganization: [ref(s.site.uuid, s.site.alias ?? s.site.name)],
  };
  return conditionalCreate(s.careTeamUuid, team, id);
}

/**
 * The demo data set as a FHIR R4 transaction Bundle. Returns a fresh object on every call; the
 * content (UUIDs included) is always the same but for the clinical dates, moved to the seeding day
 * `now` (demo-clock.ts): a first start in 2027 shows diagnoses of 2027, not of 2025.
 */
export function buildDemoBundle(options: { now?: Date } = {}): Bundle {
  const { shift } = demoClock(options.now);
  // Clinical dates only: birth dates, INS and identity validation stay as written.
  const patients = PATIENT_SPECS.map((s) => ({
    ...s,
    cancer: { ...s.cancer, onset: shift(s.cancer.onset), recorded: shift(s.cancer.recorded), assessed: shift(s.cancer.assessed) },
    ...(s.surgery ? { surgery: { ...s.surgery, performed: shift(s.surgery.performed), assessed: shift(s.surgery.assessed) } } : {}),
  }));
  const entry: BundleEntry[] = [
    organizationEntry(CHU),
    coordinationCentreEntry(),
    ...ESTABLISHMENTS.filter((o) => o !== CHU).map(organizationEntry),
    ...PROFESSIONALS.map(practitionerEntry),
    ...PROFESSIONALS.map(practitionerRoleEntry),
    ...patients.map(patientEntry),
    ...patients.map(conditionEntry),
    ...patients.flatMap((s) => [ecogEntry(s), stageEntry(s)]),
    ...patients.flatMap((s) => [surgeryEntry(s), pathologicalStageEntry(s)].filter((e): e is BundleEntry => e !== undefined)),
    ...patients.map(careTeamEntry),
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
