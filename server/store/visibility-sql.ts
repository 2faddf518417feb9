import { RCP_BOARD_MEMBERS_SYSTEM, RCP_CASE_CODE, RCP_CODE_SYSTEM, RCP_SESSION_GROUP_SYSTEM } from '../fhir-kit/shared-codes.ts';
import type { Sql } from './search-sql.ts';

/** Marks the SQL of the access rules: the queries whose plans database.ts keeps per connection. */
export const ACCESS_RULE_MARKER = '/* dcc:access-rule */';


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
   * The caller acts as the patient's GP: a PPS or a PPAC reaches the GP only once handed over to the patient
   * with their agreement to send it (before that, or if they refused, it is hidden), and so do the
   * oral treatments (MedicationRequest) it lists, which are part of it.
   */
  gp: boolean;
  /** Extension URLs of the PPS "share with the GP" choice and of its hand-over; the PPS category. */
  shareWithGpUrl?: string;
  handOverUrl?: string;
  ppsCategory?: { system: string; code: string };
  /**
   * A city professional (GP, nurse) reads only what is signed or handed over: never an RCP sheet
   * still being written nor a decision not yet signed (the GP, unless the author), never an RCP decision nor a PPS /
   * PPAC not yet handed over to the patient (the nurse: "no RCP discussion"); the nurse's own
   * care plans (no DCC category) stay readable.
   */
  nurse?: boolean;
  rcpSheetType?: { system: string; code: string };
  rcpDecisionCategory?: { system: string; code: string };
  ppacCategory?: { system: string; code: string };
}

/**
 * The circle-of-care rules as SQL functions of (patient, practitioner). Inline in every query they
 * were a dozen EXISTS clauses that PostgreSQL re-planned each time (~10 ms of planning for well
 * under 1 ms of work); as PL/pgSQL functions, their queries are planned once per connection.
 * Installed (CREATE OR REPLACE) at start-up from this file, so they always match the code.
 *
 * - dcc_in_circle: declared GP, care-team member, physician who registered a request for the
 *   patient, or the circle of an RCP case: a case registered on a board (Task code rcp-case, owner
 *   = the board) is seen by the board's 3C (a PractitionerRole in the board's organization), the
 *   board's members, and the practitioners of the session where the case is on the agenda.
 * - dcc_circle_patients: the patients of dcc_in_circle, all at once (the same rules, read from the
 *   caller's side; test/access/circle-as-set.test.ts holds them equal).
 * - dcc_emergency: an active emergency (break-glass) access.
 * - dcc_objection: a Consent deny naming the practitioner; or a deny naming nobody, which keeps
 *   the record within the care team (objection to sharing beyond it) unless emergency access was opened.
 */
export const ACCESS_FUNCTIONS_SQL: string[] = [
  `CREATE OR REPLACE FUNCTION dcc_in_circle(p_patient text, p_me text) RETURNS boolean LANGUAGE plpgsql STABLE AS $fn$
   DECLARE
     v_seq bigint;
     v_type text;
   BEGIN
     -- Step by step from the patient, each lookup keyed on one row (res = …): after five calls
     -- PostgreSQL keeps a generic plan, blind to p_me; as one query of ORed EXISTS that plan read
     -- every care team of a physician (12,000 rows, ~9 ms a call) and a custom plan took ~10 ms to make.
     SELECT seq INTO v_seq FROM resource WHERE resource_type = 'Patient' AND id = p_patient;
     IF EXISTS (SELECT 1 FROM sp_reference g
                WHERE g.res = v_seq AND g.resource_type = 'Patient' AND g.param = 'general-practitioner' AND g.target_type = 'Practitioner' AND g.target_id = p_me) THEN
       RETURN true;
     END IF;
     FOR v_seq, v_type IN SELECT seq, resource_type FROM resource
                          WHERE patient_id = p_patient AND resource_type IN ('CareTeam', 'ServiceRequest', 'Task') AND NOT deleted LOOP
       IF v_type = 'CareTeam' THEN
         IF EXISTS (SELECT 1 FROM sp_reference m
                    WHERE m.res = v_seq AND m.resource_type = 'CareTeam' AND m.param = 'participant' AND m.target_type = 'Practitioner' AND m.target_id = p_me) THEN
           RETURN true;
         END IF;
       ELSIF v_type = 'ServiceRequest' THEN
         IF EXISTS (SELECT 1 FROM sp_reference q
                    WHERE q.res = v_seq AND q.resource_type = 'ServiceRequest' AND q.param = 'requester' AND q.target_type = 'Practitioner' AND q.target_id = p_me) THEN
           RETURN true;
         END IF;
       ELSIF EXISTS (SELECT 1 FROM sp_token tc
          JOIN sp_reference tb ON tb.res = tc.res AND tb.resource_type = 'Task' AND tb.param = 'owner' AND tb.target_type = 'HealthcareService'
          WHERE tc.res = v_seq AND tc.resource_type = 'Task' AND tc.param = 'code' AND tc.system = '${RCP_CODE_SYSTEM}' AND tc.code = '${RCP_CASE_CODE}' AND (
            EXISTS (SELECT 1 FROM resource hs
                    JOIN sp_reference ho ON ho.res = hs.seq AND ho.resource_type = 'HealthcareService' AND ho.param = 'organization'
                    JOIN sp_reference pro ON pro.resource_type = 'PractitionerRole' AND pro.param = 'organization' AND pro.target_id = ho.target_id
                    JOIN sp_reference prp ON prp.res = pro.res AND prp.resource_type = 'PractitionerRole' AND prp.param = 'practitioner' AND prp.target_type = 'Practitioner' AND prp.target_id = p_me
                    WHERE hs.resource_type = 'HealthcareService' AND hs.id = tb.target_id)
            OR EXISTS (SELECT 1 FROM sp_token bi
                    JOIN resource bt ON bt.seq = bi.res AND NOT bt.deleted AND bt.patient_id IS NULL
                    JOIN sp_reference bm ON bm.res = bi.res AND bm.resource_type = 'CareTeam' AND bm.param = 'participant' AND bm.target_type = 'Practitioner' AND bm.target_id = p_me
                    WHERE bi.resource_type = 'CareTeam' AND bi.param = 'identifier' AND bi.system = '${RCP_BOARD_MEMBERS_SYSTEM}' AND bi.code = tb.target_id)
            OR EXISTS (SELECT 1 FROM sp_token gi
                    JOIN resource ap ON ap.resource_type = 'Appointment' AND ap.id = gi.code AND NOT ap.deleted
                    JOIN sp_reference apr ON apr.res = ap.seq AND apr.resource_type = 'Appointment' AND apr.param = 'practitioner' AND apr.target_type = 'Practitioner' AND apr.target_id = p_me
                    WHERE gi.res = v_seq AND gi.resource_type = 'Task' AND gi.param = 'group-identifier' AND gi.system = '${RCP_SESSION_GROUP_SYSTEM}'))) THEN
         RETURN true;
       END IF;
     END LOOP;
     RETURN false;
   END $fn$`,
  // The same circle as a set, for searches that may match many rows (circleAsSet below). Staged
  // (MATERIALIZED): the boards and sessions of the caller are a handful and found first; planned
  // as one join, PostgreSQL walked every case for every board (70 ms at 48 cases). A generic plan
  // from the first call: a custom plan took ~5 ms to make, the statement runs in 0.5-3 ms.
  `CREATE OR REPLACE FUNCTION dcc_circle_patients(p_me text) RETURNS SETOF text LANGUAGE plpgsql STABLE
   SET plan_cache_mode = force_generic_plan AS $fn$
   BEGIN
     RETURN QUERY
     WITH boards AS MATERIALIZED (
       SELECT hs.id FROM sp_reference prp
         JOIN sp_reference pro ON pro.res = prp.res AND pro.resource_type = 'PractitionerRole' AND pro.param = 'organization'
         JOIN sp_reference ho ON ho.resource_type = 'HealthcareService' AND ho.param = 'organization' AND ho.target_id = pro.target_id
         JOIN resource hs ON hs.seq = ho.res AND hs.resource_type = 'HealthcareService'
        WHERE prp.resource_type = 'PractitionerRole' AND prp.param = 'practitioner' AND prp.target_type = 'Practitioner' AND prp.target_id = p_me
       UNION
       SELECT bi.code FROM sp_reference bm
         JOIN sp_token bi ON bi.res = bm.res AND bi.resource_type = 'CareTeam' AND bi.param = 'identifier' AND bi.system = '${RCP_BOARD_MEMBERS_SYSTEM}'
         JOIN resource bt ON bt.seq = bi.res AND NOT bt.deleted AND bt.patient_id IS NULL
        WHERE bm.resource_type = 'CareTeam' AND bm.param = 'participant' AND bm.target_type = 'Practitioner' AND bm.target_id = p_me
     ), sessions AS MATERIALIZED (
       SELECT ap.id FROM sp_reference apr
         JOIN resource ap ON ap.seq = apr.res AND ap.resource_type = 'Appointment' AND NOT ap.deleted
        WHERE apr.resource_type = 'Appointment' AND apr.param = 'practitioner' AND apr.target_type = 'Practitioner' AND apr.target_id = p_me
     ), cases AS MATERIALIZED (
       SELECT tb.res FROM boards b
         JOIN sp_reference tb ON tb.resource_type = 'Task' AND tb.param = 'owner' AND tb.target_type = 'HealthcareService' AND tb.target_id = b.id
       UNION
       SELECT gi.res FROM sessions s
         JOIN sp_token gi ON gi.resource_type = 'Task' AND gi.param = 'group-identifier' AND gi.system = '${RCP_SESSION_GROUP_SYSTEM}' AND gi.code = s.id
        WHERE EXISTS (SELECT 1 FROM sp_reference tb WHERE tb.res = gi.res AND tb.resource_type = 'Task' AND tb.param = 'owner' AND tb.target_type = 'HealthcareService')
     )
     SELECT p.id FROM sp_reference g
       JOIN resource p ON p.seq = g.res AND p.resource_type = 'Patient'
      WHERE g.resource_type = 'Patient' AND g.param = 'general-practitioner' AND g.target_type = 'Practitioner' AND g.target_id = p_me
     UNION ALL
     SELECT x.patient_id FROM sp_reference m
       JOIN resource x ON x.seq = m.res AND x.resource_type = m.resource_type AND x.patient_id IS NOT NULL AND NOT x.deleted
      WHERE ((m.resource_type = 'CareTeam' AND m.param = 'participant') OR (m.resource_type = 'ServiceRequest' AND m.param = 'requester'))
        AND m.target_type = 'Practitioner' AND m.target_id = p_me
     UNION ALL
     SELECT t.patient_id FROM cases c
       JOIN resource t ON t.seq = c.res AND t.resource_type = 'Task' AND NOT t.deleted AND t.patient_id IS NOT NULL
      WHERE EXISTS (SELECT 1 FROM sp_token tc WHERE tc.res = c.res AND tc.resource_type = 'Task' AND tc.param = 'code' AND tc.system = '${RCP_CODE_SYSTEM}' AND tc.code = '${RCP_CASE_CODE}');
   END $fn$`,
  `CREATE OR REPLACE FUNCTION dcc_emergency(p_patient text, p_me text) RETURNS boolean LANGUAGE plpgsql STABLE AS $fn$
   BEGIN
     RETURN EXISTS (SELECT 1 FROM break_glass_grant bg WHERE bg.practitioner_id = p_me AND bg.patient_id = p_patient AND bg.expires_at > now());
   END $fn$`,
  `CREATE OR REPLACE FUNCTION dcc_objection(p_patient text, p_me text, p_actor jsonb) RETURNS boolean LANGUAGE plpgsql STABLE AS $fn$
   BEGIN
     RETURN EXISTS (SELECT 1 FROM resource c
      WHERE c.resource_type = 'Consent' AND c.patient_id = p_patient AND NOT c.deleted
        AND c.content->>'status' = 'active' AND c.content->'provision'->>'type' = 'deny'
        AND (c.content->'provision'->'actor' @> p_actor
             OR (c.content->'provision'->'actor' IS NULL
                 AND NOT EXISTS (SELECT 1 FROM resource ct JOIN sp_reference m ON m.res = ct.seq
                                 WHERE ct.resource_type = 'CareTeam' AND ct.patient_id = p_patient AND NOT ct.deleted
                                   AND m.resource_type = 'CareTeam' AND m.param = 'participant' AND m.target_type = 'Practitioner' AND m.target_id = p_me)
                 AND NOT dcc_emergency(p_patient, p_me))));
   END $fn$`,
];

/**
 * Whether the caller reaches row `r` through an active emergency access: read with the row, so
 * the trace of a read or search gets its break-glass flag without a query of its own.
 */
export function emergencyAccessSql(viewer: Viewer): Sql | undefined {
  if (viewer.unrestricted || !viewer.practitionerId) return undefined;
  return { text: 'dcc_emergency(r.patient_id, ?)', bindings: [viewer.practitionerId] };
}

/**
 * Row-level rule on `resource r`, applied inside every query so paging and counts stay right:
 * directory data for all; patient data only of the caller's professions' types, for patients in
 * the caller's circle of care (dcc_in_circle, or an active emergency access), and never against
 * the patient's objection (dcc_objection).
 *
 * `circleAsSet`: the same rule with the circle of care and the emergency accesses computed once
 * per statement, as sets PostgreSQL hashes (dcc_circle_patients), for searches that may match
 * many rows. Row by row, the circle costs ~20 µs a row: 70-120 ms for the 3,400 cancers of a year
 * a 3C's indicators read at 100,000 resources, where the set takes 0.5-3 ms. The set costs that
 * even for one row, which is why reads and searches for given patients keep the row-by-row form.
 *
 * `ofVersion`: for reads of given versions (`resource_version v` joined to `r`: vread, history),
 * the GP's signing-status rules (an RCP sheet not signed, an RCP decision in draft) look at the
 * version read, not at the current one. A signed sheet under correction stays readable as signed
 * (its current version is the correction draft), and the drafts that preceded a signature stay
 * hidden (judged by the current, signed version, they were shown). The sharing rules (a PPS or
 * PPAC handed over, the patient's choice to send it to the GP) judge both: a refusal given today
 * hides the versions shared before it, and a version from before the hand-over stays hidden once
 * the plan is handed over (the nurse's "what changed" listed "PPS établi … pas encore remis").
 */
export function visibilityConditions(viewer: Viewer, options: { circleAsSet?: boolean; ofVersion?: boolean } = {}): Sql[] {
  if (viewer.unrestricted) return [];
  const me = viewer.practitionerId ?? 'unknown:practitioner'; // ':' never occurs in an id: matches nothing
  const list = (values: string[]) => (values.length ? values.map(() => '?').join(', ') : 'NULL');
  const actorMatch = JSON.stringify([{ reference: { reference: `Practitioner/${me}` } }]);
  const circle = options.circleAsSet
    ? `(r.patient_id IN (SELECT dcc_circle_patients(?))
            OR r.patient_id IN (SELECT bg.patient_id FROM break_glass_grant bg WHERE bg.practitioner_id = ? AND bg.expires_at > now()))`
    : '(dcc_in_circle(r.patient_id, ?) OR dcc_emergency(r.patient_id, ?))';
  // The GP's and the nurse's content rules, as SQL on a content (`r.content` or `v.content`) and their bindings.
  // A care plan withheld from the GP: the patient refused to send it, or a PPS or a PPAC not (yet)
  // handed over with their agreement — the PPAC by the same rule as the PPS (a PPAC in preparation
  // reached the GP before the patient had chosen), save to the GP who is writing it (its author).
  // One expression, for the plan itself and for what it lists.
  const withheldFromGp = (c: string): Sql => ({
    text: `(COALESCE(${c}->'extension' @> ?::jsonb, false)
                          OR ((COALESCE(${c}->'category' @> ?::jsonb, false)
                               OR (COALESCE(${c}->'category' @> ?::jsonb, false) AND NOT COALESCE(${c}->'author' @> ?::jsonb, false)))
                              AND NOT (COALESCE(${c}->'extension' @> ?::jsonb, false) AND COALESCE(${c}->'extension' @> ?::jsonb, false))))`,
    bindings: [
      JSON.stringify([{ url: viewer.shareWithGpUrl, valueBoolean: false }]),
      JSON.stringify([{ coding: [viewer.ppsCategory] }]),
      JSON.stringify([{ coding: [viewer.ppacCategory] }]),
      JSON.stringify({ reference: `Practitioner/${me}` }),
      JSON.stringify([{ url: viewer.shareWithGpUrl, valueBoolean: true }]),
      JSON.stringify([{ url: viewer.handOverUrl }]),
    ],
  });
  const gpSharing = (c: string): Sql => {
    const withheld = withheldFromGp(c);
    return { text: `AND NOT (r.resource_type = 'CarePlan' AND ${withheld.text})`, bindings: withheld.bindings };
  };
  // The oral treatments a plan lists (activity.reference) are its content: withheld with it, by
  // the current plans only (a refusal given today hides every version; the plan's index rows are
  // its current version's). The nurse and the pharmacist have their own rules and keep them.
  const gpListedTreatments = (): Sql => {
    const withheld = withheldFromGp('lp.content');
    return {
      text: `AND NOT (r.resource_type = 'MedicationRequest' AND EXISTS (
                 SELECT 1 FROM sp_reference la JOIN resource lp ON lp.seq = la.res AND lp.resource_type = 'CarePlan'
                  WHERE la.resource_type = 'CarePlan' AND la.param = 'activity-reference' AND la.target_id = r.id AND la.target_type = 'MedicationRequest'
                    AND ${withheld.text}))`,
      bindings: withheld.bindings,
    };
  };
  const gpSigned = (c: string): Sql => ({
    text: `AND NOT (r.resource_type = 'Composition' AND COALESCE(${c}->'type' @> ?::jsonb, false) AND COALESCE(${c}->>'status', '') NOT IN ('final', 'amended')
                     AND NOT COALESCE(${c}->'author' @> ?::jsonb, false))
            AND NOT (r.resource_type = 'CarePlan' AND COALESCE(${c}->'category' @> ?::jsonb, false) AND COALESCE(${c}->>'status', '') IN ('draft', 'entered-in-error')
                     AND NOT COALESCE(${c}->'author' @> ?::jsonb, false))`,
    bindings: [
      JSON.stringify({ coding: [viewer.rcpSheetType] }),
      JSON.stringify([{ reference: `Practitioner/${me}` }]),
      JSON.stringify([{ coding: [viewer.rcpDecisionCategory] }]),
      JSON.stringify({ reference: `Practitioner/${me}` }),
    ],
  });
  const nurseHandedOver = (c: string): Sql => ({
    text: `AND NOT (r.resource_type = 'CarePlan' AND (COALESCE(${c}->'category' @> ?::jsonb, false)
                          OR ((COALESCE(${c}->'category' @> ?::jsonb, false) OR COALESCE(${c}->'category' @> ?::jsonb, false))
                              AND NOT COALESCE(${c}->'extension' @> ?::jsonb, false))))`,
    bindings: [
      JSON.stringify([{ coding: [viewer.rcpDecisionCategory] }]),
      JSON.stringify([{ coding: [viewer.ppsCategory] }]),
      JSON.stringify([{ coding: [viewer.ppacCategory] }]),
      JSON.stringify([{ url: viewer.handOverUrl }]),
    ],
  });
  // Of a version: signing status by the version only; sharing and hand-over by the current row
  // (a refusal given today) and by the version (one made before the hand-over was never handed over).
  const contents = options.ofVersion ? ['r.content', 'v.content'] : ['r.content'];
  const rules: Sql[] = [
    ...(viewer.gp ? [...contents.map(gpSharing), gpListedTreatments(), gpSigned(options.ofVersion ? 'v.content' : 'r.content')] : []),
    ...(viewer.nurse ? contents.map(nurseHandedOver) : []),
  ];
  const text = `${ACCESS_RULE_MARKER} (
    (r.patient_id IS NULL AND r.resource_type IN (${list(viewer.directoryTypes)}))
    OR (r.patient_id IS NULL AND r.resource_type IN (${list(viewer.patientlessTypes)}))
    ${viewer.auditReviewer ? "OR r.resource_type = 'AuditEvent'" : ''}
    OR (r.patient_id IS NOT NULL AND r.resource_type IN (${list(viewer.patientTypes)})
        AND ${circle}
        AND NOT dcc_objection(r.patient_id, ?, ?::jsonb)
        ${rules.map((r) => r.text).join('\n        ')})
  )`;
  return [{
    text,
    bindings: [
      ...viewer.directoryTypes, ...viewer.patientlessTypes, ...viewer.patientTypes,
      me, me, me, actorMatch,
      ...rules.flatMap((r) => r.bindings),
    ],
  }];
}
