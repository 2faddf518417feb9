/**
 * Test world of the RCP sheet: a digestive RCP at a Marseille CHU, its professionals (RPPS with
 * valid Luhn keys), patients with a qualified or a retrieved identity (test INS), their care team,
 * and a complete sheet for a sigmoid colon adenocarcinoma. Unique per call: tests never share data.
 */
import type { CarePlan, Composition, Observation, Patient } from '@medplum/fhirtypes';
import type { FhirRepository } from '../../server/store/repository.ts';
import { IDENTITY_RELIABILITY_EXTENSION_URL, IDENTITY_METHOD_COLLECTION_SYSTEM, IDENTITY_STATUS_SYSTEM, IDENTITY_VALIDATION_MODE_SYSTEM, INS_NIR_TEST_SYSTEM, withInsNirKey } from '../../server/identity/ins.ts';
import { FINESS_SYSTEM, finessCheckDigit, IDNPS_SYSTEM } from '../../server/identity/rpps.ts';
import type { RcpSheetInput } from '../../server/rcp-sheet/input.ts';
import { expect } from 'chai';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, newIdnps, professional as signedInUser, testUsers, type TestUsers } from '../helpers/users.ts';

export const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

export interface Pro {
  id: string;
  idnps: string;
  name: string;
  speciality?: { code: string; display: string };
}

export interface World {
  server: RunningServer;
  users: TestUsers;
  pros: Record<string, Pro>;
  organizationId: string;
  finess: string;
  /** Patient with a qualified identity (INS shareable). */
  patientId: string;
  patientIns: string;
  /** Patient whose INS was retrieved but not validated (RECUP: never sent out). */
  recupPatientId: string;
  recupIns: string;
  as: (user: string, method: string, path: string, body?: unknown, headers?: Record<string, string>) => ReturnType<typeof http>;
  raw: (user: string, path: string, headers?: Record<string, string>) => Promise<globalThis.Response>;
  close: () => Promise<void>;
}

function randomDigits(n: number): string {
  let s = '';
  for (let i = 0; i < n; i++) s += Math.floor(Math.random() * 10);
  return s;
}

function nir13(sex: '1' | '2', birthDate: string): string {
  // Sex, year, month (those of the patient: the INS must agree with the traits), department 13
  // (Bouches-du-Rhône), commune, order: a fictitious test NIR.
  return `${sex}${birthDate.slice(2, 4)}${birthDate.slice(5, 7)}13${randomDigits(3)}${randomDigits(3)}`;
}

const SPECIALITIES = {
  oncologist: { code: 'SM36', display: 'Oncologie, option médicale (SM)' },
  surgeon: { code: 'SM14', display: 'Chirurgie viscérale et digestive (SM)' },
  radiotherapist: { code: 'SM37', display: 'Oncologie, option radiothérapie (SM)' },
  gastroenterologist: { code: 'SM24', display: 'Gastro-entérologie et Hépatologie (SM)' },
  gp: { code: 'SM54', display: 'Médecine générale (SM)' },
  coordinator: { code: 'SM49', display: 'Santé publique et Médecine sociale (SM)' },
} as const;

export async function startWorld(): Promise<World> {
  const users = testUsers();
  const identify = identifyByHeader(users, 'system');
  const server: RunningServer = await startTestServer({ identify });
  const as = (user: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) => http(server, method, path, body, asUser(user, headers));
  const raw = (user: string, path: string, headers: Record<string, string> = {}) => fetch(`${server.fhirUrl}${path}`, { headers: asUser(user, headers) });
  const mk = async (body: any): Promise<string> => {
    const res = await as('system', 'POST', `/${body.resourceType}`, body);
    if (res.status !== 201) throw new Error(`${body.resourceType}: ${res.status} ${JSON.stringify(res.body)}`);
    return res.body.id as string;
  };

  const finess8 = '13' + randomDigits(6);
  const finess = finess8 + finessCheckDigit(finess8);
  const organizationId = await mk({
    resourceType: 'Organization', name: 'CHU Méditerranée — Hôpital Sainte-Marthe',
    identifier: [{ system: FINESS_SYSTEM, value: finess }],
  });

  const pros: Record<string, Pro> = {};
  const people: [string, string, string, keyof typeof SPECIALITIES | undefined, string[]][] = [
    ['oncologist', 'Sophie', 'Lambert', 'oncologist', ['physician']],
    ['surgeon', 'Marc', 'Aubert', 'surgeon', ['physician']],
    ['radiotherapist', 'Julien', 'Rossi', 'radiotherapist', ['physician']],
    ['gastroenterologist', 'Claire', 'Fabre', 'gastroenterologist', ['physician']],
    ['gp', 'Laurent', 'Chabert', 'gp', ['gp']],
    ['nurse', 'Amandine', 'Roux', undefined, ['nurse']],
    ['coordinator', 'Nathalie', 'Girard', 'coordinator', ['coordinator']],
    ['outsider', 'Paul', 'Vidal', 'oncologist', ['physician']],
  ];
  for (const [key, given, family, speciality, roles] of people) {
    const idnps = newIdnps();
    const id = await mk({ resourceType: 'Practitioner', identifier: [{ system: IDNPS_SYSTEM, value: idnps }], name: [{ family: `${family}-${unique('')}`, given: [given], ...(roles.includes('nurse') ? {} : { prefix: ['Dr'] }) }] });
    const name = `${roles.includes('nurse') ? '' : 'Dr '}${given} ${family}`;
    pros[key] = { id, idnps, name, ...(speciality ? { speciality: SPECIALITIES[speciality] } : {}) };
    users[key] = signedInUser(name, roles, { practitionerId: id, idnps });
  }

  const extensionsOf = (status: 'QUAL' | 'RECUP'): NonNullable<Patient['extension']> => [{
      url: IDENTITY_RELIABILITY_EXTENSION_URL,
      extension: [
        { url: 'identityStatus', valueCoding: { system: IDENTITY_STATUS_SYSTEM, code: status } },
        { url: 'methodCollection', valueCoding: { system: IDENTITY_METHOD_COLLECTION_SYSTEM, code: status === 'QUAL' ? 'CV' : 'INSI' } },
        ...(status === 'QUAL' ? [{ url: 'validationMode', valueCoding: { system: IDENTITY_VALIDATION_MODE_SYSTEM, code: 'CN' } }, { url: 'validationDate', valueDate: '2025-09-08' }] : []),
      ],
    }];
  const patient = (status: 'QUAL' | 'RECUP', ins: string, family: string, given: string[], gender: 'female' | 'male', birthDate: string): Patient => ({
    resourceType: 'Patient',
    extension: extensionsOf(status),
    // Birthplace (INSEE COG code): the fifth INS trait, needed to send the INS in a CDA header.
    ...(status === 'QUAL' ? { extension: [...extensionsOf(status), { url: 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace', valueAddress: { city: 'Marseille 1er', extension: [{ url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code', valueCoding: { system: 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM', code: '13201' } }] } }] } : {}),
    identifier: [
      { use: 'official', system: INS_NIR_TEST_SYSTEM, value: ins },
      { use: 'usual', type: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v2-0203', code: 'PI' }], text: 'IPP' }, system: `https://dcc-paca.example/fhir/sid/ipp/${finess}`, value: randomDigits(9) },
    ],
    name: [{ use: 'official', family, given }],
    gender,
    birthDate,
    generalPractitioner: [{ reference: `Practitioner/${pros.gp!.id}`, display: pros.gp!.name }],
  });
  const patientIns = withInsNirKey(nir13('2', '1958-03-14'));
  const patientId = await mk(patient('QUAL', patientIns, `Castellani-${unique('')}`, ['Hélène', 'Marie'], 'female', '1958-03-14'));
  const recupIns = withInsNirKey(nir13('1', '1951-11-02'));
  const recupPatientId = await mk(patient('RECUP', recupIns, `Ménard-${unique('')}`, ['François'], 'male', '1951-11-02'));
  for (const p of [patientId, recupPatientId]) {
    await mk({
      resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${p}` },
      participant: ['oncologist', 'surgeon', 'radiotherapist', 'gastroenterologist', 'nurse', 'coordinator'].map((k) => ({ member: { reference: `Practitioner/${pros[k]!.id}` } })),
    });
  }

  return { server, users, pros, organizationId, finess, patientId, patientIns, recupPatientId, recupIns, as, raw, close: server.close };
}

const professional = (p: Pro) => ({ practitioner: `Practitioner/${p.id}`, idnps: p.idnps, name: p.name, ...(p.speciality ? { speciality: p.speciality } : {}), organization: 'CHU Méditerranée' });

/** A complete sheet: sigmoid colon adenocarcinoma cT3 cN1 cM0, stage IIIB, discussed in the digestive RCP. */
export function colonCancerSheet(world: World, patientId = world.patientId): RcpSheetInput {
  const { pros } = world;
  return {
    patient: `Patient/${patientId}`,
    author: professional(pros.oncologist!),
    coordinator: professional(pros.coordinator!),
    requester: professional(pros.gastroenterologist!),
    presenter: professional(pros.gastroenterologist!),
    generalPractitioner: { ...professional(pros.gp!), organization: 'MSP du Vieux-Port' },
    participants: [
      { ...professional(pros.oncologist!), inQuorum: true },
      { ...professional(pros.surgeon!), inQuorum: true },
      { ...professional(pros.radiotherapist!), inQuorum: true },
      { ...professional(pros.gastroenterologist!), inQuorum: false },
    ],
    meeting: {
      rcpName: 'RCP digestive — 3C du CHU Méditerranée',
      date: '2025-10-02T14:00:00+02:00',
      mode: 'hybrid',
      registrationNumber: '7',
      rrcId: '9301',
      threeCId: '930114',
      rcpId: '27011113',
      sessionId: '2025-10-02-DIG',
      hostEstablishment: { finess: world.finess, name: 'CHU Méditerranée — Hôpital Sainte-Marthe', organization: `Organization/${world.organizationId}` },
    },
    reason: {
      nature: 'organ',
      organSystem: { code: '86762007', display: 'Appareil digestif' },
      organ: { code: 'MED-251', system: 'urn:oid:1.2.250.1.213.1.1.4.322', display: 'Colon-Rectum-Anus' },
      recours: false,
      paediatric: false,
      motifs: ['treatment-proposal'],
      caseStatus: 'discussed',
      comment: 'Premier passage en RCP avant tout traitement',
    },
    discovery: { byScreening: true, comment: 'Test immunologique positif (dépistage organisé), coloscopie le 05/09/2025' },
    diagnosis: {
      date: '2025-09-12',
      morphology: { code: '8140/3', display: 'Adénocarcinome, SAI' },
      topography: { code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' },
      tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8', date: '2025-09-26' },
      comment: 'Adénocarcinome lieberkühnien moyennement différencié',
    },
    history: [{ date: '2012', text: 'Cholécystectomie' }, { date: '2019-03', text: 'Fracture du poignet droit' }],
    comorbidities: [{ date: '2015', text: 'Hypertension artérielle traitée' }, { text: 'Diabète de type 2 non insulino-requérant' }],
    performanceStatus: { who: 1, date: '2025-09-26' },
    geriatricScreening: { tool: 'G8', score: 15, date: '2025-09-26', interpretation: 'Pas de fragilité (score > 14)' },
    pain: { score: 2, description: 'Douleurs abdominales intermittentes', date: '2025-09-26' },
    examResults: [
      { date: '2025-09-05', exam: 'Coloscopie', result: 'Tumeur sténosante du sigmoïde à 25 cm de la marge anale, biopsiée' },
      { date: '2025-09-19', exam: 'Scanner thoraco-abdomino-pelvien', result: 'Épaississement sigmoïdien, 2 adénopathies régionales infracentimétriques, pas de lésion secondaire' },
      { date: '2025-09-19', exam: 'ACE', result: '6,2 ng/mL' },
    ],
    phase: { phase: 'initial', date: '2025-09-26', progression: { local: false, regional: true, distant: false } },
    treatmentsSoFar: [{ type: 'other', description: 'Aucun traitement spécifique à ce jour', status: 'not-done' }],
    otherReports: [
      { kind: 'pathology', date: '2025-09-12', author: 'Dr Étienne Morel', conclusion: 'Adénocarcinome lieberkühnien moyennement différencié, infiltrant' },
      { kind: 'molecular', date: '2025-09-24', author: 'Plateforme de génétique moléculaire', conclusion: 'Statut MMR : pMMR ; RAS/BRAF sauvage' },
    ],
    summary: "Patiente de 67 ans, OMS 1, adénocarcinome du côlon sigmoïde cT3 cN1 cM0 découvert par le dépistage organisé. Pas d'antécédent oncologique.",
    question: 'Chirurgie première (sigmoïdectomie) puis chimiothérapie adjuvante selon l’histologie définitive ?',
    otherData: 'Patiente informée de la présentation de son dossier en RCP ; ne s’y oppose pas.',
    fileStatus: { complete: true, quorum: 'reached' },
    proposal: {
      treatments: [
        { intention: 1, sequence: 1, type: 'surgery', detail: 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', start: '2025-10-20' },
        { intention: 1, sequence: 2, type: 'chemotherapy', detail: 'Chimiothérapie adjuvante FOLFOX 6 mois si pN+' },
        { intention: 2, sequence: 1, type: 'chemotherapy', detail: 'Chimiothérapie néoadjuvante si contre-indication opératoire transitoire' },
      ],
      exams: [{ description: 'Consultation d’oncogériatrie', earliest: '2025-10-06', latest: '2025-10-17' }],
      comment: 'Rediscussion en RCP avec l’histologie définitive',
    },
    basis: {
      guideline: { name: 'Thésaurus National de Cancérologie Digestive — Cancer du côlon', version: '2023', date: '2023-06-01' },
      followsGuideline: true,
      clinicalTrial: { proposed: false, comment: 'Pas d’essai ouvert correspondant dans le répertoire régional' },
    },
    documentStatus: 'done',
  };
}

/**
 * Writes TNM categories into a stored sheet's TNM Observation (75620-5) straight through the
 * store, past the sheet's checks: a sheet saved before the notation was checked, or imported.
 */
/** Creates and signs a sheet as the oncologist; returns its decision (the sheet's proposal CarePlan). */
export async function signedDecision(world: World, input: RcpSheetInput): Promise<CarePlan> {
  const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
  expect(created.status, JSON.stringify(created.body)).to.equal(201);
  const signed = await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`, {});
  expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
  const sheet = (await world.as('oncologist', 'GET', `/Composition/${created.body.id}`)).body as Composition;
  const ref = sheet.section!.find((s) => s.code?.coding?.[0]?.code === '18776-5')!.entry![0]!.reference!;
  return (await world.as('oncologist', 'GET', `/CarePlan/${ref.split('/')[1]}`)).body as CarePlan;
}

/** A later RCP (20 November 2025) on the tumour an earlier decision addresses, with its own question and proposal. */
export function laterSheetOnSameTumour(world: World, earlier: CarePlan, question: string, proposal: RcpSheetInput['proposal']): RcpSheetInput {
  const later = colonCancerSheet(world);
  later.meeting!.date = '2025-11-20T14:00:00+01:00';
  later.meeting!.sessionId = '2025-11-20-DIG';
  const { morphology: _m, topography: _t, ...diagnosis } = later.diagnosis!;
  return { ...later, diagnosis: { ...diagnosis, condition: earlier.addresses![0]!.reference! }, question, proposal };
}

export async function writeTnmPastTheChecks(repo: FhirRepository, compositionId: string, categories: { t?: string; n?: string; m?: string }): Promise<void> {
  const composition = await repo.read<Composition>('Composition', compositionId);
  const references = (composition.section ?? []).flatMap(function entries(s): string[] {
    return [...(s.entry ?? []).map((e) => e.reference ?? ''), ...(s.section ?? []).flatMap(entries)];
  });
  const code = { t: '21905-5', n: '21906-3', m: '21907-1' } as const;
  for (const reference of references.filter((r) => r.startsWith('Observation/'))) {
    const observation = await repo.read<Observation>('Observation', reference.split('/')[1]!);
    if (!observation.code?.coding?.some((c) => c.code === '75620-5')) continue;
    const component = observation.component!.map((c) => {
      const category = (Object.keys(code) as (keyof typeof code)[]).find((k) => c.code.coding?.some((x) => x.code === code[k]));
      const value = category && categories[category];
      return value ? { ...c, valueCodeableConcept: { text: value } } : c;
    });
    await repo.update({ ...observation, component });
    return;
  }
  throw new Error(`Composition/${compositionId}: no TNM Observation`);
}
