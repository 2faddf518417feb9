/**
 * The DCC roles a directory entry gives a professional. Here, below sign-in (auth/) and sending
 * (delivery/), because both decide access from it.
 */
import type { Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { dccCodeSystem } from '../fhir-kit/canonical.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import type { FhirRepository } from '../store/repository.ts';
import { separateDuties } from './policy.ts';

/** A search with a fixed page size, as the directory lookups need (strict: a typo fails loudly). */
export function directorySearch(resourceType: string, params: Record<string, string>, count: number) {
  return parseSearchRequest(resourceType, new URLSearchParams(params), { defaultCount: count, maxCount: count }, true).request;
}

export const G15_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
export const PROFESSION_OF_ROLE: Record<string, { code: string; display: string }> = {
  physician: { code: '10', display: 'Médecin' },
  gp: { code: '10', display: 'Médecin' },
  pharmacist: { code: '21', display: 'Pharmacien' },
  nurse: { code: '60', display: 'Infirmier' },
};
/** DCC-specific role codes a 3C or an administrator can put on a PractitionerRole. */
export const DCC_ROLE_SYSTEM = dccCodeSystem('dcc-role');
const GENERAL_PRACTICE = 'SM54';
const DIRECTORY_GRANTED_ROLES = new Set(['coordinator', 'admin']);

/**
 * The DCC roles of a professional known only from the directory (no sign-in): profession from the
 * PractitionerRole codes (G15), refined as at sign-in (GP, 3C). Used to decide what may be sent to them.
 */
export async function rolesOfPractitioner(repo: FhirRepository, practitionerId: string): Promise<string[]> {
  const result = await repo.search<PractitionerRole>(directorySearch('PractitionerRole', { practitioner: `Practitioner/${practitionerId}`, _total: 'none' }, 50));
  const practitioner = await repo.readIfExists<Practitioner>('Practitioner', practitionerId);
  // The profession (G15) on an active role, else on the Practitioner's qualifications; an ordinal
  // speciality (R38) says physician, general practice (SM54) a GP.
  const codings = [
    ...result.resources.filter((r) => r.active !== false).flatMap((r) => [...(r.code ?? []), ...(r.specialty ?? [])].flatMap((c) => c.coding ?? [])),
    ...(practitioner?.qualification ?? []).flatMap((q) => q.code.coding ?? []),
  ];
  const professions = new Set(codings.filter((c) => c.system === G15_SYSTEM).map((c) => c.code));
  const specialities = new Set(codings.filter((c) => c.system?.includes('TRE_R38')).map((c) => c.code));
  if (specialities.size) professions.add(PROFESSION_OF_ROLE.physician!.code);
  const roles = Object.entries(PROFESSION_OF_ROLE).filter(([role, p]) => role !== 'gp' && professions.has(p.code)).map(([role]) => role);
  if (roles.includes('physician') && specialities.has(GENERAL_PRACTICE)) roles.splice(roles.indexOf('physician'), 1, 'gp');
  return rolesFromDirectory(repo, practitionerId, roles);
}

export async function rolesFromDirectory(repo: FhirRepository, practitionerId: string, fromIdentity: string[]): Promise<string[]> {
  const result = await repo.search<PractitionerRole>(directorySearch('PractitionerRole', {
    practitioner: `Practitioner/${practitionerId}`, _include: 'PractitionerRole:organization', _total: 'none',
  }, 50));
  const roles = new Set(fromIdentity);
  const organizations = result.included as unknown as Organization[];
  for (const role of result.resources.filter((r) => r.active !== false)) {
    const codes = role.code?.flatMap((c) => c.coding ?? []) ?? [];
    // Only the roles a directory entry may grant: never a profession (the card or IdP says it) nor `system`.
    for (const c of codes.filter((c) => c.system === DCC_ROLE_SYSTEM && DIRECTORY_GRANTED_ROLES.has(c.code ?? ''))) roles.add(c.code!);
    const specialties = role.specialty?.flatMap((s) => s.coding ?? []).map((c) => c.code) ?? [];
    if (roles.has('physician') && specialties.includes(GENERAL_PRACTICE)) {
      roles.delete('physician');
      roles.add('gp');
    }
    const organization = organizations.find((o) => role.organization?.reference === `Organization/${o.id}`);
    if (organization?.type?.some((t) => t.coding?.some((c) => c.code === '3C'))) roles.add('coordinator');
  }
  return separateDuties([...roles]);
}
