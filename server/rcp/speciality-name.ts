import { specialityName } from '../fhir-kit/speciality-name.ts';
import { SPECIALITY_LABELS } from './codes.ts';

/** The one rule of naming a speciality lives in fhir-kit, shared with the printed RCP sheet. */
export { specialityName };

/** A speciality by its display, else by the R38 table, else by its bare code (better than nothing). */
export function namedSpeciality(s: { code: string; display?: string }): string {
  const display = s.display ?? SPECIALITY_LABELS[s.code];
  return display ? specialityName(display) : s.code;
}
