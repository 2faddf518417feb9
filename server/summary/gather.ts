/**
 * Reads what a summary needs, through the caller's repository: the store applies the circle of
 * care, the patient's objections and the "PPS to the GP only with the patient's agreement" rule,
 * and traces every read. Only the types the audience's profession reads are asked for (a physician
 * previewing the pharmacist's summary sees what the pharmacist would see).
 */
import type {
  Appointment, CarePlan, CareTeam, Composition, Condition, MedicationRequest, Observation, Patient, PractitionerRole, Provenance, ResearchSubject, Resource,
} from '@medplum/fhirtypes';
import { DIRECTORY_TYPES, mayReadType, readableTypes } from '../access/index.ts';
import type { Principal } from '../context.ts';
import { CARE_PLAN_CATEGORY_SYSTEM, CATEGORY, ORAL_ANTICANCER } from '../care-plan/index.ts';
import { FhirError } from '../fhir-kit/errors.ts';
import { AUTHOR_SIGNATURE, byLatestMeeting, hasCoding, isSignedRcpSheet, RCP_SHEET_TAG, RCP_SHEET_TYPE, referenceKey, referencesIn, SECTION as RCP_SECTION, sectionEntries } from '../rcp-sheet/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { STAGE_CODES, type SignedRcpProposal } from './clinical.ts';
import type { Audience } from './codes.ts';
import type { SummarySources } from './build.ts';
import { hasVersionIdOrNone, parseRelativeReference } from '../fhir-kit/ids.ts';

/** A relative reference, unversioned or with a versionId of this server's form. */
const sourceReference = (value: string) => {
  const target = parseRelativeReference(value);
  return target && hasVersionIdOrNone(target) ? target : undefined;
};

/** The patient-data types a summary for this audience may show: what that profession reads (policy.ts). */
export function audienceTypes(audience: Audience): ReadonlySet<string> {
  return readableTypes({ displayName: audience, roles: [audience], authMethod: 'system' });
}

export async function gatherSummarySources(repo: FhirRepository, principal: Principal, patientId: string, audience: Audience): Promise<SummarySources> {
  const types = audienceTypes(audience);
  const may = (type: string) => types.has(type) && mayReadType(principal, type);
  // Out of the circle of care, objection: the store answers 404 (and traces the attempt).
  const patient = await repo.read<Patient>('Patient', patientId);
  const subject = `Patient/${patientId}`;

  const none = async <T>(): Promise<T[]> => [];
  const planOf = async (code: string) => latestPlan(await repo.searchAll<CarePlan>('CarePlan', { subject, category: `${CARE_PLAN_CATEGORY_SYSTEM}|${code}` }));
  // Independent searches, sent together: their audit traces are written in one group commit.
  const [careTeams, conditions, recordedStages, signedSheets, pps, ppac, researchSubjects] = await Promise.all([
    may('CareTeam') ? repo.searchAll<CareTeam>('CareTeam', { subject, status: 'active' }) : none<CareTeam>(),
    audience === 'gp' && may('Condition') ? repo.searchAll<Condition>('Condition', { subject }) : none<Condition>(),
    audience === 'gp' && may('Observation')
      ? repo.searchAll<Observation>('Observation', { subject, code: STAGE_CODES.map((c) => `${c.system}|${c.code}`).join(',') })
      : none<Observation>(),
    audience === 'gp' && may('Composition') ? signedRcpSheets(repo, patientId) : none<Composition>(),
    audience !== 'pharmacist' && may('CarePlan') ? planOf(CATEGORY.pps.code) : Promise.resolve(undefined),
    audience !== 'pharmacist' && may('CarePlan') ? planOf(CATEGORY.ppac.code) : Promise.resolve(undefined),
    // The GP is told of a trial participation (who to call about it); the nurse and the pharmacist are not.
    audience === 'gp' && may('ResearchSubject') ? repo.searchAll<ResearchSubject>('ResearchSubject', { individual: subject }) : none<ResearchSubject>(),
  ]);
  const [rcp, observations] = await Promise.all([
    audience === 'gp' && may('Composition') ? latestSignedRcpProposal(repo, patientId, may, signedSheets) : Promise.resolve(undefined),
    signedStages(repo, recordedStages, signedSheets),
  ]);
  // The GP's summary names the PPS's oral treatments in its calendar; the nurse's and the pharmacist's list them.
  const [medicationRequests, appointments] = await Promise.all([
    may('MedicationRequest') && (audience !== 'gp' || pps)
      ? repo.searchAll<MedicationRequest>('MedicationRequest', { subject, category: `${ORAL_ANTICANCER.system}|${ORAL_ANTICANCER.code}` })
      : none<MedicationRequest>(),
    audience === 'nurse' && may('Appointment') ? repo.searchAll<Appointment>('Appointment', { patient: subject }) : none<Appointment>(),
  ]);

  const gathered: Resource[] = [patient, ...careTeams, ...(pps ? [pps] : []), ...(ppac ? [ppac] : []), ...medicationRequests, ...appointments,
    ...(rcp ? [rcp.sheet, ...(rcp.provenance ? [rcp.provenance] : [])] : []), ...researchSubjects];
  const directory = await readDirectory(repo, directoryReferences(gathered));
  const practitioners = [...directory.keys()].filter((k) => k.startsWith('Practitioner/'));
  const practitionerRoles = practitioners.length ? await repo.searchAll<PractitionerRole>('PractitionerRole', { practitioner: practitioners.join(','), active: 'true' }) : [];
  for (const [key, resource] of await readDirectory(repo, directoryReferences(practitionerRoles).filter((k) => !directory.has(k)))) directory.set(key, resource);

  return { patient, conditions, observations, ...(rcp ? { rcp } : {}), ...(pps ? { pps } : {}), ...(ppac ? { ppac } : {}), medicationRequests, appointments, researchSubjects, careTeams, directory, practitionerRoles };
}

/**
 * The signed RCP sheet of the patient's latest meeting (a sheet under correction counts by its
 * signed version), its decision at the version signed, and the Provenance carrying the signature.
 * Latest by the meeting, not by the signature: a report signed late (or corrected) for an older
 * meeting showed the GP a proposal the later meeting had replaced. Same meeting: the later signature.
 */
export async function latestSignedRcpProposal(repo: FhirRepository, patientId: string, may: (type: string) => boolean = () => true, signedSheets?: Composition[]): Promise<SignedRcpProposal | undefined> {
  const signed = [...(signedSheets ?? await signedRcpSheets(repo, patientId))];
  const sheet = signed.sort(byLatestMeeting)[0];
  if (!sheet) return undefined;

  const proposal = sheet.section?.find((s) => s.code?.coding?.some((c) => c.code === RCP_SECTION.proposal.code));
  const decisionRef = proposal?.entry?.map((e) => sourceReference(referenceKey(e.reference ?? ''))).find((target) => target?.type === 'CarePlan');
  const decision = decisionRef && may('CarePlan')
    ? await optional(() => (decisionRef.version ? repo.vread<CarePlan>('CarePlan', decisionRef.id, decisionRef.version) : repo.read<CarePlan>('CarePlan', decisionRef.id)))
    : undefined;
  let provenance: Provenance | undefined;
  if (may('Provenance')) {
    const target = `Composition/${sheet.id}/_history/${sheet.meta?.versionId}`;
    const traces = await repo.searchAll<Provenance>('Provenance', { target: `Composition/${sheet.id}` });
    provenance = traces.find((p) => p.target?.some((t) => t.reference && referenceKey(t.reference) === target)
      && p.signature?.some((s) => s.type?.some((t) => t.system === AUTHOR_SIGNATURE.system && t.code === AUTHOR_SIGNATURE.code)));
  }
  return { sheet, ...(decision ? { decision } : {}), ...(provenance ? { provenance } : {}) };
}

/**
 * The patient's signed RCP sheets, as signed: a sheet under correction counts by its signed version.
 * A GP's search does not return a sheet under correction at all (its current version is a draft,
 * which the GP may not read): its signature's Provenance, in the patient's compartment, names the
 * version signed, which the GP reads (store/visibility-sql.ts, `ofVersion`). Without it, the RCP
 * proposal and the stage the GP had received vanished from the summary during every correction.
 */
export async function signedRcpSheets(repo: FhirRepository, patientId: string): Promise<Composition[]> {
  const subject = `Patient/${patientId}`;
  const [sheets, signatures] = await Promise.all([
    repo.searchAll<Composition>('Composition', { subject, type: `${RCP_SHEET_TYPE.system}|${RCP_SHEET_TYPE.code}` }),
    repo.searchAll<Provenance>('Provenance', { target: subject }),
  ]);
  // A sheet whose current version is signed is read as it is; any other (a correction draft, or
  // one the caller cannot see) at the version its last signature names, all in one query.
  const signed = sheets.filter(isSignedRcpSheet);
  const current = new Set(signed.map((s) => s.id));
  const versions = [...lastSignedVersions(signatures)].filter(([id]) => !current.has(id));
  const earlier = await repo.vreadEach(versions.map(([id, versionId]) => ({ resourceType: 'Composition', id, versionId })));
  for (const sheet of earlier as (Composition | undefined)[]) {
    if (sheet && isSignedRcpSheet(sheet) && hasCoding(sheet.type?.coding, RCP_SHEET_TYPE)) signed.push(sheet);
  }
  return signed;
}

/** Composition id → the newest version a signature (author's signature Provenance) names. */
function lastSignedVersions(signatures: Provenance[]): Map<string, string> {
  const last = new Map<string, string>();
  for (const p of signatures) {
    if (!p.signature?.some((s) => s.type?.some((t) => t.system === AUTHOR_SIGNATURE.system && t.code === AUTHOR_SIGNATURE.code))) continue;
    for (const t of p.target ?? []) {
      const target = sourceReference(referenceKey(t.reference ?? ''));
      if (target?.type !== 'Composition' || !target.version) continue;
      const known = last.get(target.id);
      if (!known || Number(target.version) > Number(known)) last.set(target.id, target.version);
    }
  }
  return last;
}

/**
 * The stages a summary may show: those of the record, and those an RCP sheet wrote only as a
 * signed sheet holds them (the version its signature pinned). A sheet still being written — for a
 * coming meeting, or a correction — records its stage as it goes; shown to the GP, that draft
 * read as the RCP's assessment, dated on a meeting that has not taken place.
 */
async function signedStages(repo: FhirRepository, observations: Observation[], signedSheets: Composition[]): Promise<Observation[]> {
  const pinned = new Map<string, Set<string>>(); // Observation id → versions a signed sheet holds
  for (const sheet of signedSheets) {
    for (const { reference } of sectionEntries(sheet.section)) {
      const target = sourceReference(referenceKey(reference));
      if (target?.type === 'Observation' && target.version) pinned.set(target.id, (pinned.get(target.id) ?? new Set()).add(target.version));
    }
  }
  const kept: Observation[] = [];
  for (const o of observations) {
    if (!hasCoding(o.meta?.tag, RCP_SHEET_TAG)) { kept.push(o); continue; }
    const versions = pinned.get(o.id!);
    if (!versions) continue;
    if (versions.has(o.meta?.versionId ?? '')) { kept.push(o); continue; }
    const newest = [...versions].sort((a, b) => Number(b) - Number(a))[0]!;
    const signed = await optional(() => repo.vread<Observation>('Observation', o.id!, newest));
    if (signed) kept.push(signed);
  }
  return kept;
}

const RANK: Record<string, number> = { active: 0, 'on-hold': 1, completed: 2, draft: 3, unknown: 4 };

/** The programme in force: active before suspended, closed or draft; the newest first. Cancelled ones never. */
export function latestPlan(plans: CarePlan[]): CarePlan | undefined {
  return plans
    .filter((p) => p.status !== 'revoked' && p.status !== 'entered-in-error')
    .sort((a, b) => (RANK[a.status] ?? 9) - (RANK[b.status] ?? 9) || (b.meta?.lastUpdated ?? '').localeCompare(a.meta?.lastUpdated ?? ''))[0];
}

function directoryReferences(resources: Resource[]): string[] {
  const refs = new Set<string>();
  for (const r of resources) {
    for (const ref of referencesIn(r)) {
      const target = sourceReference(referenceKey(ref));
      if (target && DIRECTORY_TYPES.includes(target.type)) refs.add(`${target.type}/${target.id}`);
    }
  }
  return [...refs];
}

/** Directory entries by "Type/id": one search per type (directory reads carry no patient data). */
async function readDirectory(repo: FhirRepository, refs: string[]): Promise<Map<string, Resource>> {
  const byType = new Map<string, string[]>();
  for (const ref of refs) {
    const [type, id] = ref.split('/') as [string, string];
    byType.set(type, [...(byType.get(type) ?? []), id]);
  }
  const directory = new Map<string, Resource>();
  for (const [type, ids] of byType) {
    for (const resource of await repo.searchAll(type, { _id: ids.join(',') })) directory.set(`${type}/${resource.id}`, resource);
  }
  return directory;
}

/** A read that may miss (deleted, outside the circle): the store still traces the attempt. */
async function optional<T>(read: () => Promise<T>): Promise<T | undefined> {
  try {
    return await read();
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
}
