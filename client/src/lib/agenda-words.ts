/**
 * An agenda line's state with its note, said once: the server's note often restates the state
 * ("Reporté à la séance suivante (quorum non atteint) : séance du …"), and the page read
 * « Reporté à la séance suivante : Reporté à la séance suivante (quorum non atteint)… ».
 * No relative import: the mocha unit tests load this file directly.
 */
export function stateWithNote(label: string, note: string | undefined): string {
  const text = note?.trim();
  if (!text) return label;
  const fold = (s: string) => s.toLocaleLowerCase('fr-FR');
  return fold(text).startsWith(fold(label)) ? text : `${label} : ${text}`;
}

/**
 * What opening a session another day than planned does, said before the 3C confirms it (the server
 * rule is startSession): the session and its accepted cases move to today; opened ahead of its
 * date, the planned slot stays on the calendar with the requests still pending. The dialog used to
 * promise « la date prévue est conservée » while the slot vanished and the pending requests went
 * into the running meeting.
 */
export function reopeningWords(planned: string, advanced: boolean, accepted: number, pending: number): { title: string; text: string; action: string } {
  const cases = (n: number) => (n === 1 ? 'dossier accepté' : `${n} dossiers acceptés`);
  const requests = (n: number) => (n === 1 ? 'la demande en attente d’acceptation y reste inscrite' : `les ${n} demandes en attente d’acceptation y restent inscrites`);
  const moved = accepted ? `La séance et ${accepted === 1 ? 'son' : 'ses'} ${cases(accepted)} passent à aujourd’hui` : 'La séance passe à aujourd’hui (aucun dossier accepté pour l’instant)';
  if (!advanced) {
    return {
      title: 'Ouvrir aujourd’hui une séance dont la date est passée ?',
      text: `Cette séance était prévue le ${planned}. ${moved} : les comptes rendus porteront la date réelle de la réunion.${pending ? ` ${pending === 1 ? '1 demande est' : `${pending} demandes sont`} encore en attente d’acceptation.` : ''}`,
      action: 'Reporter à aujourd’hui et ouvrir',
    };
  }
  return {
    title: 'Avancer la séance à aujourd’hui ?',
    text: `Cette séance est prévue le ${planned}. ${moved} : les comptes rendus porteront la date réelle de la réunion. Le créneau du ${planned} reste au calendrier de la RCP (une séance y est replanifiée)${pending ? ` et ${requests(pending)}` : ''}.`,
    action: 'Avancer à aujourd’hui et ouvrir',
  };
}

/**
 * The places card of a session: places left while it takes registrations; once opened or closed,
 * how many cases it has; cancelled, nothing (« 10 places restantes sur 10 » on a cancelled session
 * offered what it cannot give).
 */
export function placesWords(state: string, used: number, capacity: number): { label: string; value: string } | undefined {
  if (state === 'cancelled') return undefined;
  if (state === 'planned') return { label: 'Places restantes', value: `${Math.max(0, capacity - used)} sur ${capacity}` };
  return { label: 'Dossiers à l’ordre du jour', value: String(used) };
}

/**
 * Where a session takes place, said alike on the calendar and on the session's page: a session
 * held by video only has no room — the page said « Lieu — » where the calendar said « Visioconférence ».
 */
export function sessionPlaceText(session: { place?: string; videoLink?: string }): string {
  return session.place?.trim() || (session.videoLink ? 'Visioconférence' : '—');
}

/**
 * What follows a closed meeting, said where it closes (the reports of its discussed or recorded
 * cases, signed or not), so that the link to the session's follow-up is not a label over nothing.
 */
export function afterMeetingText(reports: number, toSign: number): string {
  if (reports === 0) return 'Aucun compte rendu : aucun dossier n’a été discuté ni enregistré lors de cette séance.';
  if (toSign === 0) return reports === 1 ? 'Le compte rendu est signé ; son envoi se suit sur la page de la séance.' : `Les ${reports} comptes rendus sont signés ; leur envoi se suit sur la page de la séance.`;
  return `${toSign === 1 ? '1 compte rendu reste' : `${toSign} comptes rendus restent`} à signer sur ${reports} ; signatures et envois se suivent sur la page de la séance.`;
}
