import type { Resource } from '@medplum/fhirtypes';
import { FhirError } from '../fhir-kit/errors.ts';
import type { FhirRepository } from './repository.ts';

/**
 * A read that may miss: `missing` lists the statuses that count as "not there" (default: deleted or
 * unknown). It goes through `read`, so the visibility rule applies and the audit trail records the attempt.
 */
export async function readOptional<T extends Resource>(repo: FhirRepository, type: string, id: string, missing: number[] = [404, 410]): Promise<T | undefined> {
  try {
    return await repo.read<T>(type, id);
  } catch (error) {
    if (error instanceof FhirError && missing.includes(error.status)) return undefined;
    throw error;
  }
}

export async function readAll<T extends Resource>(repo: FhirRepository, type: string, ids: (string | undefined)[], missing?: number[]): Promise<T[]> {
  const found: T[] = [];
  for (const id of new Set(ids.filter((x): x is string => Boolean(x)))) {
    const r = await readOptional<T>(repo, type, id, missing);
    if (r) found.push(r);
  }
  return found;
}
