import type { ServiceRequest, Task } from '@medplum/fhirtypes';
import { notFound } from '../fhir-kit/errors.ts';
import { caseFromFhir, isRcpCase, type RcpCase } from './case-model.ts';
import { RCP_CASE_CODE } from './codes.ts';
import { orBatches } from '../fhir-kit/search-request.ts';
import { idFrom, type RcpContext } from './fhir-helpers.ts';

/** A case as stored: its Task and ServiceRequest. */
export interface LoadedCase {
  task: Task;
  request: ServiceRequest;
  rcpCase: RcpCase;
}

/** Reads a case (audited reads; 404 when it is not an RCP case or not visible to the caller). */
export async function loadCase(rc: RcpContext, id: string): Promise<LoadedCase> {
  const task = await rc.repo.read<Task>('Task', id);
  if (!isRcpCase(task)) throw notFound(`Task/${id} n'est pas un dossier inscrit en RCP`);
  const requestId = idFrom(task.focus, 'ServiceRequest');
  if (!requestId) throw notFound(`Le dossier Task/${id} n'a pas de demande de présentation (ServiceRequest)`);
  const request = await rc.repo.read<ServiceRequest>('ServiceRequest', requestId);
  return { task, request, rcpCase: caseFromFhir(task, request) };
}

/**
 * The cases among `ids` the caller may see, in one search (one audit event): an agenda lists cases
 * of patients outside the caller's circle, which simply do not come back.
 */
export async function loadVisibleCases(rc: RcpContext, ids: string[]): Promise<Map<string, LoadedCase>> {
  const out = new Map<string, LoadedCase>();
  const unique = [...new Set(ids)].filter(Boolean);
  for (const batch of orBatches(unique)) {
    const tasks = await rc.repo.searchAll<Task>('Task', { _id: batch.join(','), code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}` });
    const requestIds = tasks.map((t) => idFrom(t.focus, 'ServiceRequest')).filter((x): x is string => Boolean(x));
    const requests: ServiceRequest[] = [];
    for (const ids of orBatches(requestIds)) requests.push(...await rc.repo.searchAll<ServiceRequest>('ServiceRequest', { _id: ids.join(',') }));
    const byId = new Map(requests.map((r) => [r.id!, r]));
    for (const task of tasks) {
      const request = byId.get(idFrom(task.focus, 'ServiceRequest') ?? '');
      if (request) out.set(task.id!, { task, request, rcpCase: caseFromFhir(task, request) });
    }
  }
  return out;
}

/** Cases of a session (by Task.groupIdentifier) visible to the caller. */
export async function casesOfSession(rc: RcpContext, sessionId: string, groupSystem: string): Promise<LoadedCase[]> {
  const tasks = await rc.repo.searchAll<Task>('Task', { 'group-identifier': `${groupSystem}|${sessionId}`, code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}` });
  const loaded = await loadVisibleCases(rc, tasks.map((t) => t.id!));
  return tasks.map((t) => loaded.get(t.id!)).filter((x): x is LoadedCase => Boolean(x));
}
