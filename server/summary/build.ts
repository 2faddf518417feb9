/**
 * The summary of one patient for one profession, from what the caller's repository returned:
 * a list of sections (French blocks for the page and the narrative, plus the resources each
 * section shows). Pure: gather.ts reads, document.ts and printable.ts render.
 *
 * - GP: diagnosis and stage, the latest signed RCP proposal, the PPS (treatment calendar) when the
 *   patient agreed to share it, the PPAC's alternating surveillance with what is overdue, what to
 *   watch, whom to call.
 * - Nurse: care calendar, treatments at home (route, rhythm), side effects and what to do, whom
 *   to call — no diagnosis, no RCP discussion.
 * - Pharmacist: oral anticancer treatments (drug, dose, cycle, dates, prescriber, status, what to
 *   check at dispensing), whom to call — nothing else clinical.
 */
import type {
  Appointment, CarePlan, CarePlanActivity, CareTeam, Condition, MedicationRequest, Observation, Organization, Patient, PractitionerRole, Reference, ResearchStudy, ResearchSubject, Resource,
} from '@medplum/fhirtypes';
import { activitySection, activityStatusLabel, type Block, EXT, extensionOf, handOverOf, oralTreatmentPeriod, SECTION as CARE_SECTION, SETTING_LABEL, sub, subs, watchItemsOf } from '../care-plan/index.ts';
import { INCLUSION_STATUS_LABEL } from '../directories/index.ts';
import { withoutUnqualifiedIns } from '../identity/index.ts';
import { correctionOf } from '../rcp-sheet/index.ts';
import { cancerConditions, describeCondition, describeProposal, describeStage, latestStage, type SignedRcpProposal } from './clinical.ts';
import { AUDIENCE_LABEL, SECTION, type Audience, type SectionKey } from './codes.ts';
import { nameOf, whomToCall } from './contacts.ts';
import { oralTreatmentLine, oralTreatmentLines } from './oral-treatments.ts';
import { STATE_LABEL, surveillanceSchedule } from './surveillance-schedule.ts';
import { dayOf, longDay, parisDay, printedTime } from '../fhir-kit/french-dates.ts';

export interface SummarySources {
  /** As the caller read it (the INS is dropped here unless the identity is qualified). */
  patient: Patient;
  conditions?: Condition[];
  observations?: Observation[];
  rcp?: SignedRcpProposal;
  pps?: CarePlan;
  ppac?: CarePlan;
  medicationRequests?: MedicationRequest[];
  appointments?: Appointment[];
  /** The patient's trial participations (the GP's summary); their trials are in the directory. */
  researchSubjects?: ResearchSubject[];
  careTeams: CareTeam[];
  /** Directory entries (Practitioner, Organization, PractitionerRole, HealthcareService, Location) by "Type/id". */
  directory: Map<string, Resource>;
  practitionerRoles?: PractitionerRole[];
}

export interface SummarySection {
  key: SectionKey;
  title: string;
  blocks: Block[];
  /** The resources this section shows (Composition.section.entry). */
  entries: Resource[];
}

export interface Summary {
  audience: Audience;
  title: string;
  subtitle: string;
  /** Instant of the summary (ISO) and the French calendar day it was judged on. */
  generatedAt: string;
  today: string;
  patient: Patient;
  establishment?: Organization;
  sections: SummarySection[];
  /** References of the main documents shown (the audit trail names them). */
  documents: string[];
}

const SUBTITLE: Record<Audience, string> = {
  gp: 'Diagnostic, proposition de RCP, programme de soins et surveillance alternée de votre patient',
  nurse: 'Calendrier des soins, traitements à domicile, effets à surveiller et contacts',
  pharmacist: 'Traitements anticancéreux oraux à délivrer et contacts',
};

const versioned = (r: Resource) => `${r.resourceType}/${r.id}${r.meta?.versionId ? `/_history/${r.meta.versionId}` : ''}`;

export function buildSummary(audience: Audience, src: SummarySources, options: { now: Date }): Summary {
  const today = parisDay(options.now);
  const patient = withoutUnqualifiedIns(src.patient);
  const establishmentRef = patient.managingOrganization?.reference;
  const establishment = establishmentRef ? (src.directory.get(establishmentRef) as Organization | undefined) : undefined;
  // The GP summary never carries a PPS the patient chose not to send to the GP, whoever previews it.
  const notForGp = audience === 'gp' && src.pps && extensionOf(src.pps, EXT.shareWithGp)?.valueBoolean === false;
  const pps = notForGp || audience === 'pharmacist' ? undefined : src.pps;
  // The PPAC by the store's rule for the GP (store/visibility-sql.ts): only once handed over to the
  // patient with their agreement to send it — a physician previewing the GP's summary sees what the GP will.
  const ppac = audience === 'pharmacist' || (audience === 'gp' && src.ppac && !sharedWithGp(src.ppac)) ? undefined : src.ppac;
  const requests = src.medicationRequests ?? [];
  const ctx: BuildContext = { today, directory: src.directory, requests, roles: src.practitionerRoles ?? [] };

  const sections: SummarySection[] = [];
  const documents: string[] = [];
  if (audience === 'gp') {
    sections.push(diagnosisSection(src.conditions ?? [], src.observations ?? []));
    sections.push(rcpSection(src.rcp));
    if (src.rcp) documents.push(versioned(src.rcp.sheet));
    sections.push(ppsSection(pps, ctx));
    if (ppac) sections.push(...surveillanceSections(ppac, ctx));
    const watch = watchSection([pps, ppac], ctx, 'watch');
    if (watch) sections.push(watch);
    if (src.researchSubjects?.length) sections.push(trialsSection(src.researchSubjects, ctx));
  } else if (audience === 'nurse') {
    sections.push(careCalendarSection(pps, ppac, src.appointments ?? [], ctx));
    sections.push(homeTreatmentsSection(pps, requests, ctx));
    sections.push(watchSection([pps, ppac], ctx, 'side-effects') ?? emptySection('side-effects', "Aucun effet indésirable particulier n'est signalé dans le programme de soins."));
  } else {
    sections.push(oralTreatmentsSection(requests, ctx));
    documents.push(...oralTreatmentLines(requests, today).map((l) => versioned(l.request)));
  }
  if (pps) documents.push(versioned(pps));
  if (ppac) documents.push(versioned(ppac));
  sections.push(whomToCallSection(patient, src, audience));

  return {
    audience,
    title: AUDIENCE_LABEL[audience].title,
    subtitle: SUBTITLE[audience],
    generatedAt: options.now.toISOString(),
    today,
    patient,
    ...(establishment ? { establishment } : {}),
    sections,
    documents,
  };
}

interface BuildContext {
  today: string;
  directory: Map<string, Resource>;
  requests: MedicationRequest[];
  roles: PractitionerRole[];
}

function emptySection(key: SectionKey, text: string): SummarySection {
  return { key, title: SECTION[key].title, blocks: [{ kind: 'paragraph', text }], entries: [] };
}

// ----- GP ----------------------------------------------------------------------------------------------

function diagnosisSection(conditions: Condition[], observations: Observation[]): SummarySection {
  const cancers = cancerConditions(conditions);
  const stage = latestStage(observations);
  if (!cancers.length && !stage) return emptySection('diagnosis', 'Aucun diagnostic de cancer enregistré dans le DCC pour ce patient.');
  const fields: [string, string][] = cancers.map((c) => ['Diagnostic', describeCondition(c)]);
  if (stage) fields.push(['Stade', describeStage(stage)]);
  return { key: 'diagnosis', title: SECTION.diagnosis.title, blocks: [{ kind: 'fields', fields }], entries: [...cancers, ...(stage ? [stage] : [])] };
}

function rcpSection(rcp: SignedRcpProposal | undefined): SummarySection {
  if (!rcp) return emptySection('rcp-proposal', "Aucune fiche de RCP signée pour ce patient : la proposition vous sera transmise dès sa signature.");
  const p = describeProposal(rcp);
  const fields: [string, string][] = [];
  if (p.rcp) fields.push(['RCP', p.rcp]);
  if (p.meetingDate) fields.push(['Séance du', longDay(p.meetingDate)]);
  fields.push(['Fiche signée', [p.signedBy ? `par ${p.signedBy}` : '', p.signedOn ? `le ${longDay(p.signedOn)}` : ''].filter(Boolean).join(' ') || 'oui']);
  // The GP is told why the report changed, in the physician's words; a store version number meant nothing to him.
  if (rcp.sheet.status === 'amended') fields.push(['Compte rendu corrigé', correctionOf(rcp.sheet)?.reason ?? 'oui']);
  const blocks: Block[] = [{ kind: 'fields', fields }];
  if (p.choices.length) blocks.push({ kind: 'list', items: p.choices });
  if (p.exams.length) blocks.push({ kind: 'paragraph', text: 'Examens complémentaires demandés :' }, { kind: 'list', items: p.exams });
  if (p.other.length) blocks.push({ kind: 'list', items: p.other });
  return {
    key: 'rcp-proposal',
    title: SECTION['rcp-proposal'].title,
    blocks,
    entries: [rcp.sheet, ...(rcp.decision ? [rcp.decision] : []), ...(rcp.provenance ? [rcp.provenance] : [])],
  };
}

const PLAN_STATUS: Record<string, string> = {
  draft: 'en préparation (pas encore remis au patient)', active: 'en vigueur', 'on-hold': 'suspendu', completed: 'terminé', revoked: 'annulé', unknown: 'inconnu',
};

function ppsSection(pps: CarePlan | undefined, ctx: BuildContext): SummarySection {
  if (!pps) {
    return emptySection('pps', "Aucun programme personnalisé de soins ne vous est accessible : il n'est pas encore établi, ou le patient n'a pas souhaité qu'il soit transmis à son médecin traitant.");
  }
  const handOver = handOverOf(pps);
  const fields: [string, string][] = [['Statut', PLAN_STATUS[pps.status] ?? pps.status]];
  if (handOver) fields.push(['Remis au patient le', longDay(handOver.date)]);
  const end = extensionOf(pps, EXT.endOfActiveTreatment)?.valueDate;
  if (end) fields.push(['Fin des traitements actifs', longDay(end)]);
  const rows = (pps.activity ?? [])
    .filter((a) => ['treatment', 'prevention', 'associated-measure', 'follow-up', 'supportive-care'].includes(activitySection(a) ?? ''))
    .map((a) => {
      const period = a.detail?.scheduledPeriod ?? requestPeriod(a, ctx.requests);
      return [CARE_SECTION[activitySection(a)!].title, activityName(a, ctx.requests), periodText(period?.start, period?.end), placeOf(a, ctx), statusOf(a, ctx.requests, pps)];
    });
  const blocks: Block[] = [{ kind: 'fields', fields }];
  if (rows.length) blocks.push({ kind: 'table', headers: ['Rubrique', 'Soin', 'Dates', 'Lieu, équipe', 'Statut'], widths: [0.16, 0.3, 0.22, 0.2, 0.12], rows });
  blocks.push({ kind: 'paragraph', text: 'Les contacts du programme figurent dans la rubrique « Qui appeler ».' });
  return { key: 'pps', title: SECTION.pps.title, blocks, entries: [pps] };
}

function surveillanceSections(ppac: CarePlan, ctx: BuildContext): SummarySection[] {
  const items = surveillanceSchedule(ppac, ctx.today);
  const who = (i: (typeof items)[number]) => [i.by ? SETTING_LABEL[i.by] : '', i.performer ? nameOf(i.performer, ctx.directory) : ''].filter(Boolean).join(' — ');
  const rows = items.map((i) => [i.number ? String(i.number) : '—', longDay(i.due), i.kind === 'visit' ? who(i) : i.label, i.exams.join(', ') || '—', STATE_LABEL[i.state]]);
  const next = items.find((i) => i.next);
  const blocks: Block[] = [
    { kind: 'paragraph', text: `Fin des traitements actifs : ${longDay(extensionOf(ppac, EXT.endOfActiveTreatment)?.valueDate ?? ppac.period?.start) || 'non précisée'}. Les consultations alternent entre le spécialiste hospitalier et le médecin traitant.` },
    { kind: 'table', headers: ['N°', 'Échéance', 'Par', 'Examens à faire avant', 'État'], widths: [0.06, 0.16, 0.3, 0.34, 0.14], rows },
  ];
  if (next) blocks.push({ kind: 'paragraph', text: `Prochaine échéance : ${next.label.toLowerCase()} le ${longDay(next.due)}${next.by ? ` (${SETTING_LABEL[next.by].toLowerCase()})` : ''}.`, emphasis: true });
  const overdue = items.filter((i) => i.state === 'overdue');
  const overdueSection: SummarySection = {
    key: 'overdue',
    title: SECTION.overdue.title,
    blocks: overdue.length
      ? [
        { kind: 'paragraph', text: `${overdue.length} échéance${overdue.length > 1 ? 's' : ''} dépassée${overdue.length > 1 ? 's' : ''} sans consultation enregistrée :`, emphasis: true },
        { kind: 'list', items: overdue.map((i) => `${i.label} prévue le ${longDay(i.due)}${i.kind === 'visit' && who(i) ? ` — ${who(i)}` : ''}${i.exams.length ? ` (examens : ${i.exams.join(', ')})` : ''}`) },
      ]
      : [{ kind: 'paragraph', text: 'Aucune échéance de surveillance dépassée.' }],
    entries: [ppac],
  };
  return [{ key: 'ppac-surveillance', title: SECTION['ppac-surveillance'].title, blocks, entries: [ppac] }, overdueSection];
}

// ----- shared: what to watch ---------------------------------------------------------------------------

function watchSection(plans: (CarePlan | undefined)[], ctx: BuildContext, key: 'watch' | 'side-effects'): SummarySection | undefined {
  const present = plans.filter((p): p is CarePlan => Boolean(p));
  // One heading per kind, then its items: each bullet once began with « Effet indésirable : ».
  const heading: Record<string, string> = { 'side-effect': 'Effets indésirables', 'late-effect': 'Effets tardifs', 'relapse-sign': 'Signes de rechute', 'second-cancer': 'Dépistage d’un second cancer' };
  const groups = new Map<string, string[]>();
  const add = (kind: string, item: string) => groups.set(kind, [...(groups.get(kind) ?? []), item]);
  for (const plan of present) {
    for (const w of watchItemsOf(plan)) add(w.kind in heading ? w.kind : 'other', `${w.description}${w.action ? ` — conduite à tenir : ${w.action}` : ''}`);
    for (const a of plan.activity ?? []) {
      const effects = subs(extensionOf(a, EXT.treatment), 'sideEffect').map((e) => e.valueString).filter(Boolean);
      if (effects.length) add('side-effect', `${activityName(a, ctx.requests)} : ${effects.join(', ')}`);
    }
  }
  if (!groups.size) return undefined;
  const order = [...Object.keys(heading), 'other'].filter((k) => groups.has(k));
  const blocks: Block[] = order.flatMap((kind): Block[] => [
    { kind: 'paragraph', text: `${heading[kind] ?? 'À surveiller'} :`, emphasis: true },
    { kind: 'list', items: groups.get(kind)! },
  ]);
  blocks.push({ kind: 'paragraph', text: "En cas de signe inquiétant, appelez l'équipe référente (voir « Qui appeler ») ; en cas d'urgence vitale, le 15." });
  return { key, title: SECTION[key].title, blocks, entries: present };
}

// ----- nurse --------------------------------------------------------------------------------------------

function careCalendarSection(pps: CarePlan | undefined, ppac: CarePlan | undefined, appointments: Appointment[], ctx: BuildContext): SummarySection {
  // Undated rows sort after the dated ones ('~' after any YYYY-MM-DD), in the plan's order.
  const rows: { date: string; cells: string[] }[] = [];
  for (const plan of [pps, ppac]) {
    for (const a of plan?.activity ?? []) {
      const section = activitySection(a);
      // The local relays are contacts, not care: « Qui appeler » lists whom to call.
      if (!section || section === 'local-relay') continue;
      const period = a.detail?.scheduledPeriod ?? requestPeriod(a, ctx.requests);
      const last = period?.end ?? period?.start;
      // The calendar is what is ahead: past, done or cancelled items are left out. An undated one is
      // ahead too — the chemotherapy « à préciser » of an RCP decision was dropped, and with it
      // everything the nurse had to know beside the one dated oral treatment.
      if (last && dayOf(last) < ctx.today) continue;
      if (['completed', 'cancelled', 'stopped', 'entered-in-error'].includes(a.detail?.status ?? '')) continue;
      const by = extensionOf(a, EXT.surveillanceBy)?.valueCode as 'hospital' | 'gp' | undefined;
      const instruction = isInstruction(section);
      const start = period?.start ?? period?.end;
      rows.push({
        date: start ? dayOf(start) : '~',
        cells: [
          start ? periodText(period?.start, period?.end) : instruction ? 'pendant le traitement' : 'date à préciser',
          instruction ? `${CARE_SECTION[section].title} : ${activityName(a, ctx.requests)}` : activityName(a, ctx.requests),
          [by ? SETTING_LABEL[by] : '', placeOf(a, ctx)].filter(Boolean).join(' — '),
          instruction && !start ? 'consigne' : statusOf(a, ctx.requests, plan),
        ],
      });
    }
  }
  for (const ap of appointments) {
    if (!ap.start || dayOf(ap.start) < ctx.today || ['cancelled', 'noshow', 'entered-in-error', 'fulfilled'].includes(ap.status)) continue;
    const who = (ap.participant ?? []).map((p) => p.actor).filter((r) => r && !r.reference?.startsWith('Patient/')).map((r) => nameOf(r, ctx.directory)).filter(Boolean).join(', ');
    const what = ap.description ?? ap.serviceType?.[0]?.text ?? ap.appointmentType?.text ?? 'Rendez-vous';
    rows.push({ date: dayOf(ap.start), cells: [`le ${longDay(ap.start)}${/T\d\d:\d\d/.test(ap.start) ? ` à ${printedTime(ap.start)}` : ''}`, what, who, ap.status === 'booked' ? 'rendez-vous pris' : ap.status === 'proposed' || ap.status === 'pending' ? 'à confirmer' : ap.status] });
  }
  rows.sort((a, b) => (a.date < b.date ? -1 : a.date > b.date ? 1 : 0));
  const entries = [...(pps ? [pps] : []), ...(ppac ? [ppac] : []), ...appointments.filter((ap) => ap.start && dayOf(ap.start) >= ctx.today && !['cancelled', 'noshow', 'entered-in-error', 'fulfilled'].includes(ap.status))];
  if (!rows.length) return { ...emptySection('care-calendar', 'Aucun soin ni rendez-vous à venir enregistré.'), entries };
  return {
    key: 'care-calendar',
    title: SECTION['care-calendar'].title,
    blocks: [{ kind: 'table', headers: ['Date', 'Soin ou rendez-vous', 'Lieu, intervenant', 'Statut'], widths: [0.24, 0.34, 0.26, 0.16], rows: rows.map((r) => r.cells) }],
    entries,
  };
}

function homeTreatmentsSection(pps: CarePlan | undefined, requests: MedicationRequest[], ctx: BuildContext): SummarySection {
  const rows: string[][] = [];
  const shown = new Set<string>();
  const entries: Resource[] = [];
  for (const a of pps?.activity ?? []) {
    if (activitySection(a) !== 'treatment') continue;
    const request = requestOf(a, requests);
    const atHome = extensionOf(a, EXT.atHome)?.valueBoolean;
    if (!atHome && !request) continue;
    if (request) shown.add(`MedicationRequest/${request.id}`);
    const t = extensionOf(a, EXT.treatment);
    const route = sub(t, 'route')?.valueCodeableConcept?.text ?? request?.dosageInstruction?.[0]?.route?.text ?? request?.dosageInstruction?.[0]?.route?.coding?.[0]?.display ?? '';
    // A prescription's rhythm is said once, from its facts (dose per intake, intakes, cycle): the PPS's
    // « cycles de 21 jours » beside the dosage text repeated it, and « 1500 mg matin et soir » read as a daily dose.
    const line = request ? oralTreatmentLine(request, ctx.today) : undefined;
    const rhythm = line
      ? [line.dose, line.schedule, line.cycle, ...line.instructions].filter(Boolean).join(', ')
      : sub(t, 'rhythm')?.valueString ?? '';
    const period = a.detail?.scheduledPeriod ?? requestPeriod(a, requests);
    rows.push([activityName(a, requests), route, rhythm, periodText(period?.start, period?.end), statusOf(a, requests, pps)]);
    if (request) entries.push(request);
  }
  for (const line of oralTreatmentLines(requests, ctx.today)) {
    if (shown.has(`MedicationRequest/${line.request.id}`) || ['cancelled', 'completed'].includes(line.state)) continue;
    rows.push([line.drug, 'par voie orale', [line.dose, line.schedule, line.cycle, ...line.instructions].filter(Boolean).join(', '), periodText(line.start, line.end), line.stateLabel]);
    entries.push(line.request);
  }
  if (!rows.length) return emptySection('home-treatments', "Aucun traitement à domicile n'est prévu dans le programme de soins.");
  return {
    key: 'home-treatments',
    title: SECTION['home-treatments'].title,
    blocks: [{ kind: 'table', headers: ['Traitement', "Mode d'administration", 'Rythme', 'Dates', 'Statut'], widths: [0.22, 0.18, 0.3, 0.18, 0.12], rows }],
    entries: [...(pps ? [pps] : []), ...entries],
  };
}

// ----- pharmacist -----------------------------------------------------------------------------------------

function oralTreatmentsSection(requests: MedicationRequest[], ctx: BuildContext): SummarySection {
  const lines = oralTreatmentLines(requests, ctx.today);
  if (!lines.length) return emptySection('oral-treatments', 'Aucun traitement anticancéreux oral enregistré pour ce patient.');
  const blocks: Block[] = [];
  for (const line of lines) {
    const prescriber = line.prescriber ? [nameOf(line.prescriber, ctx.directory), contactOf(line.prescriber, ctx)].filter(Boolean).join(' — ') : '';
    const fields: [string, string][] = [
      ['Médicament', [line.drug, line.codes.length ? `(${line.codes.join(', ')})` : ''].filter(Boolean).join(' ')],
      ['Statut', line.stateLabel],
    ];
    if (line.dose) fields.push(['Dose', line.dose]);
    if (line.schedule) fields.push(['Prises', line.schedule]);
    if (line.cycle) fields.push(['Cycle', line.cycle]);
    if (line.cycleDates.length) fields.push(['Dates des cycles', line.cycleDates.join(' ; ')]);
    fields.push(['Début', line.start ? longDay(line.start) : 'à préciser'], ['Fin prévue', line.end ? longDay(line.end) : 'à préciser']);
    if (prescriber) fields.push(['Prescripteur', prescriber]);
    if (line.instructions.length) fields.push(['Consignes au patient', line.instructions.join(' ; ')]);
    if (line.sideEffects.length) fields.push(['Effets indésirables à surveiller', line.sideEffects.join(', ')]);
    blocks.push({ kind: 'paragraph', text: `${line.drug} — ${line.stateLabel}`, emphasis: true }, { kind: 'fields', fields });
    if (line.dispensing.length) blocks.push({ kind: 'paragraph', text: 'À vérifier à la délivrance :' }, { kind: 'list', items: line.dispensing });
  }
  // The pharmacist does not read the programme (access/policy.ts): say so, rather than let an oral
  // drug of a protocol (capecitabine of CAPOX, with oxaliplatin in day hospital) read as the whole treatment.
  if (lines.some((l) => l.request.basedOn?.length)) {
    blocks.push({ kind: 'paragraph', emphasis: true, text: "Ces traitements oraux s'inscrivent dans un programme de soins décidé en RCP, qui peut associer d'autres traitements donnés à l'hôpital (perfusions) et des consignes : ce programme n'est pas transmis à l'officine — en cas de doute sur une association ou une interaction, appelez le prescripteur." });
  }
  return { key: 'oral-treatments', title: SECTION['oral-treatments'].title, blocks, entries: lines.map((l) => l.request) };
}

// ----- everyone: whom to call --------------------------------------------------------------------------------

/**
 * The patient takes part in a trial: which one, since when, and whom to call about it (the trial's
 * contact in the regional directory) — a GP must know before prescribing beside a trial treatment.
 */
function trialsSection(subjects: ResearchSubject[], ctx: BuildContext): SummarySection {
  const byStart = [...subjects].sort((a, b) => (b.period?.start ?? '').localeCompare(a.period?.start ?? ''));
  const studies = byStart.map((s) => ctx.directory.get(s.study?.reference ?? '') as ResearchStudy | undefined);
  const rows = byStart.map((s, i) => {
    const study = studies[i];
    const registry = study?.identifier?.find((x) => x.value)?.value ?? '';
    const contact = study?.contact?.[0];
    const phone = contact?.telecom?.find((t) => t.system === 'phone')?.value;
    const period = [s.period?.start ? `depuis le ${longDay(s.period.start)}` : '', s.period?.end ? `jusqu’au ${longDay(s.period.end)}` : ''].filter(Boolean).join(' ');
    return [
      [study?.title ?? s.study?.display ?? 'Essai non trouvé dans l’annuaire', registry ? `(${registry})` : ''].filter(Boolean).join(' '),
      [INCLUSION_STATUS_LABEL[s.status] ?? s.status, period].filter(Boolean).join(', '),
      [contact?.name, phone].filter(Boolean).join(' · ') || 'contact non renseigné',
    ];
  });
  return {
    key: 'clinical-trials',
    title: SECTION['clinical-trials'].title,
    blocks: [{ kind: 'table', headers: ['Essai', 'Statut', 'Contact de l’essai'], widths: [0.45, 0.3, 0.25], rows }],
    entries: [...byStart, ...studies.filter((s): s is ResearchStudy => Boolean(s))],
  };
}

function whomToCallSection(patient: Patient, src: SummarySources, audience: Audience): SummarySection {
  const { lines, contacts } = whomToCall({ patient, careTeams: src.careTeams, directory: src.directory, roles: src.practitionerRoles ?? [] });
  const blocks: Block[] = [];
  if (lines.length) blocks.push({ kind: 'fields', fields: lines.map((l) => [l.label, l.phone]) });
  if (contacts.length) {
    blocks.push({
      kind: 'table',
      headers: ['Rôle', 'Nom', 'Téléphone', 'Messagerie sécurisée'],
      widths: [0.28, 0.3, 0.18, 0.24],
      rows: contacts.map((c) => [c.role, [c.name, c.organization && !c.name.includes(c.organization) ? `(${c.organization})` : ''].filter(Boolean).join(' '), c.phone ?? '', c.email ?? '']),
    });
  }
  if (audience !== 'gp') blocks.push({ kind: 'paragraph', text: "En cas d'urgence vitale : appelez le 15 (SAMU)." });
  if (!lines.length && !contacts.length) blocks.unshift({ kind: 'paragraph', text: "Aucune équipe de soins n'est enregistrée pour ce patient." });
  const entries: Resource[] = [...src.careTeams];
  const establishment = patient.managingOrganization?.reference ? src.directory.get(patient.managingOrganization.reference) : undefined;
  if (establishment) entries.push(establishment);
  return { key: 'whom-to-call', title: SECTION['whom-to-call'].title, blocks, entries };
}

// ----- helpers ---------------------------------------------------------------------------------------------

function requestOf(a: CarePlanActivity, requests: MedicationRequest[]): MedicationRequest | undefined {
  const ref = a.reference?.reference;
  return ref ? requests.find((r) => `MedicationRequest/${r.id}` === ref) : undefined;
}

function requestPeriod(a: CarePlanActivity, requests: MedicationRequest[]): { start?: string; end?: string } | undefined {
  return oralTreatmentPeriod(requestOf(a, requests));
}

function activityName(a: CarePlanActivity, requests: MedicationRequest[]): string {
  const request = requestOf(a, requests);
  if (request) return request.medicationCodeableConcept?.text ?? a.reference?.display ?? 'Traitement oral';
  const d = a.detail;
  const code = d?.code?.text ?? d?.code?.coding?.[0]?.display;
  const type = sub(extensionOf(a, EXT.treatment), 'type')?.valueCodeableConcept?.text;
  return [code ?? type, d?.description && d.description !== code ? d.description : ''].filter(Boolean).join(' : ') || a.reference?.display || 'Soin';
}

function placeOf(a: CarePlanActivity, ctx: BuildContext): string {
  if (extensionOf(a, EXT.atHome)?.valueBoolean) return 'À domicile';
  const d = a.detail;
  const place = [d?.location ? nameOf(d.location, ctx.directory) : '', ...(d?.performer ?? []).map((p) => nameOf(p, ctx.directory))].filter(Boolean).join(' — ');
  if (place || activitySection(a) !== 'treatment' || requestOf(a, ctx.requests)) return place;
  // A treatment not given at home is given at the hospital: a chemotherapy (the IV part of CAPOX) in day hospital.
  const types = [...(d?.code?.coding ?? []), ...(sub(extensionOf(a, EXT.treatment), 'type')?.valueCodeableConcept?.coding ?? [])];
  return types.some((c) => c.code === CHEMOTHERAPY_CODE) ? 'En hôpital de jour' : "À l'hôpital";
}

/** NCIt « Chimiothérapie », the treatment type of the RCP proposals (care-plan/codes.ts THERAPY_TYPES). */
const CHEMOTHERAPY_CODE = 'C15632';

/** Precautions and instructions of the plan (« Pas de vaccin vivant… », « Bains de bouche… »): they hold for the whole treatment. */
function isInstruction(section: string): section is 'prevention' | 'associated-measure' {
  return section === 'prevention' || section === 'associated-measure';
}

/** Handed over to the patient with their agreement to send it to the GP (care-plan/model.ts handOverOf). */
function sharedWithGp(plan: CarePlan): boolean {
  const handOver = handOverOf(plan);
  return Boolean(handOver && handOver.shareWithGp === true);
}

function statusOf(a: CarePlanActivity, requests: MedicationRequest[], plan: CarePlan | undefined): string {
  return activityStatusLabel(a, requestOf(a, requests), plan?.status);
}

function periodText(start?: string, end?: string): string {
  if (start && end && dayOf(start) !== dayOf(end)) return `du ${longDay(start)} au ${longDay(end)}`;
  if (start) return `le ${longDay(start)}`;
  if (end) return `au plus tard le ${longDay(end)}`;
  return 'à préciser';
}

/** The prescriber's line: the PractitionerRole's (direct line at the establishment), else the Practitioner's. */
function contactOf(ref: Reference, ctx: BuildContext): string {
  const r = ref.reference ? ctx.directory.get(ref.reference) : undefined;
  const role = ctx.roles.find((x) => ref.reference && x.practitioner?.reference === ref.reference && x.telecom?.length);
  const telecom = [...(role?.telecom ?? []), ...((r as { telecom?: { system?: string; value?: string }[] } | undefined)?.telecom ?? [])];
  const phone = telecom.find((t) => t.system === 'phone')?.value;
  const mail = telecom.find((t) => t.system === 'email')?.value;
  return [phone ? `tél. ${phone}` : '', mail ?? ''].filter(Boolean).join(' · ');
}
