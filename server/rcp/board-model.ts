import type { CareTeam, CareTeamParticipant, Coding, Extension, HealthcareService, Practitioner } from '@medplum/fhirtypes';
import {
  BOARD_KIND, EXT, R38_SPECIALTY_SYSTEM, RCP_BOARD_ID_SYSTEM, RCP_BOARD_MEMBERS_SYSTEM, RCP_CATEGORY, RCP_CODE_SYSTEM, SPECIALITY_LABELS, code,
} from './codes.ts';
import { invalidInput, ruleViolations, type RcpRule } from './errors.ts';
import { compact, defined, exts, ext, fromFhirTime, idFrom, reference, toFhirTime, versionOf } from './fhir-helpers.ts';
import { MIN_QUORUM_SPECIALITIES, type MandatedSpeciality, type QuorumRules, type SpecialityRef } from './quorum.ts';
import { namedSpeciality, specialityName } from './speciality-name.ts';
import { DEFAULT_TIME_ZONE, scheduleProblems, type BoardSchedule, type DateOverride, type OverrideKind } from './recurrence.ts';
import { practitionerName } from '../fhir-kit/practitioner-name.ts';

export type BoardKind = 'organ' | 'transversal';

export interface BoardMember {
  /** `Practitioner/<id>` */
  practitioner: string;
  display?: string;
  speciality?: SpecialityRef;
  membership: 'fixed' | 'occasional';
  /** Coordinating physician of the board: may run its sessions like the 3C. */
  chair?: boolean;
}

/** The board's charter (what the coordinator sets up). */
export interface BoardSettings {
  code?: string;
  name: string;
  kind: BoardKind;
  organ?: string;
  /** `Organization/<id>` of the 3C that runs it. */
  coordinationCentre: string;
  members: BoardMember[];
  quorum: QuorumRules;
  schedule?: BoardSchedule;
  overrides: DateOverride[];
  registrationCutoffHours: number;
  capacity: number;
  place?: string;
  videoLink?: string;
  horizonDays: number;
  requireCompleteSheet: boolean;
  paediatric: boolean;
  recours: boolean;
  active: boolean;
  /** Identifier of the regional cancer network (RRC/DSRC) for the RCP sheet, e.g. ONCOPACA. */
  rrcId?: string;
  /** `Organization/<id>` of the establishment hosting the sessions (FINESS on the RCP sheet). */
  hostEstablishment?: string;
}

export interface Board extends BoardSettings {
  id: string;
  version: string;
  coordinationCentreDisplay?: string;
  membersTeamId?: string;
  membersTeamVersion?: string;
}

export const BOARD_DEFAULTS = { registrationCutoffHours: 48, capacity: 20, horizonDays: 90 } as const;

// --- Input (JSON API) → settings -------------------------------------------------------------

type Json = Record<string, unknown>;

/** Reads and checks a board definition sent to the API (400 for wrong types, 422 for broken rules). */
export function parseBoardSettings(body: unknown, practitioners: Map<string, Practitioner> = new Map()): { settings: BoardSettings; warnings: string[] } {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw invalidInput('board-invalid', 'Le corps de la requête doit être un objet JSON décrivant la RCP');
  const b = body as Json;
  const problems: { rule: RcpRule; text: string; expression: string[] }[] = [];
  const warnings: string[] = [];
  const fail = (rule: RcpRule, text: string, path: string) => problems.push({ rule, text, expression: [path] });

  const name = typeof b.name === 'string' ? b.name.trim() : '';
  if (!name) fail('board-invalid', 'Le nom de la RCP est obligatoire (ex. « RCP digestive du CHU Méditerranée »)', 'name');
  const kind = b.kind as BoardKind;
  if (kind !== 'organ' && kind !== 'transversal') fail('board-invalid', "La nature de la RCP est obligatoire : 'organ' (d'organe) ou 'transversal' (transversale)", 'kind');
  const centre = typeof b.coordinationCentre === 'string' && idFrom(b.coordinationCentre, 'Organization');
  if (!centre) fail('board-invalid', 'Le 3C qui organise la RCP est obligatoire (coordinationCentre : Organization/<id>)', 'coordinationCentre');

  const members: BoardMember[] = [];
  const rawMembers = b.members === undefined ? [] : b.members;
  if (!Array.isArray(rawMembers)) throw invalidInput('board-invalid', 'members doit être une liste', ['members']);
  rawMembers.forEach((m, i) => {
    const path = `members[${i}]`;
    const mm = (m ?? {}) as Json;
    const id = typeof mm.practitioner === 'string' ? idFrom(mm.practitioner, 'Practitioner') : undefined;
    if (!id) return fail('board-invalid', `Membre ${i + 1} : practitioner doit être une référence Practitioner/<id>`, `${path}.practitioner`);
    if (members.some((x) => x.practitioner === `Practitioner/${id}`)) return fail('board-invalid', `Membre ${i + 1} : Practitioner/${id} figure deux fois`, `${path}.practitioner`);
    const membership = mm.membership ?? 'fixed';
    if (membership !== 'fixed' && membership !== 'occasional') return fail('board-invalid', `Membre ${i + 1} : membership vaut 'fixed' (permanent) ou 'occasional' (occasionnel)`, `${path}.membership`);
    const practitioner = practitioners.get(id);
    const speciality = parseSpeciality(mm.speciality) ?? (practitioner ? specialityOfPractitioner(practitioner) : undefined);
    if (!speciality) fail('board-invalid', `Membre ${i + 1} : spécialité inconnue — précisez speciality (code R38, ex. SM36)`, `${path}.speciality`);
    members.push(compact({
      practitioner: `Practitioner/${id}`,
      display: typeof mm.display === 'string' ? mm.display : practitioner ? practitionerName(practitioner) : undefined,
      speciality, membership, chair: mm.chair === true ? true : undefined,
    }) as BoardMember);
  });

  const q = (b.quorum ?? {}) as Json;
  const minSpecialities = q.minSpecialities === undefined ? MIN_QUORUM_SPECIALITIES : Number(q.minSpecialities);
  if (!Number.isInteger(minSpecialities) || minSpecialities < MIN_QUORUM_SPECIALITIES) {
    fail('board-quorum', `Le quorum exige au moins ${MIN_QUORUM_SPECIALITIES} spécialités différentes (circulaire DHOS/SDO/2005/101) : reçu ${String(q.minSpecialities)}`, 'quorum.minSpecialities');
  }
  const relevant = listOf(q.relevantSpecialities, 'quorum.relevantSpecialities').map((s, i) => parseSpeciality(s) ?? badSpeciality(`quorum.relevantSpecialities[${i}]`));
  const mandated = listOf(q.mandated, 'quorum.mandated').map((m, i) => parseMandated(m, `quorum.mandated[${i}]`));
  const relevantCodes = new Set(relevant.map((s) => s.code));
  if (relevant.length && relevantCodes.size < minSpecialities) {
    fail('board-quorum', `Seulement ${relevantCodes.size} spécialités retenues pour le quorum : il en faut au moins ${minSpecialities}`, 'quorum.relevantSpecialities');
  }
  mandated.forEach((m, i) => {
    if (relevant.length && !m.anyOf.some((s) => relevantCodes.has(s.code))) {
      fail('board-quorum', `La spécialité obligatoire « ${specialityName(m.label)} » ne figure pas parmi les spécialités retenues pour le quorum`, `quorum.mandated[${i}]`);
    }
    const memberCodes = new Set(members.map((x) => x.speciality?.code));
    if (!m.anyOf.some((s) => memberCodes.has(s.code))) warnings.push(`Aucun membre de la RCP n'a la spécialité obligatoire « ${specialityName(m.label)} » : le quorum ne pourra être atteint qu'avec un membre occasionnel`);
  });
  const writtenOpinionCounts = q.writtenOpinionCounts === true;

  const schedule = b.schedule === undefined ? undefined : parseSchedule(b.schedule);
  const overrides = listOf(b.overrides, 'overrides').map(parseOverride);
  for (const p of scheduleProblems(schedule, overrides)) problems.push({ rule: 'board-schedule', text: p.text, expression: p.expression });

  const int = (key: string, fallback: number, min: number, max: number) => {
    const v = b[key] === undefined ? fallback : Number(b[key]);
    if (!Number.isInteger(v) || v < min || v > max) fail('board-invalid', `${key} doit être un entier entre ${min} et ${max} (reçu ${String(b[key])})`, key);
    return v;
  };
  const registrationCutoffHours = int('registrationCutoffHours', BOARD_DEFAULTS.registrationCutoffHours, 0, 24 * 30);
  const capacity = int('capacity', BOARD_DEFAULTS.capacity, 1, 500);
  const horizonDays = int('horizonDays', BOARD_DEFAULTS.horizonDays, 1, 366);
  const videoLink = typeof b.videoLink === 'string' && b.videoLink ? b.videoLink : undefined;
  if (videoLink && !/^https:\/\/\S+$/.test(videoLink)) fail('board-invalid', `Le lien de visioconférence doit être une adresse https:// (reçu '${videoLink}')`, 'videoLink');
  const bool = (key: string, fallback: boolean) => {
    if (b[key] === undefined) return fallback;
    if (typeof b[key] !== 'boolean') fail('board-invalid', `${key} doit valoir true ou false`, key);
    return b[key] === true;
  };
  const paediatric = bool('paediatric', false);
  const host = typeof b.hostEstablishment === 'string' ? idFrom(b.hostEstablishment, 'Organization') : undefined;
  if (b.hostEstablishment !== undefined && !host) fail('board-invalid', "L'établissement hôte doit être une référence Organization/<id>", 'hostEstablishment');
  const settings: BoardSettings = defined({
    code: typeof b.code === 'string' && b.code.trim() ? b.code.trim() : undefined,
    name, kind, organ: typeof b.organ === 'string' && b.organ.trim() ? b.organ.trim() : undefined,
    coordinationCentre: centre ? `Organization/${centre}` : '',
    members, quorum: { minSpecialities, relevantSpecialities: relevant, mandated, writtenOpinionCounts },
    schedule, overrides, registrationCutoffHours, capacity,
    place: typeof b.place === 'string' && b.place.trim() ? b.place.trim() : undefined,
    videoLink, horizonDays,
    requireCompleteSheet: bool('requireCompleteSheet', false), paediatric, recours: bool('recours', false), active: bool('active', true),
    rrcId: typeof b.rrcId === 'string' && b.rrcId.trim() ? b.rrcId.trim() : undefined,
    hostEstablishment: host ? `Organization/${host}` : undefined,
  }) as BoardSettings;
  if (problems.length) {
    throw ruleViolations(problems[0]!.rule, problems.map((p) => ({ text: p.text, expression: p.expression })));
  }
  if (kind === 'organ' && !members.some((m) => m.chair)) warnings.push("Aucun médecin coordonnateur (chair) n'est désigné parmi les membres");
  return { settings, warnings };
}

function listOf(value: unknown, path: string): unknown[] {
  if (value === undefined) return [];
  if (!Array.isArray(value)) throw invalidInput('board-invalid', `${path} doit être une liste`, [path]);
  return value;
}

function badSpeciality(path: string): never {
  throw invalidInput('board-invalid', `Spécialité illisible : attendu un code R38 (ex. "SM36") ou { "code": "SM36", "display": "…" }`, [path]);
}

export function parseSpeciality(value: unknown): SpecialityRef | undefined {
  if (typeof value === 'string' && value.trim()) return compact({ code: value.trim(), display: SPECIALITY_LABELS[value.trim()] });
  if (value && typeof value === 'object' && typeof (value as Json).code === 'string') {
    const v = value as Json;
    return compact({ code: String(v.code), display: typeof v.display === 'string' ? v.display : SPECIALITY_LABELS[String(v.code)] });
  }
  return undefined;
}

export function parseMandated(value: unknown, path: string): MandatedSpeciality {
  const single = parseSpeciality(value);
  // The label is the charter's word for the role: a speciality's name, not its R38 display.
  if (single) return { label: namedSpeciality(single), anyOf: [single] };
  const v = (value ?? {}) as Json;
  const anyOf = Array.isArray(v.anyOf) ? v.anyOf.map((s, i) => parseSpeciality(s) ?? badSpeciality(`${path}.anyOf[${i}]`)) : [];
  if (!anyOf.length) throw invalidInput('board-invalid', 'Une spécialité obligatoire est un code R38 ou { "label": "Chirurgien", "anyOf": ["SM14", …] }', [path]);
  return { label: typeof v.label === 'string' && v.label.trim() ? specialityName(v.label.trim()) : namedSpeciality(anyOf[0]!), anyOf };
}

function parseSchedule(value: unknown): BoardSchedule {
  const v = (value ?? {}) as Json;
  return {
    rrule: String(v.rrule ?? ''),
    startTime: String(v.startTime ?? ''),
    endTime: String(v.endTime ?? ''),
    from: String(v.from ?? ''),
    ...(v.until !== undefined ? { until: String(v.until) } : {}),
    timeZone: typeof v.timeZone === 'string' ? v.timeZone : DEFAULT_TIME_ZONE,
  };
}

function parseOverride(value: unknown): DateOverride {
  const v = (value ?? {}) as Json;
  const s = (k: string) => (typeof v[k] === 'string' && v[k] ? String(v[k]) : undefined);
  return compact({
    date: String(v.date ?? ''), kind: String(v.kind ?? '') as OverrideKind, newDate: s('newDate'), startTime: s('startTime'), endTime: s('endTime'),
    reason: s('reason'), place: s('place'), videoLink: s('videoLink'),
  }) as DateOverride;
}

export function specialityOfPractitioner(p: Practitioner): SpecialityRef | undefined {
  const coding = p.qualification?.flatMap((q) => q.code.coding ?? []).find((c) => c.system === R38_SPECIALTY_SYSTEM && c.code);
  return coding ? compact({ code: coding.code!, display: coding.display }) : undefined;
}


// --- Settings ↔ FHIR -------------------------------------------------------------------------

const specialityCoding = (s: SpecialityRef): Coding => compact({ system: R38_SPECIALTY_SYSTEM, code: s.code, display: s.display });
/** A stored coding without its display (a board given bare codes) is named from the R38 table. */
const specialityOf = (c: Coding | undefined): SpecialityRef | undefined => (c?.code ? compact({ code: c.code, display: c.display ?? SPECIALITY_LABELS[c.code] }) : undefined);

export function boardToFhir(id: string, s: BoardSettings, membersTeamId: string, centreDisplay?: string): HealthcareService {
  const extension: Extension[] = [
    { url: EXT.boardMembers, valueReference: reference('CareTeam', membersTeamId) },
    {
      url: EXT.boardQuorum,
      extension: [
        { url: 'minSpecialities', valueInteger: s.quorum.minSpecialities },
        { url: 'writtenOpinionCounts', valueBoolean: s.quorum.writtenOpinionCounts },
        ...s.quorum.mandated.map((m) => ({
          url: 'mandated',
          extension: [{ url: 'label', valueString: m.label }, ...m.anyOf.map((c) => ({ url: 'speciality', valueCoding: specialityCoding(c) }))],
        })),
      ],
    },
    ...(s.schedule ? [{
      url: EXT.boardSchedule,
      extension: [
        { url: 'rrule', valueString: s.schedule.rrule },
        { url: 'startTime', valueTime: toFhirTime(s.schedule.startTime) },
        { url: 'endTime', valueTime: toFhirTime(s.schedule.endTime) },
        { url: 'from', valueDate: s.schedule.from },
        ...(s.schedule.until ? [{ url: 'until', valueDate: s.schedule.until }] : []),
        { url: 'timeZone', valueCode: s.schedule.timeZone },
      ],
    }] : []),
    ...s.overrides.map((o) => ({
      url: EXT.boardOverride,
      extension: [
        { url: 'date', valueDate: o.date },
        { url: 'kind', valueCode: o.kind },
        ...(o.newDate ? [{ url: 'newDate', valueDate: o.newDate }] : []),
        ...(o.startTime ? [{ url: 'startTime', valueTime: toFhirTime(o.startTime) }] : []),
        ...(o.endTime ? [{ url: 'endTime', valueTime: toFhirTime(o.endTime) }] : []),
        ...(o.reason ? [{ url: 'reason', valueString: o.reason }] : []),
        ...(o.place ? [{ url: 'place', valueString: o.place }] : []),
        ...(o.videoLink ? [{ url: 'videoLink', valueUrl: o.videoLink }] : []),
      ],
    })),
    { url: EXT.boardCutoffHours, valueInteger: s.registrationCutoffHours },
    { url: EXT.boardCapacity, valuePositiveInt: s.capacity },
    { url: EXT.boardHorizonDays, valuePositiveInt: s.horizonDays },
    { url: EXT.boardRequireComplete, valueBoolean: s.requireCompleteSheet },
    { url: EXT.boardPaediatric, valueBoolean: s.paediatric },
    { url: EXT.boardRecours, valueBoolean: s.recours },
    ...(s.place ? [{ url: EXT.boardPlace, valueString: s.place }] : []),
    ...(s.rrcId ? [{ url: EXT.boardRrcId, valueString: s.rrcId }] : []),
    ...(s.hostEstablishment ? [{ url: EXT.boardHost, valueReference: { reference: s.hostEstablishment } }] : []),
    ...(s.organ ? [{ url: EXT.boardOrgan, valueString: s.organ }] : []),
  ];
  return compact({
    resourceType: 'HealthcareService',
    id,
    extension,
    identifier: [{ system: RCP_BOARD_ID_SYSTEM, value: s.code ?? id }],
    active: s.active,
    providedBy: { reference: s.coordinationCentre, ...(centreDisplay ? { display: centreDisplay } : {}) },
    category: [{ coding: [RCP_CATEGORY] }],
    type: [{ coding: [BOARD_KIND[s.kind]] }],
    specialty: s.quorum.relevantSpecialities.length ? s.quorum.relevantSpecialities.map((r) => ({ coding: [specialityCoding(r)] })) : undefined,
    name: s.name,
    comment: s.organ,
    telecom: s.videoLink ? [{ system: 'url' as const, value: s.videoLink, use: 'work' as const }] : undefined,
  }) as HealthcareService;
}

export function membersToFhir(boardId: string, s: BoardSettings, id?: string): CareTeam {
  const participant: CareTeamParticipant[] = s.members.map((m) => ({
    member: { reference: m.practitioner, ...(m.display ? { display: m.display } : {}) },
    role: [
      ...(m.speciality ? [{ coding: [specialityCoding(m.speciality)], text: m.speciality.display ?? m.speciality.code }] : []),
      { coding: [code(`member-${m.membership}`, m.membership === 'fixed' ? 'Membre permanent' : 'Membre occasionnel')] },
      ...(m.chair ? [{ coding: [code('chair', 'Médecin coordonnateur de la RCP')] }] : []),
    ],
  }));
  return compact({
    resourceType: 'CareTeam',
    ...(id ? { id } : {}),
    identifier: [{ system: RCP_BOARD_MEMBERS_SYSTEM, value: boardId }],
    status: 'active',
    category: [{ coding: [RCP_CATEGORY] }],
    name: `Membres — ${s.name}`,
    managingOrganization: [{ reference: s.coordinationCentre }],
    participant,
  }) as CareTeam;
}

export function boardFromFhir(hs: HealthcareService, team?: CareTeam): Board {
  const quorum = ext(hs, EXT.boardQuorum);
  const schedule = ext(hs, EXT.boardSchedule);
  const sub = (e: Extension | undefined, url: string) => e?.extension?.find((x) => x.url === url);
  const kindCode = hs.type?.[0]?.coding?.[0]?.code;
  const members: BoardMember[] = (team?.participant ?? []).map((p) => {
    const codings = (p.role ?? []).flatMap((r) => r.coding ?? []);
    return compact({
      practitioner: p.member?.reference ?? '',
      display: p.member?.display,
      speciality: specialityOf(codings.find((c) => c.system === R38_SPECIALTY_SYSTEM)),
      membership: codings.some((c) => c.system === RCP_CODE_SYSTEM && c.code === 'member-occasional') ? 'occasional' : 'fixed',
      chair: codings.some((c) => c.system === RCP_CODE_SYSTEM && c.code === 'chair') ? true : undefined,
    }) as BoardMember;
  });
  const intOf = (url: string, fallback: number) => {
    const e = ext(hs, url);
    return e?.valueInteger ?? e?.valuePositiveInt ?? fallback;
  };
  const boolOf = (url: string) => ext(hs, url)?.valueBoolean === true;
  return defined({
    id: hs.id!,
    version: versionOf(hs),
    code: hs.identifier?.find((i) => i.system === RCP_BOARD_ID_SYSTEM)?.value,
    name: hs.name ?? '',
    kind: (kindCode === BOARD_KIND.transversal.code ? 'transversal' : 'organ') as BoardKind,
    organ: ext(hs, EXT.boardOrgan)?.valueString,
    coordinationCentre: hs.providedBy?.reference ?? '',
    coordinationCentreDisplay: hs.providedBy?.display,
    membersTeamId: idFrom(ext(hs, EXT.boardMembers)?.valueReference, 'CareTeam'),
    membersTeamVersion: team ? versionOf(team) : undefined,
    members,
    quorum: {
      minSpecialities: sub(quorum, 'minSpecialities')?.valueInteger ?? MIN_QUORUM_SPECIALITIES,
      writtenOpinionCounts: sub(quorum, 'writtenOpinionCounts')?.valueBoolean === true,
      relevantSpecialities: (hs.specialty ?? []).map((s) => specialityOf(s.coding?.[0])).filter((s): s is SpecialityRef => Boolean(s)),
      mandated: (quorum?.extension ?? []).filter((e) => e.url === 'mandated').map((m) => ({
        label: sub(m, 'label')?.valueString ?? '',
        anyOf: (m.extension ?? []).filter((e) => e.url === 'speciality').map((e) => specialityOf(e.valueCoding)!).filter(Boolean),
      })),
    },
    schedule: schedule ? compact({
      rrule: sub(schedule, 'rrule')?.valueString ?? '',
      startTime: fromFhirTime(sub(schedule, 'startTime')?.valueTime) ?? '',
      endTime: fromFhirTime(sub(schedule, 'endTime')?.valueTime) ?? '',
      from: sub(schedule, 'from')?.valueDate ?? '',
      until: sub(schedule, 'until')?.valueDate,
      timeZone: sub(schedule, 'timeZone')?.valueCode ?? DEFAULT_TIME_ZONE,
    }) as BoardSchedule : undefined,
    overrides: exts(hs, EXT.boardOverride).map((o) => compact({
      date: sub(o, 'date')?.valueDate ?? '',
      kind: (sub(o, 'kind')?.valueCode ?? 'extra') as OverrideKind,
      newDate: sub(o, 'newDate')?.valueDate,
      startTime: fromFhirTime(sub(o, 'startTime')?.valueTime),
      endTime: fromFhirTime(sub(o, 'endTime')?.valueTime),
      reason: sub(o, 'reason')?.valueString,
      place: sub(o, 'place')?.valueString,
      videoLink: sub(o, 'videoLink')?.valueUrl,
    }) as DateOverride),
    registrationCutoffHours: intOf(EXT.boardCutoffHours, BOARD_DEFAULTS.registrationCutoffHours),
    capacity: intOf(EXT.boardCapacity, BOARD_DEFAULTS.capacity),
    horizonDays: intOf(EXT.boardHorizonDays, BOARD_DEFAULTS.horizonDays),
    place: ext(hs, EXT.boardPlace)?.valueString,
    videoLink: hs.telecom?.find((t) => t.system === 'url')?.value,
    requireCompleteSheet: boolOf(EXT.boardRequireComplete),
    paediatric: boolOf(EXT.boardPaediatric),
    recours: boolOf(EXT.boardRecours),
    active: hs.active !== false,
    rrcId: ext(hs, EXT.boardRrcId)?.valueString,
    hostEstablishment: ext(hs, EXT.boardHost)?.valueReference?.reference,
  }) as Board;
}

/** Whether a HealthcareService is an RCP board. */
export function isBoard(hs: HealthcareService): boolean {
  return Boolean(hs.category?.some((c) => c.coding?.some((x) => x.system === RCP_CATEGORY.system && x.code === RCP_CATEGORY.code)));
}

export { practitionerName };
