import type { PractitionerRole } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import type { Board } from './board-model.ts';
import { notAllowed } from './errors.ts';
import { type RcpContext } from './fhir-helpers.ts';

/**
 * Who may do which RCP step (on top of the store's access rules, which decide what each profession
 * may read and write): the 3C runs the boards of its centre; a board's coordinating physician
 * (chair) may run its sessions too; physicians register, decide and sign.
 */

export function isSystem(p: Principal): boolean {
  return p.roles.includes('system');
}

export function isPhysician(p: Principal): boolean {
  return p.roles.includes('physician') || p.roles.includes('gp');
}

export function me(rc: RcpContext): string | undefined {
  return rc.ctx.principal.practitionerId ? `Practitioner/${rc.ctx.principal.practitionerId}` : undefined;
}

/** A coordinator holding a role in the 3C (Organization) that runs the board. */
export async function isCoordinatorOf(rc: RcpContext, centre: string): Promise<boolean> {
  const p = rc.ctx.principal;
  if (!p.roles.includes('coordinator') || !p.practitionerId) return false;
  const roles = await rc.repo.searchAll<PractitionerRole>('PractitionerRole', { practitioner: `Practitioner/${p.practitionerId}`, organization: centre }, { max: 20 });
  return roles.some((r) => r.active !== false);
}

export async function requireBoardManager(rc: RcpContext, centre: string): Promise<void> {
  if (isSystem(rc.ctx.principal)) return;
  if (await isCoordinatorOf(rc, centre)) return;
  throw notAllowed('not-board-manager', `Seul un coordonnateur du 3C qui organise la RCP (${centre}) peut définir ou modifier ses RCP et générer leurs séances`);
}

export function isChair(board: Board, p: Principal): boolean {
  return Boolean(p.practitionerId && isPhysician(p) && board.members.some((m) => m.chair && m.practitioner === `Practitioner/${p.practitionerId}`));
}

export async function isSessionManager(rc: RcpContext, board: Board): Promise<boolean> {
  return isSystem(rc.ctx.principal) || isChair(board, rc.ctx.principal) || (await isCoordinatorOf(rc, board.coordinationCentre));
}

export async function requireSessionManager(rc: RcpContext, board: Board, action: string): Promise<void> {
  if (await isSessionManager(rc, board)) return;
  throw notAllowed('not-session-manager', `Seuls le 3C (${board.coordinationCentreDisplay ?? board.coordinationCentre}) et le médecin coordonnateur de la ${board.name} peuvent ${action}`);
}

export function requirePhysician(rc: RcpContext, action: string): void {
  if (isSystem(rc.ctx.principal) || isPhysician(rc.ctx.principal)) return;
  throw notAllowed('not-a-physician', `Seul un médecin peut ${action}`);
}

/**
 * A hospital physician of the RCP (not the GP): who saves, signs and corrects a decision. The test
 * of requireHospitalPhysician and of the pages that offer these acts, so they never disagree.
 */
export function isHospitalPhysician(rc: RcpContext): boolean {
  return rc.ctx.principal.roles.includes('physician');
}

/**
 * Saving, signing or correcting a decision writes the diagnosis, the proposals and the report: the
 * act of a hospital physician of the RCP. The GP may register a case and reads the signed report;
 * told so in words rather than by the store refusing one of the resources the decision writes.
 */
export function requireHospitalPhysician(rc: RcpContext, action: string): void {
  const p = rc.ctx.principal;
  // The service itself (seed, workers) passes; the sheet's signature still asks for a named physician (rcp-sheet/sign.ts).
  if (isSystem(p) || isHospitalPhysician(rc)) return;
  if (p.roles.includes('gp')) {
    throw notAllowed('not-a-physician', `En tant que médecin traitant, vous ne pouvez pas ${action} : c'est l'acte d'un médecin de l'établissement qui participe à la RCP. Vous recevrez le compte rendu une fois signé.`);
  }
  throw notAllowed('not-a-physician', `Seul un médecin de l'établissement participant à la RCP peut ${action}`);
}
