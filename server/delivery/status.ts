/**
 * What the 3C follows: for each shared document, where each copy is (queued, sent, retrying,
 * failed for good, withheld by the patient's choice); the patients without a declared GP (a
 * regional objective: every report reaches a GP); the reports that could not be delivered.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { OutboxEntry, OutboxStatus } from '../store/outbox-store.ts';
import { RECIPIENT_ROLE_LABEL, type MailDeliveryPayload, type PushDeliveryPayload, type RecipientRole } from './dispatcher.ts';
import { patientDisplayName } from '../identity/index.ts';
import { RCP_REPORT_EVENT, type RcpReportMessage } from './events.ts';

export type DeliveryState = 'queued' | 'delivered' | 'incomplete' | 'in-progress' | 'failed' | 'withheld' | 'no-recipient';

export const DELIVERY_STATE_LABEL: Record<DeliveryState, string> = {
  queued: 'En attente de répartition',
  delivered: 'Remis à tous les destinataires',
  incomplete: 'Remis aux destinataires connus, mais un destinataire manque',
  'in-progress': 'Envoi en cours (nouvelles tentatives programmées)',
  failed: 'Échec définitif pour au moins un destinataire',
  withheld: 'Non envoyé (opposition ou choix du patient)',
  'no-recipient': 'Aucun destinataire (pas de médecin traitant déclaré ?)',
};

const STATUS_LABEL: Record<OutboxStatus, string> = {
  pending: 'en attente', sending: 'envoi en cours', sent: 'envoyé', failed: 'nouvel essai programmé', dead: 'échec définitif', withheld: 'non envoyé',
};

export interface DeliveryLine {
  id: string;
  channel: 'mail' | 'fhir-push';
  recipient: string;
  role?: RecipientRole;
  roleLabel?: string;
  display?: string;
  address?: string;
  status: OutboxStatus;
  statusLabel: string;
  attempts: number;
  lastError: string | null;
  sentAt: string | null;
  nextAttemptAt: string | null;
}

export interface DocumentDelivery {
  event: { id: string; kind: string; status: OutboxStatus; createdAt: string; dispatchedAt: string | null; note: string | null };
  document: string | null;
  patient: string | null;
  state: DeliveryState;
  stateLabel: string;
  deliveries: DeliveryLine[];
  /** Recipients the document should have reached but who are not known (a report without a declared GP). */
  missing: MissingRecipient[];
  /**
   * For a signed RCP report: which signature this sending is of. A corrected report is sent again,
   * and the 3C sees both sendings side by side: the first signature, then each correction.
   */
  report?: ReportSignature;
}

export interface ReportSignature { correction: boolean; signedAt: string; correctionReason?: string }

export interface MissingRecipient { role: RecipientRole; roleLabel: string; reason: string }

/**
 * Who is missing from a report's recipients: the RCP report names its GP recipient as unknown
 * when no GP is declared (the regional objective is that every report reaches one).
 */
export function missingRecipients(event: OutboxEntry): MissingRecipient[] {
  const recipients = (event.payload as { recipients?: { role?: RecipientRole; unknown?: boolean }[] } | null)?.recipients;
  if (!Array.isArray(recipients)) return [];
  return recipients.filter((r) => r?.unknown && r.role).map((r) => ({
    role: r.role!,
    roleLabel: RECIPIENT_ROLE_LABEL[r.role!] ?? r.role!,
    reason: r.role === 'general-practitioner' ? 'Pas de médecin traitant déclaré : déclarez-le dans le dossier du patient puis renvoyez le compte rendu' : 'Destinataire inconnu',
  }));
}

/** The state of one document's sending from its event and the deliveries fanned out of it (pure). */
export function documentDelivery(event: OutboxEntry, deliveries: OutboxEntry[]): DocumentDelivery {
  const lines = deliveries.map(deliveryLine);
  const missing = missingRecipients(event);
  const report = reportSignatureOf(event);
  let state: DeliveryState;
  if (event.status === 'dead') state = 'failed'; // could not even be fanned out
  else if (event.status !== 'sent') state = 'queued';
  // Marked sent with no deliveries and no note: sent as a whole (before per-recipient deliveries, or by another system).
  else if (!lines.length) state = event.lastError || missing.length ? 'no-recipient' : 'delivered';
  else if (lines.some((l) => l.status === 'dead')) state = 'failed';
  else if (lines.some((l) => l.status === 'pending' || l.status === 'sending' || l.status === 'failed')) state = 'in-progress';
  else if (lines.every((l) => l.status === 'withheld')) state = 'withheld';
  // Everyone known got it, but someone was never known: not "delivered to all".
  else state = missing.length ? 'incomplete' : 'delivered';
  return {
    event: { id: event.id, kind: event.kind, status: event.status, createdAt: event.createdAt, dispatchedAt: event.status === 'sent' ? event.sentAt : null, note: event.lastError },
    document: event.topic,
    patient: event.patientId ? `Patient/${event.patientId}` : null,
    state,
    stateLabel: DELIVERY_STATE_LABEL[state],
    deliveries: lines,
    missing,
    ...(report ? { report } : {}),
  };
}

/** What the signature event says of itself (rcp/decision.ts writes it: signedAt, and correctionReason on a correction). */
function reportSignatureOf(event: OutboxEntry): ReportSignature | undefined {
  if (event.kind !== RCP_REPORT_EVENT) return undefined;
  const m = event.payload as Partial<RcpReportMessage> | null;
  if (typeof m?.signedAt !== 'string') return undefined;
  return { correction: Boolean(m.correctionReason), signedAt: m.signedAt, ...(m.correctionReason ? { correctionReason: m.correctionReason } : {}) };
}

function deliveryLine(entry: OutboxEntry): DeliveryLine {
  const mail = entry.kind === 'mail' ? (entry.payload as MailDeliveryPayload) : undefined;
  const push = entry.kind === 'fhir-push' || entry.kind === 'dmp-push' ? (entry.payload as PushDeliveryPayload) : undefined;
  return {
    id: entry.id,
    channel: entry.kind === 'mail' ? 'mail' : 'fhir-push',
    recipient: entry.recipient ?? mail?.recipient ?? push?.endpoint ?? '',
    ...(mail ? { role: mail.role, roleLabel: RECIPIENT_ROLE_LABEL[mail.role], ...(mail.display ? { display: mail.display } : {}), ...(mail.address ? { address: mail.address } : {}) } : {}),
    ...(push ? { display: entry.kind === 'dmp-push' ? 'Entrepôt de documents (CDA, type DMP)' : 'Entrepôt FHIR externe', address: push.endpoint } : {}),
    status: entry.status,
    statusLabel: STATUS_LABEL[entry.status],
    attempts: entry.attempts,
    lastError: entry.lastError,
    sentAt: entry.status === 'sent' ? entry.sentAt : null,
    nextAttemptAt: entry.status === 'failed' || entry.status === 'pending' ? entry.nextAttemptAt : null,
  };
}

/** A patient the 3C should find a GP for. */
export interface MissingGpAlert { patient: string; display: string; birthDate?: string; message: string }

export function missingGpAlert(patient: Patient): MissingGpAlert {
  const display = patientDisplayName(patient);
  return {
    patient: `Patient/${patient.id}`,
    display,
    ...(patient.birthDate ? { birthDate: patient.birthDate } : {}),
    message: 'Pas de médecin traitant déclaré : les comptes rendus et programmes ne peuvent pas lui être adressés',
  };
}
