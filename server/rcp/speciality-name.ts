import { SPECIALITY_LABELS } from './codes.ts';

/**
 * How a speciality is named to people (quorum reasons, warnings, pages): the R38 label without its
 * qualification suffix « (SM) », which the directory's labels carry and the R38 table of the boards
 * did not always, so one page read « Gynécologie-obstétrique (SM) » and the next « Oncologie, option
 * médicale ». Stored codings keep the record's display; only the words change.
 * Mirrored by client/src/lib/quorum-words.ts (test/client/speciality-name-parity.test.ts).
 */
export function specialityName(display: string): string {
  return display.replace(/\s*\(SM\)\s*$/, '').trim() || display;
}

/** A speciality by its display, else by the R38 table, else by its bare code (better than nothing). */
export function namedSpeciality(s: { code: string; display?: string }): string {
  const display = s.display ?? SPECIALITY_LABELS[s.code];
  return display ? specialityName(display) : s.code;
}
