import { expect } from 'chai';
import type { RequestContext } from '../../server/context.ts';
import { parseRcpSheetInput, createRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';

const rule = (res: { body: any }) => res.body?.issue?.[0]?.details?.coding?.[0]?.code;
const texts = (res: { body: any }) => res.body?.issue?.map((i: any) => i.details?.text).join(' | ');

/**
 * Registering a case on a session, and the 3C's hold on the agenda: every refusal answers with the
 * rule (OperationOutcome issue.details.coding) and a French text saying what to do.
 */
describe('RCP registration and agenda', () => {
  let world: RcpWorld;
  let boardId: string;
  let sessions: { id: string; start: string }[];

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    boardId = board.body.id;
    sessions = (await world.api('coordinator', 'POST', `/boards/${boardId}/sessions/generate`, {})).body.created;
  });
  after(() => world.close());
  beforeEach(() => {
    world.clock.now = new Date('2026-03-02T08:00:00Z');
  });

  it('refuses registrations that break the rules of the registration itself', async () => {
    const p = await newPatient(world);
    const s = sessions[0]!.id;
    const uninformed = await world.api('surgeon', 'POST', '/cases', registration(s, p, { patientInformed: false }));
    expect(uninformed.status).to.equal(422);
    expect(rule(uninformed)).to.equal('patient-information');
    const objecting = await world.api('surgeon', 'POST', '/cases', registration(s, p, { patientNonOpposition: false }));
    expect(objecting.status).to.equal(422);
    expect(texts(objecting)).to.contain('non-opposition');
    const gpNotInformed = await world.api('surgeon', 'POST', '/cases', registration(s, p, { gpInformed: false }));
    expect(gpNotInformed.status).to.equal(422);
    expect(rule(gpNotInformed)).to.equal('gp-information');
    const noQuestion = await world.api('surgeon', 'POST', '/cases', registration(s, p, { question: ' ' }));
    expect(noQuestion.status).to.equal(422);
    expect(texts(noQuestion)).to.contain('question');
    // Both missing: one issue per field, each naming its own field, so a form shows each under its field.
    const neither = await world.api('surgeon', 'POST', '/cases', registration(s, p, { question: '', summary: '' }));
    expect(neither.status).to.equal(422);
    expect(neither.body.issue.map((i: any) => [i.expression, i.details.text])).to.deep.equal([
      [['question'], 'La question posée à la RCP est obligatoire'],
      [['summary'], 'La synthèse du dossier (résumé de la situation) est obligatoire'],
    ]);
    const noDiagnosis = await world.api('surgeon', 'POST', '/cases', registration(s, p, { condition: undefined }));
    expect(noDiagnosis.status).to.equal(422);
    expect(noDiagnosis.body.issue[0].expression).to.deep.equal(['condition']);
    // The record holds a diagnosis: the physician is asked to choose it, not to record one.
    expect(noDiagnosis.body.issue[0].details.text).to.match(/^Choisissez le diagnostic présenté/).and.not.contain('enregistrez-le');
  });

  it('refuses a diagnosis marked « saisie erronée » (422 naming the condition)', async () => {
    const p = await newPatient(world);
    const marked = await world.fhir('surgeon', 'POST', `/Condition/${p.condition}/$entered-in-error`, { reason: 'Topographie erronée : sigmoïde pour rectum' });
    expect(marked.status, marked.text).to.equal(200);
    const res = await world.api('surgeon', 'POST', '/cases', registration(sessions[0]!.id, p));
    expect(res.status, res.text).to.equal(422);
    expect(res.body.issue[0].expression).to.deep.equal(['condition']);
    expect(res.body.issue[0].details.text).to.contain('saisi par erreur');
    // Its only diagnosis marked so, the record has none to choose: it is to be recorded first.
    const none = await world.api('surgeon', 'POST', '/cases', registration(sessions[0]!.id, p, { condition: undefined }));
    expect(none.status, none.text).to.equal(422);
    expect(none.body.issue[0].details.text).to.contain('enregistrez-le dans le dossier du patient');
  });

  it('only a physician of the patient\'s circle of care registers a case', async () => {
    const p = await newPatient(world);
    const s = sessions[0]!.id;
    const outsider = await world.api('outsider', 'POST', '/cases', registration(s, p));
    expect(outsider.status).to.equal(403);
    expect(rule(outsider)).to.equal('not-in-circle-of-care');
    const coordinator = await world.api('coordinator', 'POST', '/cases', registration(s, p));
    expect(coordinator.status).to.equal(403);
    expect(rule(coordinator)).to.equal('not-a-physician');
    expect((await world.api('surgeon', 'GET', `/cases?patient=${p.patient}`)).body).to.have.length(0);
  });

  it('after the cut-off: 409, unless asked as a late registration that the 3C then accepts', async () => {
    const p = await newPatient(world);
    const s = sessions[0]!; // Tuesday 10 March 14:00 Paris: registrations close 48 h before
    world.clock.now = new Date('2026-03-09T09:00:00Z');
    const refused = await world.api('surgeon', 'POST', '/cases', registration(s.id, p));
    expect(refused.status).to.equal(409);
    expect(rule(refused)).to.equal('registration-cutoff');
    expect(texts(refused)).to.contain('dimanche 8 mars 2026 à 14:00').and.to.contain('hors délai');

    const blankReason = await world.api('surgeon', 'POST', '/cases', registration(s.id, p, { lateRequest: true, lateReason: ' ' }));
    expect(blankReason.status).to.equal(400);
    expect(blankReason.body.issue[0].expression).to.deep.equal(['lateReason']);
    const late = await world.api('surgeon', 'POST', '/cases', registration(s.id, p, { lateRequest: true, lateReason: 'Progression rapide, décision avant la chirurgie' }));
    expect(late.status, late.text).to.equal(201);
    expect(late.body.case).to.include({ state: 'pending', late: true });
    expect(late.body.case.statusReason).to.contain('hors délai').and.to.contain('motif : Progression rapide');
    const accepted = await world.api('oncologist', 'POST', `/cases/${late.body.case.id}/accept`);
    expect(accepted.status, accepted.text).to.equal(200);
    expect(accepted.body.state).to.equal('accepted');
    expect(accepted.body.statusReason).to.contain('acceptée par le 3C');
    // Accepting twice is a conflict, not a silent no-op.
    const twice = await world.api('oncologist', 'POST', `/cases/${late.body.case.id}/accept`);
    expect(twice.status).to.equal(409);
    expect(rule(twice)).to.equal('case-transition');
    // A physician who does not run the board cannot accept.
    const p2 = await newPatient(world);
    const other = await world.api('surgeon', 'POST', '/cases', registration(sessions[1]!.id, p2));
    const byMember = await world.api('surgeon', 'POST', `/cases/${other.body.case.id}/accept`);
    expect(byMember.status).to.equal(403);
    expect(rule(byMember)).to.equal('not-session-manager');
  });

  it('refuses a full session (naming the next one with room) and a patient already on the session', async () => {
    const s = sessions[2]!.id; // capacity 3
    const patients = [await newPatient(world), await newPatient(world), await newPatient(world), await newPatient(world)];
    for (const p of patients.slice(0, 3)) {
      const res = await world.api('surgeon', 'POST', '/cases', registration(s, p));
      expect(res.status, res.text).to.equal(201);
    }
    const again = await world.api('oncologist', 'POST', '/cases', registration(sessions[3]!.id, patients[0]!));
    expect(again.status).to.equal(201);
    const duplicate = await world.api('oncologist', 'POST', '/cases', registration(sessions[3]!.id, patients[0]!));
    expect(duplicate.status).to.equal(409);
    expect(rule(duplicate)).to.equal('patient-already-registered');
    expect(texts(duplicate)).to.contain('Ce patient est déjà inscrit à la séance du').and.not.to.contain('Task/');

    const full = await world.api('surgeon', 'POST', '/cases', registration(s, patients[3]!));
    expect(full.status).to.equal(409);
    expect(rule(full)).to.equal('session-full');
    expect(texts(full)).to.contain('complète (3 dossiers)').and.to.contain(`Appointment/${sessions[3]!.id}`);
    const details = await world.api('oncologist', 'GET', `/sessions/${s}`);
    expect(details.body.agenda.places).to.deep.equal({ used: 3, capacity: 3 });
  });

  it('a board that demands a complete file refuses an incomplete sheet, naming what is missing', async () => {
    const strict = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { requireCompleteSheet: true }));
    expect(strict.status, strict.text).to.equal(201);
    const strictSessions = (await world.api('coordinator', 'POST', `/boards/${strict.body.id}/sessions/generate`, {})).body.created;
    const p = await newPatient(world);
    const withoutSheet = await world.api('surgeon', 'POST', '/cases', registration(strictSessions[0].id, p, { clinical: { discovery: { byScreening: false } } }));
    expect(withoutSheet.status).to.equal(422);
    expect(rule(withoutSheet)).to.equal('sheet-incomplete');
    expect(texts(withoutSheet)).to.contain('Phase de la maladie');
    expect((await world.fhir('surgeon', 'GET', `/Composition?patient=Patient/${p.patient}`)).body.total).to.equal(0); // undone with the registration

    const other = await newPatient(world);
    const fromClinical = await world.api('surgeon', 'POST', '/cases', registration(strictSessions[0].id, other));
    expect(fromClinical.status, fromClinical.text).to.equal(201);

    const ctx: RequestContext = { requestId: 'test', principal: world.users.surgeon!, baseUrl: world.url };
    const base = {
      patient: `Patient/${p.patient}`,
      author: { practitioner: `Practitioner/${world.ids.oncologist}`, name: 'Dr Oncologue' },
      requester: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      presenter: { practitioner: `Practitioner/${world.ids.surgeon}`, name: 'Dr Chirurgien' },
      generalPractitioner: { practitioner: `Practitioner/${world.ids.gp}`, name: 'Dr Généraliste' },
      meeting: {
        rcpName: strict.body.name, date: strictSessions[0].start, mode: 'hybrid', rrcId: 'ONCOPACA', threeCId: '3C-TEST', rcpId: strict.body.code,
        hostEstablishment: { finess: '130999014', name: 'CHU de test' }, registrationNumber: '1',
      },
      reason: { nature: 'organ', organSystem: { display: 'Appareil digestif' }, recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
      discovery: { byScreening: true },
      diagnosis: { condition: `Condition/${p.condition}` },
      summary: 'Adénocarcinome du sigmoïde découvert au dépistage organisé.',
      question: 'Chirurgie d\'emblée ?',
      documentStatus: 'in-progress',
    };
    const repo = world.store.forRequest(ctx);
    const incomplete = await createRcpSheet(repo, ctx, parseRcpSheetInput(base));
    const refused = await world.api('surgeon', 'POST', '/cases', { ...registration(strictSessions[0].id, p, { clinical: undefined }), sheet: `Composition/${incomplete.id}` });
    expect(refused.status).to.equal(422);
    expect(rule(refused)).to.equal('sheet-incomplete');
    expect(texts(refused)).to.contain('Phase de la maladie');

    const complete = await createRcpSheet(repo, ctx, parseRcpSheetInput({ ...base, phase: { phase: 'initial', progression: { local: true, regional: false, distant: false } } }));
    const accepted = await world.api('surgeon', 'POST', '/cases', { ...registration(strictSessions[0].id, p, { clinical: undefined }), sheet: `Composition/${complete.id}` });
    expect(accepted.status, accepted.text).to.equal(201);
    expect(accepted.body.case.sheet).to.equal(`Composition/${complete.id}`);
    const completeness = await world.api('oncologist', 'GET', `/cases/${accepted.body.case.id}/completeness`);
    expect(completeness.body).to.include({ complete: true, source: 'live' });
  });

  it('two physicians registering at once for the last place: one gets it, the other a 409', async () => {
    const small = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, { capacity: 1 }));
    const s = (await world.api('coordinator', 'POST', `/boards/${small.body.id}/sessions/generate`, {})).body.created[0].id;
    const [p1, p2] = [await newPatient(world), await newPatient(world)];
    const results = await Promise.all([
      world.api('surgeon', 'POST', '/cases', registration(s, p1)),
      world.api('oncologist', 'POST', '/cases', registration(s, p2)),
    ]);
    expect(results.map((r) => r.status).sort()).to.deep.equal([201, 409]);
    expect(rule(results.find((r) => r.status === 409)!)).to.equal('session-full');
    expect((await world.api('oncologist', 'GET', `/sessions/${s}`)).body.agenda.places).to.deep.equal({ used: 1, capacity: 1 });
  });

  it('a retry with the same request identifier returns the case already registered', async () => {
    const p = await newPatient(world);
    const body = registration(sessions[3]!.id, p, { identifier: { system: 'urn:oid:1.2.250.1.999.1', value: 'DPI-2026-000123' } });
    const first = await world.api('surgeon', 'POST', '/cases', body);
    expect(first.status, first.text).to.equal(201);
    const retry = await world.api('surgeon', 'POST', '/cases', body);
    expect(retry.status).to.equal(200);
    expect(retry.body).to.include({ existing: true });
    expect(retry.body.case.id).to.equal(first.body.case.id);
  });

  it('the 3C moves a case to another session (capacity and duplicates checked), history kept on both sides', async () => {
    const p = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[0]!.id, p));
    const id = registered.body.case.id;
    const moved = await world.api('oncologist', 'POST', `/cases/${id}/move`, { session: `Appointment/${sessions[1]!.id}`, reason: 'Examen anatomopathologique attendu' });
    expect(moved.status, moved.text).to.equal(200);
    expect(moved.body.sessionId).to.equal(sessions[1]!.id);
    expect(moved.body.moves).to.have.length(1);
    expect(moved.body.moves[0]).to.include({ from: sessions[0]!.id, to: sessions[1]!.id, reason: 'moved', note: 'Examen anatomopathologique attendu' });
    const oldAgenda = (await world.api('oncologist', 'GET', `/sessions/${sessions[0]!.id}`)).body.agenda;
    expect(oldAgenda.entries.find((e: any) => e.case === id)).to.include({ flag: 'moved' });
    const newAgenda = (await world.api('oncologist', 'GET', `/sessions/${sessions[1]!.id}`)).body.agenda;
    expect(newAgenda.entries.find((e: any) => e.case === id)).to.include({ flag: 'scheduled', origin: 'moved' });
    // The sheet follows its case: it named the session the case left.
    const sheet = await world.fhir('surgeon', 'GET', `/${moved.body.sheet}/$rcp-sheet`);
    expect(sheet.status, sheet.text).to.equal(200);
    expect(sheet.body.data.meeting).to.include({ session: `Appointment/${sessions[1]!.id}`, date: sessions[1]!.start });

    const same = await world.api('oncologist', 'POST', `/cases/${id}/move`, { session: sessions[1]!.id });
    expect(same.status).to.equal(409);
    expect(rule(same)).to.equal('move-invalid');
    const full = await world.api('oncologist', 'POST', `/cases/${id}/move`, { session: sessions[2]!.id });
    expect(full.status).to.equal(409);
    expect(rule(full)).to.equal('session-full');
    const history = await world.fhir('surgeon', 'GET', `/Task/${id}/_history`);
    expect(history.body.total).to.be.greaterThan(1);
  });

  it('withdrawal by the requester and refusal by the 3C, with their reasons; final states stay final', async () => {
    const p1 = await newPatient(world);
    const p2 = await newPatient(world);
    const a = (await world.api('surgeon', 'POST', '/cases', registration(sessions[1]!.id, p1))).body.case.id;
    const b = (await world.api('surgeon', 'POST', '/cases', registration(sessions[3]!.id, p2))).body.case.id;
    const noReason = await world.api('surgeon', 'POST', `/cases/${a}/withdraw`, {});
    expect(noReason.status).to.equal(422);
    const withdrawn = await world.api('surgeon', 'POST', `/cases/${a}/withdraw`, { reason: 'Patient opéré en urgence' });
    expect(withdrawn.status, withdrawn.text).to.equal(200);
    expect(withdrawn.body).to.include({ state: 'withdrawn', statusReason: 'Patient opéré en urgence' });
    const rejected = await world.api('oncologist', 'POST', `/cases/${b}/reject`, { reason: 'Relève de la RCP de recours régionale' });
    expect(rejected.status, rejected.text).to.equal(200);
    expect(rejected.body.state).to.equal('rejected');
    const reopen = await world.api('oncologist', 'POST', `/cases/${a}/accept`);
    expect(reopen.status).to.equal(409);
    expect(texts(reopen)).to.contain('retiré');
    // The same rule holds for a raw FHIR write of the Task.
    const task = (await world.fhir('surgeon', 'GET', `/Task/${a}`)).body;
    const raw = await world.fhir('surgeon', 'PUT', `/Task/${a}`, { ...task, status: 'accepted' });
    expect(raw.status).to.equal(409);
    expect(rule(raw)).to.equal('case-transition');
    const agenda = (await world.api('oncologist', 'GET', `/sessions/${sessions[1]!.id}`)).body.agenda;
    expect(agenda.entries.find((e: any) => e.case === a)).to.include({ flag: 'withdrawn' });
  });

  it('says on the case who may withdraw it now (mayWithdraw), as the withdrawal itself decides', async () => {
    const p = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(sessions[3]!.id, p));
    expect(registered.status, registered.text).to.equal(201);
    const id = registered.body.case.id;
    const may = async (user: string) => {
      const res = await world.api(user, 'GET', `/cases/${id}`);
      expect(res.status, res.text).to.equal(200);
      return res.body.mayWithdraw;
    };
    // The requester, the board's chair and the 3C; not another physician of the circle of care.
    expect(await may('surgeon')).to.equal(true);
    expect(await may('oncologist')).to.equal(true);
    expect(await may('coordinator')).to.equal(true);
    expect(await may('gastroenterologist')).to.equal(false);
    const refused = await world.api('gastroenterologist', 'POST', `/cases/${id}/withdraw`, { reason: 'Essai' });
    expect(refused.status).to.equal(403);
    expect((await world.api('oncologist', 'POST', `/cases/${id}/accept`)).status).to.equal(200);
    expect(await may('surgeon')).to.equal(true);
    expect((await world.api('surgeon', 'POST', `/cases/${id}/withdraw`, { reason: 'Patient opéré en urgence' })).status).to.equal(200);
    // Withdrawn is final: nobody is offered it any more.
    expect(await may('surgeon')).to.equal(false);
    expect(await may('coordinator')).to.equal(false);
  });
});
