import type { Extension } from '@medplum/fhirtypes';

/**
 * Replaces every extension with this URL by `replacement` (or removes them); the others keep their
 * order, and an element left without extensions has no `extension` (FHIR forbids empty arrays).
 */
export function withExtension<T extends { extension?: Extension[] }>(holder: T, url: string, replacement?: Extension | Extension[]): T {
  const others = (holder.extension ?? []).filter((e) => e.url !== url);
  const added = replacement === undefined ? [] : Array.isArray(replacement) ? replacement : [replacement];
  const extension = [...others, ...added];
  const copy = { ...holder };
  if (extension.length) copy.extension = extension;
  else delete copy.extension;
  return copy;
}
