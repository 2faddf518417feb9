/**
 * Reads a stored RCP sheet with everything it references, as the caller (access rules and audit
 * trail apply): the Composition (current or a given version), its entries at the version a
 * signature pinned them, and the resources those point to (patient, professionals, trial…).
 */
import type { Composition, Patient, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { forbidden, notFound } from '../fhir-kit/errors.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import { isSupportedResourceType } from '../fhir-kit/resource-types.ts';
import { mayReadType, requireReadableType } from '../access/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { isRcpSheet, readRcpSheet, referenceKey, resolverOf, sectionEntryReferences, type RcpSheetContent, type Resolver } from './read.ts';
import { hasVersionIdOrNone, parseRelativeReference } from '../fhir-kit/ids.ts';

export interface LoadedRcpSheet {
  composition: Composition;
  /** Every resource read, Composition excluded, in the order found (section entries first). */
  resources: Resource[];
  resolve: Resolver;
  content: RcpSheetContent;
}

const MAX_DEPTH = 3;

/** What a sheet's entries may point to: a relative reference, unversioned or at a versionId. */
function isSheetTarget(reference: string): boolean {
  const target = parseRelativeReference(reference);
  return Boolean(target && hasVersionIdOrNone(target));
}

export async function loadRcpSheet(repo: FhirRepository, ctx: RequestContext, compositionId: string, options: { version?: string } = {}): Promise<LoadedRcpSheet> {
  // A profession that never reads RCP sheets (nurse, pharmacist) is told so, as by the FHIR API.
  requireReadableType(ctx.principal, 'Composition');
  const composition = options.version
    ? await repo.vread<Composition>('Composition', compositionId, options.version)
    : await repo.read<Composition>('Composition', compositionId);
  if (!isRcpSheet(composition)) throw notFound(`Composition/${compositionId} n'est pas une fiche RCP (type LOINC 34794-8)`);

  const resources: Resource[] = [];
  const seen = new Set<string>([`Composition/${compositionId}`]);
  let pending = [...sectionEntryReferences(composition.section), ...referencesIn(composition)];
  for (let depth = 0; depth < MAX_DEPTH && pending.length; depth++) {
    const batch = [...new Set(pending.map(referenceKey))].filter((ref) => !seen.has(ref) && isSheetTarget(ref));
    batch.forEach((ref) => seen.add(ref));
    const found = await fetchAll(repo, ctx, batch);
    resources.push(...found);
    pending = found.flatMap(referencesIn);
  }
  const resolve = resolverOf(resources.map((resource) => ({ resource })));
  const patient = composition.subject?.reference ? (resolve(composition.subject.reference) as Patient | undefined) : undefined;
  const content = readRcpSheet(composition, resolve, patient?.resourceType === 'Patient' ? patient : undefined);
  return { composition, resources, resolve, content };
}

/** Literal references (`Type/id`, `Type/id/_history/n`) anywhere in a resource. */
export function referencesIn(resource: unknown): string[] {
  const out: string[] = [];
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [key, v] of Object.entries(value)) {
        if (key === 'reference' && typeof v === 'string' && !v.startsWith('#') && !v.startsWith('urn:')) out.push(v);
        else walk(v);
      }
    }
  };
  walk(resource);
  return out;
}

async function fetchAll(repo: FhirRepository, ctx: RequestContext, refs: string[]): Promise<Resource[]> {
  const pinned: { type: string; id: string; version: string }[] = [];
  const current = new Map<string, Set<string>>();
  const byType = new Map<string, Set<string>>();
  for (const ref of refs) {
    const [type, id, , version] = ref.split('/') as [string, string, string?, string?];
    if (!isSupportedResourceType(type)) continue;
    // Say 403 rather than show a sheet with silent holes: e.g. a 3C coordinator without access to Observations.
    if (!mayReadType(ctx.principal, type)) {
      throw forbidden(`Votre profession (${ctx.principal.roles.join(', ') || 'aucun rôle'}) n'a pas accès aux ressources ${type} que contient la fiche RCP`);
    }
    if (version) pinned.push({ type, id, version });
    else current.set(type, (current.get(type) ?? new Set()).add(id));
    byType.set(type, (byType.get(type) ?? new Set()).add(id));
  }
  // One search per type (one audit event) instead of one read per resource: a signature pins every
  // entry at its version, which is most often still the current one, so pinned ids are searched too.
  // The searches of all the types go in one round trip (each still audited as its own search).
  const found = new Map<string, Resource>();
  const requests = [...byType].map(([type, ids]) => {
    const { request } = parseSearchRequest(type, new URLSearchParams({ _id: [...ids].join(','), _count: String(ids.size) }), { defaultCount: ids.size, maxCount: Math.max(ids.size, 1) }, true);
    request.total = 'none';
    return request;
  });
  for (const page of await repo.searchEach(requests)) for (const resource of page) found.set(`${resource.resourceType}/${resource.id}`, resource);
  const out: Resource[] = [];
  for (const { type, id, version } of pinned) {
    const latest = found.get(`${type}/${id}`);
    if (latest?.meta?.versionId === version) {
      out.push(latest);
      continue;
    }
    try {
      out.push(await repo.vread(type, id, version)); // changed since it was pinned (a correction)
    } catch {
      // unreadable or deleted version: reported as missing by the callers
    }
  }
  for (const [type, ids] of current) {
    for (const [key, resource] of found) if (key.startsWith(`${type}/`) && ids.has(resource.id!)) out.push(resource);
  }
  return out;
}
