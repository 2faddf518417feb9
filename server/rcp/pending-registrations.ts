import type { Appointment, Task } from '@medplum/fhirtypes';
import { listBoards } from './boards.ts';
import type { Board } from './board-model.ts';
import { loadVisibleCases } from './case-store.ts';
import { RCP_CASE_CODE } from './codes.ts';
import { notAllowed } from './errors.ts';
import { idFrom, type RcpContext } from './fhir-helpers.ts';
import { isCoordinatorOf, isSystem } from './permissions.ts';
import { patientLabel, patientsOf } from './sessions.ts';

/** A registration request awaiting the 3C's answer, as its inbox lists it. */
export interface PendingRegistration {
  case: string;
  patient: string;
  patientName?: string;
  birthYear?: number;
  requester: string;
  requesterDisplay?: string;
  boardId: string;
  boardName: string;
  sessionId?: string;
  sessionStart?: string;
  registeredAt: string;
  late: boolean;
  question: string;
}

/**
 * The 3C's inbox: every request still pending on the boards its coordinator runs, oldest first —
 * the QA walkthrough had to open 19 sessions to find 3 of them. The cases are read through the
 * store's access rules (a case the caller may not see is not listed).
 */
export async function pendingRegistrations(rc: RcpContext): Promise<PendingRegistration[]> {
  const principal = rc.ctx.principal;
  if (!principal.roles.includes('coordinator') && !isSystem(principal)) {
    throw notAllowed('not-board-manager', 'Seul un coordonnateur du 3C voit les demandes d’inscription en attente de ses RCP');
  }
  const boards = await boardsRunBy(rc, await listBoards(rc, {}));
  const tasks: Task[] = [];
  for (const board of boards) {
    tasks.push(...await rc.repo.searchAll<Task>('Task', {
      code: `${RCP_CASE_CODE.system}|${RCP_CASE_CODE.code}`, owner: `HealthcareService/${board.id}`, 'business-status': 'pending',
    }, { max: 2000 }));
  }
  const cases = [...(await loadVisibleCases(rc, tasks.map((t) => t.id!))).values()].map((c) => c.rcpCase).filter((c) => c.state === 'pending');
  const patients = await patientsOf(rc, cases.map((c) => c.patient));
  const sessions = await rc.repo.readManyIfExists<Appointment>('Appointment', cases.map((c) => c.sessionId));
  const boardName = new Map(boards.map((b) => [b.id, b.name]));
  return cases
    .map((c) => ({
      case: c.id, patient: idFrom({ reference: c.patient }, 'Patient') ?? c.patient, ...patientLabel(patients.get(c.patient)),
      requester: c.requester, ...(c.requesterDisplay ? { requesterDisplay: c.requesterDisplay } : {}),
      boardId: c.boardId, boardName: boardName.get(c.boardId) ?? 'RCP',
      ...(c.sessionId ? { sessionId: c.sessionId, ...(sessions.get(c.sessionId)?.start ? { sessionStart: sessions.get(c.sessionId)!.start } : {}) } : {}),
      registeredAt: c.registeredAt, late: c.late, question: c.question,
    }))
    .sort((a, b) => a.registeredAt.localeCompare(b.registeredAt));
}

/** The active boards whose 3C the caller coordinates (one check per centre). */
async function boardsRunBy(rc: RcpContext, boards: Board[]): Promise<Board[]> {
  if (isSystem(rc.ctx.principal)) return boards.filter((b) => b.active);
  const runs = new Map<string, boolean>();
  for (const centre of new Set(boards.map((b) => b.coordinationCentre))) runs.set(centre, await isCoordinatorOf(rc, centre));
  return boards.filter((b) => b.active && runs.get(b.coordinationCentre));
}
