import { expect } from 'chai';
import { cdaRouter } from '../../server/cda/index.ts';
import { validateWithKit } from '../../server/cda/validation/kit.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/** `$cda` on a signed RCP sheet: a CDA R2 FRCP 2022.01 that passes the ANS kit with 0 errors. */
describe('CDA export of the RCP sheet (FRCP 2022.01)', function () {
  this.timeout(15 * 60_000);
  let world: World;
  before(async () => {
    world = await startWorld({ extraRouters: (store) => [cdaRouter(store)] });
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
});
