/** Searches of the directories through the caller's repository (its access rules and audit apply). */
import type { Resource } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import type { FhirRepository } from '../store/repository.ts';

const PAGE = 200;
/** A regional directory holds hundreds of entries; past this the caller must narrow the search. */
export const DIRECTORY_CAP = 2000;

/** Every match with the included resources, page after page (up to DIRECTORY_CAP). */
export async function searchEvery<T extends Resource>(
  repo: FhirRepository, type: string, params: Record<string, string | string[]>,
): Promise<{ resources: T[]; included: Resource[] }> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const x of Array.isArray(v) ? v : [v]) query.append(k, x);
  const { request } = parseSearchRequest(type, query, { defaultCount: PAGE, maxCount: PAGE }, true);
  request.total = 'none';
  request.count = PAGE;
  const resources: T[] = [];
  const included: Resource[] = [];
  for (;;) {
    const page = await repo.search<T>(request);
    resources.push(...page.resources);
    included.push(...(page.included as Resource[]));
    if (!page.next || resources.length >= DIRECTORY_CAP) break;
    request.cursor = page.next;
  }
  return { resources, included };
}
