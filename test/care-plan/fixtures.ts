/**
 * A small, French-realistic case for the care-plan tests: a colon cancer (adénocarcinome du côlon
 * sigmoïde) operated then treated by capecitabine, with its care team, GP, 3C and the signed RCP
 * decision. Every call creates fresh resources (tests never share data).
 */
import { withInsNirKey } from '../../server/identity/ins.ts';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, professional, type TestUsers } from '../helpers/users.ts';

const DCC = 'https://dcc-paca.example/fhir';
const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/**
 * The app as main.ts assembles it; each request acts as the user it names (asUser), on the given
 * day if any, or on the test's own clock (one that moves between requests).
 */
export async function startCarePlanServer(users: TestUsers, options: { today?: string; clock?: () => Date } = {}): Promise<RunningServer> {
  const identify = identifyByHeader(users, 'system');
  const clock = options.clock ?? (options.today ? () => new Date(`${options.today}T12:00:00Z`) : undefined);
  return startTestServer({ identify, ...(clock ? { clock } : {}) });
}

export interface CareCase {
  patientId: string;
  conditionId: string;
  decisionId: string;
  practitioners: Record<'oncologist' | 'surgeon' | 'gp' | 'nurse' | 'pharmacist' | 'coordinator', string>;
  chuId: string;
  threeCId: string;
  ins?: string;
  family: string;
}

export const as = (server: RunningServer, user: string, method: string, path: string, body?: unknown, headers: Record<string, string> = {}) =>
  http(server, method, path, body, asUser(user, headers));

async function create(server: RunningServer, body: any): Promise<string> {
  const res = await as(server, 'system', 'POST', `/${body.resourceType}`, body);
  if (res.status !== 201) throw new Error(`${body.resourceType}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body.id as string;
}

function randomNir13(): string {
  const digits = (n: number) => Array.from({ length: n }, () => Math.floor(Math.random() * 10)).join('');
  // A woman born in March 1958, as the fixture patient (the INS must agree with the traits).
  return `2580313${digits(3)}${digits(3)}`;
}

/**
 * A patient (identity `status`, with a test INS when RECUP/QUAL), their care team (oncologist,
 * surgeon, nurse, pharmacist), GP, establishment and 3C, the cancer and the RCP decision:
 * proposal 0 = surgery (1st choice), 1 = capecitabine by mouth (1st choice), 2 = radiotherapy (alternative).
 */
export async function createCareCase(server: RunningServer, users: TestUsers, status: 'QUAL' | 'RECUP' | 'PROV' = 'QUAL'): Promise<CareCase> {
  const chuId = await create(server, { resourceType: 'Organization', name: `CHU Méditerranée ${unique()}`, telecom: [{ system: 'phone', value: '04 65 71 10 00' }] });
  const threeCId = await create(server, {
    resourceType: 'Organization', name: '3C du CHU Méditerranée', partOf: { reference: `Organization/${chuId}` },
    type: [{ coding: [{ system: `${DCC}/CodeSystem/organization-type`, code: '3C', display: 'Centre de Coordination en Cancérologie' }] }],
    telecom: [{ system: 'phone', value: '04 65 71 10 50' }],
  });
  const pro = async (family: string, given: string, profession: string, speciality?: string) => create(server, {
    resourceType: 'Practitioner', name: [{ family: `${family}-${unique()}`, given: [given], prefix: profession === '10' ? ['Dr'] : undefined }],
    telecom: [{ system: 'phone', value: '04 65 71 10 10' }, { system: 'email', value: `${given.toLowerCase()}@dcc-demo.mssante.fr` }],
    qualification: [{ code: { coding: [{ system: G15, code: profession }] } }, ...(speciality ? [{ code: { coding: [{ system: R38, code: speciality }] } }] : [])],
  });
  const practitioners = {
    oncologist: await pro('Lambert', 'Sophie', '10', 'SM36'),
    surgeon: await pro('Aubert', 'Marc', '10', 'SM14'),
    gp: await pro('Chabert', 'Laurent', '10', 'SM54'),
    nurse: await pro('Roux', 'Amandine', '60'),
    pharmacist: await pro('Lefèvre', 'Thomas', '21'),
    coordinator: await pro('Girard', 'Nathalie', '10', 'SM49'),
  };
  const principal = (name: keyof typeof practitioners, roles: string[]) => professional(name, roles, { practitionerId: practitioners[name] });
  users.oncologist = principal('oncologist', ['physician']);
  users.surgeon = principal('surgeon', ['physician']);
  users.gp = principal('gp', ['gp']);
  users.nurse = principal('nurse', ['nurse']);
  users.pharmacist = principal('pharmacist', ['pharmacist']);
  users.coordinator = principal('coordinator', ['coordinator']);

  const ins = status === 'PROV' ? undefined : withInsNirKey(randomNir13());
  const family = `Castellani${unique().slice(-6)}`;
  const patientId = await create(server, {
    resourceType: 'Patient',
    extension: [{
      url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability',
      extension: [
        { url: 'identityStatus', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status', code: status } },
        { url: 'methodCollection', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection', code: status === 'PROV' ? 'SM' : 'INSI' } },
        ...(status === 'QUAL' ? [{ url: 'validationMode', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity', code: 'CN' } }] : []),
      ],
    }],
    identifier: [
      ...(ins ? [{ use: 'official', system: 'urn:oid:1.2.250.1.213.1.4.10', value: ins, type: { coding: [{ system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203', code: 'INS-NIR-TEST' }] } }] : []),
      { system: `${DCC}/sid/ipp/130999014`, value: unique('IPP') },
    ],
    name: [{ use: 'official', family, given: ['Hélène', 'Marie'] }],
    gender: 'female',
    birthDate: '1958-03-14',
    generalPractitioner: [{ reference: `Practitioner/${practitioners.gp}`, display: 'Dr Laurent Chabert' }],
    managingOrganization: { reference: `Organization/${chuId}`, display: 'CHU Méditerranée' },
  });
  const subject = { reference: `Patient/${patientId}` };
  const role = (code: string, text: string, speciality?: string) => [{ coding: [{ system: G15, code }, ...(speciality ? [{ system: R38, code: speciality }] : [])], text }];
  await create(server, {
    resourceType: 'CareTeam', status: 'active', subject, name: 'Équipe de soins',
    participant: [
      { role: role('10', 'Oncologue médicale référente', 'SM36'), member: { reference: `Practitioner/${practitioners.oncologist}` } },
      { role: role('10', 'Chirurgien digestif', 'SM14'), member: { reference: `Practitioner/${practitioners.surgeon}` } },
      { role: role('60', 'Infirmière libérale (IDEL)'), member: { reference: `Practitioner/${practitioners.nurse}` } },
      { role: role('21', "Pharmacien d'officine"), member: { reference: `Practitioner/${practitioners.pharmacist}` } },
    ],
  });
  const conditionId = await create(server, {
    resourceType: 'Condition', subject,
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }], text: 'Adénocarcinome du côlon sigmoïde' },
    onsetDateTime: '2026-01-12',
  });
  const rank = (r: number, s: number) => [
    { url: `${DCC}/StructureDefinition/dcc-proposal-rank`, valuePositiveInt: r },
    { url: `${DCC}/StructureDefinition/dcc-proposal-sequence`, valuePositiveInt: s },
  ];
  const decisionId = await create(server, {
    resourceType: 'CarePlan',
    status: 'active',
    intent: 'proposal',
    category: [{ coding: [{ system: `${DCC}/CodeSystem/dcc-care-plan-category`, code: 'rcp-decision', display: 'Décision de RCP' }] }],
    title: 'Proposition de la RCP digestive du 3 février 2026',
    subject,
    created: '2026-02-03T18:00:00+01:00',
    author: { reference: `Practitioner/${practitioners.oncologist}` },
    addresses: [{ reference: `Condition/${conditionId}` }],
    activity: [
      { extension: rank(1, 1), detail: { code: { coding: [{ system: 'http://snomed.info/sct', code: '387713003', display: 'Chirurgie' }], text: 'Chirurgie' }, status: 'not-started', description: 'Colectomie sigmoïdienne par cœlioscopie' } },
      {
        extension: rank(1, 2),
        detail: {
          code: { coding: [{ system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', code: 'C15632', display: 'Chimiothérapie' }], text: 'Chimiothérapie adjuvante' },
          status: 'not-started',
          productCodeableConcept: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L01BC06', display: 'capecitabine' }], text: 'Capécitabine 500 mg, comprimé' },
          description: 'Capécitabine en adjuvant, 6 mois',
        },
      },
      { extension: rank(2, 1), detail: { code: { coding: [{ system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', code: 'C15313', display: 'Radiothérapie externe' }] }, status: 'not-started' } },
    ],
  });
  return { patientId, conditionId, decisionId, practitioners, chuId, threeCId, ins, family };
}

/** The doctor's input at the announcement consultation. */
export function ppsInput(c: CareCase) {
  return {
    treatments: [
      { proposal: 0, start: '2026-02-23', end: '2026-02-27', datesConfirmed: true, place: 'Service de chirurgie digestive, CHU Méditerranée', performer: [{ reference: `Practitioner/${c.practitioners.surgeon}` }] },
      {
        proposal: 1, route: 'oral', dose: { value: 1500, unit: 'mg' }, timesPerDay: 2, cycle: { daysOn: 14, daysOff: 7, count: 8 },
        start: '2026-03-30', datesConfirmed: false, rhythm: 'cycles de 21 jours', instructions: 'dans les 30 minutes qui suivent le repas',
        sideEffects: ['syndrome main-pied', 'diarrhée'],
      },
    ],
    sideEffectsToWatch: [{ description: 'Fièvre au-delà de 38 °C', action: 'appeler le service d’oncologie sans attendre' }],
    prevention: [{ description: 'Crème émolliente sur les mains et les pieds, matin et soir' }],
    associatedMeasures: [{ description: 'Contraception efficace pendant le traitement' }],
    supportiveCare: [{ type: 'nutrition', description: 'Consultation diététique avant la chimiothérapie' }, { type: 'physical-activity', rhythm: '2 séances par semaine' }],
    socialSupport: [{ type: 'sick-leave', description: 'Arrêt de travail pendant la durée des traitements' }],
    contacts: [{ role: 'support-structure', name: 'Ligue contre le cancer — Comité des Bouches-du-Rhône', phone: '04 65 71 60 00' }],
  };
}
