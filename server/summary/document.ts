/**
 * The summary as a FHIR document (Bundle type `document`): a Composition first (LOINC 60591-5
 * "Patient summary Document", one coded section per rubric with its French narrative and the
 * resources it shows), then every resource the Composition references, each with its fullUrl.
 * GP software fetches it through the FHIR API like any document.
 *
 * What leaves for the nurse and the pharmacist is trimmed of what their profession does not read
 * (the display text of links to the diagnosis and to the RCP decision, coded reasons, generated
 * narratives): the store lets them read these resources, but a summary for them carries nothing
 * else clinical.
 */
import { randomUUID } from 'node:crypto';
import type { Bundle, BundleEntry, Composition, CompositionSection, Extension, Patient, Reference, Resource } from '@medplum/fhirtypes';
import { type Block, EXT, narrativeDiv } from '../care-plan/index.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import { patientDisplayName, withoutUnqualifiedIns } from '../identity/index.ts';
import type { Summary } from './build.ts';
import { SUMMARY_TYPE, audienceCoding, sectionCode, type Audience } from './codes.ts';

export interface SummaryDocumentOptions {
  /** Absolute FHIR base URL (fullUrl of the entries). */
  baseUrl: string;
  /** Composition id and document identifier (default: random UUIDs: each summary is a new document). */
  compositionId?: string;
  documentId?: string;
}

const XHTML = 'http://www.w3.org/1999/xhtml';

/** FHIR narrative of printable blocks (the same as the programmes' documents). */
export function narrativeOf(blocks: Block[]): string {
  return narrativeDiv(blocks);
}

/** Links to the diagnosis and to the RCP decision: kept as bare references (the profiles require them; the store refuses to follow them for these professions), without their display text. */
const CLINICAL_LINKS = ['addresses', 'reasonReference', 'basedOn', 'replaces', 'supportingInfo'];
/** Free or coded clinical text: dropped. */
const CLINICAL_TEXT = ['reasonCode', 'text'];
const DROPPED_EXTENSIONS = new Set<string>([EXT.rcpDate]);

/** A resource as it may leave in this audience's document. */
export function forAudience<T extends Resource>(resource: T, audience: Audience): T {
  const copy = resource.resourceType === 'Patient' ? withoutUnqualifiedIns(resource as unknown as Patient) as unknown as T : resource;
  if (audience === 'gp') return copy;
  const trimmed: Record<string, unknown> = { ...copy };
  for (const key of CLINICAL_TEXT) delete trimmed[key];
  for (const key of CLINICAL_LINKS) {
    const refs = trimmed[key] as Reference[] | undefined;
    if (Array.isArray(refs)) trimmed[key] = refs.map((r) => (r.reference ? { reference: r.reference } : r)).filter((r) => r.reference);
    if (Array.isArray(trimmed[key]) && !(trimmed[key] as unknown[]).length) delete trimmed[key];
  }
  const extension = (trimmed.extension as Extension[] | undefined)?.filter((e) => !DROPPED_EXTENSIONS.has(e.url));
  if (extension?.length) trimmed.extension = extension;
  else delete trimmed.extension;
  return trimmed as T;
}

const keyOf = (r: Resource) => `${r.resourceType}/${r.id}`;

export function summaryDocument(summary: Summary, options: SummaryDocumentOptions): Bundle {
  const { baseUrl } = options;
  const compositionId = options.compositionId ?? randomUUID();
  const absolute = (r: Resource): Reference<any> => ({ reference: `${baseUrl}/${keyOf(r)}` });

  const included: Resource[] = [];
  const include = (r: Resource | undefined) => {
    if (r?.id && !included.some((x) => keyOf(x) === keyOf(r))) included.push(forAudience(r, summary.audience));
  };
  include(summary.patient);
  if (summary.establishment) include(summary.establishment);

  const sections: CompositionSection[] = summary.sections.map((s) => {
    s.entries.forEach(include);
    const entries = s.entries.filter((r) => r.id);
    return {
      title: s.title,
      code: sectionCode(s.key),
      text: { status: 'generated', div: narrativeOf(s.blocks) },
      ...(entries.length ? { entry: entries.map(absolute) } : {}),
    };
  });

  // The patient as every page names them (RNIV: "BENALI Rachid"); humanName is the professionals' form ("Rachid Benali").
  const patientName = summary.patient.name?.length ? patientDisplayName(summary.patient) : '';
  const composition: Composition = {
    resourceType: 'Composition',
    id: compositionId,
    status: 'final',
    type: { coding: [SUMMARY_TYPE], text: summary.title },
    category: [{ coding: [audienceCoding(summary.audience)], text: summary.title }],
    subject: { ...absolute(summary.patient), ...(patientName ? { display: patientName } : {}) },
    date: summary.generatedAt,
    // Written by the DCC for the establishment that manages the patient.
    author: [summary.establishment?.id
      ? { ...absolute(summary.establishment), ...(summary.establishment.name ? { display: summary.establishment.name } : {}) }
      : { display: 'DCC — Dossier Communicant de Cancérologie' }],
    title: `${summary.title}${patientName ? ` — ${patientName}` : ''}`,
    confidentiality: 'R',
    ...(summary.establishment?.id ? { custodian: absolute(summary.establishment) } : {}),
    text: { status: 'generated', div: `<div xmlns="${XHTML}"><p><b>${escapeHtml(summary.title)}</b></p><p>${escapeHtml(summary.subtitle)}</p></div>` },
    section: sections,
  };

  const entry: BundleEntry[] = [
    { fullUrl: `urn:uuid:${compositionId}`, resource: composition },
    ...included.map((resource) => ({ fullUrl: `${baseUrl}/${keyOf(resource)}`, resource })),
  ];
  return {
    resourceType: 'Bundle',
    identifier: { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${options.documentId ?? randomUUID()}` },
    type: 'document',
    timestamp: summary.generatedAt,
    entry,
  };
}
