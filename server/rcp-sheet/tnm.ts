/**
 * The notation of the TNM categories the sheet records (T 21905-5, N 21906-3, M 21907-1). The FRCP
 * codes them in the TNM_UICC code system (2.16.840.1.113883.15.6) with no value set of its own in
 * the CI-SIS (the ANS kit's examples: 'T1b', 'N1', 'M0'); the form takes them as typed, with their
 * prefix. The grammar is UICC 8th edition's (TNM Classification of Malignant Tumours, 2017, and its
 * supplement), with the AJCC variants clinicians write: a value outside it ('pT9z') was saved as is.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { issue } from '../fhir-kit/errors.ts';
import { rcpSheetItemLabel } from './item-labels.ts';

/**
 * Prefixes: y (after neoadjuvant treatment), r (recurrence), a (autopsy), then the basis —
 * c clinical, p pathological, u/us endoscopic ultrasound, mr MRI (rectal cancer: usT3, ymrT2).
 * The ANS TNM entries carry y, r and a beside c/p (FR-TNM-y, FR-TNM-r, FR-TNM-a).
 */
const PREFIX = '(?:[yra])?(?:c|p|us|u|mr)?';
/** Number of involved nodes over examined ones, as pathology reports write it: pN1a (2/17). */
const NODE_COUNT = '(?:\\s*\\(\\d+\\s*/\\s*\\d+\\))?';
/** Metastatic sites (UICC): M1(HEP), M1b(PUL, OSS). */
const SITE = '(?:PUL|OSS|HEP|BRA|LYM|MAR|PLE|PER|ADR|SKI|OTH)';

const NOTATION = {
  // TX, T0, Tis (breast DCIS/LCIS/Paget, appendix LAMN), Ta (urothelium), T1–T4 with a subdivision
  // (T1a…T4e, cervix T1b2, T1mi), and the multiplicity suffix (m) or a count: pT2(m), pT1(3).
  t: new RegExp(`^${PREFIX}T(?:[Xx]|0|is(?:\\((?:DCIS|LCIS|Paget|LAMN)\\))?|a|[1-4](?:mi|[a-e][1-3]?)?)(?:\\((?:m|\\d+)\\))?$`),
  // NX, N0–N3 with a subdivision (N1mi, N2a, N3c), isolated tumour cells, molecular findings,
  // sentinel node and fine-needle qualifiers: pN0(i+), pN0(i-)(sn), pN1(sn), cN1(f).
  n: new RegExp(`^${PREFIX}N(?:[Xx]|[0-3](?:mi|[a-c])?)(?:\\((?:sn|mi|i[+-]|mol[+-]|f)\\))*${NODE_COUNT}$`),
  // M0, cM0(i+), M1 with a subdivision (M1a–M1d, melanoma's LDH M1c(1)) and its sites. No MX.
  m: new RegExp(`^${PREFIX}M(?:0(?:\\(i\\+\\))?|1(?:[a-d](?:\\([01]\\))?)?(?:\\s*\\(${SITE}(?:,\\s*${SITE})*\\))?)$`),
} as const;

const EXPECTED = {
  t: "TX, T0, Tis, Ta ou T1 à T4 avec sa subdivision, précédé au besoin de c, p, y, r ou a — ex. cT3, pT1c, ypT0, pT1mi, Tis(DCIS)",
  n: 'NX ou N0 à N3 avec sa subdivision, précédé au besoin de c, p, y, r ou a — ex. cN1, pN1mi, pN0(i+), pN1a(sn), ypN0',
  m: 'M0 ou M1 avec sa subdivision, précédé au besoin de c ou p — ex. cM0, M1a, pM1c, cM0(i+)',
} as const;

/**
 * What is wrong with a TNM category as written, in French, or undefined when the notation is one
 * the UICC classification (7th edition onwards, the editions the sheet accepts) allows.
 */
export function tnmCategoryProblem(category: 't' | 'n' | 'm', value: string): string | undefined {
  const written = value.trim();
  if (NOTATION[category].test(written)) return undefined;
  // UICC 7th edition dropped MX: an unassessed M is cM0 unless a metastasis is found.
  if (category === 'm' && /^[yra]?[cp]?MX$/i.test(written)) return "MX n'existe plus depuis la 7e édition UICC : cM0 en l'absence de métastase décelée cliniquement, M1 sinon";
  // A whole TNM in one field: each category has its own.
  if (/T.*N.*M/i.test(written)) return `une seule catégorie par champ (ex. ${category === 't' ? 'cT3' : category === 'n' ? 'cN1' : 'cM0'}) : T, N et M ont chacun le leur`;
  return `notation '${written}' non reconnue (attendu : ${EXPECTED[category]})`;
}

type WrittenTnm = { t?: unknown; n?: unknown; m?: unknown };

/**
 * The malformed categories of a TNM, each as an issue under its field (path in `expression`, text
 * naming the field as the form labels it). With `stored` (the version being changed), a category
 * kept as stored is not checked again: a value saved before the notation was checked, or imported,
 * must not block the save of another item, a move of the case or its carry-over — only writing or
 * changing the category is held to the grammar (the signature checks them all: sign.ts).
 */
export function tnmNotationIssues(tnm: WrittenTnm | undefined, stored?: WrittenTnm): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  for (const category of ['t', 'n', 'm'] as const) {
    const value = tnm?.[category];
    if (typeof value !== 'string' || !value.trim()) continue;
    const kept = stored?.[category];
    if (typeof kept === 'string' && kept.trim() === value.trim()) continue;
    const problem = tnmCategoryProblem(category, value);
    const path = `diagnosis.tnm.${category}`;
    if (problem) issues.push(issue('error', 'invalid', `${rcpSheetItemLabel(path)} : ${problem}`, [path]));
  }
  return issues;
}

/**
 * What a TNM was based on, read from its prefixes: pathological (p, yp — after surgery) when T or N
 * is, clinical (c, yc, us, mr) when one is, else unsaid. The FRCP has one TNM slot (75620-5, named
 * « clinique »): the prefix, not the slot, tells the reader which stage the sheet gives.
 */
export function tnmBasis(tnm: { t?: string; n?: string; m?: string } | undefined): 'pathological' | 'clinical' | undefined {
  const prefixes = [tnm?.t, tnm?.n].map((v) => /^\s*[yra]?(c|p|us|u|mr)?[TN]/.exec(v ?? '')?.[1]);
  if (prefixes.includes('p')) return 'pathological';
  if (prefixes.some((p) => p !== undefined)) return 'clinical';
  return undefined;
}

/** « Stade TNM pathologique (pTNM) », « Stade TNM clinique (cTNM) » or « Stade TNM », as entered. */
export function tnmStageLabel(tnm: { t?: string; n?: string; m?: string } | undefined): string {
  const basis = tnmBasis(tnm);
  return basis === 'pathological' ? 'Stade TNM pathologique (pTNM)' : basis === 'clinical' ? 'Stade TNM clinique (cTNM)' : 'Stade TNM';
}
