/**
 * What the city must hear about, decided on every write whoever makes it (care-plan operations,
 * FHIR PUT, transactions): the events are written to the outbox in the write's own transaction,
 * so a change and its notification commit (or roll back) together. The signed RCP report's event
 * is raised by the RCP workflow at signature (server/rcp/decision.ts), which alone knows the
 * recipients; both go through `emitSharingEvent`, the one way into the outbox.
 *
 * Who receives what is decided later, when the event is dispatched (dispatcher.ts): the
 * patient's objections and choices are checked then, against the directory of that moment.
 */
import type { CarePlan, MedicationRequest, Resource } from '@medplum/fhirtypes';
import { EXT, handOverOf, isOralAnticancer, isPpac, isPps, updateRecordsOf } from '../care-plan/index.ts';
import type { Executor, WriteRule } from '../store/repository.ts';
import { OutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import type { Store } from '../store/store.ts';
import { idOf } from '../fhir-kit/ids.ts';

export const RCP_REPORT_EVENT = 'rcp-report';
export const PPS_SHARED_EVENT = 'pps-shared';
export const PPAC_CHANGED_EVENT = 'ppac-changed';
export const ORAL_TREATMENT_EVENT = 'oral-treatment-changed';
export const EVENT_KINDS = [RCP_REPORT_EVENT, PPS_SHARED_EVENT, PPAC_CHANGED_EVENT, ORAL_TREATMENT_EVENT] as const;
export type SharingEventKind = (typeof EVENT_KINDS)[number];

/** Payload of the signed RCP report's event, written by the RCP workflow at signature (rcp/decision.ts). */
export interface RcpReportMessage {
  case: string;
  patient: string;
  composition: string;
  compositionVersion: string;
  provenance: string;
  signedAt: string;
  signedBy: string;
  board: string;
  session?: string;
  recipients: { role: 'general-practitioner' | 'requester' | 'correspondent'; practitioner?: string; display?: string; unknown?: boolean }[];
  correctionReason?: string;
}

/** Payload of the care-programme and treatment events (the RCP report's is RcpReportMessage). */
export interface ChangeEventPayload {
  patient: string;
  /** `CarePlan/…/_history/…` or `MedicationRequest/…/_history/…`. */
  resource: string;
  change: 'shared' | 'updated' | 'created' | 'status' | 'dosage' | 'medication';
  /** French one-liner for the message (update reason, status change…). */
  summary: string;
  at: string;
}

export interface PendingEvent {
  kind: SharingEventKind;
  dedupKey: string;
  topic: string;
  patientId: string;
  payload: ChangeEventPayload;
}

const STATUS_LABEL: Record<string, string> = {
  active: 'en cours', 'on-hold': 'suspendu', cancelled: 'annulé', completed: 'terminé', stopped: 'arrêté',
  draft: 'en préparation', 'entered-in-error': 'saisi par erreur', unknown: 'inconnu',
};

/** The events one write raises (pure: the rule below only stores them). */
export function sharingEventsOf(change: Parameters<WriteRule>[0]): PendingEvent[] {
  if (change.action === 'delete' || !change.next) return [];
  const next = change.next;
  const previous = change.previous;
  if (next.resourceType === 'CarePlan') return carePlanEvents(next as CarePlan, previous as CarePlan | undefined);
  if (next.resourceType === 'MedicationRequest') return oralTreatmentEvents(next as MedicationRequest, previous as MedicationRequest | undefined);
  return [];
}

function carePlanEvents(next: CarePlan, previous: CarePlan | undefined): PendingEvent[] {
  if (next.status === 'entered-in-error' || next.status === 'draft') return [];
  if (isPps(next)) {
    // PPS to the GP only once handed over and with the patient's agreement.
    if (!ppsSharedWithGp(next)) return [];
    if (!previous || !ppsSharedWithGp(previous)) return [event(PPS_SHARED_EVENT, next, 'shared', 'PPS remis au patient, qui accepte son envoi au médecin traitant')];
    const before = updateRecordsOf(previous).length;
    const records = updateRecordsOf(next);
    if (records.length <= before) return [];
    const latest = records[records.length - 1]!;
    const reason = latest.reason?.text ?? latest.reason?.coding?.[0]?.display ?? 'mise à jour';
    return [event(PPS_SHARED_EVENT, next, 'updated', `PPS mis à jour : ${reason}${latest.detail ? ` (${latest.detail})` : ''}`)];
  }
  if (isPpac(next)) {
    if (!previous) return [event(PPAC_CHANGED_EVENT, next, 'created', 'PPAC établi : calendrier de surveillance alternée hôpital / médecin traitant')];
    if (sameContent(previous, next)) return [];
    const summary = previous.status !== next.status
      ? `PPAC ${STATUS_LABEL[next.status] ?? next.status}`
      : 'PPAC modifié (calendrier ou orientations)';
    return [event(PPAC_CHANGED_EVENT, next, 'updated', summary)];
  }
  return [];
}

function oralTreatmentEvents(next: MedicationRequest, previous: MedicationRequest | undefined): PendingEvent[] {
  if (!isOralAnticancer(next) || next.status === 'draft' || next.status === 'entered-in-error') return [];
  const drug = next.medicationCodeableConcept?.text ?? next.medicationCodeableConcept?.coding?.[0]?.display ?? 'traitement oral';
  if (!previous) return [event(ORAL_TREATMENT_EVENT, next, 'created', `Traitement anticancéreux oral prescrit : ${drug} (${STATUS_LABEL[next.status] ?? next.status})`)];
  if (previous.status !== next.status) {
    const reason = next.statusReason?.text ?? next.statusReason?.coding?.[0]?.display;
    return [event(ORAL_TREATMENT_EVENT, next, 'status', `${drug} : ${STATUS_LABEL[previous.status] ?? previous.status} → ${STATUS_LABEL[next.status] ?? next.status}${reason ? ` (motif : ${reason})` : ''}`)];
  }
  if (JSON.stringify(previous.medicationCodeableConcept) !== JSON.stringify(next.medicationCodeableConcept)) {
    return [event(ORAL_TREATMENT_EVENT, next, 'medication', `Médicament modifié : ${drug}`)];
  }
  if (JSON.stringify(previous.dosageInstruction) !== JSON.stringify(next.dosageInstruction)) {
    return [event(ORAL_TREATMENT_EVENT, next, 'dosage', `${drug} : posologie ou calendrier modifié — ${next.dosageInstruction?.[0]?.text ?? ''}`.trim())];
  }
  return [];
}


/** A PPS handed over to the patient, who agreed to send it to the GP (and still active). */
export function ppsSharedWithGp(plan: CarePlan): boolean {
  const share = plan.extension?.find((e) => e.url === EXT.shareWithGp)?.valueBoolean;
  return share === true && Boolean(handOverOf(plan)) && plan.status === 'active';
}

function sameContent(a: Resource, b: Resource): boolean {
  const strip = ({ meta: _meta, ...rest }: Resource) => rest;
  return JSON.stringify(strip(a)) === JSON.stringify(strip(b));
}

function event(kind: SharingEventKind, resource: CarePlan | MedicationRequest, change: ChangeEventPayload['change'], summary: string): PendingEvent {
  const patientId = idOf(resource.subject, 'Patient') ?? '';
  const topic = `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId ?? '1'}`;
  return {
    kind, topic, patientId, dedupKey: sharingEventKey(kind, topic),
    payload: { patient: `Patient/${patientId}`, resource: topic, change, summary, at: resource.meta?.lastUpdated ?? new Date().toISOString() },
  };
}

/** The outbox key of an event: one per kind and versioned resource, so an event raised twice is sent once. */
export const sharingEventKey = (kind: SharingEventKind, topic: string): string => `${kind}:${topic}`;

/**
 * The one way a sharing event enters the outbox: in the caller's transaction (`db` is the
 * transaction's executor), so the event commits or rolls back with the change it tells of;
 * raised twice (same kind and topic), it is kept once.
 */
export async function emitSharingEvent<P>(db: Executor, event: { kind: SharingEventKind; topic: string; patientId: string; payload: P; at?: Date }): Promise<{ entry: OutboxEntry<P>; created: boolean }> {
  return new OutboxStore(db).enqueue({
    kind: event.kind, payload: event.payload, dedupKey: sharingEventKey(event.kind, event.topic), topic: event.topic, patientId: event.patientId,
    ...(event.at ? { createdAt: event.at } : {}),
  });
}

/** Registers the rule that writes these events to the outbox (idempotent: same name replaces). */
export function registerSharingEvents(store: Store): void {
  store.addWriteRule('delivery:sharing-events', async (change, tx) => {
    for (const e of sharingEventsOf(change).filter((e) => e.patientId)) {
      await emitSharingEvent(tx.db, { kind: e.kind, topic: e.topic, patientId: e.patientId, payload: e.payload });
    }
  }, { types: ['CarePlan', 'MedicationRequest'] });
}
