/** Text helpers shared by every layer. */

/** The addr-spec of `Name <a@b>` or `a@b`; undefined for anything else (lists, spaces, no domain). */
export function bareAddress(value: string): string | undefined {
  const trimmed = value.trim();
  const inner = /<([^<>]+)>$/.exec(trimmed)?.[1] ?? trimmed;
  return /^[^\s@<>,;:"()[\]\\]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?)+$/.test(inner) ? inner : undefined;
}
