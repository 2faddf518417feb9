import { expect } from 'chai';
import { ageOn, dateOnly, daysBetween, fhirPartialDate, formatDate, formatDateTime, formatRelativeDay, formatShortDate, formatWeekday, parisDay, partialDateInput } from '../../client/src/lib/dates.ts';

describe('Client: French dates (client/src/lib/dates.ts)', () => {
  it('shows a FHIR date as written, never shifted by a time zone', () => {
    expect(formatDate('2026-03-12')).to.equal('12 mars 2026');
    expect(formatDate('2026-01-01')).to.equal('1er janvier 2026'); // as the printed documents write it
    expect(formatWeekday('2026-03-01')).to.equal('dimanche 1er mars 2026');
    expect(formatDateTime('2026-02-28T23:30:00Z')).to.equal('1er mars 2026 à 00:30');
    expect(formatDate('2026-03-10')).to.equal('10 mars 2026');
    expect(formatDate('2026-03')).to.equal('mars 2026');
    expect(formatDate('2026')).to.equal('2026');
    expect(formatShortDate('2026-03-02')).to.equal('02/03/2026');
    expect(formatWeekday('2026-03-12')).to.equal('jeudi 12 mars 2026');
  });

  it('shows a moment in Paris time, summer and winter', () => {
    expect(formatDateTime('2026-03-12T13:05:00Z')).to.equal('12 mars 2026 à 14:05');
    expect(formatDateTime('2026-07-01T22:30:00Z')).to.equal('2 juillet 2026 à 00:30');
    expect(formatDate('2026-07-01T22:30:00Z')).to.equal('2 juillet 2026'); // the Paris day
    expect(parisDay(new Date('2026-12-31T23:30:00Z'))).to.equal('2027-01-01');
  });

  it('reads a date known to the day, the month or the year as typed in French, into a FHIR partial date', () => {
    expect(['14/03/2019', '1/3/2019', '03/2019', '3/2019', '2012', '14.03.2019'].map(fhirPartialDate)).to.deep.equal(['2019-03-14', '2019-03-01', '2019-03', '2019-03', '2012', '2019-03-14']);
    expect(['2019-03-14', '2019-03'].map(fhirPartialDate)).to.deep.equal(['2019-03-14', '2019-03']); // a FHIR date as it is
    expect(['31/02/2019', '29/02/2023', '13/2019', '2019-13', 'mars 2019', '', '19'].map(fhirPartialDate)).to.deep.equal(Array(7).fill(undefined));
    expect(fhirPartialDate('29/02/2024')).to.equal('2024-02-29');
    expect(['2019-03-14', '2019-03', '2012', 'hier', undefined].map(partialDateInput)).to.deep.equal(['14/03/2019', '03/2019', '2012', 'hier', '']);
  });

  it('says an unreadable or missing date plainly', () => {
    expect(formatDate(undefined)).to.equal('—');
    expect(formatDate('pas une date')).to.equal('—');
    expect(formatDateTime('', 'inconnue')).to.equal('inconnue');
  });

  it('counts days and ages on calendar dates', () => {
    expect(daysBetween('2026-02-27', '2026-03-02')).to.equal(3);
    expect(daysBetween('2026-03-29', '2026-03-30')).to.equal(1); // across the switch to summer time
    expect(ageOn('1958-06-15', '2026-06-14')).to.equal(67);
    expect(ageOn('1958-06-15', '2026-06-15')).to.equal(68);
    expect(dateOnly('2026-07-01T22:30:00Z')).to.equal('2026-07-02');
  });

  it('says a date relative to today in words', () => {
    expect(formatRelativeDay('2026-03-12', '2026-03-12')).to.equal("aujourd’hui");
    expect(formatRelativeDay('2026-03-13', '2026-03-12')).to.equal('demain');
    expect(formatRelativeDay('2026-03-09', '2026-03-12')).to.equal('il y a 3 jours');
    expect(formatRelativeDay('2026-03-26', '2026-03-12')).to.equal('dans 2 semaines');
    expect(formatRelativeDay('2025-12-12', '2026-03-12')).to.equal('il y a 3 mois');
  });
});
