/**
 * Who may sign an RCP report, as the server says it (server/rcp/signers.ts responsibleSigners:
 * the pages never recompute the rule, they only word it). No relative import: the mocha unit
 * tests load this file directly.
 */

export interface ResponsibleSigner {
  /** `Practitioner/<id>` */
  practitioner: string;
  display?: string;
  as: 'participant' | 'chair' | 'requester';
}

const nameOf = (s: ResponsibleSigner) => s.display ?? s.practitioner;

/**
 * "un médecin présent à la séance : Dr A, Dr B (médecin demandeur), ou le médecin coordonnateur
 * de la RCP : Dr C" — the requester is named only when the rule lets him sign.
 */
export function signersText(signers: ResponsibleSigner[], requester?: string): string {
  const mark = (s: ResponsibleSigner) => `${nameOf(s)}${requester && s.practitioner === requester ? ' (médecin demandeur)' : ''}`;
  const present = signers.filter((s) => s.as === 'participant');
  const requesterOnly = signers.filter((s) => s.as === 'requester');
  const chairs = signers.filter((s) => s.as === 'chair');
  const parts = [
    ...(present.length ? [`${present.length > 1 ? 'un médecin présent' : 'le médecin présent'} à la séance : ${present.map(mark).join(', ')}`] : []),
    ...requesterOnly.map((s) => `le médecin demandeur (dossier enregistré sans discussion) : ${nameOf(s)}`),
    ...(chairs.length ? [`${chairs.length > 1 ? 'un médecin coordonnateur' : 'le médecin coordonnateur'} de la RCP : ${chairs.map(mark).join(', ')}`] : []),
  ];
  if (!parts.length) return 'personne : aucun médecin présent à la séance ni coordonnateur de la RCP (complétez la présence de la séance)';
  return parts.join(', ou ');
}
