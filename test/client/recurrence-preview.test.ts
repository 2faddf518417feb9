import { expect } from 'chai';
import { nextDates } from '../../client/src/pages/coordination/recurrence-preview.ts';

describe('Client: a board\'s "Prochaines dates" preview (client/src/pages/coordination/recurrence-preview.ts)', () => {
  it('starts from today, not from the rule\'s first date (the reviewer saw August dates in December)', () => {
    // 2nd and 4th Tuesdays since 1 Aug 2026, seen on 7 Dec 2026: 8 and 22 Dec, then January.
    expect(nextDates('FREQ=MONTHLY;BYDAY=+2TU,+4TU', '2026-08-01', 4, '13:00', '2026-12-07'))
      .to.deep.equal(['2026-12-08', '2026-12-22', '2027-01-12', '2027-01-26']);
    // Today's own session is still to come.
    expect(nextDates('FREQ=MONTHLY;BYDAY=2TU', '2026-08-01', 1, '13:00', '2026-12-08')).to.deep.equal(['2026-12-08']);
  });

  it('keeps a fortnightly rhythm in phase with its start', () => {
    // Every other Friday from 7 Aug 2026 falls on 11 Dec, not on 18 Dec; from 14 Aug, the reverse.
    expect(nextDates('FREQ=WEEKLY;INTERVAL=2;BYDAY=FR', '2026-08-07', 2, '13:00', '2026-12-07')).to.deep.equal(['2026-12-11', '2026-12-25']);
    expect(nextDates('FREQ=WEEKLY;INTERVAL=2;BYDAY=FR', '2026-08-14', 2, '13:00', '2026-12-07')).to.deep.equal(['2026-12-18', '2027-01-01']);
  });

  it('starts from the rule\'s start when it is still ahead, and says nothing for a bad rule or date', () => {
    expect(nextDates('FREQ=WEEKLY;BYDAY=MO', '2027-03-01', 2, '08:00', '2026-12-07')).to.deep.equal(['2027-03-01', '2027-03-08']);
    expect(nextDates('FREQ=NOPE', '2026-08-01', 2, '13:00', '2026-12-07')).to.deep.equal([]);
    expect(nextDates('FREQ=WEEKLY;BYDAY=MO', '', 2)).to.deep.equal([]);
  });
});
