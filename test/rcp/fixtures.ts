import type { Resource } from '@medplum/fhirtypes';
import { FINESS_SYSTEM, IDNPS_SYSTEM, RPPS_SYSTEM, finessCheckDigit } from '../../server/identity/rpps.ts';
import type { Store } from '../../server/store/store.ts';
import { readResponse, startTestServer, unique } from '../helpers/harness.ts';
import { asUser, identifyByHeader, newIdnps, newRpps, professional, testUsers, type TestUsers } from '../helpers/users.ts';

/**
 * A small RCP world per test file: a 3C and its host hospital, physicians of the specialities a
 * digestive RCP needs (with valid RPPS keys), a 3C coordinator, the GP, an outsider, and patients
 * followed by the care team. Each request acts as one of them (test-only identify by header). The
 * workflow's clock is the test's: `world.clock.now` (no waiting, no timing).
 */

export const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';
export const SPECIALITIES = {
  surgeon: { code: 'SM14', display: 'Chirurgie viscérale et digestive' },
  oncologist: { code: 'SM36', display: 'Oncologie, option médicale' },
  oncologist2: { code: 'SM36', display: 'Oncologie, option médicale' },
  radiotherapist: { code: 'SM37', display: 'Oncologie, option radiothérapie' },
  gastroenterologist: { code: 'SM24', display: 'Gastro-entérologie et hépatologie' },
  pathologist: { code: 'SM01', display: 'Anatomie et cytologie pathologiques' },
  gp: { code: 'SM54', display: 'Médecine générale' },
  outsider: { code: 'SM24', display: 'Gastro-entérologie et hépatologie' },
  coordinator: { code: 'SM49', display: 'Santé publique et médecine sociale' },
} as const;
export type Pro = keyof typeof SPECIALITIES;

export interface HttpResult {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface RcpWorld {
  url: string;
  store: Store;
  clock: { now: Date };
  ids: Record<Pro, string>;
  centre: string;
  host: string;
  users: TestUsers;
  /** Request to the RCP API as a user. */
  api: (user: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpResult>;
  /** Request to the FHIR API as a user. */
  fhir: (user: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => Promise<HttpResult>;
  create: <T extends Resource>(resource: T) => Promise<T & { id: string }>;
  close: () => Promise<void>;
}

const randomDigits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');

export async function startRcpWorld(start = new Date('2026-03-02T08:00:00Z')): Promise<RcpWorld> {
  const clock = { now: start };
  const users = testUsers();
  const server = await startTestServer({ identify: identifyByHeader(users), clock: () => clock.now });
  const { url } = server;
  const store = server.services.store;
  const call = (prefix: string) => async (user: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}): Promise<HttpResult> => {
    const res = await fetch(`${url}${prefix}${path}`, {
      method,
      headers: { ...asUser(user), accept: 'application/json', ...(body !== undefined ? { 'content-type': 'application/json' } : {}), ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    return readResponse(res);
  };
  const fhir = call('/fhir');
  const create = async <T extends Resource>(resource: T) => {
    const res = await fhir('system', 'POST', `/${resource.resourceType}`, resource);
    if (res.status !== 201) throw new Error(`${resource.resourceType}: ${res.status} ${res.text}`);
    return res.body as T & { id: string };
  };

  const finess8 = `13${randomDigits(6)}`;
  const host = await create({
    resourceType: 'Organization', name: unique('CHU de test '),
    identifier: [{ system: FINESS_SYSTEM, value: `${finess8}${finessCheckDigit(finess8)}` }],
  });
  const centre = await create({
    resourceType: 'Organization', name: unique('3C de test '),
    identifier: [{ system: 'https://dcc-paca.example/fhir/sid/3c', value: unique('3C-') }],
    type: [{ coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/organization-type', code: '3C' }] }],
    partOf: { reference: `Organization/${host.id}` },
  });
  const ids = {} as Record<Pro, string>;
  for (const [pro, speciality] of Object.entries(SPECIALITIES) as [Pro, { code: string; display: string }][]) {
    const rpps = newRpps();
    const practitioner = await create({
      resourceType: 'Practitioner',
      identifier: [{ system: IDNPS_SYSTEM, value: newIdnps(rpps) }, { system: RPPS_SYSTEM, value: rpps }],
      name: [{ family: unique(pro), given: ['Test'], prefix: ['Dr'] }],
      qualification: [{ code: { coding: [{ system: R38, code: speciality.code, display: speciality.display }] } }],
    });
    ids[pro] = practitioner.id;
    const roles = pro === 'coordinator' ? ['coordinator'] : pro === 'gp' ? ['gp'] : ['physician'];
    users[pro] = professional(`Dr ${pro}`, roles, { practitionerId: practitioner.id, idnps: newIdnps(rpps) });
  }
  await create({
    resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${ids.coordinator}` }, organization: { reference: `Organization/${centre.id}` },
  });
  return {
    url, store, clock, ids, centre: centre.id, host: host.id, users, api: call('/api/rcp'), fhir, create,
    close: server.close,
  };
}

/** A patient followed by the RCP physicians (care team), with a GP and a colon cancer. */
export async function newPatient(world: RcpWorld, options: { team?: Pro[]; withGp?: boolean } = {}): Promise<{ patient: string; condition: string }> {
  const patient = await world.create({
    resourceType: 'Patient', name: [{ family: unique('Patient'), given: ['Test'] }], gender: 'female', birthDate: '1958-03-14',
    ...(options.withGp === false ? {} : { generalPractitioner: [{ reference: `Practitioner/${world.ids.gp}` }] }),
  });
  const team = options.team ?? ['surgeon', 'oncologist', 'oncologist2', 'radiotherapist', 'gastroenterologist', 'pathologist'];
  await world.create({
    resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${patient.id}` },
    participant: team.map((p) => ({ member: { reference: `Practitioner/${world.ids[p]}` } })),
  });
  const condition = await world.create({
    resourceType: 'Condition', subject: { reference: `Patient/${patient.id}` },
    extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' }] } }],
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }] },
    onsetDateTime: '2026-01-20',
  });
  return { patient: patient.id, condition: condition.id };
}

/** A digestive board: surgeon mandatory (INCa 2023), oncologist chairs; extra settings override. */
export function digestiveBoard(world: RcpWorld, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    code: unique('RCP-DIG-'),
    name: unique('RCP digestive '),
    kind: 'organ',
    organ: 'Appareil digestif',
    coordinationCentre: `Organization/${world.centre}`,
    hostEstablishment: `Organization/${world.host}`,
    rrcId: 'ONCOPACA',
    members: [
      { practitioner: `Practitioner/${world.ids.oncologist}`, membership: 'fixed', chair: true },
      { practitioner: `Practitioner/${world.ids.surgeon}`, membership: 'fixed' },
      { practitioner: `Practitioner/${world.ids.radiotherapist}`, membership: 'fixed' },
      { practitioner: `Practitioner/${world.ids.gastroenterologist}`, membership: 'fixed' },
      { practitioner: `Practitioner/${world.ids.pathologist}`, membership: 'occasional' },
    ],
    quorum: {
      minSpecialities: 3,
      relevantSpecialities: ['SM14', 'SM36', 'SM37', 'SM24', 'SM01'],
      mandated: [{ label: 'Chirurgien', anyOf: ['SM14'] }],
      writtenOpinionCounts: false,
    },
    // 2nd and 4th Tuesday, 14:00–16:00 Paris time.
    schedule: { rrule: 'FREQ=MONTHLY;BYDAY=+2TU,+4TU', startTime: '14:00', endTime: '16:00', from: '2026-01-01', timeZone: 'Europe/Paris' },
    registrationCutoffHours: 48,
    capacity: 3,
    place: 'Salle de staff, bâtiment B',
    videoLink: 'https://visio.example/rcp-digestive',
    horizonDays: 60,
    ...extra,
  };
}

/** Clinical items that make the RCP sheet complete for the session and the signature. */
export const CLINICAL = {
  discovery: { byScreening: false },
  phase: { phase: 'initial', date: '2026-01-20', progression: { local: true, regional: false, distant: false } },
  performanceStatus: { who: 1, date: '2026-02-10' },
  diagnosis: { tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8' } },
};

export function registration(sessionId: string, p: { patient: string; condition: string }, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    session: `Appointment/${sessionId}`,
    patient: `Patient/${p.patient}`,
    condition: `Condition/${p.condition}`,
    motif: 'treatment-proposal',
    question: 'Chirurgie première ou traitement néoadjuvant ?',
    summary: 'Adénocarcinome du sigmoïde cT3N1M0, découvert sur rectorragies, OMS 1.',
    patientInformed: true,
    patientNonOpposition: true,
    gpInformed: true,
    clinical: CLINICAL,
    ...extra,
  };
}

export const DECISION = {
  treatments: [
    { intention: 1, sequence: 1, type: 'surgery', detail: 'Colectomie gauche par cœlioscopie' },
    { intention: 1, sequence: 2, type: 'chemotherapy', detail: 'FOLFOX adjuvant 6 mois si pN+' },
    { intention: 2, sequence: 1, type: 'chemotherapy', detail: 'Chimiothérapie néoadjuvante si refus de la chirurgie' },
  ],
  exams: [{ description: 'Coloscopie complète', earliest: '2026-03-16', latest: '2026-03-31' }],
  guideline: { name: 'TNCD — Cancer du côlon', version: '2023', date: '2023-03-15' },
  followsGuideline: true,
  clinicalTrial: { proposed: false, comment: "Pas d'essai ouvert pour ce stade" },
};
