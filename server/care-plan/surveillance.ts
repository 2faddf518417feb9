/**
 * Alternating surveillance (surveillance alternée) after active treatment: consultations every
 * N months, alternating between the hospital specialist and the GP (INCa, PPAC), each with the
 * exams to do before it.
 */
import type { Coding } from '@medplum/fhirtypes';
import { badRequest } from '../fhir-kit/errors.ts';
import { addMonths, isIsoDate } from '../fhir-kit/dates.ts';

export type SurveillanceSetting = 'hospital' | 'gp';

export interface SurveillanceExam {
  /** What the patient reads, e.g. "Scanner thoraco-abdomino-pelvien". */
  display: string;
  code?: Coding;
  /** Only at visits whose distance from the start is a multiple of this (e.g. 12 = yearly). Default: every visit. */
  everyMonths?: number;
  /** Only at the hospital visits or only at the GP visits. Default: all. */
  with?: SurveillanceSetting | 'all';
}

export interface SurveillanceScheme {
  /** Start of the follow-up (usually the end of active treatment), YYYY-MM-DD. The first visit is one interval later. */
  start: string;
  intervalMonths: number;
  years: number;
  /** Who sees the patient at the first visit; then it alternates. */
  first: SurveillanceSetting;
  exams?: SurveillanceExam[];
}

export interface SurveillanceVisit {
  /** 1, 2, 3… */
  number: number;
  date: string;
  setting: SurveillanceSetting;
  monthsAfterStart: number;
  exams: SurveillanceExam[];
}

export const SETTING_LABEL: Record<SurveillanceSetting, string> = {
  hospital: 'Spécialiste hospitalier',
  gp: 'Médecin traitant',
};

/**
 * The forecast calendar: one visit every `intervalMonths` over `years`, alternating hospital / GP.
 * E.g. every 6 months for 5 years → 10 visits, at 6, 12, … 60 months. Month ends are kept within
 * the month (31 August + 6 months → end of February, 29th in a leap year).
 */
export function generateAlternatingSurveillance(scheme: SurveillanceScheme): SurveillanceVisit[] {
  checkScheme(scheme);
  const count = Math.floor((scheme.years * 12) / scheme.intervalMonths);
  const visits: SurveillanceVisit[] = [];
  for (let i = 1; i <= count; i++) {
    const months = i * scheme.intervalMonths;
    const setting: SurveillanceSetting = i % 2 === 1 ? scheme.first : scheme.first === 'hospital' ? 'gp' : 'hospital';
    const exams = (scheme.exams ?? []).filter((exam) =>
      (!exam.everyMonths || months % exam.everyMonths === 0) && (!exam.with || exam.with === 'all' || exam.with === setting));
    visits.push({ number: i, date: addMonths(scheme.start, months), setting, monthsAfterStart: months, exams });
  }
  // An exam whose rhythm never meets a visit of its setting (e.g. yearly, hospital only, while the
  // hospital visits fall at 6, 18, 30… months) would silently vanish from the calendar.
  (scheme.exams ?? []).forEach((exam, i) => {
    if (!visits.some((v) => v.exams.includes(exam))) {
      throw badRequest(`L'examen « ${exam.display} » ne tombe sur aucune consultation du calendrier (tous les ${exam.everyMonths ?? scheme.intervalMonths} mois${exam.with && exam.with !== 'all' ? `, avec le ${exam.with === 'hospital' ? 'spécialiste hospitalier' : 'médecin traitant'}` : ''}) : ajustez sa périodicité ou l'intervenant`, [`surveillance.exams[${i}]`]);
    }
  });
  return visits;
}

/** Checks a scheme as a client sent it; errors name the field (`path` prefixes it, e.g. "surveillance"). */
export function checkScheme(scheme: SurveillanceScheme, path = 'surveillance'): void {
  if (!scheme || typeof scheme !== 'object') throw badRequest('Le schéma de surveillance est requis (début, intervalle en mois, durée en années, premier intervenant)', [path]);
  if (!isIsoDate(scheme.start)) throw badRequest(`Date de début de surveillance invalide : '${String(scheme.start)}' (attendu AAAA-MM-JJ)`, [`${path}.start`]);
  if (!Number.isInteger(scheme.intervalMonths) || scheme.intervalMonths < 1 || scheme.intervalMonths > 60) {
    throw badRequest(`Intervalle entre deux consultations invalide : ${String(scheme.intervalMonths)} (un nombre entier de mois, de 1 à 60)`, [`${path}.intervalMonths`]);
  }
  if (!Number.isInteger(scheme.years) || scheme.years < 1 || scheme.years > 20) {
    throw badRequest(`Durée de la surveillance invalide : ${String(scheme.years)} (un nombre entier d'années, de 1 à 20)`, [`${path}.years`]);
  }
  if (scheme.intervalMonths > scheme.years * 12) {
    throw badRequest("L'intervalle entre deux consultations dépasse la durée de la surveillance : aucune consultation ne serait prévue", [`${path}.intervalMonths`]);
  }
  if (scheme.first !== 'hospital' && scheme.first !== 'gp') {
    throw badRequest(`Premier intervenant de la surveillance invalide : '${String(scheme.first)}' (attendu 'hospital' pour le spécialiste hospitalier ou 'gp' pour le médecin traitant)`, [`${path}.first`]);
  }
  if (scheme.exams !== undefined && !Array.isArray(scheme.exams)) throw badRequest('La liste des examens de surveillance doit être un tableau', [`${path}.exams`]);
  (scheme.exams ?? []).forEach((exam, i) => {
    if (!exam || typeof exam.display !== 'string' || !exam.display.trim()) throw badRequest("Chaque examen de surveillance doit avoir un libellé (display)", [`${path}.exams[${i}].display`]);
    if (exam.everyMonths !== undefined && (!Number.isInteger(exam.everyMonths) || exam.everyMonths < 1)) {
      throw badRequest(`Périodicité de l'examen « ${exam.display} » invalide : ${String(exam.everyMonths)} (un nombre entier de mois)`, [`${path}.exams[${i}].everyMonths`]);
    }
    if (exam.with !== undefined && !['hospital', 'gp', 'all'].includes(exam.with)) {
      throw badRequest(`Intervenant de l'examen « ${exam.display} » invalide : '${String(exam.with)}' (hospital, gp ou all)`, [`${path}.exams[${i}].with`]);
    }
  });
}
