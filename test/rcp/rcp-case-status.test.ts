import { expect } from 'chai';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * « Statut du cas présenté » (FRCP ORG-127: enregistré ORG-128 / discuté ORG-134) follows the case:
 * absent from the sheet while the case waits for its session, « Cas discuté » once discussed,
 * « Cas enregistré » once recorded. A case adjourned and carried over was never discussed: its
 * draft never says so (QA: it printed « Cas discuté » from the registration on).
 */
describe('RCP sheet: the case status follows the case', () => {
  let world: RcpWorld;
  let sessions: { id: string; start: string }[];

  const presence = (...pros: string[]) => ({
    attendance: pros.map((pro) => ({ practitioner: `Practitioner/${world.ids[pro as keyof typeof world.ids]}`, mode: 'present' })),
  });
  const register = async (sessionId: string, extra: Record<string, unknown> = {}) => {
    const p = await newPatient(world);
    const res = await world.api('surgeon', 'POST', '/cases', registration(sessionId, p, extra));
    expect(res.status, res.text).to.equal(201);
    const accepted = await world.api('oncologist', 'POST', `/cases/${res.body.case.id}/accept`);
    expect(accepted.status, accepted.text).to.equal(200);
    return { id: res.body.case.id as string, sheet: res.body.case.sheet as string, completeness: res.body.completeness as any[] };
  };
  const caseStatus = async (sheet: string) => (await world.fhir('oncologist', 'GET', `/${sheet}/$rcp-sheet`)).body.data.reason?.caseStatus;
  const printed = async (sheet: string) => (await world.fhir('oncologist', 'GET', `/${sheet}/$render?format=html`)).text;

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 10 }));
    sessions = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());

  it('unset at registration (and not asked before the session); discussed, recorded, or still unset when adjourned and carried over', async () => {
    const s = sessions[0]!;
    const adjourned = await register(s.id);
    const discussed = await register(s.id);
    const recorded = await register(s.id);
    expect(await caseStatus(adjourned.sheet)).to.equal(undefined);
    expect(await printed(adjourned.sheet)).not.to.contain('Cas discuté');
    // The status is the session's outcome: the file is complete for the session without it.
    expect(adjourned.completeness.map((m) => m.item)).not.to.include('reason.caseStatus');
    const before = await world.fhir('oncologist', 'GET', `/${adjourned.sheet}/$completeness?stage=session`);
    expect(JSON.stringify(before.body)).not.to.contain('Statut du cas');

    world.clock.now = new Date('2026-03-10T13:00:00Z');
    expect((await world.api('oncologist', 'POST', `/sessions/${s.id}/start`)).status).to.equal(200);
    expect((await world.api('oncologist', 'PUT', `/sessions/${s.id}/attendance`, presence('oncologist', 'radiotherapist', 'surgeon'))).status).to.equal(200);
    const postponed = await world.api('oncologist', 'POST', `/cases/${adjourned.id}/postpone`, { reason: 'IRM manquante' });
    expect(postponed.status, postponed.text).to.equal(200);
    expect((await world.api('oncologist', 'POST', `/cases/${discussed.id}/discuss`)).status).to.equal(200);
    expect(await caseStatus(discussed.sheet)).to.equal('discussed');
    expect(await printed(discussed.sheet)).to.contain('Cas discuté');
    const rec = await world.api('oncologist', 'POST', `/cases/${recorded.id}/record`, { guideline: { name: 'TNCD — Cancer du côlon', version: '2023' } });
    expect(rec.status, rec.text).to.equal(200);
    expect(await caseStatus(recorded.sheet)).to.equal('registered');
    expect(await caseStatus(adjourned.sheet)).to.equal(undefined);

    // The decision keeps it; the signature requires it and finds it.
    const decision = await world.api('oncologist', 'PUT', `/cases/${discussed.id}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);
    expect(await caseStatus(discussed.sheet)).to.equal('discussed');
    const signing = await world.fhir('oncologist', 'GET', `/${discussed.sheet}/$completeness?stage=signature`);
    expect(JSON.stringify(signing.body)).not.to.contain('Statut du cas');

    const closed = await world.api('oncologist', 'POST', `/sessions/${s.id}/close`);
    expect(closed.status, closed.text).to.equal(200);
    expect(closed.body.carriedOver).to.deep.equal([adjourned.id]);
    expect(await caseStatus(adjourned.sheet)).to.equal(undefined);
    expect(await printed(adjourned.sheet)).not.to.contain('Cas discuté');
  });

  it('a draft that said « Cas discuté » before (older sheets, a sheet filled beforehand) loses it when the case is carried over', async () => {
    const s = sessions[1]!;
    const p = await newPatient(world);
    const filed = await world.fhir('surgeon', 'POST', '/Composition/$rcp-sheet', {
      patient: `Patient/${p.patient}`,
      author: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      meeting: { rcpName: 'RCP digestive', date: s.start },
      reason: { nature: 'organ', organSystem: { display: 'Appareil digestif' }, recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
      diagnosis: { condition: `Condition/${p.condition}` },
      summary: 'Adénocarcinome du sigmoïde cT3N1M0.',
      question: 'Chirurgie première ?',
    });
    expect(filed.status, filed.text).to.equal(201);
    const reg = await world.api('surgeon', 'POST', '/cases', { ...registration(s.id, p, { clinical: undefined }), sheet: `Composition/${filed.body.id}` });
    expect(reg.status, reg.text).to.equal(201);
    expect((await world.api('oncologist', 'POST', `/cases/${reg.body.case.id}/accept`)).status).to.equal(200);
    world.clock.now = new Date('2026-03-24T13:00:00Z');
    expect((await world.api('oncologist', 'POST', `/sessions/${s.id}/start`)).status).to.equal(200);
    expect((await world.api('oncologist', 'POST', `/cases/${reg.body.case.id}/postpone`, { reason: 'Anatomopathologie en attente' })).status).to.equal(200);
    const closed = await world.api('oncologist', 'POST', `/sessions/${s.id}/close`);
    expect(closed.status, closed.text).to.equal(200);
    expect(closed.body.carriedOver).to.include(reg.body.case.id);
    expect(await caseStatus(`Composition/${filed.body.id}`)).to.equal(undefined);
  });
});
