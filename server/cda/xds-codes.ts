/**
 * XDS metadata of the DCC's CDA documents (IHE XDM on secure mail, DocumentReference on the
 * DMP-like push): one table, so the mail, the push and the CDA header never disagree.
 *
 * Value sets (CI-SIS): typeCode JDV_J07 (kit: jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml),
 * healthcareFacilityType JDV_J02 and practiceSetting JDV_J04 (kit: structurationMinimale voc-…466 and
 * voc-…467), confidentiality HL7 Confidentiality (voc-2.16.840.1.113883.1.11.10228). classCode
 * (JDV_J06, TRE_A03 ClasseDocument) and formatCode (JDV_J10, TRE_A06 FormatCodeComplementaire) are not in
 * the kit: their codes come from the NOS publications; the FRCP 2022.01 volet keeps the format code
 * `urn:asip:ci-sis:frcp:2011`, the PPS cancer volet `urn:asip:ci-sis:pps-cancer:2017` (J10 has no 2022 entry).
 * A test holds every code against those files.
 */
import type { CdaExport } from './export.ts';

export interface XdsCode { code: string; codeSystem: string; display: string }

export interface XdsCodes {
  classCode: XdsCode;
  typeCode: XdsCode;
  formatCode: XdsCode;
  practiceSetting: XdsCode;
  healthcareFacilityType: XdsCode;
  confidentiality: XdsCode;
}

const LOINC = '2.16.840.1.113883.6.1';
const CLASS = '1.2.250.1.213.1.1.4.1'; // TRE_A03 ClasseDocument
const FORMAT = '1.2.250.1.213.1.1.4.2.282'; // TRE_A06 FormatCodeComplementaire

/** Where the DCC's documents are produced: a public hospital setting (the CDA header says the same). */
export const PRACTICE_SETTING: XdsCode = { code: 'ETABLISSEMENT', codeSystem: '1.2.250.1.213.1.1.4.9', display: 'Etablissement de santé' };
export const HEALTHCARE_FACILITY_TYPE: XdsCode = { code: 'SA01', codeSystem: '1.2.250.1.71.4.2.4', display: 'Etablissement public de santé' };
export const CONFIDENTIALITY_NORMAL: XdsCode = { code: 'N', codeSystem: '2.16.840.1.113883.5.25', display: 'Normal' };

const BY_PROFILE: Record<CdaExport['profile'], Pick<XdsCodes, 'classCode' | 'typeCode' | 'formatCode'>> = {
  FRCP: {
    classCode: { code: '10', codeSystem: CLASS, display: 'Compte rendu' },
    typeCode: { code: '34794-8', codeSystem: LOINC, display: 'CR de réunion de concertation pluridisciplinaire' },
    formatCode: { code: 'urn:asip:ci-sis:frcp:2011', codeSystem: FORMAT, display: 'Fiche de réunion de concertation pluridisciplinaire' },
  },
  PPS: {
    classCode: { code: '44', codeSystem: CLASS, display: 'Plan de soins, protocole de soins' },
    typeCode: { code: '18776-5', codeSystem: LOINC, display: 'Plan personnalisé de soins' },
    formatCode: { code: 'urn:asip:ci-sis:pps-cancer:2017', codeSystem: FORMAT, display: 'Programme Personnalisé de Soins - Cancer' },
  },
};

export function xdsCodesOf(profile: CdaExport['profile']): XdsCodes {
  return { ...BY_PROFILE[profile], practiceSetting: PRACTICE_SETTING, healthcareFacilityType: HEALTHCARE_FACILITY_TYPE, confidentiality: CONFIDENTIALITY_NORMAL };
}
