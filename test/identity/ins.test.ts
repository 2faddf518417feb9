import { expect } from 'chai';
import {
  INS_NIA_SYSTEM,
  INS_NIR_DEMO_SYSTEM,
  INS_NIR_SYSTEM,
  INS_NIR_TEST_SYSTEM,
  IDENTITY_STATUSES,
  insNirKey,
  isIdentityStatus,
  isValidInsNir,
  mayShareIns,
  withInsNirKey,
} from '../../server/identity/ins.ts';

describe('identity/ins', () => {
  describe('insNirKey', () => {
    it('computes 97 − (NIR mod 97) on published examples', () => {
      expect(insNirKey('1891275125012')).to.equal(82);
      expect(insNirKey('2690549588157')).to.equal(80);
    });

    it('substitutes 19 for 2A and 18 for 2B (Corsica)', () => {
      expect(insNirKey('258032A004123')).to.equal(insNirKey('2580319004123'));
      expect(insNirKey('146092B033045')).to.equal(insNirKey('1460918033045'));
      expect(insNirKey('258032A004123')).to.equal(36);
      expect(insNirKey('146092B033045')).to.equal(5);
    });

    it('throws on a malformed NIR', () => {
      for (const bad of ['', '189127512501', '18912751250123', '1891275A25012', '258032C004123', '089127512501x', '989127512501']) {
        expect(() => insNirKey(bad), bad).to.throw(RangeError);
      }
    });
  });

  describe('isValidInsNir', () => {
    it('accepts a NIR with its correct key', () => {
      expect(isValidInsNir('189127512501282')).to.equal(true);
      expect(isValidInsNir('269054958815780')).to.equal(true);
    });

    it('rejects a wrong key', () => {
      expect(isValidInsNir('189127512501283')).to.equal(false);
      expect(isValidInsNir('189127512501200')).to.equal(false);
      expect(isValidInsNir('269054958815708')).to.equal(false);
    });

    it('rejects a transposition in the NIR body', () => {
      expect(isValidInsNir('198127512501282')).to.equal(false);
    });

    it('handles Corsican departments', () => {
      expect(isValidInsNir('258032A00412336')).to.equal(true);
      expect(isValidInsNir('146092B03304505')).to.equal(true);
      // same digits in 2B (→ 18) need another key; letters are case-sensitive
      expect(isValidInsNir('258032B00412336')).to.equal(false);
      expect(isValidInsNir('258032a00412336')).to.equal(false);
    });

    it('keeps a zero-padded key', () => {
      expect(isValidInsNir('146092B03304505')).to.equal(true);
      expect(isValidInsNir('146092B0330455')).to.equal(false);
    });

    it('rejects bad lengths and characters', () => {
      for (const bad of ['', '18912751250128', '1891275125012822', '189127512501282 ', ' 189127512501282', '1891275125012AB', '18912 751250128']) {
        expect(isValidInsNir(bad), JSON.stringify(bad)).to.equal(false);
      }
      expect(isValidInsNir(undefined as unknown as string)).to.equal(false);
    });

    it('withInsNirKey appends the zero-padded key', () => {
      expect(withInsNirKey('146092B033045')).to.equal('146092B03304505');
      expect(isValidInsNir(withInsNirKey('2720629019214'))).to.equal(true);
    });
  });

  describe('vocabulary', () => {
    it('exposes the INS systems', () => {
      expect(INS_NIR_SYSTEM).to.equal('urn:oid:1.2.250.1.213.1.4.8');
      expect(INS_NIA_SYSTEM).to.equal('urn:oid:1.2.250.1.213.1.4.9');
      expect(INS_NIR_TEST_SYSTEM).to.equal('urn:oid:1.2.250.1.213.1.4.10');
      expect(INS_NIR_DEMO_SYSTEM).to.equal('urn:oid:1.2.250.1.213.1.4.11');
    });

    it('knows the four RNIV statuses and shares the INS only when qualified', () => {
      expect(IDENTITY_STATUSES).to.have.members(['PROV', 'RECUP', 'VALI', 'QUAL']);
      expect(isIdentityStatus('QUAL')).to.equal(true);
      expect(isIdentityStatus('qual')).to.equal(false);
      expect(isIdentityStatus(undefined)).to.equal(false);
      expect(IDENTITY_STATUSES.filter(mayShareIns)).to.deep.equal(['QUAL']);
      expect(mayShareIns(undefined)).to.equal(false);
    });
  });
});
