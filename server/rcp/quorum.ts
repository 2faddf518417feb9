/**
 * The quorum of an RCP, checked for each case against the session's attendance.
 *
 * Rules: at least 3 physicians of *different* specialities relevant to the case (circulaire
 * DHOS/SDO/2005/101 and INCa criteria for RCPs); the board may require specific specialities (since
 * the INCa update of December 2023 the surgeon is mandatory next to the medical oncologist and the
 * radiotherapist in standard organ RCPs outside haematology); a written opinion counts only if the
 * board's charter says so. Two physicians of the same speciality count once.
 */

import { namedSpeciality, specialityName } from './speciality-name.ts';

export type AttendanceMode = 'present' | 'remote' | 'written-opinion';

export interface SpecialityRef {
  code: string;
  display?: string;
}

export interface Attendance {
  /** `Practitioner/<id>` */
  practitioner: string;
  display?: string;
  speciality?: SpecialityRef;
  mode: AttendanceMode;
  /** Case ids (Task) this attendance is limited to — a written opinion on one case, a member who came for one case. */
  cases?: string[];
}

/** A speciality the board requires, satisfied by any of the listed codes (e.g. "chirurgien": SM14 or SM05). */
export interface MandatedSpeciality {
  label: string;
  anyOf: SpecialityRef[];
}

export interface QuorumRules {
  /** Distinct specialities needed; never below 3. */
  minSpecialities: number;
  /** Specialities relevant to the board's cases; empty: every medical speciality counts. */
  relevantSpecialities: SpecialityRef[];
  mandated: MandatedSpeciality[];
  writtenOpinionCounts: boolean;
}

export interface QuorumCase {
  id?: string;
  /** Specialities this case needs on top of the board's (e.g. after a "quorum not reached"). */
  mandated?: MandatedSpeciality[];
}

export interface QuorumResult {
  reached: boolean;
  required: number;
  /** Distinct specialities counted. */
  specialities: SpecialityRef[];
  counted: { practitioner: string; display?: string; speciality: SpecialityRef; mode: AttendanceMode }[];
  notCounted: { practitioner: string; display?: string; reason: string }[];
  missingMandated: MandatedSpeciality[];
  /** Why the quorum is not reached, in French (empty when reached). */
  reasons: string[];
}

export const MIN_QUORUM_SPECIALITIES = 3;

export function checkQuorum(attendance: Attendance[], board: { quorum: QuorumRules }, rcpCase: QuorumCase = {}): QuorumResult {
  const rules = board.quorum;
  const required = Math.max(MIN_QUORUM_SPECIALITIES, rules.minSpecialities || 0);
  const relevant = new Set(rules.relevantSpecialities.map((s) => s.code));
  const counted: QuorumResult['counted'] = [];
  const notCounted: QuorumResult['notCounted'] = [];
  const seenPractitioners = new Set<string>();

  for (const a of attendance) {
    const who = { practitioner: a.practitioner, ...(a.display ? { display: a.display } : {}) };
    if (a.cases?.length && (!rcpCase.id || !a.cases.includes(rcpCase.id))) {
      notCounted.push({ ...who, reason: 'présent pour un autre dossier' });
      continue;
    }
    if (seenPractitioners.has(a.practitioner)) continue; // listed twice: one physician
    seenPractitioners.add(a.practitioner);
    if (!a.speciality?.code) {
      notCounted.push({ ...who, reason: 'spécialité inconnue' });
      continue;
    }
    if (a.mode === 'written-opinion' && !rules.writtenOpinionCounts) {
      notCounted.push({ ...who, reason: "avis écrit : ne compte pas dans le quorum selon la charte de cette RCP" });
      continue;
    }
    if (relevant.size && !relevant.has(a.speciality.code)) {
      notCounted.push({ ...who, reason: `spécialité ${label(a.speciality)} non retenue pour le quorum de cette RCP` });
      continue;
    }
    counted.push({ ...who, speciality: a.speciality, mode: a.mode });
  }

  const specialities = [...new Map(counted.map((c) => [c.speciality.code, c.speciality])).values()];
  const codes = new Set(specialities.map((s) => s.code));
  const mandated = [...rules.mandated, ...(rcpCase.mandated ?? [])];
  const missingMandated = mandated.filter((m) => !m.anyOf.some((s) => codes.has(s.code)));

  const reasons: string[] = [];
  if (specialities.length < required) {
    // « aucune spécialité représentée », not « 0 spécialité distincte représentée (aucune) ».
    const n = specialities.length;
    reasons.push(n === 0
      ? `aucune spécialité représentée : il en faut au moins ${required}`
      : `${n} spécialité${n > 1 ? 's' : ''} distincte${n > 1 ? 's' : ''} représentée${n > 1 ? 's' : ''} (${specialities.map(label).join(', ')}) : il en faut au moins ${required}`);
  }
  for (const m of missingMandated) reasons.push(`spécialité obligatoire absente : ${specialityName(m.label)}`);
  return { reached: reasons.length === 0, required, specialities, counted, notCounted, missingMandated, reasons };
}

const label = (s: SpecialityRef): string => namedSpeciality(s);
