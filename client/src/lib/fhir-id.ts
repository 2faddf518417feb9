/**
 * The FHIR id grammar (R4 « id »: 1 to 64 of A-Z a-z 0-9 - .), as the server's routes match it
 * (server/fhir-kit/ids.ts). An address whose id breaks it names no record at all: the page says
 * the link is wrong instead of asking for an emergency access to something that cannot exist.
 */
export function isFhirId(value: string): boolean {
  return /^[A-Za-z0-9\-.]{1,64}$/.test(value);
}
