import { expect } from 'chai';
import { registrationDeadline } from '../../server/rcp/sessions.ts';

const board = { registrationCutoffHours: 24 };

/**
 * QA: a session opened today instead of in two days (« Reprogrammer à aujourd'hui et ouvrir ») read
 * « Clôture des inscriptions » the day before, before a case registered that morning. A session
 * moved earlier does not close its registrations before the move; never after its start.
 */
describe('RCP registration deadline (registrationDeadline)', () => {
  it('is the board\u2019s cut-off before the session', () => {
    expect(registrationDeadline({ start: '2026-12-08T12:00:00.000Z' }, board).toISOString()).to.equal('2026-12-07T12:00:00.000Z');
  });

  it('a session rescheduled to today at its opening closed its registrations at the move, not the day before', () => {
    const now = '2026-12-06T21:02:00.000Z';
    const session = { start: now, originalStart: '2026-12-08T12:00:00.000Z', override: 'moved' as const, movedAt: now, startedAt: now };
    expect(registrationDeadline(session, board).toISOString()).to.equal(now);
    // Stored before `movedAt` was kept: the opening is the move.
    expect(registrationDeadline({ ...session, movedAt: undefined }, board).toISOString()).to.equal(now);
  });

  it('moved earlier well ahead, the cut-off holds; moved within it, registrations close at the move; moved later, the cut-off of the new date', () => {
    const earlier = { start: '2026-12-15T12:00:00.000Z', originalStart: '2026-12-20T12:00:00.000Z', override: 'moved' as const };
    expect(registrationDeadline({ ...earlier, movedAt: '2026-12-01T09:00:00.000Z' }, board).toISOString()).to.equal('2026-12-14T12:00:00.000Z');
    expect(registrationDeadline({ ...earlier, movedAt: '2026-12-14T20:00:00.000Z' }, board).toISOString()).to.equal('2026-12-14T20:00:00.000Z');
    const later = { start: '2026-12-22T12:00:00.000Z', originalStart: '2026-12-20T12:00:00.000Z', override: 'moved' as const, movedAt: '2026-12-19T20:00:00.000Z' };
    expect(registrationDeadline(later, board).toISOString()).to.equal('2026-12-21T12:00:00.000Z');
  });
});
