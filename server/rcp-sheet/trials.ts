/**
 * A clinical trial is one ResearchStudy however many sheets propose it: a trial described by its
 * registry number (NCT…, EU CT…, ID-RCB) is looked up in the regional trial directory (one entry per
 * registry number, preferred over any other record of that number) before one is created.
 */
import type { ResearchStudy } from '@medplum/fhirtypes';
import { findTrialByRegistryNumber } from '../directories/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { RcpSheetInput, ResearchStudyInput } from './input.ts';
import { relativeReferenceId } from '../fhir-kit/ids.ts';

/**
 * The sheet with its proposed trial as a reference when the trial is already recorded, and that
 * ResearchStudy (for the sheet's narrative); the input is otherwise unchanged.
 */
export async function withRecordedTrial(repo: FhirRepository, input: RcpSheetInput): Promise<{ input: RcpSheetInput; study?: ResearchStudy }> {
  const study = input.basis?.clinicalTrial.study;
  if (!study) return { input };
  if (typeof study === 'string') {
    const id = relativeReferenceId(study, 'ResearchStudy');
    const found = id ? await repo.readIfExists<ResearchStudy>('ResearchStudy', id) : undefined;
    return { input, ...(found ? { study: found } : {}) };
  }
  const identifier = (study as ResearchStudyInput).identifier;
  // A registry number never holds the search syntax's separators; such a value is not looked up.
  if (!identifier?.value || /[|,$\\]/.test(identifier.value)) return { input };
  const found = await findTrialByRegistryNumber(repo, identifier);
  if (!found) return { input };
  const basis = input.basis!;
  return { input: { ...input, basis: { ...basis, clinicalTrial: { ...basis.clinicalTrial, study: `ResearchStudy/${found.id}` } } }, study: found };
}
