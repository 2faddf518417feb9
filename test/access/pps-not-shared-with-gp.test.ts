import { expect } from 'chai';
import { api, as, newCase, startCityServer, type CityCase, type CityWorld } from '../city/fixtures.ts';
import { ppsInput } from '../care-plan/fixtures.ts';
import { asUser } from '../helpers/users.ts';

const kinds = (body: any) => (body.items ?? []).map((i: any) => i.kind.code);
const ids = (bundle: any) => (bundle?.entry ?? []).filter((e: any) => e.resource).map((e: any) => `${e.resource.resourceType}/${e.resource.id}`);

/**
 * The oral treatments a PPS lists (activity.reference → MedicationRequest) are part of that PPS:
 * when the patient refused that the PPS be sent to the GP, the GP reaches them by no path — the
 * "what changed" feed, the summary, FHIR read, vread, history, search, _include / _revinclude,
 * batch — while the nurse and the pharmacist, who follow the treatment, keep them.
 */
describe('Access: the oral treatments of a PPS the patient refused to send to the GP', () => {
  let world: CityWorld;
  before(async () => {
    world = await startCityServer();
  });
  after(() => world.close());

  /** A case whose PPS (capecitabine by mouth) was handed over with the patient's choice about the GP. */
  async function caseWithPps(shareWithGp: boolean): Promise<CityCase & { ppsId: string; oralId: string }> {
    const c = await newCase(world);
    const built = await as(world.server, c.user('oncologist'), 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status, built.text).to.equal(201);
    const handed = await as(world.server, c.user('oncologist'), 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp });
    expect(handed.status, handed.text).to.equal(200);
    const oralId = handed.body.activity.find((a: any) => a.reference?.reference?.startsWith('MedicationRequest/')).reference.reference.split('/')[1];
    // A second version of the treatment (suspended), so history and vread have something to show.
    const current = (await as(world.server, 'system', 'GET', `/MedicationRequest/${oralId}`)).body;
    const suspended = await as(world.server, c.user('oncologist'), 'PUT', `/MedicationRequest/${oralId}`, { ...current, status: 'on-hold', statusReason: { text: 'Syndrome main-pied de grade 3' } });
    expect(suspended.status, suspended.text).to.equal(200);
    return { ...c, ppsId: built.body.id, oralId };
  }

  it('"what changed" (all patients and the patient\'s page) and "my patients" badge: no oral treatment for the GP; the pharmacist and the nurse keep it', async () => {
    const c = await caseWithPps(false);
    const gp = await api(world, c.user('gp'), 'GET', '/changes');
    expect(gp.status, JSON.stringify(gp.body)).to.equal(200);
    expect(kinds(gp.body).filter((k: string) => k.startsWith('oral-treatment'))).to.deep.equal([]);
    expect(JSON.stringify(gp.body)).not.to.contain(c.oralId).and.not.to.contain('Capécitabine');
    const page = await api(world, c.user('gp'), 'GET', `/changes?patient=${c.patientId}`);
    expect(page.status, JSON.stringify(page.body)).to.equal(200);
    expect(JSON.stringify(page.body)).not.to.contain(c.oralId).and.not.to.contain('Capécitabine');
    const item = (await api(world, c.user('gp'), 'GET', '/patients')).body.items[0];
    expect(item.changesSinceLastView).to.equal(0);

    expect(kinds((await api(world, c.user('pharmacist'), 'GET', '/changes')).body)).to.deep.equal(['oral-treatment-suspended', 'oral-treatment-prescribed']);
    // The nurse reads the programme handed over to the patient, whatever the patient chose about the GP.
    expect(kinds((await api(world, c.user('nurse'), 'GET', '/changes')).body)).to.include.members(['oral-treatment-suspended', 'oral-treatment-prescribed', 'pps-handed-over']);
  });

  it('FHIR: read, vread, instance / type / system history, searches, POST _search, _include and _revinclude, $everything, $timeline, batch — nothing of the treatment for the GP', async () => {
    const c = await caseWithPps(false);
    const gp = (method: string, path: string, body?: unknown) => as(world.server, c.user('gp'), method, path, body);
    const mr = `MedicationRequest/${c.oralId}`;

    expect((await gp('GET', `/${mr}`)).status).to.equal(404);
    expect((await gp('GET', `/${mr}/_history/1`)).status).to.equal(404);
    expect((await gp('GET', `/${mr}/_history/2`)).status).to.equal(404);
    const instanceHistory = await gp('GET', `/${mr}/_history`);
    expect([200, 404]).to.include(instanceHistory.status);
    expect(ids(instanceHistory.body)).to.deep.equal([]);
    for (const path of [
      `/MedicationRequest?patient=Patient/${c.patientId}`,
      `/MedicationRequest?subject=Patient/${c.patientId}`,
      `/MedicationRequest?_id=${c.oralId}`,
      `/MedicationRequest?category=oral-anticancer&_count=1000`,
      `/MedicationRequest?patient=Patient/${c.patientId}&_summary=count`,
      `/Patient?_id=${c.patientId}&_revinclude=MedicationRequest:subject`,
      `/Patient?_id=${c.patientId}&_revinclude=MedicationRequest:patient`,
      `/CarePlan?subject=Patient/${c.patientId}&_include=CarePlan:activity-reference`,
      `/CarePlan?subject=Patient/${c.patientId}&_revinclude=CarePlan:activity-reference`,
      `/MedicationRequest/_history?_count=1000`,
      `/_history?_count=1000`,
      `/Patient/${c.patientId}/$everything`,
      `/Patient/${c.patientId}/$timeline`,
    ]) {
      const res = await gp('GET', path);
      expect(res.status, `${path}: ${res.text}`).to.equal(200);
      expect(ids(res.body), path).not.to.include(mr);
      if (!path.includes(c.oralId)) expect(res.text, path).not.to.contain(c.oralId); // else the self link names it
      if (path.includes('_summary=count')) expect(res.body.total, path).to.equal(0);
    }
    const posted = await fetch(`${world.server.fhirUrl}/MedicationRequest/_search`, {
      method: 'POST', headers: asUser(c.user('gp'), { 'content-type': 'application/x-www-form-urlencoded', accept: 'application/fhir+json' }),
      body: `patient=Patient/${c.patientId}`,
    });
    expect(posted.status).to.equal(200);
    expect(await posted.text()).not.to.contain(c.oralId);
    const batch = await gp('POST', '', {
      resourceType: 'Bundle', type: 'batch',
      entry: [{ request: { method: 'GET', url: mr } }, { request: { method: 'GET', url: `${mr}/_history/1` } }, { request: { method: 'GET', url: `MedicationRequest?patient=Patient/${c.patientId}` } }],
    });
    expect(batch.status, batch.text).to.equal(200);
    expect(batch.text).not.to.contain('Capécitabine');
    expect(batch.body.entry.slice(0, 2).map((e: any) => e.response.status)).to.satisfy((s: string[]) => s.every((x) => x.startsWith('404')));

    // The PPS itself, its print and its CDA: refused as before.
    expect((await gp('GET', `/CarePlan/${c.ppsId}`)).status).to.equal(404);
    expect((await gp('GET', `/CarePlan/${c.ppsId}/$render?format=pdf`)).status).to.equal(404);
    expect((await gp('GET', `/CarePlan/${c.ppsId}/$cda`)).status).to.equal(404);
    // No other resource the GP reads carries the treatment (provenance, documents, the decision's proposal).
    for (const type of ['Provenance', 'Composition', 'DocumentReference', 'CarePlan', 'Binary', 'List', 'Task']) {
      const res = await gp('GET', `/${type}?patient=Patient/${c.patientId}&_count=1000`);
      if (res.status !== 200) continue; // a type without a patient search parameter
      expect(res.text, type).not.to.contain(c.oralId);
    }
    expect((await gp('GET', `/AuditEvent?patient=Patient/${c.patientId}`)).status).to.equal(403);
  });

  it('the GP summary says no PPS is accessible and names no oral treatment; the nurse\'s and the pharmacist\'s summaries list it', async () => {
    const c = await caseWithPps(false);
    const gp = await as(world.server, c.user('gp'), 'GET', `/Patient/${c.patientId}/$summary`);
    expect(gp.status, gp.text).to.equal(200);
    expect(gp.text).to.contain('ne vous est accessible');
    expect(gp.text).not.to.contain(c.oralId).and.not.to.contain('Capécitabine');
    for (const user of [c.user('nurse'), c.user('pharmacist')]) {
      const res = await as(world.server, user, 'GET', `/Patient/${c.patientId}/$summary`);
      expect(res.status, res.text).to.equal(200);
      expect(res.text, user).to.contain(`MedicationRequest/${c.oralId}`).and.contain('Capécitabine');
      expect((await as(world.server, user, 'GET', `/MedicationRequest/${c.oralId}/_history/1`)).status, user).to.equal(200);
    }
  });

  it('shared with the GP: the GP reads the treatment by every path (the rule hides only what the patient refused)', async () => {
    const c = await caseWithPps(true);
    const gp = (path: string) => as(world.server, c.user('gp'), 'GET', path);
    expect((await gp(`/MedicationRequest/${c.oralId}`)).status).to.equal(200);
    expect((await gp(`/MedicationRequest/${c.oralId}/_history/1`)).status).to.equal(200);
    expect(ids((await gp(`/MedicationRequest?patient=Patient/${c.patientId}`)).body)).to.deep.equal([`MedicationRequest/${c.oralId}`]);
    expect(ids((await gp(`/CarePlan?_id=${c.ppsId}&_include=CarePlan:activity-reference`)).body)).to.include(`MedicationRequest/${c.oralId}`);
    expect(kinds((await api(world, c.user('gp'), 'GET', '/changes')).body)).to.include.members(['oral-treatment-suspended', 'oral-treatment-prescribed']);
  });

  it('a refusal given at a later hand-over hides the treatment the GP could read before, with its past versions', async () => {
    const c = await caseWithPps(true);
    const gp = (path: string) => as(world.server, c.user('gp'), 'GET', path);
    expect((await gp(`/MedicationRequest/${c.oralId}`)).status).to.equal(200);
    const again = await as(world.server, c.user('oncologist'), 'POST', `/CarePlan/${c.ppsId}/$hand-over`, { date: '2026-02-12', shareWithGp: false, reason: "le patient ne souhaite plus l'envoi à son médecin traitant" });
    expect(again.status, again.text).to.equal(200);
    expect((await gp(`/MedicationRequest/${c.oralId}`)).status).to.equal(404);
    expect((await gp(`/MedicationRequest/${c.oralId}/_history/1`)).status).to.equal(404);
    expect(ids((await gp(`/MedicationRequest?patient=Patient/${c.patientId}`)).body)).to.deep.equal([]);
    expect(kinds((await api(world, c.user('gp'), 'GET', '/changes')).body).filter((k: string) => k.startsWith('oral-treatment'))).to.deep.equal([]);
  });
});
