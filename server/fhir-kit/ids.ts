import type { Reference } from '@medplum/fhirtypes';

/**
 * FHIR ids and literal references, parsed in one place. The variants differ on purpose and each has
 * its name: what a client writes in a body is a relative `Type/id` (no base URL, no version);
 * what the store indexes or a search names may be absolute (`https://…/fhir/Patient/1`) and
 * versioned (`…/_history/2`). `urn:uuid:` references (transaction bundles) are none of these.
 */

/** The FHIR `id` datatype (R4): 1 to 64 of A-Z a-z 0-9 - . — as a fragment, to build route paths. */
export const FHIR_ID_PATTERN = '[A-Za-z0-9\\-.]{1,64}';
/** A resource type as written in a reference (a capital, then letters). */
const TYPE_PATTERN = '[A-Z][A-Za-z]+';

const FHIR_ID = new RegExp(`^${FHIR_ID_PATTERN}$`);
const RELATIVE = new RegExp(`^(${TYPE_PATTERN})/(${FHIR_ID_PATTERN})(?:/_history/([^/]+))?$`);
const ABSOLUTE_OR_RELATIVE = new RegExp(`^(?:.*/)?(${TYPE_PATTERN})/(${FHIR_ID_PATTERN})(?:/_history/([^/]+))?$`);

export function isFhirId(value: unknown): value is string {
  return typeof value === 'string' && FHIR_ID.test(value);
}

/** A literal reference taken apart; `version` is the `_history` segment as written (callers check its form). */
export interface ReferenceParts {
  type: string;
  id: string;
  version?: string;
}

/** `Type/id` or `Type/id/_history/v`, relative only; undefined for anything else (absolute URL, urn:uuid, bad id). */
export function parseRelativeReference(value: string | undefined): ReferenceParts | undefined {
  return partsOf(value ? RELATIVE.exec(value) : null);
}

/** Like parseRelativeReference, also after a base URL (`https://…/fhir/Patient/1/_history/2`). */
export function parseReference(value: string | undefined): ReferenceParts | undefined {
  return partsOf(value ? ABSOLUTE_OR_RELATIVE.exec(value) : null);
}

/** A `_history` version as this server writes it (versionId: 1 to 9 digits, as If-Match accepts). */
export function isVersionId(value: unknown): value is string {
  return typeof value === 'string' && /^\d{1,9}$/.test(value);
}

/** Unversioned, or versioned with a versionId of this server's form. */
export function hasVersionIdOrNone(parts: ReferenceParts): boolean {
  return parts.version === undefined || isVersionId(parts.version);
}

function partsOf(m: RegExpExecArray | null): ReferenceParts | undefined {
  if (!m) return undefined;
  return m[3] === undefined ? { type: m[1]!, id: m[2]! } : { type: m[1]!, id: m[2]!, version: m[3] };
}

/**
 * A relative, unversioned `Type/id` whose type is one of `types` (a client's body names the current
 * resource, never a version nor another server); undefined otherwise.
 */
export function relativeReference(value: string | undefined, ...types: string[]): { type: string; id: string } | undefined {
  const parts = parseRelativeReference(value);
  return parts && parts.version === undefined && types.includes(parts.type) ? parts : undefined;
}

/** The id of relativeReference(value, ...types). */
export function relativeReferenceId(value: string | undefined, ...types: string[]): string | undefined {
  return relativeReference(value, ...types)?.id;
}

/** `Type/id` exactly (relative, unversioned), of one of `types`. */
export function isRelativeReference(value: string | undefined, ...types: string[]): boolean {
  return relativeReferenceId(value, ...types) !== undefined;
}

/** The id a reference points to when it is of `type` (relative or absolute URL, unversioned), else undefined. */
export function idOf(ref: Reference | string | undefined, type: string): string | undefined {
  const parts = parseReference(typeof ref === 'string' ? ref : ref?.reference);
  return parts && parts.version === undefined && parts.type === type ? parts.id : undefined;
}
