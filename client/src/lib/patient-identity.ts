import type { HumanName, Patient } from '@medplum/fhirtypes';

/**
 * A patient's identity as the hospital pages show and create it (RNIV, FR Core): the five strict
 * traits, the INS and the identity status, and the probable-duplicate rule. No relative import:
 * the mocha unit tests load this file directly.
 */

const INS_SYSTEMS = ['urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:1.2.250.1.213.1.4.9', 'urn:oid:1.2.250.1.213.1.4.10', 'urn:oid:1.2.250.1.213.1.4.11'];
const RELIABILITY_URL = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';

export type IdentityStatusCode = 'PROV' | 'RECUP' | 'VALI' | 'QUAL';

/** The birth (official) name, else the first name given. */
export function birthName(patient: Patient) {
  return patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
}

/** 'né', 'née', or 'né(e)' when the sex is not known (FHIR administrative gender). */
export function bornWord(gender: string | undefined): string {
  return gender === 'female' ? 'née' : gender === 'male' ? 'né' : 'né(e)';
}

/** The same at the start of a sentence: 'Né', 'Née', 'Né(e)'. */
export function capitalBornWord(gender: string | undefined): string {
  const word = bornWord(gender);
  return word.charAt(0).toLocaleUpperCase('fr-FR') + word.slice(1);
}

/**
 * The name the patient is shown by: the birth name (official, else one with no use or `usual`),
 * else any name not marked old, else the first. Mirror of server/identity/patient-name.ts
 * `shownName`: test/client/patient-name-parity.test.ts keeps the two equal.
 */
export function shownName(names: HumanName[] | undefined): HumanName | undefined {
  return names?.find((n) => n.use === 'official') ?? names?.find((n) => !n.use || n.use === 'usual') ?? names?.find((n) => n.use !== 'old') ?? names?.[0];
}

/**
 * "CASTELLANI Hélène Marie" (birth name in capitals first, as on an identity wristband: RNIV).
 * Mirror of the server's `patientDisplayName`, so a page and its printout name the patient alike.
 */
export function patientDisplayName(patient: Pick<Patient, 'name'>): string {
  const name = shownName(patient.name);
  if (!name) return 'Patient sans nom';
  return [name.family?.toLocaleUpperCase('fr-FR'), ...(name.given ?? [])].filter(Boolean).join(' ') || name.text || 'Patient sans nom';
}

/**
 * "CASTELLANI Hélène Marie, née le 3 mai 1958": the patient named wherever one acts on their record
 * (RNIV: birth name, first names, birth date). `formatBirthDate`: the page's date format.
 */
export function patientIdentityLine(patient: Patient, formatBirthDate: (date: string | undefined) => string): string {
  const born = patient.birthDate ? `${bornWord(patient.gender)} le ${formatBirthDate(patient.birthDate)}` : 'date de naissance non renseignée';
  return `${patientDisplayName(patient)}, ${born}`;
}

/**
 * The used name ("nom utilisé", `use: usual`) in capitals, when its family differs from the birth
 * name's, capitals aside ("Castellani" used = "CASTELLANI" born: none). Mirror of the server's
 * `usedFamilyName` (server/identity/patient-name.ts), which the printouts use: the page once showed
 * « Castellani » as a used name that the printed PPS left out.
 */
export function usedName(patient: Pick<Patient, 'name'>): string | undefined {
  const birth = shownName(patient.name);
  const used = patient.name?.find((n) => n.use === 'usual' && n !== birth);
  const inCapitals = (family: string | undefined) => family?.trim().toLocaleUpperCase('fr-FR');
  return used?.family?.trim() && inCapitals(used.family) !== inCapitals(birth?.family) ? inCapitals(used.family) : undefined;
}

export function insOf(patient: Patient): string | undefined {
  return patient.identifier?.find((i) => i.system && INS_SYSTEMS.includes(i.system))?.value;
}

export function identityStatusOf(patient: Patient): IdentityStatusCode | undefined {
  const code = patient.extension?.find((e) => e.url === RELIABILITY_URL)?.extension?.find((e) => e.url === 'identityStatus')?.valueCoding?.code;
  return code === 'PROV' || code === 'RECUP' || code === 'VALI' || code === 'QUAL' ? code : undefined;
}

/**
 * Case, accents, spaces, hyphens and apostrophes ignored: "Le Bihan" = "LE-BIHAN" = "lebihan".
 * The server's duplicate rule folds names the same way (server/identity/identity-vigilance.ts
 * `comparableName`; test/client/hospital-lib.test.ts holds the two to agree).
 */
export function normalisedName(value: string | undefined): string {
  return (value ?? '').normalize('NFD').replace(/\p{M}/gu, '').replace(/[\s'’‘ʼ‐‑–-]+/gu, '').toLowerCase();
}

export interface IdentityCandidate {
  family: string;
  given: string;
  birthDate: string;
  ins?: string;
}

/**
 * The first first name of two lists, folded as the server folds names (`normalisedName`): a compound
 * name is one name whether its parts are joined by a hyphen or a space, so « Francois-Louis » is
 * « François Louis » (one name, or the first two of a list) — the first of either list may be the
 * start of the other's names run together. The server's probable-duplicate rule is the same
 * (server/identity/identity-vigilance.ts `sameFirstGivenName`).
 */
function sameFirstGivenName(existing: string[], typed: string[]): boolean {
  const runs = (names: string[]) => names.flatMap((n) => n.split(/\s+/)).filter(Boolean).map(normalisedName).map((_, i, all) => all.slice(0, i + 1).join(''));
  const first = (names: string[]) => normalisedName(names[0]);
  if (!first(existing) || !first(typed)) return false;
  return first(existing) === first(typed) || runs(existing).includes(first(typed)) || runs(typed).includes(first(existing));
}

/**
 * Why an existing patient is probably the one about to be created (RNIV: same INS, or same birth
 * name + first first name + birth date), or undefined.
 */
export function duplicateReason(candidate: IdentityCandidate, existing: Patient): string | undefined {
  const ins = insOf(existing);
  if (candidate.ins && ins && candidate.ins.replace(/\s/g, '') === ins) return 'même INS';
  const name = birthName(existing);
  const sameFamily = normalisedName(name?.family) === normalisedName(candidate.family);
  const sameGiven = sameFirstGivenName(name?.given ?? [], candidate.given.trim().split(/\s+/));
  if (sameFamily && sameGiven && existing.birthDate === candidate.birthDate) return 'même nom de naissance, même premier prénom et même date de naissance';
  return undefined;
}

/** The INS as typed ("2 58 03 2A 004 123 36") → 15 characters, or undefined when empty. */
export function cleanIns(value: string): string | undefined {
  const v = value.replace(/\s/g, '').toUpperCase();
  return v || undefined;
}

/** What the search box holds: an INS (15 characters), a birth date (JJ/MM/AAAA) or a name. */
export function searchQueryOf(text: string): { kind: 'ins' | 'birthdate' | 'name'; query: Record<string, string> } | undefined {
  const value = text.trim();
  if (!value) return undefined;
  const compact = value.replace(/\s/g, '').toUpperCase();
  if (/^[1-8]\d{4}(\d{2}|2A|2B)\d{8}$/.test(compact)) return { kind: 'ins', query: { identifier: INS_SYSTEMS.map((s) => `${s}|${compact}`).join(',') } };
  const fr = /^(\d{1,2})\/(\d{1,2})\/(\d{4})$/.exec(value);
  if (fr) return { kind: 'birthdate', query: { birthdate: `${fr[3]}-${fr[2]!.padStart(2, '0')}-${fr[1]!.padStart(2, '0')}` } };
  if (/^\d{4}-\d{2}-\d{2}$/.test(value)) return { kind: 'birthdate', query: { birthdate: value } };
  return { kind: 'name', query: { name: value } };
}
