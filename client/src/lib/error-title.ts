/**
 * The title of an error as a person reads it, from what the server says the error is — the RCP
 * rule it names (details.coding) or the issue code — and not from the status alone: every 409 was
 * titled « Modification concurrente », a quorum refusal included. Only a stale version (412, or a
 * 409 whose issue code is `conflict`) is a concurrent modification. No relative import: the mocha
 * unit tests load this file directly.
 */
export interface OutcomeLike {
  issue?: { severity?: string; code?: string; details?: { coding?: { system?: string; code?: string }[] } }[];
}

/** The RCP rules (server/rcp/errors.ts) whose refusal has a name of its own. */
const RULE_TITLE: Record<string, string> = {
  'quorum-not-reached': 'Quorum non atteint',
  'registration-cutoff': 'Inscriptions closes',
  'session-full': 'Séance complète',
  'session-not-today': 'Séance prévue un autre jour',
  'session-not-in-progress': "Séance qui n'est pas en cours",
  'patient-already-registered': 'Patient déjà inscrit',
  'signed-immutable': 'Fiche RCP signée',
};

const RCP_RULE_SYSTEM = /\/CodeSystem\/rcp-rule$/;

export function errorTitle(status: number | undefined, outcome?: OutcomeLike): string {
  const issues = outcome?.issue ?? [];
  const issue = issues.find((i) => i.severity === 'error' || i.severity === 'fatal') ?? issues[0];
  const rule = issue?.details?.coding?.find((c) => c.system && RCP_RULE_SYSTEM.test(c.system))?.code;
  if (rule && RULE_TITLE[rule]) return RULE_TITLE[rule];
  if (status === 403) return 'Accès refusé';
  if (status === 404) return 'Introuvable';
  if (status === 412) return 'Modification concurrente';
  if (status === 409) return issue?.code === 'conflict' ? 'Modification concurrente' : 'Action impossible';
  if (status === 400 || status === 422) return 'Demande refusée';
  if (status === 0) return 'Réseau indisponible';
  return 'Erreur';
}
