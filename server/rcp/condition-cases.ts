import type { Appointment, ServiceRequest, Task } from '@medplum/fhirtypes';
import type { FhirRepository } from '../store/repository.ts';
import { caseFromFhir, caseStateOf, type RcpCase } from './case-model.ts';
import { RCP_CASE_CODE } from './codes.ts';
import { idFrom } from './fhir-helpers.ts';
import { OPEN_CASE_STATES } from './transitions.ts';

/** A case not yet discussed, with the meeting it waits for (its session's start, when known). */
export interface UndiscussedCase {
  rcpCase: RcpCase;
  boardName?: string;
  sessionStart?: string;
}

/**
 * The cases registered on a diagnosis that the RCP has not discussed yet (pending, accepted,
 * carried over for want of quorum, postponed): a diagnosis marked « saisie erronée » must not leave
 * one on an agenda (record/condition-error.ts). `repo` is the caller's choice of view: the record
 * passes the service view, so a case the physician cannot see still blocks the mark.
 */
export async function undiscussedCasesOnCondition(repo: FhirRepository, patientId: string, conditionId: string): Promise<UndiscussedCase[]> {
  const condition = `Condition/${conditionId}`;
  // A patient has a handful of cases: searched by patient, the diagnosis is matched here (R4 has no
  // search parameter on Task.reasonReference / ServiceRequest.reasonReference).
  const tasks = (await repo.searchAll<Task>('Task', {
    patient: `Patient/${patientId}`,
    code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`,
    status: 'requested,accepted',
  }, { max: 200 })).filter((t) => OPEN_CASE_STATES.includes(caseStateOf(t)));
  const out: UndiscussedCase[] = [];
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
