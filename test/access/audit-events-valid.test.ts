import { expect } from 'chai';
import { buildAuditEvent, buildAuthenticationEvent, buildBreakGlassGrantEvent, buildIdentityStatusEvent, buildSharingEvent } from '../../server/access/audit.ts';
import type { RequestContext } from '../../server/context.ts';
import { loadFhirDefinitions } from '../../server/fhir-kit/validation.ts';
import { validateForWrite } from '../../server/fhir/write-validation.ts';

/** The server appends its AuditEvents without re-validating them (hot path): this test is that check. */
describe('AuditEvents built by the server are valid FHIR R4 and DCC resources', () => {
  before(() => loadFhirDefinitions());
  const ctx: RequestContext = {
    requestId: 'r', baseUrl: 'http://x/fhir', remoteAddress: '127.0.0.1',
    principal: { displayName: 'Dr Claire Aubert', idnps: '810002813839', practitionerId: 'p1', roles: ['physician'], authMethod: 'cps' },
  };
  const meta = { versionId: '1', lastUpdated: new Date().toISOString() };
  const cases = {
    read: buildAuditEvent(ctx, { interaction: 'read', resources: [{ resourceType: 'Patient', id: 'a', patientId: 'a' }], outcome: 'success' }, new Set()),
    'search with query and break-glass': buildAuditEvent(ctx, {
      interaction: 'search-type', query: 'Condition?subject=Patient/a', outcome: 'success',
      resources: [{ resourceType: 'Patient', id: 'a', patientId: 'a' }, { resourceType: 'Condition', id: 'c', patientId: 'a' }],
    }, new Set(['a'])),
    'refused write': buildAuditEvent(ctx, { interaction: 'create', resources: [{ resourceType: 'Observation', id: 'o', patientId: null }], outcome: 'failure', detail: 'refusé' }, new Set()),
    'sign-in failure': buildAuthenticationEvent({ kind: 'login', outcome: 'failure', method: 'cps', detail: 'expiré', remoteAddress: '10.0.0.1' }),
    logout: buildAuthenticationEvent({ kind: 'logout', outcome: 'success', method: 'psc' }, ctx.principal),
    'emergency access opened': buildBreakGlassGrantEvent(ctx, { id: '7', patientId: 'a', reason: 'Patient inconscient aux urgences', expiresAt: new Date(Date.now() + 4 * 3_600_000).toISOString() }),
    'identity status': buildIdentityStatusEvent(ctx, 'a', '2', { from: 'PROV', to: 'VALI' }),
    'summary view': buildSharingEvent(ctx, { kind: 'summary-view', patientId: 'a', documents: ['Composition/c/_history/2'] }),
    'mail sent': buildSharingEvent(ctx, { kind: 'mail-sent', patientId: 'a', documents: ['Composition/c/_history/2'], recipient: { reference: 'Practitioner/p', address: 'dr@x.mssante.fr' } }),
    'push failed': buildSharingEvent(ctx, { kind: 'document-push-failed', patientId: 'a', recipient: { address: 'https://dmp.example/fhir' }, detail: 'HTTP 503' }),
  };
  for (const [name, event] of Object.entries(cases)) {
    it(name, () => {
      expect(() => validateForWrite({ ...event, id: 'e1', meta })).to.not.throw();
    });
  }
});
