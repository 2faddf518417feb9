import { expect } from 'chai';
import type { Condition } from '@medplum/fhirtypes';
import { FhirError } from '../../server/fhir-kit/errors.ts';
import { futureDateMessage } from '../../server/fhir-kit/french-dates.ts';
import { futureDiagnosisDate } from '../../server/record/clinical-dates.ts';
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
    // The date as a French reader writes it: it read « (2062-03-14) ».
    expect(res.body.issue[0].details.text).to.equal("La date du diagnostic (14 mars 2062) est dans le futur : vérifiez l'année et le mois saisis");
    expect(res.body.issue[0].expression).to.deep.equal(['Condition.onsetDateTime']);
  });

  it('every "est dans le futur" message writes its date the French way (one helper): a day, a month, a year, an instant’s Paris day', () => {
    expect(futureDiagnosisDate({ resourceType: 'Condition', subject: {}, onsetDateTime: '2031-01-01' } as Condition, new Date('2026-12-07T12:00:00Z'))!.text)
      .to.equal("La date du diagnostic (1er janvier 2031) est dans le futur : vérifiez l'année et le mois saisis");
    expect(futureDateMessage("La date d'enregistrement du diagnostic", '2031-01')).to.equal("La date d'enregistrement du diagnostic (janvier 2031) est dans le futur");
    expect(futureDateMessage('La date', '2031')).to.equal('La date (2031) est dans le futur');
    // 23:30 UTC on 31 December is already New Year's Day in Paris.
    expect(futureDateMessage('La date de prescription', '2030-12-31T23:30:00Z', 'vérifiez-la')).to.equal('La date de prescription (1er janvier 2031) est dans le futur : vérifiez-la');
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
