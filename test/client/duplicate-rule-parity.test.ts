import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { duplicateReason } from '../../client/src/lib/patient-identity.ts';
import { probablySamePerson } from '../../server/identity/identity-vigilance.ts';

const birthDate = '1961-05-02';
const existing = (family: string, ...given: string[]): Patient => ({ resourceType: 'Patient', name: [{ use: 'official', family, given }], birthDate });

/**
 * RNIV: the creation form warns of a probable duplicate before the patient is created, and the
 * server reports one to the identity-vigilance cell after. Both fold names the same way and compare
 * the first birth first name the same way (a compound name is one name however typed); each side
 * has its own implementation (the client may not import the server), so this holds them equal on
 * the cases the desks meet. The INS case is left out: the form warns on the same INS, the server's
 * rule is about patients whose INS do not contradict each other.
 */
describe('Client: the probable-duplicate rule, as the form and the server apply it (parity)', () => {
  const cases: [string, Patient, { family: string; given: string }, boolean][] = [
    ['same names', existing('Castellani', 'Hélène'), { family: 'CASTELLANI', given: 'Helene' }, true],
    ['the first of several first names', existing('Benali', 'Rachid', 'Karim'), { family: 'Benali', given: 'Rachid' }, true],
    ['a later first name only', existing('Benali', 'Rachid', 'Karim'), { family: 'Benali', given: 'Karim' }, false],
    ['a compound name typed with a space', existing('Martin', 'Jean-Pierre'), { family: 'Martin', given: 'Jean Pierre' }, true],
    ['a compound name as two list entries, typed with a hyphen', existing('Martin', 'François', 'Louis'), { family: 'Martin', given: 'Francois-Louis' }, true],
    ['a compound name in one entry with a space, typed with its first part only', existing('Martin', 'Jean Pierre'), { family: 'Martin', given: 'Jean' }, true],
    ['the first part of a hyphenated compound name', existing('Martin', 'Jean-Pierre'), { family: 'Martin', given: 'Jean' }, false],
    ['a different first name', existing('Martin', 'Jean'), { family: 'Martin', given: 'Jeanne' }, false],
    ['a birth name typed three ways', existing('Le Bihan', 'Gaëlle'), { family: "LE-BIHAN", given: 'gaelle' }, true],
    ['another birth name', existing('Le Bihan', 'Gaëlle'), { family: 'Le Bihan-Morvan', given: 'Gaëlle' }, false],
    ['no first name on file', existing('Martin'), { family: 'Martin', given: 'Jean' }, false],
  ];
  for (const [what, onFile, typed, expected] of cases) {
    it(`${what}: ${expected ? 'a probable duplicate' : 'not a duplicate'} on both sides`, () => {
      const candidate: Patient = { resourceType: 'Patient', name: [{ use: 'official', family: typed.family, given: typed.given.trim().split(/\s+/) }], birthDate };
      expect(duplicateReason({ ...typed, birthDate }, onFile) !== undefined, 'form').to.equal(expected);
      expect(probablySamePerson(candidate, onFile), 'server').to.equal(expected);
    });
  }

  it('another birth date is never a duplicate, on either side', () => {
    const onFile = existing('Martin', 'Jean');
    expect(duplicateReason({ family: 'Martin', given: 'Jean', birthDate: '1961-05-03' }, onFile)).to.equal(undefined);
    expect(probablySamePerson({ ...onFile, id: 'x', birthDate: '1961-05-03' }, onFile)).to.equal(false);
  });
});
