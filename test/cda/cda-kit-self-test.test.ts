import { readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { profileOf, validateWithKit } from '../../server/cda/validation/kit.ts';

// The ANS example documents: if our run of the kit's rules rejected them, the checker would be wrong.
const referenceDir = join(dirname(fileURLToPath(import.meta.url)), '../../reference/ans-examples');
const examples = ['CANCER-FRCP_2022.01_Appareil.xml', 'CANCER-FRCP_2022.01_Transversale.xml', 'CANCER-PPS_2022.01_Autopresentable.xml'];

describe('CDA checker: the ANS test kit run in Node (XSD + structuration minimale + FRCP/PPS schematrons)', function () {
  // The first run compiles the schematrons (minutes on a loaded machine); later runs use the cache.
  this.timeout(15 * 60_000);

  for (const name of examples) {
    it(`accepts the ANS reference example ${name} with 0 errors`, async () => {
      const xml = readFileSync(join(referenceDir, name), 'utf8');
      const report = await validateWithKit(xml, profileOf(xml)!);
      expect(report.errors, JSON.stringify(report.errors.slice(0, 5), null, 1)).to.deep.equal([]);
    });
  }

  it('finds the errors of a damaged FRCP: schema, header value set (StrucMin) and FRCP rule', async () => {
    const xml = readFileSync(join(referenceDir, examples[1]), 'utf8')
      // a document type outside JDV_J07 and outside the FRCP rule
      .replace('code="34794-8"', 'code="99999-9"')
      // an element the CDA schema does not know
      .replace('<realmCode', '<notCda/><realmCode');
    const report = await validateWithKit(xml, 'FRCP');
    const sources = new Set(report.errors.map((e) => e.source));
    expect([...sources].sort()).to.deep.equal(['schematron', 'xsd']);
    expect(report.errors.some((e) => e.pattern === 'variables' && e.message.includes('34794-8'))).to.equal(true);
    expect(report.errors.some((e) => e.message.includes('1.2.250.1.213.1.1.5.471'))).to.equal(true);
  });
});
