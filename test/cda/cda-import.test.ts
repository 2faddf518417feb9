import { expect } from 'chai';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';
import { asUser } from '../helpers/users.ts';

/** Import of a FRCP CDA from another DCC; hostile XML refused with a 4xx, nothing stored. */
describe('CDA import (FRCP received from another DCC)', function () {
  this.timeout(120_000);
  let world: World;
  let cda: string;
  before(async () => {
    world = await startWorld();
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    const signed = await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`, undefined, { 'if-match': 'W/"1"' });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    cda = await (await world.raw('oncologist', `/Composition/${created.body.id}/$cda`)).text();
  });
  after(() => world.close());

  const post = (patientId: string, body: string | Uint8Array) =>
    fetch(`${world.server.fhirUrl}/Patient/${patientId}/$cda-import`, { method: 'POST', headers: { ...asUser('oncologist'), 'content-type': 'application/xml' }, body: body as BodyInit });
  const storedFor = async (patientId: string): Promise<number> => {
    const bundle = (await world.as('oncologist', 'GET', `/DocumentReference?subject=Patient/${patientId}`)).body;
    expect(bundle.resourceType).to.equal('Bundle');
    return bundle.entry?.length ?? 0;
  };

  it('reads a FRCP into a DocumentReference of the patient: header, coded diagnosis, every section narrative, the CDA kept', async () => {
    const res = await post(world.patientId, cda);
    const body = await res.json();
    expect(res.status, JSON.stringify(body)).to.equal(201);
    expect(body.resourceType).to.equal('DocumentReference');
    expect(body.subject.reference).to.equal(`Patient/${world.patientId}`);
    expect(body.type.coding[0].code).to.equal('34794-8');
    expect(body.context.event.map((e: any) => e.coding[0].code)).to.deep.equal(['C18.7', '8140/3']);
    expect(body.text.div).to.contain('Diagnostic du cancer').and.to.contain('Sigmoïdectomie par cœlioscopie').and.to.contain('Statut du document');
    expect(Buffer.from(body.content[0].attachment.data, 'base64').toString('utf8')).to.equal(cda);
  });

  it('is idempotent: the same CDA again is the same DocumentReference (200); a new version of the set replaces it', async () => {
    const before = await storedFor(world.patientId);
    const first = await post(world.patientId, cda);
    const firstBody = await first.json();
    expect(first.status, JSON.stringify(firstBody)).to.be.oneOf([200, 201]);
    const again = await post(world.patientId, cda);
    const againBody = await again.json();
    expect(again.status, JSON.stringify(againBody)).to.equal(200);
    expect(againBody.id).to.equal(firstBody.id);
    expect(await storedFor(world.patientId)).to.equal(Math.max(before, 1));

    // Version 2 of the same document set (as another DCC's correction would send it): new id, same setId.
    const m = /<id root="([^"]+)" extension="([^"]+)"\/><code code="34794-8"/.exec(cda)!;
    const next = Number(/<versionNumber value="(\d+)"\/>/.exec(cda)![1]) + 1;
    const v2 = cda.replace(m[0], m[0].replace(`extension="${m[2]}"`, `extension="${m[2]}-next"`)).replace(/<versionNumber value="\d+"\/>/, `<versionNumber value="${next}"/>`);
    const second = await post(world.patientId, v2);
    const secondBody = await second.json();
    expect(second.status, JSON.stringify(secondBody)).to.equal(201);
    expect(secondBody.relatesTo).to.deep.equal([{ code: 'replaces', target: { reference: `DocumentReference/${firstBody.id}` } }]);
    const old = (await world.as('oncologist', 'GET', `/DocumentReference/${firstBody.id}`)).body;
    expect(old.status).to.equal('superseded');
    // The same version 2 again: still one copy.
    const secondAgain = await post(world.patientId, v2);
    expect(secondAgain.status).to.equal(200);
    expect((await secondAgain.json()).id).to.equal(secondBody.id);
  });

  it('refuses a document whose INS is another patient’s (422), nothing stored', async () => {
    const res = await post(world.recupPatientId, cda);
    expect(res.status).to.equal(422);
    expect((await res.json()).issue[0].details.text).to.contain('INS');
    expect(await storedFor(world.recupPatientId)).to.equal(0);
  });

  it('refuses hostile XML with a 4xx and stores nothing: XXE, billion laughs, malformed, 50 MB', async () => {
    const xxe = `<?xml version="1.0"?><!DOCTYPE d [<!ENTITY e SYSTEM "file:///etc/passwd">]><ClinicalDocument xmlns="urn:hl7-org:v3"><title>&e;</title></ClinicalDocument>`;
    const laughs = `<?xml version="1.0"?><!DOCTYPE l [<!ENTITY a "lol"><!ENTITY b "&a;&a;&a;&a;&a;&a;&a;&a;&a;&a;"><!ENTITY c "&b;&b;&b;&b;&b;&b;&b;&b;&b;&b;">]><ClinicalDocument xmlns="urn:hl7-org:v3"><title>&c;</title></ClinicalDocument>`;
    for (const [name, body, status] of [['XXE', xxe, 400], ['billion laughs', laughs, 400], ['malformed', '<ClinicalDocument xmlns="urn:hl7-org:v3"><title>', 400], ['not a FRCP', '<ClinicalDocument xmlns="urn:hl7-org:v3"/>', 422]] as const) {
      const res = await post(world.recupPatientId, body);
      expect(res.status, name).to.equal(status);
      const outcome = await res.json();
      expect(outcome.resourceType, name).to.equal('OperationOutcome');
    }
    const big = new Uint8Array(50 * 1024 * 1024).fill(0x20);
    const res = await post(world.recupPatientId, big);
    expect(res.status).to.equal(413);
    expect((await res.json()).resourceType).to.equal('OperationOutcome');
    expect(await storedFor(world.recupPatientId)).to.equal(0);
  });
});
