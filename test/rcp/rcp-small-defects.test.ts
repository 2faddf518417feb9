import { expect } from 'chai';
import { FhirError } from '../../server/fhir-kit/errors.ts';
import { trialPhaseLabel } from '../../server/rcp-sheet/print.ts';
import { parseIndicatorQuery } from '../../server/rcp/indicators.ts';
import { assertSessionTransition } from '../../server/rcp/transitions.ts';
import { withIdentity } from '../helpers/identity.ts';
import { DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from './fixtures.ts';
import { professional } from '../helpers/users.ts';

/** The smaller defects of issue 11: messages in words and in good French, limits that say what they mean. */
describe('RCP and FHIR: smaller defects (issue 11)', function () {
  this.timeout(120_000); // the first suite of a run also waits for the database to start
  let world: RcpWorld;
  before(async () => {
    world = await startRcpWorld();
    world.users.nurse = professional('IDEL', ['nurse']);
  });
  after(() => world.close());

  it('French elision: "Impossible d\'ouvrir", not "Impossible de ouvrir"', () => {
    try {
      assertSessionTransition('closed', 'in-progress', 'ouvrir la séance');
      expect.fail('a closed session cannot be opened');
    } catch (error) {
      expect((error as FhirError).message).to.match(/^Impossible d'ouvrir la séance : /);
    }
    expect(() => assertSessionTransition('closed', 'cancelled', 'annuler la séance')).to.throw(/^Impossible d'annuler/);
    expect(() => assertSessionTransition('closed', 'in-progress', 'démarrer la séance')).to.throw(/^Impossible de démarrer/);
  });

  it('the trial phase "phase-3" is printed "Phase 3"', () => {
    expect(trialPhaseLabel('phase-3')).to.equal('Phase 3');
    expect(trialPhaseLabel('phase-1-phase-2')).to.equal('Phase 1/2');
    expect(trialPhaseLabel('Phase 3')).to.equal('Phase 3');
  });

  it('If-Match that is not a version (banana) is a malformed request: 400, not 412', async () => {
    const patient = (await world.fhir('system', 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family: 'Banane' }] }))).body;
    const res = await world.fhir('system', 'PUT', `/Patient/${patient.id}`, patient, { 'if-match': 'banana' });
    expect(res.status).to.equal(400);
    expect(res.body.issue[0].details.text).to.contain('If-Match invalide');
    expect((await world.fhir('system', 'PUT', `/Patient/${patient.id}`, patient, { 'if-match': 'W/"7"' })).status).to.equal(412);
  });

  it('a diagnosis dated in the future is refused (422), whoever writes it', async () => {
    const p = await newPatient(world);
    const res = await world.fhir('system', 'POST', '/Condition', {
      resourceType: 'Condition', subject: { reference: `Patient/${p.patient}` },
      code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7' }] }, onsetDateTime: '2062-03-14',
    });
    expect(res.status, res.text).to.equal(422);
    expect(res.body.issue[0].details.text).to.contain('dans le futur');
    expect(res.body.issue[0].expression).to.deep.equal(['Condition.onsetDateTime']);
  });

  it('a GP saving a decision is told in words what they may not do (403), not which Bundle entry failed', async () => {
    const board = (await world.api('coordinator', 'POST', '/boards', digestiveBoard(world))).body;
    const session = (await world.api('coordinator', 'POST', `/boards/${board.id}/sessions/generate`, {})).body.created[0];
    const p = await newPatient(world);
    const registered = await world.api('surgeon', 'POST', '/cases', registration(session.id, p));
    expect(registered.status, registered.text).to.equal(201);
    const res = await world.api('gp', 'PUT', `/cases/${registered.body.case.id}/decision`, DECISION);
    expect(res.status).to.equal(403);
    const text = res.body.issue[0].details.text;
    expect(text).to.contain('médecin traitant').and.contain('saisir la proposition de la RCP');
    expect(text).to.not.match(/Bundle|entry\[|Condition/);
  });

  it('3C indicators: refused to the GP and the nurse (403); from is required and said so; to includes its whole day', async () => {
    for (const user of ['gp', 'nurse']) {
      const res = await world.api(user, 'GET', '/indicators?from=2026-01-01&to=2026-12-31');
      expect(res.status, user).to.equal(403);
    }
    const missing = await world.api('coordinator', 'GET', '/indicators?to=2026-12-31');
    expect(missing.status).to.equal(400);
    expect(missing.body.issue[0].details.text).to.contain('Paramètre from obligatoire');
    expect((await world.api('coordinator', 'GET', '/indicators?from=2026-01-01&to=2026-12-31')).status).to.equal(200);
    expect(parseIndicatorQuery({ from: '2026-01-01', to: '2026-12-31' }).to).to.equal('2026-12-31T23:59:59.999Z');
  });
});
