/**
 * Activity report of the after-cancer pathway for the regional health agency (ARS), per semester:
 * active file, patients by age band, cancer site and treatment type, consultations prescribed vs
 * honoured. Pure: built from what the caller gathered (the patients it may see: `coverage`).
 */
import type { Appointment, CarePlan, Condition, Patient, ServiceRequest } from '@medplum/fhirtypes';
import { THERAPY_TYPES } from '../care-plan/index.ts';
import { badRequest } from '../fhir-kit/errors.ts';
import { frenchCsv } from '../print/index.ts';
import { PATHWAY_NEED, needOf, type PathwayNeed } from './prescription.ts';

export interface Semester {
  label: string;
  /** First day (inclusive) and first day after (exclusive), YYYY-MM-DD. */
  from: string;
  to: string;
}

/** `2026-S2` → 1 July 2026 to 1 January 2027 (exclusive). */
export function parseSemester(value: unknown): Semester {
  const m = typeof value === 'string' ? /^(\d{4})-S([12])$/.exec(value) : null;
  if (!m) throw badRequest(`semester=${String(value ?? '')} : semestre attendu sous la forme AAAA-S1 (janvier-juin) ou AAAA-S2 (juillet-décembre)`, ['semester']);
  const year = Number(m[1]);
  return m[2] === '1' ? { label: value as string, from: `${year}-01-01`, to: `${year}-07-01` } : { label: value as string, from: `${year}-07-01`, to: `${year + 1}-01-01` };
}

export const AGE_BANDS: [string, number, number][] = [['0-17', 0, 17], ['18-39', 18, 39], ['40-64', 40, 64], ['65-74', 65, 74], ['75+', 75, 200]];
export type TreatmentType = 'surgery' | 'radiotherapy' | 'systemic' | 'other';
export const TREATMENT_LABEL: Record<TreatmentType, string> = { surgery: 'Chirurgie', radiotherapy: 'Radiothérapie', systemic: 'Traitement médicamenteux', other: 'Autre' };

export interface PathwayData {
  prescriptions: ServiceRequest[];
  appointments: Appointment[];
  patients: Map<string, Patient>;
  conditions: Map<string, Condition>;
  /** PPS of each PPAC ("CarePlan/<ppac id>" → PPS): its treatments give the treatment types. */
  ppsOfPpac: Map<string, CarePlan>;
}

export interface PathwayReport {
  semester: Semester;
  activeFile: number;
  byAgeBand: Record<string, number>;
  byCancerSite: Record<string, number>;
  byTreatmentType: Record<TreatmentType, number>;
  consultations: Record<PathwayNeed, { prescribed: number; honoured: number; notHonoured: number }>;
  coverage: string;
}

const overlaps = (p: ServiceRequest, s: Semester) => (p.occurrencePeriod?.start ?? p.authoredOn ?? '') < s.to && (p.occurrencePeriod?.end ?? '9999') >= s.from;
const inSemester = (date: string | undefined, s: Semester) => Boolean(date) && date!.slice(0, 10) >= s.from && date!.slice(0, 10) < s.to;

export function ageAt(birthDate: string, date: string): number {
  const [by, bm, bd] = birthDate.split('-').map(Number);
  const [y, m, d] = date.split('-').map(Number);
  return y! - by! - ((m! < (bm ?? 1) || (m === (bm ?? 1) && d! < (bd ?? 1))) ? 1 : 0);
}

export function treatmentTypesOf(pps: CarePlan | undefined): Set<TreatmentType> {
  const types = new Set<TreatmentType>();
  for (const a of pps?.activity ?? []) {
    if (!a.extension?.some((e) => e.valueCoding?.code === 'MED-568')) continue;
    if (a.reference?.reference?.startsWith('MedicationRequest/')) { types.add('systemic'); continue; }
    const code = a.detail?.code?.coding?.find((c) => THERAPY_TYPES.some((t) => t.system === c.system && t.code === c.code))?.code;
    types.add(code === '387713003' ? 'surgery' : code === 'C15313' || code === 'C15195' ? 'radiotherapy' : code && ['C15632', 'C93352', 'C547', 'C15262'].includes(code) ? 'systemic' : 'other');
  }
  return types;
}

export function buildPathwayReport(data: PathwayData, semester: Semester): PathwayReport {
  const active = data.prescriptions.filter((p) => overlaps(p, semester));
  const patients = new Map<string, ServiceRequest[]>();
  for (const p of active) {
    const ref = p.subject?.reference;
    if (ref) patients.set(ref, [...(patients.get(ref) ?? []), p]);
  }
  const byAgeBand = Object.fromEntries(AGE_BANDS.map(([label]) => [label, 0]));
  const byCancerSite: Record<string, number> = {};
  const byTreatmentType: Record<TreatmentType, number> = { surgery: 0, radiotherapy: 0, systemic: 0, other: 0 };
  for (const [ref, requests] of patients) {
    const birth = data.patients.get(ref)?.birthDate;
    if (birth) {
      const age = ageAt(birth, semester.from);
      const band = AGE_BANDS.find(([, lo, hi]) => age >= lo && age <= hi);
      if (band) byAgeBand[band[0]]! += 1;
    } else {
      byAgeBand['inconnu'] = (byAgeBand['inconnu'] ?? 0) + 1;
    }
    const sites = new Set(requests.flatMap((r) => (r.reasonReference ?? []).map((c) => data.conditions.get(c.reference ?? ''))
      .flatMap((c) => c?.code?.coding ?? []).filter((c) => c.system === 'http://hl7.org/fhir/sid/icd-10' && c.code).map((c) => c.code!.slice(0, 3))));
    for (const site of sites.size ? sites : new Set(['inconnu'])) byCancerSite[site] = (byCancerSite[site] ?? 0) + 1;
    const types = new Set(requests.flatMap((r) => (r.basedOn ?? []).flatMap((b) => [...treatmentTypesOf(data.ppsOfPpac.get(b.reference ?? ''))])));
    for (const t of types) byTreatmentType[t] += 1;
  }
  const consultations = Object.fromEntries(Object.keys(PATHWAY_NEED).map((k) => [k, { prescribed: 0, honoured: 0, notHonoured: 0 }])) as PathwayReport['consultations'];
  const byId = new Map(data.prescriptions.map((p) => [`ServiceRequest/${p.id}`, p]));
  for (const p of data.prescriptions) {
    const need = needOf(p);
    if (need && inSemester(p.authoredOn, semester)) consultations[need].prescribed += p.quantityQuantity?.value ?? 1;
  }
  for (const a of data.appointments) {
    if (!inSemester(a.start, semester)) continue;
    const need = needOf(byId.get(a.basedOn?.[0]?.reference ?? '') ?? ({} as ServiceRequest));
    if (!need) continue;
    if (a.status === 'fulfilled') consultations[need].honoured += 1;
    if (a.status === 'noshow') consultations[need].notHonoured += 1;
  }
  return {
    semester, activeFile: patients.size, byAgeBand, byCancerSite, byTreatmentType, consultations,
    coverage: 'Patients dont vous pouvez consulter le dossier (cercle de soins ou RCP de votre 3C)',
  };
}

export function pathwayReportCsv(r: PathwayReport): string {
  const rows: unknown[][] = [['Semestre', 'Rubrique', 'Catégorie', 'Valeur']];
  rows.push([r.semester.label, 'File active', 'Patients', r.activeFile]);
  for (const [k, v] of Object.entries(r.byAgeBand)) rows.push([r.semester.label, "Tranche d'âge", k, v]);
  for (const [k, v] of Object.entries(r.byCancerSite)) rows.push([r.semester.label, 'Localisation (CIM-10)', k, v]);
  for (const [k, v] of Object.entries(r.byTreatmentType)) rows.push([r.semester.label, 'Type de traitement', TREATMENT_LABEL[k as TreatmentType], v]);
  for (const [k, v] of Object.entries(r.consultations)) {
    const label = PATHWAY_NEED[k as PathwayNeed];
    rows.push([r.semester.label, 'Prescrites', label, v.prescribed], [r.semester.label, 'Honorées', label, v.honoured], [r.semester.label, 'Non honorées', label, v.notHonoured]);
  }
  return frenchCsv(rows);
}
