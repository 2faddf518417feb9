/**
 * "Mes patients" and "ce qui a changé" for city professionals (GP, nurse, pharmacist; hospital
 * physicians may use them too): gathers through the caller's repository (circle of care,
 * objections, audit trail), the summary views of the caller, then the domain functions.
 */
import type { Patient } from '@medplum/fhirtypes';
import type { Principal } from '../context.ts';
import { badRequest, forbidden, notFound } from '../fhir-kit/errors.ts';
import { dateRange } from '../store/date-range.ts';
import type { FhirRepository } from '../store/repository.ts';
import { SummaryViewStore } from '../store/summary-view-store.ts';
import { collectChanges, type ChangeWindow, type CityChange } from './feed.ts';
import { findMyPatients, nameSortKey, patientSortKey, type CareReason, type MyPatient } from './my-patients.ts';
import { decodeCursor, encodeCursor, pageOf } from './paging.ts';
import { foldForComparison } from '../fhir-kit/text.ts';

/** Without a summary view, "what changed" looks back this far. */
export const DEFAULT_WINDOW_DAYS = 90;
/** And never further than this, whatever `since` asks. */
const MAX_WINDOW_DAYS = 366;
const CITY_ROLES = ['gp', 'nurse', 'pharmacist', 'physician'];

/**
 * Only a professional identified in the directory has patients: the GP, the nurse, the
 * pharmacist, a physician. A 3C coordinator or an administrator has none (403).
 */
export function requireCityProfessional(principal: Principal): string {
  if (!principal.roles.some((r) => CITY_ROLES.includes(r))) {
    throw forbidden(`« Mes patients » est réservé aux professionnels qui suivent des patients (médecin, médecin traitant, infirmier, pharmacien) : votre profession (${principal.roles.join(', ') || 'aucun rôle'}) n'en a pas`);
  }
  if (!principal.practitionerId) {
    throw forbidden("« Mes patients » demande un professionnel identifié dans l'annuaire (carte CPS ou Pro Santé Connect)");
  }
  return principal.practitionerId;
}

/** Start of the "what changed" window of one patient: the explicit `since`, else my last view, else DEFAULT_WINDOW_DAYS ago. */
export function windowStart(now: Date, lastView: Date | undefined, since?: Date): Date {
  const start = since ?? lastView ?? new Date(now.getTime() - DEFAULT_WINDOW_DAYS * 86_400_000);
  // A feed of news, not an archive (the record has the history): one year at most, so a page stays cheap.
  const earliest = new Date(now.getTime() - MAX_WINDOW_DAYS * 86_400_000);
  return start < earliest ? earliest : start;
}

/** `since` as a FHIR date or instant ("2026-03-01", "2026-03-01T08:00:00+01:00"): its start. */
export function parseSince(value: unknown, name = 'since'): Date | undefined {
  if (value === undefined || value === '') return undefined;
  const range = typeof value === 'string' ? dateRange(value) : undefined;
  if (!range) throw badRequest(`${name} attend une date (AAAA-MM-JJ) ou une date et heure ISO, reçu '${String(value)}'`, [name]);
  return new Date(range.low);
}

export interface MyPatientItem {
  id: string;
  reference: string;
  name: string;
  birthDate?: string;
  /** Patient.gender when known: the list says "née" or "né" by it. */
  gender?: Patient['gender'];
  reasons: CareReason[];
  /** Newest change of a followed kind (RCP report, PPS/PPAC, oral treatment) I may see; null if none. */
  lastChange: string | null;
  /** Changes after `changesSince` (my last summary view, or the default window). */
  changesSinceLastView: number;
  changesSince: string;
  lastSummaryView: string | null;
  links: { summary: string; changes: string; seen: string };
}

export interface Page<T> {
  items: T[];
  count: number;
  /** Opaque cursor of the next page, absent on the last one. */
  cursor?: string;
}

/** My patients, by name, one page. */
export async function listMyPatients(repo: FhirRepository, principal: Principal, options: { count: number; cursor?: string; now?: Date; name?: string }): Promise<Page<MyPatientItem> & { total: number }> {
  const me = requireCityProfessional(principal);
  const now = options.now ?? new Date();
  const after = options.cursor ? decodeCursor('patients', options.cursor, 2) : undefined;
  const all = (await findMyPatients(repo, me)).filter(nameMatcher(options.name));
  const { page, next } = pageOf(all, patientSortKey, { count: options.count, after, descending: false });
  const views = await new SummaryViewStore(repo.db).lastViews(me, page.map((p) => p.id));
  const windows = windowsOf(page, views, now);
  const { changes, lastChange } = await collectChanges(repo, principal, windows, { latest: true });
  const counts = new Map<string, number>();
  for (const c of changes) counts.set(c.patient.id, (counts.get(c.patient.id) ?? 0) + 1);
  const items = page.map((p): MyPatientItem => ({
    id: p.id,
    reference: `Patient/${p.id}`,
    name: p.name,
    ...(p.patient.birthDate ? { birthDate: p.patient.birthDate } : {}),
    ...(p.patient.gender ? { gender: p.patient.gender } : {}),
    reasons: p.reasons,
    lastChange: lastChange.get(p.id) ?? null,
    changesSinceLastView: counts.get(p.id) ?? 0,
    changesSince: windows.get(p.id)!.since.toISOString(),
    lastSummaryView: views.get(p.id)?.toISOString() ?? null,
    links: { summary: `/fhir/Patient/${p.id}/$summary`, changes: `/api/city/changes?patient=${p.id}`, seen: `/api/city/patients/${p.id}/seen` },
  }));
  return { items, count: items.length, total: all.length, ...(next ? { cursor: encodeCursor('patients', next) } : {}) };
}

/**
 * "Mes patients" searched by name: every word typed starts a word of the patient's names
 * (family and given), accents and case ignored — "cast hel" finds CASTELLANI Hélène.
 */
export function nameMatcher(query: string | undefined): (p: MyPatient) => boolean {
  const words = foldForComparison(query ?? '').split(/[\s,'-]+/).filter(Boolean);
  if (!words.length) return () => true;
  return (p) => {
    // nameSortKey is already folded (accents and case).
    const names = nameSortKey(p.patient).split(/[\s,'-]+/);
    return words.every((w) => names.some((n) => n.startsWith(w)));
  };
}


/** What changed for my patients (or one of them), newest first, one page. */
export async function listChanges(
  repo: FhirRepository, principal: Principal,
  options: { count: number; cursor?: string; since?: Date; patient?: string; now?: Date },
): Promise<Page<CityChange>> {
  const me = requireCityProfessional(principal);
  const now = options.now ?? new Date();
  let patients = await findMyPatients(repo, me);
  if (options.patient !== undefined) {
    patients = patients.filter((p) => p.id === options.patient);
    if (!patients.length) throw notFound(`Patient/${options.patient} ne fait pas partie de vos patients (médecin traitant ou équipe de soins)`);
  }
  const after = options.cursor ? decodeCursor('changes', options.cursor, 2) : undefined;
  const views = await new SummaryViewStore(repo.db).lastViews(me, patients.map((p) => p.id));
  const { changes } = await collectChanges(repo, principal, windowsOf(patients, views, now, options.since));
  const { page, next } = pageOf(changes, changeSortKey, { count: options.count, after, descending: true });
  return { items: page, count: page.length, ...(next ? { cursor: encodeCursor('changes', next) } : {}) };
}

/** Newest first; the versioned reference orders changes recorded at the same instant. */
export function changeSortKey(change: CityChange): string[] {
  return [change.date, change.resource.reference];
}

/** « Marquer comme vu »: the changes of this patient up to `now` are acknowledged — the only way they stop being new. */
export async function markSeen(repo: FhirRepository, principal: Principal, patientId: string, now = new Date()): Promise<void> {
  const me = requireCityProfessional(principal);
  // Read as the caller: a patient outside the circle of care, or who objected, is not found (audited).
  await repo.read<Patient>('Patient', patientId);
  await new SummaryViewStore(repo.db).record(me, patientId, now);
}

function windowsOf(patients: MyPatient[], views: Map<string, Date>, now: Date, since?: Date): Map<string, ChangeWindow> {
  return new Map(patients.map((patient) => [patient.id, { patient, since: windowStart(now, views.get(patient.id), since) }]));
}
