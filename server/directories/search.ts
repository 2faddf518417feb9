/** Searches of the directories through the caller's repository (its access rules and audit apply). */
import type { Resource } from '@medplum/fhirtypes';
import type { FhirRepository, SearchParams } from '../store/repository.ts';

/** A regional directory holds hundreds of entries; past this the caller must narrow the search. */
export const DIRECTORY_CAP = 2000;

/** Every match with the included resources, page after page (up to DIRECTORY_CAP). */
export function searchEvery<T extends Resource>(repo: FhirRepository, type: string, params: SearchParams): Promise<{ resources: T[]; included: Resource[] }> {
  return repo.searchAllWithIncluded<T>(type, params, { max: DIRECTORY_CAP });
}
