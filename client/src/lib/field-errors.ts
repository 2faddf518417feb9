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

function matchField(path: string, prefixes: { field: string; prefix: string }[]): string | undefined {
  return prefixes.find(({ prefix }) => path === prefix || path.startsWith(`${prefix}.`) || path.startsWith(`${prefix}[`))?.field;
}

function sortedPrefixes(fields: Record<string, string[]>): { field: string; prefix: string }[] {
  return Object.entries(fields).flatMap(([field, list]) => list.map((prefix) => ({ field, prefix }))).sort((a, b) => b.prefix.length - a.prefix.length);
}

/**
 * The error issues that no field of the form shows (to say them once, under the form): without a
 * path, or with a path no field claims.
 */
export function unplacedIssues<T extends IssueLike>(issues: T[] | undefined, fields: Record<string, string[]>): T[] {
  const prefixes = sortedPrefixes(fields);
  return (issues ?? []).filter((issue) => {
    if (issue.severity && issue.severity !== 'error' && issue.severity !== 'fatal') return false;
    if (!(issue.details?.text ?? issue.diagnostics)) return false;
    return ![...(issue.expression ?? []), ...(issue.location ?? [])].some((path) => matchField(path, prefixes));
  });
}

/**
 * `{ field: message }` for the issues whose path starts with one of the field's prefixes (longest
 * prefix wins, so `Patient.identifier[0].value` goes to the INS, not to a wider `Patient` field).
 */
export function fieldErrorsOf(issues: IssueLike[] | undefined, fields: Record<string, string[]>): Record<string, string> {
  const out: Record<string, string> = {};
  const prefixes = sortedPrefixes(fields);
  for (const issue of issues ?? []) {
    if (issue.severity && issue.severity !== 'error' && issue.severity !== 'fatal') continue;
    const text = issue.details?.text ?? issue.diagnostics;
    if (!text) continue;
    for (const path of [...(issue.expression ?? []), ...(issue.location ?? [])]) {
      const field = matchField(path, prefixes);
      if (field) {
        out[field] = out[field] ? `${out[field]} ${text}` : text;
        break;
      }
    }
  }
  return out;
}
