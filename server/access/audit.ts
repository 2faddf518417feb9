import type { AuditEvent } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { meetingDateTime } from '../fhir-kit/french-dates.ts';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import { isFhirId } from '../fhir-kit/ids.ts';
import type { AccessRecord } from '../store/repository.ts';
import { DIRECTORY_TYPES } from './policy.ts';

const ACTION: Record<AccessRecord['interaction'], AuditEvent['action']> = {
  read: 'R', vread: 'R', 'history-instance': 'R', 'history-type': 'R', 'history-system': 'R',
  'search-type': 'E', create: 'C', update: 'U', delete: 'D',
};
const MAX_ENTITIES = 200;

/** Directory lookups carry no patient data and are not traced; everything else is. */
export function concernsPatientData(access: AccessRecord): boolean {
  if (['create', 'update', 'delete'].includes(access.interaction)) return true; // every write, directory included
  if (access.resources.some((r) => r.patientId)) return true;
  const type = access.resources[0]?.resourceType ?? access.query?.split('?')[0];
  return !type || !DIRECTORY_TYPES.includes(type);
}

/**
 * The AuditEvent of one access (IHE BALP-like): who (IDNPS, role, address), what (the patients and
 * resources touched, the query), when, outcome, and the emergency-access flag.
 */
export function buildAuditEvent(ctx: RequestContext, access: AccessRecord, breakGlassPatients: Set<string>): AuditEvent {
  const { principal } = ctx;
  const patients = [...new Set(access.resources.map((r) => r.patientId).filter((p): p is string => Boolean(p)))];
  // Patients are listed once as patients; any other resource (or a Patient that does not exist) as an object.
  const others = access.resources.filter((r) => !(r.resourceType === 'Patient' && r.patientId));
  const emergency = patients.some((p) => breakGlassPatients.has(p));
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://terminology.hl7.org/CodeSystem/audit-event-type', code: 'rest', display: 'RESTful Operation' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: access.interaction }],
    action: ACTION[access.interaction],
    recorded: new Date().toISOString(),
    outcome: access.outcome === 'success' ? '0' : '4',
    ...(access.detail ? { outcomeDesc: access.detail } : {}),
    ...(emergency ? { purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'bris de glace' }] }] } : {}),
    agent: [{
      requestor: true,
      who: {
        ...(principal.practitionerId ? { reference: `Practitioner/${principal.practitionerId}` } : {}),
        ...(principal.idnps ? { identifier: { system: IDNPS_SYSTEM, value: principal.idnps } } : {}),
        display: principal.displayName,
      },
      role: principal.roles.map((r) => ({ coding: [{ system: 'https://dcc-paca.example/fhir/CodeSystem/dcc-role', code: r }] })),
      ...(ctx.remoteAddress ? { network: { address: ctx.remoteAddress, type: '2' as const } } : {}),
      extension: [{ url: 'https://dcc-paca.example/fhir/StructureDefinition/auth-method', valueCode: principal.authMethod }],
    }],
    source: {
      observer: { display: 'DCC — serveur FHIR' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
    entity: [
      ...patients.slice(0, MAX_ENTITIES).map((id) => ({
        what: { reference: `Patient/${id}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '1', display: 'Person' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '1', display: 'Patient' },
      })),
      ...others.slice(0, MAX_ENTITIES).map((r) => ({
        what: { reference: `${r.resourceType}/${r.id}` },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
      })),
      ...(access.query ? [{
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '24', display: 'Query' },
        query: Buffer.from(access.query).toString('base64'),
      }] : []),
    ],
  };
}

/** Sign-in, failed sign-in and logout (DICOM "User Authentication" event, as IHE BALP does). */
export function buildAuthenticationEvent(
  event: { kind: 'login' | 'logout'; outcome: 'success' | 'failure'; method: string; detail?: string; remoteAddress?: string },
  principal?: { practitionerId?: string; idnps?: string; displayName?: string; roles?: string[] },
): AuditEvent {
  return {
    resourceType: 'AuditEvent',
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110114', display: 'User Authentication' },
    subtype: [event.kind === 'login'
      ? { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110122', display: 'Login' }
      : { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110123', display: 'Logout' }],
    action: 'E',
    recorded: new Date().toISOString(),
    outcome: event.outcome === 'success' ? '0' : '4',
    ...(event.detail ? { outcomeDesc: event.detail.slice(0, 500) } : {}),
    agent: [{
      requestor: true,
      who: {
        ...(principal?.practitionerId ? { reference: `Practitioner/${principal.practitionerId}` } : {}),
        ...(principal?.idnps ? { identifier: { system: IDNPS_SYSTEM, value: principal.idnps } } : {}),
        display: principal?.displayName ?? 'inconnu',
      },
      ...(event.remoteAddress ? { network: { address: event.remoteAddress, type: '2' as const } } : {}),
      extension: [{ url: 'https://dcc-paca.example/fhir/StructureDefinition/auth-method', valueCode: event.method }],
    }],
    source: {
      observer: { display: 'DCC — serveur FHIR' },
      type: [{ system: 'http://terminology.hl7.org/CodeSystem/security-source-type', code: '4', display: 'Application Server' }],
    },
  };
}

/** Identity status change of a patient (DICOM "Patient Record" update), with from → to. */
export function buildIdentityStatusEvent(ctx: RequestContext, patientId: string, versionId: string | undefined, transition: { from?: string; to?: string }): AuditEvent {
  const base = buildAuditEvent(ctx, { interaction: 'update', resources: [{ resourceType: 'Patient', id: patientId, patientId }], outcome: 'success' }, new Set());
  return {
    ...base,
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110', display: 'Patient Record' },
    subtype: [{ system: 'http://hl7.org/fhir/restful-interaction', code: 'update' }],
    outcomeDesc: `Statut d'identité : ${transition.from ?? 'aucun'} → ${transition.to ?? 'aucun'}`,
    entity: [{
      ...base.entity![0],
      what: { reference: `Patient/${patientId}${versionId ? `/_history/${versionId}` : ''}` },
      detail: [
        { type: 'identityStatus.from', valueString: transition.from ?? 'aucun' },
        { type: 'identityStatus.to', valueString: transition.to ?? 'aucun' },
      ],
    }],
  };
}

/** What the sharing side traces, beyond the reads and writes the store traces itself. */
export type SharingEventKind = 'summary-view' | 'mail-sent' | 'mail-failed' | 'document-pushed' | 'document-push-failed' | 'delivery-withheld';
export const SHARING_AUDIT_SUBTYPE_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/dcc-sharing-event';
export const SHARING_LABEL: Record<SharingEventKind, string> = {
  'summary-view': 'Consultation d\'une synthèse',
  'mail-sent': 'Message sécurisé envoyé',
  'mail-failed': 'Échec d\'envoi d\'un message sécurisé',
  'document-pushed': 'Document transmis à un entrepôt FHIR',
  'document-push-failed': 'Échec de transmission à un entrepôt FHIR',
  'delivery-withheld': 'Envoi non effectué (opposition ou choix du patient)',
};

/**
 * A summary viewed (DICOM "Patient Record", read) or a document sent out of the DCC (DICOM
 * "Export"): who, which patient, which documents, to whom (recipient agent), outcome.
 */
export function buildSharingEvent(ctx: RequestContext, event: {
  kind: SharingEventKind;
  patientId: string;
  /** References of what was viewed or sent (Composition/…/_history/…, CarePlan/…). */
  documents?: string[];
  /** Practitioner/… or the endpoint a document went to. */
  recipient?: { reference?: string; display?: string; address?: string };
  detail?: string;
}): AuditEvent {
  const failed = event.kind.endsWith('-failed');
  const base = buildAuditEvent(ctx, {
    interaction: 'read',
    resources: [{ resourceType: 'Patient', id: event.patientId, patientId: event.patientId }],
    outcome: failed ? 'failure' : 'success',
    ...(event.detail ? { detail: event.detail } : {}),
  }, new Set());
  const view = event.kind === 'summary-view';
  const recipient = event.recipient;
  return {
    ...base,
    type: view
      ? { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110110', display: 'Patient Record' }
      : { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110106', display: 'Export' },
    subtype: [{ system: SHARING_AUDIT_SUBTYPE_SYSTEM, code: event.kind, display: SHARING_LABEL[event.kind] }],
    action: 'R',
    agent: [
      ...base.agent,
      ...(recipient ? [{
        requestor: false,
        type: { coding: [{ system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110152', display: 'Destination Role ID' }] },
        who: { ...(recipient.reference ? { reference: recipient.reference } : {}), display: recipient.display ?? recipient.address ?? recipient.reference ?? 'destinataire' },
        ...(recipient.address ? { network: { address: recipient.address.slice(0, 200), type: '5' as const } } : {}),
      }] : []),
    ],
    entity: [
      ...(base.entity ?? []),
      ...(event.documents ?? []).slice(0, MAX_ENTITIES).map((reference) => ({
        what: { reference },
        type: { system: 'http://terminology.hl7.org/CodeSystem/audit-entity-type', code: '2', display: 'System Object' },
        role: { system: 'http://terminology.hl7.org/CodeSystem/object-role', code: '3', display: 'Report' },
      })),
    ],
  };
}

/** The DCC's own audit subtypes (emergency access opened, its review). */
export const DCC_AUDIT_SUBTYPE_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/dcc-audit';

/**
 * The opening of an emergency access ("bris de glace") in the patient's trail: who opened the
 * record, why (the stated reason, in outcomeDesc and purposeOfEvent) and until when. Its entity is
 * the Patient, so that « Voir les accès au dossier » and its CSV show the grant beside the reads it
 * allowed (they showed the refused read and the later BTG reads, not the grant nor its reason).
 */
export function buildBreakGlassGrantEvent(
  ctx: RequestContext,
  grant: { id: string; patientId: string; reason: string; expiresAt: string },
): AuditEvent {
  const base = buildAuditEvent(ctx, {
    interaction: 'create', outcome: 'success',
    resources: [{ resourceType: 'Patient', id: grant.patientId, patientId: grant.patientId }],
  }, new Set([grant.patientId]));
  return {
    ...base,
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113', display: 'Security Alert' },
    subtype: [{ system: DCC_AUDIT_SUBTYPE_SYSTEM, code: 'break-glass', display: "Accès d'urgence ouvert" }],
    action: 'C',
    // Paris time, as the physician's banner and the review list say it.
    outcomeDesc: `Accès d'urgence ouvert — motif : ${grant.reason} (jusqu'au ${meetingDateTime(grant.expiresAt)}, heure de Paris)`,
    purposeOfEvent: [{
      coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'bris de glace' }],
      text: grant.reason,
    }],
    period: { end: grant.expiresAt },
    entity: [
      ...(base.entity ?? []).map((e) => ({ ...e, detail: [{ type: 'break-glass-grant', valueString: grant.id }, { type: 'reason', valueString: grant.reason }] })),
    ],
  };
}

/**
 * An emergency access asked for a record that does not exist (or no longer does): refused, and
 * in the trail of that id all the same — a physician trying ids is what the officer must see.
 */
export function buildBreakGlassRefusalEvent(ctx: RequestContext, patientId: string, reason: string): AuditEvent {
  const named = isFhirId(patientId);
  const base = buildAuditEvent(ctx, {
    interaction: 'create', outcome: 'failure',
    resources: named ? [{ resourceType: 'Patient', id: patientId, patientId }] : [],
  }, new Set());
  return {
    ...base,
    type: { system: 'http://dicom.nema.org/resources/ontology/DCM', code: '110113', display: 'Security Alert' },
    subtype: [{ system: DCC_AUDIT_SUBTYPE_SYSTEM, code: 'break-glass-refused', display: "Accès d'urgence refusé" }],
    action: 'C',
    outcomeDesc: `Accès d'urgence refusé : dossier ${named ? `Patient/${patientId} ` : ''}introuvable${named ? '' : ` (identifiant invalide « ${String(patientId).slice(0, 80)} »)`} — motif déclaré : ${reason}`,
    purposeOfEvent: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActReason', code: 'BTG', display: 'bris de glace' }], text: reason }],
  };
}
