/**
 * The establishment a new patient record belongs to (Patient.managingOrganization): the 3C
 * indicators, the programmes' custodian and the no-GP follow-up are counted per establishment, and a
 * record created without one showed « Établissement non renseigné ». Decided here, on the server,
 * so a FHIR client gets it too: from the creating professional's directory roles.
 */
import type { Organization, Patient, PractitionerRole, Reference } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import { businessRule } from '../fhir-kit/errors.ts';
import { idOf } from '../fhir-kit/ids.ts';
import type { FhirRepository } from '../store/repository.ts';
import { FINESS_SYSTEM } from '../identity/index.ts';
import { directorySearch } from './directory-roles.ts';
import { isSystem, mayWriteType } from './policy.ts';

/** A 3C (coordination centre) is not where patients are treated: its parent establishment is. */
const isCoordinationCentre = (o: Organization) => Boolean(o.type?.some((t) => t.coding?.some((c) => c.code === '3C')));

/** The organisations of the professional's active directory roles, with the establishments they are part of. */
async function organisationsOf(repo: FhirRepository, practitionerId: string): Promise<{ own: Organization[]; entitled: Set<string> }> {
  const result = await repo.search<PractitionerRole>(directorySearch('PractitionerRole', {
    practitioner: `Practitioner/${practitionerId}`, active: 'true', _include: 'PractitionerRole:organization', _total: 'none',
  }, 50));
  const byId = new Map((result.included as unknown as Organization[]).filter((o) => o.resourceType === 'Organization' && o.active !== false).map((o) => [o.id!, o]));
  const own = [...new Set(result.resources.map((r) => idOf(r.organization, 'Organization')).filter((id): id is string => Boolean(id)))]
    .map((id) => byId.get(id)).filter((o): o is Organization => Boolean(o));
  const parents = own.map((o) => idOf(o.partOf, 'Organization')).filter((id): id is string => Boolean(id));
  return { own, entitled: new Set([...own.map((o) => o.id!), ...parents]) };
}

/**
 * The managingOrganization a Patient created by `principal` gets: the one sent when the caller works
 * there (or its parent establishment) — 422 otherwise —, else the caller's establishment: the one
 * of their card's FINESS, or their only one. Left as sent for the service itself and for a caller the
 * directory knows no organisation of (nothing to judge by); left empty when several fit.
 */
export async function establishmentForNewPatient(repo: FhirRepository, principal: Principal, patient: Patient): Promise<Reference<Organization> | undefined> {
  const sent = patient.managingOrganization;
  // Authorised before judged: who may not create a Patient gets the store's 403, not this rule.
  if (isSystem(principal) || !principal.practitionerId || !mayWriteType(principal, 'Patient')) return sent;
  const { own, entitled } = await organisationsOf(repo, principal.practitionerId);
  if (!own.length) return sent;
  if (sent) {
    const id = idOf(sent, 'Organization');
    if (id && entitled.has(id)) return sent;
    throw businessRule(
      `Établissement du patient (managingOrganization) : ${sent.reference ?? 'référence absente'} n'est pas un établissement où vous exercez selon l'annuaire (${own.map((o) => o.name ?? `Organization/${o.id}`).join(', ')}) ; laissez-le vide, il sera renseigné avec le vôtre`,
      ['Patient.managingOrganization'],
    );
  }
  const treating = await Promise.all(own.map(async (o) => {
    const parent = isCoordinationCentre(o) ? idOf(o.partOf, 'Organization') : undefined;
    return (parent ? await repo.readIfExists<Organization>('Organization', parent) : undefined) ?? o;
  }));
  const distinct = [...new Map(treating.map((o) => [o.id!, o])).values()];
  const byCard = principal.finess ? distinct.find((o) => o.identifier?.some((i) => i.system === FINESS_SYSTEM && i.value === principal.finess)) : undefined;
  const chosen = byCard ?? (distinct.length === 1 ? distinct[0] : undefined);
  return chosen ? { reference: `Organization/${chosen.id}`, ...(chosen.name ? { display: chosen.name } : {}) } : undefined;
}
