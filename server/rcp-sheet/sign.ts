/**
 * Signing the RCP sheet, and keeping a signed sheet immutable.
 *
 * The signature makes the sheet the RCP report: status final (amended for a signed correction),
 * the legal attestation (signer, time), every section entry pinned to the version that was signed
 * (so later edits of the record never change what was signed), the decision CarePlan active (from
 * draft, or on hold while a correction was pending), and a
 * Provenance carrying the signature — all in one transaction. Afterwards only a correction may
 * follow: a new, unsigned version with its reason, to be signed again.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import { createHash } from 'node:crypto';
import type { CarePlan, Composition, CompositionSection, Practitioner, Provenance, Reference, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { conflict, FhirError, forbidden, issue, outcome } from '../fhir-kit/errors.ts';
import { requireCurrentVersion } from '../fhir-kit/versions.ts';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import type { FhirRepository, WriteRule } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import {
  AUTHOR_SIGNATURE, DOCUMENT_COMPLETION, DOCUMENT_STATUS, EXT_CORRECTION, EXT_DOCUMENT_STATUS, EXT_SIGNED_DIGEST,
  PROVENANCE_PARTICIPANT_TYPE, RCP_DECISION_CATEGORY, hasCoding,
} from './codes.ts';
import { completenessOf } from './completeness.ts';
import { endOwnedEntries } from './entries.ts';
import { loadRcpSheet } from './load.ts';
import { correctionOf, fillNarratives } from './rcp-sheet.ts';
import { isRcpSheet, isSignedRcpSheet, readRcpSheet, referenceKey, resolverOf } from './read.ts';
import { printedDateTime } from '../fhir-kit/french-dates.ts';
import { practitionerName } from '../fhir-kit/practitioner-name.ts';
import { tnmNotationIssues } from './tnm.ts';

export interface SignOptions {
  /** Version the signer has read (`W/"3"` or `3`): 412 if the sheet changed since. */
  ifMatch?: string;
  /** Reason of a correction being signed (defaults to the reason the correction carries). */
  correctionReason?: string;
  now?: string;
}

export interface SignResult {
  composition: Composition;
  provenance: Provenance;
}

/** Set while signRcpSheet writes: the only writer allowed to make a sheet signed. */
const signingScope = new AsyncLocalStorage<{ compositionId: string }>();

/**
 * Signs an RCP sheet as the caller. Only a physician signs (a GP only a sheet they authored); the
 * sheet must be complete for signature (422 naming each missing item) and not already signed (409).
 */
export async function signRcpSheet(repo: FhirRepository, ctx: RequestContext, compositionId: string, options: SignOptions = {}): Promise<SignResult> {
  const principal = ctx.principal;
  const physician = principal.roles.includes('physician');
  if (!physician && !principal.roles.includes('gp')) {
    throw forbidden(`Seul un médecin peut signer une fiche RCP : votre profession (${principal.roles.join(', ') || 'aucun rôle'}) ne le permet pas`);
  }
  if (!principal.practitionerId) {
    throw forbidden("La signature d'une fiche RCP engage un médecin identifié dans l'annuaire (carte CPS ou Pro Santé Connect)");
  }
  return repo.transaction(async (tx) => {
    const loaded = await loadRcpSheet(tx, ctx, compositionId);
    const current = loaded.composition;
    const version = current.meta?.versionId ?? '1';
    requireCurrentVersion(current, options.ifMatch, 'Relisez la fiche RCP avant de la signer.');
    const isAuthor = (current.author ?? []).some((a) => a.reference === `Practitioner/${principal.practitionerId}` || (principal.idnps && a.identifier?.value === principal.idnps));
    if (!physician && !isAuthor) {
      throw forbidden("Un médecin généraliste ne peut signer une fiche RCP que s'il en est l'auteur (médecin responsable de la RCP)");
    }
    if (isSignedRcpSheet(current)) {
      const legal = current.attester?.find((a) => a.mode === 'legal');
      throw conflict(`La fiche RCP est déjà signée (version ${version}, par ${legal?.party?.display ?? legal?.party?.reference ?? 'un médecin'} le ${printedDateTime(legal?.time)}). Pour la modifier, créez une correction avec son motif, puis signez-la.`);
    }
    const missing = completenessOf(loaded.content, { stage: 'signature' }).filter((m) => m.severity === 'error');
    // A save keeps a legacy TNM it does not touch (tnm.ts); the signed report must not carry a malformed stage.
    const malformed = tnmNotationIssues(loaded.content.data.diagnosis?.tnm);
    if (missing.length || malformed.length) {
      const categories = malformed.map((i) => (i.expression?.[0] ?? '').slice(-1).toUpperCase()).join(', ');
      throw new FhirError(422, outcome([
        ...(missing.length ? [
          issue('error', 'business-rule', `La fiche RCP ne peut pas être signée : ${missing.length} élément(s) requis manquant(s)`),
          ...missing.map((m) => issue('error', 'required', `Élément requis manquant : ${m.label}`, [m.expression])),
        ] : []),
        ...(malformed.length ? [
          issue('error', 'business-rule', `La fiche RCP ne peut pas être signée : le stade TNM clinique n'est pas écrit dans la notation UICC (${categories}). Corrigez-le dans la fiche (rubrique Diagnostic), puis signez.`),
          ...malformed,
        ] : []),
      ]));
    }

    const now = options.now ?? new Date().toISOString();
    // The RCP decision becomes active with the signature; then every entry is pinned to its version.
    const pinned = new Map<string, string>();
    const signedResources: Resource[] = [];
    for (const reference of entryReferences(current.section)) {
      if (reference.includes('/_history/')) {
        const resource = loaded.resolve(reference);
        if (resource) signedResources.push(resource);
        continue;
      }
      let resource = loaded.resolve(reference);
      if (!resource) continue;
      if (resource.resourceType === 'CarePlan' && hasCoding((resource as CarePlan).category?.flatMap((c) => c.coding ?? []), RCP_DECISION_CATEGORY) && ((resource as CarePlan).status === 'draft' || (resource as CarePlan).status === 'on-hold')) {
        resource = (await tx.update<CarePlan>({ ...(resource as CarePlan), status: 'active' })).resource;
      }
      pinned.set(reference, `${resource.resourceType}/${resource.id}/_history/${resource.meta?.versionId}`);
      signedResources.push(resource);
    }

    // Named as the directory names them (« Dr Marc Aubert »), as the report's participants and author are.
    const inDirectory = await tx.serviceView().readIfExists<Practitioner>('Practitioner', principal.practitionerId!);
    const signer: Reference<Practitioner> = {
      reference: `Practitioner/${principal.practitionerId}`,
      ...(principal.idnps ? { identifier: { system: IDNPS_SYSTEM, value: principal.idnps } } : {}),
      display: inDirectory ? practitionerName(inDirectory) : principal.displayName,
    };
    const correction = correctionOf(current);
    const next: Composition = {
      ...current,
      status: correction ? 'amended' : 'final',
      date: now,
      attester: [...(current.attester ?? []).filter((a) => a.mode !== 'legal'), { mode: 'legal', time: now, party: signer }],
      extension: (current.extension ?? []).map((e) => (e.url === EXT_DOCUMENT_STATUS ? { url: EXT_DOCUMENT_STATUS, valueCoding: DOCUMENT_STATUS.approved } : e)),
      section: pinSections(current.section ?? [], pinned),
    };
    if (!next.extension!.some((e) => e.url === EXT_DOCUMENT_STATUS)) next.extension!.push({ url: EXT_DOCUMENT_STATUS, valueCoding: DOCUMENT_STATUS.approved });
    fillNarratives(next.section ?? [], readRcpSheet(next, resolverOf([...loaded.resources, ...signedResources].map((resource) => ({ resource }))), loaded.content.patient));

    const stored = await signingScope.run({ compositionId }, () => tx.update(next, { ifMatch: version }));
    const signedVersion = stored.resource.meta?.versionId;
    const reason = correction ? options.correctionReason ?? correction.reason : undefined;
    const provenance = await tx.create<Provenance>({
      resourceType: 'Provenance',
      extension: [{ url: EXT_SIGNED_DIGEST, valueString: `sha256:${contentDigest(stored.resource, signedResources)}` }],
      // The patient as a second target puts the trace in the patient's compartment (access rules apply).
      target: [{ reference: `Composition/${compositionId}/_history/${signedVersion}` }, ...(current.subject?.reference ? [{ reference: current.subject.reference }] : [])],
      occurredDateTime: now,
      recorded: now,
      activity: { coding: [{ system: DOCUMENT_COMPLETION, code: 'LA', display: 'legally authenticated' }], text: correction ? 'Signature de la correction de la fiche RCP' : 'Signature de la fiche RCP' },
      ...(reason ? { reason: [{ text: `Correction : ${reason}` }] } : {}),
      agent: [{ type: { coding: [{ system: PROVENANCE_PARTICIPANT_TYPE, code: 'legal', display: 'Legal Authenticator' }] }, who: signer }],
      entity: [...pinned.values(), ...entryReferences(current.section).filter((r) => r.includes('/_history/'))].map((ref) => ({ role: 'source' as const, what: { reference: ref } })),
      signature: [{ type: [AUTHOR_SIGNATURE], when: now, who: signer, sigFormat: 'application/fhir+json' }],
    });
    return { composition: stored.resource, provenance };
  });
}

function entryReferences(sections: CompositionSection[] | undefined): string[] {
  const out: string[] = [];
  for (const s of sections ?? []) {
    for (const e of s.entry ?? []) if (e.reference) out.push(e.reference);
    out.push(...entryReferences(s.section));
  }
  return [...new Set(out)];
}

function pinSections(sections: CompositionSection[], pinned: Map<string, string>): CompositionSection[] {
  return sections.map((s) => ({
    ...s,
    ...(s.entry ? { entry: s.entry.map((e) => (e.reference && pinned.has(e.reference) ? { ...e, reference: pinned.get(e.reference)! } : e)) } : {}),
    ...(s.section ? { section: pinSections(s.section, pinned) } : {}),
  }));
}

/** SHA-256 of the signed content (Composition without meta, then each pinned entry), keys sorted. */
export function contentDigest(composition: Composition, entries: Resource[]): string {
  const { meta: _meta, ...body } = composition;
  const hash = createHash('sha256');
  hash.update(canonicalJson(body));
  for (const entry of entries) {
    const { meta: _m, ...rest } = entry;
    hash.update(canonicalJson(rest));
  }
  return hash.digest('hex');
}

function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().map((k) => `${JSON.stringify(k)}:${canonicalJson((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

// ---------------------------------------------------------------------------------------------
// Write rules: whoever writes (REST, transaction, domain module), a signed sheet stays as signed.
// ---------------------------------------------------------------------------------------------

const CORRECTION_HELP = `Une correction est une nouvelle version non signée (statut preliminary, sans attestation légale) portant l'extension ${EXT_CORRECTION} avec le motif (reason) et la version signée qu'elle corrige (corrects) ; elle doit ensuite être signée à nouveau ($sign).`;

function signedBy(c: Composition): string {
  const legal = c.attester?.find((a) => a.mode === 'legal');
  return `signée par ${legal?.party?.display ?? legal?.party?.reference ?? 'un médecin'} le ${printedDateTime(legal?.time)}`;
}

/**
 * Refuses any change of a signed RCP sheet except a correction, and any signature not made by
 * signRcpSheet (which writes the Provenance of the signature).
 */
export const rcpSheetWriteRule: WriteRule = ({ action, resourceType, previous, next }) => {
  if (resourceType !== 'Composition') return;
  const before = isRcpSheet(previous) ? previous : undefined;
  const after = isRcpSheet(next) ? next : undefined;
  if (!before && !after) return;
  const id = (next ?? previous)?.id;
  if (before && isSignedRcpSheet(before)) {
    const v = before.meta?.versionId;
    const refuse = (why: string) => conflict(`La fiche RCP Composition/${id} est signée (version ${v}, ${signedBy(before)}) et ne peut plus être modifiée : ${why}. ${CORRECTION_HELP}`);
    if (action === 'delete') throw conflict(`La fiche RCP Composition/${id} est signée (version ${v}, ${signedBy(before)}) : elle ne peut pas être supprimée. Pour l'annuler (erreur de patient…), enregistrez une correction au statut entered-in-error avec son motif. ${CORRECTION_HELP}`);
    if (!after) throw refuse("elle doit rester une fiche RCP (type LOINC 34794-8)");
    const correction = correctionOf(after);
    if (!correction?.reason?.trim()) throw refuse('la nouvelle version ne porte pas de motif de correction');
    if (referenceKey(correction.corrects) !== `Composition/${id}/_history/${v}`) throw refuse(`la correction doit désigner la version signée qu'elle corrige (corrects = Composition/${id}/_history/${v})`);
    if (after.status !== 'preliminary' && after.status !== 'entered-in-error') throw refuse(`une correction est au statut preliminary (ou entered-in-error pour annuler la fiche), pas ${after.status}`);
    if (after.attester?.some((a) => a.mode === 'legal')) throw refuse("une correction ne reprend pas l'attestation légale de la version signée : elle sera signée à nouveau");
    if (after.subject?.reference !== before.subject?.reference) throw refuse('une correction ne change pas de patient (annulez la fiche et créez-en une pour le bon patient)');
    return;
  }
  if (!after) return;
  const viaSign = signingScope.getStore()?.compositionId === id;
  if (!viaSign && (after.status === 'final' || after.status === 'amended' || after.attester?.some((a) => a.mode === 'legal'))) {
    throw conflict("Une fiche RCP ne devient définitive (statut final ou amended, attestation légale) que par sa signature : utilisez l'opération POST Composition/{id}/$sign, qui trace la signature");
  }
};

/** The Provenance of a sheet's signature is as immutable as the signed sheet. */
export const signatureProvenanceRule: WriteRule = ({ action, resourceType, previous }) => {
  if (resourceType !== 'Provenance' || !previous || action === 'create') return;
  const p = previous as Provenance;
  const isSignature = p.signature?.some((s) => s.type?.some((t) => t.system === AUTHOR_SIGNATURE.system && t.code === AUTHOR_SIGNATURE.code));
  if (isSignature && p.target?.some((t) => t.reference?.startsWith('Composition/'))) {
    throw conflict(`La trace de signature Provenance/${p.id} d'une fiche RCP ne peut être ni modifiée ni supprimée`);
  }
};

/**
 * Deleting a draft sheet withdraws what it asserted: its own entries (the cancer Condition it
 * described, its Observations, its draft decision) are ended in the same transaction, so no
 * diagnosis survives from a sheet that no longer exists. (A signed sheet is never deleted.)
 */
export const rcpSheetDeletionRule: WriteRule = async ({ action, previous }, tx) => {
  if (action !== 'delete' || !isRcpSheet(previous) || isSignedRcpSheet(previous)) return;
  await endOwnedEntries(tx, previous);
};

/** Registers the RCP sheet invariants on the store (idempotent: same names replace). */
export function registerRcpSheetRules(store: Store): void {
  store.addWriteRule('rcp-sheet-signed-immutable', rcpSheetWriteRule, { types: ['Composition'], pure: true });
  store.addWriteRule('rcp-sheet-deletion-ends-entries', rcpSheetDeletionRule, { types: ['Composition'] });
  store.addWriteRule('rcp-sheet-signature-provenance-immutable', signatureProvenanceRule, { types: ['Provenance'], pure: true });
}
