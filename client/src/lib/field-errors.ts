/**
 * The server's rule shown next to the field it names: an OperationOutcome issue carries the FHIR
 * path (`Patient.birthDate`, `treatments[1].dose`…); each form maps path prefixes to its fields.
 * No relative import: the mocha unit tests load this file directly.
 */

export interface IssueLike {
  severity?: string;
  details?: { text?: string };
  diagnostics?: string;
  expression?: string[];
  location?: string[];
}

/**
 * `{ field: message }` for the issues whose path starts with one of the field's prefixes (longest
 * prefix wins, so `Patient.identifier[0].value` goes to the INS, not to a wider `Patient` field).
 */
export function fieldErrorsOf(issues: IssueLike[] | undefined, fields: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  const prefixes = Object.entries(fields).flatMap(([field, list]) => list.map((prefix) => ({ field, prefix }))).sort((a, b) => b.prefix.length - a.prefix.length);
  for (const issue of issues ?? []) {
    if (issue.severity && issue.severity !== 'error' && issue.severity !== 'fatal') continue;
    const text = issue.details?.text ?? issue.diagnostics;
    if (!text) continue;
    for (const path of [...(issue.expression ?? []), ...(issue.location ?? [])]) {
      const hit = prefixes.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`));
      if (hit) {
        out[hit.field] = out[hit.field] ? `${out[hit.field]} ${text}` : text;
        break;
      }
    }
  }
  return out;
}
