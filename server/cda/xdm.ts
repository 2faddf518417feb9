/**
 * IHE XDM package of a CDA document, the way MSSanté mails carry structured documents: a zip
 * (attached as IHE_XDM.ZIP) with INDEX.HTM, README.TXT and IHE_XDM/SUBSET01/ holding METADATA.XML
 * (an XDS SubmitObjectsRequest: submission set + document entry with class/type codes,
 * confidentiality, patient id — the INS only for a QUAL identity) beside the CDA and the PDF.
 */
import { createHash } from 'node:crypto';
import { zipSync, strToU8 } from 'fflate';
import { dccOidRoot } from './codes.ts';
import type { CdaExport } from './export.ts';
import { cdaIdentityOf } from './header.ts';
import { el, text } from './xml.ts';
import { xdsCodesOf, type XdsCode } from './xds-codes.ts';

const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
const LCM = 'urn:oasis:names:tc:ebxml-regrep:xsd:lcm:3.0';
const DOCUMENT_ENTRY = 'urn:uuid:7edca82f-054d-47f2-a032-9b2a5b5186c1';
const SUBMISSION_SET = 'urn:uuid:a54d6aa5-d40d-43f9-88c5-b4633d873bdd';

const slot = (name: string, ...values: string[]) => el(`rim:Slot`, { name }, el('rim:ValueList', {}, ...values.map((v) => el('rim:Value', {}, text(v)))));
const name = (value: string) => el('rim:Name', {}, el('rim:LocalizedString', { value }));
const classification = (scheme: string, object: string, c: XdsCode, id: string) =>
  el('rim:Classification', { classificationScheme: scheme, classifiedObject: object, nodeRepresentation: c.code, id, objectType: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:Classification' },
    slot('codingScheme', c.codeSystem), name(c.display));
const externalId = (scheme: string, object: string, value: string, label: string, id: string) =>
  el('rim:ExternalIdentifier', { identificationScheme: scheme, registryObject: object, value, id, objectType: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:ExternalIdentifier' }, name(label));

const hl7Time = (d: Date) => d.toISOString().replace(/[-:T]/g, '').slice(0, 14);

export interface XdmInput {
  cda: CdaExport;
  pdf?: { filename: string; content: Buffer };
  now?: Date;
}

/** The XDS patient id (CX): the INS for a QUAL identity, else the DCC's local id. */
function patientCx(cda: CdaExport): string {
  const identity = cdaIdentityOf(cda.patient);
  const id = identity.ins ?? identity.local;
  return `${id.extension}^^^&${id.root}&ISO`;
}

export function xdmMetadata(input: XdmInput, cdaFile: string, cdaBytes: Uint8Array): string {
  const { cda } = input;
  const now = input.now ?? new Date();
  const codes = xdsCodesOf(cda.profile);
  const doc = 'urn:uuid:' + uuidOf(`doc:${cda.uniqueId}`);
  const set = 'urn:uuid:' + uuidOf(`set:${cda.uniqueId}:${now.toISOString()}`);
  const pid = patientCx(cda);
  const entry = el('rim:ExtrinsicObject', { id: doc, mimeType: 'text/xml', objectType: DOCUMENT_ENTRY, status: 'urn:oasis:names:tc:ebxml-regrep:StatusType:Approved' },
    slot('creationTime', hl7Time(now)),
    slot('languageCode', 'fr-FR'),
    slot('sourcePatientId', pid),
    slot('hash', createHash('sha1').update(cdaBytes).digest('hex')),
    slot('size', String(cdaBytes.length)),
    slot('URI', cdaFile),
    name(codes.typeCode.display),
    classification('urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a', doc, codes.classCode, 'cl-class'),
    classification('urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f', doc, codes.confidentiality, 'cl-conf'),
    classification('urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d', doc, codes.formatCode, 'cl-format'),
    classification('urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1', doc, codes.healthcareFacilityType, 'cl-facility'),
    classification('urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead', doc, codes.practiceSetting, 'cl-practice'),
    classification('urn:uuid:f0306f51-975f-434e-a61c-c59651d33983', doc, codes.typeCode, 'cl-type'),
    externalId('urn:uuid:58a6f841-87b3-4a3e-92fd-a8ffeff98427', doc, pid, 'XDSDocumentEntry.patientId', 'ei-pid'),
    externalId('urn:uuid:2e82c1f6-a085-4c72-9da3-8640a32e42ab', doc, cda.uniqueId, 'XDSDocumentEntry.uniqueId', 'ei-uid'));
  const submission = el('rim:RegistryPackage', { id: set, objectType: 'urn:oasis:names:tc:ebxml-regrep:ObjectType:RegistryObject:RegistryPackage' },
    slot('submissionTime', hl7Time(now)),
    name(`Envoi ${codes.typeCode.display}`),
    el('rim:Classification', { classificationScheme: 'urn:uuid:aa543740-bdda-424e-8c96-df4873be8500', classifiedObject: set, nodeRepresentation: codes.typeCode.code, id: 'cl-content' }, slot('codingScheme', codes.typeCode.codeSystem), name(codes.typeCode.display)),
    externalId('urn:uuid:6b5aea1a-874d-4603-a4bc-96a0a7b38446', set, pid, 'XDSSubmissionSet.patientId', 'ei-set-pid'),
    externalId('urn:uuid:96fdda7c-d067-4183-912e-bf5ee74998a8', set, `${dccOidRoot()}.6.${BigInt('0x' + uuidOf(set).replace(/-/g, '').slice(0, 12)).toString()}`, 'XDSSubmissionSet.uniqueId', 'ei-set-uid'),
    externalId('urn:uuid:554ac39e-e3fe-47fe-b233-965d2a147832', set, dccOidRoot(), 'XDSSubmissionSet.sourceId', 'ei-set-src'));
  const registered = el('rim:Classification', { classifiedObject: set, classificationNode: SUBMISSION_SET, id: 'cl-set' });
  const member = el('rim:Association', { associationType: 'urn:oasis:names:tc:ebxml-regrep:AssociationType:HasMember', sourceObject: set, targetObject: doc, id: 'as-member' }, slot('SubmissionSetStatus', 'Original'));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('lcm:SubmitObjectsRequest', { 'xmlns:lcm': LCM, 'xmlns:rim': RIM }, el('rim:RegistryObjectList', {}, submission, registered, entry, member))}\n`;
}

/** The zip (bytes) to attach as IHE_XDM.ZIP. */
export function buildXdmZip(input: XdmInput): Buffer {
  const cdaBytes = strToU8(input.cda.xml);
  const metadata = xdmMetadata(input, 'DOC0001.XML', cdaBytes);
  const files: Record<string, Uint8Array> = {
    'INDEX.HTM': strToU8(`<html><body><p>Document ${input.cda.profile} : <a href="IHE_XDM/SUBSET01/DOC0001.XML">DOC0001.XML</a>${input.pdf ? ' ; rendu PDF : <a href="IHE_XDM/SUBSET01/DOC0002.PDF">DOC0002.PDF</a>' : ''}</p></body></html>`),
    'README.TXT': strToU8(`Envoi IHE XDM du DCC : document CDA R2 ${input.cda.profile}${input.pdf ? ' et son rendu PDF' : ''}.\r\n`),
    'IHE_XDM/SUBSET01/METADATA.XML': strToU8(metadata),
    'IHE_XDM/SUBSET01/DOC0001.XML': cdaBytes,
    ...(input.pdf ? { 'IHE_XDM/SUBSET01/DOC0002.PDF': new Uint8Array(input.pdf.content) } : {}),
  };
  return Buffer.from(zipSync(files, { level: 6 }));
}

function uuidOf(seed: string): string {
  const h = createHash('sha1').update(seed).digest('hex');
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-5${h.slice(13, 16)}-${((parseInt(h[16]!, 16) & 0x3) | 0x8).toString(16)}${h.slice(17, 20)}-${h.slice(20, 32)}`;
}
