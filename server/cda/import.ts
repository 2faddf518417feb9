/**
 * Import of a FRCP CDA received from another DCC: read into a DocumentReference attached to the
 * patient (header, coded diagnosis, the narrative of every section), the CDA itself kept as content.
 * Hostile XML is refused before any parsing work: a CDA has no DTD, so any DOCTYPE is rejected —
 * this closes external entities (XXE) and entity expansion (billion laughs) whatever the parser does.
 */
import type { DocumentReference, Identifier, Patient } from '@medplum/fhirtypes';
import { DOMParser } from '@xmldom/xmldom';
import { badRequest, businessRule } from '../fhir-kit/errors.ts';
import { insIdentifiers } from '../identity/index.ts';
import { escapeHtml } from '../fhir-kit/text.ts';

const V3 = 'urn:hl7-org:v3';
/** Largest CDA accepted: real FRCP documents weigh tens of kB; an embedded PDF a few MB. */
export const MAX_CDA_BYTES = 10 * 1024 * 1024;
export const CDA_IMPORT_SOURCE = 'https://dcc-paca.example/fhir/CodeSystem/dcc-document-source';

/** The CDA document set (setId) and its version, as identifiers: a new version of a set supersedes the earlier ones. */
export const CDA_SET_SYSTEM = 'https://dcc-paca.example/fhir/sid/cda-set-id';
export const CDA_SET_VERSION_SYSTEM = 'https://dcc-paca.example/fhir/sid/cda-set-version';

export interface ImportedCda {
  documentReference: DocumentReference;
  /** `urn:oid:<root>:<extension>` of the document's id (the masterIdentifier value). */
  documentId: string;
  /** The set and version, when the CDA has a setId. */
  set?: { value: string; version: number };
}

/** Parses the XML text safely: no DTD, no entity, well-formed, or a 400 that says why. */
export function parseCdaSafely(xml: string): Document {
  if (Buffer.byteLength(xml, 'utf8') > MAX_CDA_BYTES) throw badRequest(`Document CDA trop volumineux (${MAX_CDA_BYTES / 1024 / 1024} Mo au plus)`);
  if (/<!DOCTYPE/i.test(xml) || /<!ENTITY/i.test(xml)) {
    throw badRequest('Document XML refusé : une déclaration DOCTYPE / ENTITY est interdite (entités externes et expansion d’entités désactivées)');
  }
  const problems: string[] = [];
  const doc = new DOMParser({
    errorHandler: {
      warning: () => undefined,
      error: (message: string) => void problems.push(String(message).split('\n')[0]!),
      fatalError: (message: string) => void problems.push(String(message).split('\n')[0]!),
    },
  }).parseFromString(xml, 'text/xml');
  if (problems.length || !doc.documentElement) throw badRequest(`XML mal formé : ${problems[0] ?? 'document vide'}`);
  return doc;
}

const children = (el: Element | undefined, name: string): Element[] =>
  el ? Array.from(el.childNodes as unknown as ArrayLike<Node>).filter((n): n is Element => n.nodeType === 1 && (n as Element).namespaceURI === V3 && (n as Element).localName === name) : [];
const child = (el: Element | undefined, ...path: string[]): Element | undefined => path.reduce<Element | undefined>((acc, name) => children(acc, name)[0], el);
const descendants = (el: Element, name: string): Element[] => Array.from(el.getElementsByTagNameNS(V3, name) as unknown as ArrayLike<Element>);
const textOf = (el: Element | undefined) => (el?.textContent ?? '').replace(/\s+/g, ' ').trim();

function fhirDate(ts: string | null | undefined): string | undefined {
  const m = /^(\d{4})(\d{2})(\d{2})(?:(\d{2})(\d{2})(\d{2})?)?([+-]\d{4})?/.exec(ts ?? '');
  if (!m) return undefined;
  const [, y, mo, d, h, mi, s, z] = m;
  if (!h) return `${y}-${mo}-${d}`;
  return `${y}-${mo}-${d}T${h}:${mi}:${s ?? '00'}${z ? `${z.slice(0, 3)}:${z.slice(3)}` : 'Z'}`;
}

/** CDA narrative (paragraph, list, table, content) → XHTML, as text only (no markup trusted from outside). */
function narrativeXhtml(el: Element | undefined): string {
  if (!el) return '';
  const out: string[] = [];
  const walk = (node: Element) => {
    for (const n of Array.from(node.childNodes as unknown as ArrayLike<Node>)) {
      if (n.nodeType !== 1) continue;
      const e = n as Element;
      if (['paragraph', 'item', 'tr', 'caption'].includes(e.localName)) out.push(`<p>${escapeHtml(textOf(e))}</p>`);
      else walk(e);
    }
  };
  walk(el);
  const direct = out.length ? '' : textOf(el);
  return out.join('') + (direct ? `<p>${escapeHtml(direct)}</p>` : '');
}

/** Reads a FRCP CDA into a DocumentReference for `patient` (checked: the same person). */
export function readFrcpCda(xml: string, patient: Patient): ImportedCda {
  const doc = parseCdaSafely(xml);
  const root = doc.documentElement!;
  if (root.namespaceURI !== V3 || root.localName !== 'ClinicalDocument') throw businessRule('Le document n’est pas un document CDA R2 (élément racine ClinicalDocument attendu)');
  if (!children(root, 'templateId').some((t) => t.getAttribute('root') === '1.2.250.1.213.1.1.1.8')) {
    throw businessRule('Le document CDA n’est pas une fiche RCP FRCP (templateId 1.2.250.1.213.1.1.1.8 attendu)');
  }
  const id = child(root, 'id');
  const docId = id?.getAttribute('root') ? `${id.getAttribute('root')}${id.getAttribute('extension') ? `^${id.getAttribute('extension')}` : ''}` : undefined;
  if (!docId) throw businessRule('Le document CDA n’a pas d’identifiant (ClinicalDocument/id)');

  // Identity vigilance (RNIV): the INS the document carries must be the patient's, or nothing is attached.
  const cdaIds = children(child(root, 'recordTarget', 'patientRole'), 'id').map((i) => ({ root: i.getAttribute('root') ?? '', extension: i.getAttribute('extension') ?? '' }));
  const insOids = ['1.2.250.1.213.1.4.8', '1.2.250.1.213.1.4.9', '1.2.250.1.213.1.4.10', '1.2.250.1.213.1.4.11'];
  const cdaIns = cdaIds.find((i) => insOids.includes(i.root));
  if (cdaIns) {
    const patientIns = insIdentifiers(patient).map((i) => i.value);
    if (!patientIns.includes(cdaIns.extension)) {
      throw businessRule(`L’INS du document (${cdaIns.extension}) n’est pas celui du patient Patient/${patient.id} : document non rattaché (une identité, un INS)`);
    }
  }

  const title = textOf(child(root, 'title')) || 'Fiche RCP reçue';
  const author = textOf(child(root, 'author', 'assignedAuthor', 'assignedPerson', 'name'));
  const custodian = textOf(child(root, 'custodian', 'assignedCustodian', 'representedCustodianOrganization', 'name'));
  const effective = fhirDate(child(root, 'effectiveTime')?.getAttribute('value'));
  const sections = descendants(root, 'section');
  const diagnosis = descendants(root, 'observation').find((o) => child(o, 'code')?.getAttribute('code') === '282291009');
  const morphology = child(diagnosis, 'value');
  const topography = child(diagnosis, 'targetSiteCode');
  const event = [
    topography?.getAttribute('code') ? { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: topography.getAttribute('code')!, ...(topography.getAttribute('displayName') ? { display: topography.getAttribute('displayName')! } : {}) }] } : undefined,
    morphology?.getAttribute('code') ? { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: morphology.getAttribute('code')!, ...(morphology.getAttribute('displayName') ? { display: morphology.getAttribute('displayName')! } : {}) }] } : undefined,
  ].filter((c): c is NonNullable<typeof c> => Boolean(c));

  const header = [
    `<h1>${escapeHtml(title)}</h1>`,
    `<p>Document CDA reçu (FRCP)${effective ? ` du ${escapeHtml(effective.slice(0, 10).split('-').reverse().join('/'))}` : ''}${author ? `, auteur : ${escapeHtml(author)}` : ''}${custodian ? `, conservé par ${escapeHtml(custodian)}` : ''}.</p>`,
  ].join('');
  const body = sections
    .filter((s) => child(s, 'title') || child(s, 'text'))
    .map((s) => `<h2>${escapeHtml(textOf(child(s, 'title')) || 'Section')}</h2>${narrativeXhtml(child(s, 'text')) || '<p>—</p>'}`)
    .join('');
  const identifier: Identifier = { system: 'urn:ietf:rfc:3986', value: `urn:oid:${docId.replace('^', ':')}` };
  const setIdEl = child(root, 'setId');
  const setValue = setIdEl?.getAttribute('root') ? `urn:oid:${setIdEl.getAttribute('root')}${setIdEl.getAttribute('extension') ? `:${setIdEl.getAttribute('extension')}` : ''}` : undefined;
  const version = Number.parseInt(child(root, 'versionNumber')?.getAttribute('value') ?? '1', 10) || 1;
  const set = setValue ? { value: setValue, version } : undefined;
  const documentReference: DocumentReference = {
    resourceType: 'DocumentReference',
    text: { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${header}${body}</div>` },
    masterIdentifier: identifier,
    ...(set ? { identifier: [{ system: CDA_SET_SYSTEM, value: set.value }, { system: CDA_SET_VERSION_SYSTEM, value: `${set.value}#${set.version}` }] } : {}),
    status: 'current',
    type: { coding: [{ system: 'http://loinc.org', code: '34794-8', display: 'CR de réunion de concertation pluridisciplinaire' }] },
    category: [{ coding: [{ system: CDA_IMPORT_SOURCE, code: 'received-cda', display: 'Document CDA reçu d’un autre DCC' }] }],
    subject: { reference: `Patient/${patient.id}` },
    ...(effective ? { date: effective.length > 10 ? effective : `${effective}T00:00:00Z` } : {}),
    description: title,
    content: [{ attachment: { contentType: 'application/xml', data: Buffer.from(xml, 'utf8').toString('base64'), title: `${title}.xml` }}],
    ...(event.length ? { context: { event } } : {}),
  };
  return { documentReference, documentId: identifier.value!, ...(set ? { set } : {}) };
}

/** The version number an imported DocumentReference records for its CDA set. */
export function setVersionOf(doc: DocumentReference): number | undefined {
  const v = doc.identifier?.find((i) => i.system === CDA_SET_VERSION_SYSTEM)?.value;
  const n = v ? Number.parseInt(v.slice(v.lastIndexOf('#') + 1), 10) : NaN;
  return Number.isFinite(n) ? n : undefined;
}
