/**
 * `$cda`: the national CDA R2 rendering of a DCC document — the signed RCP sheet (FRCP 2022.01)
 * for now. Reads through the store as the caller (access rules and audit apply).
 */
import type { CarePlan, Patient, Practitioner } from '@medplum/fhirtypes';
import { carePlanDocument, handOverOf, isPps } from '../care-plan/index.ts';
import type { RequestContext } from '../context.ts';
import { businessRule } from '../fhir-kit/errors.ts';
import { isSignedRcpSheet, loadRcpSheet } from '../rcp-sheet/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { buildFrcpCda, documentIdsOf } from './frcp.ts';
import { cdaIdentityOf } from './header.ts';
import { buildPpsCda } from './pps.ts';
import { currentConfig } from '../config.ts';
import { relativeReferenceId } from '../fhir-kit/ids.ts';

export interface CdaExport {
  xml: string;
  profile: 'FRCP' | 'PPS';
  /** `<root>^<extension>` of the document id (the XDS uniqueId), for deliveries and pushes. */
  uniqueId: string;
  patient: Patient;
}

/** The DCC as custodian of the documents it produces (env: CDA_CUSTODIAN_ID, CDA_CUSTODIAN_NAME). */
export function custodianOf(): { id: string; name: string } {
  return currentConfig().cda.custodian;
}

export async function exportRcpSheetCda(repo: FhirRepository, ctx: RequestContext, compositionId: string, options: { version?: string } = {}): Promise<CdaExport> {
  const loaded = await loadRcpSheet(repo, ctx, compositionId, options);
  // A CDA leaves the DCC for the DMP and mailboxes: only what a physician has signed goes out.
  if (!isSignedRcpSheet(loaded.composition)) throw businessRule(`Composition/${compositionId} : la fiche RCP n'est pas signée ; seul un compte rendu signé est exporté en CDA`);
  const patient = loaded.content.patient;
  if (!patient) throw businessRule(`Composition/${compositionId} : le patient de la fiche RCP n'est pas lisible`);
  const replaced = /\/_history\/(\d+)$/.exec(loaded.content.correction?.corrects ?? '')?.[1];
  const ids = documentIdsOf('frcp', compositionId, loaded.composition.meta?.versionId ?? '1', replaced);
  const xml = buildFrcpCda(loaded.content, { ids, identity: cdaIdentityOf(patient), patient, custodian: custodianOf() });
  return { xml, profile: 'FRCP', uniqueId: `${ids.id.root}^${ids.id.extension}`, patient };
}

/** A handed-over PPS → CDA PPS 2022.01. A draft has not been given to the patient: it does not leave the DCC. */
export async function exportPpsCda(repo: FhirRepository, ctx: RequestContext, carePlanId: string, options: { version?: string } = {}): Promise<CdaExport> {
  // A given version: the one a mail or a push announces (a later edit is a later document).
  const plan = options.version ? await repo.vread<CarePlan>('CarePlan', carePlanId, options.version) : await repo.read<CarePlan>('CarePlan', carePlanId);
  if (!isPps(plan)) throw businessRule(`CarePlan/${carePlanId} n'est pas un PPS : seul un PPS remis au patient est exporté en CDA`);
  const handOver = handOverOf(plan);
  if (!handOver) throw businessRule(`CarePlan/${carePlanId} : le PPS n'a pas encore été remis au patient ; il sera exportable en CDA après sa remise`);
  const bundle = await carePlanDocument(repo, carePlanId, options.version ? { version: options.version } : {});
  const patient = bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
  const authorId = relativeReferenceId(plan.author?.reference, 'Practitioner');
  const author = authorId ? await repo.read<Practitioner>('Practitioner', authorId).catch(() => undefined) : undefined;
  const ids = documentIdsOf('pps', carePlanId, plan.meta?.versionId ?? '1');
  const xml = buildPpsCda(bundle, { ids, identity: cdaIdentityOf(patient), custodian: custodianOf(), handedOver: handOver.date, ...(author ? { author } : {}) });
  return { xml, profile: 'PPS', uniqueId: `${ids.id.root}^${ids.id.extension}`, patient };
}
