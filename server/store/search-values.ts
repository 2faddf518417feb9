import { badRequest } from '../fhir-kit/errors.ts';
import { isFhirId, parseReference } from '../fhir-kit/ids.ts';
import type { SearchFilter } from '../fhir-kit/search-types.ts';

/** SQL fragments, FHIR search values read (references; the escapes `\,` `\|` `\$` `\\`) and SQL LIKE patterns. */

/** A SQL fragment with its positional bindings. */
export interface Sql { text: string; bindings: any[] }

/** Position of `ch` not escaped with a backslash; -1 if none. */
export function indexOfUnescaped(value: string, ch: string): number {
  for (let i = 0; i < value.length; i++) {
    if (value[i] === '\\') i++;
    else if (value[i] === ch) return i;
  }
  return -1;
}

export function unescape(value: string): string {
  return value.replace(/\\([\\|,$])/g, '$1');
}

export function escapeLike(value: string): string {
  return value.replace(/[\\%_]/g, (c) => `\\${c}`);
}

/**
 * What a reference search value names: a resource (`Type/id`, also after a base URL or with a
 * version), a bare id whose type a modifier (`subject:Patient=1`) or the parameter's only target
 * type gives (none when it has several), or else a canonical or external URL, kept as written.
 * A modifier other than a type or :not is a 400.
 */
export function referenceTarget(filter: SearchFilter, value: string): { id: string; type?: string } | { url: string } {
  const modifier = filter.modifier;
  const typeModifier = modifier && /^[A-Z]/.test(modifier) ? modifier : undefined;
  if (modifier && !typeModifier && modifier !== 'not') throw badRequest(`Modificateur :${modifier} non pris en charge pour ${filter.code}`);
  const target = parseReference(value);
  if (target) return { id: target.id, type: target.type };
  if (!isFhirId(value)) return { url: value };
  const targets = filter.param?.targets ?? [];
  const type = typeModifier ?? (targets.length === 1 ? targets[0] : undefined);
  return type ? { id: value, type } : { id: value };
}
