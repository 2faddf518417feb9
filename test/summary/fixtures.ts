/**
 * The summaries' test world: the app with the care-plan, RCP-sheet and summary operations, a
 * colon-cancer care case (test/care-plan/fixtures.ts) with its PPS, PPAC and a signed RCP sheet
 * (test/rcp-sheet/fixtures.ts), and the establishment's hotline for complications. The summary
 * clock is fixed (overdue surveillance is judged on it). Fresh data for every call.
 */
import { finessCheckDigit, IDNPS_SYSTEM } from '../../server/identity/rpps.ts';
import { as, createCareCase, ppsInput, type CareCase } from '../care-plan/fixtures.ts';
import { colonCancerSheet, type World } from '../rcp-sheet/fixtures.ts';
import { startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { identifyByHeader, newIdnps, professional, type TestUsers } from '../helpers/users.ts';

export { as };

export const HOTLINE = '04 65 71 19 99';

export interface SummaryServer extends RunningServer {
  /** The instant the summaries are judged on. */
  setNow(instant: string): void;
}

export async function startSummaryServer(users: TestUsers, now = '2027-01-15T09:00:00+01:00'): Promise<SummaryServer> {
  let instant = new Date(now);
  const identify = identifyByHeader(users, 'system');
  const server = await startTestServer({ identify, clock: () => instant });
  return { ...server, setNow: (value: string) => { instant = new Date(value); } };
}

async function ok(res: { status: number; body: any }, expected: number, what: string): Promise<any> {
  if (res.status !== expected) throw new Error(`${what}: ${res.status} ${JSON.stringify(res.body)}`);
  return res.body;
}

export interface SummaryCase extends CareCase {
  ppsId: string;
  oralId: string;
}

/**
 * The care case with its establishment hotline, a PPS built from the decision (surgery, then
 * capecitabine by mouth from 30 March 2026) and handed over with the patient's choice about the GP.
 */
export async function createSummaryCase(server: RunningServer, users: TestUsers, options: { shareWithGp?: boolean } = {}): Promise<SummaryCase> {
  const c = await createCareCase(server, users, 'QUAL');
  const chu = await ok(await as(server, 'system', 'GET', `/Organization/${c.chuId}`), 200, 'CHU');
  await ok(await as(server, 'system', 'PUT', `/Organization/${c.chuId}`, {
    ...chu,
    contact: [{ purpose: { text: 'Urgences et complications en oncologie (24 h/24)' }, telecom: [{ system: 'phone', value: HOTLINE }] }],
  }), 200, 'hotline');
  const pps = await ok(await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c)), 201, 'PPS');
  await ok(await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10', shareWithGp: options.shareWithGp ?? true }), 200, 'hand-over');
  const oralId = (pps.activity as any[]).find((a) => a.reference).reference.reference.split('/')[1];
  return { ...c, ppsId: pps.id, oralId };
}

/** The PPAC at the end of treatment: every 3 months for 5 years from 31 March 2026, the hospital first. */
export async function startSummaryPpac(server: RunningServer, c: SummaryCase): Promise<any> {
  return ok(await as(server, 'gp', 'POST', `/CarePlan/${c.ppsId}/$start-ppac`, {
    endOfTreatment: '2026-03-31',
    surveillance: { intervalMonths: 3, years: 5, first: 'hospital', exams: [{ display: 'Dosage de l’ACE' }, { display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 6 }] },
    lateEffects: [{ description: 'Neuropathie des mains et des pieds', action: 'en parler au médecin traitant' }],
    relapseSigns: [{ description: 'Sang dans les selles, amaigrissement inexpliqué', action: 'consulter sans attendre' }],
  }), 201, 'PPAC');
}

/** A complete RCP sheet for the case's patient, written and signed by the oncologist. */
/** The professionals and establishment of an RCP sheet for this case (the oncologist signs in as its author). */
export async function rcpSheetWorld(server: RunningServer, users: TestUsers, c: CareCase): Promise<World> {
  const mk = async (body: any) => (await ok(await as(server, 'system', 'POST', `/${body.resourceType}`, body), 201, body.resourceType)).id as string;
  const pro = async (key: string, id: string | undefined, name: string, speciality?: { code: string; display: string }) => {
    const idnps = newIdnps();
    const practitionerId = id ?? await mk({ resourceType: 'Practitioner', identifier: [{ system: IDNPS_SYSTEM, value: idnps }], name: [{ family: `${name}-${unique('')}` }] });
    return [key, { id: practitionerId, idnps, name, ...(speciality ? { speciality } : {}) }] as const;
  };
  const pros = Object.fromEntries([
    await pro('oncologist', c.practitioners.oncologist, 'Dr Sophie Lambert', { code: 'SM36', display: 'Oncologie, option médicale (SM)' }),
    await pro('surgeon', c.practitioners.surgeon, 'Dr Marc Aubert', { code: 'SM14', display: 'Chirurgie viscérale et digestive (SM)' }),
    await pro('radiotherapist', undefined, 'Dr Julien Rossi', { code: 'SM37', display: 'Oncologie, option radiothérapie (SM)' }),
    await pro('gastroenterologist', undefined, 'Dr Claire Fabre', { code: 'SM24', display: 'Gastro-entérologie et Hépatologie (SM)' }),
    await pro('gp', c.practitioners.gp, 'Dr Laurent Chabert', { code: 'SM54', display: 'Médecine générale (SM)' }),
    await pro('coordinator', c.practitioners.coordinator, 'Dr Nathalie Girard', { code: 'SM49', display: 'Santé publique et Médecine sociale (SM)' }),
  ]);
  const finess8 = `13${String(Math.floor(Math.random() * 1e6)).padStart(6, '0')}`;
  const world = { pros, finess: finess8 + finessCheckDigit(finess8), organizationId: c.chuId } as unknown as World;
  users.oncologist = { ...users.oncologist!, idnps: pros.oncologist!.idnps, displayName: 'Dr Sophie Lambert' };
  return world;
}

export async function signedRcpSheet(server: RunningServer, users: TestUsers, c: CareCase, world?: World): Promise<any> {
  world ??= await rcpSheetWorld(server, users, c);
  const sheet = await ok(await as(server, 'oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world, c.patientId)), 201, 'RCP sheet');
  return ok(await as(server, 'oncologist', 'POST', `/Composition/${sheet.id}/$sign`), 200, 'signature');
}

/** A professional outside the patient's circle of care. */
export async function outsider(server: RunningServer, users: TestUsers, key: string, roles: string[]): Promise<string> {
  const res = await as(server, 'system', 'POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: `Vidal-${unique('')}`, given: ['Paul'] }] });
  users[key] = professional('Paul Vidal', roles, { practitionerId: res.body.id });
  return res.body.id;
}
