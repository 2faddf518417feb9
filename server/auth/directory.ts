import type { Organization, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { IDNPS_SYSTEM, RPPS_SYSTEM, rppsFromIdnps } from '../identity/rpps.ts';
import { parseSearchRequest } from '../fhir/search-request.ts';
import { separateDuties } from '../access/policy.ts';

function query(resourceType: string, params: Record<string, string>, count: number) {
  return parseSearchRequest(resourceType, new URLSearchParams(params), { defaultCount: count, maxCount: count }, true).request;
}

const G15_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const PROFESSION_OF_ROLE: Record<string, { code: string; display: string }> = {
  physician: { code: '10', display: 'Médecin' },
  gp: { code: '10', display: 'Médecin' },
  pharmacist: { code: '21', display: 'Pharmacien' },
  nurse: { code: '60', display: 'Infirmier' },
};
/** DCC-specific role codes a 3C or an administrator can put on a PractitionerRole. */
export const DCC_ROLE_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/dcc-role';
const GENERAL_PRACTICE = 'SM54';
const DIRECTORY_GRANTED_ROLES = new Set(['coordinator', 'admin']);
const CACHE_MS = 5 * 60_000;

/**
 * Links an authenticated professional to the directory: finds the Practitioner by IDNPS, or
 * creates Practitioner + PractitionerRole from the authenticated identity (never from what a client
 * claims), then refines the role from the directory (GP, 3C coordinator, administrator).
 */
export class Directory {
  private readonly cache = new Map<string, { principal: Principal; at: number }>();

  constructor(private readonly store: Store) {}

  async resolve(principal: Principal): Promise<Principal> {
    if (!principal.idnps) return principal;
    const cached = this.cache.get(principal.idnps);
    if (cached && Date.now() - cached.at < CACHE_MS) return { ...principal, practitionerId: cached.principal.practitionerId, roles: cached.principal.roles };
    const repo = this.store.system();
    const practitioner = (await findByIdnps(repo, principal.idnps)) ?? (await createFromIdentity(repo, principal));
    const roles = await rolesFromDirectory(repo, practitioner.id!, principal.roles);
    const resolved = { ...principal, practitionerId: practitioner.id, roles };
    this.cache.set(principal.idnps, { principal: resolved, at: Date.now() });
    return resolved;
  }
}

async function findByIdnps(repo: FhirRepository, idnps: string): Promise<Practitioner | undefined> {
  const result = await repo.search<Practitioner>(query('Practitioner', { identifier: `${IDNPS_SYSTEM}|${idnps}`, _total: 'none' }, 1));
  return result.resources[0];
}

async function createFromIdentity(repo: FhirRepository, principal: Principal): Promise<Practitioner> {
  return repo.transaction(async (tx) => {
    // Serialised per IDNPS: two first requests of the same card at once create one entry.
    await tx.lock(`directory:${principal.idnps}`);
    const existing = await findByIdnps(tx, principal.idnps!);
    if (existing) return existing;
    const rpps = rppsFromIdnps(principal.idnps!);
    const practitioner = await tx.create<Practitioner>({
      resourceType: 'Practitioner',
      identifier: [{ system: IDNPS_SYSTEM, value: principal.idnps }, ...(rpps ? [{ system: RPPS_SYSTEM, value: rpps }] : [])],
      name: [{ family: principal.family ?? principal.displayName, ...(principal.given ? { given: [principal.given] } : {}) }],
    });
    const profession = PROFESSION_OF_ROLE[principal.roles[0] ?? ''];
    await tx.create<PractitionerRole>({
      resourceType: 'PractitionerRole',
      active: true,
      practitioner: { reference: `Practitioner/${practitioner.id}` },
      ...(profession ? { code: [{ coding: [{ system: G15_SYSTEM, ...profession }] }] } : {}),
    });
    return practitioner;
  });
}

/**
 * The DCC roles of a professional known only from the directory (no sign-in): profession from the
 * PractitionerRole codes (G15), refined as at sign-in (GP, 3C). Used to decide what may be sent to them.
 */
export async function rolesOfPractitioner(repo: FhirRepository, practitionerId: string): Promise<string[]> {
  const result = await repo.search<PractitionerRole>(query('PractitionerRole', { practitioner: `Practitioner/${practitionerId}`, _total: 'none' }, 50));
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

async function rolesFromDirectory(repo: FhirRepository, practitionerId: string, fromIdentity: string[]): Promise<string[]> {
  const result = await repo.search<PractitionerRole>(query('PractitionerRole', {
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
