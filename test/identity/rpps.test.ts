import { expect } from 'chai';
import {
  ESTABLISHMENT_ID_SYSTEM,
  FINESS_SYSTEM,
  IDNPS_SYSTEM,
  RPPS_SYSTEM,
  establishmentIdFromFiness,
  finessCheckDigit,
  idnpsFromRpps,
  isLuhnValid,
  isValidFiness,
  isValidRpps,
  luhnCheckDigit,
  rppsCheckDigit,
  rppsFromIdnps,
} from '../../server/identity/rpps.ts';

describe('identity/rpps', () => {
  describe('Luhn', () => {
    it('matches the textbook example', () => {
      expect(isLuhnValid('79927398713')).to.equal(true);
      expect(isLuhnValid('79927398710')).to.equal(false);
      expect(luhnCheckDigit('7992739871')).to.equal(3);
    });

    it('rejects non-digits', () => {
      expect(isLuhnValid('')).to.equal(false);
      expect(isLuhnValid('7992739871a')).to.equal(false);
      expect(() => luhnCheckDigit('12a')).to.throw(RangeError);
    });
  });

  describe('RPPS', () => {
    // RPPS of ANS test CPS cards (IDNPS 810002813839, 810002909371)
    const valid = ['10002813839', '10002909371'];

    it('accepts RPPS numbers with a valid Luhn key', () => {
      for (const rpps of valid) expect(isValidRpps(rpps), rpps).to.equal(true);
    });

    it('computes the key from the first 10 digits', () => {
      expect(rppsCheckDigit('1000281383')).to.equal(9);
      expect(rppsCheckDigit('1000290937')).to.equal(1);
      expect(() => rppsCheckDigit('100029093')).to.throw(RangeError);
    });

    it('rejects a wrong key', () => {
      expect(isValidRpps('10002813838')).to.equal(false);
      expect(isValidRpps('10002909370')).to.equal(false);
    });

    it('rejects bad lengths and characters', () => {
      for (const bad of ['', '1000281383', '100028138390', '1000281383X', ' 10002813839', '810002813839']) {
        expect(isValidRpps(bad), JSON.stringify(bad)).to.equal(false);
      }
    });

    it("derives the IDNPS as '8' + RPPS and back", () => {
      expect(idnpsFromRpps('10002813839')).to.equal('810002813839');
      expect(rppsFromIdnps('810002813839')).to.equal('10002813839');
      expect(() => idnpsFromRpps('10002813838')).to.throw(RangeError);
    });

    it('returns no RPPS for ADELI-based or malformed IDNPS', () => {
      expect(rppsFromIdnps('0123456789')).to.equal(undefined);
      expect(rppsFromIdnps('810002813838')).to.equal(undefined);
      expect(rppsFromIdnps('81000281383')).to.equal(undefined);
      expect(rppsFromIdnps('8100028138390')).to.equal(undefined);
    });
  });

  describe('FINESS', () => {
    it('accepts published FINESS numbers', () => {
      for (const finess of ['750712184', '130786049', '010003820', '010003812']) {
        expect(isValidFiness(finess), finess).to.equal(true);
      }
    });

    it('rejects a wrong key', () => {
      expect(isValidFiness('750712185')).to.equal(false);
      expect(isValidFiness('130786048')).to.equal(false);
    });

    it('computes the key from the first 8 digits', () => {
      expect(finessCheckDigit('75071218')).to.equal(4);
      expect(() => finessCheckDigit('7507121')).to.throw(RangeError);
    });

    it('only format-checks Corsican (2A/2B) numbers', () => {
      expect(isValidFiness('2A0000123')).to.equal(true);
      expect(isValidFiness('2B0000456')).to.equal(true);
      expect(isValidFiness('2C0000456')).to.equal(false);
      expect(isValidFiness('2A000012')).to.equal(false);
    });

    it('rejects bad lengths and characters', () => {
      for (const bad of ['', '75071218', '7507121840', '75071218A', 'A50712184']) {
        expect(isValidFiness(bad), JSON.stringify(bad)).to.equal(false);
      }
    });

    it("derives the establishment id as '1' + FINESS", () => {
      expect(establishmentIdFromFiness('130786049')).to.equal('1130786049');
      expect(() => establishmentIdFromFiness('130786048')).to.throw(RangeError);
    });
  });

  it('exposes the identifier systems', () => {
    expect(IDNPS_SYSTEM).to.equal('urn:oid:1.2.250.1.71.4.2.1');
    expect(RPPS_SYSTEM).to.equal('https://rpps.esante.gouv.fr');
    expect(FINESS_SYSTEM).to.equal('https://finess.esante.gouv.fr');
    expect(ESTABLISHMENT_ID_SYSTEM).to.equal('urn:oid:1.2.250.1.71.4.2.2');
  });
});
