/**
 * Who receives a signed RCP report, worded from the list the server will send it to
 * (server/rcp/recipients.ts reportRecipients, in the decision view): the pages never recompute the
 * rule, they only word it. No relative import: the mocha unit tests load this file directly.
 */

export interface ReportRecipient {
  role: 'general-practitioner' | 'requester' | 'correspondent';
  /** `Practitioner/<id>`; absent for a GP the patient has not declared (`unknown`). */
  practitioner?: string;
  display?: string;
  unknown?: boolean;
}

/**
 * "au médecin traitant (Dr A) et au médecin demandeur (Dr B)". `requester`: the case's requester,
 * whom the server lists once, as a GP, when he is also the patient's GP.
 */
export function reportRecipients(recipients: ReportRecipient[], requester?: string): string {
  const gps = recipients.filter((r) => r.role === 'general-practitioner' && r.practitioner);
  const asker = recipients.find((r) => r.role === 'requester');
  const correspondents = recipients.filter((r) => r.role === 'correspondent');
  const also = correspondents.length ? `, et aux correspondants : ${correspondents.map((r) => r.display ?? r.practitioner).join(', ')}` : '';
  const requesterName = asker?.display ?? 'le médecin demandeur';
  if (!gps.length) {
    return asker
      ? `au seul médecin demandeur, ${requesterName} : le patient n’a pas de médecin traitant déclaré${also}`
      : `à aucun médecin du dossier : le patient n’a pas de médecin traitant déclaré et le dossier n’a pas de médecin demandeur${also}`;
  }
  const gpNames = gps.map((g) => g.display ?? 'déclaré dans le dossier').join(', ');
  if (asker) return `au médecin traitant (${gpNames}) et au médecin demandeur (${requesterName})${also}`;
  if (requester && gps.some((g) => g.practitioner === requester)) return `au médecin traitant, qui est aussi le médecin demandeur : ${gpNames}${also}`;
  return `au médecin traitant (${gpNames})${also}`;
}
