/**
 * A clinical trial is one ResearchStudy however many sheets propose it: a trial described by its
 * registry number (NCT…, EU CT…, ID-RCB) is looked up before one is created.
 */
import type { ResearchStudy } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../fhir/search-request.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { RcpSheetInput, ResearchStudyInput } from './input.ts';

/**
 * The ResearchStudy recorded under this registry number. A number given without its registry
 * matches whatever registry recorded it (an NCT number means one trial); with a registry, a study
 * recorded under another registry is not the same trial.
 */
export async function findTrialByRegistryNumber(repo: FhirRepository, identifier: { system?: string; value: string }): Promise<ResearchStudy | undefined> {
  // A registry number never holds the search syntax's separators; such a value is not looked up.
  if (/[|,$\\]/.test(identifier.value)) return undefined;
  const query = new URLSearchParams({ identifier: identifier.value, _count: '20' });
  const { request } = parseSearchRequest('ResearchStudy', query, { defaultCount: 20, maxCount: 20 }, true);
  request.total = 'none';
  const studies = (await repo.search<ResearchStudy>(request)).resources;
  const sameNumber = (s: ResearchStudy) => s.identifier?.some((i) => i.value === identifier.value && (!identifier.system || !i.system || i.system === identifier.system));
  const candidates = studies.filter(sameNumber);
  // The exact registry first, then the oldest record (the one other sheets already point at).
  return candidates.find((s) => s.identifier?.some((i) => i.value === identifier.value && i.system === identifier.system)) ?? candidates[0];
}

/**
 * The sheet with its proposed trial as a reference when the trial is already recorded, and that
 * ResearchStudy (for the sheet's narrative); the input is otherwise unchanged.
 */
export async function withRecordedTrial(repo: FhirRepository, input: RcpSheetInput): Promise<{ input: RcpSheetInput; study?: ResearchStudy }> {
  const study = input.basis?.clinicalTrial.study;
  if (!study) return { input };
  if (typeof study === 'string') {
    const id = /^ResearchStudy\/([A-Za-z0-9\-.]{1,64})$/.exec(study)?.[1];
    const found = id ? await repo.readIfExists<ResearchStudy>('ResearchStudy', id) : undefined;
    return { input, ...(found ? { study: found } : {}) };
  }
  const identifier = (study as ResearchStudyInput).identifier;
  if (!identifier?.value) return { input };
  const found = await findTrialByRegistryNumber(repo, identifier);
  if (!found) return { input };
  const basis = input.basis!;
  return { input: { ...input, basis: { ...basis, clinicalTrial: { ...basis.clinicalTrial, study: `ResearchStudy/${found.id}` } } }, study: found };
}
