/**
 * The PPAC (Programme Personnalisé de l'Après-Cancer): takes over from the PPS at the end of
 * active treatment, written with the GP — forecast calendar of alternating surveillance, late
 * effects and relapse signs to watch, supportive-care needs evaluation with orientation to a
 * labelled structure, adapted physical activity, psychosocial impact, return to work, addictions,
 * local relays.
 */
import { randomUUID } from 'node:crypto';
import type { CarePlan, CarePlanActivity, CodeableConcept, Extension, Reference as FhirReference } from '@medplum/fhirtypes';

/** References between these resources are checked by the profiles, not by the TypeScript types. */
type Reference<_T = unknown> = FhirReference<any>;
import { badRequest, businessRule, conflict } from '../fhir-kit/errors.ts';
import { CONTACT_ROLE, EXT, PPAC_PROFILE, CATEGORY, contactRoleConcept, type ActivitySection } from './codes.ts';
import { SNOMED } from '../fhir-kit/code-systems.ts';
import { addMonths, compareDates, datePart, isIsoDate } from '../fhir-kit/dates.ts';
import { complex, extensionOf, isPps, sectionExtensions, watchItemExtension, withExtension, withUpdateRecord } from './model.ts';
import { dataReuseNoticeExtension, type PpsContactInput, type PpsItemInput } from './pps.ts';
import { SETTING_LABEL, checkScheme, generateAlternatingSurveillance, type SurveillanceScheme, type SurveillanceVisit } from './surveillance.ts';
import { longDate, parisDay } from '../fhir-kit/french-dates.ts';

export interface WatchInput {
  description: string;
  action?: string;
}

export interface StartPpacInput {
  /** End of all active treatment (YYYY-MM-DD; default: today). */
  endOfTreatment?: string;
  /** Follow-up scheme; `start` defaults to the end of treatment. */
  surveillance: Omit<SurveillanceScheme, 'start'> & { start?: string };
  /** Who sees the patient at the hospital visits (default: the PPS author) and at the GP visits (default: the GP of the contacts). */
  hospitalPerformer?: Reference;
  gpPerformer?: Reference;
  lateEffects?: WatchInput[];
  relapseSigns?: WatchInput[];
  secondCancerScreening?: WatchInput[];
  /** Supportive-care needs evaluation: due date (at most one year after the end of treatment) and orientation. */
  needsEvaluation?: { due?: string; structure?: Reference; description?: string };
  physicalActivity?: PpsItemInput[];
  psychosocial?: PpsItemInput[];
  returnToWork?: PpsItemInput[];
  addictions?: PpsItemInput[];
  localRelays?: PpsContactInput[];
  note?: string;
}

export interface PpacContext {
  now: string;
  newId: () => string;
  author?: Reference;
  /** Defaults for the visit performers (from the PPS contacts). */
  hospital?: Reference;
  gp?: Reference;
}

export interface StartedPpac {
  ppac: CarePlan;
  /**
   * The PPS, closed (status completed, end of active treatment and its update record) when the
   * end of active treatment is today or past; undefined when the PPAC is prepared ahead (the PPS
   * stays in force, unchanged).
   */
  pps?: CarePlan;
  visits: SurveillanceVisit[];
}

const CONSULTATION = { system: SNOMED, code: '11429006', display: 'Consultation' };

/**
 * Starts the PPAC from the PPS at the end of active treatment: a new CarePlan (category PPAC,
 * `replaces` the PPS, status draft until handed over) and, when that end is reached, the PPS
 * closed with the reason of its last update. Pure: the caller writes both in one transaction.
 *
 * When the PPS closes: the PPS is the programme of the active treatments (INCa), so it stays in
 * force until they end — the GP and the patient must keep seeing the treatments still to come. A
 * PPAC may be prepared ahead (end of treatment in the future): it stays a draft and the PPS is not
 * touched; the PPS closes when the end date is reached, i.e. here when that date is today or past,
 * or later when the PPAC prepared ahead is handed over to the patient (closePpsAtEndOfTreatment,
 * refused before the end date). One rule: the PPS closes at the end of active treatment, never before.
 */
export function startPpac(pps: CarePlan, input: StartPpacInput, context: Partial<PpacContext> = {}): StartedPpac {
  const now = context.now ?? new Date().toISOString();
  const newId = context.newId ?? randomUUID;
  if (!isPps(pps)) throw businessRule(`CarePlan/${pps.id} n'est pas un PPS : le PPAC prend la suite du programme personnalisé de soins`, ['CarePlan.category']);
  if (pps.status === 'completed' || pps.status === 'revoked' || pps.status === 'entered-in-error') {
    throw conflict(`Ce PPS est déjà clos (statut ${pps.status}) : le PPAC a déjà été établi ou le programme a été annulé`);
  }
  if (!input || typeof input !== 'object') throw badRequest("Le corps de $start-ppac doit être un objet JSON avec le schéma de surveillance (surveillance)");
  // Without a date, the treatments end today — the Paris day (from midnight to 1 or 2 a.m. the UTC day is yesterday).
  const end = input.endOfTreatment ?? parisDay(new Date(now));
  if (!isIsoDate(end)) throw badRequest(`Date de fin des traitements actifs invalide : '${String(end)}' (attendu AAAA-MM-JJ)`, ['endOfTreatment']);
  if (pps.period?.start && compareDates(end, datePart(pps.period.start)) < 0) {
    throw businessRule(`La fin des traitements actifs (${longDate(end)}) précède le début du PPS (${longDate(pps.period.start)})`, ['endOfTreatment']);
  }
  const scheme: SurveillanceScheme = { ...input.surveillance, start: input.surveillance?.start ?? end };
  checkScheme(scheme);
  const visits = generateAlternatingSurveillance(scheme);

  // Parcours de soins global après le traitement d'un cancer (décret n° 2020-1665): the needs
  // evaluation takes place within the year that follows the end of active treatment.
  const latest = addMonths(end, 12);
  const due = input.needsEvaluation?.due ?? latest;
  if (!isIsoDate(due)) throw badRequest(`Échéance de l'évaluation des besoins invalide : '${String(due)}'`, ['needsEvaluation.due']);
  if (compareDates(due, latest) > 0 || compareDates(due, end) < 0) {
    throw businessRule(`L'évaluation des besoins en soins de support doit avoir lieu dans l'année qui suit la fin des traitements actifs : entre le ${longDate(end)} et le ${longDate(latest)} (échéance demandée : ${longDate(due)})`, ['needsEvaluation.due']);
  }

  const author = context.author ?? pps.author;
  if (!author?.reference) throw businessRule("Le PPAC doit avoir un auteur : l'appelant n'est pas un professionnel de l'annuaire et le PPS n'a pas d'auteur", ['CarePlan.author']);
  if (!pps.addresses?.length) throw businessRule('Le PPS ne désigne pas le cancer traité (addresses) : le PPAC ne peut pas s\'y rattacher', ['CarePlan.addresses']);
  const hospital = input.hospitalPerformer ?? context.hospital;
  const gp = input.gpPerformer ?? context.gp;
  const activity: CarePlanActivity[] = visits.map((v) => visitActivity(v, v.setting === 'hospital' ? hospital : gp));
  activity.push(needsEvaluationActivity(end, due, input.needsEvaluation));
  const items: [ActivitySection, PpsItemInput[] | undefined, string][] = [
    ['physical-activity', input.physicalActivity, 'Activité physique adaptée'],
    ['psychosocial', input.psychosocial, 'Soutien psychologique et social'],
    ['return-to-work', input.returnToWork, 'Retour au travail'],
    ['addiction', input.addictions, 'Aide au sevrage (tabac, alcool)'],
  ];
  for (const [section, list, label] of items) {
    if (list !== undefined && !Array.isArray(list)) throw badRequest(`${section} doit être un tableau`, [section]);
    for (const item of list ?? []) activity.push(itemActivity(section, label, item));
  }
  (input.localRelays ?? []).forEach((relay, i) => activity.push(localRelayActivity(relay, `localRelays[${i}]`)));

  const watch = (kind: 'late-effect' | 'relapse-sign' | 'second-cancer', list: WatchInput[] | undefined, path: string): Extension[] =>
    (list ?? []).map((w, i) => {
      if (!w || typeof w.description !== 'string' || !w.description.trim()) throw badRequest('Décrivez chaque point de surveillance (description)', [`${path}[${i}].description`]);
      return watchItemExtension({ kind, description: w.description, action: w.action });
    });
  const ppsRef: Reference = { reference: `CarePlan/${pps.id}`, display: 'Programme personnalisé de soins' };
  const lastVisit = visits.at(-1)?.date;
  const ppac: CarePlan = {
    resourceType: 'CarePlan',
    id: newId(),
    meta: { profile: [PPAC_PROFILE] },
    extension: [
      { url: EXT.endOfActiveTreatment, valueDate: end },
      ...watch('late-effect', input.lateEffects, 'lateEffects'),
      ...watch('relapse-sign', input.relapseSigns, 'relapseSigns'),
      ...watch('second-cancer', input.secondCancerScreening, 'secondCancerScreening'),
      extensionOf(pps, EXT.dataReuseNotice) ?? dataReuseNoticeExtension(),
    ],
    status: 'draft',
    intent: 'plan',
    category: [{ coding: [CATEGORY.ppac], text: "Programme personnalisé de l'après-cancer" }],
    title: "Programme personnalisé de l'après-cancer",
    subject: pps.subject,
    ...(pps.basedOn?.length ? { basedOn: pps.basedOn } : {}),
    replaces: [ppsRef],
    ...(pps.addresses?.length ? { addresses: pps.addresses } : {}),
    period: { start: end, ...(lastVisit ? { end: lastVisit } : {}) },
    created: now,
    author,
    ...(pps.careTeam?.length ? { careTeam: pps.careTeam } : {}),
    activity,
    ...(input.note ? { note: [{ text: input.note, time: now, authorReference: author }] } : {}),
  };

  const reached = compareDates(end, parisDay(new Date(now))) <= 0;
  return { ppac, ...(reached ? { pps: closePpsAtEndOfTreatment(pps, end, now, author) } : {}), visits };
}

/** Whether the end of active treatment (YYYY-MM-DD) is after the Paris day of `now`: the PPAC is then prepared ahead. */
export function isAhead(endOfTreatment: string, now: string): boolean {
  return compareDates(endOfTreatment, parisDay(new Date(now))) > 0;
}

/** The end of active treatment a PPAC declares (its extension, else the start of its period). */
export function endOfTreatmentOf(ppac: CarePlan): string | undefined {
  return extensionOf(ppac, EXT.endOfActiveTreatment)?.valueDate ?? ppac.period?.start?.slice(0, 10);
}

/** The PPS closed at the end of active treatment, relayed by the PPAC, with the reason of this last update. */
export function closePpsAtEndOfTreatment(pps: CarePlan, end: string, now: string, author: Reference | undefined): CarePlan {
  const closed = withExtension(pps, EXT.endOfActiveTreatment, { url: EXT.endOfActiveTreatment, valueDate: end });
  return withUpdateRecord({ ...closed, status: 'completed', period: { ...pps.period, end } }, {
    reason: 'end-of-active-treatment', detail: 'Relais par le programme personnalisé de l’après-cancer (PPAC)', date: now, author,
  });
}

/**
 * What the PPS still plans after a date: its activities scheduled later (treatments, follow-ups)
 * that are not done or cancelled, with the day they end — the French text of each.
 */
export function ppsActivitiesAfter(pps: CarePlan, end: string): { label: string; day: string }[] {
  const later: { label: string; day: string }[] = [];
  for (const a of pps.activity ?? []) {
    const d = a.detail;
    if (!d || ['completed', 'cancelled', 'stopped', 'entered-in-error'].includes(d.status)) continue;
    const day = (d.scheduledPeriod?.end ?? d.scheduledPeriod?.start)?.slice(0, 10);
    if (!day || !isIsoDate(day) || compareDates(day, end) <= 0) continue;
    later.push({ label: d.description ?? d.code?.text ?? d.code?.coding?.[0]?.display ?? 'activité du programme', day });
  }
  return later;
}

function visitActivity(visit: SurveillanceVisit, performer: Reference | undefined): CarePlanActivity {
  const exams = visit.exams.map((e) => e.display);
  const who = visit.setting === 'hospital' ? 'le spécialiste hospitalier' : 'votre médecin traitant';
  const description = [
    `Consultation de surveillance n° ${visit.number} avec ${who}, ${visit.monthsAfterStart} mois après la fin des traitements.`,
    exams.length ? `Examens à faire avant la consultation : ${exams.join(', ')}.` : '',
  ].filter(Boolean).join(' ');
  return {
    extension: [
      ...sectionExtensions('surveillance'),
      { url: EXT.surveillanceBy, valueCode: visit.setting },
      complex(EXT.surveillanceVisit, [
        { url: 'visitNumber', valueInteger: visit.number },
        { url: 'monthsAfterStart', valueInteger: visit.monthsAfterStart },
        ...visit.exams.map((e) => ({ url: 'exam', valueCodeableConcept: { ...(e.code ? { coding: [e.code] } : {}), text: e.display } })),
      ]),
    ],
    detail: {
      kind: 'Appointment',
      code: { coding: [CONSULTATION], text: `Consultation de surveillance — ${SETTING_LABEL[visit.setting].toLowerCase()}` },
      status: 'not-started',
      scheduledPeriod: { start: visit.date, end: visit.date },
      ...(performer ? { performer: [performer] } : {}),
      description,
    },
  };
}

function needsEvaluationActivity(end: string, due: string, input: StartPpacInput['needsEvaluation']): CarePlanActivity {
  const structure = input?.structure;
  if (structure && !/^(HealthcareService|Organization)\//.test(structure.reference ?? '')) {
    throw badRequest("La structure d'orientation doit être une structure labellisée de l'annuaire (HealthcareService/… ou Organization/…)", ['needsEvaluation.structure']);
  }
  return {
    extension: [...sectionExtensions('needs-evaluation'), ...(structure ? [{ url: EXT.orientation, valueReference: structure }] : [])],
    detail: {
      code: { text: 'Évaluation des besoins en soins oncologiques de support' },
      status: 'not-started',
      scheduledPeriod: { start: end, end: due },
      ...(structure ? { location: { display: structure.display ?? 'Structure labellisée' } } : {}),
      description: input?.description ?? `Bilan de vos besoins (activité physique adaptée, nutrition, soutien psychologique) à réaliser au plus tard le ${longDate(due)}${structure?.display ? `, auprès de : ${structure.display}` : ''}.`,
    },
  };
}

function itemActivity(section: ActivitySection, label: string, item: PpsItemInput): CarePlanActivity {
  if (!item || typeof item !== 'object') throw badRequest('Chaque élément doit être un objet', [section]);
  const code: CodeableConcept = { text: label };
  return {
    extension: [...sectionExtensions(section), ...(item.rhythm ? [complex(EXT.treatment, [{ url: 'rhythm', valueString: item.rhythm }])] : [])],
    detail: {
      code,
      status: item.status ?? 'not-started',
      ...(item.start || item.end ? { scheduledPeriod: { ...(item.start ? { start: item.start } : {}), ...(item.end ? { end: item.end } : {}) } } : {}),
      ...(item.place || item.location ? { location: { ...item.location, ...(item.place ? { display: item.place } : {}) } } : {}),
      ...(item.performer?.length ? { performer: item.performer } : {}),
      ...(item.description ? { description: item.description } : {}),
    },
  };
}

function localRelayActivity(relay: PpsContactInput, path: string): CarePlanActivity {
  if (!relay || !(relay.role in CONTACT_ROLE)) throw badRequest(`Rôle de relais inconnu : '${String(relay?.role)}' (attendu : ${Object.keys(CONTACT_ROLE).join(', ')})`, [`${path}.role`]);
  if (!relay.member?.reference && !relay.name) throw badRequest("Un relais désigne une ressource de l'annuaire (member) ou porte un nom (name)", [path]);
  const display = [relay.name ?? relay.member?.display, relay.phone].filter(Boolean).join(' — ');
  const role = contactRoleConcept(relay.role);
  return {
    extension: sectionExtensions('local-relay'),
    detail: {
      code: role,
      status: 'not-started',
      performer: [relay.member ? { ...relay.member, ...(display ? { display } : {}) } : { display }],
      ...(display ? { description: `${role.text} : ${display}` } : {}),
    },
  };
}
