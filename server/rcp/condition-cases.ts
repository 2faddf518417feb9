import type { Appointment, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FhirRepository } from '../store/repository.ts';
import { caseFromFhir, caseStateOf, type RcpCase } from './case-model.ts';
import { RCP_CASE_CODE } from './codes.ts';
import { idFrom } from './fhir-helpers.ts';
import { CASE_TASK_STATUS, OPEN_CASE_STATES, type CaseState } from './transitions.ts';

/** A case whose report is not signed yet, with its meeting (its session's start, when known). */
export interface UnsignedCase {
  rcpCase: RcpCase;
  boardName?: string;
  sessionStart?: string;
}

/** Discussed or recorded: the meeting is over, its report (the RCP sheet) not signed yet. */
export const AWAITING_REPORT_STATES: CaseState[] = ['discussed', 'recorded'];

/**
 * The cases registered on a diagnosis whose report is not signed yet: waiting for their RCP
 * (pending, accepted, carried over for want of quorum, postponed) or discussed / recorded with the
 * report still to sign. A diagnosis marked « saisie erronée » must leave none behind
 * (record/condition-error.ts): one would stay on an agenda, the other be signed on a diagnosis the
 * record calls wrong. `repo` is the caller's choice of view: the record passes the service view,
 * so a case the physician cannot see still blocks the mark.
 */
export async function unsignedCasesOnCondition(repo: FhirRepository, patientId: string, conditionId: string): Promise<UnsignedCase[]> {
  const condition = `Condition/${conditionId}`;
  const states = [...OPEN_CASE_STATES, ...AWAITING_REPORT_STATES];
  // A patient has a handful of cases: searched by patient, the diagnosis is matched here (R4 has no
  // search parameter on Task.reasonReference / ServiceRequest.reasonReference).
  const tasks = (await repo.searchAll<Task>('Task', {
    patient: `Patient/${patientId}`,
    code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`,
    status: [...new Set(states.map((s) => CASE_TASK_STATUS[s]))].join(','),
  }, { max: 200 })).filter((t) => states.includes(caseStateOf(t)));
  const out: UnsignedCase[] = [];
  for (const task of tasks) {
    const requestId = idFrom(task.focus, 'ServiceRequest');
    const request = requestId ? await repo.readIfExists<ServiceRequest>('ServiceRequest', requestId) : undefined;
    if (!request) continue;
    // The request is the case's truth for its diagnosis (caseFromFhir); the Task mirrors it.
    const rests = request.reasonReference?.some((r) => r.reference === condition) || task.reasonReference?.reference === condition;
    if (!rests) continue;
    const rcpCase = caseFromFhir(task, request);
    const session = rcpCase.sessionId ? await repo.readIfExists<Appointment>('Appointment', rcpCase.sessionId) : undefined;
    out.push({ rcpCase, ...(task.owner?.display ? { boardName: task.owner.display } : {}), ...(session?.start ? { sessionStart: session.start } : {}) });
  }
  return out.sort((a, b) => (a.sessionStart ?? '').localeCompare(b.sessionStart ?? ''));
}
