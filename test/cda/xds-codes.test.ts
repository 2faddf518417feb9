import { readFileSync } from 'node:fs';
import { expect } from 'chai';
import { DOMParser } from '@xmldom/xmldom';
import { strFromU8, unzipSync } from 'fflate';
import type { Patient } from '@medplum/fhirtypes';
import { buildXdmZip, cdaDocumentReference } from '../../server/cda/index.ts';
import { xdsCodesOf, type XdsCode } from '../../server/cda/xds-codes.ts';

const KIT = 'reference/ans-cda-kit';
const STRUCT_MIN = `${KIT}/schematrons/profils/structurationMinimale/include`;

/** The concepts of a value-set file of the kit: SVS (`Concept`) or ART-DECOR (`concept`). */
function concepts(path: string): Set<string> {
  const doc = new DOMParser().parseFromString(readFileSync(path, 'utf8'), 'text/xml');
  const out = new Set<string>();
  for (const tag of ['Concept', 'concept']) {
    for (const c of Array.from(doc.getElementsByTagName(tag) as unknown as ArrayLike<Element>)) out.add(`${c.getAttribute('codeSystem')}|${c.getAttribute('code')}`);
  }
  return out;
}

/**
 * TRE_A03 ClasseDocument (JDV_J06) and the CI-SIS format codes of JDV_J10 (TRE_A06) are not in the
 * kit: the codes published by the NOS (mos.esante.gouv.fr) that concern us, held here.
 */
const J06_CLASS_CODES = new Set(['10', '11', '31', '42', '43', '44', '45', '52', '60', '90', '95', '99'].map((c) => `1.2.250.1.213.1.1.4.1|${c}`));
const J10_CISIS_FORMAT_CODES = new Set(['urn:asip:ci-sis:frcp:2011', 'urn:asip:ci-sis:pps-cancer:2017'].map((c) => `1.2.250.1.213.1.1.4.2.282|${c}`));

const key = (c: XdsCode) => `${c.codeSystem}|${c.code}`;

describe('CDA: XDS metadata codes against the CI-SIS value sets of the ANS kit', () => {
  const valueSets = {
    typeCode: concepts(`${KIT}/jeuxDeValeurs/JDV_J07_XdsTypeCode_CISIS.xml`),
    healthcareFacilityType: concepts(`${STRUCT_MIN}/voc-1.2.250.1.213.1.1.5.466-DYNAMIC.xml`),
    practiceSetting: concepts(`${STRUCT_MIN}/voc-1.2.250.1.213.1.1.5.467-DYNAMIC.xml`),
    confidentiality: concepts(`${STRUCT_MIN}/voc-2.16.840.1.113883.1.11.10228-DYNAMIC.xml`),
    classCode: J06_CLASS_CODES,
    formatCode: J10_CISIS_FORMAT_CODES,
  };

  for (const profile of ['FRCP', 'PPS'] as const) {
    it(`${profile}: class, type, format, facility type, practice setting and confidentiality are codes of their value sets`, () => {
      const codes = xdsCodesOf(profile);
      for (const [name, set] of Object.entries(valueSets)) {
        expect(set.size, name).to.be.greaterThan(0);
        expect(set.has(key(codes[name as keyof typeof codes])), `${name} ${key(codes[name as keyof typeof codes])}`).to.equal(true);
      }
    });

    it(`${profile}: the XDM METADATA.XML and the pushed DocumentReference carry the same codes`, () => {
      const codes = xdsCodesOf(profile);
      const patient: Patient = { resourceType: 'Patient', id: 'p-xds', name: [{ family: 'Essai' }] };
      const cda = { xml: '<ClinicalDocument xmlns="urn:hl7-org:v3"/>', profile, uniqueId: '1.2.250.1.999.18.1^doc-1', patient };
      const zip = unzipSync(new Uint8Array(buildXdmZip({ cda })));
      const meta = new DOMParser().parseFromString(strFromU8(zip['IHE_XDM/SUBSET01/METADATA.XML']!), 'text/xml');
      const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
      const byScheme = new Map<string, string>();
      for (const c of Array.from(meta.getElementsByTagNameNS(RIM, 'Classification') as unknown as ArrayLike<Element>)) {
        const scheme = c.getAttribute('classificationScheme');
        const codingScheme = Array.from(c.getElementsByTagNameNS(RIM, 'Value') as unknown as ArrayLike<Element>)[0]?.textContent;
        if (scheme) byScheme.set(scheme, `${codingScheme}|${c.getAttribute('nodeRepresentation')}`);
      }
      // IHE ITI TF-3 4.2.5 classification schemes of the DocumentEntry.
      expect(byScheme.get('urn:uuid:41a5887f-8865-4c09-adf7-e362475b143a'), 'classCode').to.equal(key(codes.classCode));
      expect(byScheme.get('urn:uuid:f0306f51-975f-434e-a61c-c59651d33983'), 'typeCode').to.equal(key(codes.typeCode));
      expect(byScheme.get('urn:uuid:a09d5840-386c-46f2-b5ad-9c3699a4309d'), 'formatCode').to.equal(key(codes.formatCode));
      expect(byScheme.get('urn:uuid:f33fb8ac-18af-42cc-ae0e-ed0b0bdb91e1'), 'healthcareFacilityTypeCode').to.equal(key(codes.healthcareFacilityType));
      expect(byScheme.get('urn:uuid:cccf5598-8b07-4b77-a05e-ae952c785ead'), 'practiceSettingCode').to.equal(key(codes.practiceSetting));
      expect(byScheme.get('urn:uuid:f4f85eac-e6cb-4883-b524-f2705394840f'), 'confidentialityCode').to.equal(key(codes.confidentiality));

      const doc = cdaDocumentReference(cda, 'Binary/b1');
      expect(doc.type?.coding?.[0]?.code).to.equal(codes.typeCode.code);
      expect(doc.category?.[0]?.coding?.[0]).to.include({ system: `urn:oid:${codes.classCode.codeSystem}`, code: codes.classCode.code });
      expect(doc.content[0]!.format).to.include({ system: `urn:oid:${codes.formatCode.codeSystem}`, code: codes.formatCode.code });
      expect(doc.context?.facilityType?.coding?.[0]?.code).to.equal(codes.healthcareFacilityType.code);
      expect(doc.context?.practiceSetting?.coding?.[0]?.code).to.equal(codes.practiceSetting.code);
      expect(doc.securityLabel?.[0]?.coding?.[0]?.code).to.equal(codes.confidentiality.code);
    });
  }
});
