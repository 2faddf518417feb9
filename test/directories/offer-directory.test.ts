import { expect } from 'chai';
import { DEMO_OFFER } from '../../server/directories/offer-data.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { call, startDirectoriesServer } from './fixtures.ts';

/** The regional offer of care, signed in and public; the public directories never reach patient data. */
describe('Directories: regional offer of care, and the public read-only directories', () => {
  let server: RunningServer;
  before(async function () {
    this.timeout(180_000); // migrations and the regional directory, on a shared machine
    server = await startDirectoriesServer();
  });
  after(() => server.close());

  it('searches by kind, offer, town and distance to the patient’s postcode; the after-cancer label with its year, territory and withdrawal', async () => {
    const near = await call(server, 'gp', 'GET', '/api/directories/offer?kind=supportive-care&near=13001&withinKm=10&labelled=true');
    expect(near.status, near.text).to.equal(200);
    const entries = near.body.entries;
    expect(entries[0]).to.deep.include({ name: 'Espace de soins de support du Vieux-Port', city: 'Marseille', postalCode: '13001', distanceKm: 0, phone: '04 65 71 70 01' });
    expect(entries[0].label).to.deep.equal({ year: 2021, territory: 'Bouches-du-Rhône', valid: true });
    expect(entries.map((e: any) => e.distanceKm)).to.deep.equal([...entries.map((e: any) => e.distanceKm)].sort((a: number, b: number) => a - b));
    expect(entries.every((e: any) => e.distanceKm <= 10 && e.city === 'Marseille')).to.equal(true);
    expect(entries.map((e: any) => e.name)).to.include('Maison des soins de support de la Timone');
    expect(entries.map((e: any) => e.name)).not.to.include('Pôle santé du Garlaban'); // Aubagne, about 17 km

    // All labelled structures of the region, but the withdrawn label only without `labelled=true`.
    const labelled = await call(server, 'physician', 'GET', '/api/directories/offer?kind=supportive-care&labelled=true');
    const withdrawn = DEMO_OFFER.filter((o) => o.label?.withdrawn);
    expect(labelled.body.total).to.equal(DEMO_OFFER.filter((o) => o.kind === 'supportive-care' && o.label && !o.label.withdrawn).length);
    expect(labelled.body.total).to.be.at.least(25);
    const everything = await call(server, 'physician', 'GET', '/api/directories/offer?kind=supportive-care');
    const luberon = everything.body.entries.find((e: any) => e.name === withdrawn[0]!.name);
    expect(luberon.label).to.deep.include({ withdrawn: '2025-06-30', valid: false });

    // Other suites of the run (the offer import) add entries to the same directory: the demo's are all
    // found, and whatever else is found matches the criteria.
    const radiotherapy = await call(server, 'nurse', 'GET', '/api/directories/offer?offer=radiotherapy');
    expect(radiotherapy.body.entries.map((e: any) => e.name)).to.include.members(DEMO_OFFER.filter((o) => o.types.includes('radiotherapy')).map((o) => o.name));
    expect(radiotherapy.body.entries.every((e: any) => e.kind === 'authorised-treatment' && /^\d{9}$/.test(e.finess))).to.equal(true);

    const geriatrics = await call(server, 'gp', 'GET', '/api/directories/offer?kind=specific-consultation&offer=oncogeriatrics');
    expect(geriatrics.body.entries.map((e: any) => e.city).sort()).to.deep.equal(['Marseille', 'Toulon']);

    const avignon = await call(server, 'gp', 'GET', '/api/directories/offer?town=avignon');
    expect(avignon.body.entries.map((e: any) => e.name)).to.include.members(DEMO_OFFER.filter((o) => o.postalCode === '84000').map((o) => o.name));
    expect(avignon.body.entries.every((e: any) => e.city === 'Avignon')).to.equal(true);
    expect(avignon.body.entries.map((e: any) => e.kind)).to.include.members(['authorised-treatment', 'supportive-care', 'patient-association']);

    for (const [query, field] of [['kind=pharmacy', 'kind'], ['near=75001', 'near'], ['near=13001&withinKm=abc', 'withinKm'], ['withinKm=5', 'withinKm'], ['offer=massage', 'offer']]) {
      const bad = await call(server, 'gp', 'GET', `/api/directories/offer?${query}`);
      expect(bad.status, query).to.equal(400);
      expect(bad.body.issue[0].expression, query).to.deep.equal([field]);
    }
    // Said in the search form's words, not the query parameter's (the page shows it).
    const corsican = await call(server, 'gp', 'GET', '/api/directories/offer?near=2A004');
    expect(corsican.body.issue[0].details.text).to.match(/^Code postal du patient : /).and.not.to.contain('near=');
  });

  it('public: read without sign-in, no write, no patient data reachable', async () => {
    const offer = await call(server, undefined, 'GET', '/public/directories/offer?kind=supportive-care&near=06000&withinKm=20&labelled=true');
    expect(offer.status, offer.text).to.equal(200);
    expect(offer.headers.get('cache-control')).to.contain('public');
    expect(offer.body.entries.map((e: any) => e.city)).to.include.members(['Nice', 'Antibes']);
    const trials = await call(server, undefined, 'GET', '/public/directories/trials?cancerSite=C50&status=recruiting');
    expect(trials.status, trials.text).to.equal(200);
    expect(trials.body.trials.map((t: any) => t.registryNumber)).to.include('NCT09900101');

    // A patient and a service with no directory kind (an RCP board, say) exist; neither is reachable.
    const before = await call(server, undefined, 'GET', '/public/directories/offer');
    expect(before.body.total).to.be.at.least(DEMO_OFFER.length);
    await call(server, 'system', 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Publicova', given: ['Anna'] }], gender: 'female', birthDate: '1970-01-01' });
    await call(server, 'system', 'POST', '/fhir/HealthcareService', { resourceType: 'HealthcareService', active: true, name: 'RCP digestive — Publicova' });
    const whole = await call(server, undefined, 'GET', '/public/directories/offer');
    expect(whole.body.total).to.equal(before.body.total);
    expect(whole.text).not.to.contain('Publicova');
    expect(whole.text).not.to.contain('Patient');

    expect((await call(server, undefined, 'POST', '/public/directories/trials', { resourceType: 'ResearchStudy' })).status).to.equal(403);
    expect((await call(server, undefined, 'GET', '/public/directories/patients')).status).to.equal(404);
    expect((await call(server, undefined, 'GET', '/public/directories/trials/$export')).status).to.equal(404);
    expect((await call(server, undefined, 'GET', '/api/directories/offer')).status).to.equal(401);
    expect((await call(server, undefined, 'GET', '/fhir/Patient')).status).to.equal(401);
  });

  it('the network staff creates an entry through the FHIR API, exports the offer as a Bundle and closes an entry; others may not', async () => {
    const org = await call(server, 'admin', 'POST', '/fhir/Organization', { resourceType: 'Organization', name: 'Maison sport-santé de Sisteron', active: true });
    expect(org.status, org.text).to.equal(201);
    expect((await call(server, 'physician', 'POST', '/fhir/Organization', { resourceType: 'Organization', name: 'Refusée' })).status).to.equal(403);
    const service = await call(server, 'admin', 'POST', '/fhir/HealthcareService', {
      resourceType: 'HealthcareService', active: true, name: 'Maison sport-santé de Sisteron', providedBy: { reference: `Organization/${org.body.id}` },
      category: [{ coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/dcc-directory-kind', code: 'supportive-care' }] }],
      type: [{ coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/dcc-offer-type', code: 'physical-activity' }] }],
      telecom: [{ system: 'phone', value: '04 65 71 70 99' }],
    });
    expect(service.status, service.text).to.equal(201);
    const found = await call(server, 'gp', 'GET', '/api/directories/offer?offer=physical-activity');
    expect(found.body.entries.map((e: any) => e.name)).to.include('Maison sport-santé de Sisteron');

    const exported = await call(server, 'gp', 'GET', '/api/directories/offer/$export?kind=patient-association');
    expect(exported.status, exported.text).to.equal(200);
    const associations = await call(server, 'gp', 'GET', '/api/directories/offer?kind=patient-association');
    expect(associations.body.total).to.be.at.least(DEMO_OFFER.filter((o) => o.kind === 'patient-association').length);
    expect(exported.body).to.include({ resourceType: 'Bundle', type: 'collection', total: associations.body.total });
    const types = exported.body.entry.map((e: any) => e.resource.resourceType);
    expect(types.filter((t: string) => t === 'Organization')).to.have.length(exported.body.total);
    expect(types.filter((t: string) => t === 'Location')).to.have.length(exported.body.total);

    expect((await call(server, 'coordinator', 'POST', `/api/directories/offer/${service.body.id}/$close`)).status).to.equal(403);
    const closed = await call(server, 'admin', 'POST', `/api/directories/offer/${service.body.id}/$close`);
    expect(closed.status, closed.text).to.equal(200);
    expect(closed.body.active).to.equal(false);
    expect((await call(server, 'gp', 'GET', '/api/directories/offer?offer=physical-activity')).body.entries.map((e: any) => e.name)).not.to.include('Maison sport-santé de Sisteron');
    expect((await call(server, 'admin', 'POST', `/api/directories/offer/${service.body.id}/$close`)).status).to.equal(409);
  });
});
