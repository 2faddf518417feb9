import type { Board } from './board-model.ts';
import type { RcpCase } from './case-model.ts';
import type { Attendance } from './quorum.ts';

/** Why a physician may sign a case's report: took part in its discussion, chairs the board, or registered a case only recorded. */
export type SignerTitle = 'participant' | 'chair' | 'requester';

export interface ResponsibleSigner {
  /** `Practitioner/<id>` */
  practitioner: string;
  display?: string;
  as: SignerTitle;
}

/**
 * Who may sign a case's report (the responsible physician): whoever attended the session for
 * this case (present or remote; a written opinion is not a discussion), the board's chairs, and
 * for a case only recorded (no discussion) its requester. One rule for the signature, the
 * correction and the pages that say who may sign. `attendance`: the session the case was decided in.
 */
export function responsibleSigners(c: Pick<RcpCase, 'id' | 'state' | 'outcome' | 'requester' | 'requesterDisplay'>, board: Board, attendance: Attendance[]): ResponsibleSigner[] {
  // A signed case is corrected under the rule of the outcome it was signed for.
  const recorded = c.state === 'recorded' || (c.state === 'signed' && c.outcome === 'recorded');
  const out = new Map<string, ResponsibleSigner>();
  const add = (s: ResponsibleSigner) => { if (!out.has(s.practitioner)) out.set(s.practitioner, s); };
  for (const a of attendance) {
    if (a.mode !== 'written-opinion' && (!a.cases?.length || a.cases.includes(c.id))) add({ practitioner: a.practitioner, ...(a.display ? { display: a.display } : {}), as: 'participant' });
  }
  if (recorded && c.requester) add({ practitioner: c.requester, ...(c.requesterDisplay ? { display: c.requesterDisplay } : {}), as: 'requester' });
  for (const m of board.members) if (m.chair) add({ practitioner: m.practitioner, ...(m.display ? { display: m.display } : {}), as: 'chair' });
  return [...out.values()];
}
