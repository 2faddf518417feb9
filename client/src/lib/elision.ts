/**
 * « de » before a name, elided as French writes it: « l'accès d'Étienne Morel », « d'Hélène »,
 * « de Jean », « de Yann » (y before a vowel is a consonant), « du Dr Aubert » (de + le).
 * An h is taken as mute (« d'Henri », « d'Hélène ») save the few first names whose h is aspirated.
 * No relative import: the mocha unit tests load this file directly.
 */
const ASPIRATED_H = new Set(['hugues', 'hugo', 'huguette', 'hubertine', 'hannibal']);
const TITLE = /^(Dr|Pr|Docteur|Professeur)\.?\s/i;

/** Whether « de » is elided before `word` (a vowel, a mute h, a y before a consonant). */
export function elidesDe(word: string): boolean {
  const plain = word.trim().normalize('NFD').replace(/[\u0300-\u036f]/g, '').toLowerCase();
  const [first, second] = [plain[0], plain[1]];
  if (!first) return false;
  if ('aeiouæœ'.includes(first)) return true;
  if (first === 'y') return Boolean(second) && !'aeiou'.includes(second!);
  if (first === 'h') return Boolean(second) && 'aeiouy'.includes(second!) && !ASPIRATED_H.has(plain.split(/[\s\-']/)[0]!);
  return false;
}

/** « d'Étienne Morel », « de Jean Martin », « du Dr Aubert »: « de » and the name, as a sentence reads them. */
export function deName(name: string): string {
  const text = name.trim();
  if (TITLE.test(text)) return `du ${text}`;
  return elidesDe(text) ? `d'${text}` : `de ${text}`;
}
