import type { Practitioner } from '@medplum/fhirtypes';

/**
 * « Dr Marc Aubert »: a practitioner as the directory names them (title, first names, name), the one
 * form pages, printed documents and mails use — a signature taken from the signer's card name alone
 * printed « Signé par Marc Aubert » beside « Dr Marc Aubert » in the same report.
 */
export function practitionerName(p: Practitioner): string {
  const n = p.name?.[0];
  return [n?.prefix?.[0], ...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || `Practitioner/${p.id}`;
}
