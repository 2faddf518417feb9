import { expect } from 'chai';
import { calendarStatusOf, statusCounts, statusSummary } from '../../client/src/lib/calendar-status.ts';

describe('Client: calendar status of a surveillance or care line (client/src/lib/calendar-status.ts)', () => {
  it('reads the states the summaries write, and nothing else', () => {
    expect(calendarStatusOf('EN RETARD')).to.equal('overdue');
    expect(calendarStatusOf(' réalisée ')).to.equal('done');
    expect(calendarStatusOf('à venir')).to.equal('upcoming');
    expect(calendarStatusOf('annulée')).to.equal('cancelled');
    expect(calendarStatusOf('prescrit')).to.equal(undefined);
    expect(calendarStatusOf('Consultation en retard de 3 jours')).to.equal(undefined); // a sentence is not a status cell
  });

  it('sums up a calendar in words', () => {
    const counts = statusCounts(['réalisée', 'réalisée', 'EN RETARD', 'à venir', 'Dr Lambert']);
    expect(counts).to.deep.equal({ done: 2, overdue: 1, upcoming: 1, cancelled: 0 });
    expect(statusSummary(counts)).to.equal('2 réalisées, 1 en retard, 1 à venir');
    expect(statusSummary(statusCounts([]))).to.equal('');
  });
});
