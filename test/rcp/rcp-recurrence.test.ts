import { expect } from 'chai';
import { meetingDateTime } from '../../server/fhir-kit/french-dates.ts';
import { instantToZoned, occurrencesBetween, scheduleProblems, zonedTimeToInstant, type BoardSchedule } from '../../server/rcp/recurrence.ts';

const SCHEDULE: BoardSchedule = { rrule: 'FREQ=MONTHLY;BYDAY=+2TU,+4TU', startTime: '14:00', endTime: '16:00', from: '2026-01-01', timeZone: 'Europe/Paris' };
const range = (from: string, to: string) => [new Date(from), new Date(to)] as const;

/** Board recurrence in Europe/Paris: RRULE plus date overrides (holiday, moved, extra). */
describe('RCP recurrence (rrule, Europe/Paris, date overrides)', () => {
  it('2nd and 4th Tuesday at 14:00 Paris time, across the change to summer time', () => {
    const { sessions } = occurrencesBetween(SCHEDULE, [], ...range('2026-03-01T00:00:00Z', '2026-05-01T00:00:00Z'));
    expect(sessions.map((s) => s.key)).to.deep.equal(['2026-03-10T14:00', '2026-03-24T14:00', '2026-04-14T14:00', '2026-04-28T14:00']);
    // 13:00 UTC in winter (UTC+1), 12:00 UTC in summer (UTC+2): always 14:00 on the wall clock.
    expect(sessions.map((s) => s.start.toISOString())).to.deep.equal(['2026-03-10T13:00:00.000Z', '2026-03-24T13:00:00.000Z', '2026-04-14T12:00:00.000Z', '2026-04-28T12:00:00.000Z']);
    expect(sessions.every((s) => instantToZoned(s.start).time === '14:00' && instantToZoned(s.end).time === '16:00')).to.equal(true);
    expect(meetingDateTime(sessions[0]!.start)).to.equal('mardi 10 mars 2026 à 14:00');
  });

  it('a holiday cancels its occurrence, a moved session keeps its key at its new time, an extra session is added', () => {
    const overrides = [
      { date: '2026-03-10', kind: 'holiday' as const, reason: 'Fermeture du bloc' },
      { date: '2026-03-24', kind: 'moved' as const, newDate: '2026-03-26', startTime: '09:00', endTime: '11:00', reason: 'Congrès' },
      { date: '2026-04-02', kind: 'extra' as const, startTime: '17:00', endTime: '18:30' },
    ];
    expect(scheduleProblems(SCHEDULE, overrides)).to.deep.equal([]);
    const { sessions, cancelled } = occurrencesBetween(SCHEDULE, overrides, ...range('2026-03-01T00:00:00Z', '2026-04-10T00:00:00Z'));
    expect(cancelled).to.deep.equal([{ key: '2026-03-10T14:00', start: new Date('2026-03-10T13:00:00Z'), reason: 'Fermeture du bloc' }]);
    expect(sessions.map((s) => [s.key, s.start.toISOString(), s.override])).to.deep.equal([
      ['2026-03-24T14:00', '2026-03-26T08:00:00.000Z', 'moved'],
      ['extra-2026-04-02T17:00', '2026-04-02T15:00:00.000Z', 'extra'],
    ]);
  });

  it('says what is wrong with a schedule, in French, with the field', () => {
    expect(scheduleProblems({ ...SCHEDULE, rrule: 'FREQ=HOURLY' }, [])[0]!.text).to.contain('plusieurs fois par jour');
    expect(scheduleProblems({ ...SCHEDULE, rrule: 'DTSTART:20260101T000000Z\nRRULE:FREQ=WEEKLY' }, [])[0]!.expression).to.deep.equal(['schedule.rrule']);
    expect(scheduleProblems({ ...SCHEDULE, rrule: 'n importe quoi' }, [])[0]!.text).to.contain('RRULE illisible');
    expect(scheduleProblems({ ...SCHEDULE, endTime: '13:00' }, [])[0]!.text).to.contain('finir après son début');
    expect(scheduleProblems({ ...SCHEDULE, timeZone: 'Mars/Olympus' }, [])[0]!.text).to.contain('Fuseau horaire inconnu');
    expect(scheduleProblems(SCHEDULE, [{ date: '2026-03-11', kind: 'holiday' }])[0]!.text).to.contain('Aucune séance prévue par la récurrence le 2026-03-11');
  });

  it('wall-clock times that do not exist or exist twice at the time change are resolved', () => {
    expect(zonedTimeToInstant('2026-03-29', '02:30').toISOString()).to.equal('2026-03-29T01:30:00.000Z');
    expect(zonedTimeToInstant('2026-10-25', '14:00').toISOString()).to.equal('2026-10-25T13:00:00.000Z');
  });
});
