/**
 * Push of a CDA document to a DMP-like repository, in the national "partage de documents de santé"
 * FHIR model: the CDA as a Binary, described by a DocumentReference whose masterIdentifier is the
 * CDA's id. The DocumentReference is a conditional create on that identifier, so a retry (or a second
 * push of the same version) never files a second copy; a retry after a lost answer may leave one
 * unreferenced Binary, never a second document.
 */
import type { Binary, DocumentReference } from '@medplum/fhirtypes';
import { Client } from 'fhir-kit-client';
import type { PushConfig } from '../config.ts';
import type { CdaExport } from './export.ts';
import { cdaIdentityOf } from './header.ts';
import { xdsCodesOf, type XdsCode } from './xds-codes.ts';

const coding = (c: XdsCode) => ({ system: c.codeSystem === '2.16.840.1.113883.6.1' ? 'http://loinc.org' : `urn:oid:${c.codeSystem}`, code: c.code, display: c.display });

/** urn:oid:<root>:<extension> would not be a valid OID URN: the identifier is the CDA id as "root^extension" under the DCC system. */
export const CDA_DOCUMENT_ID_SYSTEM = 'urn:ietf:rfc:3986';
export const cdaDocumentIdValue = (cda: CdaExport) => `urn:oid:${cda.uniqueId.replace('^', '.')}`.replace(/[^\w:.-]/g, '-');

export function cdaDocumentReference(cda: CdaExport, binaryReference: string): DocumentReference {
  const identity = cdaIdentityOf(cda.patient);
  const patientId = identity.ins ?? identity.local;
  const codes = xdsCodesOf(cda.profile);
  return {
    resourceType: 'DocumentReference',
    masterIdentifier: { system: CDA_DOCUMENT_ID_SYSTEM, value: cdaDocumentIdValue(cda) },
    identifier: [{ system: CDA_DOCUMENT_ID_SYSTEM, value: cdaDocumentIdValue(cda) }],
    status: 'current',
    type: { coding: [coding(codes.typeCode)] },
    category: [{ coding: [coding(codes.classCode)] }],
    // The receiving repository knows the patient by the INS (QUAL identity) or not at all: a logical reference.
    subject: { identifier: { system: `urn:oid:${patientId.root}`, value: patientId.extension } },
    date: new Date().toISOString(),
    securityLabel: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-Confidentiality', code: codes.confidentiality.code, display: codes.confidentiality.display }] }],
    content: [{
      attachment: { contentType: 'application/xml', language: 'fr-FR', url: binaryReference, size: Buffer.byteLength(cda.xml, 'utf8') },
      format: coding(codes.formatCode),
    }],
    context: { facilityType: { coding: [coding(codes.healthcareFacilityType)] }, practiceSetting: { coding: [coding(codes.practiceSetting)] } },
  };
}

export interface CdaPushResult {
  documentReferenceId: string;
  /** False when the repository already held this document. */
  created: boolean;
}

export async function pushCdaDocument(config: PushConfig, cda: CdaExport): Promise<CdaPushResult> {
  const client = new Client({ baseUrl: config.baseUrl, ...(config.bearerToken ? { bearerToken: config.bearerToken } : {}) });
  const signal = () => AbortSignal.timeout(config.timeoutMs ?? 15_000);
  const identifier = `${CDA_DOCUMENT_ID_SYSTEM}|${cdaDocumentIdValue(cda)}`;
  const found = await client.search({ resourceType: 'DocumentReference', searchParams: { identifier }, options: { signal: signal() } }) as { entry?: { resource?: DocumentReference }[] };
  const existing = found.entry?.[0]?.resource;
  if (existing?.id) return { documentReferenceId: existing.id, created: false };
  const binaryBody: Binary = { resourceType: 'Binary', contentType: 'application/xml', data: Buffer.from(cda.xml, 'utf8').toString('base64') };
  // fhir-kit-client types bodies as its own FhirResource: the FHIR R4 types are passed through unknown.
  const binary = (await client.create({ resourceType: 'Binary', body: binaryBody as never, options: { signal: signal() } })) as unknown as Binary;
  const result = (await client.create({
    resourceType: 'DocumentReference',
    body: cdaDocumentReference(cda, `Binary/${binary.id}`) as never,
    options: { headers: { 'if-none-exist': new URLSearchParams({ identifier }).toString() }, signal: signal() },
  })) as unknown as DocumentReference;
  const status = Client.httpFor(result as never).response?.status;
  return { documentReferenceId: result.id!, created: status === 201 };
}
