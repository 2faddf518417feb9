/**
 * The care-programme workflows on the store: each gathers what the pure domain functions need
 * (through the caller's repository, so access rules and the audit trail apply), calls them and
 * writes the result in one transaction. Used by the HTTP operations and by the demo seed.
 * `at` is the moment each workflow judges on (the end of active treatment reached or not, the date
 * of a hand-over): the server's by default, the test's or the demo's when given.
 */
import { randomUUID } from 'node:crypto';
import type {
  CarePlan, CareTeam, Composition, Condition, HealthcareService, MedicationRequest, Organization, Patient, PractitionerRole, Reference, RequestGroup, Resource, ServiceRequest,
} from '@medplum/fhirtypes';
import { FhirError, businessRule, conflict } from '../fhir-kit/errors.ts';
import type { FhirRepository } from '../store/repository.ts';
import { readAll, readOptional } from '../store/optional-reads.ts';
import { requireCurrentVersion } from '../fhir-kit/versions.ts';
import { idOf, relativeReference } from '../fhir-kit/ids.ts';
import { RCP_SHEET_LOINC } from '../fhir-kit/shared-codes.ts';
import { meetingDateOfDecision } from '../rcp-sheet/index.ts';
import { CARE_PLAN_CATEGORY_SYSTEM, CATEGORY, contactRoleOf } from './codes.ts';
import { hasDeclaredGp, isPpac, isPps, kindOf, withUpdateRecord } from './model.ts';
import { checkOrientation, remainingCyclesWarning, remainingOralCycles } from './orientation.ts';
import { longDate, parisDay } from '../fhir-kit/french-dates.ts';
import { compareDates } from '../fhir-kit/dates.ts';
import { isOralAnticancer } from './oral-treatment.ts';
import { withoutUnqualifiedIns } from './patient-identity.ts';
import { closePpsAtEndOfTreatment, endOfTreatmentOf, ppsActivitiesAfter, startPpac, type StartPpacInput } from './ppac.ts';
import { requireDecisionInForce } from './decision-in-force.ts';
import { buildPpsFromDecision, handOverCarePlan, type BuildPpsInput, type HandOverInput } from './pps.ts';
import { directoryReferences, printableCarePlan, type PrintableDocument } from './printable.ts';

const INACTIVE = new Set(['revoked', 'entered-in-error']);

/** Builds and stores the PPS of an RCP decision (PPS, contacts CareTeam, oral MedicationRequests). */
export async function buildPpsForDecision(
  repo: FhirRepository, decisionId: string, input: BuildPpsInput & { coordinationCentre?: Reference }, author: Reference | undefined, at: Date = new Date(),
): Promise<CarePlan> {
  return repo.transaction(async (tx) => {
    // Two clicks on "build the PPS" must not build two.
    await tx.lock(`care-plan:build-pps:${decisionId}`);
    const decision = await tx.read<CarePlan>('CarePlan', decisionId);
    // Said before anything is built (the write rule says it again for any other way of writing a PPS).
    await requireDecisionInForce(tx, decision, 'CarePlan');
    const existing = await ppsOfDecision(tx, decisionId);
    if (existing) throw conflict(`Un PPS existe déjà pour cette décision de RCP (CarePlan/${existing.id}) : modifiez-le plutôt que d'en établir un second`);
    const patientId = idOf(decision.subject, 'Patient');
    if (!patientId) throw businessRule(`La décision CarePlan/${decisionId} ne désigne pas un patient (subject : Patient/…)`, ['CarePlan.subject']);
    const patient = await tx.read<Patient>('Patient', patientId);
    const current = await ppsInProgress(tx, patientId);
    if (current && input.replaces !== `CarePlan/${current.id}`) {
      throw conflict(`Un PPS est en cours pour ce patient (CarePlan/${current.id}${current.period?.start ? `, depuis le ${longDate(current.period.start)}` : ''}) : une fois remis, le nouveau PPS le remplacera auprès du médecin traitant, de l'infirmier(ère) et du pharmacien. Confirmez-le (replaces = CarePlan/${current.id}) et dites si ses traitements en cours se poursuivent (continueCurrent).`);
    }
    const careTeams = await tx.searchAll<CareTeam>('CareTeam', { subject: `Patient/${patientId}`, status: 'active' });
    const requests: Record<string, MedicationRequest | ServiceRequest | RequestGroup> = {};
    for (const activity of decision.activity ?? []) {
      const ref = activity.reference?.reference;
      const request = relativeReference(ref, 'MedicationRequest', 'ServiceRequest', 'RequestGroup');
      if (!request) continue;
      const target = await readOptional<MedicationRequest | ServiceRequest | RequestGroup>(tx, request.type, request.id);
      if (target) requests[ref!] = target;
    }
    // The sheet holding the decision dates it (its meeting), not the decision's first save.
    const sheets = await tx.searchAll<Composition>('Composition', { entry: `CarePlan/${decisionId}`, type: `http://loinc.org|${RCP_SHEET_LOINC}` });
    const rcpMeetingDate = meetingDateOfDecision(decisionId, sheets);
    const built = buildPpsFromDecision(decision, {
      patient,
      author,
      careTeams,
      coordinationCentre: input.coordinationCentre ?? (await coordinationCentreOf(tx, patient)),
      requests,
      ...(rcpMeetingDate ? { rcpMeetingDate } : {}),
      input,
      now: at.toISOString(),
      newId: randomUUID,
    });
    await tx.createWithId(built.careTeam, built.careTeam.id!);
    for (const request of built.medicationRequests) await tx.createWithId(request, request.id!);
    const plan = current ? replacing(built.carePlan, current, input.continueCurrent === true) : built.carePlan;
    return tx.createWithId(plan, plan.id!);
  });
}

/** The patient's PPS handed over and not closed (active or suspended): the programme the city reads. */
async function ppsInProgress(tx: FhirRepository, patientId: string): Promise<CarePlan | undefined> {
  const plans = await tx.searchAll<CarePlan>('CarePlan', { subject: `Patient/${patientId}`, category: `${CARE_PLAN_CATEGORY_SYSTEM}|${CATEGORY.pps.code}`, status: 'active,on-hold' });
  return plans.sort((a, b) => (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
}

const DONE = new Set(['completed', 'cancelled', 'stopped', 'entered-in-error']);

/**
 * The new PPS names the one it replaces and, when the physician said the current treatments go on,
 * takes the current PPS's activities that are not done (same prescriptions referenced, not copied).
 */
function replacing(plan: CarePlan, current: CarePlan, continueCurrent: boolean): CarePlan {
  const carried = continueCurrent ? (current.activity ?? []).filter((a) => !DONE.has(a.detail?.status ?? '')) : [];
  const known = new Set((plan.activity ?? []).map((a) => a.reference?.reference).filter(Boolean));
  const added = carried.filter((a) => !a.reference?.reference || !known.has(a.reference.reference));
  return { ...plan, replaces: [{ reference: `CarePlan/${current.id}` }], ...(added.length ? { activity: [...(plan.activity ?? []), ...added] } : {}) };
}

/** The live PPS built from a decision, if any. */
export async function ppsOfDecision(repo: FhirRepository, decisionId: string): Promise<CarePlan | undefined> {
  const plans = await repo.searchAll<CarePlan>('CarePlan', { 'based-on': `CarePlan/${decisionId}`, category: `${CARE_PLAN_CATEGORY_SYSTEM}|${CATEGORY.pps.code}` });
  return plans.find((p) => !INACTIVE.has(p.status));
}

/** Records the hand-over of a PPS / PPAC; `ifMatch` (version) protects against a concurrent edit. */
export async function handOverProgramme(repo: FhirRepository, id: string, input: HandOverInput, ifMatch?: string, at: Date = new Date()): Promise<CarePlan> {
  return repo.transaction(async (tx) => {
    const plan = await tx.read<CarePlan>('CarePlan', id);
    requireCurrentVersion(plan, ifMatch, 'Relisez-le avant de recommencer.');
    const now = at.toISOString();
    // The GP question is asked only of a patient with a GP on file (the one the PPS would be sent to).
    const patientId = idOf(plan.subject, 'Patient');
    const patient = patientId ? await readOptional<Patient>(tx, 'Patient', patientId) : undefined;
    const next = handOverCarePlan(plan, input, now, { patientHasGp: patient ? hasDeclaredGp(patient) : true });
    // A PPAC prepared ahead takes over when it is handed over, at the end of active treatment:
    // the PPS it replaces closes then, not before (see startPpac).
    if (isPpac(plan)) await closeReplacedPps(tx, plan, (input.date ?? parisDay(new Date(now))).slice(0, 10), now, input.by);
    // A PPS of a later RCP takes over from the one it replaces when handed over: the city reads one programme.
    else if (isPps(plan) && plan.status === 'draft') await closeSupersededPps(tx, plan, (input.date ?? parisDay(new Date(now))).slice(0, 10), now, input.by);
    return (await tx.update(next, { ifMatch: plan.meta?.versionId })).resource;
  });
}

async function closeSupersededPps(tx: FhirRepository, pps: CarePlan, handOverDay: string, now: string, by: Reference | undefined): Promise<void> {
  const previousId = idOf(pps.replaces?.[0], 'CarePlan');
  const previous = previousId ? await readOptional<CarePlan>(tx, 'CarePlan', previousId) : undefined;
  if (!previous || !isPps(previous) || (previous.status !== 'active' && previous.status !== 'on-hold')) return;
  const start = previous.period?.start?.slice(0, 10);
  const end = start && compareDates(start, handOverDay) > 0 ? start : handOverDay;
  const closed = withUpdateRecord({ ...previous, status: 'completed', period: { ...previous.period, end } }, {
    reason: 'other', text: 'Remplacé par le PPS d\'une RCP plus récente', detail: `Remplacé par le PPS CarePlan/${pps.id}, remis le ${longDate(handOverDay)}`, date: now, author: by ?? pps.author,
  });
  await tx.update(closed, { ifMatch: previous.meta?.versionId });
}

async function closeReplacedPps(tx: FhirRepository, ppac: CarePlan, handOverDay: string, now: string, by: Reference | undefined): Promise<void> {
  const ppsId = idOf(ppac.replaces?.[0], 'CarePlan');
  const pps = ppsId ? await readOptional<CarePlan>(tx, 'CarePlan', ppsId) : undefined;
  if (!pps || !isPps(pps) || pps.status !== 'active') return;
  const end = endOfTreatmentOf(ppac) ?? handOverDay;
  if (compareDates(handOverDay, end) < 0) {
    throw businessRule(`Ce PPAC a été préparé pour la fin des traitements actifs, le ${longDate(end)} : il se remet au patient à partir de cette date. D'ici là, le PPS reste le programme en vigueur`, ['date']);
  }
  await tx.update(closePpsAtEndOfTreatment(pps, end, now, by ?? ppac.author), { ifMatch: pps.meta?.versionId });
}

/** Starts the PPAC from a PPS and, when the end of active treatment is reached, closes the PPS, in one transaction. */
export async function startPpacFromPps(repo: FhirRepository, ppsId: string, input: StartPpacInput, author: Reference | undefined, ifMatch?: string, at: Date = new Date()): Promise<CarePlan> {
  return (await startPpacWithWarnings(repo, ppsId, input, author, ifMatch, at)).ppac;
}

/**
 * Starts the PPAC, with what the author must know but that does not block: cycles of an oral
 * treatment still planned after the declared end of active treatment.
 */
export async function startPpacWithWarnings(
  repo: FhirRepository, ppsId: string, input: StartPpacInput, author: Reference | undefined, ifMatch?: string, at: Date = new Date(),
): Promise<{ ppac: CarePlan; warnings: string[] }> {
  return repo.transaction(async (tx) => {
    await tx.lock(`care-plan:start-ppac:${ppsId}`);
    const pps = await tx.read<CarePlan>('CarePlan', ppsId);
    if (!isPps(pps)) throw businessRule(`CarePlan/${ppsId} n'est pas un PPS : le PPAC prend la suite du programme personnalisé de soins`, ['CarePlan.category']);
    requireCurrentVersion(pps, ifMatch, 'Relisez-le avant de recommencer.');
    const existing = (await tx.searchAll<CarePlan>('CarePlan', { replaces: `CarePlan/${ppsId}` })).filter((p) => isPpac(p) && !INACTIVE.has(p.status));
    if (existing.length) throw conflict(`Un PPAC a déjà pris la suite de ce PPS (CarePlan/${existing[0]!.id})`);
    const now = at.toISOString();
    const structure = input?.needsEvaluation?.structure;
    const orientation = structure ? await resolveOrientation(tx, structure, parisDay(new Date(now))) : undefined;
    const started = startPpac(pps, orientation ? { ...input, needsEvaluation: { ...input.needsEvaluation, structure: orientation } } : input, {
      now,
      newId: randomUUID,
      author,
      hospital: pps.author,
      gp: await gpOf(tx, pps),
    });
    const end = started.ppac.period?.start ?? parisDay(new Date(now));
    const oral = (await readAll<MedicationRequest>(tx, 'MedicationRequest', (pps.activity ?? []).map((a) => idOf(a.reference, 'MedicationRequest')))).filter(isOralAnticancer);
    const remaining = remainingOralCycles(oral, end);
    if (!started.pps) {
      // Prepared ahead: an end of active treatment before treatments the PPS still plans is a
      // contradiction nothing explains yet (no stop can have been recorded in the future).
      const later = [
        ...ppsActivitiesAfter(pps, end),
        ...remaining.map((r) => ({ label: r.medication, day: r.lastDay })),
      ].sort((a, b) => compareDates(a.day, b.day));
      if (later.length) {
        const list = later.map((l) => `${l.label} (jusqu'au ${longDate(l.day)})`).join(' ; ');
        throw businessRule(`La fin des traitements actifs déclarée le ${longDate(end)} précède des traitements que le PPS prévoit encore : ${list}. Corrigez la date de fin des traitements, ou modifiez d'abord le PPS (arrêt ou report de ces traitements)`, ['endOfTreatment']);
      }
    } else {
      await tx.update(started.pps, { ifMatch: pps.meta?.versionId });
    }
    const warnings = remaining.map((r) => remainingCyclesWarning(r, end));
    return { ppac: await tx.createWithId(started.ppac, started.ppac.id!), warnings };
  });
}

/**
 * The orientation of the needs evaluation, checked against the directory (décret 2020-1665: a
 * labelled structure; never a missing one nor a pharmacy). A malformed reference is left to
 * startPpac, which names the expected form.
 */
export async function resolveOrientation(repo: FhirRepository, structure: Reference, today: string, field?: string): Promise<Reference> {
  const ref = relativeReference(structure.reference, 'HealthcareService', 'Organization');
  if (!ref) return structure;
  const target = await readOptional<HealthcareService | Organization>(repo, ref.type, ref.id);
  let organization: Organization | undefined;
  let services: HealthcareService[] | undefined;
  if (target?.resourceType === 'Organization') {
    organization = target;
    services = await repo.searchAll<HealthcareService>('HealthcareService', { organization: `Organization/${target.id}` });
  } else if (target?.resourceType === 'HealthcareService') {
    const orgId = idOf(target.providedBy, 'Organization');
    organization = orgId ? await readOptional<Organization>(repo, 'Organization', orgId) : undefined;
  }
  checkOrientation({ reference: structure, target, organization, services }, today, field);
  return { ...structure, display: structure.display ?? target?.name };
}

/**
 * The printable programme as this reader may see it: the diagnosis only for those who may read
 * Condition (not the nurse), the INS only for a qualified identity.
 */
export async function printableProgramme(
  repo: FhirRepository, id: string, may: (type: string) => boolean, version?: string,
): Promise<{ kind: 'pps' | 'ppac'; document: PrintableDocument; plan: CarePlan }> {
  // A given version: the one a message announces (its current one is checked by the caller's read).
  const plan = version ? await repo.vread<CarePlan>('CarePlan', id, version) : await repo.read<CarePlan>('CarePlan', id);
  const kind = kindOf(plan);
  if (kind !== 'pps' && kind !== 'ppac') throw businessRule(`CarePlan/${id} n'est ni un PPS ni un PPAC : seuls les programmes personnalisés s'impriment ici`, ['CarePlan.category']);
  const patientId = idOf(plan.subject, 'Patient');
  const patient = patientId && may('Patient') ? await readOptional<Patient>(repo, 'Patient', patientId) : undefined;
  const careTeams = may('CareTeam') ? await readAll<CareTeam>(repo, 'CareTeam', (plan.careTeam ?? []).map((r) => idOf(r, 'CareTeam'))) : [];
  const medicationRequests = may('MedicationRequest')
    ? await readAll<MedicationRequest>(repo, 'MedicationRequest', (plan.activity ?? []).map((a) => idOf(a.reference, 'MedicationRequest')))
    : [];
  const conditions = may('Condition') ? await readAll<Condition>(repo, 'Condition', (plan.addresses ?? []).map((r) => idOf(r, 'Condition'))) : [];
  const directory = new Map<string, Resource>();
  for (const ref of directoryReferences(plan, careTeams, medicationRequests)) {
    const [type, refId] = ref.split('/') as [string, string];
    const entry = await readOptional<Resource>(repo, type, refId);
    if (entry) directory.set(ref, entry);
  }
  const roles = await contactRoles(repo, directory, may);
  const document = printableCarePlan({ carePlan: plan, patient: patient && withoutUnqualifiedIns(patient), careTeams, medicationRequests, conditions, directory, roles });
  return { kind, document, plan };
}

/**
 * The roles of the practitioners the programme names, and the establishments of those roles and
 * services: where the patient finds a phone number and an address when the practitioner's own
 * entry has only a secure professional mail. Added to `directory`.
 */
async function contactRoles(repo: FhirRepository, directory: Map<string, Resource>, may: (type: string) => boolean): Promise<PractitionerRole[]> {
  const roles: PractitionerRole[] = [];
  if (may('PractitionerRole')) {
    for (const ref of [...directory.keys()].filter((r) => r.startsWith('Practitioner/'))) {
      for (const role of await repo.searchAll<PractitionerRole>('PractitionerRole', { practitioner: ref })) {
        roles.push(role);
        directory.set(`PractitionerRole/${role.id}`, role);
      }
    }
  }
  if (may('Organization')) {
    const places = [
      ...roles.map((r) => r.organization),
      ...[...directory.values()].filter((r): r is PractitionerRole => r.resourceType === 'PractitionerRole').map((r) => r.organization),
      ...[...directory.values()].filter((r): r is HealthcareService => r.resourceType === 'HealthcareService').map((r) => r.providedBy),
    ];
    for (const id of new Set(places.map((r) => idOf(r, 'Organization')).filter((x): x is string => Boolean(x)))) {
      if (directory.has(`Organization/${id}`)) continue;
      const org = await readOptional<Organization>(repo, 'Organization', id);
      if (org) directory.set(`Organization/${id}`, org);
    }
  }
  return roles;
}

/** The 3C of the establishment that manages the patient (Organization of type 3C, part of it). */
async function coordinationCentreOf(repo: FhirRepository, patient: Patient): Promise<Reference | undefined> {
  const orgId = idOf(patient.managingOrganization, 'Organization');
  if (!orgId) return undefined;
  const centres = await repo.searchAll<Organization>('Organization', { type: '3C', partof: `Organization/${orgId}` });
  const centre = centres[0];
  return centre ? { reference: `Organization/${centre.id}`, display: centre.name } : undefined;
}

/** The GP who sees the patient at the GP visits: from the PPS contacts, else the patient's declared GP. */
async function gpOf(repo: FhirRepository, pps: CarePlan): Promise<Reference | undefined> {
  for (const ref of pps.careTeam ?? []) {
    const id = idOf(ref, 'CareTeam');
    const team = id ? await readOptional<CareTeam>(repo, 'CareTeam', id) : undefined;
    const gp = team?.participant?.find((p) => contactRoleOf(p.role) === 'gp' && p.member?.reference);
    if (gp?.member) return gp.member;
  }
  const patientId = idOf(pps.subject, 'Patient');
  const patient = patientId ? await readOptional<Patient>(repo, 'Patient', patientId) : undefined;
  return patient?.generalPractitioner?.[0];
}

