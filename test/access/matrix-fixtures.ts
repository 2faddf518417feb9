import type { Resource } from '@medplum/fhirtypes';
import { unique } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';

/**
 * Minimal valid FHIR R4 bodies for the access-matrix test: one builder per resource type, for a
 * given patient. They carry no care-team member, requester or deny provision, so writing one
 * never changes who is in the patient's circle of care. Then bodies without any patient link, and
 * the types whose patient is the one of what they point at (Provenance.target, Observation.focus).
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
  Patient: () => withIdentity({ resourceType: 'Patient', name: [{ family: unique('Matrice') }] }),
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

/**
 * Bodies without any patient link (no subject, patient, for, focus): the patient-data types that
 * must be attached to a patient, then the ones that may exist without one (an RCP session, its
 * agenda, a board's team, a session task, a service).
 */
export const WITHOUT_PATIENT: Record<string, (refs: BodyRefs) => Resource> = {
  Condition: () => ({ resourceType: 'Condition', code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C50.9' }] } } as Resource), // subject is 1..1 in R4: refused before validation
  Observation: () => ({ resourceType: 'Observation', status: 'final', code: { text: 'Indice OMS' }, valueInteger: 1 }),
  DocumentReference: () => ({
    resourceType: 'DocumentReference', status: 'current',
    content: [{ attachment: { contentType: 'text/plain', data: Buffer.from('Compte rendu').toString('base64') } }],
  }),
  Binary: () => ({ resourceType: 'Binary', contentType: 'text/plain', data: Buffer.from('Compte rendu').toString('base64') } as Resource),
  Composition: (r) => ({
    resourceType: 'Composition', status: 'final', date: '2025-03-01T10:00:00Z', title: 'Compte rendu RCP',
    type: { coding: [{ system: 'http://loinc.org', code: '11488-4' }] }, author: [ref('Practitioner', r.author)],
  }),
  /** Points at a directory entry only: nothing to take a patient from. */
  Provenance: (r) => provenanceOf([`Practitioner/${r.author}`], r.author),
  Appointment: (r) => ({ resourceType: 'Appointment', status: 'proposed', description: 'Séance RCP sein', participant: [{ actor: ref('Practitioner', r.author), status: 'accepted' }] }),
  List: () => ({ resourceType: 'List', status: 'current', mode: 'working', title: 'Ordre du jour de la séance' }),
  Task: () => ({ resourceType: 'Task', status: 'requested', intent: 'order', description: 'Préparer la séance' }),
  CareTeam: (r) => ({ resourceType: 'CareTeam', status: 'active', name: 'Membres de la RCP sein', participant: [{ member: ref('Practitioner', r.author) }] }),
  HealthcareService: () => ({ resourceType: 'HealthcareService', active: true, name: 'RCP sein' }),
};

/** A Provenance: its patient is the one of what it points at. */
export function provenanceOf(targets: string[], author: string): Resource {
  return {
    resourceType: 'Provenance',
    target: targets.map((reference) => ({ reference })),
    recorded: new Date().toISOString(),
    agent: [{ who: ref('Practitioner', author) }],
  } as Resource;
}

/** An Observation with a focus and no subject: its patient is the focus, or the focus's patient. */
export function observationFocusedOn(reference: string): Resource {
  return { resourceType: 'Observation', status: 'final', code: { text: 'Réponse au traitement' }, focus: [{ reference }], valueInteger: 2 } as Resource;
}

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
