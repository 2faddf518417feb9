import { expect } from 'chai';
import type { Bundle, Composition, Provenance } from '@medplum/fhirtypes';
import { EXT_CORRECTION } from '../../server/rcp-sheet/codes.ts';
import { asCorrection } from '../../server/rcp-sheet/rcp-sheet.ts';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

const section = (c: Composition, code: string) => c.section!.find((s) => s.code?.coding?.[0]?.code === code)!;

/** Signing the sheet, and a signed sheet staying as signed (corrections are new versions). */
describe('RCP sheet: signature and immutability', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  const createSheet = async (mutate?: (s: ReturnType<typeof colonCancerSheet>) => void) => {
    const input = colonCancerSheet(world);
    mutate?.(input);
    const res = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res.body as Composition;
  };
  const provenancesOf = async (id: string): Promise<Provenance[]> =>
    ((await world.as('oncologist', 'GET', `/Provenance?target=Composition/${id}&_sort=_lastUpdated`)).body.entry ?? []).map((e: any) => e.resource);

  it('the workflow path: registered before the session, completed after it (PATCH), then signed', async () => {
    const full = colonCancerSheet(world);
    const sheet = await createSheet((s) => {
      delete s.participants;
      delete s.fileStatus;
      delete s.proposal;
      delete s.basis;
      delete s.meeting.sessionId;
    });
    const before = await world.as('oncologist', 'GET', `/Composition/${sheet.id}/$completeness?stage=signature`);
    expect(before.body.issue.filter((i: any) => i.severity === 'error').length).to.be.greaterThan(3);
    const patched = await world.as('oncologist', 'PATCH', `/Composition/${sheet.id}/$rcp-sheet`, {
      participants: full.participants, fileStatus: full.fileStatus, proposal: full.proposal, basis: full.basis,
      meeting: { ...full.meeting, sessionId: '2025-10-02-DIG' },
    }, { 'if-match': 'W/"1"' });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    const after = await world.as('oncologist', 'GET', `/Composition/${patched.body.id}/$completeness?stage=signature`);
    expect(after.body.issue[0].severity, JSON.stringify(after.body)).to.equal('information');
    const signed = await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`, undefined, { 'if-match': 'W/"2"' });
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    expect(signed.body.status).to.equal('final');
  });

  it('only a physician signs: a nurse, a 3C coordinator get 403, a GP who is not the author 404', async () => {
    const sheet = await createSheet();
    const nurse = await world.as('nurse', 'POST', `/Composition/${sheet.id}/$sign`);
    expect(nurse.status).to.equal(403);
    expect(nurse.body.issue[0].details.text).to.contain('Seul un médecin peut signer');
    expect((await world.as('coordinator', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(403);
    // A GP who is not the author does not even see a sheet being written (test/access/city-privacy.test.ts).
    expect((await world.as('gp', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(404);
    expect((await world.as('outsider', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(404);
    expect((await world.as('oncologist', 'GET', `/Composition/${sheet.id}`)).body.status).to.equal('preliminary');
  });

  it('an incomplete sheet cannot be signed: 422 naming each missing item', async () => {
    const sheet = await createSheet((s) => {
      delete s.fileStatus;
      delete s.basis;
    });
    const res = await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`);
    expect(res.status).to.equal(422);
    const texts = res.body.issue.map((i: any) => i.details.text);
    expect(texts[0]).to.contain('ne peut pas être signée');
    expect(texts.join(' | ')).to.contain('Quorum').and.contain('essai clinique');
  });

  it('signs: final, legal attestation, entries pinned, decision active, Provenance with the author signature — then the sheet is locked', async () => {
    const sheet = await createSheet();
    expect((await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`, undefined, { 'if-match': 'W/"7"' })).status).to.equal(412);

    const res = await world.as('surgeon', 'POST', `/Composition/${sheet.id}/$sign`, undefined, { 'if-match': 'W/"1"' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const signed = res.body as Composition;
    expect(signed.meta?.versionId).to.equal('2');
    expect(signed.status).to.equal('final');
    const legal = signed.attester!.find((a) => a.mode === 'legal')!;
    expect(legal.party?.reference).to.equal(`Practitioner/${world.pros.surgeon!.id}`);
    expect(Date.parse(legal.time!)).to.be.greaterThan(0);
    expect(signed.extension!.find((e) => e.url.endsWith('dcc-document-status'))!.valueCoding!.code).to.equal('9571008');
    for (const s of signed.section!) for (const e of s.entry ?? []) expect(e.reference, s.title).to.match(/\/_history\/\d+$/);
    const decision = await world.as('oncologist', 'GET', `/${section(signed, '18776-5').entry![0]!.reference}`);
    expect(decision.body.status).to.equal('active');

    const [provenance] = await provenancesOf(sheet.id!);
    expect(provenance!.target![0]!.reference).to.equal(`Composition/${sheet.id}/_history/2`);
    expect(provenance!.agent![0]!.who!.reference).to.equal(`Practitioner/${world.pros.surgeon!.id}`);
    expect(provenance!.signature![0]!.type![0]).to.include({ system: 'urn:iso-astm:E1762-95:2013', code: '1.2.840.10065.1.12.1.1' });
    expect(provenance!.signature![0]!.when).to.equal(legal.time);
    expect(provenance!.extension![0]!.valueString).to.match(/^sha256:[0-9a-f]{64}$/);

    // Locked: any change through the FHIR API is refused with the rule's words.
    const edit = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}`, { ...signed, title: 'Fiche modifiée' });
    expect(edit.status).to.equal(409);
    expect(edit.body.issue[0].details.text).to.contain('est signée').and.contain('correction');
    const again = await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`);
    expect(again.status).to.equal(409);
    expect(again.body.issue[0].details.text).to.contain('déjà signée');
    const resave = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}/$rcp-sheet`, colonCancerSheet(world));
    expect(resave.status).to.equal(409);
    const provenanceEdit = await world.as('system', 'PUT', `/Provenance/${provenance!.id}`, { ...provenance, recorded: new Date().toISOString() });
    expect(provenanceEdit.status).to.equal(409);
    expect((await world.as('oncologist', 'GET', `/Composition/${sheet.id}`)).body.meta.versionId).to.equal('2');
  });

  it('a signed sheet cannot be deleted', async () => {
    const sheet = await createSheet();
    expect((await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(200);
    const res = await world.as('oncologist', 'DELETE', `/Composition/${sheet.id}`);
    expect(res.status).to.equal(409);
    expect(res.body.issue[0].details.text).to.contain('ne peut pas être supprimée');
  });

  it('what was signed stays as signed: a later edit of the record does not change the signed document', async () => {
    const sheet = await createSheet();
    const signed = (await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`)).body as Composition;
    const summaryRef = section(signed, '10164-2').entry![0]!.reference!.replace(/\/_history\/\d+$/, '');
    const summary = (await world.as('oncologist', 'GET', `/${summaryRef}`)).body;
    const changed = await world.as('oncologist', 'PUT', `/${summaryRef}`, { ...summary, valueString: 'Synthèse réécrite après coup' });
    expect(changed.status).to.equal(200);
    const doc = (await world.as('oncologist', 'GET', `/Composition/${sheet.id}/$document`)).body as Bundle;
    expect(JSON.stringify(doc)).to.contain('Patiente de 67 ans').and.not.contain('Synthèse réécrite après coup');
    expect(doc.signature?.type?.[0]?.code).to.equal('1.2.840.10065.1.12.1.1');
    expect(doc.timestamp).to.equal(signed.attester!.find((a) => a.mode === 'legal')!.time);
    const html = await (await world.raw('gp', `/Composition/${sheet.id}/$render`)).text();
    expect(html).to.contain('Compte rendu de réunion de concertation pluridisciplinaire').and.contain('Document signé électroniquement par Dr Sophie Lambert');
    expect(html).not.to.contain('BROUILLON');
  });

  it('signing is only done by $sign: writing a final sheet directly is refused (409)', async () => {
    const sheet = await createSheet();
    const forged = {
      ...sheet, status: 'final',
      attester: [{ mode: 'legal', time: new Date().toISOString(), party: { reference: `Practitioner/${world.pros.oncologist!.id}` } }],
    };
    const res = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}`, forged);
    expect(res.status).to.equal(409);
    expect(res.body.issue[0].details.text).to.contain('$sign');
  });

  it('a correction is a new unsigned version with its reason, then signed again (amended); the REST update is accepted only in that shape', async () => {
    const sheet = await createSheet();
    const signed = (await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`)).body as Composition;

    // Without a reason, or still carrying the signature: refused.
    const { attester: _signature, ...unsigned } = signed;
    const noReason = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}`, { ...unsigned, status: 'preliminary' });
    expect(noReason.status).to.equal(409);
    expect(noReason.body.issue[0].details.text).to.contain('motif de correction');
    const keepsSignature = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}`, { ...asCorrection(signed, 'Erreur de stade'), attester: signed.attester });
    expect(keepsSignature.status).to.equal(409);
    expect(keepsSignature.body.issue[0].details.text).to.contain('attestation légale');

    const reason = 'Stade corrigé après relecture du scanner : cN1 et non cN2';
    const correction = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}`, asCorrection(signed, reason), { 'if-match': 'W/"2"' });
    expect(correction.status, JSON.stringify(correction.body)).to.equal(200);
    expect(correction.body.status).to.equal('preliminary');
    expect(correction.body.extension.find((e: any) => e.url === EXT_CORRECTION).extension.find((e: any) => e.url === 'corrects').valueReference.reference).to.equal(`Composition/${sheet.id}/_history/2`);
    const html = await (await world.raw('oncologist', `/Composition/${sheet.id}/$render`)).text();
    expect(html).to.contain('CORRECTION EN COURS — NON SIGNÉE');

    const resigned = await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`, { correctionReason: reason });
    expect(resigned.status, JSON.stringify(resigned.body)).to.equal(200);
    expect(resigned.body.status).to.equal('amended');
    expect(resigned.body.meta.versionId).to.equal('4');
    const provenances = await provenancesOf(sheet.id!);
    expect(provenances).to.have.length(2);
    const last = provenances.find((p) => p.target![0]!.reference === `Composition/${sheet.id}/_history/4`)!;
    expect(last.reason![0]!.text).to.contain(reason);
    // The signed correction is locked in turn.
    expect((await world.as('oncologist', 'PUT', `/Composition/${sheet.id}`, { ...resigned.body, title: 'x' })).status).to.equal(409);
    // Earlier signed versions stay readable.
    expect((await world.as('oncologist', 'GET', `/Composition/${sheet.id}/_history/2`)).body.status).to.equal('final');
    const printed = await (await world.raw('oncologist', `/Composition/${sheet.id}/$render`)).text();
    expect(printed).to.contain(`Version corrigée — motif : ${reason}`);
  });

  it('PUT Composition/{id}/$rcp-sheet with a correctionReason corrects a signed sheet from its full content', async () => {
    const sheet = await createSheet();
    expect((await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(200);
    const input = colonCancerSheet(world);
    input.diagnosis!.tnm!.n = 'cN2';
    input.diagnosis!.tnm!.stage = 'IIIC';
    const res = await world.as('oncologist', 'PUT', `/Composition/${sheet.id}/$rcp-sheet`, { ...input, correctionReason: 'Relecture du scanner : 4 adénopathies' });
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.body.status).to.equal('preliminary');
    const signedAgain = await world.as('oncologist', 'POST', `/Composition/${sheet.id}/$sign`);
    expect(signedAgain.status, JSON.stringify(signedAgain.body)).to.equal(200);
    expect(signedAgain.body.status).to.equal('amended');
    const doc = JSON.stringify((await world.as('oncologist', 'GET', `/Composition/${sheet.id}/$document`)).body);
    expect(doc).to.contain('IIIC');
    // The first signed version's document is still the one that was signed.
    expect(JSON.stringify((await world.as('oncologist', 'GET', `/Composition/${sheet.id}/_history/2`)).body)).to.contain('IIIB');
  });
});
