/**
 * Why « Inscrire et ouvrir la fiche RCP » cannot be pressed yet, said next to it: a disabled
 * button that says nothing left the physician guessing (RCP not chosen, no session to come, all
 * full…). Import-free: the mocha unit tests load this file directly.
 */
export interface RegistrationState {
  boardChosen: boolean;
  /** The board's sessions are being read. */
  sessionsLoading: boolean;
  /** The coming sessions offered, each full or not (unknown: not yet read). */
  sessions: { full?: boolean }[];
  sessionChosen: boolean;
}

/** The reason in French, or undefined when the registration can be sent. */
export function registrationBlocker(state: RegistrationState): string | undefined {
  if (state.sessionChosen) return undefined;
  if (!state.boardChosen) return 'Choisissez d’abord la RCP, puis une de ses séances à venir.';
  if (state.sessionsLoading) return 'Chargement des séances de cette RCP…';
  if (!state.sessions.length) return 'Aucune séance à venir n’est planifiée pour cette RCP : demandez au 3C d’en ouvrir une, ou choisissez une autre RCP.';
  if (state.sessions.every((s) => s.full === true)) return 'Toutes les séances à venir de cette RCP sont complètes : choisissez une autre RCP, ou demandez au 3C une place supplémentaire.';
  return 'Choisissez une séance pour inscrire le dossier.';
}
