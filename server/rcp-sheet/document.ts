/**
 * The RCP sheet as a FHIR document (Bundle type `document`): the Composition first, then every
 * resource it references (entries at the version a signature pinned), with the document's
 * identifier and timestamp, and the signature when signed. The INS leaves the DCC only for a
 * qualified identity (RNIV): `withoutUnqualifiedIns` of server/identity/identity-rules.ts.
 */
import { nameUuid as uuidOf } from '../fhir-kit/name-uuid.ts';
import type { Bundle, BundleEntry, Patient, Provenance, Resource, Signature } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { conflict } from '../fhir-kit/errors.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import { withoutUnqualifiedIns } from '../identity/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { AUTHOR_SIGNATURE } from './codes.ts';
import { loadRcpSheet, type LoadedRcpSheet } from './load.ts';
import { isSignedRcpSheet, referenceKey, sectionEntryReferences } from './read.ts';

export async function buildRcpSheetDocument(repo: FhirRepository, ctx: RequestContext, compositionId: string, options: { version?: string } = {}): Promise<Bundle> {
  const loaded = await loadRcpSheet(repo, ctx, compositionId, options);
  return documentBundle(loaded, ctx.baseUrl, isSignedRcpSheet(loaded.composition) ? await signatureOf(repo, loaded) : undefined);
}

/** Assembles the document Bundle from a loaded sheet (no I/O). */
export function documentBundle(loaded: LoadedRcpSheet, baseUrl: string, signature?: Signature): Bundle {
  const { composition, content } = loaded;
  if (content.unresolved.length) {
    throw conflict(`La fiche RCP référence des éléments introuvables (${content.unresolved.join(', ')}) : le document ne peut pas être constitué`);
  }
  const version = composition.meta?.versionId ?? '1';
  const ordered: Resource[] = [];
  const add = (resource: Resource | undefined) => {
    if (resource && !ordered.some((r) => r.resourceType === resource.resourceType && r.id === resource.id)) ordered.push(resource);
  };
  add(content.patient ? withoutUnqualifiedIns(content.patient) : undefined);
  for (const reference of sectionEntryReferences(composition.section)) add(loaded.resolve(reference));
  for (const resource of loaded.resources) add(resource.resourceType === 'Patient' ? withoutUnqualifiedIns(resource as Patient) : resource);

  const legal = composition.attester?.find((a) => a.mode === 'legal');
  const entry: BundleEntry[] = [composition, ...ordered].map((resource) => ({ fullUrl: `${baseUrl}/${resource.resourceType}/${resource.id}`, resource }));
  return {
    resourceType: 'Bundle',
    meta: { lastUpdated: new Date().toISOString() },
    // Same sheet version → same document identifier (a UUID derived from id and version).
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${nameUuid(`Composition/${composition.id}/_history/${version}`)}` },
    type: 'document',
    timestamp: legal?.time ?? composition.date ?? new Date().toISOString(),
    entry,
    ...(signature ? { signature } : {}),
  };
}

async function signatureOf(repo: FhirRepository, loaded: LoadedRcpSheet): Promise<Signature | undefined> {
  const { composition } = loaded;
  const target = `Composition/${composition.id}/_history/${composition.meta?.versionId}`;
  const { request } = parseSearchRequest('Provenance', new URLSearchParams({ target: `Composition/${composition.id}`, _count: '50' }), { defaultCount: 50, maxCount: 50 }, true);
  request.total = 'none';
  const found = (await repo.search<Provenance>(request)).resources;
  const provenance = found.find((p) => p.target?.some((t) => t.reference && referenceKey(t.reference) === target));
  const signature = provenance?.signature?.find((s) => s.type?.some((t) => t.code === AUTHOR_SIGNATURE.code));
  return signature;
}

const nameUuid = (name: string) => uuidOf('dcc-rcp-sheet', name);
