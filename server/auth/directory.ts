import type { Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import type { FhirRepository } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { IDNPS_SYSTEM, RPPS_SYSTEM, rppsFromIdnps } from '../identity/index.ts';
import { directorySearch, G15_SYSTEM, PROFESSION_OF_ROLE, rolesFromDirectory } from '../access/index.ts';

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
  const result = await repo.search<Practitioner>(directorySearch('Practitioner', { identifier: `${IDNPS_SYSTEM}|${idnps}`, _total: 'none' }, 1));
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
