/**
 * Health professional and establishment identifiers: RPPS / IDNPS (professionals), FINESS / IDNST
 * (establishments).
 */

/** IDNPS: national professional id = '8' + RPPS (or '0' + ADELI). Used in CPS certificates and PSC. */
export const IDNPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';
export const RPPS_SYSTEM = 'https://rpps.esante.gouv.fr';
export const FINESS_SYSTEM = 'https://finess.esante.gouv.fr';
/** IDNST: national structure id = '1' + FINESS (or '0' + ADELI rang, '3' + SIRET, '4' + RPPS rang…). */
export const ESTABLISHMENT_ID_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.2';

/** Luhn check digit for a string of digits (the digit to append). */
export function luhnCheckDigit(payload: string): number {
  if (!/^\d+$/.test(payload)) throw new RangeError(`digits expected: ${JSON.stringify(payload)}`);
  // Doubling starts on the rightmost payload digit because the key will sit to its right.
  return (10 - (luhnSum(payload, true) % 10)) % 10;
}

/** True when a digit string (key included, last position) passes the Luhn check. */
export function isLuhnValid(value: string): boolean {
  return /^\d+$/.test(value) && luhnSum(value, false) % 10 === 0;
}

function luhnSum(digits: string, doubleRightmost: boolean): number {
  let sum = 0;
  let double = doubleRightmost;
  for (let i = digits.length - 1; i >= 0; i--) {
    let d = digits.charCodeAt(i) - 48;
    if (double) {
      d *= 2;
      if (d > 9) d -= 9;
    }
    sum += d;
    double = !double;
  }
  return sum;
}

/** Luhn key (11th digit) of an RPPS given its first 10 digits. */
export function rppsCheckDigit(first10: string): number {
  if (!/^\d{10}$/.test(first10)) throw new RangeError(`10 digits expected: ${JSON.stringify(first10)}`);
  return luhnCheckDigit(first10);
}

/** 11 digits whose last one is the Luhn key. */
export function isValidRpps(rpps11: string): boolean {
  return typeof rpps11 === 'string' && /^\d{11}$/.test(rpps11) && isLuhnValid(rpps11);
}

/** IDNPS of an RPPS professional. Throws on an invalid RPPS so a typo never becomes an identity. */
export function idnpsFromRpps(rpps: string): string {
  if (!isValidRpps(rpps)) throw new RangeError(`invalid RPPS: ${JSON.stringify(rpps)}`);
  return '8' + rpps;
}

/**
 * IDNPS: '8' + RPPS (11 digits, Luhn key) or '0' + ADELI (9 digits; the ADELI key rule is not
 * published, so ADELI-based values are only format-checked, as on CPS cards).
 */
export function isValidIdnps(idnps: string): boolean {
  return typeof idnps === 'string' && ((/^8\d{11}$/.test(idnps) && isValidRpps(idnps.slice(1))) || /^0\d{9}$/.test(idnps));
}

/** The RPPS inside an RPPS-based IDNPS; undefined for ADELI-based ('0…') or malformed values. */
export function rppsFromIdnps(idnps: string): string | undefined {
  if (typeof idnps !== 'string' || !/^8\d{11}$/.test(idnps)) return undefined;
  const rpps = idnps.slice(1);
  return isValidRpps(rpps) ? rpps : undefined;
}

const FINESS_PATTERN = /^(?:\d{2}|2A|2B)\d{7}$/;

/**
 * FINESS: 9 characters, department (2 digits, or 2A/2B in Corsica) + 6-digit number + 1 key digit.
 * The key is a Luhn digit: no official spec was found with the search tool, but every published
 * FINESS checked (750712184, 130786049, 010003820, 010003812) passes Luhn. How the key is computed
 * for Corsican 2A/2B numbers is undocumented, so those are only format-checked.
 */
export function isValidFiness(finess9: string): boolean {
  if (typeof finess9 !== 'string' || !FINESS_PATTERN.test(finess9)) return false;
  if (finess9.startsWith('2A') || finess9.startsWith('2B')) return true;
  return isLuhnValid(finess9);
}

/** Luhn key (9th digit) of an all-digit FINESS given its first 8 digits. */
export function finessCheckDigit(first8: string): number {
  if (!/^\d{8}$/.test(first8)) throw new RangeError(`8 digits expected: ${JSON.stringify(first8)}`);
  return luhnCheckDigit(first8);
}

/** IDNST of an establishment known by its FINESS. */
export function establishmentIdFromFiness(finess: string): string {
  if (!isValidFiness(finess)) throw new RangeError(`invalid FINESS: ${JSON.stringify(finess)}`);
  return '1' + finess;
}
