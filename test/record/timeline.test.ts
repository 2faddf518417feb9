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
