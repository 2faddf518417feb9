import type { Appointment, Task } from '@medplum/fhirtypes';
import { ruleConflict } from './errors.ts';

/**
 * The two state machines of the workflow. Every command goes through `assert…Transition`, and the
 * write rules (write-rules.ts) check the same tables on any write of the resources, whoever writes.
 */

// --- Session (Appointment) ------------------------------------------------------------------

export type SessionState = 'planned' | 'in-progress' | 'closed' | 'cancelled';

export const SESSION_STATUS: Record<SessionState, Appointment['status']> = {
  planned: 'booked',
  'in-progress': 'arrived',
  closed: 'fulfilled',
  cancelled: 'cancelled',
};

export const SESSION_LABEL: Record<SessionState, string> = {
  planned: 'planifiée',
  'in-progress': 'en cours',
  closed: 'clôturée',
  cancelled: 'annulée',
};

const SESSION_TRANSITIONS: Record<SessionState, SessionState[]> = {
  planned: ['in-progress', 'cancelled'],
  'in-progress': ['closed'],
  closed: [],
  cancelled: [],
};

export function sessionStateOf(status: Appointment['status']): SessionState {
  const state = (Object.keys(SESSION_STATUS) as SessionState[]).find((s) => SESSION_STATUS[s] === status);
  if (!state) throw ruleConflict('session-transition', `Statut de séance inattendu : '${status}'`);
  return state;
}

/** "Impossible d'ouvrir…", "Impossible de clôturer…": French elides "de" before a vowel. */
export function impossibleTo(action: string): string {
  return /^[aeiouyàâéèêëîïôöûü]/i.test(action) ? `Impossible d'${action}` : `Impossible de ${action}`;
}

export function allowedSessionTransition(from: SessionState, to: SessionState): boolean {
  return SESSION_TRANSITIONS[from].includes(to);
}

export function assertSessionTransition(from: SessionState, to: SessionState, action: string): void {
  if (allowedSessionTransition(from, to)) return;
  const next = SESSION_TRANSITIONS[from].map((s) => SESSION_LABEL[s]);
  throw ruleConflict(
    'session-transition',
    `${impossibleTo(action)} : la séance est ${SESSION_LABEL[from]}. ${next.length ? `Depuis cet état, elle ne peut qu'être ${next.join(' ou ')}.` : 'Cet état est définitif.'}`,
    ['status'],
  );
}

// --- Case (Task) ----------------------------------------------------------------------------

export type CaseState =
  | 'pending'
  | 'accepted'
  | 'quorum-not-reached'
  | 'postponed'
  | 'discussed'
  | 'recorded'
  | 'signed'
  | 'rejected'
  | 'withdrawn';

export const CASE_STATES: CaseState[] = ['pending', 'accepted', 'quorum-not-reached', 'postponed', 'discussed', 'recorded', 'signed', 'rejected', 'withdrawn'];

/** Task.status of each case state (Task.businessStatus carries the case state itself). */
export const CASE_TASK_STATUS: Record<CaseState, Task['status']> = {
  pending: 'requested',
  accepted: 'accepted',
  'quorum-not-reached': 'accepted',
  postponed: 'accepted',
  discussed: 'in-progress',
  recorded: 'in-progress',
  signed: 'completed',
  rejected: 'rejected',
  withdrawn: 'cancelled',
};

export const CASE_LABEL: Record<CaseState, string> = {
  pending: "en attente d'acceptation par le 3C",
  accepted: 'accepté',
  'quorum-not-reached': 'non discuté faute de quorum',
  postponed: 'ajourné',
  discussed: 'discuté',
  recorded: 'enregistré',
  signed: 'signé',
  rejected: 'refusé',
  withdrawn: 'retiré',
};

/** Moves (carry-over, move by the 3C) keep the state: pending stays pending, the others become accepted. */
const CASE_TRANSITIONS: Record<CaseState, CaseState[]> = {
  pending: ['pending', 'accepted', 'rejected', 'withdrawn'],
  accepted: ['accepted', 'discussed', 'recorded', 'quorum-not-reached', 'postponed', 'withdrawn'],
  'quorum-not-reached': ['quorum-not-reached', 'accepted', 'discussed', 'recorded', 'postponed', 'withdrawn'],
  postponed: ['postponed', 'accepted', 'discussed', 'recorded', 'quorum-not-reached', 'withdrawn'],
  discussed: ['discussed', 'signed'], // discussed → discussed: the decision being written
  recorded: ['recorded', 'signed'],
  signed: ['signed'], // a correction is a new signed version
  rejected: [],
  withdrawn: [],
};

export function isCaseState(value: unknown): value is CaseState {
  return typeof value === 'string' && (CASE_STATES as string[]).includes(value);
}

export function allowedCaseTransition(from: CaseState, to: CaseState): boolean {
  return CASE_TRANSITIONS[from].includes(to);
}

export function assertCaseTransition(from: CaseState, to: CaseState, action: string): void {
  if (allowedCaseTransition(from, to)) return;
  throw ruleConflict('case-transition', `${impossibleTo(action)} : le dossier est ${CASE_LABEL[from]}.`, ['status']);
}

/** Task.status changes the write rule accepts (derived from the case table). */
export function allowedTaskStatusChange(from: Task['status'], to: Task['status']): boolean {
  if (from === to) return true;
  return CASE_STATES.some((a) => CASE_TASK_STATUS[a] === from && CASE_TRANSITIONS[a].some((b) => CASE_TASK_STATUS[b] === to));
}

/** Cases a session still has to deal with (carried over when it closes or is cancelled). */
export const OPEN_CASE_STATES: CaseState[] = ['pending', 'accepted', 'quorum-not-reached', 'postponed'];
