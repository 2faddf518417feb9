import type { Bundle, Patient } from '@medplum/fhirtypes';
import { patientDisplayName } from '../lib/patient-identity.ts';
import { api } from './http.ts';
import type { ResponsibleSigner } from '../lib/signers.ts';
import type { MissingRecipient, ReportSignature } from '../lib/report-sending.ts';

/**
 * The RCP workflow API (/api/rcp) as the 3C coordinator's pages use it: boards, sessions, cases,
 * indicators, and the delivery follow-up (/api/deliveries). Types mirror server/rcp/*-model.ts.
 */

export interface SpecialityRef { code: string; display?: string }
export interface MandatedSpeciality { label: string; anyOf: SpecialityRef[] }
export interface BoardMember { practitioner: string; display?: string; speciality?: SpecialityRef; membership: 'fixed' | 'occasional'; chair?: boolean }
export interface BoardSchedule { rrule: string; startTime: string; endTime: string; from: string; until?: string; timeZone: string }
export type OverrideKind = 'holiday' | 'moved' | 'extra';
export interface DateOverride { date: string; kind: OverrideKind; newDate?: string; startTime?: string; endTime?: string; reason?: string; place?: string; videoLink?: string }

export interface BoardSettings {
  code?: string;
  name: string;
  kind: 'organ' | 'transversal';
  organ?: string;
  coordinationCentre: string;
  members: BoardMember[];
  quorum: { minSpecialities: number; relevantSpecialities: SpecialityRef[]; mandated: MandatedSpeciality[]; writtenOpinionCounts: boolean };
  schedule?: BoardSchedule;
  overrides: DateOverride[];
  registrationCutoffHours: number;
  capacity: number;
  place?: string;
  videoLink?: string;
  horizonDays: number;
  requireCompleteSheet?: boolean;
  paediatric?: boolean;
  recours?: boolean;
  active?: boolean;
}
export interface Board extends BoardSettings { id: string; version: string; coordinationCentreDisplay?: string; warnings?: string[] }

export type SessionState = 'planned' | 'in-progress' | 'closed' | 'cancelled';
export type AttendanceMode = 'present' | 'remote' | 'written-opinion';
export interface Attendance { practitioner: string; display?: string; speciality?: SpecialityRef; mode: AttendanceMode; cases?: string[] }
export interface Session {
  id: string; version: string; boardId: string; boardName?: string; occurrence: string; state: SessionState;
  start: string; end: string; place?: string; videoLink?: string; override?: 'moved' | 'extra'; overrideReason?: string;
  /** A moved session: its planned start, and when it was moved. */
  originalStart?: string; movedAt?: string; startedAt?: string;
  cancellationReason?: string; attendance: Attendance[];
}

export type CaseState = 'pending' | 'accepted' | 'rejected' | 'withdrawn' | 'discussed' | 'recorded' | 'quorum-not-reached' | 'postponed' | 'signed' | 'carried-over' | string;
export type AgendaFlag = 'scheduled' | 'discussed' | 'recorded' | 'quorum-not-reached' | 'postponed' | 'carried-over' | 'moved' | 'withdrawn' | 'rejected';

export interface AgendaLine {
  case: string; flag: AgendaFlag; cause?: AgendaFlag; origin?: 'registration' | 'carried-over' | 'moved'; addedAt: string; note?: string;
  /** The case's number in the session (server rule, rcp/agenda.ts agendaNumbers): the same on every page and in the printed report. */
  position?: number; visible: boolean; state?: CaseState; patient?: string; requester?: string; late?: boolean; question?: string; fileComplete?: boolean;
  /** A report left to sign: who may sign it (the server's rule). */
  signers?: ResponsibleSigner[];
}
export interface SessionDetails {
  session: Session;
  board: { id: string; name: string; capacity: number; registrationCutoffHours: number };
  registrationDeadline: string;
  agenda?: { id: string; version: string; frozen: boolean; places: { used: number; capacity: number }; entries: AgendaLine[] };
}

export type Motif = 'diagnostic-opinion' | 'treatment-proposal' | 'recours' | 'paediatrics';
export const MOTIF_LABEL: Record<Motif, string> = {
  'diagnostic-opinion': 'Avis diagnostique',
  'treatment-proposal': 'Proposition de traitement',
  recours: 'Recours',
  paediatrics: 'Pédiatrie',
};

export interface RcpCase {
  id: string; version: string; patient: string; requester: string; requesterDisplay?: string; boardId: string; sessionId?: string;
  state: CaseState; stateLabel: string; late: boolean; motif: Motif; question: string; summary: string; sheet?: string;
  registeredAt: string; statusReason?: string; decision?: string; report?: string; signedAt?: string; signedBy?: string; trialProposed?: boolean;
  quorum?: { reached: boolean; missing: string[] };
}

export interface Completeness { complete: boolean; missing: { label: string; severity: 'error' | 'warning' }[]; checkedAt: string; source: 'live' | 'snapshot' }

export interface QuorumResult {
  reached: boolean; required: number; specialities: SpecialityRef[];
  counted: { practitioner: string; display?: string; speciality: SpecialityRef; mode: AttendanceMode }[];
  notCounted: { practitioner: string; display?: string; reason: string }[];
  missingMandated: MandatedSpeciality[]; reasons: string[];
}

export interface DelayStats { n: number; medianHours: number | null; p90Hours: number | null }
export interface Indicators {
  sessionsHeld: number; sessionsCancelled: number; sessionsPlanned: number; casesRegistered: number; casesPresented: number;
  casesDiscussed: number; casesRecorded: number; casesCarriedOver: number; casesQuorumNotReached: number; quorumRate: number | null;
  casesSigned: number; delays: { registrationToSession: DelayStats; sessionToSignature: DelayStats; signatureToSent: DelayStats };
  trialProposalShare: number | null; ppsHandedOverShare: number | null; coverage: { casesPresented: number; casesVisible: number };
}
export interface IndicatorReport {
  period: { from: string; to: string }; boards: (Indicators & { board: { id: string; name: string } })[]; total: Indicators;
  /** The six quality criteria per establishment (server/pathway/quality.ts); absent for who may not read diagnoses. */
  quality?: EstablishmentQuality[];
}

export type QualityCriterion = 'announcement' | 'rcp' | 'pps-handed-over' | 'guidelines' | 'supportive-care' | 'trials-innovation';
export interface EstablishmentQuality {
  establishment: { reference: string; name?: string };
  cases: number;
  criteria: Record<QualityCriterion, { label: string; met: number; rate: number; missing: { patient: string; name?: string; condition: string }[] }>;
}

export type DeliveryState = 'queued' | 'delivered' | 'incomplete' | 'in-progress' | 'failed' | 'withheld' | 'no-recipient';
export interface DeliveryLine {
  id: string; channel: 'mail' | 'fhir-push'; recipient: string; roleLabel?: string; display?: string; address?: string;
  status: 'pending' | 'sending' | 'sent' | 'failed' | 'dead' | 'withheld'; statusLabel: string; attempts: number; lastError: string | null; sentAt: string | null;
}
export interface DocumentDelivery {
  event: { id: string; kind: string; status: string; createdAt: string; dispatchedAt: string | null; note: string | null };
  document: string | null; patient: string | null; state: DeliveryState; stateLabel: string; deliveries: DeliveryLine[];
  /** Recipients the report should have reached but who are not known (no declared GP). */
  missing: MissingRecipient[];
  /** A signed RCP report's sending: the first signature or a correction. */
  report?: ReportSignature;
}
export interface DeliveryAlerts { missingGp: { patient: string; display: string; birthDate?: string; message: string }[]; missingGpMore: boolean; undelivered: DocumentDelivery[] }

const ifMatch = (version: string | undefined) => (version ? { 'if-match': `W/"${version}"` } : undefined);
const opt = <T extends object>(headers: T | undefined) => (headers ? { headers: headers as Record<string, string> } : {});

export const rcp = {
  boards: (query: { active?: boolean } = {}) => api<Board[]>('/api/rcp/boards', { query }),
  board: (id: string) => api<Board>(`/api/rcp/boards/${id}`),
  createBoard: (settings: BoardSettings) => api<Board>('/api/rcp/boards', { method: 'POST', body: settings }),
  updateBoard: (id: string, settings: BoardSettings, version: string) => api<Board>(`/api/rcp/boards/${id}`, { method: 'PUT', body: settings, ...opt(ifMatch(version)) }),
  generate: (id: string) => api<unknown>(`/api/rcp/boards/${id}/sessions/generate`, { method: 'POST', body: {} }),
  sessions: (boardId: string, query: { from?: string; to?: string; state?: SessionState } = {}) => api<Session[]>(`/api/rcp/boards/${boardId}/sessions`, { query }),
  session: (id: string) => api<SessionDetails>(`/api/rcp/sessions/${id}`),
  /** Opened another day than planned, the session is rescheduled to now with the reason (the server refuses it otherwise). */
  start: (id: string, version: string, rescheduleReason?: string) => api<Session>(`/api/rcp/sessions/${id}/start`, { method: 'POST', body: rescheduleReason ? { rescheduleReason } : {}, ...opt(ifMatch(version)) }),
  close: (id: string, version: string) => api<{ session: Session; carriedOver: string[]; nextSession?: Session }>(`/api/rcp/sessions/${id}/close`, { method: 'POST', body: {}, ...opt(ifMatch(version)) }),
  attendance: (id: string, attendance: Attendance[], version: string) => api<Session>(`/api/rcp/sessions/${id}/attendance`, { method: 'PUT', body: { attendance }, ...opt(ifMatch(version)) }),
  quorum: (id: string, caseId?: string) => api<QuorumResult>(`/api/rcp/sessions/${id}/quorum`, { query: { case: caseId } }),
  cases: (query: { session?: string; board?: string; state?: string }) => api<RcpCase[]>('/api/rcp/cases', { query }),
  /** The 3C's inbox: requests awaiting its answer on the boards it runs, oldest first. */
  pendingRegistrations: () => api<PendingRegistration[]>('/api/rcp/registrations/pending'),
  completeness: (id: string) => api<Completeness>(`/api/rcp/cases/${id}/completeness`),
  accept: (id: string) => api<RcpCase>(`/api/rcp/cases/${id}/accept`, { method: 'POST', body: {} }),
  reject: (id: string, reason: string) => api<RcpCase>(`/api/rcp/cases/${id}/reject`, { method: 'POST', body: { reason } }),
  /** The requester, the 3C or the board's coordinating physician withdraws a case not yet discussed (the reason is required). */
  withdraw: (id: string, reason: string) => api<RcpCase>(`/api/rcp/cases/${id}/withdraw`, { method: 'POST', body: { reason } }),
  move: (id: string, session: string, reason: string) => api<RcpCase>(`/api/rcp/cases/${id}/move`, { method: 'POST', body: { session: `Appointment/${session}`, reason } }),
  discuss: (id: string) => api<RcpCase>(`/api/rcp/cases/${id}/discuss`, { method: 'POST', body: {} }),
  postpone: (id: string, reason: string) => api<RcpCase>(`/api/rcp/cases/${id}/postpone`, { method: 'POST', body: { reason } }),
  decision: (id: string) => api<{ case: RcpCase; sheet: { version: string }; proposal?: { treatments?: { intention: number; sequence: number; type: string; detail?: string }[]; comment?: string }; basis?: { clinicalTrial?: { proposed: boolean } } }>(`/api/rcp/cases/${id}/decision`),
  saveDecision: (id: string, body: unknown, version?: string) => api<unknown>(`/api/rcp/cases/${id}/decision`, { method: 'PUT', body, ...opt(ifMatch(version)) }),
  indicators: (query: { from: string; to: string; board?: string }) => api<IndicatorReport>('/api/rcp/indicators', { query: { ...query, format: 'json' } }),
  deliveriesOfCase: (caseId: string) => api<{ documents: DocumentDelivery[] }>('/api/deliveries', { query: { case: caseId } }),
  alerts: () => api<DeliveryAlerts>('/api/deliveries/alerts'),
  retry: (id: string) => api<DocumentDelivery>(`/api/deliveries/${id}/retry`, { method: 'POST', body: {} }),
};

/** Name and birth year of the patients of an agenda (one search; only those the coordinator may see). */
export async function patientsById(ids: string[]): Promise<Map<string, { name: string; birthYear?: string; gender?: string }>> {
  const unique = [...new Set(ids.map((r) => r.replace(/^Patient\//, '')))].filter(Boolean);
  const out = new Map<string, { name: string; birthYear?: string; gender?: string }>();
  if (!unique.length) return out;
  const bundle = await api<Bundle<Patient>>('/fhir/Patient', { query: { _id: unique.join(','), _count: 100 } });
  for (const p of (bundle.entry ?? []).map((e) => e.resource).filter((r): r is Patient => Boolean(r))) {
    // The birth name as every page shows it (RNIV): the first name listed may be the used one.
    out.set(`Patient/${p.id}`, { name: patientDisplayName(p), ...(p.birthDate ? { birthYear: p.birthDate.slice(0, 4) } : {}), ...(p.gender ? { gender: p.gender } : {}) });
  }
  return out;
}

export const SESSION_STATE_LABEL: Record<SessionState, string> = { planned: 'Prévue', 'in-progress': 'En cours', closed: 'Clôturée', cancelled: 'Annulée' };
/** A registration request awaiting the 3C's answer (server/rcp/pending-registrations.ts). */
export interface PendingRegistration {
  case: string; patient: string; patientName?: string; birthYear?: number; requester: string; requesterDisplay?: string;
  boardId: string; boardName: string; sessionId?: string; sessionStart?: string; registeredAt: string; late: boolean; question: string;
}

export const FLAG_LABEL: Record<AgendaFlag, string> = {
  scheduled: 'Inscrit', discussed: 'Discuté', recorded: 'Enregistré', 'quorum-not-reached': 'Quorum non atteint', postponed: 'Ajourné',
  'carried-over': 'Reporté à la séance suivante', moved: 'Déplacé', withdrawn: 'Retiré', rejected: 'Refusé',
};
export const ATTENDANCE_LABEL: Record<AttendanceMode, string> = { present: 'Présent', remote: 'À distance', 'written-opinion': 'Avis écrit' };
