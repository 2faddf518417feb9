import { expect } from 'chai';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { colonCancerSheet, startWorld, writeTnmPastTheChecks, type World } from './fixtures.ts';

const fieldsAndTexts = (issues: OperationOutcomeIssue[] | undefined) => (issues ?? []).map((i) => [i.expression?.[0], i.details?.text]);

/**
 * A TNM stored before its notation was checked (or imported) is held to the grammar when it is
 * written or changed, not when another item of the sheet is saved: 'pT9z' kept as is must not block
 * the physician's other edits. The signed report never carries it: the signature is refused (422).
 */
describe('RCP sheet: a legacy malformed TNM blocks neither other edits nor the workflow, only the signature', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  /** A complete sheet whose stored T is 'pT9z', written past the checks. */
  const legacySheet = async (): Promise<string> => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    await writeTnmPastTheChecks(world.server.services.store.system(), created.body.id, { t: 'pT9z' });
    return `/Composition/${created.body.id}`;
  };

  it('a PATCH of another item saves; the TNM stays as stored, read back with its field’s error', async () => {
    const sheet = await legacySheet();
    const patched = await world.as('oncologist', 'PATCH', `${sheet}/$rcp-sheet`, { summary: 'Adénocarcinome du sigmoïde, bilan d’extension complété.' });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    const read = (await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body;
    expect(read.data.summary).to.equal('Adénocarcinome du sigmoïde, bilan d’extension complété.');
    expect(read.data.diagnosis.tnm).to.include({ t: 'pT9z', n: 'cN1', m: 'cM0' });
    // What the page shows under the T field until the physician corrects it.
    const issues = fieldsAndTexts(read.issues);
    expect(issues.map(([path]) => path)).to.deep.equal(['diagnosis.tnm.t']);
    expect(issues[0]![1]).to.match(/^T \(stade TNM\) : notation 'pT9z' non reconnue \(attendu : TX, T0, Tis/);
  });

  it('the full content saved again (PUT) with the TNM as stored is accepted', async () => {
    const sheet = await legacySheet();
    const { data } = (await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body;
    const saved = await world.as('oncologist', 'PUT', `${sheet}/$rcp-sheet`, { ...data, question: 'Chirurgie première ?' });
    expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
  });

  it('changing a category to another malformed value is refused, naming the field; the kept one is not; a well-formed one saves', async () => {
    const sheet = await legacySheet();
    const { diagnosis } = (await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body.data;
    const otherMalformed = await world.as('oncologist', 'PATCH', `${sheet}/$rcp-sheet`, { diagnosis: { ...diagnosis, tnm: { ...diagnosis.tnm, t: 'T5' } } });
    expect(otherMalformed.status).to.equal(400);
    expect(fieldsAndTexts(otherMalformed.body.issue).map(([path, text]) => [path, String(text).slice(0, 33)])).to.deep.equal([['diagnosis.tnm.t', "T (stade TNM) : notation 'T5' non"]]);
    // N written malformed beside the T kept as stored: only N is refused.
    const newN = await world.as('oncologist', 'PATCH', `${sheet}/$rcp-sheet`, { diagnosis: { ...diagnosis, tnm: { ...diagnosis.tnm, n: 'N4' } } });
    expect(newN.status).to.equal(400);
    expect(fieldsAndTexts(newN.body.issue).map(([path]) => path)).to.deep.equal(['diagnosis.tnm.n']);
    expect((await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body.data.diagnosis.tnm).to.include({ t: 'pT9z', n: 'cN1' });

    const fixed = await world.as('oncologist', 'PATCH', `${sheet}/$rcp-sheet`, { diagnosis: { ...diagnosis, tnm: { ...diagnosis.tnm, t: 'cT3' } } });
    expect(fixed.status, JSON.stringify(fixed.body)).to.equal(200);
    const read = (await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body;
    expect(read.data.diagnosis.tnm.t).to.equal('cT3');
    expect(read.issues).to.equal(undefined);
  });

  it('signing is refused (422) while the stored TNM is malformed, naming the field in French; signed once corrected', async () => {
    const sheet = await legacySheet();
    const refused = await world.as('oncologist', 'POST', `${sheet}/$sign`);
    expect(refused.status, JSON.stringify(refused.body)).to.equal(422);
    expect(refused.body.issue[0]).to.include({ code: 'business-rule' });
    expect(refused.body.issue[0].details.text).to.equal("La fiche RCP ne peut pas être signée : le stade TNM clinique n'est pas écrit dans la notation UICC (T). Corrigez-le dans la fiche (rubrique Diagnostic), puis signez.");
    expect(refused.body.issue[1].expression).to.deep.equal(['diagnosis.tnm.t']);
    expect(refused.body.issue[1].details.text).to.match(/^T \(stade TNM\) : notation 'pT9z' non reconnue/);
    expect((await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body.signed).to.equal(false);

    const { diagnosis } = (await world.as('oncologist', 'GET', `${sheet}/$rcp-sheet`)).body.data;
    expect((await world.as('oncologist', 'PATCH', `${sheet}/$rcp-sheet`, { diagnosis: { ...diagnosis, tnm: { ...diagnosis.tnm, t: 'cT3' } } })).status).to.equal(200);
    const signed = await world.as('oncologist', 'POST', `${sheet}/$sign`);
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
  });
});
