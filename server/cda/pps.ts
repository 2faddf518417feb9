/**
 * The handed-over PPS as a CI-SIS CDA R2 document, PPS 2022.01 (templateId 1.2.250.1.213.1.1.1.26,
 * LOINC 18776-5) on the "structuration minimale" header. The body is the PPS's FHIR document
 * (care-plan `carePlanDocument`): the same French sections as the printed programme, so the CDA
 * never says something the paper does not.
 */
import type { Bundle, Composition, Patient, Practitioner } from '@medplum/fhirtypes';
import { DOMParser } from '@xmldom/xmldom';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import { LOINC_OID, templateIds } from './codes.ts';
import type { CdaDocumentIds } from './frcp.ts';
import { patientRole, professionalEntity, type CdaIdentity } from './header.ts';
import { el, text, ts } from './xml.ts';

const XHTML = 'http://www.w3.org/1999/xhtml';

/** FHIR XHTML narrative → CDA narrative block (paragraph, list, table, content). */
export function cdaNarrativeOf(div: string | undefined): string {
  if (!div) return el('paragraph', {}, 'Non renseigné');
  const doc = new DOMParser().parseFromString(div, 'text/xml');
  const convert = (node: Node): string => {
    if (node.nodeType === 3) return text(node.nodeValue ?? '');
    if (node.nodeType !== 1) return '';
    const e = node as Element;
    const inner = () => Array.from(e.childNodes as unknown as ArrayLike<Node>).map(convert).join('');
    if (e.namespaceURI !== XHTML) return inner();
    switch (e.localName) {
      case 'p': return el('paragraph', {}, inner());
      case 'h1': case 'h2': case 'h3': case 'h4': return el('paragraph', {}, el('content', { styleCode: 'Bold' }, inner()));
      case 'b': case 'strong': return el('content', { styleCode: 'Bold' }, inner());
      case 'i': case 'em': return el('content', { styleCode: 'Italics' }, inner());
      case 'ul': return el('list', { listType: 'unordered' }, inner());
      case 'ol': return el('list', { listType: 'ordered' }, inner());
      case 'li': return el('item', {}, inner());
      case 'table': return el('table', { border: 1 }, inner());
      case 'thead': case 'tbody': case 'tr': case 'th': case 'td': return el(e.localName, {}, inner());
      case 'br': return '<br/>';
      default: return inner();
    }
  };
  const body = convert(doc.documentElement as unknown as Node);
  // A narrative made of bare text is wrapped: CDA <text> takes blocks.
  return body.startsWith('<') ? body : el('paragraph', {}, body);
}

export interface PpsOptions {
  ids: CdaDocumentIds;
  identity: CdaIdentity;
  custodian: { id: string; name: string };
  /** The author as a directory entry (IDNPS, name), when readable. */
  author?: Practitioner;
  handedOver: string;
}

export function buildPpsCda(bundle: Bundle, options: PpsOptions): string {
  const composition = bundle.entry?.find((e) => e.resource?.resourceType === 'Composition')?.resource as Composition;
  const patient = bundle.entry?.find((e) => e.resource?.resourceType === 'Patient')?.resource as Patient;
  const authorRef = composition.author?.[0];
  const author = options.author;
  const authorName = author?.name?.[0];
  const professional = {
    ...(authorRef?.reference?.startsWith('Practitioner/') ? { practitioner: authorRef.reference } : {}),
    ...(author?.identifier?.find((i) => i.system === IDNPS_SYSTEM)?.value ? { idnps: author.identifier.find((i) => i.system === IDNPS_SYSTEM)!.value! } : {}),
    name: authorName ? [...(authorName.prefix ?? []), ...(authorName.given ?? []), authorName.family ?? ''].join(' ').trim() : authorRef?.display ?? 'Équipe hospitalière référente',
  };
  const effective = ts(composition.date) ?? ts(new Date().toISOString());
  const ids = options.ids;
  const header = [
    el('realmCode', { code: 'FR' }),
    el('typeId', { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' }),
    templateIds('2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1'),
    el('templateId', { root: '1.2.250.1.213.1.1.1.26', extension: '2022.01' }),
    el('id', ids.id),
    el('code', { code: '18776-5', codeSystem: LOINC_OID, codeSystemName: 'LOINC', displayName: 'Plan de traitement' }),
    el('title', {}, text(composition.title ?? 'Programme personnalisé de soins')),
    el('effectiveTime', { value: effective }),
    el('confidentialityCode', { code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' }),
    el('languageCode', { code: 'fr-FR' }),
    el('setId', ids.setId),
    el('versionNumber', { value: ids.versionNumber }),
    patientRole(patient, options.identity),
    el('author', {}, el('time', { value: effective }), professionalEntity('assignedAuthor', professional, {}, options.custodian.name)),
    el('custodian', {}, el('assignedCustodian', {}, el('representedCustodianOrganization', {}, el('id', { root: '1.2.250.1.71.4.2.2', extension: options.custodian.id }), el('name', {}, text(options.custodian.name))))),
    el('legalAuthenticator', {}, el('time', { value: ts(options.handedOver) ?? effective }), el('signatureCode', { code: 'S' }), professionalEntity('assignedEntity', professional, {}, options.custodian.name)),
    el('documentationOf', {}, el('serviceEvent', { classCode: 'ACT' },
      el('effectiveTime', {}, el('low', { value: ts(composition.event?.[0]?.period?.start) ?? effective })),
      el('performer', { typeCode: 'PRF' }, professionalEntity('assignedEntity', professional, {}, options.custodian.name)))),
    ids.replaces ? el('relatedDocument', { typeCode: 'RPLC' }, el('parentDocument', {}, el('id', ids.replaces))) : undefined,
    el('componentOf', {}, el('encompassingEncounter', {},
      el('effectiveTime', {}, el('low', { value: ts(composition.event?.[0]?.period?.start) ?? effective })),
      el('location', {}, el('healthCareFacility', {},
        el('code', { code: 'SA01', displayName: 'Etablissement public de santé', codeSystem: '1.2.250.1.71.4.2.4' }))))),
  ];
  const sections = (composition.section ?? []).map((s) =>
    el('component', {}, el('section', {}, el('title', {}, text(s.title ?? '')), el('text', {}, cdaNarrativeOf(s.text?.div)))));
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('ClinicalDocument', { xmlns: 'urn:hl7-org:v3', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
    ...header, el('component', {}, el('structuredBody', {}, ...sections)))}\n`;
}
