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

  it('reads back what it writes, the BYSETPOS form too; any other rule is left to describeRrule', () => {
    for (const r of [{ frequency: 'monthly', weekday: 'WE', rank: 3 }, { frequency: 'weekly', weekday: 'TU' }, { frequency: 'biweekly', weekday: 'TH' }] as const) {
      expect(fromRrule(toRrule(r))).to.deep.equal(r);
    }
    expect(fromRrule('RRULE:FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2')).to.deep.equal({ frequency: 'monthly', weekday: 'TU', rank: 2 });
    expect(fromRrule('FREQ=DAILY')).to.equal(undefined);
    expect(fromRrule('FREQ=WEEKLY;BYDAY=TU;COUNT=3')).to.equal(undefined);
    expect(describeRrule('FREQ=DAILY;INTERVAL=3', '13:00')).to.equal('tous les 3 jours à 13 h');
  });

  it('says any other rule in French, never the raw RRULE (the reviewer saw "FREQ=MONTHLY;BYDAY=+2TU,+4TU")', () => {
    const cases: [string, string][] = [
      ['FREQ=MONTHLY;BYDAY=+2TU,+4TU', 'les 2e et 4e mardis du mois à 13 h'],
      ['RRULE:FREQ=MONTHLY;BYDAY=1TH,3TH,-1TH', 'les 1er, 3e et dernier jeudis du mois à 13 h'],
      ['FREQ=MONTHLY;BYDAY=TU;BYSETPOS=2,4', 'les 2e et 4e mardis du mois à 13 h'],
      ['FREQ=MONTHLY;BYDAY=1MO,3WE', 'le 1er lundi et le 3e mercredi du mois à 13 h'],
      ['FREQ=MONTHLY;BYDAY=-2FR', "l'avant-dernier vendredi du mois à 13 h"],
      ['FREQ=MONTHLY;INTERVAL=2;BYDAY=2TU', 'le 2e mardi du mois, un mois sur deux à 13 h'],
      ['FREQ=MONTHLY;INTERVAL=3;BYDAY=1FR', 'le 1er vendredi du mois, tous les 3 mois à 13 h'],
      ['FREQ=MONTHLY;BYMONTHDAY=1,15', 'le 1er et le 15 du mois à 13 h'],
      ['FREQ=WEEKLY;BYDAY=MO,TH', 'chaque lundi et jeudi à 13 h'],
      ['FREQ=WEEKLY;INTERVAL=2;BYDAY=MO,TH', 'le lundi et le jeudi, une semaine sur deux à 13 h'],
      ['FREQ=WEEKLY;INTERVAL=3;BYDAY=WE', 'le mercredi, toutes les 3 semaines à 13 h'],
      ['FREQ=WEEKLY;BYDAY=TU;COUNT=3', 'chaque mardi, 3 séances à 13 h'],
      ['FREQ=WEEKLY;BYDAY=TU;UNTIL=20270601T000000Z', "chaque mardi, jusqu'au 1er juin 2027 à 13 h"],
    ];
    for (const [rule, sentence] of cases) expect(describeRrule(rule, '13:00'), rule).to.equal(sentence);
    // A rule this does not read: a plain French phrase, not the rule.
    for (const rule of ['FREQ=YEARLY;BYMONTH=3', 'FREQ=MONTHLY;BYDAY=TU,TH', 'FREQ=HOURLY', 'nimporte quoi']) {
      const said = describeRrule(rule, '13:00');
      expect(said, rule).to.equal('selon un calendrier particulier à 13 h');
    }
    expect(describeRrule(undefined)).to.equal('aucune récurrence');
  });
});
