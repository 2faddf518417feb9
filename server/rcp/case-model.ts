import type { Coding, Extension, Reference, ServiceRequest, Task, TaskOutput } from '@medplum/fhirtypes';
import {
  EXT, MOTIFS, R38_SPECIALTY_SYSTEM, RCP_CASE_CODE, RCP_CATEGORY, RCP_CODE_SYSTEM, RCP_REVIEW_CODE, RCP_SESSION_GROUP_SYSTEM, code, type Motif,
} from './codes.ts';
import { withExtension } from '../fhir-kit/extensions.ts';
import { compact, defined, ext, exts, idFrom, reference, versionOf } from './fhir-helpers.ts';
import type { MandatedSpeciality, SpecialityRef } from './quorum.ts';
import { CASE_LABEL, CASE_TASK_STATUS, isCaseState, type CaseState } from './transitions.ts';

export type MoveReason = 'carried-over' | 'moved' | 'session-cancelled';

export const MOVE_LABEL: Record<MoveReason, string> = {
  'carried-over': 'Reporté à la séance suivante',
  moved: 'Déplacé par le 3C',
  'session-cancelled': 'Séance annulée',
};

export interface CaseMove {
  /** Session ids (Appointment). */
  from?: string;
  to?: string;
  reason: MoveReason;
  at: string;
  /** `Practitioner/<id>` of who moved it, when a person did. */
  by?: string;
  note?: string;
}

export interface Guideline {
  name: string;
  version?: string;
  date?: string;
}

export interface QuorumRecord {
  reached: boolean;
  session: string;
  at: string;
  specialities: SpecialityRef[];
  /** `Practitioner/<id>` counted in the quorum. */
  counted: string[];
  missing: string[];
}

/** A case registration: the request (ServiceRequest) and its workflow (Task), seen as one. */
export interface RcpCase {
  /** Task id: the case's handle in the API. */
  id: string;
  version: string;
  requestId: string;
  requestVersion: string;
  patient: string;
  condition?: string;
  requester: string;
  requesterDisplay?: string;
  boardId: string;
  sessionId?: string;
  state: CaseState;
  stateLabel: string;
  late: boolean;
  motif: Motif;
  question: string;
  summary: string;
  patientInformed: boolean;
  patientNonOpposition: boolean;
  gpInformed: boolean;
  /** `Composition/<id>`: the RCP sheet, when the physician filled one. */
  sheet?: string;
  mandated: MandatedSpeciality[];
  registeredAt: string;
  statusReason?: string;
  moves: CaseMove[];
  quorum?: QuorumRecord;
  /** Discussed or only recorded (enregistré), and in which session. */
  outcome?: 'discussed' | 'recorded';
  outcomeSession?: string;
  outcomeAt?: string;
  guideline?: Guideline;
  decision?: string;
  report?: string;
  /** First signed version (the one whose sending the delay indicator measures). */
  firstReport?: string;
  /** First signature (a correction does not move it). */
  signedAt?: string;
  signedBy?: string;
  trialProposed?: boolean;
}

export interface RegistrationInput {
  sessionId: string;
  patientId: string;
  conditionId?: string;
  motif: Motif;
  question: string;
  summary: string;
  patientInformed: boolean;
  patientNonOpposition: boolean;
  gpInformed: boolean;
  lateRequest: boolean;
  /** Why the physician asks after the cut-off (shown to the 3C who accepts or refuses). */
  lateReason?: string;
  sheetId?: string;
  mandated: MandatedSpeciality[];
  /** Clinical items of the RCP sheet given with the registration (discovery, phase, staging…). */
  clinical?: Record<string, unknown>;
  /** Business identifier of the request in the sender's system: a retry with it returns the case already registered. */
  identifier?: { system: string; value: string };
}

export const CASE_STATE_SYSTEM = `${RCP_CODE_SYSTEM}-case-state`;
const OUTPUT_SYSTEM = `${RCP_CODE_SYSTEM}-case-output`;

const specialityCoding = (s: SpecialityRef): Coding => compact({ system: R38_SPECIALTY_SYSTEM, code: s.code, display: s.display });

export function newServiceRequest(input: RegistrationInput, board: { id: string; name: string }, requester: Reference, now: Date): ServiceRequest {
  const extension: Extension[] = [
    { url: EXT.question, valueString: input.question },
    { url: EXT.patientInformed, valueBoolean: input.patientInformed },
    { url: EXT.patientNonOpposition, valueBoolean: input.patientNonOpposition },
    { url: EXT.gpInformed, valueBoolean: input.gpInformed },
    ...input.mandated.map((m) => ({
      url: EXT.caseMandatedSpeciality,
      extension: [{ url: 'label', valueString: m.label }, ...m.anyOf.map((s) => ({ url: 'speciality', valueCoding: specialityCoding(s) }))],
    })),
  ];
  return compact({
    resourceType: 'ServiceRequest',
    extension,
    identifier: input.identifier ? [input.identifier] : undefined,
    status: 'active',
    intent: 'order',
    category: [{ coding: [RCP_CATEGORY] }],
    code: { coding: [RCP_REVIEW_CODE] },
    subject: reference('Patient', input.patientId),
    authoredOn: now.toISOString(),
    requester,
    performer: [reference('HealthcareService', board.id, board.name)],
    reasonCode: [{ coding: [MOTIFS[input.motif]] }],
    reasonReference: input.conditionId ? [reference('Condition', input.conditionId)] : undefined,
    supportingInfo: input.sheetId ? [reference('Composition', input.sheetId)] : undefined,
    note: [{ text: input.summary, time: now.toISOString() }],
  }) as ServiceRequest;
}

export function newTask(input: RegistrationInput, request: ServiceRequest, board: { id: string; name: string }, requester: Reference, now: Date): Task {
  const state: CaseState = 'pending';
  return compact({
    resourceType: 'Task',
    extension: input.lateRequest ? [{ url: EXT.lateRegistration, valueBoolean: true }] : undefined,
    basedOn: [reference('ServiceRequest', request.id!)],
    groupIdentifier: { system: RCP_SESSION_GROUP_SYSTEM, value: input.sessionId },
    status: CASE_TASK_STATUS[state],
    businessStatus: stateConcept(state),
    intent: 'order',
    code: { coding: [RCP_CASE_CODE] },
    description: input.question,
    focus: reference('ServiceRequest', request.id!),
    for: reference('Patient', input.patientId),
    authoredOn: now.toISOString(),
    lastModified: now.toISOString(),
    requester,
    owner: reference('HealthcareService', board.id, board.name),
    reasonReference: input.conditionId ? reference('Condition', input.conditionId) : undefined,
  }) as Task;
}

export function stateConcept(state: CaseState, text?: string) {
  return { coding: [{ system: CASE_STATE_SYSTEM, code: state, display: CASE_LABEL[state] }], ...(text ? { text } : {}) };
}

export function caseStateOf(task: Task): CaseState {
  const value = task.businessStatus?.coding?.find((c) => c.system === CASE_STATE_SYSTEM)?.code;
  return isCaseState(value) ? value : 'pending';
}

export function isRcpCase(task: Task | undefined): boolean {
  return Boolean(task?.code?.coding?.some((c) => c.system === RCP_CASE_CODE.system && c.code === RCP_CASE_CODE.code));
}

export function sessionIdOf(task: Task): string | undefined {
  return task.groupIdentifier?.system === RCP_SESSION_GROUP_SYSTEM ? task.groupIdentifier.value : undefined;
}

/** Task with a new state (status + businessStatus), time and optional reason. */
export function withState(task: Task, state: CaseState, now: Date, reason?: string): Task {
  const next: Task = { ...task, status: CASE_TASK_STATUS[state], businessStatus: stateConcept(state), lastModified: now.toISOString() };
  if (reason) next.statusReason = { text: reason };
  else delete next.statusReason;
  return next;
}

export function withMove(task: Task, move: CaseMove, to: { sessionId?: string; board?: { id: string; name: string } }): Task {
  const next: Task = {
    ...task,
    extension: [...(task.extension ?? []), {
      url: EXT.caseMove,
      extension: [
        ...(move.from ? [{ url: 'from', valueReference: reference('Appointment', move.from) }] : []),
        ...(move.to ? [{ url: 'to', valueReference: reference('Appointment', move.to) }] : []),
        { url: 'reason', valueCode: move.reason },
        { url: 'at', valueDateTime: move.at },
        ...(move.by ? [{ url: 'by', valueReference: { reference: move.by } }] : []),
        ...(move.note ? [{ url: 'note', valueString: move.note }] : []),
      ],
    }],
    lastModified: move.at,
  };
  if (to.sessionId) next.groupIdentifier = { system: RCP_SESSION_GROUP_SYSTEM, value: to.sessionId };
  else delete next.groupIdentifier;
  if (to.board) next.owner = reference('HealthcareService', to.board.id, to.board.name);
  return next;
}

export function withQuorum(task: Task, q: QuorumRecord): Task {
  return withExtension(task, EXT.caseQuorum, {
    url: EXT.caseQuorum,
    extension: [
      { url: 'reached', valueBoolean: q.reached },
      { url: 'session', valueReference: reference('Appointment', q.session) },
      { url: 'at', valueDateTime: q.at },
      ...q.specialities.map((s) => ({ url: 'speciality', valueCoding: specialityCoding(s) })),
      ...q.counted.map((p) => ({ url: 'counted', valueReference: { reference: p } })),
      ...q.missing.map((m) => ({ url: 'missing', valueString: m })),
    ],
  });
}

export function withGuideline(task: Task, g: Guideline): Task {
  return withExtension(task, EXT.caseGuideline, {
    url: EXT.caseGuideline,
    extension: [
      { url: 'name', valueString: g.name },
      ...(g.version ? [{ url: 'version', valueString: g.version }] : []),
      ...(g.date ? [{ url: 'date', valueDate: g.date }] : []),
    ],
  });
}

type OutputKey = 'outcome' | 'decision' | 'report' | 'first-report' | 'signed-at' | 'signed-by' | 'trial-proposed' | 'outcome-session' | 'outcome-at';
const OUTPUT_LABEL: Record<OutputKey, string> = {
  outcome: 'Issue de la présentation (discuté ou enregistré)',
  decision: 'Proposition de la RCP',
  report: 'Compte rendu de RCP signé',
  'first-report': 'Première version signée du compte rendu',
  'signed-at': 'Date de signature',
  'signed-by': 'Signataire',
  'trial-proposed': "Proposition d'essai clinique",
  'outcome-session': 'Séance où le dossier a été présenté',
  'outcome-at': 'Date de présentation',
};

export function withOutputs(task: Task, values: Partial<Record<OutputKey, Omit<TaskOutput, 'type'>>>): Task {
  const keys = Object.keys(values) as OutputKey[];
  const kept = (task.output ?? []).filter((o) => !keys.includes(o.type.coding?.[0]?.code as OutputKey));
  return {
    ...task,
    output: [...kept, ...keys.map((k) => ({ type: { coding: [code(k, OUTPUT_LABEL[k], OUTPUT_SYSTEM)] }, ...values[k] } as TaskOutput))],
  };
}

function output(task: Task, key: OutputKey): TaskOutput | undefined {
  return task.output?.find((o) => o.type.coding?.some((c) => c.system === OUTPUT_SYSTEM && c.code === key));
}

function mandatedOf(holder: { extension?: Extension[] }, url: string): MandatedSpeciality[] {
  return exts(holder, url).map((m) => ({
    label: m.extension?.find((e) => e.url === 'label')?.valueString ?? '',
    anyOf: (m.extension ?? []).filter((e) => e.url === 'speciality' && e.valueCoding?.code).map((e) => defined({ code: e.valueCoding!.code!, display: e.valueCoding!.display })),
  }));
}

export function caseFromFhir(task: Task, request: ServiceRequest): RcpCase {
  const sub = (e: Extension | undefined, url: string) => e?.extension?.find((x) => x.url === url);
  const quorum = ext(task, EXT.caseQuorum);
  const guideline = ext(task, EXT.caseGuideline);
  const motifCode = request.reasonCode?.[0]?.coding?.[0]?.code;
  const state = caseStateOf(task);
  return defined({
    id: task.id!,
    version: versionOf(task),
    requestId: request.id!,
    requestVersion: versionOf(request),
    patient: task.for?.reference ?? '',
    condition: request.reasonReference?.[0]?.reference,
    requester: task.requester?.reference ?? '',
    requesterDisplay: task.requester?.display,
    boardId: idFrom(task.owner, 'HealthcareService') ?? '',
    sessionId: sessionIdOf(task),
    state,
    stateLabel: task.businessStatus?.text ?? CASE_LABEL[state],
    late: ext(task, EXT.lateRegistration)?.valueBoolean === true,
    motif: ((Object.keys(MOTIFS) as Motif[]).find((m) => MOTIFS[m].code === motifCode) ?? 'treatment-proposal'),
    question: ext(request, EXT.question)?.valueString ?? '',
    summary: request.note?.[0]?.text ?? '',
    patientInformed: ext(request, EXT.patientInformed)?.valueBoolean === true,
    patientNonOpposition: ext(request, EXT.patientNonOpposition)?.valueBoolean === true,
    gpInformed: ext(request, EXT.gpInformed)?.valueBoolean === true,
    sheet: request.supportingInfo?.find((r) => idFrom(r, 'Composition'))?.reference,
    mandated: mandatedOf(request, EXT.caseMandatedSpeciality),
    registeredAt: task.authoredOn ?? '',
    statusReason: task.statusReason?.text,
    moves: exts(task, EXT.caseMove).map((m) => defined({
      from: idFrom(sub(m, 'from')?.valueReference, 'Appointment'),
      to: idFrom(sub(m, 'to')?.valueReference, 'Appointment'),
      reason: sub(m, 'reason')?.valueCode as MoveReason,
      at: sub(m, 'at')?.valueDateTime ?? '',
      by: sub(m, 'by')?.valueReference?.reference,
      note: sub(m, 'note')?.valueString,
    })),
    quorum: quorum ? {
      reached: sub(quorum, 'reached')?.valueBoolean === true,
      session: idFrom(sub(quorum, 'session')?.valueReference, 'Appointment') ?? '',
      at: sub(quorum, 'at')?.valueDateTime ?? '',
      specialities: (quorum.extension ?? []).filter((e) => e.url === 'speciality').map((e) => defined({ code: e.valueCoding?.code ?? '', display: e.valueCoding?.display })),
      counted: (quorum.extension ?? []).filter((e) => e.url === 'counted').map((e) => e.valueReference?.reference ?? ''),
      missing: (quorum.extension ?? []).filter((e) => e.url === 'missing').map((e) => e.valueString ?? ''),
    } : undefined,
    outcome: output(task, 'outcome')?.valueCode as RcpCase['outcome'],
    outcomeSession: idFrom(output(task, 'outcome-session')?.valueReference, 'Appointment'),
    outcomeAt: output(task, 'outcome-at')?.valueDateTime,
    guideline: guideline ? defined({
      name: sub(guideline, 'name')?.valueString ?? '',
      version: sub(guideline, 'version')?.valueString,
      date: sub(guideline, 'date')?.valueDate,
    }) : undefined,
    decision: output(task, 'decision')?.valueReference?.reference,
    report: output(task, 'report')?.valueReference?.reference,
    firstReport: output(task, 'first-report')?.valueReference?.reference,
    signedAt: output(task, 'signed-at')?.valueDateTime,
    signedBy: output(task, 'signed-by')?.valueReference?.reference,
    trialProposed: output(task, 'trial-proposed')?.valueBoolean,
  });
}
