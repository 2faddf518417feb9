/** Resource types the DCC stores and serves (CapabilityStatement is generated from this list). */
export const SUPPORTED_RESOURCE_TYPES = [
  'Patient', 'Practitioner', 'PractitionerRole', 'Organization', 'HealthcareService', 'CareTeam',
  'Condition', 'Observation', 'Procedure', 'MedicationRequest', 'Medication', 'ServiceRequest', 'Task',
  'Appointment', 'List', 'CarePlan', 'Composition', 'DocumentReference', 'Consent', 'Provenance',
  'AuditEvent', 'ResearchStudy', 'ResearchSubject', 'RequestGroup', 'Location', 'Binary',
] as const;

export type SupportedResourceType = (typeof SUPPORTED_RESOURCE_TYPES)[number];

const supported = new Set<string>(SUPPORTED_RESOURCE_TYPES);

export function isSupportedResourceType(type: string): type is SupportedResourceType {
  return supported.has(type);
}
