/** CDA header parts shared by the FRCP and the PPS: the patient (INS only for a QUAL identity) and professionals. */
import type { Patient } from '@medplum/fhirtypes';
import { identityStatusOf, INS_SYSTEMS } from '../identity/index.ts';
import type { RcpSheetData } from '../rcp-sheet/index.ts';

/** A professional as a stored sheet reads back (every item optional). */
export type ProfessionalData = NonNullable<RcpSheetData['author']>;
import { oidOf, dccOidRoot } from './codes.ts';
import { el, text, ts } from './xml.ts';

export interface CdaIdentity {
  /** The INS as a CDA id, only when the identity status is QUAL (RNIV: a non-qualified INS is never shared). */
  ins?: { root: string; extension: string };
  /** The DCC's local patient id (always sent). */
  local: { root: string; extension: string };
}

const BIRTH_PLACE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
const INSEE_CODE_EXTENSION = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code';

/** INSEE (COG) code of the birthplace, the fifth INS trait. */
export function birthplaceCogOf(patient: Patient): string | undefined {
  const place = patient.extension?.find((e) => e.url === BIRTH_PLACE_EXTENSION)?.valueAddress;
  return place?.extension?.find((e) => e.url === INSEE_CODE_EXTENSION)?.valueCoding?.code;
}

export function cdaIdentityOf(patient: Patient): CdaIdentity {
  const status = identityStatusOf(patient);
  const insId = patient.identifier?.find((i) => i.system && INS_SYSTEMS.includes(i.system) && i.value);
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  // The INS travels with its five traits (CI-SIS StrucMin rule): without one of them, it is not sent.
  const traits = Boolean(name?.family && name.given?.length && patient.birthDate && patient.gender && birthplaceCogOf(patient));
  return {
    ...(status === 'QUAL' && insId && traits ? { ins: { root: oidOf(insId.system)!, extension: insId.value! } } : {}),
    local: { root: `${dccOidRoot()}.4`, extension: patient.id ?? 'inconnu' },
  };
}

const GENDER: Record<string, [string, string]> = { male: ['M', 'Masculin'], female: ['F', 'Féminin'], other: ['U', 'Inconnu'], unknown: ['U', 'Inconnu'] };

export function patientRole(patient: Patient, identity: CdaIdentity): string {
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const [gCode, gDisplay] = GENDER[patient.gender ?? 'unknown'] ?? GENDER.unknown!;
  return el('recordTarget', {}, el('patientRole', {},
    identity.ins ? el('id', identity.ins) : undefined,
    el('id', identity.local),
    el('addr', { nullFlavor: 'NAV' }),
    el('telecom', { nullFlavor: 'NAV' }),
    el('patient', { classCode: 'PSN' },
      el('name', {},
        name?.family ? el('family', { qualifier: 'BR' }, text(name.family)) : undefined,
        (name?.given ?? []).length ? el('given', {}, text((name?.given ?? []).join(' '))) : undefined,
        name?.given?.[0] ? el('given', { qualifier: 'BR' }, text(name.given[0])) : undefined),
      el('administrativeGenderCode', { code: gCode, displayName: gDisplay, codeSystem: '2.16.840.1.113883.5.1' }),
      el('birthTime', patient.birthDate ? { value: ts(patient.birthDate) } : { nullFlavor: 'UNK' }),
      birthplaceCogOf(patient) ? el('birthplace', {}, el('place', {}, el('addr', {}, el('county', {}, text(birthplaceCogOf(patient)!))))) : undefined)));
}

/** "Dr Sophie Lambert" → given + family, as the sheet stores a printed name. */
// Titles go in <suffix> (JDV_J246 titre: DR, PR), civilities in <prefix> (JDV_J245: M, MME).
function splitName(name: string): { suffix?: string; given?: string; family: string } {
  const parts = name.trim().split(/\s+/);
  const title = /^(Dr|Pr)\.?$/i.test(parts[0] ?? '') ? parts.shift()!.replace('.', '').toUpperCase() : undefined;
  const family = parts.pop() ?? name;
  return { ...(title ? { suffix: title } : {}), ...(parts.length ? { given: parts.join(' ') } : {}), family };
}

/** The IDNPS (national id) when known, else the DCC directory entry id (a local, still resolvable, identifier). */
function professionalId(p: ProfessionalData): Record<string, string> {
  if (p.idnps) return { root: '1.2.250.1.71.4.2.1', extension: p.idnps };
  const local = /^Practitioner\/(.+)$/.exec(p.practitioner ?? '')?.[1];
  return local ? { root: `${dccOidRoot()}.5`, extension: local } : { nullFlavor: 'UNK' };
}

/** assignedAuthor / assignedEntity / associatedEntity of a professional (IDNPS, speciality, organisation). */
export function professionalEntity(tag: 'assignedAuthor' | 'assignedEntity' | 'associatedEntity', p: ProfessionalData, attrs: Record<string, string> = {}, defaultOrganization?: string): string {
  const n = splitName(p.name ?? 'Inconnu');
  const person = el(tag === 'associatedEntity' ? 'associatedPerson' : 'assignedPerson', {}, el('name', {},
    n.given ? el('given', {}, text(n.given)) : undefined, el('family', {}, text(n.family)), n.suffix ? el('suffix', {}, text(n.suffix)) : undefined));
  const speciality = p.speciality?.code
    ? el('code', { code: `G15_10/${p.speciality.code}`, codeSystem: '1.2.250.1.213.1.1.4.5', displayName: `Médecin - ${p.speciality.display ?? ''}` })
    : undefined;
  const orgName = p.organization ?? defaultOrganization;
  const org = orgName
    ? el(tag === 'associatedEntity' ? 'scopingOrganization' : 'representedOrganization', {}, el('name', {}, text(orgName)),
      el('standardIndustryClassCode', { code: 'ETABLISSEMENT', displayName: 'Etablissement de santé', codeSystem: '1.2.250.1.213.1.1.4.9' }))
    : undefined;
  return el(tag, attrs,
    el('id', professionalId(p)),
    speciality,
    tag === 'associatedEntity' ? undefined : el('addr', { nullFlavor: 'NAV' }),
    tag === 'associatedEntity' ? undefined : el('telecom', { nullFlavor: 'NAV' }),
    person, org);
}
