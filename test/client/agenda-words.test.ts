import { expect } from 'chai';
import { stateWithNote } from '../../client/src/lib/agenda-words.ts';

describe('Client: an agenda line\'s state said once (client/src/lib/agenda-words.ts)', () => {
  it('keeps a note that restates the state as it is, joins any other', () => {
    expect(stateWithNote('Reporté à la séance suivante', 'Reporté à la séance suivante (quorum non atteint) : séance du mardi 24 novembre 2026'))
      .to.equal('Reporté à la séance suivante (quorum non atteint) : séance du mardi 24 novembre 2026');
    expect(stateWithNote('Déplacé', 'Déplacé vers la séance du mardi 12 janvier 2027 : chirurgien absent')).to.equal('Déplacé vers la séance du mardi 12 janvier 2027 : chirurgien absent');
    expect(stateWithNote('Refusé', 'Relève de la RCP sénologie')).to.equal('Refusé : Relève de la RCP sénologie');
    expect(stateWithNote('Refusé', undefined)).to.equal('Refusé');
  });
});
