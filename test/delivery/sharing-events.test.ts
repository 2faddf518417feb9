import fs from 'node:fs';
import { expect } from 'chai';
import { SHARING_LABEL } from '../../server/access/audit.ts';
import { AUDIENCES, SECTION } from '../../server/summary/codes.ts';
import type { CarePlan, MedicationRequest } from '@medplum/fhirtypes';
import { CARE_PLAN_CATEGORY_SYSTEM, CATEGORY, EXT, ORAL_ANTICANCER } from '../../server/care-plan/codes.ts';
import { sharingEventsOf } from '../../server/delivery/events.ts';
import { documentDelivery } from '../../server/delivery/status.ts';
import type { OutboxEntry } from '../../server/store/outbox-store.ts';

/** Which writes the city hears about (pure rules), and how a document's sending is summed up for the 3C. */
describe('Sharing events and delivery status (rules)', () => {
  const meta = (v: string) => ({ versionId: v, lastUpdated: '2026-03-01T10:00:00Z' });
  const pps = (extra: Partial<CarePlan> = {}, v = '1'): CarePlan => ({
    resourceType: 'CarePlan', id: 'p1', meta: meta(v), status: 'active', intent: 'plan', subject: { reference: 'Patient/a' },
    category: [{ coding: [{ system: CARE_PLAN_CATEGORY_SYSTEM, code: CATEGORY.pps.code }] }], ...extra,
  });
  const handedOver = (share: boolean) => [
    { url: EXT.handOver, extension: [{ url: 'date', valueDateTime: '2026-02-10' }] },
    { url: EXT.shareWithGp, valueBoolean: share },
  ];
  const oral = (extra: Partial<MedicationRequest> = {}, v = '1'): MedicationRequest => ({
    resourceType: 'MedicationRequest', id: 'm1', meta: meta(v), status: 'active', intent: 'plan', subject: { reference: 'Patient/a' },
    category: [{ coding: [ORAL_ANTICANCER] }], medicationCodeableConcept: { text: 'Capécitabine' }, ...extra,
  });

  it('a PPS is shared with the GP when handed over with the patient’s agreement, not before, not against it', () => {
    expect(sharingEventsOf({ action: 'create', resourceType: 'CarePlan', next: pps() })).to.deep.equal([]);
    expect(sharingEventsOf({ action: 'update', resourceType: 'CarePlan', previous: pps(), next: pps({ extension: handedOver(false) }, '2') })).to.deep.equal([]);
    const [shared] = sharingEventsOf({ action: 'update', resourceType: 'CarePlan', previous: pps(), next: pps({ extension: handedOver(true) }, '2') });
    expect(shared).to.deep.include({ kind: 'pps-shared', topic: 'CarePlan/p1/_history/2', patientId: 'a', dedupKey: 'pps-shared:CarePlan/p1/_history/2' });
    // A new hand-over record without a new update is not news for the GP.
    expect(sharingEventsOf({ action: 'update', resourceType: 'CarePlan', previous: pps({ extension: handedOver(true) }, '2'), next: pps({ extension: handedOver(true), note: [{ text: 'x' }] }, '3') })).to.deep.equal([]);
  });

  it('a PPAC is news when created or changed, not when written again unchanged', () => {
    const ppac = (extra: Partial<CarePlan> = {}, v = '1'): CarePlan => pps({ id: 'q1', category: [{ coding: [{ system: CARE_PLAN_CATEGORY_SYSTEM, code: CATEGORY.ppac.code }] }], ...extra }, v);
    expect(sharingEventsOf({ action: 'create', resourceType: 'CarePlan', next: ppac() }).map((e) => e.kind)).to.deep.equal(['ppac-changed']);
    expect(sharingEventsOf({ action: 'update', resourceType: 'CarePlan', previous: ppac(), next: ppac({}, '2') })).to.deep.equal([]);
    const [changed] = sharingEventsOf({ action: 'update', resourceType: 'CarePlan', previous: ppac(), next: ppac({ status: 'completed' }, '2') });
    expect(changed!.payload.summary).to.equal('PPAC terminé');
  });

  it('an oral treatment is news when prescribed, suspended (with its reason) or re-dosed; other treatments are not', () => {
    expect(sharingEventsOf({ action: 'create', resourceType: 'MedicationRequest', next: oral() })[0]!.payload.change).to.equal('created');
    const [suspended] = sharingEventsOf({ action: 'update', resourceType: 'MedicationRequest', previous: oral(), next: oral({ status: 'on-hold', statusReason: { text: 'Neutropénie' } }, '2') });
    expect(suspended!.payload.summary).to.equal('Capécitabine : en cours → suspendu (motif : Neutropénie)');
    const [dosage] = sharingEventsOf({ action: 'update', resourceType: 'MedicationRequest', previous: oral(), next: oral({ dosageInstruction: [{ text: '1000 mg' }] }, '2') });
    expect(dosage!.payload.change).to.equal('dosage');
    expect(sharingEventsOf({ action: 'create', resourceType: 'MedicationRequest', next: oral({ category: [] }) })).to.deep.equal([]);
    expect(sharingEventsOf({ action: 'delete', resourceType: 'MedicationRequest', previous: oral() })).to.deep.equal([]);
  });

  it('a document is delivered when every copy went, failed when one is dead, waiting while one retries', () => {
    const entry = (id: string, kind: string, status: OutboxEntry['status'], extra: Partial<OutboxEntry> = {}): OutboxEntry => ({
      id, kind, status, payload: { role: 'general-practitioner', recipient: 'Practitioner/g', address: 'g@x.mssante.fr' }, attempts: 1, nextAttemptAt: '2026-03-01T10:00:00Z',
      createdAt: '2026-03-01T09:00:00Z', sentAt: status === 'sent' ? '2026-03-01T09:01:00Z' : null, lastError: null, dedupKey: id, topic: 'Composition/c/_history/2', parentId: null, recipient: 'Practitioner/g', patientId: 'a', ...extra,
    });
    const event = entry('1', 'rcp-report', 'sent');
    expect(documentDelivery(entry('1', 'rcp-report', 'pending'), []).state).to.equal('queued');
    expect(documentDelivery(event, [entry('2', 'mail', 'sent')]).state).to.equal('delivered');
    expect(documentDelivery(event, [entry('2', 'mail', 'sent'), entry('3', 'mail', 'failed')]).state).to.equal('in-progress');
    expect(documentDelivery(event, [entry('2', 'mail', 'sent'), entry('3', 'mail', 'dead')]).state).to.equal('failed');
    expect(documentDelivery(event, [entry('2', 'mail', 'withheld')]).state).to.equal('withheld');
    expect(documentDelivery({ ...event, lastError: 'Aucun destinataire' }, []).state).to.equal('no-recipient');
    expect(documentDelivery(event, []).state).to.equal('delivered'); // sent as a whole (demo seed, another system)
    expect(documentDelivery(event, [entry('2', 'mail', 'sent')]).deliveries[0]).to.include({ roleLabel: 'Médecin traitant', statusLabel: 'envoyé', address: 'g@x.mssante.fr' });
  });

  it('the published code systems (fhir-profiles/) list exactly the codes the server writes', () => {
    const codes = (id: string) => (JSON.parse(fs.readFileSync(new URL(`../../fhir-profiles/CodeSystem-${id}.json`, import.meta.url), 'utf8')).concept as { code: string; display: string }[]);
    expect(codes('dcc-sharing-event')).to.deep.equal(Object.entries(SHARING_LABEL).map(([code, display]) => ({ code, display })));
    expect(codes('dcc-summary-section').map((c) => c.code)).to.deep.equal(Object.keys(SECTION));
    expect(codes('dcc-summary-audience').map((c) => c.code)).to.deep.equal([...AUDIENCES]);
  });
});
