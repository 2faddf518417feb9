import type { MedicationRequest } from '@medplum/fhirtypes';

/**
 * The dates of an oral treatment (a PPS activity that references its MedicationRequest): from the
 * start of its first dosage line (cycle 1) to the end of its last one — the rule of the printed PPS
 * and the summary (server/care-plan/oral-treatment.ts: oralTreatmentPeriod), so the page never
 * shows other dates than the document; test/client/oral-treatment-period.test.ts keeps them equal.
 */
export function oralTreatmentPeriod(request: MedicationRequest | undefined): { start?: string; end?: string } | undefined {
  const bounds = (request?.dosageInstruction ?? []).map((d) => d.timing?.repeat?.boundsPeriod).filter((b): b is NonNullable<typeof b> => Boolean(b));
  if (!bounds.length) return undefined;
  return { ...(bounds[0]!.start ? { start: bounds[0]!.start } : {}), ...(bounds.at(-1)!.end ? { end: bounds.at(-1)!.end } : {}) };
}
