/**
 * How a speciality is named to people (quorum reasons, warnings, pages, printed documents): the R38
 * label without its qualification suffix « (SM) », which the directory's labels carry and the R38
 * table of the boards did not always, so one page read « Gynécologie-obstétrique (SM) » and the next
 * « Oncologie, option médicale ». Stored codings keep the record's display; only the words change.
 * Here, below the domains, so that the RCP workflow (server/rcp) and the printed RCP sheet
 * (server/rcp-sheet, which server/rcp imports) share the one rule.
 * Mirrored by client/src/lib/quorum-words.ts (test/client/speciality-name-parity.test.ts).
 */
export function specialityName(display: string): string {
  return display.replace(/\s*\(SM\)\s*$/, '').trim() || display;
}
