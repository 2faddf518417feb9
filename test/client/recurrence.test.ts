import { expect } from 'chai';
import { describeRecurrence, describeRrule, fromRrule, frenchTime, toRrule } from '../../client/src/lib/recurrence.ts';

describe('Client: board recurrence in French (client/src/lib/recurrence.ts)', () => {
  it('says the usual RCP rhythms in French and writes the RRULE the server stores', () => {
    expect(describeRecurrence({ frequency: 'monthly', weekday: 'TU', rank: 2 }, '13:00')).to.equal('le 2e mardi du mois à 13 h');
    expect(describeRecurrence({ frequency: 'monthly', weekday: 'TH', rank: -1 }, '17:30')).to.equal('le dernier jeudi du mois à 17 h 30');
    expect(describeRecurrence({ frequency: 'weekly', weekday: 'MO' }, '08:00')).to.equal('chaque lundi à 8 h');
    expect(describeRecurrence({ frequency: 'biweekly', weekday: 'FR' })).to.equal('un vendredi sur deux');
    expect(toRrule({ frequency: 'monthly', weekday: 'TU', rank: 2 })).to.equal('FREQ=MONTHLY;BYDAY=2TU');
    expect(toRrule({ frequency: 'biweekly', weekday: 'FR' })).to.equal('FREQ=WEEKLY;INTERVAL=2;BYDAY=FR');
    expect(frenchTime('09:05')).to.equal('9 h 05');
  });

  it('reads back what it writes, the BYSETPOS form too, and shows any other rule as written', () => {
    for (const r of [{ frequency: 'monthly', weekday: 'WE', rank: 3 }, { frequency: 'weekly', weekday: 'TU' }, { frequency: 'biweekly', weekday: 'TH' }] as const) {
      expect(fromRrule(toRrule(r))).to.deep.equal(r);
    }
    expect(fromRrule('RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2')).to.deep.equal({ frequency: 'monthly', weekday: 'TU', rank: 2 });
    expect(fromRrule('FREQ=DAILY')).to.equal(undefined);
    expect(fromRrule('FREQ=WEEKLY;BYDAY=TU;COUNT=3')).to.equal(undefined);
    expect(describeRrule('FREQ=DAILY;INTERVAL=3', '13:00')).to.equal('règle personnalisée (FREQ=DAILY;INTERVAL=3)');
  });
});
