/**
 * INS (Identifiant National de Santé) helpers: NIR key check and FR Core identity reliability vocabulary.
 *
 * A NIR is 13 characters (sex, birth year, month, department, commune, order) followed by a 2-digit
 * key = 97 − (NIR mod 97). Corsican departments 2A / 2B are replaced by 19 / 18 for the computation.
 */

/** INS-NIR (definitive NIR) — FR Core slice INS-NIR, use `official`. */
export const INS_NIR_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.8';
/** INS-NIA (temporary number given by the INSi teleservice) — use `temp`. */
export const INS_NIA_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.9';
/** INS-NIR of fictitious test patients (FR Core slice INS-NIR-TEST). */
export const INS_NIR_TEST_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.10';
/**
 * …4.11: FR Core names this slice INS-NIR-DEMO ("NIR de démonstration"), not a test NIA; the name
 * follows FR Core (input/fsh/profiles/FRCorePatientINSProfile.fsh).
 */
export const INS_NIR_DEMO_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.11';

/** Every system under which a 15-character INS matricule may appear. */
export const INS_SYSTEMS: readonly string[] = [INS_NIR_SYSTEM, INS_NIA_SYSTEM, INS_NIR_TEST_SYSTEM, INS_NIR_DEMO_SYSTEM];

/** Identifier.type coding system used by FR Core for INS-NIR / INS-NIA / INS-NIR-TEST… */
export const FR_CORE_IDENTIFIER_TYPE_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-v2-0203';

/**
 * FR Core identity reliability: a complex extension on Patient whose `identityStatus` sub-extension
 * carries one of the four RNIV statuses (FR Core 2.x; older 1.x drafts used another code system).
 */
export const IDENTITY_RELIABILITY_EXTENSION_URL = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';
export const IDENTITY_STATUS_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status';
/** How the traits were collected (SM manual entry, CV carte Vitale, INSI teleservice…). */
export const IDENTITY_METHOD_COLLECTION_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection';
/** Which identity document was checked (CN national ID card, PA passport, CS residence permit…). */
export const IDENTITY_VALIDATION_MODE_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity';

/** RNIV identity statuses: provisional, retrieved (INSi), validated (ID document), qualified (both). */
export type IdentityStatus = 'PROV' | 'RECUP' | 'VALI' | 'QUAL';

export const IDENTITY_STATUSES: readonly IdentityStatus[] = ['PROV', 'RECUP', 'VALI', 'QUAL'];

export const IDENTITY_STATUS_DISPLAY: Readonly<Record<IdentityStatus, string>> = {
  PROV: 'Identité provisoire',
  RECUP: 'Identité récupérée',
  VALI: 'Identité validée',
  QUAL: 'Identité qualifiée',
};

export function isIdentityStatus(value: unknown): value is IdentityStatus {
  return typeof value === 'string' && (IDENTITY_STATUSES as readonly string[]).includes(value);
}

/** The INS may be used and shared only once the identity is qualified (RNIV). */
export function mayShareIns(status: IdentityStatus | undefined): boolean {
  return status === 'QUAL';
}

// Sex digit 1–8 (1/2 NIR, 7/8 NIA…); month and commune are not range-checked because fictitious
// months (20–42, 50+) and foreign births (department 99) are legitimate.
const NIR13_PATTERN = /^[1-8]\d{4}(?:\d{2}|2A|2B)\d{6}$/;
const NIR15_PATTERN = /^([1-8]\d{4}(?:\d{2}|2A|2B)\d{6})(\d{2})$/;

/** Computes the 2-digit key (1–97) of a 13-character NIR. Throws on a malformed NIR. */
export function insNirKey(nir13: string): number {
  if (!NIR13_PATTERN.test(nir13)) {
    throw new RangeError(`not a 13-character NIR: ${JSON.stringify(nir13)}`);
  }
  const digits = nir13.slice(0, 5) + corsicaDepartment(nir13.slice(5, 7)) + nir13.slice(7);
  // 13 digits exceed Number.MAX_SAFE_INTEGER arithmetic comfort; BigInt keeps it exact.
  return 97 - Number(BigInt(digits) % 97n);
}

/** True for a 15-character INS matricule (13-character NIR + valid 2-digit key). */
export function isValidInsNir(value15: string): boolean {
  if (typeof value15 !== 'string') return false;
  const match = NIR15_PATTERN.exec(value15);
  if (!match) return false;
  return insNirKey(match[1]!) === Number(match[2]);
}

/** Returns the 15-character INS for a 13-character NIR (key zero-padded). */
export function withInsNirKey(nir13: string): string {
  return nir13 + String(insNirKey(nir13)).padStart(2, '0');
}

function corsicaDepartment(department: string): string {
  if (department === '2A') return '19';
  if (department === '2B') return '18';
  return department;
}
