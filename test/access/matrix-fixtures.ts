import type { Resource } from '@medplum/fhirtypes';
import { unique } from '../helpers/harness.ts';

/**
 * Minimal valid FHIR R4 bodies for the access-matrix test: one builder per resource type, for a
 * given patient. They carry no care-team member, requester or deny provision, so writing one
 * never changes who is in the patient's circle of care.
 */

/** Marks the AuditEvents the test writes itself, so searches can tell them from the real trail. */
export const MATRIX_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/test-access-matrix';

/** What a body may refer to besides its patient. */
export interface BodyRefs {
  /** A directory Practitioner used as author where a type requires one. */
  author: string;
}

const ref = (type: string, id: string) => ({ reference: `${type}/${id}` });

export const BODY: Record<string, (patientId: string, refs: BodyRefs) => Resource> = {
  Patient: () => ({ resourceType: 'Patient', name: [{ family: unique('Matrice') }] }),
  Condition: (p) => ({
    resourceType: 'Condition', subject: ref('Patient', p),
    code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C50.9' }] },
  }),
  Observation: (p) => ({ resourceType: 'Observation', status: 'final', code: { text: 'Indice OMS' }, subject: ref('Patient', p), valueInteger: 1 }),
  MedicationRequest: (p) => ({
    resourceType: 'MedicationRequest', status: 'active', intent: 'order', subject: ref('Patient', p),
    medicationCodeableConcept: { text: 'Capécitabine 500 mg' },
  }),
  CarePlan: (p) => ({ resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: ref('Patient', p) }),
  CareTeam: (p) => ({ resourceType: 'CareTeam', status: 'active', name: 'Équipe', subject: ref('Patient', p) }),
  Consent: (p) => ({
    resourceType: 'Consent', status: 'active', patient: ref('Patient', p),
    scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
    category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTIN' }] },
    provision: { type: 'permit' },
  }),
  Composition: (p, r) => ({
    resourceType: 'Composition', status: 'final', subject: ref('Patient', p), date: '2025-03-01T10:00:00Z', title: 'Compte rendu RCP',
    type: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] }, author: [ref('Practitioner', r.author)],
  }),
  ServiceRequest: (p) => ({ resourceType: 'ServiceRequest', status: 'active', intent: 'order', subject: ref('Patient', p), code: { text: 'Présentation en RCP' } }),
  Task: (p) => ({ resourceType: 'Task', status: 'requested', intent: 'order', for: ref('Patient', p), description: 'Préparer le dossier' }),
  DocumentReference: (p) => ({
    resourceType: 'DocumentReference', status: 'current', subject: ref('Patient', p),
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Compte rendu').toString('base64') } }],
  }),
  AuditEvent: (p) => auditEventFor(p, 'matrix-write'),
  Practitioner: () => ({ resourceType: 'Practitioner', name: [{ family: unique('Annuaire') }] }),
};

/** An AuditEvent about a patient, tagged so the test can find exactly it (`subtype=MATRIX_SYSTEM|code`). */
export function auditEventFor(patientId: string, code: string): Resource {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest' },
    subtype: [{ system: MATRIX_SYSTEM, code }],
    action: 'R',
    recorded: new Date().toISOString(),
    outcome: '0',
    agent: [{ requestor: true, who: { display: 'Jeu de test de la matrice' } }],
    source: { observer: { display: 'Test de la matrice d’accès' } },
    entity: [{ what: ref('Patient', patientId) }],
  } as Resource;
}

/** The patient's objection: an active Consent whose deny provision names these practitioners. */
export function objectionNaming(patientId: string, practitionerIds: string[]): Resource {
  const consent = BODY.Consent(patientId, { author: '' }) as any;
  return {
    ...consent,
    policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
    provision: {
      type: 'deny',
      actor: practitionerIds.map((id) => ({ role: { text: 'professionnel refusé par le patient' }, reference: ref('Practitioner', id) })),
    },
  };
}
