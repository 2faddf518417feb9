import { expect } from 'chai';
import { OutboxStore } from '../../server/store/outbox-store.ts';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

const rule = (res: { body: any }) => res.body?.issue?.[0]?.details?.coding?.[0]?.code;
const texts = (res: { body: any }) => res.body?.issue?.map((i: any) => i.details?.text).join(' | ');

/**
 * Decision and report: the proposal is checked (departure from the guideline needs its reason, a
 * trial proposal is always stated), only a physician who took part signs, the signature and the
 * message to the GP commit together, a correction is a new signed version with its reason.
 */
describe('RCP decision, signature and correction', () => {
  let world: RcpWorld;
  let sessionId: string;
  let paediatricSession: string;

  /** Cases registered and accepted before the session; the session then runs (oncologist chairs; surgeon, oncologist, radiotherapist attend). */
  const cases: Record<'validation' | 'signature' | 'incomplete' | 'recorded', string> = {} as never;
  const discuss = async (id: string) => {
    const res = await world.api('oncologist', 'POST', `/cases/${id}/discuss`);
    expect(res.status, res.text).to.equal(200);
  };

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 20 }));
    const sessions = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created;
    sessionId = sessions[0].id;
    const paediatric = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { name: 'RCP pédiatrique digestive', paediatric: true }));
    paediatricSession = (await world.api('coordinator', 'POST', `/boards/${paediatric.body.id}/sessions/generate`, {})).body.created[0].id;
    for (const key of ['validation', 'signature', 'incomplete', 'recorded'] as const) {
      const p = await newPatient(world);
      const reg = await world.api('surgeon', 'POST', '/cases', registration(sessionId, p, key === 'incomplete' ? { clinical: undefined } : {}));
      expect(reg.status, reg.text).to.equal(201);
      cases[key] = reg.body.case.id;
      expect((await world.api('oncologist', 'POST', `/cases/${cases[key]}/accept`)).status).to.equal(200);
    }
  });
  after(() => world.close());

  it('the proposal is checked before it reaches the sheet', async () => {
    const id = cases.validation;
    const early = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(early.status).to.equal(409);
    expect(rule(early)).to.equal('case-transition');

    world.clock.now = new Date('2026-03-10T13:00:00Z');
    await world.api('oncologist', 'POST', `/sessions/${sessionId}/start`);
    await world.api('oncologist', 'PUT', `/sessions/${sessionId}/attendance`, {
      attendance: ['oncologist', 'surgeon', 'radiotherapist'].map((p) => ({ practitioner: `Practitioner/${world.ids[p as 'surgeon']}`, mode: 'present' })),
    });
    await discuss(id);
    const empty = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { clinicalTrial: { proposed: false } });
    expect(empty.status).to.equal(422);
    expect(rule(empty)).to.equal('decision-invalid');
    expect(texts(empty)).to.contain('proposition de la RCP est vide');
    const departure = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, followsGuideline: false });
    expect(departure.status).to.equal(422);
    expect(departure.body.issue[0].expression).to.deep.equal(['deviationReason']);
    const noTrial = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, clinicalTrial: undefined });
    expect(noTrial.status).to.equal(422);
    expect(texts(noTrial)).to.contain('essai clinique');
    const trialWithoutStudy = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, clinicalTrial: { proposed: true } });
    expect(trialWithoutStudy.status).to.equal(422);
    const window = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, exams: [{ description: 'IRM', earliest: '2026-04-10', latest: '2026-04-01' }] });
    expect(window.status).to.equal(422);
    expect(texts(window)).to.contain('au plus tôt');
    const noFirstIntention = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, treatments: [{ intention: 2, sequence: 1, type: 'surgery' }] });
    expect(noFirstIntention.status).to.equal(422);
    const byCoordinator = await world.api('coordinator', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(byCoordinator.status).to.equal(403);

    const withDeparture = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, followsGuideline: false, deviationReason: 'Patient de 88 ans, comorbidités cardiaques' });
    expect(withDeparture.status, withDeparture.text).to.equal(200);
    expect(withDeparture.body.basis).to.deep.include({ followsGuideline: false, deviationReason: 'Patient de 88 ans, comorbidités cardiaques' });
  });

  it('only a physician who took part signs; signature and message to the GP commit together; a signed report is immutable', async () => {
    const id = cases.signature;
    world.clock.now = new Date('2026-03-10T14:00:00Z');
    await discuss(id);
    const noDecision = await world.api('surgeon', 'POST', `/cases/${id}/sign`);
    expect(noDecision.status).to.equal(409);
    expect(rule(noDecision)).to.equal('decision-missing');
    const decision = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);

    const absent = await world.api('gastroenterologist', 'POST', `/cases/${id}/sign`);
    expect(absent.status).to.equal(403);
    expect(rule(absent)).to.equal('signer-not-participant');
    const coordinator = await world.api('coordinator', 'POST', `/cases/${id}/sign`);
    expect(coordinator.status).to.equal(403);
    // The pages read the same rule: who may sign, and whether the caller may (no button offered to be refused).
    const present = ['oncologist', 'surgeon', 'radiotherapist'].map((p) => `Practitioner/${world.ids[p as 'surgeon']}`);
    const seenByAbsent = await world.api('gastroenterologist', 'GET', `/cases/${id}/decision`);
    expect(seenByAbsent.body.signing.maySign).to.equal(false);
    expect(seenByAbsent.body.signing.signers.map((s: any) => s.practitioner)).to.have.members(present);
    expect(seenByAbsent.body.signing.signers.find((s: any) => s.practitioner === present[0]).as).to.equal('participant');
    expect((await world.api('radiotherapist', 'GET', `/cases/${id}/decision`)).body.signing.maySign).to.equal(true);
    const agenda = (await world.api('coordinator', 'GET', `/sessions/${sessionId}`)).body.agenda.entries;
    expect(agenda.find((e: any) => e.case === id).signers.map((s: any) => s.practitioner)).to.have.members(present);
    expect(agenda.find((e: any) => e.case === cases.incomplete).signers, 'not yet discussed: nothing to sign').to.equal(undefined);
    const stale = await world.api('radiotherapist', 'POST', `/cases/${id}/sign`, {}, { 'if-match': 'W/"1"' });
    expect(stale.status).to.equal(412);
    // The page offers the signature exactly to whom the signature accepts it from: a stale If-Match
    // is refused (412) only after the caller's permission (403) was checked.
    for (const user of ['system', 'radiotherapist', 'oncologist', 'gastroenterologist', 'coordinator']) {
      const view = await world.api(user, 'GET', `/cases/${id}/decision`);
      expect(view.status, `${user}: ${view.text}`).to.equal(200);
      const attempt = await world.api(user, 'POST', `/cases/${id}/sign`, {}, { 'if-match': 'W/"1"' });
      expect(attempt.status, `${user}: ${attempt.text}`).to.be.oneOf([403, 412]);
      expect(view.body.signing.maySign, `${user} may sign: ${attempt.status} ${attempt.text}`).to.equal(attempt.status === 412);
    }
    const outbox = new OutboxStore(world.store.db);
    expect((await outbox.list({ kind: 'rcp-report', limit: 1000 })).filter((e: any) => e.payload.case === id)).to.have.length(0);

    // The page says where the report goes from the list the signature sends it to (correspondents are chosen when signing).
    const announced = (await world.api('radiotherapist', 'GET', `/cases/${id}/decision`)).body.recipients;
    expect(announced.map((r: any) => [r.role, r.practitioner])).to.deep.equal([
      ['general-practitioner', `Practitioner/${world.ids.gp}`], ['requester', `Practitioner/${world.ids.surgeon}`],
    ]);

    const signed = await world.api('radiotherapist', 'POST', `/cases/${id}/sign`, { correspondents: [`Practitioner/${world.ids.pathologist}`] }, { 'if-match': decision.headers.get('etag')! });
    expect(signed.status, signed.text).to.equal(200);
    const messages = (await outbox.list<any>({ kind: 'rcp-report', limit: 1000 })).filter((e) => e.payload.case === id);
    expect(messages).to.have.length(1);
    expect(messages[0]!.payload.recipients.map((r: any) => r.role)).to.deep.equal(['general-practitioner', 'requester', 'correspondent']);
    expect(messages[0]!.payload.recipients.slice(0, 2)).to.deep.equal(announced);
    expect(messages[0]!.payload.composition).to.equal(signed.body.report.reference);
    const provenance = await world.fhir('radiotherapist', 'GET', `/${signed.body.provenance}`);
    expect(provenance.body.signature[0].who.reference).to.equal(`Practitioner/${world.ids.radiotherapist}`);

    const twice = await world.api('surgeon', 'POST', `/cases/${id}/sign`);
    expect(twice.status).to.equal(409);
    expect(rule(twice)).to.equal('signed-immutable');
    const edit = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION);
    expect(edit.status).to.equal(409);
    expect(rule(edit)).to.equal('signed-immutable');

    // A correction is a new signed version with its reason, sent again.
    const noReason = await world.api('oncologist', 'POST', `/cases/${id}/correct`, { decision: DECISION });
    expect(noReason.status).to.equal(422);
    expect(rule(noReason)).to.equal('correction-reason-required');
    const study = await world.create({ resourceType: 'ResearchStudy', status: 'active', title: 'PRODIGE 99 — essai de phase III (fictif)' });
    world.clock.now = new Date('2026-03-12T09:00:00Z');
    const corrected = await world.api('oncologist', 'POST', `/cases/${id}/correct`, {
      reason: "Oubli de la proposition d'inclusion dans l'essai PRODIGE 99",
      decision: { ...DECISION, clinicalTrial: { proposed: true, study: `ResearchStudy/${study.id}` } },
    });
    expect(corrected.status, corrected.text).to.equal(200);
    expect(Number(corrected.body.report.version)).to.be.greaterThan(Number(signed.body.report.version));
    expect(corrected.body.case).to.include({ state: 'signed', trialProposed: true, signedAt: '2026-03-10T14:00:00.000Z' });
    expect(corrected.body.case.firstReport).to.equal(`${signed.body.report.reference}/_history/${signed.body.report.version}`);
    const sheet = await world.fhir('oncologist', 'GET', `/${corrected.body.report.reference}`);
    expect(sheet.body.status).to.equal('amended');
    const all = (await outbox.list<any>({ kind: 'rcp-report', limit: 1000 })).filter((e) => e.payload.case === id);
    expect(all).to.have.length(2);
    expect(all[1]!.payload.correctionReason).to.contain('PRODIGE 99');
    const old = await world.fhir('oncologist', 'GET', `/${signed.body.report.reference}/_history/${signed.body.report.version}`);
    expect(old.body.status).to.equal('final');
    // The signed decision names the trial by its title (QA: the page printed « proposé (ResearchStudy/124a…) »).
    const view = await world.api('oncologist', 'GET', `/cases/${id}/decision`);
    expect(view.body.basis.clinicalTrial.proposed).to.equal(true);
    expect(view.body.studyTitle).to.equal('PRODIGE 99 — essai de phase III (fictif)');
  });

  it('a sheet still incomplete for signature: 422 naming the items, nothing signed, nothing queued', async () => {
    const id = cases.incomplete;
    world.clock.now = new Date('2026-03-10T14:30:00Z');
    await discuss(id);
    expect((await world.api('oncologist', 'PUT', `/cases/${id}/decision`, DECISION)).status).to.equal(200);
    const refused = await world.api('surgeon', 'POST', `/cases/${id}/sign`);
    expect(refused.status).to.equal(422);
    expect(texts(refused)).to.contain('Phase de la maladie').and.to.contain('Circonstances de découverte');
    expect((await world.api('surgeon', 'GET', `/cases/${id}`)).body.state).to.equal('discussed');
    const messages = (await new OutboxStore(world.store.db).list<any>({ kind: 'rcp-report', limit: 1000 })).filter((e) => e.payload.case === id);
    expect(messages).to.have.length(0);
    const completeness = await world.api('surgeon', 'GET', `/cases/${id}/completeness?stage=signature`);
    expect(completeness.body.complete).to.equal(false);
  });

  it('enregistré: guideline mandatory, never in a paediatric RCP, then decided and signed like a discussed case', async () => {
    const id = cases.recorded;
    world.clock.now = new Date('2026-03-10T15:00:00Z');
    const recorded = await world.api('oncologist', 'POST', `/cases/${id}/record`, { guideline: { name: 'TNCD — Cancer du côlon', version: '2023', date: '2023-03-15' } });
    expect(recorded.status, recorded.text).to.equal(200);
    const decision = await world.api('oncologist', 'PUT', `/cases/${id}/decision`, { ...DECISION, guideline: undefined, followsGuideline: undefined });
    expect(decision.status, decision.text).to.equal(200);
    expect(decision.body.basis.guideline.name).to.equal('TNCD — Cancer du côlon');
    const signed = await world.api('oncologist', 'POST', `/cases/${id}/sign`);
    expect(signed.status, signed.text).to.equal(200);

    const p = await newPatient(world);
    world.clock.now = new Date('2026-03-02T08:00:00Z');
    const reg = await world.api('surgeon', 'POST', '/cases', registration(paediatricSession, p, { motif: 'paediatrics' }));
    expect(reg.status, reg.text).to.equal(201);
    await world.api('oncologist', 'POST', `/cases/${reg.body.case.id}/accept`);
    world.clock.now = new Date('2026-03-10T13:00:00Z');
    expect((await world.api('oncologist', 'POST', `/sessions/${paediatricSession}/start`)).status).to.equal(200);
    const paediatric = await world.api('oncologist', 'POST', `/cases/${reg.body.case.id}/record`, { guideline: { name: 'Référentiel SFCE' } });
    expect(paediatric.status).to.equal(409);
    expect(rule(paediatric)).to.equal('recorded-not-paediatric');
  });
});
