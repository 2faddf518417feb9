/**
 * Codes of the per-profession summaries: the document type (LOINC "Patient summary Document"),
 * the audience, and the sections (a DCC code system, with the LOINC code where one fits).
 */
import type { CodeableConcept, Coding } from '@medplum/fhirtypes';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { LOINC } from '../fhir-kit/code-systems.ts';

export const SUMMARY_TYPE: Coding = { system: LOINC, code: '60591-5', display: 'Patient summary Document' };
export const SUMMARY_AUDIENCE_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-summary-audience`;
export const SUMMARY_SECTION_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-summary-section`;

export type Audience = 'gp' | 'nurse' | 'pharmacist';
export const AUDIENCES: readonly Audience[] = ['gp', 'nurse', 'pharmacist'];

export const AUDIENCE_LABEL: Record<Audience, { title: string; reader: string }> = {
  gp: { title: 'Synthèse pour le médecin traitant', reader: 'Médecin traitant' },
  nurse: { title: "Synthèse pour l'infirmier(ère) de ville", reader: 'Infirmier(ère) de ville' },
  pharmacist: { title: "Synthèse pour le pharmacien d'officine", reader: "Pharmacien d'officine" },
};

export function audienceCoding(audience: Audience): Coding {
  return { system: SUMMARY_AUDIENCE_SYSTEM, code: audience, display: AUDIENCE_LABEL[audience].reader };
}

export type SectionKey =
  | 'diagnosis' | 'rcp-proposal' | 'pps' | 'ppac-surveillance' | 'overdue' | 'watch'
  | 'care-calendar' | 'home-treatments' | 'side-effects' | 'oral-treatments' | 'clinical-trials' | 'whom-to-call';

/** Each section: French title and its codes (LOINC where the meaning matches). */
export const SECTION: Record<SectionKey, { title: string; loinc?: Coding }> = {
  diagnosis: { title: 'Diagnostic et stade', loinc: { system: LOINC, code: '11450-4', display: 'Problem list - Reported' } },
  'rcp-proposal': { title: 'Dernière proposition de RCP signée', loinc: { system: LOINC, code: '18776-5', display: 'Plan of care note' } },
  pps: { title: 'Programme personnalisé de soins (PPS)' },
  'ppac-surveillance': { title: "Surveillance alternée (programme personnalisé de l'après-cancer)" },
  overdue: { title: 'Surveillance en retard' },
  watch: { title: 'Points de vigilance' },
  'care-calendar': { title: 'Calendrier des soins' },
  'home-treatments': { title: 'Traitements à domicile', loinc: { system: LOINC, code: '10160-0', display: 'History of Medication use Narrative' } },
  'side-effects': { title: 'Effets indésirables à surveiller et conduite à tenir' },
  'oral-treatments': { title: 'Traitements anticancéreux oraux', loinc: { system: LOINC, code: '10160-0', display: 'History of Medication use Narrative' } },
  'clinical-trials': { title: 'Participation à un essai clinique' },
  'whom-to-call': { title: 'Qui appeler' },
};

export function sectionCode(key: SectionKey): CodeableConcept {
  const s = SECTION[key];
  return { coding: [{ system: SUMMARY_SECTION_SYSTEM, code: key, display: s.title }, ...(s.loinc ? [s.loinc] : [])], text: s.title };
}
