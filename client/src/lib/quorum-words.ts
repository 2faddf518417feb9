/**
 * The quorum of an RCP session in words. A mandated speciality is named by the role the charter
 * gives it ("Chirurgien") and, beside it, by the specialities that fill it ("Gynécologie-obstétrique
 * (SM)"): the board page lists specialities, meeting mode listed only roles, and a 3C read
 * "Chirurgien absent" for a board with no surgeon by name. No relative import: the mocha unit
 * tests load this file directly.
 */
export interface MandatedWords { label: string; anyOf: { code: string; display?: string }[] }

export function mandatedName(m: MandatedWords): string {
  // A speciality without its name (the server names R38 codes it knows) is left out: the role
  // alone is better than a bare code (« Chirurgien — SM20 »).
  const specialities = m.anyOf.map((s) => s.display).filter((s): s is string => Boolean(s)).filter((s) => s.toLocaleLowerCase('fr-FR') !== m.label.toLocaleLowerCase('fr-FR'));
  return specialities.length ? `${m.label} — ${specialities.join(' ou ')}` : m.label;
}

/** "Spécialités présentes : 4 — il en faut au moins 3" (it read "4 sur 3 requises"). */
export function specialitiesCount(present: number, required: number): string {
  return `Spécialité${present > 1 ? 's' : ''} présente${present > 1 ? 's' : ''} : ${present} — il en faut au moins ${required}`;
}

/** "1 dossier non discuté sera reporté…", "2 dossiers non discutés seront reportés…". */
export function carriedOverSentence(count: number): string {
  return count === 1
    ? '1 dossier non discuté sera reporté à la séance suivante.'
    : `${count} dossiers non discutés seront reportés à la séance suivante.`;
}
