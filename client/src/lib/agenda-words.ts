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
