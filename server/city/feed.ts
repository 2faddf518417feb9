/**
 * Gathers the changes of "my patients" after each patient's window start, through the caller's
 * repository: each followed resource changed in the window is read with its versions (history)
 * and each version compared with the one before it (describeChange). Types the caller's
 * profession may not read are skipped, not refused: the pharmacist gets the treatment changes only.
 */
import type { Resource } from '@medplum/fhirtypes';
import { mayReadType } from '../access/index.ts';
import { CARE_PLAN_CATEGORY_SYSTEM, CATEGORY, ORAL_ANTICANCER } from '../care-plan/index.ts';
import type { Principal } from '../context.ts';
import { isSignedRcpSheet, LOINC, RCP_SHEET_TYPE } from '../rcp-sheet/index.ts';
import type { FhirRepository, HistoryEntry } from '../store/repository.ts';
import { CHANGE_TYPES, describeChange, isFollowed, type ChangeKind, type ChangeType } from './changes.ts';
import type { MyPatient } from './my-patients.ts';
import { orBatches } from '../fhir-kit/search-request.ts';
import { relativeReferenceId } from '../fhir-kit/ids.ts';

/** Resources whose versions are read in one query (repository.historyOfEach). */
const CHUNK = 100;

export interface CityChange {
  /** When the version was recorded (ISO instant). */
  date: string;
  patient: { id: string; reference: string; name: string };
  kind: { code: ChangeKind; label: string };
  resource: { reference: string; type: string; id: string; versionId: string; link: string };
  description: string;
  reason?: string;
}

export interface ChangeWindow {
  patient: MyPatient;
  /** Changes strictly after this instant are reported. */
  since: Date;
}

/** The search that finds the followed resources of a type (the domain check isFollowed confirms). */
const FOLLOWED: Record<ChangeType, Record<string, string>> = {
  Composition: { type: `${LOINC}|${RCP_SHEET_TYPE.code}` },
  CarePlan: { category: `${CARE_PLAN_CATEGORY_SYSTEM}|${CATEGORY.pps.code},${CARE_PLAN_CATEGORY_SYSTEM}|${CATEGORY.ppac.code}` },
  MedicationRequest: { category: `${ORAL_ANTICANCER.system}|${ORAL_ANTICANCER.code}` },
};
/** Versions read per resource and window: far above what a programme or a treatment goes through. */
const MAX_VERSIONS = 200;

export interface CollectedChanges {
  changes: CityChange[];
  /** Per patient, when the newest followed resource last changed (also before the window); with `latest` only. */
  lastChange: Map<string, string>;
}

/**
 * Changes of the windows' patients, each after its own `since`. With `latest`, every followed
 * resource is searched (not only those changed in the window) to date each patient's last change.
 */
export async function collectChanges(repo: FhirRepository, principal: Principal, windows: Map<string, ChangeWindow>, options: { latest?: boolean } = {}): Promise<CollectedChanges> {
  const changes: CityChange[] = [];
  const lastChange = new Map<string, string>();
  const ids = [...windows.keys()];
  if (!ids.length) return { changes, lastChange };
  const earliest = new Date(Math.min(...[...windows.values()].map((w) => w.since.getTime())));
  const changed: { resource: Resource; window: ChangeWindow }[] = [];
  for (const type of CHANGE_TYPES) {
    if (!mayReadType(principal, type)) continue; // e.g. no RCP report nor PPS for the pharmacist
    for (const subjects of orBatches(ids.map((id) => `Patient/${id}`))) {
      const params: Record<string, string> = { ...FOLLOWED[type], subject: subjects.join(',') };
      if (!options.latest) params._lastUpdated = `gt${earliest.toISOString()}`;
      for (const resource of await repo.searchAll<Resource>(type, params)) {
        if (!isFollowed(resource)) continue;
        const patientId = patientIdOf(resource);
        const window = patientId ? windows.get(patientId) : undefined;
        if (!window) continue;
        const updated = resource.meta?.lastUpdated ?? '';
        if (options.latest && isNotable(resource) && updated > (lastChange.get(window.patient.id) ?? '')) lastChange.set(window.patient.id, updated);
        if (!(Date.parse(updated) > window.since.getTime())) continue;
        changed.push({ resource, window });
      }
    }
  }
  changes.push(...(await changesOf(repo, changed)));
  for (const change of changes) {
    if (change.date > (lastChange.get(change.patient.id) ?? '')) lastChange.set(change.patient.id, change.date);
  }
  return { changes, lastChange };
}

/**
 * The changes of each resource in its patient's window: each version against the one before. The
 * versions of all the resources are read in one query, and the versions just before the windows in
 * another (each read traced as its own), not two reads per resource.
 */
async function changesOf(repo: FhirRepository, changed: { resource: Resource; window: ChangeWindow }[]): Promise<CityChange[]> {
  const out: CityChange[] = [];
  for (let i = 0; i < changed.length; i += CHUNK) {
    const batch = changed.slice(i, i + CHUNK);
    const histories = await repo.historyOfEach(batch.map(({ resource, window }) => ({ resourceType: resource.resourceType, id: resource.id!, since: window.since.toISOString() })), MAX_VERSIONS);
    const versionsOf = batch.map(({ window }, j) => histories[j]!
      .filter((e) => Date.parse(e.lastUpdated) > window.since.getTime())
      .sort((a, b) => Number(a.versionId) - Number(b.versionId)));
    // The version a change is compared with: the one just before (none for the first).
    const before = versionsOf.map((versions) => versions[0] && Number(versions[0].versionId) > 1 ? versions[0] : undefined);
    const asked = before.filter((e): e is HistoryEntry => Boolean(e));
    const previousVersions = await repo.vreadEach(asked.map((e) => ({ resourceType: e.resourceType, id: e.id, versionId: String(Number(e.versionId) - 1) })));
    for (const [j, { resource, window }] of batch.entries()) {
      const entry = before[j];
      const previous = entry ? previousVersions[asked.indexOf(entry)] : undefined;
      out.push(...describeVersions(resource, window, versionsOf[j]!, previous));
    }
  }
  return out;
}

function describeVersions(resource: Resource, window: ChangeWindow, versions: HistoryEntry[], first: Resource | undefined): CityChange[] {
  const type = resource.resourceType;
  const id = resource.id!;
  let previous = first;
  const out: CityChange[] = [];
  for (const entry of versions) {
    const next = entry.resource;
    if (!next || entry.deleted) {
      previous = undefined;
      continue;
    }
    const described = describeChange(previous, next);
    previous = next;
    if (!described) continue;
    const reference = `${type}/${id}/_history/${entry.versionId}`;
    out.push({
      date: entry.lastUpdated,
      patient: { id: window.patient.id, reference: `Patient/${window.patient.id}`, name: window.patient.name },
      kind: { code: described.kind, label: described.label },
      resource: { reference, type, id, versionId: entry.versionId, link: `/fhir/${reference}` },
      description: described.description,
      ...(described.reason ? { reason: described.reason } : {}),
    });
  }
  return out;
}

/** A draft or an unsigned correction of an RCP sheet is not yet something the city hears of. */
function isNotable(resource: Resource): boolean {
  if (resource.resourceType !== 'Composition') return true;
  return isSignedRcpSheet(resource) || resource.status === 'entered-in-error';
}

function patientIdOf(resource: Resource): string | undefined {
  const ref = (resource as { subject?: { reference?: string } }).subject?.reference;
  return relativeReferenceId(ref, 'Patient');
}
