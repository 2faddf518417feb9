import { expect } from 'chai';
import type { CarePlan, Composition, Observation, Resource } from '@medplum/fhirtypes';
import { decisionStandings, RCP_SHEET_TYPE, SECTION } from '../../server/rcp-sheet/index.ts';
import { describeStage, latestStage } from '../../server/summary/clinical.ts';
import { buildTimeline } from '../../server/record/timeline.ts';

const decision = (id: string, condition = 'Condition/colon', status: CarePlan['status'] = 'active'): CarePlan => ({
  resourceType: 'CarePlan', id, status, intent: 'proposal', subject: { reference: 'Patient/p1' }, addresses: [{ reference: condition }],
  category: [{ coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/dcc-care-plan-category', code: 'rcp-decision' }] }],
});
const sheet = (id: string, meeting: string, decisionId: string): Composition => ({
  resourceType: 'Composition', id, status: 'final', type: { coding: [RCP_SHEET_TYPE] }, subject: { reference: 'Patient/p1' }, date: meeting, author: [{ display: 'Dr Sophie Lambert' }], title: 'Fiche RCP',
  event: [{ period: { start: meeting } }],
  section: [{ code: { coding: [{ system: 'http://loinc.org', code: SECTION.proposal.code }] }, entry: [{ reference: `CarePlan/${decisionId}/_history/2` }] }],
});

describe('RCP decisions: the latest meeting\'s is in force for a tumour, the earlier ones replaced', () => {
  it('the first-line decision is replaced by the adjuvant one of a later meeting, whatever the order of the record', () => {
    const resources: Resource[] = [
      decision('adjuvant'), sheet('s2', '2026-11-24T14:00:00+01:00', 'adjuvant'),
      decision('first-line'), sheet('s1', '2026-10-01T14:00:00+02:00', 'first-line'),
    ];
    const standings = decisionStandings(resources);
    expect(standings.find((s) => s.decision === 'CarePlan/adjuvant')).to.deep.equal({ decision: 'CarePlan/adjuvant', standing: 'in-force' });
    expect(standings.find((s) => s.decision === 'CarePlan/first-line')).to.deep.equal({ decision: 'CarePlan/first-line', standing: 'replaced', replacedBy: 'CarePlan/adjuvant', replacedOn: '2026-11-24T14:00:00+01:00' });
    expect(buildTimeline(resources).find((e) => e.reference === 'CarePlan/first-line')?.label).to.equal('Proposition de la RCP (remplacée par la RCP du 24/11/2026)');
  });

  it('another tumour, or a draft proposal, replaces nothing', () => {
    const standings = decisionStandings([
      decision('colon'), sheet('s1', '2026-10-01T14:00:00+02:00', 'colon'),
      decision('breast', 'Condition/breast'), sheet('s2', '2026-11-24T14:00:00+01:00', 'breast'),
      decision('draft', 'Condition/colon', 'draft'), sheet('s3', '2026-12-08T14:00:00+01:00', 'draft'),
    ]);
    expect(standings.map((s) => `${s.decision} ${s.standing}`).sort()).to.deep.equal(['CarePlan/breast in-force', 'CarePlan/colon in-force']);
  });
});

describe('GP summary: the latest stage is the latest assessed, clinical or pathological', () => {
  const stage = (id: string, code: string, date: string, t: string, n: string, tCode: string, nCode: string): Observation => ({
    resourceType: 'Observation', id, status: 'final', code: { coding: [{ system: 'http://loinc.org', code }] }, effectiveDateTime: date,
    valueCodeableConcept: { text: 'IIIB' },
    component: [
      { code: { coding: [{ system: 'http://loinc.org', code: tCode }] }, valueCodeableConcept: { text: t } },
      { code: { coding: [{ system: 'http://loinc.org', code: nCode }] }, valueCodeableConcept: { text: n } },
    ],
  });
  it('after surgery, the record\'s pTNM (21902-2), not the work-up\'s cTNM', () => {
    const latest = latestStage([
      stage('pathological', '21902-2', '2026-10-29', 'pT3', 'pN2a', '21899-0', '21900-6'),
      stage('clinical', '21908-9', '2026-09-18', 'cT3', 'cN1', '21905-5', '21906-3'),
    ]);
    expect(latest?.id).to.equal('pathological');
    expect(describeStage(latest!)).to.match(/^pT3 pN2a, stade IIIB/);
  });
  it('dates compared as instants, not as text', () => {
    // 2026-10-29T01:00:00+02:00 is 2026-10-28T23:00Z: before a stage assessed on 2026-10-28T23:30Z.
    const latest = latestStage([
      stage('early', '21908-9', '2026-10-29T01:00:00+02:00', 'cT3', 'cN1', '21905-5', '21906-3'),
      stage('late', '21908-9', '2026-10-28T23:30:00Z', 'cT3', 'cN2', '21905-5', '21906-3'),
    ]);
    expect(latest?.id).to.equal('late');
  });
});
