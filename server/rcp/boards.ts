import { randomUUID } from 'node:crypto';
import type { Appointment, CareTeam, HealthcareService, Organization, Practitioner } from '@medplum/fhirtypes';
import { notFound } from '../fhir/errors.ts';
import { boardFromFhir, boardToFhir, isBoard, membersToFhir, parseBoardSettings, type Board } from './board-model.ts';
import { RCP_BOARD_ID_SYSTEM, RCP_CODE_SYSTEM, RCP_SESSION_TYPE } from './codes.ts';
import { ruleConflict, ruleViolation } from './errors.ts';
import { idFrom, searchAll, searchOne, withRepo, type RcpContext } from './fhir-helpers.ts';
import { requireBoardManager } from './permissions.ts';
import { occurrencesBetween } from './recurrence.ts';
import { cancelSessionInTransaction, newSessionFor, rescheduleSession } from './sessions.ts';
import { sessionFromFhir, type Session } from './session-model.ts';

/** A board as stored: the HealthcareService and its members CareTeam. */
export interface LoadedBoard {
  board: Board;
  service: HealthcareService;
  team?: CareTeam;
}

export async function loadBoard(rc: RcpContext, id: string): Promise<LoadedBoard> {
  const service = await rc.repo.readIfExists<HealthcareService>('HealthcareService', id);
  if (!service || !isBoard(service)) throw notFound(`RCP HealthcareService/${id} introuvable`);
  const teamId = boardFromFhir(service).membersTeamId;
  const team = teamId ? await rc.repo.readIfExists<CareTeam>('CareTeam', teamId) : undefined;
  return { board: boardFromFhir(service, team), service, team };
}

async function referencedDirectory(rc: RcpContext, body: unknown): Promise<{ practitioners: Map<string, Practitioner> }> {
  const practitioners = new Map<string, Practitioner>();
  const members = (body as { members?: unknown })?.members;
  if (!Array.isArray(members)) return { practitioners };
  for (const [i, m] of members.entries()) {
    const id = idFrom((m as { practitioner?: string })?.practitioner, 'Practitioner');
    if (!id || practitioners.has(id)) continue;
    const p = await rc.repo.readIfExists<Practitioner>('Practitioner', id);
    if (!p) throw ruleViolation('board-invalid', `Membre ${i + 1} : Practitioner/${id} est inconnu de l'annuaire`, [`members[${i}].practitioner`]);
    practitioners.set(id, p);
  }
  return { practitioners };
}

async function centreOf(rc: RcpContext, reference: string): Promise<Organization> {
  const id = idFrom(reference, 'Organization')!;
  const org = await rc.repo.readIfExists<Organization>('Organization', id);
  if (!org) throw ruleViolation('board-invalid', `Le 3C ${reference} est inconnu de l'annuaire`, ['coordinationCentre']);
  return org;
}

export async function createBoard(rc: RcpContext, body: unknown): Promise<{ board: Board; warnings: string[] }> {
  const { practitioners } = await referencedDirectory(rc, body);
  const { settings, warnings } = parseBoardSettings(body, practitioners);
  await requireBoardManager(rc, settings.coordinationCentre);
  const centre = await centreOf(rc, settings.coordinationCentre);
  const board = await rc.repo.transaction(async (tx) => {
    if (settings.code) {
      await tx.lock(`rcp-board-code:${settings.code}`);
      if (await searchOne(tx, 'HealthcareService', { identifier: `${RCP_BOARD_ID_SYSTEM}|${settings.code}` })) {
        throw ruleConflict('board-invalid', `Une RCP porte déjà le code ${settings.code}`, ['code']);
      }
    }
    const id = randomUUID();
    const team = await tx.create(membersToFhir(id, settings));
    const service = await tx.createWithId(boardToFhir(id, settings, team.id!, centre.name), id);
    return boardFromFhir(service, team);
  });
  return { board, warnings };
}

/** Replaces the board's charter (If-Match on the board's version: two coordinators never overwrite each other). */
export async function updateBoard(rc: RcpContext, id: string, body: unknown, ifMatch?: string): Promise<{ board: Board; warnings: string[] }> {
  const current = await loadBoard(rc, id);
  await requireBoardManager(rc, current.board.coordinationCentre);
  const { practitioners } = await referencedDirectory(rc, body);
  // The board's code identifies it (RCP sheets, indicators): it does not change.
  const { settings, warnings } = parseBoardSettings({ ...(body as object), code: current.board.code }, practitioners);
  if (settings.coordinationCentre !== current.board.coordinationCentre) await requireBoardManager(rc, settings.coordinationCentre);
  const centre = await centreOf(rc, settings.coordinationCentre);
  const board = await rc.repo.transaction(async (tx) => {
    const teamId = current.team?.id ?? (await tx.create(membersToFhir(id, settings))).id!;
    const { resource: service } = await tx.update(boardToFhir(id, settings, teamId, centre.name), { ifMatch: ifMatch ?? current.board.version });
    const team = current.team
      ? (await tx.update(membersToFhir(id, settings, teamId), { ifMatch: current.board.membersTeamVersion })).resource
      : await tx.read<CareTeam>('CareTeam', teamId);
    return boardFromFhir(service, team);
  });
  return { board, warnings };
}

export async function listBoards(rc: RcpContext, filter: { centre?: string; active?: boolean; practitioner?: string } = {}): Promise<Board[]> {
  const params: Record<string, string> = { 'service-category': `${RCP_CODE_SYSTEM}|rcp` };
  if (filter.centre) params.organization = filter.centre;
  if (filter.active !== undefined) params.active = String(filter.active);
  const services = await searchAll<HealthcareService>(rc.repo, 'HealthcareService', params);
  const boards: Board[] = [];
  for (const service of services) {
    const { board } = await loadBoard(rc, service.id!);
    if (filter.practitioner && !board.members.some((m) => m.practitioner === filter.practitioner)) continue;
    boards.push(board);
  }
  return boards.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}

export interface GenerationResult {
  created: Session[];
  rescheduled: Session[];
  cancelled: Session[];
  unchanged: number;
  from: string;
  to: string;
}

/**
 * Creates the board's sessions for the coming `horizonDays` from its recurrence and date
 * overrides. Idempotent: a session is keyed by its occurrence, so running it again creates
 * nothing; a moved occurrence reschedules its session, a holiday (or an occurrence the rule no
 * longer has) cancels it and carries its cases over.
 */
export async function generateSessions(rc: RcpContext, boardId: string, options: { horizonDays?: number } = {}): Promise<GenerationResult> {
  const { board } = await loadBoard(rc, boardId);
  await requireBoardManager(rc, board.coordinationCentre);
  return rc.repo.transaction((tx) => generateInTransaction(withRepo(rc, tx), board, options.horizonDays));
}

/** The generation itself (caller checked the rights and opened the transaction). */
export async function generateInTransaction(rc: RcpContext, board: Board, horizonDays?: number): Promise<GenerationResult> {
  if (!board.active) throw ruleConflict('board-invalid', `La ${board.name} est inactive : aucune séance n'est générée`);
  const horizon = horizonDays ?? board.horizonDays;
  if (!Number.isInteger(horizon) || horizon < 1 || horizon > 366) throw ruleViolation('board-invalid', `horizonDays doit être un entier entre 1 et 366 (reçu ${horizon})`, ['horizonDays']);
  const from = rc.now;
  const to = new Date(from.getTime() + horizon * 86_400_000);
  const { sessions: occurrences, cancelled: holidays } = occurrencesBetween(board.schedule, board.overrides, from, to);
  await rc.repo.lock(`rcp-generate:${board.id}`);
  const existing = await searchAll<Appointment>(rc.repo, 'Appointment', {
    actor: `HealthcareService/${board.id}`,
    'service-type': `${RCP_SESSION_TYPE.system}|${RCP_SESSION_TYPE.code}`,
    date: `ge${new Date(from.getTime() - 86_400_000).toISOString()}`,
  });
  const byKey = new Map(existing.map((a) => [sessionFromFhir(a).occurrence, a]));
  const result: GenerationResult = { created: [], rescheduled: [], cancelled: [], unchanged: 0, from: from.toISOString(), to: to.toISOString() };

  for (const occurrence of occurrences) {
    const current = byKey.get(occurrence.key);
    if (!current) {
      result.created.push(sessionFromFhir(await rc.repo.create(newSessionFor(board, occurrence))));
      continue;
    }
    const moved = current.status === 'booked' && (new Date(current.start!).getTime() !== occurrence.start.getTime() || new Date(current.end!).getTime() !== occurrence.end.getTime());
    if (moved) result.rescheduled.push(await rescheduleSession(rc, current, board, occurrence));
    else result.unchanged++;
  }
  const planned = new Set(occurrences.map((o) => o.key));
  const holidayReason = new Map(holidays.map((h) => [h.key, h.reason]));
  for (const appointment of existing) {
    const session = sessionFromFhir(appointment);
    if (session.state !== 'planned' || planned.has(session.occurrence)) continue;
    const start = new Date(session.start);
    const reason = holidayReason.get(session.occurrence);
    // Only future sessions of the window: the past and what lies beyond the horizon stay as they are.
    if (!reason && (start < from || start >= to)) continue;
    result.cancelled.push(await cancelSessionInTransaction(rc, appointment, board, reason ? `Séance annulée : ${reason}` : 'Séance retirée du calendrier de la RCP (récurrence modifiée)'));
  }
  return result;
}
