import type { Reference } from '@medplum/fhirtypes';

/** The id a reference points to when it is of `type` (relative or absolute URL), else undefined. */
export function idOf(ref: Reference | undefined, type: string): string | undefined {
  const m = ref?.reference ? new RegExp(`^(?:.*/)?${type}/([A-Za-z0-9\\-.]{1,64})$`).exec(ref.reference) : null;
  return m?.[1];
}
