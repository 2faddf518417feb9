import { expect } from 'chai';
import type { Condition } from '@medplum/fhirtypes';
import { patientDiagnosis } from '../../server/care-plan/diagnosis.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

const ICD10 = 'http://hl7.org/fhir/sid/icd-10';
const MORPHOLOGY = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior';
const LATERALITY = 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-laterality-qualifier';
const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';

/** Text of the HTML rendering without tags and entities, to read it as the patient does. */
const plain = (html: string) => html.replace(/<style>[\s\S]*?<\/style>/, ' ').replace(/<[^>]+>/g, ' ').replace(/&#39;/g, "'").replace(/&amp;/g, '&').replace(/\s+/g, ' ');

/** The row of the contacts table whose role cell is `role`. */
function contactRow(html: string, role: string): string {
  const rows = [...html.matchAll(/<tr>(.*?)<\/tr>/g)].map((m) => m[1]!);
  const row = rows.find((r) => r.startsWith(`<td>${role}</td>`));
  expect(row, `contact row « ${role} »`).to.be.a('string');
  return plain(row!);
}

/**
 * Issue 11: the PPS and the PPAC are the patient's documents: the diagnosis in words the patient
 * understands (not the CIM-10 catalogue label), and contacts the patient can reach — a phone
 * number (or an honest "téléphone non renseigné") and an address, never an MSSanté address.
 */
describe('Care plan: what the patient reads on the printed PPS / PPAC (diagnosis, contacts)', () => {
  let server: RunningServer;
  const users = testUsers();

  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  it('the diagnosis: the physician’s wording, else histology and site in plain French with the side — never the raw CIM-10 label', () => {
    const coded = (code: string, display: string, extra: Partial<Condition> = {}): Condition => ({
      resourceType: 'Condition', subject: { reference: 'Patient/x' }, code: { coding: [{ system: ICD10, code, display }], text: display }, ...extra,
    });
    const morphology = (display: string) => [{ url: MORPHOLOGY, valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display }] } }];
    expect(patientDiagnosis(coded('C16.0', 'Tumeur maligne du cardia', { extension: morphology('Adénocarcinome, SAI') }))).to.equal('Adénocarcinome du cardia');
    expect(patientDiagnosis(coded('C16.0', 'Tumeur maligne du cardia'))).to.equal('Cancer du cardia');
    expect(patientDiagnosis(coded('C50.4', 'Tumeur maligne du quadrant supéro-externe du sein', {
      extension: morphology('Carcinome canalaire infiltrant, SAI'),
      bodySite: [{ extension: [{ url: LATERALITY, valueCodeableConcept: { coding: [{ system: 'http://snomed.info/sct', code: '7771000', display: 'Gauche' }] } }], text: 'Tumeur maligne du quadrant supéro-externe du sein' }],
    }))).to.equal('Carcinome canalaire infiltrant du quadrant supéro-externe du sein, côté gauche');
    // The site as the physician described it (demo data) is kept; the physician's own wording wins.
    expect(patientDiagnosis(coded('C50.4', 'Tumeur maligne du quadrant supéro-externe du sein', { bodySite: [{ text: 'Sein gauche, quadrant supéro-externe' }] })))
      .to.equal('Cancer du quadrant supéro-externe du sein, sein gauche, quadrant supéro-externe');
    expect(patientDiagnosis({ ...coded('C18.7', 'Tumeur maligne du côlon sigmoïde'), code: { coding: [{ system: ICD10, code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }], text: 'Adénocarcinome du côlon sigmoïde' } }))
      .to.equal('Adénocarcinome du côlon sigmoïde');
    expect(patientDiagnosis({ resourceType: 'Condition', subject: { reference: 'Patient/x' }, code: { text: 'C16.0 Tumeur maligne du cardia, SAI' } })).to.equal('Cancer du cardia');
  });

  it('prints the diagnosis in plain words and, for each contact, a phone (own, role, or the establishment’s switchboard) or "téléphone non renseigné" — no MSSanté address; the PPAC too', async () => {
    const c = await createCareCase(server, users);
    // The record's cancer as the CIM-10 catalogue names it, with its histology.
    const condition = (await as(server, 'system', 'GET', `/Condition/${c.conditionId}`)).body;
    condition.code = { coding: [{ system: ICD10, code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }], text: 'Tumeur maligne du côlon sigmoïde' };
    condition.extension = [{ url: MORPHOLOGY, valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' }] } }];
    const put = await as(server, 'system', 'PUT', `/Condition/${c.conditionId}`, condition);
    expect(put.status, JSON.stringify(put.body)).to.equal(200);

    // The GP's entry has only an MSSanté address; their practice role has the phone and the address.
    const msp = (await as(server, 'system', 'POST', '/Organization', {
      resourceType: 'Organization', name: 'Maison de santé du Panier', telecom: [{ system: 'phone', value: '04 65 71 30 00' }],
      address: [{ line: ['3 place des Moulins'], postalCode: '13002', city: 'Marseille' }],
    })).body.id;
    const onlyMssante = async (id: string, mail: string) => {
      const p = (await as(server, 'system', 'GET', `/Practitioner/${id}`)).body;
      p.telecom = [{ system: 'email', value: mail, extension: [{ url: 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-email-type', valueCoding: { code: 'MSSANTE' } }] }];
      expect((await as(server, 'system', 'PUT', `/Practitioner/${id}`, p)).status).to.equal(200);
    };
    await onlyMssante(c.practitioners.gp, 'laurent.chabert@medecin.mssante.fr');
    expect((await as(server, 'system', 'POST', '/PractitionerRole', {
      resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${c.practitioners.gp}` }, organization: { reference: `Organization/${msp}` },
      code: [{ coding: [{ system: G15, code: '10' }] }], telecom: [{ system: 'phone', use: 'work', value: '04 65 71 30 10' }],
    })).status).to.equal(201);
    // The surgeon: no phone of their own, a role at the hospital: the switchboard, said as such.
    await onlyMssante(c.practitioners.surgeon, 'marc.aubert@chu-mediterranee.mssante.fr');
    expect((await as(server, 'system', 'POST', '/PractitionerRole', {
      resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${c.practitioners.surgeon}` }, organization: { reference: `Organization/${c.chuId}` },
    })).status).to.equal(201);
    // The nurse: nothing a patient can use.
    await onlyMssante(c.practitioners.nurse, 'amandine.roux@infirmier.mssante.fr');

    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);

    const html = (await as(server, 'oncologist', 'GET', `/CarePlan/${built.body.id}/$render?format=html`)).text;
    const text = plain(html);
    expect(text).to.contain('Votre maladie Adénocarcinome du côlon sigmoïde');
    expect(text).not.to.contain('Tumeur maligne');
    expect(text).not.to.contain('SAI');
    expect(text).not.to.match(/mssante/i);
    expect(text).not.to.contain('@');

    expect(contactRow(html, 'Médecin référent')).to.contain('tél. 04 65 71 10 10');
    const gp = contactRow(html, 'Médecin traitant');
    expect(gp).to.contain('tél. 04 65 71 30 10');
    expect(gp).to.contain('Maison de santé du Panier, 3 place des Moulins, 13002 Marseille');
    expect(contactRow(html, 'Chirurgien digestif')).to.contain('tél. 04 65 71 10 00 (standard : CHU Méditerranée');
    expect(contactRow(html, 'Infirmière libérale (IDEL)')).to.contain('téléphone non renseigné');
    expect(contactRow(html, 'Centre de coordination en cancérologie (3C)')).to.contain('tél. 04 65 71 10 50');
    // A contact typed by hand: its name, and its phone in the contact column.
    const league = contactRow(html, 'Structure de soutien et d&#39;information');
    expect(league).to.contain('Ligue contre le cancer — Comité des Bouches-du-Rhône tél. 04 65 71 60 00');

    // The PPAC prints the same contacts and diagnosis the same way.
    const ppac = await as(server, 'gp', 'POST', `/CarePlan/${built.body.id}/$start-ppac`, { endOfTreatment: '2026-09-15', surveillance: { intervalMonths: 6, years: 5, first: 'gp' } });
    expect(ppac.status, JSON.stringify(ppac.body)).to.equal(201);
    const ppacHtml = (await as(server, 'gp', 'GET', `/CarePlan/${ppac.body.id}/$render?format=html`)).text;
    const ppacText = plain(ppacHtml);
    expect(ppacText).not.to.contain('Tumeur maligne');
    expect(ppacText).not.to.match(/mssante/i);
    expect(contactRow(ppacHtml, 'Médecin traitant')).to.contain('tél. 04 65 71 30 10');
    expect(contactRow(ppacHtml, 'Infirmière libérale (IDEL)')).to.contain('téléphone non renseigné');
    expect(ppacText).to.contain('Votre maladie Adénocarcinome du côlon sigmoïde');
  });
});
