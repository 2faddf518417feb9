/**
 * The quorum of an RCP session in words. A mandated speciality is named by the role the charter
 * gives it ("Chirurgien") and, beside it, by the specialities that fill it ("Gynécologie-obstétrique"):
 * the board page lists specialities, meeting mode listed only roles, and a 3C read "Chirurgien
 * absent" for a board with no surgeon by name. No relative import: the mocha unit tests load this
 * file directly.
 */
export interface MandatedWords { label: string; anyOf: { code: string; display?: string }[] }

/**
 * A speciality as every page names it: without the R38 qualification suffix « (SM) », which the
 * directory's records carry and others not (« Gynécologie-obstétrique (SM) ; Oncologie, option
 * médicale »). Mirror of server/rcp/speciality-name.ts (test/client/speciality-name-parity.test.ts).
 */
export function specialityName(display: string): string {
  return display.replace(/\s*\(SM\)\s*$/, '').trim() || display;
}

export function mandatedName(m: MandatedWords): string {
  // A speciality without its name (the server names R38 codes it knows) is left out: the role
  // alone is better than a bare code (« Chirurgien — SM20 »).
  const label = specialityName(m.label);
  const same = (s: string) => s.toLocaleLowerCase('fr-FR') === label.toLocaleLowerCase('fr-FR');
  const specialities = [...new Set(m.anyOf.map((s) => s.display).filter((s): s is string => Boolean(s)).map(specialityName))].filter((s) => !same(s));
  return specialities.length ? `${label} — ${specialities.join(' ou ')}` : label;
}

/**
 * "4 spécialités présentes — il en faut au moins 3"; none is « Aucune spécialité présente » (it
 * read « Spécialité présente : 0 », and before that « 4 sur 3 requises »).
 */
export function specialitiesCount(present: number, required: number): string {
  const count = present === 0 ? 'Aucune spécialité présente' : present === 1 ? '1 spécialité présente' : `${present} spécialités présentes`;
  return `${count} — il en faut au moins ${required}`;
}

/** "1 dossier non discuté sera reporté…", "2 dossiers non discutés seront reportés…". */
export function carriedOverSentence(count: number): string {
  return count === 1
    ? '1 dossier non discuté sera reporté à la séance suivante.'
    : `${count} dossiers non discutés seront reportés à la séance suivante.`;
}
