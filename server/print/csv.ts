/**
 * CSV for French spreadsheets: semicolon-separated, decimal comma, CRLF, with a BOM so Excel reads
 * UTF-8. One writer for every export (indicators, quality criteria, after-cancer report).
 */

/**
 * A text cell that starts with = + - @ (or a tab/CR) is read by a spreadsheet as a formula: a
 * patient name or a board name typed that way would run on the 3C's computer (CSV injection,
 * OWASP). Such text gets a leading apostrophe, which spreadsheets show as plain text.
 */
const FORMULA_START = /^[=+\-@\t\r]/;

export function csvCell(value: unknown): string {
  if (value === null || value === undefined) return '';
  if (typeof value === 'number') return Number.isFinite(value) ? String(value).replace('.', ',') : '';
  let text = String(value);
  if (FORMULA_START.test(text)) text = `'${text}`;
  return /[;"\r\n]/.test(text) ? `"${text.replace(/"/g, '""')}"` : text;
}

export function frenchCsv(rows: readonly (readonly unknown[])[]): string {
  return `\ufeff${rows.map((row) => row.map(csvCell).join(';')).join('\r\n')}\r\n`;
}
