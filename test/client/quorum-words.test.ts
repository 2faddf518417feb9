import { expect } from 'chai';
import { carriedOverSentence, mandatedName, specialitiesCount, specialityName } from '../../client/src/lib/quorum-words.ts';

describe('Client: the quorum in words (client/src/lib/quorum-words.ts)', () => {
  it('names a mandated speciality by its role and the specialities that fill it, as the board page lists them', () => {
    expect(mandatedName({ label: 'Chirurgien', anyOf: [{ code: 'SM20', display: 'Gynécologie-obstétrique (SM)' }] })).to.equal('Chirurgien — Gynécologie-obstétrique');
    // Never a bare code: a speciality without its name is left out (the server names the R38 codes it knows).
    expect(mandatedName({ label: 'Chirurgien', anyOf: [{ code: 'SM14' }, { code: 'SM11', display: 'Chirurgie thoracique' }] })).to.equal('Chirurgien — Chirurgie thoracique');
    expect(mandatedName({ label: 'Chirurgien', anyOf: [{ code: 'SM20' }] })).to.equal('Chirurgien');
    expect(mandatedName({ label: 'Pneumologie (SM)', anyOf: [{ code: 'SM41', display: 'Pneumologie (SM)' }] })).to.equal('Pneumologie');
  });

  it('names every speciality in one form, without the R38 suffix « (SM) » some labels carry (QA: « Gynécologie-obstétrique (SM) ; Oncologie, option médicale »)', () => {
    const missing = [
      { label: 'Chirurgien', anyOf: [{ code: 'SM20', display: 'Gynécologie-obstétrique (SM)' }] },
      { label: 'Oncologue médical', anyOf: [{ code: 'SM36', display: 'Oncologie, option médicale' }] },
    ];
    expect(missing.map(mandatedName).join(' ; ')).to.equal('Chirurgien — Gynécologie-obstétrique ; Oncologue médical — Oncologie, option médicale');
    expect(specialityName('Oncologie, option médicale (SM)')).to.equal('Oncologie, option médicale');
    expect(specialityName('Oncologie, option médicale')).to.equal('Oncologie, option médicale');
  });

  it('counts and plurals in French (« 4 sur 3 requises », « 1 dossier(s) non discuté(s) seront reportés »)', () => {
    expect(specialitiesCount(4, 3)).to.equal('4 spécialités présentes — il en faut au moins 3');
    expect(specialitiesCount(1, 3)).to.equal('1 spécialité présente — il en faut au moins 3');
    // Not « Spécialité présente : 0 »: none present is said in words.
    expect(specialitiesCount(0, 3)).to.equal('Aucune spécialité présente — il en faut au moins 3');
    expect(carriedOverSentence(1)).to.equal('1 dossier non discuté sera reporté à la séance suivante.');
    expect(carriedOverSentence(2)).to.equal('2 dossiers non discutés seront reportés à la séance suivante.');
  });
});
