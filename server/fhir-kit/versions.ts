import { badRequest, preconditionFailed } from './errors.ts';

/** If-Match: W/"3", "3" or 3 → "3"; anything else is a malformed request (400), not a stale version (412). */
export function parseETag(value: string): string {
  const m = /^(?:W\/)?"?(\d{1,9})"?$/.exec(value.trim());
  if (!m) throw badRequest(`En-tête If-Match invalide : '${value}' (attendu W/"<version>")`);
  return m[1]!;
}

/** The version an If-Match header names; none when the header is absent or empty. */
export function ifMatchVersion(header: string | undefined): string | undefined {
  return header === undefined || header === '' ? undefined : parseETag(header);
}

/**
 * The version the client read (If-Match) must still be the current one: 412 otherwise, naming both
 * versions so the user knows to reload. No If-Match: no check (the write is last-one-wins).
 */
export function requireCurrentVersion(
  resource: { meta?: { versionId?: string }; resourceType: string; id?: string }, ifMatch: string | undefined, advice = 'Rechargez avant de modifier.',
): void {
  if (ifMatch === undefined) return;
  const current = resource.meta?.versionId ?? '1';
  if (current !== ifMatch) {
    throw preconditionFailed(`${resource.resourceType}/${resource.id} a été modifié entre-temps : version courante ${current}, If-Match attendait ${ifMatch}. ${advice}`);
  }
}
