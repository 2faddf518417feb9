/**
 * A patient without a declared GP (médecin traitant) gets a shared Task assigned to the 3C of the
 * establishment that manages them (or to the hospital's nurse coordinator, as owner), followed
 * until a GP is declared: the Task then completes, saying which GP. Replaces a bare list, which
 * nobody owned.
 */
import type { Organization, Patient, Reference, Task } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { idOf } from '../fhir-kit/ids.ts';
import { readOptional } from '../store/optional-reads.ts';
import { searchEvery } from '../directories/index.ts';
import { badRequest, businessRule, conflict } from '../fhir-kit/errors.ts';
import type { FhirRepository } from '../store/repository.ts';
import { patientDisplayName } from '../identity/index.ts';

export const DECLARE_GP = { system: `${DCC_CANONICAL_BASE}/CodeSystem/dcc-task-code`, code: 'declare-gp', display: 'Faire déclarer un médecin traitant' };
const OPEN = new Set(['requested', 'received', 'accepted', 'in-progress', 'on-hold', 'ready']);


export function declareGpTask(patient: Patient, owner: Reference | undefined, now: string): Task {
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [DECLARE_GP], text: DECLARE_GP.display },
    description: `${patientDisplayName(patient)} n'a pas de médecin traitant déclaré : les comptes rendus et programmes ne peuvent pas lui être adressés. Aidez le patient à en déclarer un, puis renseignez-le dans le dossier.`,
    focus: { reference: `Patient/${patient.id}` },
    for: { reference: `Patient/${patient.id}`, display: patientDisplayName(patient) },
    authoredOn: now,
    lastModified: now,
    ...(owner ? { owner: owner as Reference<Organization> } : {}),
  };
}

/**
 * Opens a Task for each patient the caller sees without a GP and no open Task yet; completes the
 * open Tasks of patients who now have one. Returns the open Tasks after the sweep.
 */
export async function syncDeclareGpTasks(repo: FhirRepository, now: string): Promise<{ opened: string[]; completed: string[]; open: Task[] }> {
  return repo.transaction(async (tx) => {
    await tx.lock('pathway:declare-gp-tasks');
    const tasks = (await searchEvery<Task>(tx, 'Task', { code: `${DECLARE_GP.system}|${DECLARE_GP.code}` })).resources.filter((t) => OPEN.has(t.status));
    const openFor = new Set(tasks.map((t) => t.for?.reference));
    const opened: string[] = [];
    const completed: string[] = [];
    const withoutGp = (await searchEvery<Patient>(tx, 'Patient', { 'general-practitioner:missing': 'true' })).resources;
    for (const patient of withoutGp) {
      if (openFor.has(`Patient/${patient.id}`) || patient.active === false || patient.deceasedBoolean || patient.deceasedDateTime) continue;
      const created = await tx.create(declareGpTask(patient, await coordinationCentreOf(tx, patient), now));
      opened.push(`Task/${created.id}`);
      tasks.push(created);
    }
    const still: Task[] = [];
    for (const task of tasks) {
      const patientId = idOf(task.for, 'Patient');
      const patient = patientId ? await readOptional<Patient>(tx, 'Patient', patientId, [403, 404, 410]) : undefined;
      const gp = patient?.generalPractitioner?.[0];
      if (!gp) { still.push(task); continue; }
      const done: Task = { ...task, status: 'completed', lastModified: now, output: [{ type: { text: 'Médecin traitant déclaré' }, valueReference: gp }], note: [...(task.note ?? []), { time: now, text: `Médecin traitant déclaré : ${gp.display ?? gp.reference}` }] };
      await tx.update(done, { ifMatch: task.meta?.versionId });
      completed.push(`Task/${task.id}`);
    }
    return { opened, completed, open: still };
  });
}

/** A follow-up step: a note, and the Task taken in hand (in-progress) or put on hold. */
export async function followUpDeclareGpTask(repo: FhirRepository, id: string, input: { note?: string; status?: string }, author: Reference | undefined, now: string): Promise<Task> {
  if (!input || (typeof input.note !== 'string' || !input.note.trim()) && input.status === undefined) throw badRequest('Indiquez une note de suivi (note) ou un statut (status : in-progress | on-hold)', ['note']);
  if (input.status !== undefined && input.status !== 'in-progress' && input.status !== 'on-hold') throw badRequest('status : in-progress (pris en charge) ou on-hold (en attente)', ['status']);
  return repo.transaction(async (tx) => {
    const task = await tx.read<Task>('Task', id);
    if (!task.code?.coding?.some((c) => c.system === DECLARE_GP.system && c.code === DECLARE_GP.code)) throw businessRule(`Task/${id} n'est pas un suivi « médecin traitant à déclarer »`, ['Task.code']);
    if (!OPEN.has(task.status)) throw conflict(`Ce suivi est clos (statut ${task.status})`);
    const next: Task = {
      ...task,
      ...(input.status ? { status: input.status as Task['status'] } : {}),
      lastModified: now,
      ...(input.note?.trim() ? { note: [...(task.note ?? []), { time: now, text: input.note.trim(), ...(author ? { authorReference: author as Reference<never> } : {}) }] } : {}),
    };
    return (await tx.update(next, { ifMatch: task.meta?.versionId })).resource;
  });
}

async function coordinationCentreOf(repo: FhirRepository, patient: Patient): Promise<Reference | undefined> {
  const orgId = idOf(patient.managingOrganization, 'Organization');
  if (!orgId) return undefined;
  const centre = (await searchEvery<Organization>(repo, 'Organization', { type: '3C', partof: `Organization/${orgId}` })).resources[0];
  return centre ? { reference: `Organization/${centre.id}`, display: centre.name } : patient.managingOrganization;
}
