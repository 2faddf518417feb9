import { ACCESS_RULE_MARKER } from './database.ts';
import type { Sql } from './search-sql.ts';

const RCP_CODE_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/rcp';
const RCP_BOARD_MEMBERS_SYSTEM = 'https://dcc-paca.example/fhir/sid/rcp-board-members';
const RCP_SESSION_GROUP_SYSTEM = 'https://dcc-paca.example/fhir/sid/rcp-session-cases';

/** The caller as the visibility rule needs it (decided by server/access, expressed here in SQL). */
export interface Viewer {
  /** Sees everything (the service itself). */
  unrestricted: boolean;
  practitionerId?: string;
  /** Types without patient data every professional may read. */
  directoryTypes: string[];
  /** Patient-data types this caller's professions may read. */
  patientTypes: string[];
  /** Of those, the ones that may exist without a patient (sessions, agendas…). */
  patientlessTypes: string[];
  /** Reads the audit trail of every patient (security review). */
  auditReviewer: boolean;
  /**
   * The caller acts as the patient's GP: a PPS reaches the GP only once handed over to the patient
   * with their agreement to send it (before that, or if they refused, it is hidden).
   */
  gp: boolean;
  /** Extension URLs of the PPS "share with the GP" choice and of its hand-over; the PPS category. */
  shareWithGpUrl?: string;
  handOverUrl?: string;
  ppsCategory?: { system: string; code: string };
}

/**
 * Row-level rule on `resource r`, applied inside every query so paging and counts stay right:
 * directory data for all; patient data only of the caller's professions' types, for patients in
 * the caller's circle of care (declared GP, care-team member, registering physician, active
 * emergency access), and never against the patient's objection.
 */
export function visibilityConditions(viewer: Viewer): Sql[] {
  if (viewer.unrestricted) return [];
  const me = viewer.practitionerId ?? 'unknown:practitioner'; // ':' never occurs in an id: matches nothing
  const list = (values: string[]) => (values.length ? values.map(() => '?').join(', ') : 'NULL');
  // A case registered on an RCP board (Task code rcp-case, owner = the board): the board's 3C
  // (a PractitionerRole in the board's organization), the board's members, and the practitioners
  // of the session where the case is on the agenda see that patient (for the case).
  const rcpCaseCircle = `EXISTS (SELECT 1 FROM resource t
      JOIN sp_token tc ON tc.res = t.seq AND tc.resource_type = 'Task' AND tc.param = 'code' AND tc.system = '${RCP_CODE_SYSTEM}' AND tc.code = 'rcp-case'
      JOIN sp_reference tb ON tb.res = t.seq AND tb.resource_type = 'Task' AND tb.param = 'owner' AND tb.target_type = 'HealthcareService'
      WHERE t.resource_type = 'Task' AND t.patient_id = r.patient_id AND NOT t.deleted AND (
        EXISTS (SELECT 1 FROM resource hs
                JOIN sp_reference ho ON ho.res = hs.seq AND ho.resource_type = 'HealthcareService' AND ho.param = 'organization'
                JOIN sp_reference pro ON pro.resource_type = 'PractitionerRole' AND pro.param = 'organization' AND pro.target_id = ho.target_id
                JOIN sp_reference prp ON prp.res = pro.res AND prp.resource_type = 'PractitionerRole' AND prp.param = 'practitioner' AND prp.target_id = ?
                WHERE hs.resource_type = 'HealthcareService' AND hs.id = tb.target_id)
        OR EXISTS (SELECT 1 FROM sp_token bi
                JOIN sp_reference bm ON bm.res = bi.res AND bm.resource_type = 'CareTeam' AND bm.param = 'participant' AND bm.target_id = ?
                WHERE bi.resource_type = 'CareTeam' AND bi.param = 'identifier' AND bi.system = '${RCP_BOARD_MEMBERS_SYSTEM}' AND bi.code = tb.target_id)
        OR EXISTS (SELECT 1 FROM sp_token gi
                JOIN resource ap ON ap.resource_type = 'Appointment' AND ap.id = gi.code AND NOT ap.deleted
                JOIN sp_reference apr ON apr.res = ap.seq AND apr.resource_type = 'Appointment' AND apr.param = 'practitioner' AND apr.target_id = ?
                WHERE gi.res = t.seq AND gi.resource_type = 'Task' AND gi.param = 'group-identifier' AND gi.system = '${RCP_SESSION_GROUP_SYSTEM}')))`;
  const inCircle = `(
      EXISTS (SELECT 1 FROM resource p JOIN sp_reference g ON g.res = p.seq
              WHERE p.resource_type = 'Patient' AND p.id = r.patient_id
                AND g.resource_type = 'Patient' AND g.param = 'general-practitioner' AND g.target_type = 'Practitioner' AND g.target_id = ?)
   OR EXISTS (SELECT 1 FROM resource ct JOIN sp_reference m ON m.res = ct.seq
              WHERE ct.resource_type = 'CareTeam' AND ct.patient_id = r.patient_id AND NOT ct.deleted
                AND m.resource_type = 'CareTeam' AND m.param = 'participant' AND m.target_type = 'Practitioner' AND m.target_id = ?)
   OR EXISTS (SELECT 1 FROM resource sr JOIN sp_reference q ON q.res = sr.seq
              WHERE sr.resource_type = 'ServiceRequest' AND sr.patient_id = r.patient_id AND NOT sr.deleted
                AND q.resource_type = 'ServiceRequest' AND q.param = 'requester' AND q.target_type = 'Practitioner' AND q.target_id = ?)
   OR ${rcpCaseCircle}
  )`;
  const emergency = `EXISTS (SELECT 1 FROM break_glass_grant bg WHERE bg.practitioner_id = ? AND bg.patient_id = r.patient_id AND bg.expires_at > now())`;
  // Objection: a Consent deny naming the caller; or a deny naming nobody, which keeps the record
  // within the care team (objection to sharing beyond it) unless emergency access was opened.
  const objection = `EXISTS (SELECT 1 FROM resource c
      WHERE c.resource_type = 'Consent' AND c.patient_id = r.patient_id AND NOT c.deleted
        AND c.content->>'status' = 'active' AND c.content->'provision'->>'type' = 'deny'
        AND (c.content->'provision'->'actor' @> ?::jsonb
             OR (c.content->'provision'->'actor' IS NULL
                 AND NOT EXISTS (SELECT 1 FROM resource ct JOIN sp_reference m ON m.res = ct.seq
                                 WHERE ct.resource_type = 'CareTeam' AND ct.patient_id = r.patient_id AND NOT ct.deleted
                                   AND m.resource_type = 'CareTeam' AND m.param = 'participant' AND m.target_type = 'Practitioner' AND m.target_id = ?)
                 AND NOT ${emergency})))`;
  const actorMatch = JSON.stringify([{ reference: { reference: `Practitioner/${me}` } }]);
  const text = `${ACCESS_RULE_MARKER} (
    (r.patient_id IS NULL AND r.resource_type IN (${list(viewer.directoryTypes)}))
    OR (r.patient_id IS NULL AND r.resource_type IN (${list(viewer.patientlessTypes)}))
    ${viewer.auditReviewer ? "OR r.resource_type = 'AuditEvent'" : ''}
    OR (r.patient_id IS NOT NULL AND r.resource_type IN (${list(viewer.patientTypes)})
        AND (${inCircle} OR ${emergency})
        AND NOT ${objection}
        ${viewer.gp ? `AND NOT (r.resource_type = 'CarePlan' AND (COALESCE(r.content->'extension' @> ?::jsonb, false)
                          OR (COALESCE(r.content->'category' @> ?::jsonb, false)
                              AND NOT (COALESCE(r.content->'extension' @> ?::jsonb, false) AND COALESCE(r.content->'extension' @> ?::jsonb, false)))))` : ''})
  )`;
  return [{
    text,
    bindings: [
      ...viewer.directoryTypes, ...viewer.patientlessTypes, ...viewer.patientTypes,
      me, me, me, me, me, me, me, actorMatch, me, me,
      ...(viewer.gp ? [
        JSON.stringify([{ url: viewer.shareWithGpUrl, valueBoolean: false }]),
        JSON.stringify([{ coding: [viewer.ppsCategory] }]),
        JSON.stringify([{ url: viewer.shareWithGpUrl, valueBoolean: true }]),
        JSON.stringify([{ url: viewer.handOverUrl }]),
      ] : []),
    ],
  }];
}
