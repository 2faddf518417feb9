import { expect } from 'chai';
import type { Composition, HumanName, Patient } from '@medplum/fhirtypes';
import { patientDisplayName as onPageDisplayName, usedName as onPage } from '../../client/src/lib/patient-identity.ts';
import { patientDisplayName as inDocumentsDisplayName, usedFamilyName as inDocuments } from '../../server/identity/index.ts';
import { printableSheet } from '../../server/rcp-sheet/print.ts';
import type { RcpSheetContent } from '../../server/rcp-sheet/read.ts';

const patient = (...name: HumanName[]): Patient => ({ resourceType: 'Patient', name, gender: 'female', birthDate: '1958-03-14' });
const official = (family: string, ...given: string[]): HumanName => ({ use: 'official', family, given });
const usual = (family: string, ...given: string[]): HumanName => ({ use: 'usual', family, given });

/** The « Nom utilisé » row of the printed RCP sheet's patient box, or undefined. */
function printedUsedName(p: Patient): string | undefined {
  const content = { data: {}, composition: { resourceType: 'Composition', subject: { reference: 'Patient/p' } } as Composition, patient: p, unresolved: [] } as unknown as RcpSheetContent;
  const box = printableSheet(content).header.find((s) => s.key === 'header')!.blocks[0]!;
  return box.kind === 'fields' ? box.rows.find(([k]) => k === 'Nom utilisé')?.[1] : undefined;
}

/**
 * RNIV: the used name (« nom utilisé ») is shown apart from the birth name, and only when it is
 * another name. The hospital pages, the printed RCP sheet and the printed PPS each had their own
 * rule (the sheet printed « CASTELLANI Hélène » as a used name, the pages showed « Castellani »
 * written otherwise): one rule now, the client mirroring the server's.
 */
describe('Client: the used name, as the printouts give it (parity with server/identity/patient-name.ts)', () => {
  const cases: [string, Patient, string | undefined][] = [
    ['used name equal to the birth name', patient(official('Castellani', 'Hélène', 'Marie'), usual('Castellani', 'Hélène')), undefined],
    ['used name equal to the birth name but for capitals and spaces', patient(official('Castellani', 'Hélène'), usual(' CASTELLANI ', 'Hélène')), undefined],
    ['no used name', patient(official('Castellani', 'Hélène', 'Marie')), undefined],
    ['a used name without a family name', patient(official('Castellani', 'Hélène'), { use: 'usual', given: ['Lena'] }), undefined],
    ['a different used name (married name)', patient(official('Castellani', 'Hélène', 'Marie'), usual('Marchetti', 'Hélène')), 'MARCHETTI'],
    ['the used name listed first', patient(usual('Marchetti', 'Hélène'), official('Castellani', 'Hélène', 'Marie')), 'MARCHETTI'],
    ['several first names, the used name with fewer', patient(official('Benali', 'Rachid', 'Karim', 'Youssef'), usual('Benali', 'Karim')), undefined],
    ['several first names and a different used name', patient(official('Nguyễn', 'Thị', 'Lan'), usual('Lefèvre', 'Lan', 'Marie')), 'LEFÈVRE'],
    ['a hyphenated used name (both names joined)', patient(official('Le Bihan', 'Gaëlle'), usual('Le Bihan-Morvan', 'Gaëlle')), 'LE BIHAN-MORVAN'],
    ['a hyphenated birth name, the same in capitals', patient(official('Saint-Exupéry', 'Anne'), usual('SAINT-EXUPÉRY', 'Anne')), undefined],
    ['no official name: the first plain name is the birth name', patient({ use: 'old', family: 'Martin', given: ['Anne'] }, usual('Durand', 'Anne'), usual('Roux', 'Anne')), 'ROUX'],
    ['only a used name', patient(usual('Durand', 'Anne')), undefined],
    ['no name at all', { resourceType: 'Patient' }, undefined],
  ];
  for (const [what, p, expected] of cases) {
    it(`${what}: the pages and the printouts agree`, () => {
      expect(onPage(p), 'page').to.equal(expected);
      expect(inDocuments(p), 'server rule').to.equal(expected);
      expect(printedUsedName(p), 'printed RCP sheet').to.equal(expected);
      expect(onPageDisplayName(p), 'display name').to.equal(inDocumentsDisplayName(p));
    });
  }

  it('the display name reads the birth name the same way on both sides (an old name never shown)', () => {
    const p = patient({ use: 'old', family: 'Martin', given: ['Anne'] }, { family: 'Durand', given: ['Anne', 'Marie'] });
    expect(onPageDisplayName(p)).to.equal('DURAND Anne Marie');
    expect(onPageDisplayName(p)).to.equal(inDocumentsDisplayName(p));
    expect(onPageDisplayName(patient({ text: 'Anne Durand' }))).to.equal(inDocumentsDisplayName(patient({ text: 'Anne Durand' })));
  });
});
