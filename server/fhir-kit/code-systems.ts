/** Code systems (FHIR R4 canonical URLs, or urn:oid where none is published), shared by every folder that writes codes. */
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
export const NCIT = 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl';
export const EDQM = 'http://standardterms.edqm.eu';
export const UCUM = 'http://unitsofmeasure.org';
/** TA_ASIP (OID 1.2.250.1.213.1.1.4.322): the ANS terminology of the CI-SIS cancer documents (no NOS FHIR URL: urn:oid). */
export const TA_ASIP = 'urn:oid:1.2.250.1.213.1.1.4.322';
