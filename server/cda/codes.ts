/** FHIR code systems → the OIDs a CDA document carries, and the CI-SIS constants shared by FRCP and PPS. */
import type { Coding } from '@medplum/fhirtypes';
import { el, text, type Attrs } from './xml.ts';
import { currentConfig } from '../config.ts';

const OID_OF: Record<string, string> = {
  'http://loinc.org': '2.16.840.1.113883.6.1',
  'http://snomed.info/sct': '2.16.840.1.113883.6.96',
  'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl': '2.16.840.1.113883.3.26.1.1',
  'http://hl7.org/fhir/sid/icd-10': '2.16.840.1.113883.6.3',
  'http://terminology.hl7.org/CodeSystem/icd-o-3': '2.16.840.1.113883.6.43.1',
};

/** The OID of a code system (`urn:oid:` systems as they are), or undefined for a DCC-local system. */
export function oidOf(system: string | undefined): string | undefined {
  if (!system) return undefined;
  if (system.startsWith('urn:oid:')) return system.slice(8);
  return OID_OF[system];
}

export const LOINC_OID = '2.16.840.1.113883.6.1';
export const TA_ASIP_OID = '1.2.250.1.213.1.1.4.322';
/** The DCC's own OID arc for document ids (a test arc: a real deployment sets CDA_OID_ROOT). */
export function dccOidRoot(): string {
  return currentConfig().cda.oidRoot;
}

/** A CD/CE element from a FHIR coding; a DCC-local code travels as nullFlavor OTH with its text. */
export function cd(name: string, coding: Coding | undefined, extra: Attrs = {}, originalText?: string): string {
  const codeSystem = oidOf(coding?.system);
  if (!coding?.code || !codeSystem) {
    const label = originalText ?? coding?.display;
    return el(name, { ...extra, nullFlavor: coding ? 'OTH' : 'UNK' }, label ? el('originalText', {}, text(label)) : undefined);
  }
  return el(name, { ...extra, code: coding.code, codeSystem, displayName: coding.display }, originalText ? el('originalText', {}, text(originalText)) : undefined);
}

export const templateIds = (...roots: string[]) => roots.map((root) => el('templateId', { root })).join('');
