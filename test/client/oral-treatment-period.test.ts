import { expect } from 'chai';
import type { MedicationRequest } from '@medplum/fhirtypes';
import { oralTreatmentPeriod as onPage } from '../../client/src/lib/oral-treatment-period.ts';
import { oralTreatmentPeriod as inDocuments } from '../../server/care-plan/oral-treatment.ts';

const line = (start?: string, end?: string, sequence?: number) => ({ ...(sequence ? { sequence } : {}), timing: { repeat: { boundsPeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } } });
const request = (dosageInstruction: unknown[]): MedicationRequest => ({ resourceType: 'MedicationRequest', status: 'active', intent: 'plan', subject: { reference: 'Patient/p' }, dosageInstruction } as MedicationRequest);

/** The hospital PPS page showed « à préciser » for an oral treatment the PDF dated: both now read its dates one way. */
describe('Client: the dates of an oral treatment, as the printed PPS gives them', () => {
  const cases: [string, MedicationRequest | undefined][] = [
    ['one dosage line (tamoxifen, 5 years)', request([line('2027-03-15', '2031-10-19')])],
    ['one line per cycle', request([line('2027-01-18', '2027-01-31', 1), line('2027-02-08', '2027-02-21', 2), line('2027-03-01', '2027-03-14', 3)])],
    ['an open end', request([line('2027-03-15')])],
    ['no dates', request([{ text: '20 mg par jour' }])],
    ['no request', undefined],
  ];
  for (const [what, r] of cases) {
    it(`${what}: the page and the documents agree`, () => expect(onPage(r)).to.deep.equal(inDocuments(r)));
  }
  it('from the first cycle’s start to the last cycle’s end', () => {
    expect(onPage(cases[0]![1])).to.deep.equal({ start: '2027-03-15', end: '2031-10-19' });
    expect(onPage(cases[1]![1])).to.deep.equal({ start: '2027-01-18', end: '2027-03-14' });
    expect(onPage(cases[3]![1])).to.equal(undefined);
  });
});
