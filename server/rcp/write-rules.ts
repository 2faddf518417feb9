import type { Appointment, List, Task } from '@medplum/fhirtypes';
import type { WriteRule } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { caseStateOf, isRcpCase } from './case-model.ts';
import { ruleConflict, ruleViolation } from './errors.ts';
import { isAgenda, isRcpSession } from './session-model.ts';
import { closedCaseSheetRule } from './sheet-case.ts';
import { allowedCaseTransition, allowedSessionTransition, allowedTaskStatusChange, CASE_LABEL, SESSION_LABEL, SESSION_STATUS, type SessionState } from './transitions.ts';

/**
 * The workflow's invariants, checked on every write whoever writes (the RCP API, the FHIR REST API,
 * a transaction Bundle): sessions and cases only move along their state machines, a closed or
 * cancelled session and its agenda are frozen. (Deletes are soft and not passed to write rules.)
 */

function stateOf(status: Appointment['status']): SessionState | undefined {
  return (Object.keys(SESSION_STATUS) as SessionState[]).find((s) => SESSION_STATUS[s] === status);
}

export const rcpSessionRule: WriteRule = ({ action, resourceType, previous, next }) => {
  if (resourceType !== 'Appointment') return;
  const before = isRcpSession(previous as Appointment | undefined) ? (previous as Appointment) : undefined;
  const after = isRcpSession(next as Appointment | undefined) ? (next as Appointment) : undefined;
  if (action === 'create' && after && after.status !== 'booked') {
    throw ruleConflict('session-transition', `Une séance de RCP se crée planifiée (status booked), pas ${after.status}`);
  }
  if (!before) return;
  if (!after) throw ruleConflict('session-transition', `Appointment/${before.id} est une séance de RCP : elle le reste (identifiant de séance obligatoire)`);
  const from = stateOf(before.status);
  const to = stateOf(after.status);
  if (!to) throw ruleConflict('session-transition', `Statut de séance non permis : ${after.status} (booked planifiée, arrived en cours, fulfilled clôturée, cancelled annulée)`, ['Appointment.status']);
  if (!from) return;
  if (from === to) {
    if (from === 'closed' || from === 'cancelled') throw ruleConflict('session-closed', `La séance Appointment/${before.id} est ${SESSION_LABEL[from]} : elle ne peut plus être modifiée`);
    return;
  }
  if (!allowedSessionTransition(from, to)) {
    throw ruleConflict('session-transition', `Séance Appointment/${before.id} : passage de « ${SESSION_LABEL[from]} » à « ${SESSION_LABEL[to]} » interdit`, ['Appointment.status']);
  }
  if (to === 'cancelled' && !after.cancelationReason?.text?.trim() && !after.cancelationReason?.coding?.length) {
    throw ruleViolation('session-cancel-reason', "Le motif d'annulation de la séance est obligatoire (cancelationReason)", ['Appointment.cancelationReason']);
  }
};

export const rcpCaseRule: WriteRule = ({ action, resourceType, previous, next }) => {
  if (resourceType !== 'Task') return;
  const before = isRcpCase(previous as Task | undefined) ? (previous as Task) : undefined;
  const after = isRcpCase(next as Task | undefined) ? (next as Task) : undefined;
  if (action === 'create' && after && (after.status !== 'requested' || caseStateOf(after) !== 'pending')) {
    throw ruleConflict('case-transition', "Un dossier RCP s'inscrit en attente d'acceptation (status requested) : il ne peut pas être créé dans un autre état");
  }
  if (!before) return;
  if (!after) throw ruleConflict('case-transition', `Task/${before.id} est un dossier RCP : il le reste`);
  const from = caseStateOf(before);
  const to = caseStateOf(after);
  if (!allowedCaseTransition(from, to) || !allowedTaskStatusChange(before.status, after.status)) {
    throw ruleConflict('case-transition', `Dossier RCP Task/${before.id} : passage de « ${CASE_LABEL[from]} » à « ${CASE_LABEL[to]} » (${before.status} → ${after.status}) interdit`, ['Task.status']);
  }
};

export const rcpAgendaRule: WriteRule = ({ resourceType, previous }) => {
  if (resourceType !== 'List') return;
  const before = previous as List | undefined;
  if (isAgenda(before) && before!.status === 'retired') {
    throw ruleConflict('agenda-snapshot', `L'ordre du jour List/${before!.id} d'une séance clôturée ou annulée est figé`);
  }
};

/** Registers the RCP workflow invariants (idempotent: same names replace). */
export function registerRcpRules(store: Store): void {
  store.addWriteRule('rcp-session-states', rcpSessionRule, { types: ['Appointment'], pure: true });
  store.addWriteRule('rcp-case-states', rcpCaseRule, { types: ['Task'], pure: true });
  store.addWriteRule('rcp-agenda-frozen', rcpAgendaRule, { types: ['List'], pure: true });
  store.addWriteRule('rcp-sheet-of-closed-case', closedCaseSheetRule, { types: ['Composition'] });
}
