/** SQL fragments, and the escapes of FHIR search values (`\,` `\|` `\$` `\\`) and of SQL LIKE patterns. */

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
