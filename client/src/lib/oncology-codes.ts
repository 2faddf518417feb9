/**
 * Short pick lists for the RCP sheet's diagnosis: the CIM-10 topographies and ICD-O-3 morphologies
 * most often presented in RCP (the physician may also type any valid code). The server checks the
 * code's form (schemas/profiles/dcc-cancer-condition.schema.json); these lists only save typing.
 */

export interface PickCode {
  code: string;
  display: string;
}

export const ICD10_SYSTEM = 'http://hl7.org/fhir/sid/icd-10';
export const ICDO3_SYSTEM = 'http://terminology.hl7.org/CodeSystem/icd-o-3';

export const CIM10_TOPOGRAPHIES: PickCode[] = [
  { code: 'C15.9', display: "Tumeur maligne de l'œsophage, sans précision" },
  { code: 'C16.9', display: "Tumeur maligne de l'estomac, sans précision" },
  { code: 'C18.0', display: 'Tumeur maligne du cæcum' },
  { code: 'C18.2', display: 'Tumeur maligne du côlon ascendant' },
  { code: 'C18.4', display: 'Tumeur maligne du côlon transverse' },
  { code: 'C18.6', display: 'Tumeur maligne du côlon descendant' },
  { code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' },
  { code: 'C18.9', display: 'Tumeur maligne du côlon, sans précision' },
  { code: 'C19', display: 'Tumeur maligne de la jonction rectosigmoïdienne' },
  { code: 'C20', display: 'Tumeur maligne du rectum' },
  { code: 'C22.0', display: 'Carcinome hépatocellulaire' },
  { code: 'C25.0', display: 'Tumeur maligne de la tête du pancréas' },
  { code: 'C25.9', display: 'Tumeur maligne du pancréas, sans précision' },
  { code: 'C34.1', display: 'Tumeur maligne du lobe supérieur, bronches ou poumon' },
  { code: 'C34.3', display: 'Tumeur maligne du lobe inférieur, bronches ou poumon' },
  { code: 'C34.9', display: 'Tumeur maligne des bronches ou du poumon, sans précision' },
  { code: 'C43.9', display: 'Mélanome malin de la peau, sans précision' },
  { code: 'C50.4', display: 'Tumeur maligne du quadrant supéro-externe du sein' },
  { code: 'C50.9', display: 'Tumeur maligne du sein, sans précision' },
  { code: 'C53.9', display: "Tumeur maligne du col de l'utérus, sans précision" },
  { code: 'C54.1', display: "Tumeur maligne de l'endomètre" },
  { code: 'C56', display: "Tumeur maligne de l'ovaire" },
  { code: 'C61', display: 'Tumeur maligne de la prostate' },
  { code: 'C64', display: 'Tumeur maligne du rein, à l’exception du bassinet' },
  { code: 'C67.9', display: 'Tumeur maligne de la vessie, sans précision' },
  { code: 'C71.9', display: "Tumeur maligne de l'encéphale, sans précision" },
  { code: 'C73', display: 'Tumeur maligne de la glande thyroïde' },
  { code: 'C83.3', display: 'Lymphome diffus à grandes cellules B' },
  { code: 'C90.0', display: 'Myélome multiple' },
];

export const ICDO3_MORPHOLOGIES: PickCode[] = [
  { code: '8000/3', display: 'Tumeur maligne, SAI' },
  { code: '8010/3', display: 'Carcinome, SAI' },
  { code: '8041/3', display: 'Carcinome à petites cellules, SAI' },
  { code: '8070/3', display: 'Carcinome épidermoïde, SAI' },
  { code: '8140/3', display: 'Adénocarcinome, SAI' },
  { code: '8170/3', display: 'Carcinome hépatocellulaire, SAI' },
  { code: '8260/3', display: 'Adénocarcinome papillaire, SAI' },
  { code: '8310/3', display: 'Adénocarcinome à cellules claires, SAI' },
  { code: '8480/3', display: 'Adénocarcinome mucineux' },
  { code: '8490/3', display: 'Carcinome à cellules en bague à chaton' },
  { code: '8500/3', display: 'Carcinome canalaire infiltrant, SAI' },
  { code: '8520/3', display: 'Carcinome lobulaire, SAI' },
  { code: '8720/3', display: 'Mélanome malin, SAI' },
  { code: '9680/3', display: 'Lymphome malin diffus à grandes cellules B, SAI' },
  { code: '9732/3', display: 'Myélome multiple' },
];

/** "C18.7 — Tumeur maligne du côlon sigmoïde" (the label the pickers show). */
export function pickLabel(code: PickCode): string {
  return `${code.code} — ${code.display}`;
}

/**
 * What the physician typed or picked → a code and its label: a list entry, or a code alone typed
 * by hand followed by its label ("C18.7 Tumeur…"). Undefined when no code can be read.
 */
export function parsePick(value: string, list: PickCode[]): PickCode | undefined {
  const text = value.trim();
  if (!text) return undefined;
  const known = list.find((c) => pickLabel(c) === text || c.code.toUpperCase() === text.toUpperCase());
  if (known) return known;
  const m = /^([A-Z]\d{2}(?:\.\d{1,2})?|\d{4}\/\d)\s*(?:[—–-]\s*)?(.*)$/i.exec(text);
  if (!m) return undefined;
  return { code: m[1]!.toUpperCase(), display: m[2]?.trim() || m[1]!.toUpperCase() };
}
