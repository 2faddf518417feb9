import type { Composition, Resource, ServiceRequest, Task } from '@medplum/fhirtypes';
import { numericDate } from '../fhir-kit/french-dates.ts';
import { isRcpSheet, isSignedRcpSheet } from '../rcp-sheet/index.ts';
import type { FhirRepository, WriteRule } from '../store/repository.ts';
import { caseStateOf, isRcpCase } from './case-model.ts';
import { RCP_REVIEW_CODE } from './codes.ts';
import { ruleConflict } from './errors.ts';
import { idFrom } from './fhir-helpers.ts';

/**
 * The RCP sheet of a request that will never be discussed: the requesting physician withdrew it,
 * or the 3C refused it. The sheet (Composition, draft) is the request's own (ServiceRequest
 * .supportingInfo): it stays as it was then, read-only, and says why.
 */
export interface ClosedSheetCase {
  state: 'withdrawn' | 'rejected';
  /** When the case was withdrawn or refused (Task.lastModified). */
  at?: string;
  reason?: string;
  /** Task id of the case. */
  caseId: string;
}

const CLOSED_STATES = new Set(['withdrawn', 'rejected']);

function namesSheet(request: ServiceRequest, compositionId: string): boolean {
  return (request.supportingInfo ?? []).some((r) => idFrom(r, 'Composition') === compositionId);
}

/**
 * Of the patient's requests and cases (already read), the withdrawn or refused case whose request
 * holds this sheet. Pure: the record's timeline uses it on the resources of the compartment.
 */
export function closedCaseOfSheet(compositionId: string, resources: Resource[]): ClosedSheetCase | undefined {
  const requests = resources.filter((r): r is ServiceRequest => r.resourceType === 'ServiceRequest' && namesSheet(r, compositionId));
  if (!requests.length) return undefined;
  // A request still open (active, on another session after a move) keeps its sheet editable.
  if (requests.some((r) => r.status !== 'revoked')) return undefined;
  const requestIds = new Set(requests.map((r) => r.id));
  const tasks = resources.filter((r): r is Task => r.resourceType === 'Task' && isRcpCase(r as Task) && requestIds.has(idFrom((r as Task).focus, 'ServiceRequest') ?? ''));
  const closed = tasks.filter((t) => CLOSED_STATES.has(caseStateOf(t)))
    .sort((a, b) => (b.lastModified ?? '').localeCompare(a.lastModified ?? ''))[0];
  if (!closed) return undefined;
  return {
    state: caseStateOf(closed) as ClosedSheetCase['state'],
    caseId: closed.id!,
    ...(closed.lastModified ? { at: closed.lastModified } : {}),
    ...(closed.statusReason?.text ? { reason: closed.statusReason.text } : {}),
  };
}

/** Reads the patient's RCP requests naming the sheet, and their cases: the sheet's closed case, if any. */
export async function closedCaseOfSheetIn(repo: FhirRepository, sheet: Composition): Promise<ClosedSheetCase | undefined> {
  const subject = sheet.subject?.reference;
  if (!sheet.id || !subject) return undefined;
  const requests = (await repo.searchAll<ServiceRequest>('ServiceRequest', { subject, code: `${RCP_REVIEW_CODE.system}|${RCP_REVIEW_CODE.code}` }))
    .filter((r) => namesSheet(r, sheet.id!));
  if (!requests.length || requests.some((r) => r.status !== 'revoked')) return undefined;
  const tasks = await repo.searchAll<Task>('Task', { focus: requests.map((r) => `ServiceRequest/${r.id}`).join(',') });
  return closedCaseOfSheet(sheet.id, [...requests, ...tasks]);
}

/** « La demande d'inscription a été retirée le 12/03/2026 » — the sentence that says why the sheet no longer changes. */
export function closedSheetSentence(closed: ClosedSheetCase): string {
  const when = closed.at ? ` le ${numericDate(closed.at)}` : '';
  return closed.state === 'withdrawn' ? `La demande d'inscription a été retirée${when}` : `La demande d'inscription a été refusée par le 3C${when}`;
}

/**
 * The draft sheet of a withdrawn or refused case is read-only, whoever writes it (the form's PATCH,
 * a PUT of the Composition, a signature): 409 saying when and why. (A signed sheet has its own rule.)
 */
export const closedCaseSheetRule: WriteRule = async ({ action, resourceType, previous }, tx) => {
  if (resourceType !== 'Composition' || action === 'create') return;
  const before = previous as Composition | undefined;
  if (!isRcpSheet(before) || isSignedRcpSheet(before)) return;
  const closed = await closedCaseOfSheetIn(tx, before!);
  if (!closed) return;
  const reason = closed.reason ? ` (motif : ${closed.reason})` : '';
  throw ruleConflict('sheet-case-closed', `${closedSheetSentence(closed)}${reason} : la fiche n'est plus modifiable`);
};
