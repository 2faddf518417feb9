import { FhirError, outcome } from '../fhir-kit/errors.ts';
import { RCP_RULE_SYSTEM } from './codes.ts';

/**
 * The RCP rules an OperationOutcome can name (issue.details.coding, system RCP_RULE_SYSTEM): the
 * French text says what happened and what to do, the code lets a client react without parsing it.
 */
export type RcpRule =
  | 'board-invalid'
  | 'board-quorum'
  | 'board-schedule'
  | 'not-board-manager'
  | 'not-session-manager'
  | 'not-in-circle-of-care'
  | 'not-a-physician'
  | 'session-transition'
  | 'session-not-open'
  | 'session-not-in-progress'
  | 'session-cancel-reason'
  | 'session-closed'
  | 'session-not-today'
  | 'session-reschedule'
  | 'registration-cutoff'
  | 'session-full'
  | 'patient-already-registered'
  | 'sheet-incomplete'
  | 'sheet-case-closed'
  | 'patient-information'
  | 'gp-information'
  | 'registration-invalid'
  | 'case-transition'
  | 'case-not-on-session'
  | 'late-acceptance'
  | 'quorum-not-reached'
  | 'recorded-guideline-required'
  | 'recorded-not-paediatric'
  | 'decision-invalid'
  | 'decision-missing'
  | 'signer-not-participant'
  | 'signed-immutable'
  | 'correction-reason-required'
  | 'agenda-order'
  | 'agenda-snapshot'
  | 'attendance-invalid'
  | 'move-invalid'
  | 'indicators-invalid';

function ruleIssue(rule: RcpRule, code: 'business-rule' | 'conflict' | 'invalid' | 'forbidden', text: string, expression?: string[]) {
  return {
    severity: 'error' as const,
    code,
    details: { coding: [{ system: RCP_RULE_SYSTEM, code: rule }], text },
    ...(expression?.length ? { expression } : {}),
  };
}

/** 409: the request is understood but the current state forbids it (illegal transition, full session…). */
export function ruleConflict(rule: RcpRule, text: string, expression?: string[]): FhirError {
  return new FhirError(409, outcome([ruleIssue(rule, 'business-rule', text, expression)]));
}

/** 422: the content breaks a rule (a missing mandatory item…); several issues at once when given. */
export function ruleViolation(rule: RcpRule, text: string, expression?: string[]): FhirError {
  return new FhirError(422, outcome([ruleIssue(rule, 'business-rule', text, expression)]));
}

export function ruleViolations(rule: RcpRule, problems: { text: string; expression?: string[] }[]): FhirError {
  return new FhirError(422, outcome(problems.map((p) => ruleIssue(rule, 'business-rule', p.text, p.expression))));
}

/** 400: a malformed command (wrong type, unknown value). */
export function invalidInput(rule: RcpRule, text: string, expression?: string[]): FhirError {
  return new FhirError(400, outcome([ruleIssue(rule, 'invalid', text, expression)]));
}

/** 403 naming the rule (who may do this step). */
export function notAllowed(rule: RcpRule, text: string): FhirError {
  return new FhirError(403, outcome([ruleIssue(rule, 'forbidden', text)]));
}
