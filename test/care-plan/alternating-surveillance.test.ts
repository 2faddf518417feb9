import { expect } from 'chai';
import { addDays, addMonths, isIsoDate } from '../../server/fhir-kit/dates.ts';
import { longDate } from '../../server/fhir-kit/french-dates.ts';
import { generateAlternatingSurveillance } from '../../server/care-plan/surveillance.ts';
import { FhirError } from '../../server/fhir-kit/errors.ts';

describe('Care plan: alternating surveillance calendar (PPAC)', () => {
  it('every 6 months for 5 years: 10 visits alternating hospital specialist and GP', () => {
    const visits = generateAlternatingSurveillance({ start: '2026-03-15', intervalMonths: 6, years: 5, first: 'hospital' });
    expect(visits).to.have.length(10);
    expect(visits.map((v) => v.setting)).to.deep.equal(['hospital', 'gp', 'hospital', 'gp', 'hospital', 'gp', 'hospital', 'gp', 'hospital', 'gp']);
    expect(visits.map((v) => v.date)).to.deep.equal([
      '2026-09-15', '2027-03-15', '2027-09-15', '2028-03-15', '2028-09-15',
      '2029-03-15', '2029-09-15', '2030-03-15', '2030-09-15', '2031-03-15',
    ]);
    expect(visits.map((v) => v.number)).to.deep.equal([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);
    expect(visits.at(-1)!.monthsAfterStart).to.equal(60);
  });

  it('starting with the GP alternates the other way', () => {
    const visits = generateAlternatingSurveillance({ start: '2026-01-10', intervalMonths: 3, years: 1, first: 'gp' });
    expect(visits.map((v) => `${v.date} ${v.setting}`)).to.deep.equal(['2026-04-10 gp', '2026-07-10 hospital', '2026-10-10 gp', '2027-01-10 hospital']);
  });

  it('month ends: 31 August + 6 months is the last day of February, and the series does not drift', () => {
    const visits = generateAlternatingSurveillance({ start: '2026-08-31', intervalMonths: 6, years: 3, first: 'hospital' });
    // 2027 is not a leap year, 2028 is.
    expect(visits.map((v) => v.date)).to.deep.equal(['2027-02-28', '2027-08-31', '2028-02-29', '2028-08-31', '2029-02-28', '2029-08-31']);
  });

  it('leap years: 29 February + 12 months is 28 February, + 48 months is 29 February again; 2100 is not a leap year', () => {
    expect(addMonths('2024-02-29', 12)).to.equal('2025-02-28');
    expect(addMonths('2024-02-29', 48)).to.equal('2028-02-29');
    expect(addMonths('2096-02-29', 48)).to.equal('2100-02-28');
    expect(addMonths('1996-02-29', 48)).to.equal('2000-02-29');
    expect(addMonths('2026-01-31', 1)).to.equal('2026-02-28');
    expect(addMonths('2026-03-31', 1)).to.equal('2026-04-30');
    expect(addMonths('2026-12-15', 1)).to.equal('2027-01-15');
    expect(addMonths('2026-01-15', -2)).to.equal('2025-11-15');
    expect(addDays('2028-02-28', 1)).to.equal('2028-02-29');
    expect(addDays('2027-02-28', 1)).to.equal('2027-03-01');
    expect(isIsoDate('2027-02-29')).to.equal(false);
    expect(isIsoDate('2028-02-29')).to.equal(true);
  });

  it('exams go with the visits they belong to: yearly, or only at the hospital', () => {
    const visits = generateAlternatingSurveillance({
      start: '2026-06-30', intervalMonths: 6, years: 2, first: 'hospital',
      exams: [
        { display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 },
        { display: 'Dosage de l’ACE' },
      ],
    });
    expect(visits.map((v) => v.exams.map((e) => e.display))).to.deep.equal([
      ['Dosage de l’ACE'],
      ['Scanner thoraco-abdomino-pelvien', 'Dosage de l’ACE'],
      ['Dosage de l’ACE'],
      ['Scanner thoraco-abdomino-pelvien', 'Dosage de l’ACE'],
    ]);
    const hospitalOnly = generateAlternatingSurveillance({ start: '2026-06-30', intervalMonths: 12, years: 4, first: 'gp', exams: [{ display: 'Coloscopie', everyMonths: 24, with: 'hospital' }] });
    expect(hospitalOnly.map((v) => `${v.setting}:${v.exams.length}`)).to.deep.equal(['gp:0', 'hospital:1', 'gp:0', 'hospital:1']);
  });

  it('a malformed scheme is refused with the field named', () => {
    const fails = (scheme: any, field: string) => {
      try {
        generateAlternatingSurveillance(scheme);
      } catch (error) {
        expect(error).to.be.instanceOf(FhirError);
        expect((error as FhirError).status).to.equal(400);
        expect((error as FhirError).outcome.issue[0]!.expression).to.deep.equal([field]);
        return;
      }
      expect.fail(`accepted ${JSON.stringify(scheme)}`);
    };
    fails({ start: '2026-02-30', intervalMonths: 6, years: 5, first: 'gp' }, 'surveillance.start');
    fails({ start: '2026-02-01', intervalMonths: 0, years: 5, first: 'gp' }, 'surveillance.intervalMonths');
    fails({ start: '2026-02-01', intervalMonths: 6, years: 0, first: 'gp' }, 'surveillance.years');
    fails({ start: '2026-02-01', intervalMonths: 6, years: 5, first: 'clinic' }, 'surveillance.first');
    fails({ start: '2026-02-01', intervalMonths: 6, years: 5, first: 'gp', exams: [{ display: '' }] }, 'surveillance.exams[0].display');
    // Yearly at the hospital while the hospital visits fall at 6, 18, 30… months: it would never happen.
    fails({ start: '2026-02-01', intervalMonths: 6, years: 5, first: 'hospital', exams: [{ display: 'Scanner', everyMonths: 12, with: 'hospital' }] }, 'surveillance.exams[0]');
  });

  it('dates read in French', () => {
    expect(longDate('2027-02-01')).to.equal('1er février 2027');
    expect(longDate('2026-08-31T09:30:00+02:00')).to.equal('31 août 2026');
  });
});
