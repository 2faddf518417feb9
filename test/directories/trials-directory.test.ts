import { expect } from 'chai';
import { DEMO_TRIALS } from '../../server/directories/trial-data.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { call, startDirectoriesServer } from './fixtures.ts';

const NCT = 'https://clinicaltrials.gov';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const PHASE = 'http://terminology.hl7.org/CodeSystem/research-study-phase';

function newTrial(registry: string, title: string): any {
  return {
    resourceType: 'ResearchStudy',
    identifier: [{ system: NCT, value: registry }],
    title,
    status: 'active',
    phase: { coding: [{ system: PHASE, code: 'phase-2' }] },
    condition: [{ coding: [{ system: ICD10, code: 'C16', display: "Tumeur maligne de l'estomac" }] }],
    contact: [{ name: 'Attachée de recherche clinique', telecom: [{ system: 'phone', value: '04 65 71 74 99' }] }],
    sponsor: { display: 'Promoteur fictif de test' },
  };
}

/** The regional directory of open clinical trials: search, maintenance by the 3C, import / export. */
describe('Directories: open clinical trials of the region', () => {
  let server: RunningServer;
  before(async function () {
    this.timeout(180_000); // migrations and the regional directory, on a shared machine
    server = await startDirectoriesServer();
  });
  after(() => server.close());

  it('searches by cancer site (CIM-10 category covers the case code), phase, town of a site and status', async () => {
    const colon = await call(server, 'physician', 'GET', '/api/directories/trials?cancerSite=C18.7&status=recruiting');
    expect(colon.status, colon.text).to.equal(200);
    const expected = DEMO_TRIALS.filter((t) => t.sites.includes('C18') && (t.status ?? 'active') === 'active').map((t) => t.registry).sort();
    // Other test files of the run add trials of their own to the shared regional directory: the demo ones are counted.
    const demo = new Set(DEMO_TRIALS.map((t) => t.registry));
    const demoOnes = (trials: any[]) => trials.map((t: any) => t.registryNumber as string).filter((r) => demo.has(r)).sort();
    expect(demoOnes(colon.body.trials)).to.deep.equal(expected);
    expect(colon.body.trials.every((t: any) => t.status === 'recruiting')).to.equal(true);
    expect(expected).to.include.members(['NCT09900102', '2025-590001-12-00']);
    const adjuvant = colon.body.trials.find((t: any) => t.registryNumber === 'NCT09900102');
    expect(adjuvant).to.deep.include({ status: 'recruiting', phase: { code: 'phase-3', label: 'Phase III' } });
    expect(adjuvant.contact.phone).to.equal('04 65 71 74 02');
    expect(adjuvant.sites.map((s: any) => s.city)).to.include.members(['Marseille', 'Toulon', 'Gap']);
    expect(adjuvant.inclusionCriteria).to.contain('opéré R0');

    const phase2 = await call(server, 'gp', 'GET', '/api/directories/trials?phase=phase-2');
    expect(phase2.body.trials.map((t: any) => t.registryNumber).sort()).to.deep.equal(DEMO_TRIALS.filter((t) => t.phase === 'phase-2').map((t) => t.registry).sort());

    const nice = await call(server, 'nurse', 'GET', '/api/directories/trials?town=nice');
    expect(nice.body.total).to.equal(DEMO_TRIALS.filter((t) => t.at.includes('AUT-06-001')).length);

    const closed = await call(server, 'coordinator', 'GET', '/api/directories/trials?status=closed');
    expect(demoOnes(closed.body.trials)).to.deep.equal(['NCT09900112']);
    expect(closed.body.trials.every((t: any) => t.status !== 'recruiting')).to.equal(true);

    const bad = await call(server, 'coordinator', 'GET', '/api/directories/trials?cancerSite=colon');
    expect(bad.status).to.equal(400);
    expect(bad.body.issue[0].expression).to.deep.equal(['cancerSite']);
    // Said in the search form's words, not the query parameter's (the page shows it).
    expect(bad.body.issue[0].details.text).to.match(/^Localisation \(CIM-10\) : /).and.to.contain('par ex. C50').and.not.to.contain('cancerSite');
    expect((await call(server, undefined, 'GET', '/api/directories/trials')).status).to.equal(401);
  });

  it('the 3C adds, updates and closes a trial — one entry per registry number; physicians, GPs and nurses may not', async () => {
    const trial = newTrial('NCT09900190', 'GASTRO-PERIOP : chimiothérapie périopératoire du cancer gastrique');
    for (const user of ['physician', 'gp', 'nurse']) {
      const refused = await call(server, user, 'POST', '/api/directories/trials', trial);
      expect(refused.status, user).to.equal(403);
      expect(refused.body.issue[0].details.text).to.contain("l'annuaire des essais est tenu par le 3C");
    }
    const created = await call(server, 'coordinator', 'POST', '/api/directories/trials', trial);
    expect(created.status, created.text).to.equal(201);
    expect(created.body.category[0].coding[0].code).to.equal('open-trial');
    expect(created.body.keyword[0].coding[0]).to.deep.equal({ system: ICD10, code: 'C16' });

    const again = await call(server, 'coordinator', 'POST', '/api/directories/trials', trial);
    expect(again.status).to.equal(409);
    expect(again.body.issue[0].details.text).to.contain(`ResearchStudy/${created.body.id}`);

    const noRegistry = await call(server, 'coordinator', 'POST', '/api/directories/trials', { ...trial, identifier: undefined });
    expect(noRegistry.status).to.equal(400);
    expect(noRegistry.body.issue[0].expression).to.deep.equal(['ResearchStudy.identifier']);

    const updated = await call(server, 'coordinator', 'PUT', `/api/directories/trials/${created.body.id}`, { ...created.body, title: 'GASTRO-PERIOP (amendement 2)' }, { 'if-match': `W/"${created.body.meta.versionId}"` });
    expect(updated.status, updated.text).to.equal(200);
    expect(updated.body.meta.versionId).to.equal('2');
    const stale = await call(server, 'coordinator', 'PUT', `/api/directories/trials/${created.body.id}`, { ...created.body, title: 'x' }, { 'if-match': `W/"${created.body.meta.versionId}"` });
    expect(stale.status).to.equal(412);

    const found = await call(server, 'physician', 'GET', '/api/directories/trials?cancerSite=C16.2&status=recruiting');
    expect(found.body.trials.map((t: any) => t.title)).to.deep.equal(['GASTRO-PERIOP (amendement 2)']);

    const closed = await call(server, 'coordinator', 'POST', `/api/directories/trials/${created.body.id}/$close`, { date: '2026-11-30' });
    expect(closed.status, closed.text).to.equal(200);
    expect(closed.body).to.deep.include({ status: 'closed-to-accrual' });
    expect(closed.body.period.end).to.equal('2026-11-30');
    expect((await call(server, 'physician', 'GET', '/api/directories/trials?cancerSite=C16&status=recruiting')).body.total).to.equal(0);
    expect((await call(server, 'coordinator', 'POST', `/api/directories/trials/${created.body.id}/$close`, {})).status).to.equal(409);
    expect((await call(server, 'physician', 'POST', `/api/directories/trials/${created.body.id}/$close`, {})).status).to.equal(403);
  });

  it('exports a search as a FHIR Bundle with the sites, and imports it back: known registry numbers updated in place, new ones created', async () => {
    const exported = await call(server, 'coordinator', 'GET', '/api/directories/trials/$export?cancerSite=C61');
    expect(exported.status, exported.text).to.equal(200);
    expect(exported.headers.get('content-type')).to.match(/^application\/fhir\+json/);
    const bundle = exported.body;
    expect(bundle).to.include({ resourceType: 'Bundle', type: 'collection', total: 1 });
    const study = bundle.entry.find((e: any) => e.resource.resourceType === 'ResearchStudy').resource;
    expect(study.identifier[0].value).to.equal('NCT09900105');
    expect(bundle.entry.filter((e: any) => e.resource.resourceType === 'Location')).to.have.length(study.site.length);

    study.title = `${study.title} (mise à jour du promoteur)`;
    bundle.entry.push(
      { fullUrl: 'urn:uuid:6f1a1c52-9a0e-4c1e-9d53-1f4a7e0b0a01', resource: { resourceType: 'Location', name: 'Centre de radiothérapie de Fréjus', address: { city: 'Fréjus', postalCode: '83600' } } },
      { fullUrl: 'urn:uuid:6f1a1c52-9a0e-4c1e-9d53-1f4a7e0b0a02', resource: { ...newTrial('NCT09900191', 'PROSTA-SBRT : radiothérapie stéréotaxique de rattrapage'), condition: [{ coding: [{ system: ICD10, code: 'C61' }] }], site: [{ reference: 'urn:uuid:6f1a1c52-9a0e-4c1e-9d53-1f4a7e0b0a01' }] } },
    );
    expect((await call(server, 'physician', 'POST', '/api/directories/trials/$import', bundle)).status).to.equal(403);
    const imported = await call(server, 'admin', 'POST', '/api/directories/trials/$import', bundle);
    expect(imported.status, imported.text).to.equal(200);
    expect(imported.body.updated).to.deep.equal([`ResearchStudy/${study.id}`]);
    expect(imported.body.created).to.have.length(1);

    const prostate = await call(server, 'gp', 'GET', '/api/directories/trials?cancerSite=C61&town=Fréjus');
    expect(prostate.body.trials.map((t: any) => t.registryNumber)).to.deep.equal(['NCT09900191']);
    const all = await call(server, 'gp', 'GET', '/api/directories/trials?registryNumber=NCT09900105');
    expect(all.body.trials).to.have.length(1);
    expect(all.body.trials[0].title).to.contain('(mise à jour du promoteur)');

    const broken = await call(server, 'admin', 'POST', '/api/directories/trials/$import', { resourceType: 'Bundle', type: 'collection', entry: [{ resource: { ...newTrial('NCT09900192', 'Sans phase'), phase: undefined } }] });
    expect(broken.status).to.equal(400);
    expect(broken.body.issue[0].details.text).to.contain('Essai n° 1 du Bundle');
  });

  it('proposes the recruiting trials that target the patient’s active cancers — only to a professional who may read the diagnosis', async () => {
    const patient = await call(server, 'system', 'POST', '/fhir/Patient', { resourceType: 'Patient', name: [{ family: 'Giordano', given: ['Lucia'] }], gender: 'female', birthDate: '1962-05-04' });
    expect(patient.status, patient.text).to.equal(201);
    const condition = await call(server, 'system', 'POST', '/fhir/Condition', {
      resourceType: 'Condition', subject: { reference: `Patient/${patient.body.id}` },
      clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
      code: { coding: [{ system: ICD10, code: 'C50.4', display: 'Tumeur maligne du quadrant supéro-externe du sein' }] },
    });
    expect(condition.status, condition.text).to.equal(201);
    const found = await call(server, 'system', 'GET', `/api/directories/trials/for-patient/${patient.body.id}`);
    expect(found.status, found.text).to.equal(200);
    expect(found.body.cancerSites).to.deep.equal(['C50.4']);
    expect(found.body.trials.map((t: any) => t.registryNumber).sort()).to.deep.equal(
      DEMO_TRIALS.filter((t) => t.sites.includes('C50') && (t.status ?? 'active') === 'active').map((t) => t.registry).sort());
    const outsider = await call(server, 'physician', 'GET', `/api/directories/trials/for-patient/${patient.body.id}`);
    expect(outsider.status).to.be.oneOf([403, 404]);
    expect(outsider.text).not.to.contain('C50');
  });
});
