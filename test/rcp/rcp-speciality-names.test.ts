import { expect } from 'chai';
import { mandatedName } from '../../client/src/lib/quorum-words.ts';
import { digestiveBoard, startRcpWorld, type RcpWorld } from './fixtures.ts';

/**
 * QA: meeting mode read « Spécialités obligatoires absentes : Chirurgien — SM20 » where the board
 * page says « Gynécologie-obstétrique (SM) ». A board given bare R38 codes gets their names from
 * the R38 table, so the quorum the meeting page shows names every mandated speciality.
 */
describe('RCP quorum: a mandated speciality given by its bare R38 code is named', () => {
  let world: RcpWorld;
  before(async () => { world = await startRcpWorld(new Date('2026-03-02T08:00:00Z')); });
  after(() => world.close());

  it('the breast board\'s SM20 reads « Gynécologie-obstétrique », never « SM20 »', async () => {
    const created = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world, {
      name: 'RCP sénologie de test',
      quorum: {
        minSpecialities: 3, relevantSpecialities: ['SM20', 'SM36', 'SM37', 'SM01'], writtenOpinionCounts: false,
        mandated: [{ label: 'Chirurgien', anyOf: ['SM20'] }, { label: 'Oncologue médical', anyOf: ['SM36'] }],
      },
    }));
    expect(created.status, created.text).to.equal(201);
    const sessions = (await world.api('coordinator', 'POST', `/boards/${created.body.id}/sessions/generate`, {})).body.created;
    const quorum = (await world.api('coordinator', 'GET', `/sessions/${sessions[0].id}/quorum`)).body;
    const chirurgien = quorum.missingMandated.find((m: any) => m.label === 'Chirurgien');
    expect(chirurgien.anyOf[0]).to.include({ code: 'SM20', display: 'Gynécologie-obstétrique' });
    expect(quorum.reasons).to.include('spécialité obligatoire absente : Chirurgien');
    const sentence = quorum.missingMandated.map(mandatedName).join(' ; ');
    // Named in the meeting's one form, without the R38 suffix « (SM) » (client/src/lib/quorum-words.ts).
    expect(sentence).to.contain('Chirurgien — Gynécologie-obstétrique ;').and.not.to.match(/SM\d|\(SM\)/);
  });
});
