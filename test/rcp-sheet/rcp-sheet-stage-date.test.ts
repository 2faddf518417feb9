import { expect } from 'chai';
import type { CarePlan, Observation } from '@medplum/fhirtypes';
import { buildRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { colonCancerSheet, type World } from './fixtures.ts';

/** Enough of a world for the pure builder: who, where (no server). */
const pro = (id: string) => ({ id, idnps: `8100099900${id.length}`, name: `Dr ${id}`, speciality: { code: 'SM36', display: 'Oncologie, option médicale (SM)' } });
const world = {
  pros: Object.fromEntries(['oncologist', 'coordinator', 'gastroenterologist', 'gp', 'surgeon', 'radiotherapist'].map((k) => [k, pro(k)])),
  finess: '130999014', organizationId: 'chu', patientId: 'p',
} as unknown as World;

const tnmOf = (input: ReturnType<typeof colonCancerSheet>, now?: string) =>
  buildRcpSheet(input, now ? { now } : {}).entry!.map((e) => e.resource).find((r): r is Observation => r?.resourceType === 'Observation' && Boolean(r.code?.coding?.some((c) => c.code === '75620-5')))!;

/**
 * A stage is dated when it was assessed (FRCP: effectiveTime of the clinical TNM 75620-5). A sheet
 * prepared for a coming meeting dated its stage on that meeting: « 22 décembre 2026 — Stade TNM
 * clinique » on the timeline of 7 December.
 */
describe('RCP sheet: the TNM stage is dated by its assessment, never by the meeting', () => {
  it('takes the assessment date given with the stage', () => {
    expect(tnmOf(colonCancerSheet(world)).effectiveDateTime).to.equal('2025-09-26');
  });

  it('without an assessment date, the day it is recorded (the latest it can have been assessed), not the coming meeting\'s', () => {
    const input = colonCancerSheet(world);
    input.meeting.date = '2026-12-22T14:00:00+01:00';
    delete input.diagnosis!.tnm!.date;
    const tnm = tnmOf(input, '2026-12-04T15:52:07.497Z');
    expect(tnm.valueCodeableConcept?.text).to.equal('IIIB');
    expect(tnm.effectiveDateTime).to.equal('2026-12-04');
  });
});

describe('RCP sheet: what the meeting discusses is dated on or before it', () => {
  it('a sheet filed after its meeting dates an undated stage on the meeting (the latest it can have been assessed)', () => {
    const input = colonCancerSheet(world);
    input.meeting.date = '2025-10-02T14:00:00+02:00';
    delete input.diagnosis!.tnm!.date;
    expect(tnmOf(input, '2026-12-07T10:00:00Z').effectiveDateTime).to.equal('2025-10-02');
  });

  it('refuses a WHO score, a stage or an exam dated after the meeting, naming the field in French', async () => {
    const { parseRcpSheetInput } = await import('../../server/rcp-sheet/input.ts');
    const input = colonCancerSheet(world);
    input.meeting.date = '2026-12-22T14:00:00+01:00';
    input.performanceStatus = { who: 1, date: '2027-01-15' };
    input.diagnosis!.tnm!.date = '2027-01';
    let texts: string[] = [];
    try {
      parseRcpSheetInput(input);
    } catch (error) {
      texts = ((error as { outcome?: { issue?: { details?: { text?: string }; expression?: string[] }[] } }).outcome?.issue ?? []).map((i) => `${i.expression?.[0]} ${i.details?.text}`);
    }
    expect(texts.find((t) => t.startsWith('performanceStatus.date'))).to.contain('postérieure à la séance (22 décembre 2026)');
    expect(texts.find((t) => t.startsWith('diagnosis.tnm.date'))).to.contain('postérieure à la séance');
    expect(texts.join(' ')).not.to.match(/\bperformanceStatus\.date :/);
    // On the day of the meeting, or a month that holds it: accepted.
    input.performanceStatus = { who: 1, date: '2026-12-22' };
    input.diagnosis!.tnm!.date = '2026-12';
    expect(() => parseRcpSheetInput(input)).not.to.throw();
  });
});

/**
 * A new version of the sheet updates its stage Observation in place. A stage changed without a date
 * is a new assessment, dated by the rule; the same stage saved again keeps the date it had (it was
 * re-dated on each save: « stade évalué le 7 décembre » became the 9th when the question changed).
 */
describe('RCP sheet: a saved-again stage keeps its date, a changed one is dated anew', () => {
  const coming = (): ReturnType<typeof colonCancerSheet> => {
    const input = colonCancerSheet(world);
    input.meeting.date = '2026-12-22T14:00:00+01:00';
    delete input.diagnosis!.tnm!.date;
    return input;
  };
  /** The first version, saved on 7 December: its stage as the previous entry of the next version. */
  const firstVersion = () => {
    const stage = { ...tnmOf(coming(), '2026-12-07T09:00:00Z'), id: 'tnm1' };
    expect(stage.effectiveDateTime).to.equal('2026-12-07');
    return [{ section: 'diagnosis' as const, resource: stage }];
  };
  const secondVersion = (input: ReturnType<typeof colonCancerSheet>) =>
    buildRcpSheet(input, { now: '2026-12-09T10:00:00Z', previousEntries: firstVersion() }).entry!.map((e) => e.resource).find((r): r is Observation => r?.resourceType === 'Observation' && Boolean(r.code?.coding?.some((c) => c.code === '75620-5')))!;

  it('the same stage, without a date, keeps the date it was assessed on', () => {
    const stage = secondVersion(coming());
    expect(stage.id).to.equal('tnm1');
    expect(stage.effectiveDateTime).to.equal('2026-12-07');
  });

  it('the same stage with other links or notes is still the same assessment', () => {
    const input = coming();
    input.diagnosis!.comment = 'Relu en RCP';
    expect(secondVersion(input).effectiveDateTime).to.equal('2026-12-07');
  });

  type Tnm = NonNullable<NonNullable<ReturnType<typeof colonCancerSheet>['diagnosis']>['tnm']>;
  const changes: [string, (t: Tnm) => void][] = [
    ['T', (t) => { t.t = 'cT4a'; }],
    ['N', (t) => { t.n = 'cN2a'; }],
    ['M', (t) => { t.m = 'cM1a'; }],
    ['stage group', (t) => { t.stage = 'IIIC'; }],
    ['edition', (t) => { t.edition = '9'; }],
  ];
  for (const [what, change] of changes) {
    it(`a changed ${what} without a date is dated by the rule (the day it is recorded), not on the previous stage's day`, () => {
      const input = coming();
      change(input.diagnosis!.tnm!);
      const stage = secondVersion(input);
      expect(stage.id).to.equal('tnm1');
      expect(stage.effectiveDateTime).to.equal('2026-12-09');
    });
  }

  it('a date given with the stage is always used, changed stage or not', () => {
    const same = coming();
    same.diagnosis!.tnm!.date = '2026-12-01';
    expect(secondVersion(same).effectiveDateTime).to.equal('2026-12-01');
    const changed = coming();
    changed.diagnosis!.tnm!.t = 'cT4a';
    changed.diagnosis!.tnm!.date = '2026-12-07';
    expect(secondVersion(changed).effectiveDateTime).to.equal('2026-12-07');
  });
});

/**
 * QA: a meeting opened at 23:30 UTC (00:30 in Paris, the next day) gave its decision the title
 * « Proposition de la RCP … du » the day before, and an undated stage the day before the meeting —
 * the UTC date of the start, where the sheet's checks read the meeting's day in Paris (input.ts).
 */
describe('RCP sheet: the meeting\'s day is its day in Paris', () => {
  const lateMeeting = () => {
    const input = colonCancerSheet(world);
    input.meeting.date = '2026-12-21T23:30:00Z'; // 22 December, 00:30 in Paris
    delete input.diagnosis!.tnm!.date;
    return input;
  };
  const decisionOf = (input: ReturnType<typeof colonCancerSheet>, now: string) =>
    buildRcpSheet(input, { now }).entry!.map((e) => e.resource).find((r): r is CarePlan => r?.resourceType === 'CarePlan')!;

  it('the decision is titled with the Paris day of the meeting (22/12/2026), not the UTC one', () => {
    expect(decisionOf(lateMeeting(), '2026-12-22T08:00:00Z').title).to.equal('Proposition de la RCP digestive — 3C du CHU Méditerranée du 22/12/2026');
  });

  it('an undated stage recorded after the meeting is dated on the meeting\'s Paris day', () => {
    expect(tnmOf(lateMeeting(), '2026-12-23T10:00:00Z').effectiveDateTime).to.equal('2026-12-22');
  });

  it('an undated stage recorded at 23:30 UTC, before a meeting later that Paris day, is dated on that day (never the UTC day before)', () => {
    const input = colonCancerSheet(world);
    input.meeting.date = '2026-12-22T13:00:00Z';
    delete input.diagnosis!.tnm!.date;
    expect(tnmOf(input, '2026-12-21T23:30:00Z').effectiveDateTime).to.equal('2026-12-22');
  });
});
