import { randomUUID } from 'node:crypto';
import type { Appointment, CareTeam, HealthcareService, Organization, Practitioner } from '@medplum/fhirtypes';
import { notFound } from '../fhir-kit/errors.ts';
import { boardFromFhir, boardToFhir, isBoard, membersToFhir, parseBoardSettings, type Board } from './board-model.ts';
import { RCP_BOARD_ID_SYSTEM, RCP_CODE_SYSTEM, RCP_SESSION_TYPE } from './codes.ts';
import { ruleConflict, ruleViolation } from './errors.ts';
import { idFrom, searchOne, withRepo, type RcpContext } from './fhir-helpers.ts';
import { requireBoardManager } from './permissions.ts';

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
  const services = await rc.repo.searchAll<HealthcareService>('HealthcareService', params);
  // The member lists of every board in one query, not one read per board.
  const teams = await rc.repo.readManyIfExists<CareTeam>('CareTeam', services.filter(isBoard).map((s) => boardFromFhir(s).membersTeamId));
  const boards: Board[] = [];
  for (const service of services) {
    if (!isBoard(service)) throw notFound(`RCP HealthcareService/${service.id} introuvable`);
    const teamId = boardFromFhir(service).membersTeamId;
    const board = boardFromFhir(service, teamId ? teams.get(teamId) : undefined);
    if (filter.practitioner && !board.members.some((m) => m.practitioner === filter.practitioner)) continue;
    boards.push(board);
  }
  return boards.sort((a, b) => a.name.localeCompare(b.name, 'fr'));
}
