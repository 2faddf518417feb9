import { expect } from 'chai';
import { deName, elidesDe } from '../../client/src/lib/elision.ts';

describe('Client: « de » elided before a name (client/src/lib/elision.ts)', () => {
  it('elides before a vowel, accented or not, upper or lower case', () => {
    expect(deName('Étienne Morel')).to.equal("d'Étienne Morel");
    expect(deName('Anne Vidal')).to.equal("d'Anne Vidal");
    expect(deName('Œdipe Roi')).to.equal("d'Œdipe Roi");
    expect(deName('ursula K.')).to.equal("d'ursula K.");
    expect(deName('Yves Ricci')).to.equal("d'Yves Ricci");
  });
  it('elides before a mute h, not before an aspirated one', () => {
    expect(deName('Hélène Castellani')).to.equal("d'Hélène Castellani");
    expect(deName('Henri Dupont')).to.equal("d'Henri Dupont");
    expect(deName('Hugues Martin')).to.equal('de Hugues Martin');
  });
  it('keeps « de » before a consonant and a y before a vowel; « du » before a title', () => {
    expect(deName('Jean Martin')).to.equal('de Jean Martin');
    expect(deName('Yann Le Goff')).to.equal('de Yann Le Goff');
    expect(deName('Dr Claire Aubert')).to.equal('du Dr Claire Aubert');
    expect(deName('  Étienne ')).to.equal("d'Étienne");
    expect(elidesDe('')).to.equal(false);
    expect(elidesDe('h')).to.equal(false);
  });
});
