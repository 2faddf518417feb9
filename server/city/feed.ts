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
import { FhirError } from '../fhir-kit/errors.ts';
import { isSignedRcpSheet, LOINC, RCP_SHEET_TYPE } from '../rcp-sheet/index.ts';
import type { FhirRepository, HistoryEntry } from '../store/repository.ts';
import { CHANGE_TYPES, describeChange, isFollowed, type ChangeKind, type ChangeType } from './changes.ts';
import { CHUNK, type MyPatient } from './my-patients.ts';
import { relativeReferenceId } from '../fhir-kit/ids.ts';

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
  for (const type of CHANGE_TYPES) {
    if (!mayReadType(principal, type)) continue; // e.g. no RCP report nor PPS for the pharmacist
    for (let i = 0; i < ids.length; i += CHUNK) {
      const params: Record<string, string> = { ...FOLLOWED[type], subject: ids.slice(i, i + CHUNK).map((id) => `Patient/${id}`).join(',') };
      if (!options.latest) params._lastUpdated = `gt${earliest.toISOString()}`;
      for (const resource of await repo.searchAll<Resource>(type, params)) {
        if (!isFollowed(resource)) continue;
        const patientId = patientIdOf(resource);
        const window = patientId ? windows.get(patientId) : undefined;
        if (!window) continue;
        const updated = resource.meta?.lastUpdated ?? '';
        if (options.latest && isNotable(resource) && updated > (lastChange.get(window.patient.id) ?? '')) lastChange.set(window.patient.id, updated);
        if (!(Date.parse(updated) > window.since.getTime())) continue;
        changes.push(...(await changesOf(repo, resource, window)));
      }
    }
  }
  for (const change of changes) {
    if (change.date > (lastChange.get(change.patient.id) ?? '')) lastChange.set(change.patient.id, change.date);
  }
  return { changes, lastChange };
}

/** The changes of one resource in its patient's window: each version against the one before. */
async function changesOf(repo: FhirRepository, resource: Resource, window: ChangeWindow): Promise<CityChange[]> {
  const type = resource.resourceType;
  const id = resource.id!;
  const since = window.since.getTime();
  const { entries } = await repo.history({ resourceType: type, id, since: window.since.toISOString(), count: MAX_VERSIONS });
  const versions = entries.filter((e) => Date.parse(e.lastUpdated) > since).sort((a, b) => Number(a.versionId) - Number(b.versionId));
  if (!versions.length) return [];
  let previous = await versionBefore(repo, versions[0]!);
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

/** The version a change is compared with: the one just before (none for the first, or after a deletion). */
async function versionBefore(repo: FhirRepository, entry: HistoryEntry): Promise<Resource | undefined> {
  const n = Number(entry.versionId);
  if (n <= 1) return undefined;
  try {
    return await repo.vread(entry.resourceType, entry.id, String(n - 1));
  } catch (error) {
    if (error instanceof FhirError && (error.status === 404 || error.status === 410)) return undefined;
    throw error;
  }
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
