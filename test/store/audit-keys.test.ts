import { randomUUID } from 'node:crypto';
import { expect } from 'chai';
import type { AuditEvent } from '@medplum/fhirtypes';
import { testServices } from '../helpers/harness.ts';
import { auditIndex } from '../../server/store/audit-sql.ts';
import { up as addAuditKeys } from '../../migrations/015-audit-keys.ts';

/**
 * An AuditEvent's search keys are computed twice: by the store when it writes an event
 * (auditIndex), and once in SQL by migration 015 for the events written before it. Both must give
 * the same keys, or the older part of the trail would answer the security review differently.
 */
describe('Audit trail keys: the store and the migration agree', () => {
  const event = (agent: string[], entity: string[]): AuditEvent => ({
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    recorded: new Date().toISOString(),
    agent: agent.map((reference) => ({ requestor: true, who: { reference } })),
    source: { observer: { display: 'DCC' } },
    entity: entity.map((reference) => ({ what: { reference } })),
  });
  const patient = randomUUID();
  const events: AuditEvent[] = [
    event(['Practitioner/p-1'], [`Patient/${patient}`, 'Observation/o-1']),
    event(['Practitioner/p-1'], [`Patient/${patient}/_history/2`]), // identity status change: a version
    event(['https://annuaire.example/fhir/Practitioner/p-2', `Patient/${patient}`], ['Composition/c-1/_history/3']),
    event(['Practitioner/p-1'], ['urn:uuid:0d3f7c1e-0000-4000-8000-000000000001', 'Basic/b.1-x']),
    event([], []),
  ];

  it('the keys the migration gives events written before it are the ones the store writes', async () => {
    const { db } = await testServices();
    const ids = events.map(() => randomUUID());
    // Written as before migration 015: no keys (an INSERT, which the append-only trail allows).
    await db('resource').insert(events.map((e, i) => ({
      resource_type: 'AuditEvent', id: ids[i], version_id: 1, last_updated: new Date().toISOString(), deleted: false, patient_id: null, content: JSON.stringify({ ...e, id: ids[i] }),
    })));
    await db.transaction((trx) => addAuditKeys(trx));
    const rows: { id: string; audit_keys: string[] }[] = await db('resource').where({ resource_type: 'AuditEvent' }).whereIn('id', ids).select('id', 'audit_keys');
    for (const [i, e] of events.entries()) {
      const stored = rows.find((r) => r.id === ids[i])!.audit_keys;
      expect([...stored].sort(), JSON.stringify(e.agent?.map((a) => a.who) ?? []) + JSON.stringify(e.entity ?? [])).to.deep.equal([...auditIndex(e).auditKeys!].sort());
    }
    expect(auditIndex(events[2]!).auditKeys).to.include.members(['agent|Practitioner/p-2', `patient|Patient/${patient}`, 'entity|Composition/c-1']);
  });
});
