/**
 * Synthetic, realistic-shaped DCC data for the benchmark: practitioners (general practitioners),
 * and per patient one cancer Condition, four Observations and one CarePlan (7 resources a patient).
 *
 * Everything is fictitious: INS are test INS (system …4.10) with valid NIR keys, RPPS numbers carry a
 * valid Luhn key, phone numbers are in the ARCEP range reserved for fiction (06 39 98 …).
 * Generation is deterministic for a given seed (ids excepted: crypto.randomUUID).
 */
import { randomUUID } from 'node:crypto';
import { IDENTITY_METHOD_COLLECTION_SYSTEM, IDENTITY_RELIABILITY_EXTENSION_URL, IDENTITY_STATUS_SYSTEM } from '../server/identity/ins.ts';
import type { Bundle, CarePlan, Condition, Observation, Patient, Practitioner, Reference, Resource } from '@medplum/fhirtypes';

export const INS_NIR_TEST_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.10';
const FR_CORE_IDENTIFIER_TYPE_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203';
const RPPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
const IPP_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.7.750100125'; // fictitious establishment IPP namespace
const LOINC = 'http://loinc.org';
const UCUM = 'http://unitsofmeasure.org';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';

/** Resources per patient: Patient + Condition + 4 Observations + CarePlan. */
export const RESOURCES_PER_PATIENT = 7;
export const OBSERVATIONS_PER_PATIENT = 4;

/** Small deterministic PRNG (mulberry32): the same seed gives the same data set shape. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

type Rng = () => number;
const pick = <T>(rng: Rng, list: readonly T[]): T => list[Math.floor(rng() * list.length)];
const int = (rng: Rng, min: number, max: number): number => min + Math.floor(rng() * (max - min + 1));
const pad = (n: number, width: number): string => String(n).padStart(width, '0');
const round = (n: number, digits: number): number => Number(n.toFixed(digits));

const FAMILY = [
  'Martin', 'Bernard', 'Thomas', 'Petit', 'Robert', 'Richard', 'Durand', 'Dubois', 'Moreau', 'Laurent', 'Simon', 'Michel',
  'Lefèvre', 'Leroy', 'Roux', 'David', 'Bertrand', 'Morel', 'Fournier', 'Girard', 'Bonnet', 'Dupont', 'Lambert', 'Fontaine',
  'Rousseau', 'Vincent', 'Muller', 'Lefebvre', 'Faure', 'André', 'Mercier', 'Blanc', 'Guérin', 'Boyer', 'Garnier', 'Chevalier',
  'François', 'Legrand', 'Gauthier', 'Garcia', 'Perrin', 'Robin', 'Clément', 'Morin', 'Nicolas', 'Henry', 'Roussel', 'Mathieu',
  'Gautier', 'Masson', 'Marchand', 'Duval', 'Denis', 'Dumont', 'Marie', 'Lemaire', 'Noël', 'Meyer', 'Dufour', 'Meunier',
  'Brun', 'Blanchard', 'Giraud', 'Joly', 'Rivière', 'Lucas', 'Brunet', 'Gaillard', 'Barbier', 'Arnaud', 'Martinez', 'Gérard',
];
const GIVEN_FEMALE = [
  'Marie', 'Jeanne', 'Françoise', 'Monique', 'Catherine', 'Nathalie', 'Isabelle', 'Sylvie', 'Anne', 'Martine', 'Christine',
  'Hélène', 'Valérie', 'Sandrine', 'Véronique', 'Nicole', 'Brigitte', 'Chantal', 'Élodie', 'Céline', 'Camille', 'Léa', 'Manon',
  'Chloé', 'Inès', 'Sophie', 'Aurélie', 'Émilie', 'Julie', 'Béatrice', 'Odile', 'Geneviève',
];
const GIVEN_MALE = [
  'Jean', 'Pierre', 'Michel', 'André', 'Philippe', 'Alain', 'Jacques', 'Bernard', 'Éric', 'Patrick', 'Daniel', 'Christophe',
  'Nicolas', 'Laurent', 'François', 'Frédéric', 'Stéphane', 'Thierry', 'Olivier', 'Sébastien', 'Julien', 'Gérard', 'René',
  'Hugo', 'Lucas', 'Théo', 'Mathieu', 'Rémi', 'Jérôme', 'Benoît', 'Gaël', 'Loïc',
];
const CITIES: readonly { city: string; postalCode: string; dept: string; commune: string }[] = [
  { city: 'Marseille', postalCode: '13005', dept: '13', commune: '055' },
  { city: 'Nice', postalCode: '06000', dept: '06', commune: '088' },
  { city: 'Toulon', postalCode: '83000', dept: '83', commune: '137' },
  { city: 'Aix-en-Provence', postalCode: '13100', dept: '13', commune: '001' },
  { city: 'Avignon', postalCode: '84000', dept: '84', commune: '007' },
  { city: 'Antibes', postalCode: '06600', dept: '06', commune: '004' },
  { city: 'Cannes', postalCode: '06400', dept: '06', commune: '029' },
  { city: 'Gap', postalCode: '05000', dept: '05', commune: '061' },
  { city: 'Digne-les-Bains', postalCode: '04000', dept: '04', commune: '070' },
  { city: 'Arles', postalCode: '13200', dept: '13', commune: '004' },
  { city: 'Fréjus', postalCode: '83600', dept: '83', commune: '061' },
  { city: 'Lyon', postalCode: '69003', dept: '69', commune: '383' },
];
const STREETS = ['rue de la République', 'boulevard Baille', 'avenue du Prado', 'rue Paradis', 'chemin des Oliviers', 'place Garibaldi', 'rue Saint-Ferréol', 'avenue Jean Jaurès', 'impasse des Lavandes', 'cours Mirabeau'];

const CANCERS: readonly { code: string; display: string; sex?: 'male' | 'female' }[] = [
  { code: 'C50.9', display: 'Tumeur maligne du sein, sans précision', sex: 'female' },
  { code: 'C34.1', display: 'Tumeur maligne du lobe supérieur, bronches ou poumon' },
  { code: 'C34.9', display: 'Tumeur maligne des bronches ou du poumon, sans précision' },
  { code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' },
  { code: 'C20', display: 'Tumeur maligne du rectum' },
  { code: 'C61', display: 'Tumeur maligne de la prostate', sex: 'male' },
  { code: 'C43.5', display: 'Mélanome malin du tronc' },
  { code: 'C25.0', display: 'Tumeur maligne de la tête du pancréas' },
  { code: 'C67.9', display: 'Tumeur maligne de la vessie, sans précision' },
  { code: 'C64', display: 'Tumeur maligne du rein, à l\'exception du bassinet' },
  { code: 'C56', display: 'Tumeur maligne de l\'ovaire', sex: 'female' },
  { code: 'C16.9', display: 'Tumeur maligne de l\'estomac, sans précision' },
  { code: 'C22.0', display: 'Carcinome hépatocellulaire' },
  { code: 'C71.9', display: 'Tumeur maligne de l\'encéphale, sans précision' },
  { code: 'C83.3', display: 'Lymphome diffus à grandes cellules B' },
];

type ObservationKind = {
  code: string;
  display: string;
  category: 'vital-signs' | 'laboratory' | 'survey' | 'exam';
  value: (rng: Rng) => Pick<Observation, 'valueQuantity' | 'valueInteger'>;
};
const quantity = (value: number, unit: string, code = unit) => ({ valueQuantity: { value, unit, system: UCUM, code } });
const OBSERVATION_KINDS: readonly ObservationKind[] = [
  { code: '29463-7', display: 'Poids corporel', category: 'vital-signs', value: (r) => quantity(round(45 + r() * 60, 1), 'kg') },
  { code: '8302-2', display: 'Taille', category: 'vital-signs', value: (r) => quantity(int(r, 150, 195), 'cm') },
  { code: '718-7', display: 'Hémoglobine [Masse/Volume] Sang', category: 'laboratory', value: (r) => quantity(round(8 + r() * 9, 1), 'g/dL') },
  { code: '26464-8', display: 'Leucocytes [Nombre/Volume] Sang', category: 'laboratory', value: (r) => quantity(round(2 + r() * 12, 1), '10*9/L') },
  { code: '2857-1', display: 'PSA [Masse/Volume] Sérum', category: 'laboratory', value: (r) => quantity(round(r() * 40, 2), 'ng/mL') },
  { code: '21889-1', display: 'Taille de la tumeur', category: 'exam', value: (r) => quantity(int(r, 4, 90), 'mm') },
  { code: '89247-1', display: 'Indice de performance ECOG', category: 'survey', value: (r) => ({ valueInteger: int(r, 0, 4) }) },
  { code: '89243-0', display: 'Indice de Karnofsky', category: 'survey', value: (r) => ({ valueInteger: int(r, 3, 10) * 10 }) },
];
const CARE_PLAN_TITLES = [
  'Chimiothérapie adjuvante', 'Radiothérapie externe', 'Chirurgie puis surveillance', 'Hormonothérapie', 'Immunothérapie',
  'Radio-chimiothérapie concomitante', 'Surveillance active', 'Soins de support',
];

/** NIR key: 97 − (NIR13 mod 97). */
function nirKey(nir13: string): string {
  return pad(97 - Number(BigInt(nir13) % 97n), 2);
}

/** RPPS (11 digits) with a Luhn check digit. */
function rpps(rng: Rng): string {
  const body = `1${pad(int(rng, 0, 999_999_999), 9)}`;
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

function isoDay(date: Date): string {
  return date.toISOString().slice(0, 10);
}

function dateBetween(rng: Rng, from: Date, to: Date): Date {
  return new Date(from.getTime() + rng() * (to.getTime() - from.getTime()));
}

export interface PatientSummary {
  id: string;
  /** INS (15 digits) under INS_NIR_TEST_SYSTEM. */
  ins: string;
  /** The declared GP's Practitioner id (Patient.generalPractitioner); the gp-* scenarios act as them. */
  gpId?: string;
}

/** Builds the benchmark data set, one batch at a time. */
export class DatasetGenerator {
  private readonly rng: Rng;
  private readonly usedIns = new Set<string>();
  private readonly now = new Date();
  readonly practitioners: Practitioner[] = [];
  readonly patients: PatientSummary[] = [];

  /** `reservedIns`: INS already held in the database (a second holder would be refused, 409). */
  constructor(seed = 20250101, reservedIns: Iterable<string> = []) {
    this.rng = prng(seed);
    for (const ins of reservedIns) this.usedIns.add(ins);
  }

  /** The general practitioners patients are attached to (seeded first). */
  makePractitioners(count: number): Practitioner[] {
    const r = this.rng;
    for (let i = 0; i < count; i++) {
      const female = r() < 0.5;
      const number = rpps(r);
      this.practitioners.push({
        resourceType: 'Practitioner',
        id: randomUUID(),
        identifier: [{
          system: RPPS_SYSTEM,
          value: `8${number}`, // IDNPS = 8 + RPPS
          type: { coding: [{ system: FR_CORE_IDENTIFIER_TYPE_SYSTEM, code: 'IDNPS' }] },
        }],
        active: true,
        name: [{ use: 'official', family: pick(r, FAMILY), given: [pick(r, female ? GIVEN_FEMALE : GIVEN_MALE)], prefix: ['Dr'] }],
        gender: female ? 'female' : 'male',
        telecom: [{ system: 'phone', value: `04 65 71 ${pad(int(r, 0, 99), 2)} ${pad(int(r, 0, 99), 2)}`, use: 'work' }],
      });
    }
    return this.practitioners.slice(-count);
  }

  /**
   * One patient and the 6 resources of its record: 7 resources, dependents referencing Patient/<id>.
   * The patient's GP is one of the practitioners made so far (none made yet → no GP).
   */
  makePatientRecord(): Resource[] {
    const r = this.rng;
    const id = randomUUID();
    const female = r() < 0.52;
    const gender = female ? 'female' : 'male';
    const birth = dateBetween(r, new Date('1930-01-01'), new Date('2005-12-31'));
    const place = pick(r, CITIES);
    let ins: string;
    do {
      const nir13 = `${female ? 2 : 1}${pad(birth.getUTCFullYear() % 100, 2)}${pad(birth.getUTCMonth() + 1, 2)}${place.dept}${place.commune}${pad(int(r, 1, 999), 3)}`;
      ins = `${nir13}${nirKey(nir13)}`;
    } while (this.usedIns.has(ins));
    this.usedIns.add(ins);
    const family = pick(r, FAMILY);
    const given = [pick(r, female ? GIVEN_FEMALE : GIVEN_MALE), ...(r() < 0.4 ? [pick(r, female ? GIVEN_FEMALE : GIVEN_MALE)] : [])];
    const gp = this.practitioners.length ? pick(r, this.practitioners) : undefined;
    const patient: Patient = {
      resourceType: 'Patient',
      id,
      identifier: [
        {
          use: 'official',
          type: { coding: [{ system: FR_CORE_IDENTIFIER_TYPE_SYSTEM, code: 'INS-NIR-TEST' }] },
          system: INS_NIR_TEST_SYSTEM,
          value: ins,
        },
        { use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }] }, system: IPP_SYSTEM, value: pad(int(r, 1, 99_999_999), 8) },
      ],
      // RNIV: an INS is recorded only for an identity retrieved (RECUP) through the INSi service.
      extension: [{
        url: IDENTITY_RELIABILITY_EXTENSION_URL,
        extension: [
          { url: 'identityStatus', valueCoding: { system: IDENTITY_STATUS_SYSTEM, code: 'RECUP' } },
          { url: 'methodCollection', valueCoding: { system: IDENTITY_METHOD_COLLECTION_SYSTEM, code: 'INSI' } },
        ],
      }],
      active: true,
      name: [
        { use: 'official', family, given },
        ...(female && r() < 0.3 ? [{ use: 'usual' as const, family: pick(r, FAMILY), given: [given[0]] }] : []),
      ],
      telecom: [{ system: 'phone', value: `06 39 98 ${pad(int(r, 0, 99), 2)} ${pad(int(r, 0, 99), 2)}`, use: 'mobile' }],
      gender,
      birthDate: isoDay(birth),
      address: [{ use: 'home', line: [`${int(r, 1, 180)} ${pick(r, STREETS)}`], city: place.city, postalCode: place.postalCode, country: 'FRA' }],
      ...(gp ? { generalPractitioner: [practitionerRef(gp)] } : {}),
    };
    this.patients.push({ id, ins, ...(gp ? { gpId: gp.id! } : {}) });

    const subject: Reference<Patient> = { reference: `Patient/${id}` };
    const cancers = CANCERS.filter((c) => !c.sex || c.sex === gender);
    const cancer = pick(r, cancers);
    const diagnosed = dateBetween(r, new Date(this.now.getTime() - 4 * 365 * 86_400_000), new Date(this.now.getTime() - 30 * 86_400_000));
    const condition: Condition = {
      resourceType: 'Condition',
      id: randomUUID(),
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'encounter-diagnosis' }] }],
      code: { coding: [{ system: ICD10, code: cancer.code, display: cancer.display }], text: cancer.display },
      subject,
      onsetDateTime: isoDay(diagnosed),
      recordedDate: isoDay(new Date(diagnosed.getTime() + int(r, 1, 20) * 86_400_000)),
    };
    const observations: Observation[] = [];
    for (let i = 0; i < OBSERVATIONS_PER_PATIENT; i++) {
      observations.push({ ...this.observation(subject, dateBetween(r, diagnosed, this.now)), id: randomUUID() });
    }
    const carePlan: CarePlan = {
      resourceType: 'CarePlan',
      id: randomUUID(),
      status: 'active',
      intent: 'plan',
      category: [{ text: 'Programme personnalisé de soins (PPS)' }],
      title: pick(r, CARE_PLAN_TITLES),
      description: `Décision de RCP du ${isoDay(new Date(diagnosed.getTime() + 21 * 86_400_000))}`,
      subject,
      period: { start: isoDay(new Date(diagnosed.getTime() + 28 * 86_400_000)) },
      created: new Date(diagnosed.getTime() + 21 * 86_400_000).toISOString(),
      ...(gp ? { author: practitionerRef(gp) } : {}),
    };
    return [patient, condition, ...observations, carePlan];
  }

  /** A new Observation (no id) for a patient: used by the seed and by the write scenarios. */
  observation(subject: Reference<Patient>, effective: Date, rng: Rng = this.rng): Observation {
    const kind = pick(rng, OBSERVATION_KINDS);
    return {
      resourceType: 'Observation',
      status: 'final',
      category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/observation-category', code: kind.category }] }],
      code: { coding: [{ system: LOINC, code: kind.code, display: kind.display }], text: kind.display },
      subject,
      effectiveDateTime: effective.toISOString().replace(/\.\d{3}Z$/, 'Z'),
      ...kind.value(rng),
    };
  }
}

function practitionerRef(p: Practitioner): Reference<Practitioner> {
  const name = p.name?.[0];
  return { reference: `Practitioner/${p.id}`, display: `Dr ${name?.given?.[0] ?? ''} ${name?.family ?? ''}`.trim() };
}

/** A transaction Bundle of `n` Observation creates (fullUrl urn:uuid, POST Observation). */
export function observationTransaction(observations: Observation[]): Bundle {
  return {
    resourceType: 'Bundle',
    type: 'transaction',
    entry: observations.map((resource) => ({
      fullUrl: `urn:uuid:${randomUUID()}`,
      resource,
      request: { method: 'POST', url: 'Observation' },
    })),
  };
}

/**
 * Loads `patientCount` patient records (the 7 resources of makePatientRecord plus what `extra`
 * adds for each patient) through the store's seeding path, FhirRepository.bulkInsert (same indexer
 * and tables as single writes, one multi-row INSERT per table per batch; no write rules, no audit).
 * Shared by the benches that need a regional-size database under the scenario they time.
 */
export async function bulkLoadPatientRecords(
  repo: { bulkInsert(resources: Resource[]): Promise<unknown> },
  generator: DatasetGenerator,
  patientCount: number,
  options: { extra?: (patient: Patient) => Resource[]; batch?: number; onProgress?: (resources: number, perSecond: number) => void } = {},
): Promise<{ resources: number; seconds: number }> {
  const batchSize = options.batch ?? 1000;
  const started = performance.now();
  let batch: Resource[] = [];
  let done = 0;
  let lastReport = started;
  for (let i = 0; i < patientCount; i++) {
    const [patient, ...record] = generator.makePatientRecord() as [Patient, ...Resource[]];
    batch.push(patient, ...record, ...(options.extra?.(patient) ?? []));
    if (batch.length >= batchSize || i === patientCount - 1) {
      await repo.bulkInsert(batch);
      done += batch.length;
      batch = [];
      const now = performance.now();
      if (now - lastReport > 5000 || i === patientCount - 1) {
        lastReport = now;
        options.onProgress?.(done, done / ((now - started) / 1000));
      }
    }
  }
  return { resources: done, seconds: (performance.now() - started) / 1000 };
}
