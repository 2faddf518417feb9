import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { call, startDirectoriesServer } from './fixtures.ts';

const DCC = 'https://dcc-paca.example/fhir';
const KIND = `${DCC}/CodeSystem/dcc-directory-kind`;
const OFFER = `${DCC}/CodeSystem/dcc-offer-type`;
const ID = `${DCC}/sid/regional-directory`;

/** A small offer of care from another network, as a FHIR Bundle (urn:uuid references). */
function networkBundle(phone = '04 65 71 79 01'): any {
  return {
    resourceType: 'Bundle', type: 'collection',
    entry: [
      { fullUrl: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000001', resource: { resourceType: 'Organization', identifier: [{ system: ID, value: 'IMP-84-001' }], name: 'Association Vaucluse Après-Cancer (import)', telecom: [{ system: 'phone', value: phone }] } },
      { fullUrl: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000002', resource: {
        resourceType: 'Location', identifier: [{ system: ID, value: 'IMP-84-001-LOCATION' }], name: 'Association Vaucluse Après-Cancer (import)', status: 'active',
        address: { line: ['3 rue des Teinturiers'], postalCode: '84000', city: 'Avignon' }, position: { latitude: 43.9493, longitude: 4.8055 },
        managingOrganization: { reference: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000001' },
      } },
      { fullUrl: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000003', resource: {
        resourceType: 'HealthcareService', identifier: [{ system: ID, value: 'IMP-84-001-SERVICE' }], active: true, name: 'Association Vaucluse Après-Cancer (import)',
        category: [{ coding: [{ system: KIND, code: 'patient-association' }] }], type: [{ coding: [{ system: OFFER, code: 'peer-support' }] }],
        providedBy: { reference: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000001' }, location: [{ reference: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000002' }],
      } },
    ],
  };
}

describe('Directories: import and export of the offer of care as FHIR Bundles', () => {
  let server: RunningServer;
  before(async function () {
    this.timeout(180_000);
    server = await startDirectoriesServer();
  });
  after(() => server.close());

  it('imports a Bundle (searchable at once), twice without duplicating, and updates in place', async () => {
    const first = await call(server, 'admin', 'POST', '/api/directories/offer/$import', networkBundle());
    expect(first.status, first.text).to.equal(200);
    expect(first.body.created).to.have.length(3);
    const found = await call(server, 'gp', 'GET', '/api/directories/offer?kind=patient-association&town=Avignon');
    const imported = found.body.entries.filter((e: any) => e.name === 'Association Vaucluse Après-Cancer (import)');
    expect(imported).to.have.length(1);
    expect(imported[0]).to.deep.include({ city: 'Avignon', phone: '04 65 71 79 01' });
    const again = await call(server, 'admin', 'POST', '/api/directories/offer/$import', networkBundle());
    expect(again.status, again.text).to.equal(200);
    expect(again.body).to.deep.equal({ created: [], updated: [], unchanged: first.body.created });
    const changed = await call(server, 'admin', 'POST', '/api/directories/offer/$import', networkBundle('04 65 71 79 09'));
    expect(changed.body.created).to.deep.equal([]);
    expect(changed.body.updated).to.have.length(1);
    const after = (await call(server, 'gp', 'GET', '/api/directories/offer?kind=patient-association&town=Avignon')).body.entries.filter((e: any) => e.name === 'Association Vaucluse Après-Cancer (import)');
    expect(after).to.have.length(1);
    expect(after[0].phone).to.equal('04 65 71 79 09');
  });

  it('re-imports its own whole export unchanged (round trip: every demo FINESS passes the import check)', async () => {
    const exported = await call(server, 'admin', 'GET', '/api/directories/offer/$export');
    expect(exported.status).to.equal(200);
    const bundle = JSON.parse(exported.text);
    expect(bundle.entry.length).to.be.greaterThan(2);
    const res = await call(server, 'admin', 'POST', '/api/directories/offer/$import', bundle);
    expect(res.status, res.text).to.equal(200);
    expect(res.body.created).to.deep.equal([]);
    expect(res.body.updated).to.deep.equal([]);
    expect(res.body.unchanged.length).to.equal(bundle.entry.length);
  });

  it('refuses a faulty Bundle with French messages naming each entry, writing nothing; refuses other professions', async () => {
    const bad = networkBundle();
    bad.entry[0].resource.identifier = [{ system: ID, value: 'IMP-84-002' }, { system: 'urn:oid:1.2.250.1.71.4.2.2', value: '130999100' }];
    bad.entry[2].resource.identifier = [{ system: ID, value: 'IMP-84-002-SERVICE' }];
    bad.entry[2].resource.category = [{ coding: [{ system: KIND, code: 'pharmacie' }] }];
    bad.entry[2].resource.providedBy = { reference: 'Organization/inconnue' };
    bad.entry.push({ fullUrl: 'urn:uuid:0b6d1a52-4a38-4c3e-9a2f-000000000004', resource: { resourceType: 'Patient', name: [{ family: 'Intrus' }] } });
    const res = await call(server, 'admin', 'POST', '/api/directories/offer/$import', bad);
    expect(res.status).to.equal(400);
    const text = res.body.issue[0].details.text;
    expect(text).to.contain("rien n'a été enregistré");
    expect(text).to.contain('numéro FINESS 130999100 invalide');
    expect(text).to.contain('catégorie « pharmacie » inconnue');
    expect(text).to.contain('providedBy');
    expect(text).to.contain('Entrée n° 4 (Patient');
    expect((await call(server, 'admin', 'GET', '/fhir/Organization?identifier=' + encodeURIComponent(`${ID}|IMP-84-002`))).body.total ?? 0).to.equal(0);
    expect((await call(server, 'admin', 'POST', '/api/directories/offer/$import', { resourceType: 'Patient' })).status).to.equal(400);
    for (const user of ['coordinator', 'physician', 'gp']) expect((await call(server, user, 'POST', '/api/directories/offer/$import', networkBundle())).status, user).to.equal(403);
    expect((await call(server, undefined, 'POST', '/public/directories/offer/$import', networkBundle())).status).to.be.oneOf([401, 403]);
  });
});
