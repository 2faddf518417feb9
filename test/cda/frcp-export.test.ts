import { expect } from 'chai';
import { dccOidRoot as dccRoot } from '../../server/cda/codes.ts';
import { validateWithKit } from '../../server/cda/validation/kit.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/** `$cda` on a signed RCP sheet: a CDA R2 FRCP 2022.01 that passes the ANS kit with 0 errors. */
describe('CDA export of the RCP sheet (FRCP 2022.01)', function () {
  this.timeout(15 * 60_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  const signedSheet = async (mutate?: (s: ReturnType<typeof colonCancerSheet>) => void, patientId?: string) => {
    const input = colonCancerSheet(world, patientId);
    mutate?.(input);
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const signed = await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`, undefined, { 'if-match': 'W/"1"' });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    return signed.body.id as string;
  };
  const cdaOf = async (id: string) => {
    const res = await world.raw('oncologist', `/Composition/${id}/$cda`);
    return { status: res.status, type: res.headers.get('content-type') ?? '', text: await res.text() };
  };

  it('exports a signed organ RCP sheet (QUAL identity: INS in the header) that passes XSD + schematrons', async () => {
    const id = await signedSheet();
    const t0 = Date.now();
    const cda = await cdaOf(id);
    const exportMs = Date.now() - t0;
    expect(cda.status, cda.text).to.equal(200);
    expect(cda.type).to.match(/^application\/xml/);
    expect(cda.text).to.contain(`extension="${world.patientIns}"`);
    expect(cda.text).to.contain('root="1.2.250.1.161.1.20.3.1" extension="27011113"');
    expect(cda.text).to.contain('code="C18.7"').and.to.contain('code="8140/3"').and.to.contain('code="cT3"');
    const t1 = Date.now();
    const report = await validateWithKit(cda.text, 'FRCP');
    if (process.env.CDA_DUMP) (await import('node:fs')).writeFileSync(process.env.CDA_DUMP, cda.text + '\n<!--' + JSON.stringify(report.errors.map((e) => [e.location?.replace(/Q\{urn:hl7-org:v3\}/g, ''), e.message]), null, 1).replace(/--/g, '- -') + '-->');
    console.log(`      export ${exportMs} ms, validation ${Date.now() - t1} ms`);
    expect(report.errors, JSON.stringify(report.errors.slice(0, 10), null, 1)).to.deep.equal([]);
  });

  it('exports a transversal sheet: every motif and proposal type, non-QUAL identity (no INS), no declared GP — 0 errors', async () => {
    const types = ['surgery', 'external-radiotherapy', 'brachytherapy', 'chemotherapy', 'targeted-therapy', 'hormone-therapy', 'immunotherapy',
      'active-surveillance', 'therapeutic-window', 'graft', 'supportive-care', 'palliative-care', 'other'] as const;
    const id = await signedSheet((s) => {
      s.reason = {
        nature: 'transversal', transversalType: { code: 'C15747', system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', display: 'Soins de support' },
        recours: true, paediatric: true, motifs: ['diagnostic-opinion', 'treatment-proposal', 'recours', 'paediatrics'], caseStatus: 'registered',
      };
      s.generalPractitioner = { unknown: true, comment: 'Pas de médecin traitant déclaré' };
      s.fileStatus = { complete: false, quorum: 'not-reached', comment: 'Radiothérapeute absent' };
      s.phase = { phase: 'relapse', date: '2025-09-01', progression: { local: true, regional: false, distant: true } };
      s.proposal = {
        treatments: types.map((type, i) => ({ intention: i < 7 ? 1 : 2, sequence: (i % 7) + 1, type, detail: `Traitement ${i + 1}` })),
        exams: [{ description: 'TEP-TDM', earliest: '2025-10-06', latest: '2025-10-17' }],
        surveillance: { description: 'Surveillance clinique et ACE tous les 3 mois' },
        recoursReferral: { description: 'Avis de la RCP de recours régionale' },
      };
      s.basis = { guideline: { name: 'Référentiel régional soins de support', version: '2024' }, followsGuideline: false, deviationReason: 'Âge et comorbidités', clinicalTrial: { proposed: true, study: { title: 'Essai PRODIGE 99', identifier: { value: 'NCT00000000' } } } };
    }, world.recupPatientId);
    const cda = await cdaOf(id);
    expect(cda.status, cda.text).to.equal(200);
    expect(cda.text).not.to.contain(world.recupIns);
    expect(cda.text).not.to.contain('1.2.250.1.213.1.4.10');
    expect(cda.text).to.contain('Médecin traitant : Pas de médecin traitant déclaré').and.not.to.contain('code="PCP"');
    expect(cda.text).to.contain('code="ORG-132"').and.to.contain('code="C15252"').and.to.contain('code="MED-226"').and.to.contain('code="ORG-120"');
    const report = await validateWithKit(cda.text, 'FRCP');
    expect(report.errors, JSON.stringify(report.errors.slice(0, 10), null, 1)).to.deep.equal([]);
  });

  it('a correction is a new version of the same document set: same setId, higher versionNumber, relatedDocument RPLC — 0 errors', async () => {
    const id = await signedSheet();
    const first = await cdaOf(id);
    const input = colonCancerSheet(world);
    input.diagnosis!.tnm!.n = 'cN2';
    const corrected = await world.as('oncologist', 'PUT', `/Composition/${id}/$rcp-sheet`, { ...input, correctionReason: 'Relecture du scanner : 4 adénopathies' }, { 'if-match': 'W/"2"' });
    expect(corrected.status, JSON.stringify(corrected.body)).to.equal(200);
    const draft = await world.raw('oncologist', `/Composition/${id}/$cda`);
    expect(draft.status, 'an unsigned correction draft is not exported').to.equal(422);
    expect((await draft.json()).resourceType).to.equal('OperationOutcome');
    const resigned = await world.as('oncologist', 'POST', `/Composition/${id}/$sign`, undefined, { 'if-match': `W/"${corrected.body.meta.versionId}"` });
    expect(resigned.status, JSON.stringify(resigned.body)).to.equal(200);
    const second = await cdaOf(id);
    const attr = (xml: string, re: RegExp) => re.exec(xml)?.[1];
    expect(attr(second.text, /<setId root="[^"]+" extension="([^"]+)"/)).to.equal(attr(first.text, /<setId root="[^"]+" extension="([^"]+)"/));
    expect(Number(attr(second.text, /<versionNumber value="(\d+)"/))).to.be.greaterThan(Number(attr(first.text, /<versionNumber value="(\d+)"/)));
    const firstId = attr(first.text, /<ClinicalDocument[^>]*>.*?<id root="[^"]+" extension="([^"]+)"/s);
    expect(second.text).to.contain(`<relatedDocument typeCode="RPLC"><parentDocument><id root="${dccRoot()}.1" extension="${firstId}"/>`);
    expect(second.text).to.contain('code="cN2"');
    const report = await validateWithKit(second.text, 'FRCP');
    expect(report.errors, JSON.stringify(report.errors.slice(0, 10), null, 1)).to.deep.equal([]);
  });
});
