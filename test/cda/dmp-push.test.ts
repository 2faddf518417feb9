import { expect } from 'chai';
import type { Binary, DocumentReference } from '@medplum/fhirtypes';
import { pushCdaDocument } from '../../server/cda/index.ts';
import { startFhirTestServer, type FhirTestServer } from '../helpers/fhir-test-server.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';

/** The CDA pushed to a DMP-like FHIR repository as DocumentReference + Binary; a retry files no second copy. */
describe('CDA push to a DMP-like repository (DocumentReference + Binary)', function () {
  this.timeout(120_000);
  let world: World;
  let remote: FhirTestServer;
  before(async () => {
    world = await startWorld();
    remote = await startFhirTestServer();
  });
  after(async () => {
    await remote.close();
    await world.close();
  });

  it('files the CDA once: DocumentReference (INS subject, type, masterIdentifier) pointing at the Binary; a second push finds it', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`, undefined, { 'if-match': 'W/"1"' });
    const xml = await (await world.raw('oncologist', `/Composition/${created.body.id}/$cda`)).text();
    const patient = (await world.as('oncologist', 'GET', `/Patient/${world.patientId}`)).body;
    const id = /<id root="([^"]+)" extension="([^"]+)"\/><code code="34794-8"/.exec(xml)!;
    const cda = { xml, profile: 'FRCP' as const, uniqueId: `${id[1]}^${id[2]}`, patient };

    const first = await pushCdaDocument({ baseUrl: remote.baseUrl }, cda);
    expect(first.created).to.equal(true);
    const again = await pushCdaDocument({ baseUrl: remote.baseUrl }, cda);
    expect(again).to.deep.equal({ documentReferenceId: first.documentReferenceId, created: false });

    const docs = await remote.repo.searchResources<DocumentReference>({ resourceType: 'DocumentReference' });
    expect(docs).to.have.length(1);
    const doc = docs[0]!;
    expect(doc.type?.coding?.[0]?.code).to.equal('34794-8');
    expect(doc.subject?.identifier).to.deep.equal({ system: 'urn:oid:1.2.250.1.213.1.4.10', value: world.patientIns });
    const binary = await remote.repo.readReference<Binary>({ reference: doc.content[0]!.attachment.url! });
    expect(Buffer.from(binary.data!, 'base64').toString('utf8')).to.equal(xml);
  });
});
