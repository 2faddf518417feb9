import { expect } from 'chai';
import type { AuditEvent, Bundle, BundleEntry, Resource } from '@medplum/fhirtypes';
import { http, startTestServer, TEST_SYSTEM, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, createdId, identifyByHeader, professional, type TestUsers } from '../helpers/users.ts';
import { auditEventFor, BODY, MATRIX_SYSTEM, objectionNaming, observationFocusedOn, provenanceOf, WITHOUT_PATIENT } from './matrix-fixtures.ts';
import { withIdentity } from '../helpers/identity.ts';

/**
 * The access matrix, end to end through the HTTP API: every profession × resource type × patient
 * situation × interaction, against an expectation table written out by hand below. The table is
 * deliberately NOT computed from server/access/policy.ts: this test checks the policy, it does
 * not restate it. Each request acts as one professional chosen by the test's own identify
 * function (test/helpers/users.ts: the header is read by the test, not by the server).
 */

const ROLES = ['physician', 'gp', 'nurse', 'pharmacist', 'coordinator', 'admin'] as const;
type Role = (typeof ROLES)[number];

/**
 * Who may do what, per resource type and profession (from policy.ts, written out):
 *   r  read (by id, by search) patients' data of that type, inside the circle of care and unless
 *      the patient objects to this professional
 *   R  read whatever the patient: directory data, and the audit trail for its reviewer
 *   w  create a resource of that type for a patient inside the circle (and not objecting)
 *   W  create whatever the patient: a new Patient record (the physician only, who joins its care
 *      team), a directory entry
 *   -  never: the type is refused to the profession (403) whatever the patient
 */
const POLICY: Record<string, Record<Role, string>> = table({
  //                    physician  gp     nurse  pharmacist  coordinator  admin
  Patient:           [  'rW',      'r',   'r',   'r',        'r',         '-'   ],
  Condition:         [  'rw',      'r',   '-',   '-',        'r',         '-'   ],
  Observation:       [  'rw',      'rw',  '-',   '-',        'r',         '-'   ],
  MedicationRequest: [  'rw',      'r',   'r',   'r',        '-',         '-'   ],
  CarePlan:          [  'rw',      'rw',  'r',   '-',        'r',         '-'   ],
  CareTeam:          [  'rw',      'rw',  'r',   'r',        'rw',        '-'   ],
  Consent:           [  'rw',      'rw',  '-',   '-',        '-',         '-'   ],
  Composition:       [  'rw',      'rw',  '-',   '-',        'rw',        '-'   ],
  ServiceRequest:    [  'rw',      'r',   '-',   '-',        'rw',        '-'   ],
  Task:              [  'rw',      'rw',  '-',   '-',        'rw',        '-'   ],
  DocumentReference: [  'rw',      'rw',  '-',   '-',        '-',         '-'   ],
  AuditEvent:        [  '-',       '-',   '-',   '-',        '-',         'R'   ],
  Practitioner:      [  'R',       'R',   'R',   'R',        'R',         'RW'  ],
});
const TYPES = Object.keys(POLICY);
/** Types without patient data: not in any patient's circle; their reads are not traced, their writes are. */
const DIRECTORY = new Set(['Practitioner']);

/**
 * in-circle: the professional is in the patient's circle (the GP as declared GP, the physician as
 *   requester of the patient's ServiceRequest, the others as CareTeam participants);
 * out-of-circle: someone else is the patient's GP, team and requester;
 * objected: as in-circle, plus an active Consent whose deny provision names the professional.
 */
const SITUATIONS = ['in-circle', 'out-of-circle', 'objected'] as const;
type Situation = (typeof SITUATIONS)[number];
const INTERACTIONS = ['read', 'search', 'write'] as const;
type Interaction = (typeof INTERACTIONS)[number];

interface Expected { status: number; total?: number }

function expected(role: Role, type: string, situation: Situation, interaction: Interaction): Expected {
  const cell = POLICY[type][role];
  const visible = situation === 'in-circle';
  switch (interaction) {
    case 'read':
      return { status: cell.includes('R') ? 200 : cell.includes('r') ? (visible ? 200 : 404) : 403 };
    case 'search':
      if (cell.includes('R')) return { status: 200, total: 1 };
      return cell.includes('r') ? { status: 200, total: visible ? 1 : 0 } : { status: 403 };
    case 'write':
      return { status: cell.includes('W') ? 201 : cell.includes('w') && visible ? 201 : 403 };
  }
}

function table(rows: Record<string, string[]>): Record<string, Record<Role, string>> {
  return Object.fromEntries(Object.entries(rows).map(([type, cells]) => [type, Object.fromEntries(ROLES.map((r, i) => [r, cells[i]])) as Record<Role, string>]));
}

/** One matrix case as it happened, for the audit-trail checks that follow the matrix. */
interface Observed {
  label: string;
  role: Role;
  type: string;
  situation: Situation;
  interaction: Interaction;
  status: number;
  total?: number;
  /** Id of the resource read, or created. */
  resourceId?: string;
  /** AuditEvents whose agent is this professional, written during the request. */
  events: AuditEvent[];
}

describe('Access matrix: profession × resource type × patient situation × interaction', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users: TestUsers = {};
  /** Practitioner id per test user (the six roles, plus a few extra professionals). */
  const prac: Record<string, string> = {};
  const patients = {} as Record<Situation, string>;
  /** The one resource of each type that belongs to (or, for Practitioner, stands for) each situation. */
  const fixtures = {} as Record<Situation, Record<string, string>>;
  const observed: Observed[] = [];
  /** (agent, patient) AuditEvent counts before the matrix runs. */
  const baseline: Record<string, number> = {};

  const as = (user: string, method: string, path: string, body?: unknown) => http(server, method, path, body, asUser(user));
  const mk = (body: Resource) => createdId(server, body);
  const ref = (type: string, id: string) => ({ reference: `${type}/${id}` });
  const ids = (bundle: Bundle, mode?: 'match' | 'include') =>
    (bundle.entry ?? []).filter((e: BundleEntry) => !mode || e.search?.mode === mode).map((e: BundleEntry) => `${e.resource?.resourceType}/${e.resource?.id}`);

  /** Search by patient, per type: one match per situation for a caller who sees everything. */
  const searchQuery = (type: string, situation: Situation): string => {
    const pid = patients[situation];
    if (type === 'Patient') return `_id=${pid}`;
    if (type === 'Practitioner') return `_id=${fixtures[situation].Practitioner}`;
    if (type === 'AuditEvent') return `patient=Patient/${pid}&subtype=${encodeURIComponent(`${MATRIX_SYSTEM}|fixture`)}`;
    return `patient=Patient/${pid}`;
  };

  /** The trail as the service sees it: the system principal's own searches are not tied to a practitioner. */
  const auditTotal = async (query: string): Promise<number> => {
    const res = await as('system', 'GET', `/AuditEvent?${query}&_summary=count`);
    if (res.status !== 200) throw new Error(`audit count: ${res.status} ${res.text}`);
    return res.body.total as number;
  };
  /**
   * Per-case capture of the trail, read from the store's tables rather than through the API: it is
   * what was actually written, and 700 audited AuditEvent searches would triple the run time. (The
   * (agent, patient) counts through the API, as the service, are checked after the matrix.)
   */
  const lastSeq = async (): Promise<string> => String((await server.services.db('resource').max({ n: 'seq' }).first())?.n ?? 0);
  const agentEventsAfter = async (practitionerId: string, seq: string): Promise<AuditEvent[]> => {
    // The trail's own index (migrations/015-audit-keys.ts), as AuditEvent?agent= reads it.
    const rows = await server.services.db('resource as r')
      .where({ 'r.resource_type': 'AuditEvent' })
      .whereRaw('r.audit_keys @> ARRAY[?]::text[]', [`agent|Practitioner/${practitionerId}`])
      .andWhere('r.seq', '>', seq)
      .orderBy('r.seq')
      .select('r.content');
    return rows.map((row: { content: AuditEvent }) => row.content);
  };

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users) });
    users.system = TEST_SYSTEM;
    // colleague: a physician in the objected patient's care team whom the objection does not name.
    // outsider: a physician in nobody's circle. other: the out-of-circle patient's GP, team, author.
    const roleOf: Record<string, Role> = { colleague: 'physician', outsider: 'physician', other: 'physician' };
    for (const name of [...ROLES, 'colleague', 'outsider', 'other']) {
      prac[name] = await mk({ resourceType: 'Practitioner', name: [{ family: unique(`Matrice-${name}`) }] });
      users[name] = professional(name, [roleOf[name] ?? name], { practitionerId: prac[name], idnps: `8${unique().slice(-9)}` });
    }

    for (const situation of SITUATIONS) {
      const inside = situation !== 'out-of-circle';
      const gp = inside ? prac.gp : prac.other;
      const pid = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique(`Matrice-${situation}`) }], generalPractitioner: [ref('Practitioner', gp)] }));
      patients[situation] = pid;
      const subject = ref('Patient', pid);
      const f: Record<string, string> = { Patient: pid };
      const team = inside ? ['nurse', 'pharmacist', 'coordinator', 'admin', 'colleague'] : ['other'];
      f.CareTeam = await mk({ resourceType: 'CareTeam', status: 'active', subject, participant: team.map((n) => ({ member: ref('Practitioner', prac[n]) })) });
      f.ServiceRequest = await mk({ ...BODY.ServiceRequest(pid, { author: prac.other }), requester: ref('Practitioner', inside ? prac.physician : prac.other) } as Resource);
      f.Consent = await mk(situation === 'objected' ? objectionNaming(pid, ROLES.map((r) => prac[r])) : BODY.Consent(pid, { author: prac.other }));
      f.Condition = await mk(BODY.Condition(pid, { author: prac.other }));
      f.Observation = await mk(BODY.Observation(pid, { author: prac.other }));
      f.MedicationRequest = await mk({ ...BODY.MedicationRequest(pid, { author: prac.other }), requester: ref('Practitioner', prac.other) } as Resource);
      f.CarePlan = await mk({ ...BODY.CarePlan(pid, { author: prac.other }), addresses: [ref('Condition', f.Condition)] } as Resource);
      f.Composition = await mk(BODY.Composition(pid, { author: prac.other }));
      f.DocumentReference = await mk(BODY.DocumentReference(pid, { author: prac.other }));
      f.AuditEvent = await mk(auditEventFor(pid, 'fixture'));
      f.Practitioner = await mk({ resourceType: 'Practitioner', name: [{ family: unique(`Contact-${situation}`) }] });
      fixtures[situation] = f;
    }
    // Tasks point across patients (focus), for the _include/_revinclude checks: the in-circle
    // patient's Task is about the out-of-circle patient's diagnosis, and the other way round.
    const focusOf: Record<Situation, Situation> = { 'in-circle': 'out-of-circle', 'out-of-circle': 'in-circle', objected: 'objected' };
    for (const situation of SITUATIONS) {
      fixtures[situation].Task = await mk({ ...BODY.Task(patients[situation], { author: prac.other }), focus: ref('Condition', fixtures[focusOf[situation]].Condition) } as Resource);
    }
  });
  after(() => server.close());

  describe('fixtures', () => {
    it('the service sees exactly one resource of each type per situation', async () => {
      for (const situation of SITUATIONS) {
        for (const type of TYPES) {
          const res = await as('system', 'GET', `/${type}?${searchQuery(type, situation)}`);
          expect(res.body.total, `system × ${type} × ${situation}`).to.equal(1);
        }
      }
    });

    it('the objection is what hides the record: an in-circle colleague it does not name still sees it', async () => {
      expect((await as('colleague', 'GET', `/Patient/${patients.objected}`)).status).to.equal(200);
      expect((await as('colleague', 'GET', `/Condition?patient=Patient/${patients.objected}`)).body.total).to.equal(1);
    });
  });

  describe('_include / _revinclude never return what the caller may not see', () => {
    const P = () => patients['in-circle'];
    /** Runs the search as the caller and as the service: what the service includes proves the reference exists. */
    const both = async (user: string, query: string) => {
      const mine = await as(user, 'GET', query);
      expect(mine.status, `${user} ${query}`).to.equal(200);
      const all = await as('system', 'GET', query);
      return { mine: ids(mine.body, 'include'), all: ids(all.body, 'include'), total: mine.body.total as number };
    };

    it('pharmacist: MedicationRequest?_include=MedicationRequest:subject (and :requester) returns the patient and the prescriber', async () => {
      const r = await both('pharmacist', `/MedicationRequest?patient=Patient/${P()}&_include=MedicationRequest:subject&_include=MedicationRequest:requester`);
      expect(r.total).to.equal(1);
      expect(r.mine).to.have.members([`Patient/${P()}`, `Practitioner/${prac.other}`]);
    });

    it('nurse: CarePlan?_include=CarePlan:condition (addresses) does not return the Condition it addresses', async () => {
      const r = await both('nurse', `/CarePlan?patient=Patient/${P()}&_include=CarePlan:condition`);
      expect(r.all).to.include(`Condition/${fixtures['in-circle'].Condition}`);
      expect(r.total).to.equal(1);
      expect(r.mine).to.deep.equal([]);
    });

    it('nurse: Patient?_revinclude=Condition:subject / Observation / CarePlan returns only the CarePlan', async () => {
      const r = await both('nurse', `/Patient?_id=${P()}&_revinclude=Condition:subject&_revinclude=Observation:subject&_revinclude=CarePlan:subject`);
      expect(r.all).to.include.members([`Condition/${fixtures['in-circle'].Condition}`, `Observation/${fixtures['in-circle'].Observation}`]);
      expect(r.mine).to.deep.equal([`CarePlan/${fixtures['in-circle'].CarePlan}`]);
    });

    it('coordinator: Patient?_revinclude of Consent, Condition, ServiceRequest, AuditEvent returns the Condition and the ServiceRequest only', async () => {
      const r = await both('coordinator', `/Patient?_id=${P()}&_revinclude=Consent:patient&_revinclude=Condition:subject&_revinclude=ServiceRequest:subject&_revinclude=AuditEvent:patient`);
      expect(r.all).to.include.members([`Consent/${fixtures['in-circle'].Consent}`, `Condition/${fixtures['in-circle'].Condition}`, `AuditEvent/${fixtures['in-circle'].AuditEvent}`]);
      expect(r.mine).to.have.members([`Condition/${fixtures['in-circle'].Condition}`, `ServiceRequest/${fixtures['in-circle'].ServiceRequest}`]);
    });

    it('physician: a reference from an in-circle resource to another patient’s data is not followed (Task:focus)', async () => {
      const inc = await both('physician', `/Task?patient=Patient/${P()}&_include=Task:focus`);
      expect(inc.all).to.deep.equal([`Condition/${fixtures['out-of-circle'].Condition}`]);
      expect(inc.total).to.equal(1);
      expect(inc.mine).to.deep.equal([]);
      const rev = await both('physician', `/Condition?patient=Patient/${P()}&_revinclude=Task:focus`);
      expect(rev.all).to.deep.equal([`Task/${fixtures['out-of-circle'].Task}`]);
      expect(rev.mine).to.deep.equal([]);
    });

    it('from the directory: the GP’s Practitioner?_revinclude=Patient:general-practitioner omits the patient who objects', async () => {
      const r = await both('gp', `/Practitioner?_id=${prac.gp}&_revinclude=Patient:general-practitioner`);
      expect(r.all).to.have.members([`Patient/${patients['in-circle']}`, `Patient/${patients.objected}`]);
      expect(r.mine).to.deep.equal([`Patient/${patients['in-circle']}`]);
    });

    it('from the directory: the nurse’s CareTeam:participant revinclude omits the objecting patient’s team; the admin’s returns none; an outsider’s none', async () => {
      const nurse = await both('nurse', `/Practitioner?_id=${prac.nurse}&_revinclude=CareTeam:participant`);
      expect(nurse.all).to.have.members([`CareTeam/${fixtures['in-circle'].CareTeam}`, `CareTeam/${fixtures.objected.CareTeam}`]);
      expect(nurse.mine).to.deep.equal([`CareTeam/${fixtures['in-circle'].CareTeam}`]);
      expect((await both('admin', `/Practitioner?_id=${prac.admin}&_revinclude=CareTeam:participant`)).mine).to.deep.equal([]);
      const outsider = await both('outsider', `/Practitioner?_id=${prac.other}&_revinclude=Patient:general-practitioner&_revinclude=CareTeam:participant`);
      expect(outsider.all).to.include(`Patient/${patients['out-of-circle']}`);
      expect(outsider.mine).to.deep.equal([]);
    });

    it('admin: AuditEvent?_include=AuditEvent:patient returns the event but not the patient record', async () => {
      const r = await both('admin', `/AuditEvent?${searchQuery('AuditEvent', 'in-circle')}&_include=AuditEvent:patient`);
      expect(r.all).to.deep.equal([`Patient/${P()}`]);
      expect(r.total).to.equal(1);
      expect(r.mine).to.deep.equal([]);
    });
  });

  describe('paging totals for a caller who sees part or none of the matches', () => {
    const code = unique('paging');
    let visiblePatient: string;
    before(async () => {
      // 4 Observations of a patient in the physician's care team, 3 of a patient in nobody's circle among the users.
      visiblePatient = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique('Page-A') }] }));
      await mk({ resourceType: 'CareTeam', status: 'active', subject: ref('Patient', visiblePatient), participant: [{ member: ref('Practitioner', prac.physician) }] });
      const hiddenPatient = await mk(withIdentity({ resourceType: 'Patient', name: [{ family: unique('Page-B') }], generalPractitioner: [ref('Practitioner', prac.other)] }));
      for (const [patient, n] of [[visiblePatient, 4], [hiddenPatient, 3]] as const) {
        for (let i = 0; i < n; i++) {
          await mk({ resourceType: 'Observation', status: 'final', code: { coding: [{ system: MATRIX_SYSTEM, code }] }, subject: ref('Patient', patient), valueInteger: i });
        }
      }
    });
    const query = (extra = '') => `/Observation?code=${encodeURIComponent(`${MATRIX_SYSTEM}|${code}`)}${extra}`;
    const next = (bundle: Bundle) => bundle.link?.find((l) => l.relation === 'next')?.url;

    it('the service counts all 7', async () => {
      expect((await as('system', 'GET', query('&_summary=count'))).body.total).to.equal(7);
    });

    it('out of both circles (an outsider physician, the GP): total 0, no entry, no next link, _summary=count 0', async () => {
      for (const user of ['outsider', 'gp']) {
        const page = await as(user, 'GET', query('&_count=2'));
        expect(page.body.total, user).to.equal(0);
        expect(page.body.entry ?? [], user).to.deep.equal([]);
        expect(next(page.body), user).to.equal(undefined);
        expect((await as(user, 'GET', query('&_summary=count'))).body.total, user).to.equal(0);
        expect((await as(user, 'GET', query('&_count=0'))).body.total, user).to.equal(0);
      }
    });

    it('in one circle: total 4 on every page, pages of 2 + 2 with only that patient’s data, then no next link', async () => {
      const seen: string[] = [];
      let url: string | undefined = `${server.fhirUrl}${query('&_count=2&_total=accurate')}`;
      let pages = 0;
      while (url) {
        const page = await as('physician', 'GET', url.slice(server.fhirUrl.length));
        expect(page.status).to.equal(200);
        expect(page.body.total, `page ${pages + 1}`).to.equal(4);
        for (const e of page.body.entry ?? []) {
          expect(e.resource.subject.reference).to.equal(`Patient/${visiblePatient}`);
          seen.push(e.resource.id);
        }
        pages++;
        url = next(page.body);
        expect(pages).to.be.lessThan(5);
      }
      expect(pages).to.equal(2);
      expect(new Set(seen).size).to.equal(4);
      expect((await as('physician', 'GET', query('&_summary=count'))).body.total).to.equal(4);
    });

    it('a profession that never reads the type gets 403 rather than an empty page', async () => {
      expect((await as('nurse', 'GET', query('&_count=2'))).status).to.equal(403);
    });
  });

  describe('matrix', () => {
    before(async () => {
      for (const role of ROLES) {
        for (const situation of SITUATIONS) baseline[`${role}|${situation}`] = await auditTotal(`agent=Practitioner/${prac[role]}&patient=Patient/${patients[situation]}`);
      }
    });

    // Reads and searches first, then writes: what the writes create would change the search totals.
    for (const interaction of INTERACTIONS) {
      describe(interaction, () => {
        for (const role of ROLES) {
          for (const type of TYPES) {
            for (const situation of SITUATIONS) {
              const want = expected(role, type, situation, interaction);
              const label = `${role} × ${type} × ${situation} × ${interaction}`;
              it(`${label} → ${want.status}${want.total !== undefined ? ` (total ${want.total})` : ''}`, async () => {
                const seq = await lastSeq();
                const res = interaction === 'read'
                  ? await as(role, 'GET', `/${type}/${fixtures[situation][type]}`)
                  : interaction === 'search'
                    ? await as(role, 'GET', `/${type}?${searchQuery(type, situation)}`)
                    : await as(role, 'POST', `/${type}`, BODY[type](patients[situation], { author: prac.other }));
                const events = await agentEventsAfter(prac[role], seq);
                observed.push({
                  label, role, type, situation, interaction, status: res.status, total: res.body?.total, events,
                  resourceId: interaction === 'write' ? res.body?.id : fixtures[situation][type],
                });
                expect(res.status, `${label}: ${res.text.slice(0, 300)}`).to.equal(want.status);
                if (want.total !== undefined) {
                  expect(res.body.total, `${label}: Bundle.total`).to.equal(want.total);
                  expect(ids(res.body, 'match'), `${label}: matches`).to.have.length(want.total);
                }
                if (want.status === 200 && interaction === 'read') expect(res.body.id, label).to.equal(fixtures[situation][type]);
                if (res.status === 403) expect(res.body.resourceType, label).to.equal('OperationOutcome');
              });
            }
          }
        }
      });
    }
  });

  describe('audit trail of every matrix access', () => {
    const ACTION: Record<Interaction, string> = { read: 'R', search: 'E', write: 'C' };
    const patientData = (o: Observed) => !DIRECTORY.has(o.type);
    const check = async (cases: Observed[], problem: (o: Observed) => string | undefined | Promise<string | undefined>) => {
      expect(cases.length, 'cases covered').to.be.greaterThan(0);
      const problems: string[] = [];
      for (const o of cases) {
        const p = await problem(o);
        if (p) problems.push(`${o.label} (${o.status}): ${p}`);
      }
      expect(problems).to.deep.equal([]);
    };
    /** The one AuditEvent of a case, by this professional, with this action and outcome; or what is wrong. */
    const single = (o: Observed, action: string, outcome: '0' | '4'): AuditEvent | string => {
      if (o.events.length !== 1) return `${o.events.length} AuditEvents`;
      const [event] = o.events;
      if (event.agent?.[0]?.who?.reference !== `Practitioner/${prac[o.role]}`) return `agent ${event.agent?.[0]?.who?.reference}`;
      if (event.action !== action || event.outcome !== outcome) return `action ${event.action} outcome ${event.outcome}, expected ${action} ${outcome}`;
      return event;
    };

    it('all matrix cases ran', () => {
      expect(observed).to.have.length(ROLES.length * TYPES.length * SITUATIONS.length * INTERACTIONS.length);
    });

    it('every allowed access to patient data (read 200, search with a match, create 201) left one AuditEvent naming the professional and the patient', async () => {
      const allowed = observed.filter((o) => patientData(o) && (o.status === 201 || (o.status === 200 && (o.interaction === 'read' || o.total === 1))));
      await check(allowed, (o) => {
        const event = single(o, ACTION[o.interaction], '0');
        if (typeof event === 'string') return event;
        const patient = o.type === 'Patient' && o.interaction === 'write' ? o.resourceId : patients[o.situation];
        const refs = entityRefs(event);
        if (!patientEntities(event).includes(`Patient/${patient}`)) return `no Patient/${patient} patient entity in ${refs.join(', ')}`;
        if (o.type !== 'Patient' && !refs.includes(`${o.type}/${o.resourceId}`)) return `no ${o.type}/${o.resourceId} entity in ${refs.join(', ')}`;
        return undefined;
      });
    });

    it('every search that finds nothing (out of circle, objection) left one AuditEvent naming the patient it asked about, as patient entity and in the query (found by AuditEvent?patient=)', async () => {
      const empty = observed.filter((o) => patientData(o) && o.interaction === 'search' && o.status === 200 && o.total === 0);
      expect(empty.some((o) => o.type === 'Patient'), 'includes Patient?_id=').to.equal(true);
      await check(empty, (o) => {
        const event = single(o, 'E', '0');
        if (typeof event === 'string') return event;
        if (!queryOf(event)?.includes(patients[o.situation])) return `query ${queryOf(event)}`;
        const refs = entityRefs(event);
        if (JSON.stringify(refs) !== JSON.stringify([`Patient/${patients[o.situation]}`])) return `entities [${refs.join(', ')}]`;
        if (!patientEntities(event).includes(`Patient/${patients[o.situation]}`)) return 'the patient is not named as patient (object role 1)';
        return undefined;
      });
    });

    /** One failure AuditEvent naming the patient and the resource read (for Patient/{id}, the patient alone). */
    const failedReadNamesPatientAndResource = (o: Observed): string | undefined => {
      const event = single(o, 'R', '4');
      if (typeof event === 'string') return event;
      const pid = patients[o.situation];
      const want = o.type === 'Patient' ? [`Patient/${pid}`] : [`Patient/${pid}`, `${o.type}/${o.resourceId}`];
      const refs = entityRefs(event);
      if (JSON.stringify(refs) !== JSON.stringify(want)) return `entities [${refs.join(', ')}], expected [${want.join(', ')}]`;
      if (!patientEntities(event).includes(`Patient/${pid}`)) return 'the patient is not named as patient (object role 1)';
      return undefined;
    };

    it('every read of a hidden resource (404) left one failure AuditEvent naming the patient and the resource (for Patient/{id}, the patient alone)', async () => {
      const hidden = observed.filter((o) => patientData(o) && o.interaction === 'read' && o.status === 404);
      expect(hidden.some((o) => o.type === 'Patient'), 'includes Patient/{id}').to.equal(true);
      await check(hidden, failedReadNamesPatientAndResource);
    });

    it('a read of a type the profession never reads (403, refused in the HTTP layer) left one failure AuditEvent naming the patient and the resource, whatever the circle', async () => {
      const refused = observed.filter((o) => patientData(o) && o.interaction === 'read' && o.status === 403);
      expect(refused.some((o) => o.situation === 'out-of-circle'), 'includes out-of-circle reads').to.equal(true);
      await check(refused, failedReadNamesPatientAndResource);
    });

    it('a search of a type the profession never reads (403, refused in the HTTP layer, not parsed) left one failure AuditEvent naming the query', async () => {
      const refused = observed.filter((o) => patientData(o) && o.interaction === 'search' && o.status === 403);
      await check(refused, (o) => {
        const event = single(o, 'E', '4');
        if (typeof event === 'string') return event;
        const query = queryOf(event);
        if (!query?.startsWith(`${o.type}?`) || !query.includes(patients[o.situation])) return `query ${query}`;
        return undefined;
      });
    });

    it('a refused write (403: profession may not write the type, or the patient is outside the circle / objects) left one failure AuditEvent, written after the rollback, naming the patient', async () => {
      const refused = observed.filter((o) => patientData(o) && o.interaction === 'write' && o.status === 403);
      expect(refused.some((o) => POLICY[o.type][o.role].includes('w')), 'includes circle refusals').to.equal(true);
      await check(refused, async (o) => {
        const event = single(o, 'C', '4');
        if (typeof event === 'string') return event;
        const pid = patients[o.situation];
        const named = patientEntities(event);
        // A refused new Patient record names that record (its planned id), not the situation patient.
        if (o.type === 'Patient' ? named.length !== 1 || named[0] === `Patient/${pid}` : !named.includes(`Patient/${pid}`)) return `patients named [${named.join(', ')}]`;
        // Rolled back: what the trace names as written does not exist.
        const attempted = entityRefs(event).find((r) => r.startsWith(`${o.type}/`) && r !== `Patient/${pid}`);
        if (!attempted) return `no ${o.type} entity in [${entityRefs(event).join(', ')}]`;
        const stored = await as('system', 'GET', `/${attempted}`);
        if (stored.status !== 404) return `${attempted} exists (${stored.status}): not rolled back`;
        return undefined;
      });
    });

    it('directory reads and searches (Practitioner) are not traced', async () => {
      await check(observed.filter((o) => !patientData(o) && o.interaction !== 'write'), (o) => (o.events.length === 0 ? undefined : `${o.events.length} AuditEvents`));
    });

    it('every directory write is traced: the admin’s creations (201) and the others’ refusals (403), naming the entry and no patient', async () => {
      const writes = observed.filter((o) => !patientData(o) && o.interaction === 'write');
      expect(writes.filter((o) => o.status === 201).map((o) => o.role)).to.deep.equal(['admin', 'admin', 'admin']);
      await check(writes, (o) => {
        const event = single(o, 'C', o.status === 201 ? '0' : '4');
        if (typeof event === 'string') return event;
        const refs = entityRefs(event);
        if (refs.some((r) => r.startsWith('Patient/'))) return `names a patient: [${refs.join(', ')}]`;
        if (o.status === 201 ? JSON.stringify(refs) !== JSON.stringify([`Practitioner/${o.resourceId}`]) : !refs.some((r) => r.startsWith('Practitioner/'))) return `entities [${refs.join(', ')}]`;
        return undefined;
      });
    });

    it('AuditEvent count per (agent = the professional, patient = the situation patient) grew by exactly the accesses that name that patient', async () => {
      // Every read of that patient's data names the patient (200, 404 hidden, 403 refused type); so
      // does every search by patient that the store ran (200, with or without a match), and every
      // write for that patient, created or refused (a new Patient record is another patient). A
      // search refused by the HTTP layer (403) names only its query.
      const names = (type: string, interaction: Interaction, status: number) =>
        interaction === 'read' || (interaction === 'search' && status === 200) || (interaction === 'write' && type !== 'Patient');
      const mismatches: string[] = [];
      for (const role of ROLES) {
        for (const situation of SITUATIONS) {
          let want = 0;
          for (const type of TYPES.filter((t) => !DIRECTORY.has(t))) {
            for (const interaction of INTERACTIONS) if (names(type, interaction, expected(role, type, situation, interaction).status)) want++;
          }
          const got = (await auditTotal(`agent=Practitioner/${prac[role]}&patient=Patient/${patients[situation]}`)) - baseline[`${role}|${situation}`];
          if (got !== want) mismatches.push(`${role} × ${situation}: ${got} AuditEvents, expected ${want}`);
        }
      }
      expect(mismatches).to.deep.equal([]);
    });
  });

  // The checks below run after the matrix and its audit counts: what they write cannot change either.

  describe('creating a patient record', () => {
    it('the physician creates a Patient and joins its care team: the record stays in their circle, and only in theirs', async () => {
      const res = await as('physician', 'POST', '/Patient', BODY.Patient('', { author: prac.other }));
      expect(res.status, res.text).to.equal(201);
      const pid = res.body.id as string;
      expect((await as('physician', 'GET', `/Patient/${pid}`)).status).to.equal(200);
      const teams = await as('system', 'GET', `/CareTeam?patient=Patient/${pid}`);
      expect(teams.body.total).to.equal(1);
      expect(teams.body.entry[0].resource.participant.map((p: any) => p.member.reference)).to.deep.equal([`Practitioner/${prac.physician}`]);
      for (const user of ['gp', 'coordinator', 'outsider']) expect((await as(user, 'GET', `/Patient/${pid}`)).status, user).to.equal(404);
    });

    it('the GP and the coordinator may not create a Patient (403), and no record or care team is left behind', async () => {
      for (const user of ['gp', 'coordinator']) {
        const family = unique('Refuse');
        const res = await as(user, 'POST', '/Patient', withIdentity({ resourceType: 'Patient', name: [{ family }] }));
        expect(res.status, user).to.equal(403);
        expect(res.body.issue[0].details.text, user).to.include('Patient');
        expect((await as('system', 'GET', `/Patient?family=${family}`)).body.total, user).to.equal(0);
      }
    });
  });

  describe('every write is traced, directory included; directory reads are not', () => {
    it('the admin creates then updates a Practitioner: one AuditEvent each (C, U), naming the entry and no patient; reading and searching it leave none', async () => {
      let seq = await lastSeq();
      const created = await as('admin', 'POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: unique('Annuaire') }] });
      expect(created.status, created.text).to.equal(201);
      const id = created.body.id as string;
      const updated = await as('admin', 'PUT', `/Practitioner/${id}`, { ...created.body, telecom: [{ system: 'phone', value: '0491000000' }] });
      expect(updated.status, updated.text).to.equal(200);
      const events = await agentEventsAfter(prac.admin, seq);
      expect(events.map((e) => [e.action, e.outcome, entityRefs(e)])).to.deep.equal([['C', '0', [`Practitioner/${id}`]], ['U', '0', [`Practitioner/${id}`]]]);

      seq = await lastSeq();
      for (const user of ['admin', 'nurse']) {
        expect((await as(user, 'GET', `/Practitioner/${id}`)).status, user).to.equal(200);
        expect((await as(user, 'GET', `/Practitioner?_id=${id}`)).body.total, user).to.equal(1);
      }
      expect(await agentEventsAfter(prac.admin, seq)).to.deep.equal([]);
      expect(await agentEventsAfter(prac.nurse, seq)).to.deep.equal([]);
    });

    it('a refused update (PUT) and a refused delete of an out-of-circle patient’s resource each leave a failure AuditEvent naming the patient; nothing changed', async () => {
      const pid = patients['in-circle'];
      const id = fixtures['in-circle'].Condition;
      const before = (await as('system', 'GET', `/Condition/${id}`)).body;
      const seq = await lastSeq();
      const put = await as('outsider', 'PUT', `/Condition/${id}`, { ...before, clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'remission' }] } });
      expect(put.status, put.text).to.equal(403);
      const del = await as('outsider', 'DELETE', `/Condition/${id}`);
      expect(del.status, del.text).to.equal(403);
      const events = await agentEventsAfter(prac.outsider, seq);
      expect(events.map((e) => [e.action, e.outcome, entityRefs(e)])).to.deep.equal([
        ['U', '4', [`Patient/${pid}`, `Condition/${id}`]],
        ['D', '4', [`Patient/${pid}`, `Condition/${id}`]],
      ]);
      expect((await as('system', 'GET', `/Condition/${id}`)).body.meta.versionId).to.equal(before.meta.versionId);
    });
  });

  describe('patient data without a patient', () => {
    const author = () => ({ author: prac.other });
    const statusOf = async (user: string, path: string) => (await as(user, 'GET', path)).status;

    it('any patient-data type other than Appointment, List, Task, CareTeam, HealthcareService written without a patient is refused (422; 400 where R4 requires it), on create and on update', async () => {
      const cases: [string, string][] = [
        ['physician', 'Condition'], ['physician', 'Observation'], ['physician', 'DocumentReference'], ['physician', 'Binary'],
        ['physician', 'Composition'], ['physician', 'Provenance'], ['gp', 'DocumentReference'], ['gp', 'Observation'], ['coordinator', 'Composition'],
      ];
      const problems: string[] = [];
      for (const [user, type] of cases) {
        const res = await as(user, 'POST', `/${type}`, WITHOUT_PATIENT[type](author()));
        const text: string = res.body?.issue?.[0]?.details?.text ?? '';
        // R4 itself requires Condition.subject: that one is refused as bad structure (400), in French.
        const refused = type === 'Condition'
          ? res.status === 400 && text === 'Propriété obligatoire manquante' && res.body.issue[0].expression?.[0] === 'Condition.subject'
          : res.status === 422 && text.includes('doit être rattachée à un patient');
        if (!refused) problems.push(`${user} POST ${type}: ${res.status} ${text}`);
      }
      // An update may not detach a resource from its patient either.
      const id = fixtures['in-circle'].Observation;
      const { subject: _subject, ...detached } = (await as('system', 'GET', `/Observation/${id}`)).body;
      const put = await as('physician', 'PUT', `/Observation/${id}`, detached);
      if (put.status !== 422 || !put.text.includes('doit être rattachée à un patient')) problems.push(`physician PUT Observation without subject: ${put.status} ${put.text.slice(0, 200)}`);
      expect(problems).to.deep.equal([]);
      expect((await as('system', 'GET', `/Observation/${id}`)).body.subject.reference).to.equal(`Patient/${patients['in-circle']}`);
    });

    it('Appointment, List, Task, CareTeam and HealthcareService may exist without a patient, visible to every profession that reads the type, whatever its circles', async () => {
      // Readers per the policy: the outsider physician (in no circle), the GP and the coordinator read
      // Appointment, List, Task and CareTeam; the nurse Appointment and CareTeam; the pharmacist
      // CareTeam; the admin none of them. HealthcareService is also directory data: everyone reads it.
      const cases: { writer: string; type: string; readers: Record<string, number> }[] = [
        { writer: 'coordinator', type: 'Appointment', readers: { outsider: 200, gp: 200, nurse: 200, coordinator: 200, pharmacist: 403, admin: 403 } },
        { writer: 'coordinator', type: 'List', readers: { outsider: 200, gp: 200, coordinator: 200, nurse: 403, pharmacist: 403, admin: 403 } },
        { writer: 'coordinator', type: 'Task', readers: { outsider: 200, gp: 200, coordinator: 200, nurse: 403, pharmacist: 403, admin: 403 } },
        { writer: 'gp', type: 'CareTeam', readers: { outsider: 200, nurse: 200, pharmacist: 200, coordinator: 200, admin: 403 } },
        { writer: 'admin', type: 'HealthcareService', readers: { outsider: 200, nurse: 200, pharmacist: 200, admin: 200 } },
      ];
      const problems: string[] = [];
      for (const { writer, type, readers } of cases) {
        const res = await as(writer, 'POST', `/${type}`, WITHOUT_PATIENT[type](author()));
        if (res.status !== 201) { problems.push(`${writer} POST ${type}: ${res.status} ${res.text.slice(0, 200)}`); continue; }
        for (const [reader, want] of Object.entries(readers)) {
          const got = await statusOf(reader, `/${type}/${res.body.id}`);
          if (got !== want) problems.push(`${reader} GET ${type} without patient: ${got}, expected ${want}`);
        }
      }
      expect(problems).to.deep.equal([]);
    });

    it('a patient-data resource of another type stored without a patient (by the service) is visible to no professional', async () => {
      const id = (await as('system', 'POST', '/Observation', WITHOUT_PATIENT.Observation(author()))).body.id as string;
      for (const user of ['physician', 'gp', 'outsider', 'other']) expect(await statusOf(user, `/Observation/${id}`), user).to.equal(404);
      const composition = (await as('system', 'POST', '/Composition', WITHOUT_PATIENT.Composition(author()))).body.id as string;
      for (const user of ['physician', 'coordinator']) expect(await statusOf(user, `/Composition/${composition}`), user).to.equal(404);
    });

    it('an Observation with only a focus belongs to the patient it points at (Patient/x, or a resource of x): visible in x’s circle, hidden outside it', async () => {
      const pid = patients['in-circle'];
      for (const focus of [`Patient/${pid}`, `Condition/${fixtures['in-circle'].Condition}`]) {
        const seq = await lastSeq();
        const res = await as('physician', 'POST', '/Observation', observationFocusedOn(focus));
        expect(res.status, `${focus}: ${res.text}`).to.equal(201);
        const [event] = await agentEventsAfter(prac.physician, seq);
        expect(event && patientEntities(event), `${focus}: creation trace`).to.deep.equal([`Patient/${pid}`]);
        for (const [user, want] of Object.entries({ physician: 200, gp: 200, colleague: 200, outsider: 404, other: 404 })) {
          expect(await statusOf(user, `/Observation/${res.body.id}`), `${focus}: ${user}`).to.equal(want);
        }
      }
    });

    it('a physician creating an Observation with only a focus on a patient outside their circle (or who objects) is refused (403); the attempt is traced naming that patient', async () => {
      const cases: [string, Situation][] = [['outsider', 'in-circle'], ['physician', 'out-of-circle'], ['physician', 'objected']];
      const problems: string[] = [];
      for (const [user, situation] of cases) {
        const pid = patients[situation];
        const seq = await lastSeq();
        const res = await as(user, 'POST', '/Observation', observationFocusedOn(`Patient/${pid}`));
        if (res.status !== 403) problems.push(`${user} → ${situation}: ${res.status} ${res.text.slice(0, 200)}`);
        const events = await agentEventsAfter(prac[user], seq);
        const described = events.map((e) => `${e.action} ${e.outcome} [${patientEntities(e).join(', ')}]`);
        if (JSON.stringify(described) !== JSON.stringify([`C 4 [Patient/${pid}]`])) problems.push(`${user} → ${situation}: trace ${JSON.stringify(described)}, expected one failure naming Patient/${pid}`);
      }
      expect(problems).to.deep.equal([]);
    });

    it('a Provenance belongs to the patient of its target: created in the circle, visible in it (by id, by search) and hidden outside it', async () => {
      const f = fixtures['in-circle'];
      const targets = [`Composition/${f.Composition}`, `Condition/${f.Condition}`];
      const res = await as('physician', 'POST', '/Provenance', provenanceOf(targets, prac.physician));
      expect(res.status, res.text).to.equal(201);
      const id = res.body.id as string;
      for (const [user, want] of Object.entries({ physician: 200, colleague: 200, gp: 200, coordinator: 200, outsider: 404, other: 404, nurse: 403 })) {
        expect(await statusOf(user, `/Provenance/${id}`), user).to.equal(want);
      }
      for (const [user, want] of Object.entries({ physician: 1, coordinator: 1, outsider: 0, other: 0 })) {
        expect((await as(user, 'GET', `/Provenance?target=${targets[0]}`)).body.total, `${user} search`).to.equal(want);
      }
    });

    it('a Provenance or a Task pointing at an out-of-circle patient’s data: refused to the physician (403), and when the service writes it, hidden from the physician, visible to that patient’s team', async () => {
      const f = fixtures['out-of-circle'];
      const provenance = provenanceOf([`Composition/${f.Composition}`], prac.other);
      const task = { resourceType: 'Task', status: 'requested', intent: 'order', description: 'Relire le diagnostic', focus: { reference: `Condition/${f.Condition}` } } as Resource;
      for (const body of [provenance, task]) {
        const type = body.resourceType;
        expect((await as('physician', 'POST', `/${type}`, body)).status, `physician POST ${type}`).to.equal(403);
        const id = (await as('system', 'POST', `/${type}`, body)).body.id as string;
        for (const [user, want] of Object.entries({ physician: 404, coordinator: 404, outsider: 404, other: 200 })) {
          expect(await statusOf(user, `/${type}/${id}`), `${user} GET ${type}`).to.equal(want);
        }
      }
    });
  });
});

/** References an AuditEvent names (patients, resources). */
function entityRefs(event: AuditEvent): string[] {
  return (event.entity ?? []).map((e) => e.what?.reference).filter(Boolean) as string[];
}

/** The entities an AuditEvent names as patients (object role 1): what AuditEvent?patient= finds. */
function patientEntities(event: AuditEvent): string[] {
  return (event.entity ?? []).filter((e) => e.role?.code === '1').map((e) => e.what?.reference).filter(Boolean) as string[];
}

function queryOf(event: AuditEvent): string | undefined {
  const q = (event.entity ?? []).find((e) => e.query)?.query;
  return q ? Buffer.from(q, 'base64').toString('utf8') : undefined;
}
