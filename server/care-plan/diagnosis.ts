/**
 * The diagnosis as the patient reads it on their programme: not the CIM-10 catalogue label
 * ("Tumeur maligne du cardia", "… SAI") but the physician's own wording when the record has one,
 * else the histology and the site said in plain French ("Adénocarcinome du cardia"), with the side
 * when it is known. Pure: the printable programme calls it on the Condition it may show.
 */
import type { CodeableConcept, Coding, Condition } from '@medplum/fhirtypes';
import { ICD10, LATERALITY, LATERALITY_EXTENSION, MORPHOLOGY_EXTENSION } from '../rcp-sheet/index.ts';

/** mCODE laterality qualifiers → what the patient reads. */
const SIDE: Record<string, string> = {
  [LATERALITY.right.code!]: 'côté droit',
  [LATERALITY.left.code!]: 'côté gauche',
  [LATERALITY.bilateral.code!]: 'des deux côtés',
};

/** The readable diagnosis of one cancer Condition (never empty: "Cancer" at worst). */
export function patientDiagnosis(condition: Condition): string {
  const codes = condition.code?.coding ?? [];
  const catalogue = new Set(codes.map((c) => c.display?.trim().toLowerCase()).filter(Boolean));
  const text = condition.code?.text?.trim();
  // The physician's wording: a text that is not just the catalogue label of one of its codes.
  const ownWording = text && !catalogue.has(text.toLowerCase()) && !looksCoded(text) ? clean(text) : undefined;
  const topography = codes.find((c) => c.system === ICD10) ?? codes[0];
  const label = clean(topography?.display ?? text ?? '');
  const morphology = clean(morphologyText(condition) ?? '');
  let name: string;
  if (ownWording) name = ownWording;
  else {
    const site = siteOf(label);
    if (site && morphology) name = `${capitalise(morphology)} ${site}`;
    else if (site) name = `Cancer ${site}`;
    else name = capitalise(label || morphology || 'Cancer');
  }
  const where = placeOf(condition, name);
  return where ? `${name}, ${where}` : name;
}

/** "Tumeur maligne du cardia" → "du cardia"; undefined when the label is not of that form. */
function siteOf(label: string): string | undefined {
  const m = /^(?:tumeur|néoplasme|neoplasme)s? (?:maligne|malin)s?\s+(.+)$/i.exec(label);
  return m ? m[1]!.trim() : undefined;
}

function morphologyText(condition: Condition): string | undefined {
  const concept = condition.extension?.find((e) => e.url === MORPHOLOGY_EXTENSION)?.valueCodeableConcept as CodeableConcept | undefined;
  return concept?.text ?? concept?.coding?.[0]?.display;
}

/** The side (laterality qualifier) or the physician's own description of the site, when it adds something. */
function placeOf(condition: Condition, name: string): string | undefined {
  const site = condition.bodySite?.[0];
  if (!site) return undefined;
  const lower = name.toLowerCase();
  const qualifier = site.extension?.find((e) => e.url === LATERALITY_EXTENSION)?.valueCodeableConcept?.coding as Coding[] | undefined;
  const side = qualifier?.map((c) => SIDE[c.code ?? '']).find(Boolean);
  const described = site.text?.trim();
  const codes = (condition.code?.coding ?? []).map((c) => c.display?.trim().toLowerCase());
  // A site text that only repeats the catalogue label (the sheet copies it there) adds nothing.
  if (described && !codes.includes(described.toLowerCase()) && !looksCoded(described) && !lower.includes(described.toLowerCase())) {
    const place = lowerFirst(clean(described));
    return side && !/(droit|gauche|bilat)/i.test(place) ? `${place}, ${side}` : place;
  }
  if (side && !/(droit|gauche|bilat|deux côtés)/i.test(lower)) return side;
  return undefined;
}

/** Catalogue noise a patient cannot read: codes, "SAI" (sans autre indication), bracketed qualifiers. */
function clean(text: string): string {
  return text
    .replace(/^\s*[A-Z]\d{2}(?:\.\d{1,2})?\s*[-—:]?\s*/, '')
    .replace(/\s*\[[^\]]*\]/g, '')
    .replace(/\s*\((?:CIM|ICD)[^)]*\)/gi, '')
    .replace(/,?\s*\bSAI\b/g, '')
    .replace(/\s{2,}/g, ' ')
    .trim();
}

function looksCoded(text: string): boolean {
  return /^\s*[A-Z]\d{2}(?:\.\d{1,2})?\b/.test(text) || /\bSAI\b/.test(text);
}

function capitalise(text: string): string {
  return text ? text[0]!.toUpperCase() + text.slice(1) : text;
}

function lowerFirst(text: string): string {
  // Keep acronyms ("SNC") as written.
  return text && !/^[A-Z]{2}/.test(text) ? text[0]!.toLowerCase() + text.slice(1) : text;
}
