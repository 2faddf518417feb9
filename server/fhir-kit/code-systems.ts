/** International code systems (FHIR R4 canonical URLs), shared by every folder that writes codes. */
export const LOINC = 'http://loinc.org';
export const SNOMED = 'http://snomed.info/sct';
