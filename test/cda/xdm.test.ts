import { createHash } from 'node:crypto';
import { expect } from 'chai';
import { DOMParser } from '@xmldom/xmldom';
import { unzipSync, strFromU8 } from 'fflate';
import { buildXdmZip } from '../../server/cda/index.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/** The IHE XDM zip (IHE_XDM.ZIP of an MSSanté mail), read back. */
describe('CDA: IHE XDM package for secure mail', function () {
  this.timeout(120_000);
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('holds METADATA.XML (class/type codes, confidentiality, INS of a QUAL patient, hash and size), the CDA and the PDF', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`, undefined, { 'if-match': 'W/"1"' });
    const xml = await (await world.raw('oncologist', `/Composition/${created.body.id}/$cda`)).text();
    const patient = (await world.as('oncologist', 'GET', `/Patient/${world.patientId}`)).body;
    const id = /<id root="([^"]+)" extension="([^"]+)"\/><code code="34794-8"/.exec(xml)!;
    const pdf = Buffer.from('%PDF-1.4 test');
    const zip = unzipSync(new Uint8Array(buildXdmZip({ cda: { xml, profile: 'FRCP', uniqueId: `${id[1]}^${id[2]}`, patient }, pdf: { filename: 'cr.pdf', content: pdf } })));
    expect(Object.keys(zip).sort()).to.deep.equal(['IHE_XDM/SUBSET01/DOC0001.XML', 'IHE_XDM/SUBSET01/DOC0002.PDF', 'IHE_XDM/SUBSET01/METADATA.XML', 'INDEX.HTM', 'README.TXT']);
    expect(strFromU8(zip['IHE_XDM/SUBSET01/DOC0001.XML']!)).to.equal(xml);
    expect(Buffer.from(zip['IHE_XDM/SUBSET01/DOC0002.PDF']!).equals(pdf)).to.equal(true);
    const meta = new DOMParser().parseFromString(strFromU8(zip['IHE_XDM/SUBSET01/METADATA.XML']!), 'text/xml');
    const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
    const all = (name: string) => Array.from(meta.getElementsByTagNameNS(RIM, name) as unknown as ArrayLike<Element>);
    const slotValue = (name: string) => all('Slot').find((s) => s.getAttribute('name') === name)?.textContent;
    const codes = all('Classification').map((c) => c.getAttribute('nodeRepresentation')).filter(Boolean);
    expect(codes).to.include.members(['10', 'N', '34794-8', 'urn:asip:ci-sis:frcp:2011']);
    const pids = all('ExternalIdentifier').filter((e) => /patientId/.test(e.textContent ?? '') || /patientId/.test(e.getElementsByTagNameNS(RIM, 'LocalizedString')[0]?.getAttribute('value') ?? ''));
    expect(pids.map((p) => p.getAttribute('value'))).to.deep.equal([`${world.patientIns}^^^&1.2.250.1.213.1.4.10&ISO`, `${world.patientIns}^^^&1.2.250.1.213.1.4.10&ISO`]);
    expect(all('ExternalIdentifier').map((e) => e.getAttribute('value'))).to.include(`${id[1]}^${id[2]}`);
    expect(slotValue('hash')).to.equal(createHash('sha1').update(Buffer.from(xml, 'utf8')).digest('hex'));
    expect(slotValue('size')).to.equal(String(Buffer.byteLength(xml, 'utf8')));
    expect(all('Association')[0]!.getAttribute('associationType')).to.contain('HasMember');
  });
});
