/**
 * CarePlan.status said to people, by kind of programme: the code (ACTIVE, DRAFT…) showed raw in
 * badges. A PPS is "active" once handed to the patient (plan cancer: the PPS is given at the
 * announcement), hence its own words; the server's summary uses the same vocabulary.
 */
export type ProgrammeKind = 'pps' | 'ppac' | 'rcp-decision';

const GENERIC: Record<string, string> = {
  draft: 'Brouillon',
  active: 'En vigueur',
  'on-hold': 'Suspendu',
  completed: 'Terminé',
  revoked: 'Annulé',
  'entered-in-error': 'Saisi par erreur',
};

const BY_KIND: Record<ProgrammeKind, Record<string, string>> = {
  pps: { draft: 'Brouillon (à remettre)', active: 'Remis au patient' },
  ppac: { draft: 'En préparation', active: 'En cours' },
  'rcp-decision': {},
};

/** A signed decision a later meeting replaced (the server's decision standings): not « En vigueur ». */
export function decisionStandingLabel(standing: { standing: string; replacedOn?: string } | undefined, formatDate: (d: string) => string): string | undefined {
  if (standing?.standing !== 'replaced') return undefined;
  return standing.replacedOn ? `Remplacée par la RCP du ${formatDate(standing.replacedOn)}` : 'Remplacée par une RCP suivante';
}

/**
 * The heading of a decision's page: « Établir le PPS » while it is the one in force; a replaced
 * decision builds no PPS, so its page says which decision it is (« Décision de RCP du … (remplacée) »).
 */
export function decisionPageTitle(standing: { standing: string } | undefined, decidedOn: string | undefined, formatDate: (d: string) => string): string {
  if (standing?.standing !== 'replaced') return 'Établir le PPS';
  return decidedOn ? `Décision de RCP du ${formatDate(decidedOn)} (remplacée)` : 'Décision de RCP (remplacée)';
}

export function carePlanStatusLabel(status: string | undefined, kind?: ProgrammeKind): string {
  if (!status) return 'Statut non précisé';
  return (kind && BY_KIND[kind][status]) ?? GENERIC[status] ?? 'Statut non précisé';
}
