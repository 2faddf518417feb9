/**
 * The PPS (Programme Personnalisé de Soins, CI-SIS PPS 2022.01): built from the RCP decision
 * (first-choice proposals pre-filled as the treatment calendar, care team and contacts), then
 * edited; handed over to the patient at the announcement consultation.
 */
import type {
  CarePlan, CarePlanActivity, CarePlanActivityDetail, CareTeam, CareTeamParticipant, CodeableConcept, Coding, Condition, Extension, MedicationRequest, Patient, Reference as FhirReference, RequestGroup, ServiceRequest,
} from '@medplum/fhirtypes';

/** References between these resources are checked by the profiles, not by the TypeScript types. */
type Reference<_T = unknown> = FhirReference<any>;
import { badRequest, businessRule, invalidResource, issue } from '../fhir-kit/errors.ts';
import { CATEGORY, CONTACT_ROLE, DATA_REUSE_NOTICE_VERSION, EXT, FOLLOW_UP_PROPOSALS, PPS_LOINC, PPS_PROFILE, ROUTE, SOCIAL_SUPPORT, SUPPORTIVE_CARE, THERAPY_TYPES, contactRoleConcept, contactRoleOf, routeConcept, routeKeyOf, socialSupportConcept, supportiveCareConcept, type ActivitySection, type ContactRole, type RouteKey, type SocialSupportType, type SupportiveCareType } from './codes.ts';
import { LOINC, TA_ASIP } from '../fhir-kit/code-systems.ts';
import { addDays, compareDates, datePart, isIsoDate } from '../fhir-kit/dates.ts';
import {
  complex, handOverExtension, handOverOf, isPpac, isPps, isRcpDecision, sectionExtensions, shareWithGpExtension, watchItemExtension, withExtension,
  type HandOver,
} from './model.ts';
import { buildOralMedicationRequest, checkOralTreatment, oralInputFromRequest, type OralTreatmentInput } from './oral-treatment.ts';
import { futureDateMessage, longDate } from '../fhir-kit/french-dates.ts';

export const ACTIVITY_STATUSES = ['not-started', 'scheduled', 'in-progress', 'on-hold', 'completed', 'cancelled', 'stopped', 'unknown'] as const;
export type ActivityStatus = (typeof ACTIVITY_STATUSES)[number];

/** One item of the programme as the physician enters it (all optional but what the section needs). */
export interface PpsItemInput {
  description?: string;
  status?: ActivityStatus;
  /** Dates (YYYY-MM-DD): confirmed, or provisional when `datesConfirmed` is false. */
  start?: string;
  end?: string;
  datesConfirmed?: boolean;
  /** Place and team, as the patient reads it ("Hôpital de jour d'oncologie, CHU Méditerranée"). */
  place?: string;
  location?: Reference;
  performer?: Reference[];
  /** Rhythm, e.g. "toutes les 2 semaines". */
  rhythm?: string;
}

export interface PpsTreatmentInput extends PpsItemInput, Partial<Omit<OralTreatmentInput, 'start' | 'end'>> {
  /** Index of the decision activity this treatment implements (its data are pre-filled). */
  proposal?: number;
  /** Treatment type: a code of the FRCP proposal types (e.g. 'C15632' chemotherapy) or a Coding. */
  type?: string | Coding;
  atHome?: boolean;
  route?: RouteKey;
  /** Notable side effects of this treatment. */
  sideEffects?: string[];
}

export interface PpsContactInput {
  role: ContactRole;
  /** Practitioner, Organization, HealthcareService… of the directory. */
  member?: Reference;
  /** When the contact is not in the directory (e.g. a patients' association). */
  name?: string;
  phone?: string;
}

export interface BuildPpsInput {
  treatments?: PpsTreatmentInput[];
  /** Side effects to watch for the whole programme, with their prevention / what to do. */
  sideEffectsToWatch?: { description: string; action?: string }[];
  /** Prevention and drug management of side effects (MED-569). */
  prevention?: PpsItemInput[];
  /** Associated measures: contraception, onco-geriatric assessment… (MED-570). */
  associatedMeasures?: PpsItemInput[];
  followUps?: PpsItemInput[];
  supportiveCare?: (PpsItemInput & { type: SupportiveCareType })[];
  socialSupport?: (PpsItemInput & { type: SocialSupportType })[];
  contacts?: PpsContactInput[];
  /** Date of the RCP, for a decision whose sheet is not in the record (else it must be the sheet's meeting date). */
  rcpDate?: string;
  /**
   * The patient's choice to send the PPS to the GP, when already known. The profile requires the
   * element from the start; until the hand-over records the patient's explicit choice, it is
   * presumed yes (the GP is the patient's declared doctor).
   */
  shareWithGp?: boolean;
  note?: string;
  /**
   * The PPS in progress that this one replaces (`CarePlan/{id}`), required when the patient has one:
   * once handed over, the new PPS is the programme the GP, the nurse and the pharmacist read, so the
   * physician says so knowingly. `continueCurrent`: the activities of the current PPS that are not
   * done (treatments under way, precautions, follow-ups) are taken into the new one, pointing at the
   * same prescriptions — a later RCP on a narrow question (a nodule to watch) does not stop a
   * chemotherapy by omission.
   */
  replaces?: string;
  continueCurrent?: boolean;
}

export interface PpsContext {
  patient: Patient;
  /** Who builds the PPS (the referent physician). */
  author?: Reference;
  /** The patient's active care teams: their members become the PPS contacts. */
  careTeams: CareTeam[];
  /** The 3C of the patient's establishment, when known. */
  coordinationCentre?: Reference;
  /** Targets of the decision's activity references, by "Type/id". */
  requests?: Record<string, MedicationRequest | ServiceRequest | RequestGroup>;
  /** Date of the meeting that took the decision, as the record's RCP sheet says (rcp-sheet `meetingDateOfDecision`). */
  rcpMeetingDate?: string;
  input?: BuildPpsInput;
  /** ISO dateTime of the build. */
  now: string;
  newId: () => string;
}

export interface BuiltPps {
  carePlan: CarePlan;
  careTeam: CareTeam;
  medicationRequests: MedicationRequest[];
}

/** A first-choice proposal of the decision, as the PPS pre-fills it. */
interface Proposal {
  index: number;
  section: 'treatment' | 'follow-up';
  code?: CodeableConcept;
  description?: string;
  period?: { start?: string; end?: string };
  performer?: Reference[];
  location?: Reference;
  route?: RouteKey;
  oral?: Partial<OralTreatmentInput>;
  request?: Reference;
}

const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';

/**
 * Builds the PPS from the RCP decision: CarePlan (category PPS, `basedOn` the decision, intent
 * plan, status draft until handed over), its CareTeam of contacts, and one MedicationRequest per
 * oral treatment. Pure: the caller gathers the context and writes the result in one transaction.
 */
export function buildPpsFromDecision(decision: CarePlan, context: PpsContext): BuiltPps {
  if (!isRcpDecision(decision)) {
    throw businessRule(`CarePlan/${decision.id} n'est pas une décision de RCP (catégorie « ${CATEGORY.rcpDecision.code} », intention « proposal ») : un PPS se construit à partir de la proposition de la RCP`, ['CarePlan.category']);
  }
  if (decision.status === 'revoked' || decision.status === 'entered-in-error') {
    throw businessRule(`La décision de RCP CarePlan/${decision.id} est ${decision.status === 'revoked' ? 'annulée' : 'saisie par erreur'} : aucun PPS ne peut en être tiré`, ['CarePlan.status']);
  }
  // The PPS implements the validated proposal: the RCP sheet is signed first (its decision is then active).
  if (decision.status === 'draft') {
    throw businessRule(`La proposition de la RCP (CarePlan/${decision.id}) n'est pas encore validée : la fiche RCP doit être signée avant d'établir le PPS`, ['CarePlan.status']);
  }
  if (!decision.subject?.reference) throw businessRule(`La décision de RCP CarePlan/${decision.id} ne désigne pas de patient`, ['CarePlan.subject']);
  const input = context.input ?? {};
  checkInput(input);
  const author = context.author ?? decision.author;
  if (!author?.reference) throw businessRule("Le PPS doit avoir un auteur (le médecin référent) : l'appelant n'est pas un professionnel de l'annuaire et la décision n'a pas d'auteur", ['CarePlan.author']);
  if (!decision.addresses?.length) throw businessRule(`La décision de RCP CarePlan/${decision.id} ne désigne pas le cancer traité (addresses) : le PPS ne peut pas s'y rattacher`, ['CarePlan.addresses']);
  const today = datePart(context.now);
  const subject = decision.subject;
  const decisionRef: Reference = { reference: `CarePlan/${decision.id}`, display: 'Proposition de la RCP' };
  const conditions = (decision.addresses ?? []) as Reference<Condition>[];
  const proposals = proposalsOf(decision, context.requests ?? {});

  const medicationRequests: MedicationRequest[] = [];
  const activity: CarePlanActivity[] = [];

  // Treatments: every first-choice proposal, with what the physician adds, then the extra ones.
  const byProposal = new Map<number, { t: PpsTreatmentInput; i: number }>();
  (input.treatments ?? []).forEach((t, i) => {
    if (t.proposal === undefined) return;
    const p = proposals.find((x) => x.index === t.proposal);
    if (!p) {
      throw badRequest(`treatments[${i}].proposal = ${t.proposal} : la décision n'a pas de proposition de premier choix à cet index (propositions : ${proposals.map((x) => x.index).join(', ') || 'aucune'})`, [`treatments[${i}].proposal`]);
    }
    if (byProposal.has(t.proposal)) throw badRequest(`La proposition ${t.proposal} est complétée deux fois`, [`treatments[${i}].proposal`]);
    byProposal.set(t.proposal, { t, i });
  });
  for (const p of proposals) {
    const given = byProposal.get(p.index);
    const path = given ? `treatments[${given.i}]` : `proposition ${p.index}`;
    if (p.section === 'follow-up' && !given) {
      activity.push(itemActivity('follow-up', p.code ?? { text: p.description ?? 'Suivi' }, { description: p.description, start: p.period?.start, end: p.period?.end, performer: p.performer, location: p.location }));
      continue;
    }
    const built = treatmentActivity(p, given?.t ?? {}, path, { context, author, subject, decisionRef, conditions, today });
    activity.push(built.activity);
    if (built.medicationRequest) medicationRequests.push(built.medicationRequest);
  }
  (input.treatments ?? []).forEach((t, i) => {
    if (t.proposal !== undefined) return;
    const built = treatmentActivity(undefined, t, `treatments[${i}]`, { context, author, subject, decisionRef, conditions, today });
    activity.push(built.activity);
    if (built.medicationRequest) medicationRequests.push(built.medicationRequest);
  });

  (input.prevention ?? []).forEach((item, i) => activity.push(itemActivity('prevention', { text: required(item.description, `prevention[${i}].description`, "l'action de prévention") }, item)));
  (input.associatedMeasures ?? []).forEach((item, i) => activity.push(itemActivity('associated-measure', { text: required(item.description, `associatedMeasures[${i}].description`, 'la mesure associée') }, item)));
  (input.followUps ?? []).forEach((item, i) => activity.push(itemActivity('follow-up', { text: required(item.description, `followUps[${i}].description`, 'le suivi') }, item)));
  (input.supportiveCare ?? []).forEach((item) => activity.push(itemActivity('supportive-care', supportiveCareConcept(item.type), item)));
  (input.socialSupport ?? []).forEach((item) => activity.push(itemActivity('social-support', socialSupportConcept(item.type), item)));

  const careTeam = buildPpsCareTeam(context, subject, conditions);
  const rcpDate = rcpDateOf(decision, context.rcpMeetingDate, input.rcpDate);
  const extension: Extension[] = [
    ...(rcpDate ? [{ url: EXT.rcpDate, valueDateTime: rcpDate }] : []),
    ...(input.sideEffectsToWatch ?? []).map((s) => watchItemExtension({ kind: 'side-effect', description: s.description, action: s.action })),
    shareWithGpExtension(input.shareWithGp ?? true),
    dataReuseNoticeExtension(),
  ];
  const starts = activity.map((a) => a.detail?.scheduledPeriod?.start).filter((d): d is string => Boolean(d)).sort(compareDates);
  const carePlan: CarePlan = {
    resourceType: 'CarePlan',
    id: context.newId(),
    meta: { profile: [PPS_PROFILE] },
    extension,
    status: 'draft',
    intent: 'plan',
    category: [{ coding: [CATEGORY.pps, PPS_LOINC], text: 'Programme personnalisé de soins' }],
    title: 'Programme personnalisé de soins',
    subject,
    basedOn: [decisionRef],
    ...(conditions.length ? { addresses: conditions } : {}),
    ...(decision.supportingInfo?.length ? { supportingInfo: decision.supportingInfo } : {}),
    period: { start: starts[0] && compareDates(starts[0], today) < 0 ? starts[0] : today },
    created: context.now,
    author,
    careTeam: [{ reference: `CareTeam/${careTeam.id}`, display: careTeam.name }],
    ...(activity.length ? { activity } : {}),
    ...(input.note ? { note: [{ text: input.note, time: context.now, authorReference: author }] } : {}),
  };
  return { carePlan, careTeam, medicationRequests };
}

/**
 * The RCP date the PPS prints: the meeting that took the decision, as the record's sheet says. A
 * typed date differing from it is refused (a document never contradicts the record); `created`
 * (the decision's first save) only for a decision with no sheet in the record.
 */
function rcpDateOf(decision: CarePlan, meetingDate: string | undefined, typed: string | undefined): string | undefined {
  if (meetingDate && typed && typed.slice(0, 10) !== meetingDate.slice(0, 10)) {
    throw businessRule(`Date de RCP ${typed.slice(0, 10)} : la décision CarePlan/${decision.id} a été prise à la séance du ${meetingDate.slice(0, 10)} (fiche RCP) ; le PPS reprend la date du dossier`, ['rcpDate']);
  }
  return meetingDate ?? typed ?? decision.created ?? decision.period?.start;
}

// ----- decision proposals ------------------------------------------------------------------------------

/**
 * Intention rank of a proposal (1 = first choice): the published dcc-proposal-rank, or an
 * extension of the RCP modules named after the FRCP "numéro d'intention" (…-intention, …-rank).
 */
function intentionRank(activity: CarePlanActivity): number | undefined {
  const all = [...(activity.extension ?? []), ...(activity.detail?.extension ?? [])];
  const candidates = [...all.filter((e) => e.url === EXT.proposalRank), ...all.filter((e) => e.url !== EXT.proposalRank && /(intention|proposal-rank)$/i.test(e.url))];
  for (const e of candidates) {
    const v = e.valueInteger ?? e.valuePositiveInt ?? e.valueUnsignedInt;
    if (typeof v === 'number') return v;
  }
  return undefined;
}

function proposalsOf(decision: CarePlan, requests: Record<string, MedicationRequest | ServiceRequest | RequestGroup>): Proposal[] {
  const proposals: Proposal[] = [];
  // A first-choice treatment makes a "surveillance seule" (MED-226) the surveillance after it: a
  // decision saved before the sheet derived it must not print the opposite of its own proposal.
  const treatedFirst = (decision.activity ?? []).some((a) => (intentionRank(a) ?? 1) === 1 && Boolean(a.reference ?? a.detail?.code?.coding?.some((c) => c.code && !(c.code in FOLLOW_UP_PROPOSALS))));
  (decision.activity ?? []).forEach((activity, index) => {
    const rank = intentionRank(activity);
    if (rank !== undefined && rank !== 1) return; // alternatives stay in the RCP report
    const detail = activity.detail;
    const target = activity.reference?.reference ? requests[activity.reference.reference] : undefined;
    if (activity.reference?.reference && !target) {
      throw businessRule(`La proposition ${index} de la décision renvoie à ${activity.reference.reference}, introuvable ou hors de votre accès`, [`CarePlan.activity[${index}].reference`]);
    }
    const p: Proposal = { index, section: 'treatment', request: activity.reference };
    if (detail) {
      p.code = detail.code;
      p.description = detail.description ?? detail.code?.text ?? detail.code?.coding?.[0]?.display;
      p.period = detail.scheduledPeriod;
      p.performer = detail.performer;
      p.location = detail.location;
      if (detail.productCodeableConcept) p.oral = { medication: detail.productCodeableConcept };
    }
    if (target?.resourceType === 'MedicationRequest') {
      p.oral = oralInputFromRequest(target);
      p.route = routeKeyOf(target.dosageInstruction?.[0]?.route);
      p.description = target.medicationCodeableConcept?.text ?? target.medicationCodeableConcept?.coding?.[0]?.display ?? p.description;
    } else if (target?.resourceType === 'ServiceRequest') {
      p.code = target.code;
      p.description = target.code?.text ?? target.code?.coding?.[0]?.display;
      p.period = target.occurrencePeriod ?? (target.occurrenceDateTime ? { start: target.occurrenceDateTime } : undefined);
      p.performer = target.performer;
      p.location = target.locationReference?.[0];
    } else if (target?.resourceType === 'RequestGroup') {
      p.code = target.code;
      p.description = target.code?.text ?? target.code?.coding?.[0]?.display ?? 'Protocole de traitement';
    }
    if (treatedFirst && p.code?.coding?.some((c) => c.code === 'MED-226')) {
      p.code = { coding: [{ system: TA_ASIP, code: 'ORG-064', display: "Demande d'examen ou de suivi" }], text: 'Surveillance après le traitement' };
      p.description = detail?.description;
    }
    const codes = (p.code?.coding ?? []).map((c) => c.code ?? '');
    if (codes.some((c) => c in FOLLOW_UP_PROPOSALS)) {
      p.section = 'follow-up';
      p.description ??= p.code?.text ?? FOLLOW_UP_PROPOSALS[codes.find((c) => c in FOLLOW_UP_PROPOSALS)!];
    }
    proposals.push(p);
  });
  return proposals;
}

// ----- activities ------------------------------------------------------------------------------------------

interface TreatmentScope {
  context: PpsContext;
  author: Reference;
  subject: Reference;
  decisionRef: Reference;
  conditions: Reference<Condition>[];
  today: string;
}

function therapyType(type: string | Coding | undefined, path: string): Coding | undefined {
  if (type === undefined) return undefined;
  if (typeof type === 'string') {
    const found = THERAPY_TYPES.find((c) => c.code === type);
    if (!found) throw badRequest(`Type de traitement inconnu : '${type}' (attendu : ${THERAPY_TYPES.map((c) => `${c.code} ${c.display}`).join(', ')})`, [`${path}.type`]);
    return found;
  }
  if (!type.code) throw badRequest('Le type de traitement doit avoir un code', [`${path}.type`]);
  return type;
}

function treatmentActivity(p: Proposal | undefined, t: PpsTreatmentInput, path: string, scope: TreatmentScope): { activity: CarePlanActivity; medicationRequest?: MedicationRequest } {
  const typeCoding = therapyType(t.type, path);
  const code: CodeableConcept | undefined = typeCoding ? { coding: [typeCoding], text: typeCoding.display } : p?.code;
  const route = t.route ?? p?.route;
  if (route !== undefined && !(route in ROUTE)) throw badRequest(`Mode d'administration inconnu : '${String(route)}' (attendu : ${Object.keys(ROUTE).join(', ')})`, [`${path}.route`]);
  const description = t.description ?? p?.description;
  const start = t.start ?? p?.period?.start;
  const end = t.end ?? p?.period?.end;

  if (route === 'oral') {
    const oral: Partial<OralTreatmentInput> = { ...p?.oral };
    for (const key of ['medication', 'dose', 'timesPerDay', 'cycle', 'instructions', 'sideEffects', 'prescriber'] as const) {
      if (t[key] !== undefined) (oral as Record<string, unknown>)[key] = t[key];
    }
    if (start) oral.start = datePart(start);
    if (end) oral.end = datePart(end);
    if (!oral.medication && description) oral.medication = { text: description };
    checkOralTreatment(oral, path, `« ${description ?? code?.text ?? 'sans libellé'} »`);
    const request = buildOralMedicationRequest(oral, {
      id: scope.context.newId(),
      subject: scope.subject,
      decision: scope.decisionRef,
      reasons: scope.conditions,
      prescriber: scope.author,
      authoredOn: scope.context.now,
      proposal: p?.request?.reference?.startsWith('MedicationRequest/') ? p.request : undefined,
    });
    const extension = [...sectionExtensions('treatment'), atHomeExtension(t.atHome ?? true), treatmentExtension({ ...t, route, code, datesConfirmed: t.datesConfirmed })];
    return {
      activity: {
        extension,
        reference: { reference: `MedicationRequest/${request.id}`, display: oral.medication.text ?? oral.medication.coding?.[0]?.display },
      },
      medicationRequest: request,
    };
  }

  if (!code && !description) throw badRequest('Indiquez le type de traitement (type) ou sa description', [`${path}.type`]);
  const detail: CarePlanActivityDetail = {
    ...(code ? { code } : {}),
    status: statusOf(t.status, t.datesConfirmed, path),
    ...(start || end ? { scheduledPeriod: { ...(start ? { start } : {}), ...(end ? { end } : {}) } } : {}),
    ...locationOf(t.place, t.location ?? p?.location),
    ...(t.performer ?? p?.performer ? { performer: t.performer ?? p?.performer } : {}),
    ...(description ? { description } : {}),
  };
  const treatment = treatmentExtension({ ...t, route, datesConfirmed: t.datesConfirmed });
  const extension = [...sectionExtensions('treatment'), ...(t.atHome !== undefined ? [atHomeExtension(t.atHome)] : []), ...(treatment.extension?.length ? [treatment] : [])];
  return { activity: { extension, detail } };
}

function treatmentExtension(t: PpsTreatmentInput & { code?: CodeableConcept }): Extension {
  return complex(EXT.treatment, [
    t.code && { url: 'type', valueCodeableConcept: t.code },
    t.datesConfirmed !== undefined && { url: 'datesConfirmed', valueBoolean: t.datesConfirmed },
    t.rhythm ? { url: 'rhythm', valueString: t.rhythm } : undefined,
    t.route && { url: 'route', valueCodeableConcept: routeConcept(t.route) },
    ...(t.sideEffects ?? []).map((s) => ({ url: 'sideEffect', valueString: s })),
  ]);
}

function itemActivity(section: ActivitySection, code: CodeableConcept, item: PpsItemInput): CarePlanActivity {
  const detail: CarePlanActivityDetail = {
    code,
    status: statusOf(item.status, item.datesConfirmed, section),
    ...(item.start || item.end ? { scheduledPeriod: { ...(item.start ? { start: item.start } : {}), ...(item.end ? { end: item.end } : {}) } } : {}),
    ...locationOf(item.place, item.location),
    ...(item.performer?.length ? { performer: item.performer } : {}),
    ...(item.description && item.description !== code.text ? { description: item.description } : {}),
  };
  const particulars = complex(EXT.treatment, [
    item.datesConfirmed !== undefined && { url: 'datesConfirmed', valueBoolean: item.datesConfirmed },
    item.rhythm ? { url: 'rhythm', valueString: item.rhythm } : undefined,
  ]);
  return { extension: [...sectionExtensions(section), ...(particulars.extension?.length ? [particulars] : [])], detail };
}

function atHomeExtension(atHome: boolean): Extension {
  return { url: EXT.atHome, valueBoolean: atHome };
}

function statusOf(status: string | undefined, datesConfirmed: boolean | undefined, path: string): ActivityStatus {
  if (status === undefined) return datesConfirmed ? 'scheduled' : 'not-started';
  if (!(ACTIVITY_STATUSES as readonly string[]).includes(status)) {
    throw badRequest(`Statut inconnu : '${status}' (attendu : ${ACTIVITY_STATUSES.join(', ')})`, [`${path}.status`]);
  }
  return status as ActivityStatus;
}

function locationOf(place: string | undefined, location: Reference | undefined): Pick<CarePlanActivityDetail, 'location'> {
  if (location) return { location: place ? { ...location, display: place } : location };
  return place ? { location: { display: place } } : {};
}

function required(value: string | undefined, path: string, what: string): string {
  if (!value || !value.trim()) throw badRequest(`Décrivez ${what} (description)`, [path]);
  return value;
}

// ----- contacts --------------------------------------------------------------------------------------------

/** Role of a care-team member in the PPS contacts, from their profession (G15) and the patient's GP. */
function roleOfMember(participant: CareTeamParticipant, gpRefs: Set<string>): ContactRole {
  const explicit = contactRoleOf(participant.role);
  if (explicit) return explicit;
  if (participant.member?.reference && gpRefs.has(participant.member.reference)) return 'gp';
  const codes = (participant.role ?? []).flatMap((r) => r.coding ?? []);
  if (codes.some((c) => c.system === G15 && c.code === '21')) return 'pharmacist';
  if (codes.some((c) => c.system === G15 && c.code === '60')) return 'nurse';
  if (codes.some((c) => c.code === 'SM54')) return 'gp';
  return 'care-team-member';
}

export function buildPpsCareTeam(context: PpsContext, subject: Reference, conditions: Reference<Condition>[]): CareTeam {
  const gpRefs = new Set((context.patient.generalPractitioner ?? []).map((r) => r.reference).filter((r): r is string => Boolean(r)));
  const participants: CareTeamParticipant[] = [];
  const seen = new Set<string>();
  const add = (participant: CareTeamParticipant) => {
    const key = participant.member?.reference ?? `display:${participant.member?.display ?? ''}`;
    if (seen.has(key)) return;
    seen.add(key);
    participants.push(participant);
  };
  if (context.author?.reference) add({ role: [contactRoleConcept('referent-physician')], member: context.author });
  for (const team of context.careTeams) {
    for (const p of team.participant ?? []) {
      if (!p.member) continue;
      const role = roleOfMember(p, gpRefs);
      const text = p.role?.find((r) => r.text)?.text;
      add({ role: [contactRoleConcept(role, text)], member: p.member, ...(p.onBehalfOf ? { onBehalfOf: p.onBehalfOf } : {}) });
    }
  }
  for (const gp of context.patient.generalPractitioner ?? []) add({ role: [contactRoleConcept('gp')], member: gp });
  if (context.coordinationCentre) add({ role: [contactRoleConcept('coordination-centre')], member: context.coordinationCentre });
  (context.input?.contacts ?? []).forEach((c) => {
    const display = [c.name ?? c.member?.display, c.phone].filter(Boolean).join(' — ');
    add({ role: [contactRoleConcept(c.role)], member: c.member ? { ...c.member, ...(display ? { display } : {}) } : { display } });
  });
  return {
    resourceType: 'CareTeam',
    id: context.newId(),
    status: 'active',
    category: [{ coding: [{ system: LOINC, code: 'LA28865-6', display: 'Longitudinal care-coordination focused care team' }] }],
    name: 'Équipe de soins et contacts du programme personnalisé de soins',
    subject,
    period: { start: datePart(context.now) },
    participant: participants,
    ...(conditions.length ? { reasonReference: conditions } : {}),
    ...(context.patient.managingOrganization ? { managingOrganization: [context.patient.managingOrganization] } : {}),
  };
}

// ----- hand-over and data-reuse notice ----------------------------------------------------------------------

export function dataReuseNoticeExtension(patientObjects?: boolean): Extension {
  return complex(EXT.dataReuseNotice, [
    { url: 'version', valueString: DATA_REUSE_NOTICE_VERSION },
    patientObjects !== undefined && { url: 'patientObjects', valueBoolean: patientObjects },
  ]);
}

export interface HandOverInput {
  /** When the document was handed to the patient (default: now). */
  date?: string;
  /** Who handed it over (default: the caller). */
  by?: Reference;
  /** The patient's choice: send this programme to the GP or not. Required: it is the patient's decision. */
  shareWithGp?: boolean;
  /** The patient objects to the reuse of their data (registries, INCa). */
  dataReuseObjection?: boolean;
  /** Why the programme is handed over again (required once it has been handed over: updated programme, lost copy…). */
  reason?: string;
}

/**
 * Records the hand-over of a PPS or PPAC to the patient (CI-SIS GEN-178 "date de remise du
 * document au patient", with who handed it over) and the patient's choice about the GP. A draft
 * becomes active. Handing over again (an updated version) replaces the previous record.
 *
 * A patient with no GP on file (`patientHasGp: false`) is not asked: nothing can be sent to a GP who
 * does not exist. The hand-over records it (noGeneralPractitioner) and the programme is not shared
 * with a GP declared later without asking the patient (shareWithGp false); « oui » is refused (422).
 */
export function handOverCarePlan(plan: CarePlan, input: HandOverInput, now: string, options: { patientHasGp?: boolean } = {}): CarePlan {
  const noGp = options.patientHasGp === false;
  if (!isPps(plan) && !isPpac(plan)) throw businessRule(`CarePlan/${plan.id} n'est ni un PPS ni un PPAC : seul un programme personnalisé se remet au patient`, ['CarePlan.category']);
  if (plan.status === 'revoked' || plan.status === 'entered-in-error') throw businessRule(`Ce programme est ${plan.status === 'revoked' ? 'annulé' : 'saisi par erreur'} : il ne peut pas être remis au patient`, ['CarePlan.status']);
  // The patient's answer is never assumed: a missing choice sent as « non » once printed « vous ne
  // l'avez pas souhaité » on the PPS. 422 (required), naming the field, whatever the client.
  if (noGp && input.shareWithGp === true) {
    throw invalidResource(422, [issue('error', 'business-rule', 'Pas de médecin traitant déclaré : le programme ne peut pas lui être envoyé. Déclarez-le dans le dossier du patient avant de recueillir son accord', ['shareWithGp'])]);
  }
  if (noGp && input.shareWithGp !== undefined && typeof input.shareWithGp !== 'boolean') throw badRequest('shareWithGp doit valoir true ou false', ['shareWithGp']);
  if (!noGp && typeof input.shareWithGp !== 'boolean') {
    throw invalidResource(422, [issue('error', 'required', "Indiquez si le patient accepte que son programme soit envoyé à son médecin traitant : sa réponse (oui ou non) est obligatoire pour enregistrer la remise", ['shareWithGp'])]);
  }
  if (!input.by?.reference) throw badRequest('Indiquez qui remet le document au patient (by : Practitioner/…)', ['by']);
  const date = input.date ?? now;
  if (!isDateOrDateTime(date)) throw badRequest(`Date de remise invalide : '${String(date)}' (attendu AAAA-MM-JJ ou date et heure ISO)`, ['date']);
  // Entered the day after is common; a hand-over in the future is not one (a day of margin for time zones).
  if (compareDates(datePart(date), addDays(datePart(now), 1)) > 0) {
    throw businessRule(futureDateMessage('La date de remise', date, 'enregistrez la remise le jour où le document est donné au patient'), ['date']);
  }
  // A second hand-over replaces the record of the first: its reason is kept in the plan's notes, so the
  // history says why the patient received the document again.
  const previous = handOverOf(plan);
  const reason = typeof input.reason === 'string' ? input.reason.trim() : '';
  if (previous && !reason) {
    throw businessRule(`Ce programme a déjà été remis au patient le ${longDate(previous.date)} : indiquez le motif de cette nouvelle remise (programme mis à jour, exemplaire perdu…)`, ['reason']);
  }
  const handOver: HandOver = { date, by: input.by, ...(noGp ? { noGp } : {}) };
  let next = withExtension(plan, EXT.handOver, handOverExtension(handOver));
  if (previous) {
    next = { ...next, note: [...(next.note ?? []), { time: now, authorReference: input.by, text: `Nouvelle remise au patient le ${longDate(date)} (remise précédente le ${longDate(previous.date)}) : ${reason}` }] };
  }
  // No GP: never « shared » — not with a GP declared later either, whom the patient was not asked about.
  next = withExtension(next, EXT.shareWithGp, shareWithGpExtension(noGp ? false : input.shareWithGp === true));
  if (input.dataReuseObjection !== undefined) next = withExtension(next, EXT.dataReuseNotice, dataReuseNoticeExtension(input.dataReuseObjection));
  if (next.status === 'draft') next = { ...next, status: 'active' };
  return next;
}


// ----- input shape ----------------------------------------------------------------------------------------------

/** A FHIR date (YYYY-MM-DD) or a dateTime starting with one. */
export function isDateOrDateTime(v: unknown): v is string {
  return typeof v === 'string' && isIsoDate(v.slice(0, 10)) && (v.length === 10 || !Number.isNaN(Date.parse(v)));
}

function checkInput(input: BuildPpsInput): void {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) throw badRequest('Le corps de $build-pps doit être un objet JSON (éventuellement vide)');
  const arrays = ['treatments', 'sideEffectsToWatch', 'prevention', 'associatedMeasures', 'followUps', 'supportiveCare', 'socialSupport', 'contacts'] as const;
  for (const key of arrays) {
    if (input[key] !== undefined && !Array.isArray(input[key])) throw badRequest(`${key} doit être un tableau`, [key]);
  }
  const checkItem = (item: PpsItemInput, path: string) => {
    if (!item || typeof item !== 'object') throw badRequest('Chaque élément doit être un objet', [path]);
    for (const key of ['start', 'end'] as const) {
      const v: unknown = item[key];
      if (v !== undefined && !isDateOrDateTime(v)) {
        throw badRequest(`Date invalide : '${String(v)}' (attendu AAAA-MM-JJ)`, [`${path}.${key}`]);
      }
    }
    if (item.start && item.end && compareDates(datePart(item.end), datePart(item.start)) < 0) throw badRequest(`La date de fin (${longDate(item.end)}) précède la date de début (${longDate(item.start)})`, [`${path}.end`]);
  };
  (input.treatments ?? []).forEach((t, i) => checkItem(t, `treatments[${i}]`));
  for (const key of ['prevention', 'associatedMeasures', 'followUps'] as const) (input[key] ?? []).forEach((t, i) => checkItem(t, `${key}[${i}]`));
  (input.supportiveCare ?? []).forEach((t, i) => {
    checkItem(t, `supportiveCare[${i}]`);
    if (!(t.type in SUPPORTIVE_CARE)) throw badRequest(`Soin de support inconnu : '${String(t.type)}' (attendu : ${Object.keys(SUPPORTIVE_CARE).join(', ')})`, [`supportiveCare[${i}].type`]);
  });
  (input.socialSupport ?? []).forEach((t, i) => {
    checkItem(t, `socialSupport[${i}]`);
    if (!(t.type in SOCIAL_SUPPORT)) throw badRequest(`Accompagnement social inconnu : '${String(t.type)}' (attendu : ${Object.keys(SOCIAL_SUPPORT).join(', ')})`, [`socialSupport[${i}].type`]);
  });
  (input.contacts ?? []).forEach((c, i) => {
    if (!c || !(c.role in CONTACT_ROLE)) throw badRequest(`Rôle de contact inconnu : '${String(c?.role)}' (attendu : ${Object.keys(CONTACT_ROLE).join(', ')})`, [`contacts[${i}].role`]);
    if (!c.member?.reference && !c.name) throw badRequest('Un contact désigne une ressource de l\'annuaire (member) ou porte un nom (name)', [`contacts[${i}]`]);
  });
  (input.sideEffectsToWatch ?? []).forEach((s, i) => {
    if (!s || typeof s.description !== 'string' || !s.description.trim()) throw badRequest("Décrivez l'effet indésirable à surveiller (description)", [`sideEffectsToWatch[${i}].description`]);
  });
  if (input.shareWithGp !== undefined && typeof input.shareWithGp !== 'boolean') throw badRequest('shareWithGp doit valoir true ou false', ['shareWithGp']);
  if (input.rcpDate !== undefined && !(typeof input.rcpDate === 'string' && isIsoDate(input.rcpDate.slice(0, 10)))) throw badRequest(`Date de RCP invalide : '${String(input.rcpDate)}'`, ['rcpDate']);
}
