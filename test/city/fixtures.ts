/**
 * Test world of the city API: the care-plan case (colon cancer, capecitabine by mouth, care team
 * with the city nurse and pharmacist, declared GP) on a server with the RCP sheet, the care-plan
 * operations and /api/city mounted. Each case has its own professionals, registered as users
 * `<case>.<role>` (asUser), so tests never share data.
 */
import { expect } from 'chai';
import { finessCheckDigit } from '../../server/identity/rpps.ts';
import { startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, type CareCase } from '../care-plan/fixtures.ts';
import { colonCancerSheet, type World } from '../rcp-sheet/fixtures.ts';
import { asUser, identifyByHeader, newIdnps, testUsers, type TestUsers } from '../helpers/users.ts';

export { as };

export interface CityWorld {
  server: RunningServer;
  users: TestUsers;
  close: () => Promise<void>;
}

export async function startCityServer(): Promise<CityWorld> {
  const users = testUsers();
  const identify = identifyByHeader(users, 'system');
  const server: RunningServer = await startTestServer({ identify });
  return { server, users, close: server.close };
}

/** A call to the city API as `user`. */
export async function api(world: CityWorld, user: string, method: string, path: string) {
  const res = await fetch(`${world.server.url}/api/city${path}`, { method, headers: { ...asUser(user), accept: 'application/json' } });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : undefined };
}

export interface CityCase extends CareCase {
  /** User names: `${key}.gp`, `${key}.nurse`… */
  user: (role: keyof CareCase['practitioners']) => string;
}

/** A fresh care case whose professionals act as `<key>.<role>`. */
export async function newCase(world: CityWorld): Promise<CityCase> {
  const scratch = testUsers();
  const c = await createCareCase(world.server, scratch);
  const key = unique('case');
  for (const [role, principal] of Object.entries(scratch)) if (role !== 'system') world.users[`${key}.${role}`] = principal;
  return { ...c, user: (role) => `${key}.${role}` };
}

export async function create(world: CityWorld, body: any): Promise<any> {
  const res = await as(world.server, 'system', 'POST', `/${body.resourceType}`, body);
  if (res.status !== 201) throw new Error(`${body.resourceType}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

/** A complete RCP sheet for the case's patient, written by the oncologist and signed by them. */
export async function signReport(world: CityWorld, c: CityCase): Promise<any> {
  const pro = async (key: string, speciality: { code: string; display: string }) => {
    const practitioner = await create(world, { resourceType: 'Practitioner', name: [{ family: `${key}-${unique('')}`, given: ['Claire'] }] });
    return { id: practitioner.id as string, idnps: newIdnps(), name: `Dr Claire ${key}`, speciality };
  };
  const p = c.practitioners;
  const finess8 = `13${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const fake = {
    pros: {
      oncologist: { id: p.oncologist, idnps: newIdnps(), name: 'Dr Sophie Lambert', speciality: { code: 'SM36', display: 'Oncologie, option médicale (SM)' } },
      surgeon: { id: p.surgeon, idnps: newIdnps(), name: 'Dr Marc Aubert', speciality: { code: 'SM14', display: 'Chirurgie viscérale et digestive (SM)' } },
      gp: { id: p.gp, idnps: newIdnps(), name: 'Dr Laurent Chabert', speciality: { code: 'SM54', display: 'Médecine générale (SM)' } },
      coordinator: { id: p.coordinator, idnps: newIdnps(), name: 'Dr Nathalie Girard', speciality: { code: 'SM49', display: 'Santé publique et Médecine sociale (SM)' } },
      radiotherapist: await pro('Rossi', { code: 'SM37', display: 'Oncologie, option radiothérapie (SM)' }),
      gastroenterologist: await pro('Fabre', { code: 'SM24', display: 'Gastro-entérologie et Hépatologie (SM)' }),
    },
    finess: finess8 + finessCheckDigit(finess8),
    organizationId: c.chuId,
    patientId: c.patientId,
  } as unknown as World;
  const sheet = await as(world.server, c.user('oncologist'), 'POST', '/Composition/$rcp-sheet', colonCancerSheet(fake, c.patientId));
  expect(sheet.status, JSON.stringify(sheet.body)).to.equal(201);
  const signed = await as(world.server, c.user('oncologist'), 'POST', `/Composition/${sheet.body.id}/$sign`);
  expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
  return signed.body;
}

/** PPS built from the decision and handed over (shared with the GP); returns the PPS and its oral MedicationRequest. */
export async function ppsHandedOver(world: CityWorld, c: CityCase): Promise<{ pps: any; oral: any }> {
  const built = await as(world.server, c.user('oncologist'), 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
  expect(built.status, JSON.stringify(built.body)).to.equal(201);
  const handed = await as(world.server, c.user('oncologist'), 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
  expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
  const oralRef = handed.body.activity.find((a: any) => a.reference?.reference?.startsWith('MedicationRequest/')).reference.reference;
  const oral = (await as(world.server, 'system', 'GET', `/${oralRef}`)).body;
  return { pps: handed.body, oral };
}

const EXT_PPS_UPDATE = 'https://dcc-paca.example/fhir/StructureDefinition/dcc-pps-update';

/** The surgery moved one week later, with its reason (calendar change). */
export async function updatePps(world: CityWorld, c: CityCase, pps: any): Promise<any> {
  const moved = structuredClone(pps);
  moved.activity.find((a: any) => a.detail?.code?.coding?.[0]?.code === '387713003').detail.scheduledPeriod = { start: '2026-03-02', end: '2026-03-06' };
  moved.extension.push({
    url: EXT_PPS_UPDATE,
    extension: [
      { url: 'reason', valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-560' }], text: 'Modification du calendrier' } },
      { url: 'detail', valueString: 'Bloc opératoire reporté d’une semaine' },
      { url: 'date', valueDateTime: '2026-02-20T09:00:00+01:00' },
    ],
  });
  const res = await as(world.server, c.user('oncologist'), 'PUT', `/CarePlan/${pps.id}`, moved);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

/** Writes a new version of the oral treatment as the oncologist. */
export async function changeOral(world: CityWorld, c: CityCase, mutate: (mr: any) => void): Promise<any> {
  const current = (await as(world.server, 'system', 'GET', `/MedicationRequest/${(await oralOf(world, c)).id}`)).body;
  const next = structuredClone(current);
  mutate(next);
  const res = await as(world.server, c.user('oncologist'), 'PUT', `/MedicationRequest/${current.id}`, next);
  expect(res.status, JSON.stringify(res.body)).to.equal(200);
  return res.body;
}

async function oralOf(world: CityWorld, c: CityCase): Promise<any> {
  const res = await as(world.server, 'system', 'GET', `/MedicationRequest?subject=Patient/${c.patientId}`);
  return res.body.entry[0].resource;
}
