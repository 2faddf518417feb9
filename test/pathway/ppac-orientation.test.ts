import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from '../care-plan/fixtures.ts';
import { testUsers } from '../helpers/users.ts';

const DCC = 'https://dcc-paca.example/fhir';
const LABEL = `${DCC}/StructureDefinition/dcc-post-cancer-label`;
const label = (year: number, withdrawn?: string) => ({ url: LABEL, extension: [{ url: 'year', valueInteger: year }, { url: 'territory', valueString: 'Bouches-du-Rhône' }, ...(withdrawn ? [{ url: 'withdrawn', valueDate: withdrawn }] : [])] });
const surveillance = { intervalMonths: 6, years: 5, first: 'hospital' };

/**
 * Orienting the patient at the start of the PPAC (parcours de soins global après cancer, décret
 * 2020-1665): only to a labelled structure that exists and is not a pharmacy; a PPAC started while
 * cycles of the oral treatment remain is accepted with a warning.
 */
describe('After-cancer pathway: PPAC orientation to a labelled structure, oral cycles still planned', () => {
  let server: RunningServer;
  const users = testUsers();

  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  async function create(body: any): Promise<string> {
    const res = await as(server, 'system', 'POST', `/${body.resourceType}`, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body.id;
  }

  async function handedOverPps(): Promise<{ id: string; c: Awaited<ReturnType<typeof createCareCase>> }> {
    const c = await createCareCase(server, users);
    const pps = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(pps.status, JSON.stringify(pps.body)).to.equal(201);
    const handOver = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(handOver.status, JSON.stringify(handOver.body)).to.equal(200);
    return { id: pps.body.id, c };
  }

  it('refuses a missing structure, a pharmacy, an unlabelled structure and a withdrawn label — 422 naming the field and the reason; nothing is written', async () => {
    const { id: ppsId } = await handedOverPps();
    const pharmacy = await create({
      resourceType: 'Organization', name: 'Pharmacie des Calanques', active: true,
      type: [{ coding: [{ system: `${DCC}/CodeSystem/organization-type`, code: 'OFF', display: "Pharmacie d'officine" }] }],
    });
    const pharmacyService = await create({ resourceType: 'HealthcareService', active: true, name: 'Entretiens pharmaceutiques', providedBy: { reference: `Organization/${pharmacy}` }, extension: [label(2021)] });
    const unlabelled = await create({ resourceType: 'HealthcareService', active: true, name: 'Cabinet de diététique du Prado' });
    const withdrawn = await create({ resourceType: 'HealthcareService', active: true, name: 'Association santé du Luberon', extension: [label(2021, '2025-06-30')] });
    const deleted = await create({ resourceType: 'HealthcareService', active: true, name: 'Structure fermée', extension: [label(2022)] });
    expect((await as(server, 'system', 'DELETE', `/HealthcareService/${deleted}`)).status).to.be.oneOf([200, 204]);

    const cases: [string, string][] = [
      ['Organization/00000000-0000-4000-8000-000000000000', "n'existe pas dans l'annuaire"],
      [`HealthcareService/${deleted}`, "n'existe pas dans l'annuaire"],
      [`Organization/${pharmacy}`, "pharmacie d'officine"],
      [`HealthcareService/${pharmacyService}`, "pharmacie d'officine"],
      [`HealthcareService/${unlabelled}`, "n'est pas une structure labellisée"],
      [`HealthcareService/${withdrawn}`, 'label retiré le 30 juin 2025'],
    ];
    for (const [reference, expected] of cases) {
      const res = await as(server, 'gp', 'POST', `/CarePlan/${ppsId}/$start-ppac`, { endOfTreatment: '2026-09-30', surveillance, needsEvaluation: { structure: { reference } } });
      expect(res.status, `${reference}: ${JSON.stringify(res.body)}`).to.equal(422);
      expect(res.body.issue[0].details.text, reference).to.contain(expected);
      expect(res.body.issue[0].expression).to.deep.equal(['needsEvaluation.structure']);
    }
    // Nothing half-written: the PPS is still open, no PPAC replaces it.
    expect((await as(server, 'gp', 'GET', `/CarePlan/${ppsId}`)).body.status).to.equal('active');
    expect((await as(server, 'gp', 'GET', `/CarePlan?replaces=CarePlan/${ppsId}`)).body.total).to.equal(0);
  });

  it('accepts an Organization that provides a labelled service, printed as the welcoming structure; no warning once the oral cycles are over', async () => {
    const { id: ppsId } = await handedOverPps();
    const org = await create({ resourceType: 'Organization', name: 'Espace de soins de support du Vieux-Port', active: true, telecom: [{ system: 'phone', value: '04 65 71 70 01' }] });
    await create({ resourceType: 'HealthcareService', active: true, name: 'Espace de soins de support du Vieux-Port — parcours global', providedBy: { reference: `Organization/${org}` }, extension: [label(2021)] });
    const res = await as(server, 'gp', 'POST', `/CarePlan/${ppsId}/$start-ppac`, { endOfTreatment: '2026-09-30', surveillance, needsEvaluation: { structure: { reference: `Organization/${org}` } } });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.get('warning')).to.equal(null);
    const html = await as(server, 'gp', 'GET', `/CarePlan/${res.body.id}/$render?format=html`);
    expect(html.text).to.contain('Espace de soins de support du Vieux-Port');
    expect(html.text).not.to.contain('Structure qui vous accueille : —');
  });

  it('warns, without blocking, when cycles of the oral treatment remain after the declared end of active treatment', async () => {
    const { id: ppsId } = await handedOverPps();
    const service = await create({ resourceType: 'HealthcareService', active: true, name: 'Maison de l’après-cancer de la Côte d’Azur', extension: [label(2021)] });
    // Capecitabine: 8 cycles of 21 days from 30 March 2026; cycles 3 to 8 (the last one ends on 6 September) end after 15 May.
    const res = await as(server, 'gp', 'POST', `/CarePlan/${ppsId}/$start-ppac`, { endOfTreatment: '2026-05-15', surveillance, needsEvaluation: { structure: { reference: `HealthcareService/${service}` } } }, { prefer: 'return=OperationOutcome' });
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.body.resourceType).to.equal('OperationOutcome');
    const warning = res.body.issue.find((i: any) => i.severity === 'warning');
    expect(warning.details.text).to.contain('6 cycles restent prévus de Capécitabine 500 mg, comprimé');
    expect(warning.details.text).to.contain('15 mai 2026');
    expect(warning.details.text).to.contain('6 septembre 2026');
    expect(res.headers.get('warning')).to.match(/^199 dcc "Traitement oral en cours : 6 cycles restent prevus de Capecitabine/);
    expect(res.headers.get('location')).to.match(/\/CarePlan\/[^/]+\/_history\/1$/);
  });
});
