/**
 * The PPS / PPAC as the patient reads it: plain French sections built from the CarePlan and what
 * it references. One model, two renderings (HTML and PDF), so both always say the same thing.
 */
import type {
  Address, CarePlan, CarePlanActivity, CareTeam, Condition, ContactPoint, HealthcareService, HumanName, MedicationRequest, Organization, Patient,
  Practitioner, PractitionerRole, Reference, Resource,
} from '@medplum/fhirtypes';
import { activityStatusLabel } from './activity-status.ts';
import {
  ACTIVITY_STATUS_LABEL, CONTACT_ROLE, DATA_REUSE_NOTICE, EXT, SECTION, contactRoleOf, type ActivitySection,
} from './codes.ts';
import { activitySection, extensionOf, handOverOf, hasDeclaredGp, isPpac, sub, subs, updateRecordsOf, watchItemsOf } from './model.ts';
import { patientDiagnosis } from './diagnosis.ts';
import { cycleOf, oralTreatmentPeriod } from './oral-treatment.ts';
import { insOf } from './patient-identity.ts';
import { printedPatientIdentity, shownName, usedFamilyName } from '../identity/index.ts';
import { SETTING_LABEL, type SurveillanceSetting } from './surveillance.ts';
import { isRelativeReference } from '../fhir-kit/ids.ts';
import { longDate } from '../fhir-kit/french-dates.ts';

export type Block =
  | { kind: 'paragraph'; text: string; emphasis?: boolean }
  | { kind: 'list'; items: string[] }
  | { kind: 'fields'; fields: [string, string][] }
  | { kind: 'table'; headers: string[]; rows: string[][]; widths?: number[] };

export interface PrintableSection {
  title: string;
  blocks: Block[];
}

export interface PrintableDocument {
  kind: 'pps' | 'ppac';
  title: string;
  subtitle: string;
  /** Identity lines of the patient. */
  patient: [string, string][];
  /** The patient as every page's footer names them (printedPatientIdentity). */
  patientIdentity: string;
  /** Who wrote it, when, status. */
  about: [string, string][];
  sections: PrintableSection[];
}

export interface PrintSources {
  carePlan: CarePlan;
  /** Already stripped of an unqualified INS. */
  patient?: Patient;
  careTeams: CareTeam[];
  medicationRequests: MedicationRequest[];
  /** The cancers addressed, when the reader may see them. */
  conditions: Condition[];
  /** Directory entries referenced (Practitioner, Organization, HealthcareService, PractitionerRole), by "Type/id". */
  directory: Map<string, Resource>;
  /** The roles of the practitioners named (their work phone and establishment), when the directory has them. */
  roles?: PractitionerRole[];
}

const PLAN_STATUS: Record<string, string> = {
  draft: 'en préparation (pas encore remis)',
  active: 'en vigueur',
  'on-hold': 'suspendu',
  revoked: 'annulé',
  completed: 'terminé',
  'entered-in-error': 'saisi par erreur',
  unknown: 'inconnu',
};

export function printableCarePlan(src: PrintSources): PrintableDocument {
  const plan = src.carePlan;
  const ppac = isPpac(plan);
  const names = new Names(src.directory, src.roles);
  const sections: PrintableSection[] = [];
  const activities = plan.activity ?? [];
  const inSection = (s: ActivitySection) => activities.filter((a) => activitySection(a) === s);

  // The disease as the patient understands it, not the CIM-10 label (only when the reader may see the diagnosis).
  const disease = [...new Set(src.conditions.map(patientDiagnosis))];
  const context: [string, string][] = [];
  if (disease.length) context.push(['Votre maladie', disease.join(' ; ')]);
  const rcpDate = extensionOf(plan, EXT.rcpDate)?.valueDateTime;
  if (rcpDate) context.push(['Proposition de la réunion de concertation pluridisciplinaire (RCP) du', longDate(rcpDate)]);
  const end = extensionOf(plan, EXT.endOfActiveTreatment)?.valueDate;
  if (end) context.push(['Fin des traitements actifs', longDate(end)]);
  if (context.length) sections.push({ title: ppac ? 'Où en êtes-vous ?' : 'Votre programme', blocks: [{ kind: 'fields', fields: context }] });

  if (ppac) {
    const visits = inSection('surveillance');
    if (visits.length) {
      sections.push({
        title: 'Votre calendrier de surveillance',
        blocks: [
          { kind: 'paragraph', text: 'Vos consultations de surveillance alternent entre le spécialiste de l’hôpital et votre médecin traitant. Les dates sont prévisionnelles : chaque rendez-vous vous sera confirmé.' },
          { kind: 'table', headers: ['N°', 'Date prévue', 'Avec', 'Examens à faire avant la consultation'], widths: [0.07, 0.2, 0.33, 0.4], rows: visits.map((a) => visitRow(a, names)) },
        ],
      });
    }
    const watch = watchItemsOf(plan);
    const watchSection = (title: string, kind: string, intro?: string) => {
      const items = watch.filter((w) => w.kind === kind).map((w) => (w.action ? `${w.description} — ${w.action}` : w.description));
      if (items.length) sections.push({ title, blocks: [...(intro ? [{ kind: 'paragraph' as const, text: intro }] : []), { kind: 'list', items }] });
    };
    watchSection('Effets tardifs des traitements à surveiller', 'late-effect');
    watchSection('Signes qui doivent vous faire consulter sans attendre', 'relapse-sign', 'Si l’un de ces signes apparaît, contactez votre médecin traitant ou l’équipe hospitalière sans attendre la prochaine consultation prévue.');
    watchSection('Dépistage d’un second cancer', 'second-cancer');
    for (const a of inSection('needs-evaluation')) {
      const structure = extensionOf(a, EXT.orientation)?.valueReference;
      const fields: [string, string][] = [['À réaliser au plus tard le', longDate(a.detail?.scheduledPeriod?.end)]];
      if (structure) fields.push(['Structure qui vous accueille', [names.of(structure), names.contact(structure)].filter(Boolean).join(' — ')]);
      sections.push({
        title: 'Évaluation de vos besoins en soins de support',
        blocks: [{ kind: 'paragraph', text: a.detail?.description ?? '' }, { kind: 'fields', fields }],
      });
    }
    for (const s of ['physical-activity', 'psychosocial', 'return-to-work', 'addiction'] as const) pushItems(sections, SECTION[s].title, inSection(s), names);
    const relays = inSection('local-relay').map((a) => {
      const who = a.detail?.performer?.[0];
      return [a.detail?.code?.text, [names.of(who), names.contact(who)].filter(Boolean).join(' — ')].filter(Boolean).join(' : ');
    });
    if (relays.length) sections.push({ title: SECTION['local-relay'].title, blocks: [{ kind: 'list', items: relays }] });
  } else {
    const treatments = inSection('treatment');
    if (treatments.length) sections.push(treatmentSection(treatments, src.medicationRequests, names, plan.status));
    const sideEffects = [
      ...watchItemsOf(plan).filter((w) => w.kind === 'side-effect').map((w) => (w.action ? `${w.description} — ${w.action}` : w.description)),
      ...treatments.flatMap((a) => {
        const list = subs(extensionOf(a, EXT.treatment), 'sideEffect').map((e) => e.valueString).filter(Boolean);
        return list.length ? [`${treatmentName(a, src.medicationRequests)} : ${list.join(', ')}`] : [];
      }),
    ];
    if (sideEffects.length) {
      sections.push({
        title: 'Effets indésirables à surveiller',
        blocks: [
          { kind: 'paragraph', text: 'Signalez tout effet indésirable à l’équipe qui vous suit ; en cas de fièvre au-delà de 38 °C pendant une chimiothérapie, appelez sans attendre.' },
          { kind: 'list', items: sideEffects },
        ],
      });
    }
    pushItems(sections, 'Prévention des effets indésirables', inSection('prevention'), names);
    pushItems(sections, 'Mesures associées', inSection('associated-measure'), names);
    pushItems(sections, 'Votre suivi', inSection('follow-up'), names);
    pushItems(sections, 'Soins de support', inSection('supportive-care'), names);
    pushItems(sections, 'Accompagnement social et professionnel', inSection('social-support'), names);
  }

  const contacts = src.careTeams.flatMap((team) => team.participant ?? []).map((p) => {
    const role = contactRoleOf(p.role);
    return [p.role?.find((r) => r.text)?.text ?? (role ? CONTACT_ROLE[role].label : 'Contact'), names.of(p.member), names.contact(p.member)];
  });
  if (contacts.length) sections.push({ title: 'Vos contacts', blocks: [{ kind: 'table', headers: ['Rôle', 'Nom', 'Coordonnées'], widths: [0.32, 0.36, 0.32], rows: contacts }] });

  const updates = updateRecordsOf(plan).map((u) => [longDate(u.date), u.reason?.text ?? u.reason?.coding?.[0]?.display ?? '', u.detail ?? ''].filter(Boolean).join(' — '));
  if (updates.length) sections.push({ title: 'Mises à jour de votre programme', blocks: [{ kind: 'list', items: updates }] });

  for (const note of plan.note ?? []) sections.push({ title: 'Commentaire', blocks: [{ kind: 'paragraph', text: note.text }] });

  const handOver = handOverOf(plan);
  const handOverFields: [string, string][] = handOver
    ? [['Document remis le', longDate(handOver.date)], ...(handOver.by ? [['Remis par', names.of(handOver.by)] as [string, string]] : [])]
    : [['Remise au patient', 'pas encore remis']];
  // No GP on file (recorded at the hand-over, or none now): the document never says it was sent to one.
  if (handOver && (handOver.noGp || (handOver.shareWithGp === true && src.patient && !hasDeclaredGp(src.patient)))) {
    handOverFields.push(['Envoi à votre médecin traitant', 'pas de médecin traitant déclaré : le programme ne lui a pas été envoyé']);
  } else if (handOver?.shareWithGp !== undefined) {
    handOverFields.push(['Envoi à votre médecin traitant', handOver.shareWithGp ? 'oui, vous l’avez accepté' : 'non, vous ne l’avez pas souhaité']);
  }
  sections.push({ title: 'Remise du document', blocks: [{ kind: 'fields', fields: handOverFields }] });

  const notice = extensionOf(plan, EXT.dataReuseNotice);
  const objects = sub(notice, 'patientObjects')?.valueBoolean;
  sections.push({
    title: 'Information sur les données personnelles vous concernant',
    blocks: [
      ...DATA_REUSE_NOTICE.map((text) => ({ kind: 'paragraph' as const, text })),
      ...(objects ? [{ kind: 'paragraph' as const, text: 'Vous avez fait savoir que vous vous opposez à cette réutilisation de vos données : elle a été enregistrée.', emphasis: true }] : []),
    ],
  });

  return {
    kind: ppac ? 'ppac' : 'pps',
    title: ppac ? "Programme personnalisé de l'après-cancer" : 'Programme personnalisé de soins',
    subtitle: ppac
      ? 'Votre suivi après la fin des traitements actifs, organisé avec votre médecin traitant'
      : 'Vos traitements, votre suivi et les personnes à contacter',
    patient: patientFields(src.patient),
    patientIdentity: src.patient ? printedPatientIdentity(src.patient) : plan.subject?.display ?? 'Patient non identifié',
    about: [
      ['Établi le', longDate(plan.created)],
      ...(plan.author ? [['Par', names.of(plan.author)] as [string, string]] : []),
      ['Statut', PLAN_STATUS[plan.status] ?? plan.status],
      ...(plan.meta?.versionId ? [['Version', plan.meta.versionId] as [string, string]] : []),
    ],
    sections,
  };
}

/**
 * The patient's identity block of every printout, in RNIV order: birth name in capitals, first
 * names, then the used name apart (INS only when the identity is qualified: see patient-identity.ts).
 * The names are read by the shared identity rule: this box once took the first name listed when
 * none was marked official, an old name included, while the footer of the same page named another.
 */
export function patientFields(patient: Patient | undefined): [string, string][] {
  if (!patient) return [];
  const birth = shownName(patient.name);
  const used = usedFamilyName(patient);
  const fields: [string, string][] = [];
  if (birth?.family?.trim()) fields.push(['Nom de naissance', birth.family.trim().toLocaleUpperCase('fr-FR')]);
  if (birth?.given?.length) fields.push(['Prénom(s)', birth.given.join(' ')]);
  if (used) fields.push(["Nom d'usage", used]);
  if (patient.birthDate) fields.push([patient.gender === 'female' ? 'Née le' : patient.gender === 'male' ? 'Né le' : 'Né(e) le', longDate(patient.birthDate)]);
  const ins = insOf(patient);
  if (ins) fields.push(['INS (matricule)', ins]);
  return fields;
}

function treatmentName(a: CarePlanActivity, requests: MedicationRequest[]): string {
  const request = requestOf(a, requests);
  const type = sub(extensionOf(a, EXT.treatment), 'type')?.valueCodeableConcept;
  if (request) return request.medicationCodeableConcept?.text ?? a.reference?.display ?? 'Traitement oral';
  return a.detail?.description ?? a.detail?.code?.text ?? type?.text ?? a.detail?.code?.coding?.[0]?.display ?? 'Traitement';
}

function requestOf(a: CarePlanActivity, requests: MedicationRequest[]): MedicationRequest | undefined {
  const ref = a.reference?.reference;
  return ref ? requests.find((r) => `MedicationRequest/${r.id}` === ref) : undefined;
}

function period(start?: string, end?: string, confirmed?: boolean): string {
  const dates = start && end && start.slice(0, 10) !== end.slice(0, 10)
    ? `du ${longDate(start)} au ${longDate(end)}`
    : start ? `le ${longDate(start)}` : end ? `au plus tard le ${longDate(end)}` : 'à préciser';
  if (!start && !end) return dates;
  return confirmed === undefined ? dates : `${dates} (${confirmed ? 'dates confirmées' : 'dates prévisionnelles'})`;
}

function treatmentSection(treatments: CarePlanActivity[], requests: MedicationRequest[], names: Names, planStatus: CarePlan['status']): PrintableSection {
  const rows = treatments.map((a) => {
    const t = extensionOf(a, EXT.treatment);
    const confirmed = sub(t, 'datesConfirmed')?.valueBoolean;
    const atHome = extensionOf(a, EXT.atHome)?.valueBoolean;
    const route = sub(t, 'route')?.valueCodeableConcept?.text ?? '';
    const request = requestOf(a, requests);
    const start = request ? oralTreatmentPeriod(request)?.start : a.detail?.scheduledPeriod?.start;
    const end = request ? oralTreatmentPeriod(request)?.end : a.detail?.scheduledPeriod?.end;
    const place = atHome ? 'À domicile' : a.detail?.location ? names.of(a.detail.location) : '';
    const status = activityStatusLabel(a, request, planStatus);
    return [treatmentName(a, requests), period(start, end, confirmed), place, sub(t, 'rhythm')?.valueString ?? '', route, status];
  });
  const blocks: Block[] = [
    { kind: 'table', headers: ['Traitement', 'Dates', 'Lieu', 'Rythme', 'Mode', 'Statut'], widths: [0.2, 0.24, 0.18, 0.14, 0.13, 0.11], rows },
  ];
  for (const a of treatments) {
    const request = requestOf(a, requests);
    if (!request) continue;
    const cycle = cycleOf(request);
    const fields: [string, string][] = [
      ['Médicament', request.medicationCodeableConcept?.text ?? ''],
      ['Comment le prendre', request.dosageInstruction?.[0]?.text?.replace(/^Cycle \d+ : /, '') ?? ''],
    ];
    // A cycle without a break is a continuous treatment: « puis 0 jours d'arrêt » read as a missing value.
    const planned = cycle?.count ? ` — ${cycle.count} cycles prévus` : '';
    if (cycle) fields.push(['Cycles', cycle.daysOff > 0 ? `${cycle.daysOn} jours de prise, puis ${cycle.daysOff} jours d'arrêt${planned}` : `prise continue, sans période d’arrêt (cycles de ${cycle.daysOn} jours)${planned}`]);
    const cycles = (request.dosageInstruction ?? []).filter((d) => d.sequence && d.timing?.repeat?.boundsPeriod);
    if (cycles.length) fields.push(['Dates des cycles', cycles.map((d) => `cycle ${d.sequence} : du ${longDate(d.timing!.repeat!.boundsPeriod!.start)} au ${longDate(d.timing!.repeat!.boundsPeriod!.end)}`).join(' ; ')]);
    if (request.requester) fields.push(['Prescripteur', names.of(request.requester)]);
    blocks.push({ kind: 'paragraph', text: `Traitement par voie orale : ${request.medicationCodeableConcept?.text ?? ''}`, emphasis: true });
    blocks.push({ kind: 'fields', fields });
  }
  blocks.push({ kind: 'paragraph', text: 'Pour les traitements à prendre chez vous, votre pharmacien d’officine et votre infirmier(ère) disposent de ce programme : n’hésitez pas à leur poser vos questions.' });
  return { title: 'Vos traitements', blocks };
}

function visitRow(a: CarePlanActivity, names: Names): string[] {
  const visit = extensionOf(a, EXT.surveillanceVisit);
  const setting = extensionOf(a, EXT.surveillanceBy)?.valueCode as SurveillanceSetting | undefined;
  const performer = a.detail?.performer?.[0];
  const who = [setting ? SETTING_LABEL[setting] : '', performer ? names.of(performer) : ''].filter(Boolean).join(' — ');
  const exams = subs(visit, 'exam').map((e) => e.valueCodeableConcept?.text ?? '').filter(Boolean).join(', ');
  return [String(sub(visit, 'visitNumber')?.valueInteger ?? ''), longDate(a.detail?.scheduledPeriod?.start), who, exams || '—'];
}

function pushItems(sections: PrintableSection[], title: string, activities: CarePlanActivity[], names: Names): void {
  if (!activities.length) return;
  const items = activities.map((a) => {
    const d = a.detail;
    const t = extensionOf(a, EXT.treatment);
    const label = d?.code?.text ?? d?.code?.coding?.[0]?.display ?? '';
    const parts = [
      [label, d?.description].filter(Boolean).join(' : '),
      d?.scheduledPeriod ? period(d.scheduledPeriod.start, d.scheduledPeriod.end, sub(t, 'datesConfirmed')?.valueBoolean) : '',
      d?.location ? `lieu : ${names.of(d.location)}` : '',
      d?.performer?.length ? `avec : ${d.performer.map((p) => names.of(p)).join(', ')}` : '',
      sub(t, 'rhythm')?.valueString ? `rythme : ${sub(t, 'rhythm')!.valueString}` : '',
      d?.status && !['not-started', 'unknown'].includes(d.status) ? ACTIVITY_STATUS_LABEL[d.status] : '',
    ];
    return parts.filter(Boolean).join(' — ');
  });
  sections.push({ title, blocks: [{ kind: 'list', items }] });
}

/** What the patient reads when no phone number is known: honest, rather than an empty cell. */
export const PHONE_UNKNOWN = 'téléphone non renseigné';

/** A French phone number inside a free text (a contact typed by hand: "Ligue … — 04 65 71 60 00"). */
const PHONE_IN_TEXT = /(?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4}/;

/**
 * MSSanté (messagerie sécurisée de santé) addresses reach professionals only: a patient cannot
 * write to them, so they never appear on the patient's document.
 */
export function isMssante(t: ContactPoint): boolean {
  if (t.system !== 'email') return false;
  if (t.extension?.some((e) => e.valueCoding?.code === 'MSSANTE')) return true;
  return /[@.]mssante\.fr$/i.test(t.value?.trim() ?? '');
}

function telecomOf(r: Resource | undefined): ContactPoint[] {
  return ((r as { telecom?: ContactPoint[] } | undefined)?.telecom ?? []).filter((t) => t.value && !t.period?.end);
}

function phoneOf(r: Resource | undefined): string | undefined {
  const phones = telecomOf(r).filter((t) => t.system === 'phone');
  // A work number before a personal one, as the directory ranks them.
  return (phones.find((t) => t.use === 'work') ?? [...phones].sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))[0])?.value;
}

function addressOf(r: Resource | undefined): string | undefined {
  const address = (r as { address?: Address[] | Address } | undefined)?.address;
  const a = Array.isArray(address) ? address.find((x) => x.use !== 'old') : address;
  if (!a) return undefined;
  const text = a.text ?? [...(a.line ?? []), [a.postalCode, a.city].filter(Boolean).join(' ')].filter(Boolean).join(', ');
  return text || undefined;
}

/**
 * Names and contact details of directory entries, falling back on the reference's display. The
 * contact details are those a patient can use: a phone number (the professional's, else their
 * role's, else the switchboard of their establishment, said as such) and a postal address; never
 * an MSSanté address.
 */
class Names {
  constructor(private readonly directory: Map<string, Resource>, private readonly roles: PractitionerRole[] = []) {}

  of(ref: Reference | undefined): string {
    if (!ref) return '';
    const r = ref.reference ? this.directory.get(ref.reference) : undefined;
    if (r?.resourceType === 'Practitioner') return humanName((r as Practitioner).name) || ref.display || '';
    if (r?.resourceType === 'Organization') return (r as Organization).name ?? ref.display ?? '';
    if (r?.resourceType === 'HealthcareService') return (r as HealthcareService).name ?? ref.display ?? '';
    if (r?.resourceType === 'PractitionerRole') return (r as PractitionerRole).practitioner?.display ?? ref.display ?? '';
    // A contact typed by hand carries its phone in its display: the name alone here, the phone in contact().
    return (ref.display ?? '').replace(PHONE_IN_TEXT, '').replace(/\s*[—–-]\s*$/, '').trim();
  }

  contact(ref: Reference | undefined): string {
    if (!ref) return '';
    const r = ref.reference ? this.directory.get(ref.reference) : undefined;
    if (!r) {
      const typed = PHONE_IN_TEXT.exec(ref.display ?? '')?.[0];
      return typed ? `tél. ${typed}` : PHONE_UNKNOWN;
    }
    const roles = r.resourceType === 'PractitionerRole'
      ? [r as PractitionerRole]
      : r.resourceType === 'Practitioner' ? this.roles.filter((x) => x.practitioner?.reference === ref.reference && x.active !== false) : [];
    const places = [
      ...roles.map((x) => x.organization?.reference),
      r.resourceType === 'HealthcareService' ? (r as HealthcareService).providedBy?.reference : undefined,
    ].filter((x): x is string => Boolean(x)).map((x) => this.directory.get(x)).filter((x): x is Resource => Boolean(x));

    let phone = phoneOf(r) ?? roles.map(phoneOf).find(Boolean);
    const place = places.find((p) => phoneOf(p));
    if (!phone && place) {
      const name = (place as Organization).name;
      phone = `${phoneOf(place)!}${name ? ` (standard : ${name})` : ''}`;
    }
    const mail = telecomOf(r).find((t) => t.system === 'email' && !isMssante(t))?.value;
    const address = addressOf(r) ?? places.map((p) => {
      const a = addressOf(p);
      return a ? [(p as Organization).name, a].filter(Boolean).join(', ') : undefined;
    }).find(Boolean);
    return [phone ? `tél. ${phone}` : PHONE_UNKNOWN, mail ?? '', address ?? ''].filter(Boolean).join(' · ');
  }
}

function humanName(names: HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return '';
  return [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
}

/** References a printable programme needs from the directory (to fetch before rendering). */
export function directoryReferences(plan: CarePlan, careTeams: CareTeam[], requests: MedicationRequest[]): string[] {
  const refs = new Set<string>();
  const add = (r: Reference | undefined) => {
    if (r?.reference && isRelativeReference(r.reference, 'Practitioner', 'Organization', 'HealthcareService', 'PractitionerRole')) refs.add(r.reference);
  };
  add(plan.author);
  add(handOverOf(plan)?.by);
  for (const a of plan.activity ?? []) {
    a.detail?.performer?.forEach(add);
    add(a.detail?.location);
    add(extensionOf(a, EXT.orientation)?.valueReference);
  }
  for (const team of careTeams) for (const p of team.participant ?? []) add(p.member);
  for (const r of requests) add(r.requester);
  return [...refs];
}
