/**
 * Identity rules checked on every write (a WriteRule, whoever writes):
 * - Patient: an INS-NIR (systems …4.8, test …4.10, demo …4.11) has a valid key (97 − n mod 97);
 *   the INS and the identity status agree (RNIV); a qualified identity is not edited behind its status.
 * - Practitioner: RPPS and IDNPS identifiers pass the Luhn check, and the IDNPS is '8' + the RPPS.
 * And the sharing rule: **an INS is never sent out unless the identity is QUAL** (`withoutUnqualifiedIns`).
 *
 * Source of the status rules: Référentiel national d'identitovigilance (RNIV 1, 2021) — PROV: no
 * INSi call, no identity document; RECUP: INS retrieved from the INSi teleservice, no document;
 * VALI: identity document of high trust checked, no INS; QUAL: both.
 */
import type { Extension, HumanName, Identifier, OperationOutcomeIssue, Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import { invalidResource } from '../fhir-kit/errors.ts';
import { longDate, parisDay } from '../fhir-kit/french-dates.ts';
import type { WriteRule } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import {
  IDENTITY_RELIABILITY_EXTENSION_URL,
  IDENTITY_STATUS_DISPLAY,
  INS_NIR_DEMO_SYSTEM,
  INS_NIR_SYSTEM,
  INS_NIR_TEST_SYSTEM,
  INS_SYSTEMS,
  isIdentityStatus,
  isValidInsNir,
  mayShareIns,
  type IdentityStatus,
} from './ins.ts';
import { IDNPS_SYSTEM, RPPS_SYSTEM, isValidIdnps, isValidRpps } from './rpps.ts';

/** Systems whose value is a NIR with its 2-digit key (NIA keys are not checked: rule not published). */
export const INS_NIR_KEYED_SYSTEMS: readonly string[] = [INS_NIR_SYSTEM, INS_NIR_TEST_SYSTEM, INS_NIR_DEMO_SYSTEM];

const BIRTH_PLACE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
const INSEE_CODE_EXTENSION = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code';

function reliabilityOf(patient: Patient): Extension | undefined {
  return patient.extension?.find((e) => e.url === IDENTITY_RELIABILITY_EXTENSION_URL);
}

/** The RNIV identity status (FR Core identity reliability extension), or undefined when absent or unknown. */
export function identityStatusOf(patient: Patient): IdentityStatus | undefined {
  const code = reliabilityOf(patient)?.extension?.find((e) => e.url === 'identityStatus')?.valueCoding?.code;
  return isIdentityStatus(code) ? code : undefined;
}

/** INS identifiers (NIR, NIA, test and demo systems) of a Patient. */
export function insIdentifiers(patient: Patient): Identifier[] {
  return (patient.identifier ?? []).filter((i) => typeof i.system === 'string' && INS_SYSTEMS.includes(i.system));
}

/**
 * An INS is never sent out unless the identity is QUAL (RNIV: the INS may be used and shared only
 * once the identity is qualified). Call it on every Patient that leaves the DCC — documents, exports,
 * pushes, printed sheets: it returns a copy without the INS identifiers when the status is not QUAL
 * (the local identifiers, IPP…, stay).
 */
export function withoutUnqualifiedIns<T extends Patient>(patient: T): T {
  if (mayShareIns(identityStatusOf(patient)) || !patient.identifier) return patient;
  const kept = patient.identifier.filter((i) => !(typeof i.system === 'string' && INS_SYSTEMS.includes(i.system)));
  if (kept.length === patient.identifier.length) return patient;
  const { identifier: _dropped, ...rest } = patient;
  return (kept.length ? { ...rest, identifier: kept } : rest) as T;
}

export interface IdentityStatusChange {
  from: IdentityStatus | undefined;
  to: IdentityStatus | undefined;
}

/**
 * The identity status change between two versions of a Patient, or undefined when it did not
 * change. For a creation pass `previous = undefined`: the change is `{ from: undefined, to }` when
 * the new Patient has a status.
 */
export function identityStatusChange(previous: Patient | undefined, next: Patient | undefined): IdentityStatusChange | undefined {
  const from = previous ? identityStatusOf(previous) : undefined;
  const to = next ? identityStatusOf(next) : undefined;
  return from === to ? undefined : { from, to };
}

// ---------------------------------------------------------------------------------------------
// Checks (each returns the failing items; empty when fine)
// ---------------------------------------------------------------------------------------------

function issue(text: string, expression: string, code: OperationOutcomeIssue['code'] = 'business-rule'): OperationOutcomeIssue {
  return { severity: 'error', code, details: { text }, expression: [expression] };
}

const statusLabel = (s: IdentityStatus | undefined): string => (s ? `${s} (${IDENTITY_STATUS_DISPLAY[s].toLowerCase()})` : 'absent');

/** INS-NIR key (97 − NIR mod 97) of every NIR-based INS identifier. */
export function insKeyIssues(patient: Patient): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  (patient.identifier ?? []).forEach((identifier, i) => {
    if (typeof identifier.system !== 'string' || !INS_NIR_KEYED_SYSTEMS.includes(identifier.system)) return;
    const value = identifier.value ?? '';
    const label = `l'identifiant INS ${identifier.system} « ${value} »`;
    if (!/^[0-9]{5}(?:[0-9]{2}|2A|2B)[0-9]{8}$/.test(value)) {
      issues.push(issue(`INS invalide : ${label} doit compter 15 caractères (13 du NIR, dont 2A/2B pour la Corse, puis la clé de 2 chiffres)`, `Patient.identifier[${i}].value`, 'value'));
    } else if (!isValidInsNir(value)) {
      // The expected key is not given: "fixing" the key of a mistyped NIR would make a wrong INS look valid.
      issues.push(issue(`INS invalide : la clé de ${label} ne correspond pas au NIR (clé = 97 − NIR modulo 97) ; vérifiez le numéro sur l'attestation INSi ou la carte Vitale`, `Patient.identifier[${i}].value`, 'value'));
    }
  });
  return issues;
}

/** The INS and the identity status agree (RNIV). */
export function identityStatusIssues(patient: Patient): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const status = identityStatusOf(patient);
  const ins = insIdentifiers(patient);
  const reliability = `Patient.extension[${Math.max(0, (patient.extension ?? []).findIndex((e) => e.url === IDENTITY_RELIABILITY_EXTENSION_URL))}]`;
  if (ins.length && status !== 'RECUP' && status !== 'QUAL') {
    const i = (patient.identifier ?? []).indexOf(ins[0]!);
    issues.push(issue(`Un INS n'est enregistré que pour une identité récupérée (RECUP) ou qualifiée (QUAL) par le téléservice INSi ; statut de l'identité : ${statusLabel(status)}. Retirez l'INS ou mettez à jour le statut`, `Patient.identifier[${i}]`));
  }
  if (status === 'QUAL' && !ins.length) {
    issues.push(issue("Une identité qualifiée (QUAL) suppose un INS récupéré par le téléservice INSi : ajoutez l'identifiant INS ou gardez le statut VALI (identité validée)", 'Patient.identifier'));
  }
  if ((status === 'VALI' || status === 'QUAL') && !reliabilityOf(patient)?.extension?.some((e) => e.url === 'validationMode')) {
    issues.push(issue(`Une identité ${statusLabel(status)} suppose le contrôle d'une pièce d'identité à haut niveau de confiance : indiquez laquelle (validationMode : carte nationale d'identité CN, passeport PA…)`, `${reliability}.extension`));
  }
  return issues;
}

/**
 * The birth name (RNIV "nom de naissance"): FR Core marks it `official`; a sender that does not
 * say which name it is gives only one, taken as the birth name.
 */
export function birthNameOf(patient: Patient): HumanName | undefined {
  return patient.name?.find((n) => n.use === 'official') ?? patient.name?.find((n) => !n.use || n.use === 'usual');
}

/**
 * The minimum identity traits (RNIV 1, exigence 13: nom de naissance, premier prénom de naissance,
 * date de naissance, sexe): without them no identity can be searched, compared or checked with INSi.
 */
export function identityTraitIssues(patient: Patient): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const name = birthNameOf(patient);
  if (!name?.family?.trim()) issues.push(issue('Trait d\'identité manquant : le nom de naissance (name.family, use « official ») est obligatoire pour identifier le patient (RNIV)', 'Patient.name', 'required'));
  if (!name?.given?.some((g) => g.trim())) issues.push(issue('Trait d\'identité manquant : le premier prénom de naissance (name.given) est obligatoire pour identifier le patient (RNIV)', 'Patient.name', 'required'));
  if (!patient.birthDate) issues.push(issue('Trait d\'identité manquant : la date de naissance (birthDate) est obligatoire pour identifier le patient (RNIV)', 'Patient.birthDate', 'required'));
  if (!patient.gender) issues.push(issue('Trait d\'identité manquant : le sexe (gender : female, male, other ou unknown) est obligatoire pour identifier le patient (RNIV)', 'Patient.gender', 'required'));
  return issues;
}

/** The oldest age a birth date may give (RNIV-plausible identity): beyond it the year was mistyped. */
export const MAX_AGE_YEARS = 120;

/**
 * A birth date after today, or more than 120 years before it, is a typing slip (2030 for 1930…), and an age below zero in every
 * record and document. "Today" is the Paris calendar day: just after midnight in France the UTC
 * day is still yesterday, and a baby born that morning must be recordable. A partial date
 * (YYYY, YYYY-MM) is in the future only when its whole year or month is.
 */
export function birthDateIssues(patient: Patient, now = new Date()): OperationOutcomeIssue[] {
  const birthDate = patient.birthDate;
  if (!birthDate) return [];
  const today = parisDay(now);
  // No one living was born more than 120 years ago (the oldest known French, 122): 1850 for 1950.
  const oldest = `${Number(today.slice(0, 4)) - MAX_AGE_YEARS}${today.slice(4)}`;
  // ISO dates compare as strings; a partial date is compared with the limit cut to its own length.
  if (birthDate < oldest.slice(0, birthDate.length)) {
    return [issue(`Date de naissance (birthDate) invraisemblable : ${longDate(birthDate)}, il y a plus de ${MAX_AGE_YEARS} ans (avant le ${longDate(oldest)}) ; vérifiez l'année saisie`, 'Patient.birthDate', 'value')];
  }
  if (birthDate <= today.slice(0, birthDate.length)) return [];
  return [issue(`Date de naissance (birthDate) dans le futur : ${longDate(birthDate)}, après aujourd'hui ${longDate(today)} ; la date de naissance ne peut pas être dans le futur, vérifiez la date saisie`, 'Patient.birthDate', 'value')];
}

/**
 * A NIR carries the sex (1st digit: odd = male, even = female), the birth year (2nd–3rd) and the
 * birth month (4th–5th; 20–42 or 50+ when the month was unknown at registration, so not compared).
 * An INS that contradicts the traits belongs to someone else: a mix-up to stop at the door.
 */
export function insTraitAgreementIssues(patient: Patient): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  (patient.identifier ?? []).forEach((identifier, i) => {
    if (typeof identifier.system !== 'string' || !INS_NIR_KEYED_SYSTEMS.includes(identifier.system)) return;
    const value = identifier.value ?? '';
    if (!isValidInsNir(value)) return; // reported by insKeyIssues
    const expression = `Patient.identifier[${i}].value`;
    const nirMale = Number(value[0]) % 2 === 1;
    if ((patient.gender === 'male' && !nirMale) || (patient.gender === 'female' && nirMale)) {
      issues.push(issue(`INS incohérent avec les traits : l'INS « ${value} » est celui d'une personne de sexe ${nirMale ? 'masculin' : 'féminin'} (1er chiffre ${value[0]}), le patient est de sexe ${patient.gender === 'male' ? 'masculin' : 'féminin'} ; vérifiez l'INS (téléservice INSi) et le sexe saisi`, expression, 'value'));
    }
    const birth = /^(\d{4})(?:-(\d{2}))?/.exec(patient.birthDate ?? '');
    if (!birth) return;
    const nirYear = value.slice(1, 3);
    const nirMonth = Number(value.slice(3, 5));
    if (birth[1]!.slice(2) !== nirYear) {
      issues.push(issue(`INS incohérent avec les traits : l'INS « ${value} » indique une naissance en 19${nirYear} ou 20${nirYear}, la date de naissance est le ${patient.birthDate} ; vérifiez l'INS (téléservice INSi) et la date saisie`, expression, 'value'));
    } else if (birth[2] && nirMonth >= 1 && nirMonth <= 12 && nirMonth !== Number(birth[2])) {
      issues.push(issue(`INS incohérent avec les traits : l'INS « ${value} » indique une naissance au mois ${value.slice(3, 5)}, la date de naissance est le ${patient.birthDate} ; vérifiez l'INS (téléservice INSi) et la date saisie`, expression, 'value'));
    }
  });
  return issues;
}

/** The strict traits of the INS (RNIV): birth name, birth first names, birth date, sex, INSEE birthplace code. */
function strictTraits(patient: Patient): string {
  const birthName = patient.name?.find((n) => n.use === 'official');
  const birthPlace = patient.extension?.find((e) => e.url === BIRTH_PLACE_EXTENSION)?.valueAddress;
  const insee = birthPlace?.extension?.find((e) => e.url === INSEE_CODE_EXTENSION)?.valueCoding?.code;
  return JSON.stringify([birthName?.family ?? null, birthName?.given ?? null, patient.birthDate ?? null, patient.gender ?? null, insee ?? null]);
}

const insValues = (patient: Patient): string => JSON.stringify(insIdentifiers(patient).map((i) => `${i.system}|${i.value}`).sort());

/**
 * An identity that is and stays QUAL keeps its INS and its strict traits: a correction goes through
 * a status change (QUAL → RECUP, correct, then back to QUAL after a new INSi check), so it is
 * visible and traced rather than hidden inside a qualified identity.
 */
export function identityTransitionIssues(previous: Patient, next: Patient): OperationOutcomeIssue[] {
  if (identityStatusOf(previous) !== 'QUAL' || identityStatusOf(next) !== 'QUAL') return [];
  const issues: OperationOutcomeIssue[] = [];
  if (insValues(previous) !== insValues(next)) {
    issues.push(issue("L'INS d'une identité qualifiée ne peut pas être remplacé tel quel : repassez d'abord l'identité au statut RECUP (changement tracé), puis requalifiez-la après vérification par le téléservice INSi", 'Patient.identifier'));
  }
  if (strictTraits(previous) !== strictTraits(next)) {
    issues.push(issue("Les traits stricts d'une identité qualifiée (nom et prénoms de naissance, date et lieu de naissance, sexe) ne se modifient pas tels quels : repassez d'abord l'identité au statut RECUP (changement tracé), corrigez, puis requalifiez-la après vérification par le téléservice INSi", 'Patient'));
  }
  return issues;
}

/** RPPS (11 digits, Luhn key) and IDNPS ('8' + RPPS, or '0' + ADELI) identifiers of a Practitioner. */
export function practitionerIdentifierIssues(practitioner: Practitioner): OperationOutcomeIssue[] {
  const issues: OperationOutcomeIssue[] = [];
  const rppsValues: string[] = [];
  (practitioner.identifier ?? []).forEach((identifier, i) => {
    const value = identifier.value ?? '';
    if (identifier.system === RPPS_SYSTEM) {
      if (!isValidRpps(value)) {
        issues.push(issue(`RPPS invalide : « ${value} » (${RPPS_SYSTEM}) doit compter 11 chiffres dont le dernier est la clé de Luhn ; vérifiez le numéro sur la carte CPS ou l'annuaire santé`, `Practitioner.identifier[${i}].value`, 'value'));
      } else rppsValues.push(value);
    } else if (identifier.system === IDNPS_SYSTEM && !isValidIdnps(value)) {
      issues.push(issue(`IDNPS invalide : « ${value} » (${IDNPS_SYSTEM}) doit être « 8 » suivi du RPPS (11 chiffres, clé de Luhn) ou « 0 » suivi du numéro ADELI (9 chiffres)`, `Practitioner.identifier[${i}].value`, 'value'));
    }
  });
  (practitioner.identifier ?? []).forEach((identifier, i) => {
    const value = identifier.value ?? '';
    if (identifier.system === IDNPS_SYSTEM && isValidIdnps(value) && value.startsWith('8') && rppsValues.length && !rppsValues.includes(value.slice(1))) {
      issues.push(issue(`L'IDNPS « ${value} » ne correspond pas au RPPS « ${rppsValues[0]} » du même professionnel (IDNPS = 8 + RPPS)`, `Practitioner.identifier[${i}].value`, 'value'));
    }
  });
  return issues;
}

/** Every identity issue of a write (empty when acceptable). */
export function identityIssues(change: Parameters<WriteRule>[0]): OperationOutcomeIssue[] {
  const next = change.next as Resource | undefined;
  if (change.action === 'delete' || !next) return [];
  if (next.resourceType === 'Patient') {
    const previous = change.previous?.resourceType === 'Patient' ? change.previous : undefined;
    return [...identityTraitIssues(next), ...birthDateIssues(next), ...insKeyIssues(next), ...insTraitAgreementIssues(next), ...identityStatusIssues(next), ...(previous ? identityTransitionIssues(previous, next) : [])];
  }
  if (next.resourceType === 'Practitioner') return practitionerIdentifierIssues(next);
  return [];
}

/** The identity rules as a store WriteRule: a write breaking one gets a 422 naming each failing identifier. */
export const identityWriteRule: WriteRule = (change) => {
  const issues = identityIssues(change);
  if (issues.length) throw invalidResource(422, issues);
};

/**
 * Registers the identity rules on the store (idempotent). Status changes are not written from here
 * (a rule cannot write): trace them with `identityStatusChange(previous, next)` in the same transaction.
 */
export function registerIdentityRules(store: Store): void {
  store.addWriteRule('identity', identityWriteRule, { types: ['Patient', 'Practitioner'], pure: true });
}
