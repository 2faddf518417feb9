import type { CareTeam, Patient, Resource } from '@medplum/fhirtypes';
import type { Principal, RequestContext } from '../context.ts';
import { businessRule, forbidden } from '../fhir-kit/errors.ts';
import type { AccessStore } from '../store/access-store.ts';
import type { GroupAppender } from '../store/group-append.ts';
import type { AccessRecord, FhirRepository, RepositoryOptions, WriteChange } from '../store/repository.ts';
import { emergencyAccessSql, visibilityConditions, type Viewer } from '../store/visibility-sql.ts';
import { buildAuditEvent, buildIdentityStatusEvent, concernsPatientData } from './audit.ts';
import { identityStatusChange } from '../identity/index.ts';
import { LOINC } from '../fhir-kit/code-systems.ts';
import {
  CARE_PLAN_CATEGORY_CODE, CARE_PLAN_CATEGORY_SYSTEM, HAND_OVER_EXTENSION, RCP_BOARD_CATEGORY_CODE, RCP_BOARD_MEMBERS_SYSTEM,
  RCP_CODE_SYSTEM, RCP_SHEET_LOINC, SHARE_WITH_GP_EXTENSION,
} from '../fhir-kit/shared-codes.ts';
import { DIRECTORY_TYPES, PATIENTLESS_TYPES, isSystem, joinsCareTeamOnCreate, mayReadType, mayReviewAudit, mayWriteType, narrowWriteRefusal, readableTypes } from './policy.ts';

/**
 * The one place access is decided: turns the caller into the visibility SQL applied inside every
 * query, the write check, and the audit hook the store calls on every read and write.
 */
export class AccessControl {
  /** `auditAppender`: group commit for the traces of reads made outside a transaction (store/group-append.ts). */
  constructor(private readonly accessStore: AccessStore, private readonly auditAppender?: GroupAppender) {}

  /**
   * The caller's rule as SQL, made once per professional and roles (all viewerOf depends on):
   * rebuilding it on every request was ~3 % of a read's CPU. Bounded: emptied past 1,000 callers.
   */
  private readonly rules = new Map<string, Pick<RepositoryOptions, 'visibility' | 'wideVisibility' | 'versionVisibility' | 'emergencyAccess'>>();

  optionsFor(ctx: RequestContext): Pick<RepositoryOptions, 'visibility' | 'wideVisibility' | 'versionVisibility' | 'emergencyAccess' | 'authorizeWrite' | 'audit'> {
    // JSON, not a join: roles ['a b'] and ['a', 'b'] must not share a rule.
    const key = JSON.stringify([ctx.principal.practitionerId ?? null, ctx.principal.roles]);
    let rule = this.rules.get(key);
    if (!rule) {
      const viewer = viewerOf(ctx.principal);
      const emergencyAccess = emergencyAccessSql(viewer);
      rule = {
        visibility: visibilityConditions(viewer),
        wideVisibility: visibilityConditions(viewer, { circleAsSet: true }),
        versionVisibility: visibilityConditions(viewer, { ofVersion: true }),
        ...(emergencyAccess ? { emergencyAccess } : {}),
      };
      if (this.rules.size >= 1000) this.rules.clear();
      this.rules.set(key, rule);
    }
    return {
      ...rule,
      authorizeWrite: async (repo, change) => {
        await authorizeWrite(repo, ctx, change);
        await traceIdentityStatusChange(repo, ctx, change);
      },
      audit: (repo, access) => this.audit(repo, ctx, access),
    };
  }

  private async audit(repo: FhirRepository, ctx: RequestContext, access: AccessRecord): Promise<void> {
    if (!concernsPatientData(access)) return;
    const patients = [...new Set(access.resources.map((r) => r.patientId).filter((p): p is string => Boolean(p)))];
    // Rows read with their emergency flag (RepositoryOptions.emergencyAccess) need no lookup.
    const flagged = new Map<string, boolean>();
    for (const r of access.resources) if (r.patientId && r.emergency !== undefined) flagged.set(r.patientId, (flagged.get(r.patientId) ?? false) || r.emergency);
    const unknown = patients.filter((p) => !flagged.has(p));
    const emergency = ctx.principal.practitionerId && unknown.length
      ? await this.breakGlassPatients(repo, ctx.principal.practitionerId, unknown)
      : new Set<string>();
    for (const [p, flag] of flagged) if (flag) emergency.add(p);
    const event = buildAuditEvent(ctx, access, emergency);
    if (this.auditAppender && !repo.writeScope) await this.auditAppender.append(event);
    else await repo.append(event);
  }

  /**
   * The patients among `patients` the practitioner reaches by break-glass. Inside a transaction each
   * patient is looked up once: a workflow step traces dozens of accesses to the same patient, and
   * this lookup was a third of its statements. Grants are written outside request transactions.
   */
  private async breakGlassPatients(repo: FhirRepository, practitionerId: string, patients: string[]): Promise<Set<string>> {
    const key = repo.writeScope;
    if (!key) return this.accessStore.activeBreakGlassPatients(practitionerId, patients, repo.db);
    let known = breakGlassSeen.get(key);
    if (!known) breakGlassSeen.set(key, known = new Map());
    const unknown = patients.filter((p) => !known.has(`${practitionerId}|${p}`));
    if (unknown.length) {
      const found = await this.accessStore.activeBreakGlassPatients(practitionerId, unknown, repo.db);
      for (const p of unknown) known.set(`${practitionerId}|${p}`, found.has(p));
    }
    return new Set(patients.filter((p) => known.get(`${practitionerId}|${p}`)));
  }
}

/** Break-glass answers per open transaction or one-statement create (see breakGlassPatients); gone with it. */
const breakGlassSeen = new WeakMap<object, Map<string, boolean>>();

/** A break-glass answer read with the patient's row inside a write's transaction: its trace looks it up no more. */
function rememberBreakGlass(repo: FhirRepository, practitionerId: string, patientId: string, emergency: boolean): void {
  const key = repo.writeScope;
  if (!key) return;
  let known = breakGlassSeen.get(key);
  if (!known) breakGlassSeen.set(key, known = new Map());
  known.set(`${practitionerId}|${patientId}`, emergency);
}

/** Depends on the principal's practitionerId and roles only: AccessControl.optionsFor keeps it by them. */
export function viewerOf(principal: Principal): Viewer {
  return {
    unrestricted: isSystem(principal),
    practitionerId: principal.practitionerId,
    directoryTypes: DIRECTORY_TYPES,
    patientTypes: [...readableTypes(principal)],
    patientlessTypes: [...readableTypes(principal)].filter((t) => PATIENTLESS_TYPES.includes(t)),
    auditReviewer: mayReviewAudit(principal),
    // PPS to the GP only with the patient's agreement (the choice recorded at hand-over).
    gp: principal.roles.includes('gp'),
    shareWithGpUrl: SHARE_WITH_GP_EXTENSION,
    handOverUrl: HAND_OVER_EXTENSION,
    ppsCategory: { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.pps },
    // City professionals: signed reports and handed-over programmes only (see Viewer).
    nurse: principal.roles.includes('nurse'),
    rcpSheetType: { system: LOINC, code: RCP_SHEET_LOINC },
    rcpDecisionCategory: { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.rcpDecision },
    ppacCategory: { system: CARE_PLAN_CATEGORY_SYSTEM, code: CARE_PLAN_CATEGORY_CODE.ppac },
  };
}

/** A whole type the caller's profession never sees: say so (403) rather than answer empty. */
export function requireReadableType(principal: Principal, resourceType: string): void {
  if (!mayReadType(principal, resourceType)) {
    throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) n'a pas accès aux ressources ${resourceType}`);
  }
}

async function authorizeWrite(repo: FhirRepository, ctx: RequestContext, change: WriteChange): Promise<void> {
  const { principal } = ctx;
  if (isSystem(principal)) return;
  if (!mayWriteType(principal, change.resourceType)) {
    throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) ne peut pas ${verb(change)} de ressource ${change.resourceType}`);
  }
  // The version being replaced must be one the caller may see…
  if (change.action !== 'create' && !(await repo.isVisible(change.resourceType, change.id))) {
    throw forbidden(`${change.resourceType}/${change.id} est hors de votre cercle de soins`);
  }
  const previous = change.previous ?? (change.action === 'delete' ? await repo.readIfExists(change.resourceType, change.id) : undefined);
  // A narrow grant (policy.ts: the GP's after-cancer prescription) covers one kind of content only.
  const narrow = narrowWriteRefusal(principal, change.resourceType, change.action, change.resource, previous);
  if (narrow) throw forbidden(narrow);
  // Board membership opens the board's patients' records: it is the 3C's decision, taken through
  // the RCP API (which checks the caller coordinates that board), never a generic FHIR write.
  if ((isRcpBoardResource(change.resource) || isRcpBoardResource(previous)) && ctx.channel !== 'rcp-board') {
    throw forbidden(`La charte et les membres d'une RCP se modifient par /api/rcp/boards, par un coordonnateur du 3C qui l'organise : ${verb(change)} ${change.resourceType} directement est refusé`);
  }
  // Nobody widens their own access: one's own directory entry and roles are written by someone else.
  if (principal.practitionerId && (concernsPractitioner(change.resource, principal.practitionerId) || concernsPractitioner(previous, principal.practitionerId))) {
    throw forbidden(`Vous ne pouvez pas ${verb(change)} votre propre fiche ou votre propre rôle dans l'annuaire : un autre administrateur doit le faire`);
  }
  // Clinical content must belong to a patient, or it would escape every circle of care.
  if (change.action !== 'delete' && !change.patientId && !DIRECTORY_TYPES.includes(change.resourceType) && !PATIENTLESS_TYPES.includes(change.resourceType)) {
    throw businessRule(`Une ressource ${change.resourceType} doit être rattachée à un patient (subject ou patient)`, [`${change.resourceType}.subject`]);
  }
  // …and the patient the content belongs to must be in the caller's circle (a new Patient excepted).
  const newPatient = change.action === 'create' && change.resourceType === 'Patient';
  if (change.patientId && !newPatient) {
    const patient = await repo.visibility('Patient', change.patientId);
    if (!patient.visible) throw forbidden(`Le patient Patient/${change.patientId} est hors de votre cercle de soins : écriture refusée`);
    if (patient.emergency !== undefined && principal.practitionerId) rememberBreakGlass(repo, principal.practitionerId, change.patientId, patient.emergency);
  }
}

/**
 * A change of identity status (PROV/RECUP/VALI/QUAL) is traced with its from → to, in the same
 * transaction as the Patient update (identito-vigilance: who qualified or downgraded an identity).
 */
async function traceIdentityStatusChange(repo: FhirRepository, ctx: RequestContext, change: WriteChange): Promise<void> {
  if (change.resourceType !== 'Patient' || change.action !== 'update' || !change.previous || !change.resource) return;
  const transition = identityStatusChange(change.previous as Patient, change.resource as Patient);
  if (!transition) return;
  await repo.append(buildIdentityStatusEvent(ctx, change.id, change.resource.meta?.versionId, transition));
}

/** An RCP board's charter (HealthcareService of category rcp) or member list (CareTeam identified as such). */
function isRcpBoardResource(resource: Resource | undefined): boolean {
  if (resource?.resourceType === 'CareTeam') return Boolean(resource.identifier?.some((i) => i.system === RCP_BOARD_MEMBERS_SYSTEM));
  if (resource?.resourceType === 'HealthcareService') return Boolean(resource.category?.some((c) => c.coding?.some((x) => x.system === RCP_CODE_SYSTEM && x.code === RCP_BOARD_CATEGORY_CODE)));
  return false;
}

/** The caller's own Practitioner entry, or a PractitionerRole of theirs (what grants roles and circles). */
function concernsPractitioner(resource: Resource | undefined, practitionerId: string): boolean {
  if (resource?.resourceType === 'Practitioner') return resource.id === practitionerId;
  if (resource?.resourceType === 'PractitionerRole') return resource.practitioner?.reference === `Practitioner/${practitionerId}`;
  return false;
}

function verb(change: WriteChange): string {
  return { create: 'créer', update: 'modifier', delete: 'supprimer' }[change.action];
}

/** The care team a physician joins when creating a patient record (so the record stays in their circle). */
export function careTeamForNewPatient(principal: Principal, patient: Patient): CareTeam | undefined {
  if (!principal.practitionerId || !joinsCareTeamOnCreate(principal)) return undefined;
  return {
    resourceType: 'CareTeam',
    status: 'active',
    name: 'Équipe de soins',
    subject: { reference: `Patient/${patient.id}` },
    // Named and placed as the other members are ("Dr Sophie Lambert — Oncologue médicale"): the
    // record's circle of care showed a bare "Marc Aubert" with no role.
    participant: [{ member: { reference: `Practitioner/${principal.practitionerId}`, display: asPhysician(principal.displayName) }, role: [{ text: 'Médecin ayant ouvert le dossier' }] }],
  };
}

/** Only physicians join on creation (joinsCareTeamOnCreate): their title as their colleagues' is written. */
function asPhysician(name: string): string {
  return /^(Dr|Pr)\.?\s/.test(name) ? name : `Dr ${name}`;
}
