/**
 * "Mes patients": the patients whose declared GP (Patient.generalPractitioner) is the caller, or
 * whose active care team counts the caller as a member. Read through the caller's repository, so
 * the circle of care and the patient's objections apply: a patient who objected is not listed.
 */
import type { CareTeam, Patient } from '@medplum/fhirtypes';
import { patientDisplayName, shownName } from '../identity/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { foldForComparison } from '../fhir-kit/text.ts';
import { isRelativeReference } from '../fhir-kit/ids.ts';
import { orBatches } from '../fhir-kit/search-request.ts';

export type CareReasonCode = 'general-practitioner' | 'care-team';

/** Why the patient is "mine". */
export interface CareReason {
  code: CareReasonCode;
  label: string;
  /** My role in the care team, as written there ("Infirmière libérale (IDEL)"). */
  role?: string;
  careTeam?: string;
}

export interface MyPatient {
  id: string;
  patient: Patient;
  name: string;
  reasons: CareReason[];
}

const REASON_LABEL: Record<CareReasonCode, string> = { 'general-practitioner': 'Médecin traitant', 'care-team': 'Équipe de soins' };

export { patientDisplayName };

/** Sort key by name: accents and case ignored ("Émile" next to "Emile"), then the id decides. */
export function nameSortKey(patient: Pick<Patient, 'name'>): string {
  const n = shownName(patient.name);
  const text = [n?.family, ...(n?.given ?? [])].filter(Boolean).join(' ') || n?.text || '';
  return foldForComparison(text);
}


/** The reasons a patient is mine: declared GP, and each active care team where I am a member (with my role). */
export function careReasonsOf(practitionerId: string, patient: Patient, careTeams: CareTeam[]): CareReason[] {
  const me = `Practitioner/${practitionerId}`;
  const reasons: CareReason[] = [];
  if ((patient.generalPractitioner ?? []).some((g) => g.reference === me)) reasons.push({ code: 'general-practitioner', label: REASON_LABEL['general-practitioner'] });
  const seen = new Set<string>();
  for (const team of careTeams) {
    if (team.status !== 'active' || team.subject?.reference !== `Patient/${patient.id}`) continue;
    for (const p of team.participant ?? []) {
      if (p.member?.reference !== me) continue;
      const role = p.role?.[0]?.text ?? p.role?.[0]?.coding?.find((c) => c.display)?.display;
      const key = role ?? '';
      if (seen.has(key)) continue;
      seen.add(key);
      reasons.push({ code: 'care-team', label: REASON_LABEL['care-team'], ...(role ? { role } : {}), careTeam: `CareTeam/${team.id}` });
    }
  }
  return reasons;
}

/** Every patient of this professional, with why (unordered: see patientSortKey). */
export async function findMyPatients(repo: FhirRepository, practitionerId: string): Promise<MyPatient[]> {
  const me = `Practitioner/${practitionerId}`;
  const declared = await repo.searchAll<Patient>('Patient', { 'general-practitioner': me });
  const teams = (await repo.searchAll<CareTeam>('CareTeam', { participant: me, status: 'active' }))
    .filter((t) => isRelativeReference(t.subject?.reference, 'Patient'));
  const patients = new Map(declared.map((p) => [p.id!, p]));
  const missing = [...new Set(teams.map((t) => t.subject!.reference!.slice('Patient/'.length)))].filter((id) => !patients.has(id));
  for (const ids of orBatches(missing)) {
    for (const p of await repo.searchAll<Patient>('Patient', { _id: ids.join(',') })) patients.set(p.id!, p);
  }
  const teamsOf = new Map<string, CareTeam[]>();
  for (const t of teams) {
    const id = t.subject!.reference!.slice('Patient/'.length);
    teamsOf.set(id, [...(teamsOf.get(id) ?? []), t]);
  }
  return [...patients.values()]
    .map((patient) => ({ id: patient.id!, patient, name: patientDisplayName(patient), reasons: careReasonsOf(practitionerId, patient, teamsOf.get(patient.id!) ?? []) }))
    .filter((p) => p.reasons.length > 0);
}

/** Order of "mes patients": by name (accents and case ignored), then id — stable while records change. */
export function patientSortKey(p: MyPatient): string[] {
  return [nameSortKey(p.patient), p.id];
}

