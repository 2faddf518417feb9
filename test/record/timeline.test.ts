import type { Resource } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { buildTimeline } from '../../server/record/timeline.ts';

const rcpCase = (extra: Record<string, unknown>): Resource => ({
  resourceType: 'Task', id: `case-${Object.keys(extra).join('-') || 'bare'}-${String(extra.status)}`, intent: 'order', authoredOn: '2026-11-03T10:00:00Z',
  code: { coding: [{ code: 'rcp-case' }] }, status: 'requested', ...extra,
} as Resource);

describe('Record: the timeline says a case registration in French (server/record/timeline.ts)', () => {
  it('names the case state, else Task.status in French, never the FHIR code ("(completed)" showed)', () => {
    const labels = buildTimeline([
      rcpCase({ status: 'completed' }),
      rcpCase({ status: 'accepted' }),
      rcpCase({ status: 'accepted', businessStatus: { coding: [{ system: 'https://example.org/case-state', code: 'discussed', display: 'discuté' }] } }),
      rcpCase({ status: 'in-progress', businessStatus: { text: 'ajourné : IRM non reçue' } }),
      rcpCase({ status: 'odd-status' }),
    ]).map((e) => e.label);
    expect(labels).to.have.members([
      'Dossier inscrit en RCP (terminé)',
      'Dossier inscrit en RCP (accepté)',
      'Dossier inscrit en RCP (discuté)',
      'Dossier inscrit en RCP (ajourné : IRM non reçue)',
      'Dossier inscrit en RCP',
    ]);
  });
});

describe('Record: the timeline dates an RCP decision by its meeting, and shows no guideline as an exam', () => {
  const decision = {
    resourceType: 'CarePlan', id: 'decision-1', status: 'active', intent: 'proposal', subject: { reference: 'Patient/p' },
    category: [{ coding: [{ code: 'rcp-decision' }] }], created: '2026-12-07T15:52:09Z',
  } as Resource;
  const sheet = (decisionRef: string) => ({
    resourceType: 'Composition', id: 'sheet-1', status: 'final', date: '2026-11-12T13:00:00Z', title: 'Fiche RCP — RCP digestive',
    type: { coding: [{ system: 'http://loinc.org', code: '34794-8' }] }, subject: { reference: 'Patient/p' }, author: [{ display: 'Dr Sophie Lambert' }],
    event: [{ period: { start: '2026-11-10T14:00:00+01:00' } }],
    section: [{ code: { coding: [{ system: 'http://loinc.org', code: '18776-5' }] }, entry: [{ reference: decisionRef }] }],
  }) as Resource;

  it('puts the decision on the day of the session that took it (the signed sheet pins its version), not on the day it was saved', () => {
    const events = buildTimeline([decision, sheet('CarePlan/decision-1/_history/2')]);
    expect(events.find((e) => e.kind === 'décision')).to.include({ date: '2026-11-10T14:00:00+01:00', label: 'Proposition de la RCP' });
  });

  it('keeps the saving date for a decision whose sheet is not in the record', () => {
    expect(buildTimeline([decision, sheet('CarePlan/other')]).find((e) => e.kind === 'décision')?.date).to.equal('2026-12-07T15:52:09Z');
  });

  it('leaves out the guideline a proposal followed (MED-249, dated by its publication), keeps the exams', () => {
    const observation = (id: string, coding: object, date: string) => ({ resourceType: 'Observation', id, status: 'final', code: { coding: [coding] }, effectiveDateTime: date }) as Resource;
    const events = buildTimeline([
      observation('guideline', { system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-249', display: 'Recommandation/référentiel de pratique clinique' }, '2024-01-10'),
      observation('ct', { system: 'http://loinc.org', code: '30954-2', display: "Résultat d'examen" }, '2025-10-20'),
    ]);
    expect(events.map((e) => e.reference)).to.deep.equal(['Observation/ct']);
  });
});

describe('Record: the timeline shows a measure once a day, whichever sheet recorded it', () => {
  it('the record\'s stage and the same stage recorded by two RCP sheets: one « Stade TNM clinique »', async () => {
    const { CODE, RCP_SHEET_TAG } = await import('../../server/rcp-sheet/index.ts');
    const stage = (id: string, coding: { system?: string; code?: string }, text: string, fromSheet: boolean, day = '2025-10-24') => ({
      resourceType: 'Observation', id, status: 'final', code: { coding: [coding], text }, subject: { reference: 'Patient/p' }, effectiveDateTime: day,
      ...(fromSheet ? { meta: { tag: [RCP_SHEET_TAG] } } : {}),
    }) as Resource;
    const events = buildTimeline([
      stage('sheet-a', CODE.tnm, 'Stade TNM clinique', true),
      stage('record', { system: 'http://loinc.org', code: '21908-9' }, 'Stade clinique TNM', false),
      stage('sheet-b', CODE.tnm, 'Stade TNM clinique', true),
      stage('later', CODE.tnm, 'Stade TNM clinique', true, '2026-11-20'),
      stage('ps', CODE.ecog, 'Indice de performance OMS (ECOG)', false),
    ]);
    expect(events.map((e) => [e.date, e.label, e.reference])).to.deep.equal([
      ['2025-10-24', 'Indice de performance OMS', 'Observation/ps'],
      ['2025-10-24', 'Stade TNM clinique', 'Observation/record'],
      ['2026-11-20', 'Stade TNM clinique', 'Observation/later'],
    ]);
  });
});

describe('Record: the timeline files an antecedent as such, and one surgery once', () => {
  it('an antecedent and a comorbidity of an RCP sheet are « antécédent » (with what they were), not « examen »', async () => {
    const { CODE, RCP_SHEET_TAG } = await import('../../server/rcp-sheet/index.ts');
    const item = (id: string, coding: object, text: string, date: string) => ({
      resourceType: 'Observation', id, status: 'final', meta: { tag: [RCP_SHEET_TAG] }, code: { coding: [coding] }, subject: { reference: 'Patient/p' }, effectiveDateTime: date, valueString: text,
    }) as Resource;
    const events = buildTimeline([
      item('history', CODE.history, 'Cholécystectomie', '2012'),
      item('history-again', CODE.history, 'Cholécystectomie', '2012'), // the next sheet tells it again
      item('comorbidity', CODE.comorbidity, 'Hypertension artérielle traitée', '2015'),
    ]);
    expect(events.map((e) => [e.date, e.kind, e.label])).to.deep.equal([
      ['2012', 'antécédent', 'Antécédent : Cholécystectomie'],
      ['2015', 'antécédent', 'Comorbidité : Hypertension artérielle traitée'],
    ]);
  });

  it('the record\'s surgery and the « traitements reçus » of the RCP sheets that tell it: one line, the record\'s, the copies as its sources', async () => {
    const { RCP_SHEET_TAG, TREATMENT_TYPE } = await import('../../server/rcp-sheet/index.ts');
    const SURGERY = { system: 'http://snomed.info/sct', code: '387713003', display: 'Surgical procedure' };
    const record = (id: string, text: string, day: string) => ({
      resourceType: 'Procedure', id, status: 'completed', category: { coding: [SURGERY], text: 'Chirurgie' }, code: { text }, subject: { reference: 'Patient/p' }, performedDateTime: day,
    }) as Resource;
    // As rcp-sheet.ts writes them: the treatment type as the code, the description as its text, a period.
    const copy = (id: string, type: 'surgery' | 'chemotherapy', text: string | undefined, start: string) => ({
      resourceType: 'Procedure', id, status: 'completed', meta: { tag: [RCP_SHEET_TAG] }, subject: { reference: 'Patient/p' },
      code: { coding: [TREATMENT_TYPE[type]], text: text ?? TREATMENT_TYPE[type].display }, performedPeriod: { start },
    }) as Resource;
    const events = buildTimeline([
      copy('sheet-dig-001', 'surgery', 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', '2025-10-20'),
      record('surgery', 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', '2025-10-20'),
      copy('sheet-dig-003', 'surgery', 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', '2025-10-20'),
      copy('sheet-generic', 'surgery', undefined, '2025-10-20'), // « Chirurgie », no description: the same surgery
      copy('chemo', 'chemotherapy', undefined, '2025-10-20'), // another act, the same day
      copy('radiochemo-a', 'chemotherapy', 'Radiochimiothérapie néoadjuvante', '2025-06-23'),
      copy('radiochemo-b', 'chemotherapy', 'Radiochimiothérapie néoadjuvante', '2025-06-23'), // two sheets, no record Procedure
      record('stoma', 'Fermeture de l’iléostomie', '2025-10-20'), // two acts the record holds stay two
    ]);
    expect(events.map((e) => [e.date.slice(0, 10), e.kind, e.label, e.reference])).to.deep.equal([
      ['2025-06-23', 'traitement', 'Radiochimiothérapie néoadjuvante', 'Procedure/radiochemo-a'],
      ['2025-10-20', 'traitement', 'Chimiothérapie', 'Procedure/chemo'],
      ['2025-10-20', 'traitement', 'Fermeture de l’iléostomie', 'Procedure/stoma'],
      ['2025-10-20', 'traitement', 'Sigmoïdectomie par cœlioscopie avec curage ganglionnaire', 'Procedure/surgery'],
    ]);
    expect(events.find((e) => e.reference === 'Procedure/surgery')?.sources).to.have.members(['Procedure/sheet-dig-001', 'Procedure/sheet-dig-003', 'Procedure/sheet-generic']);
    expect(events.find((e) => e.reference === 'Procedure/radiochemo-a')?.sources).to.deep.equal(['Procedure/radiochemo-b']);
  });
});
