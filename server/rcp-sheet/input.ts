/**
 * The RCP sheet (fiche RCP, CI-SIS CANCER-FRCP 2022.01) as a typed input: every item of the
 * national data set, in the words of the people who fill it. `buildRcpSheet` turns it into FHIR
 * resources; `readRcpSheet` reads the same shape back from stored resources.
 */
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { badRequest, FhirError, issue, outcome } from '../fhir-kit/errors.ts';
import {
  CASE_STATUS, DOCUMENT_STATUS, LATERALITY, MEETING_MODE, MOTIF, NATURE, PHASE, QUORUM, TNM_EDITION, TREATMENT_TYPE,
  type CancerPhase, type CaseStatus, type DocumentStatus, type Laterality, type MeetingMode, type QuorumStatus,
  type RcpMotif, type RcpNature, type TnmEdition, type TreatmentType, type WhoPerformance,
} from './codes.ts';
import { isRelativeReference } from '../fhir-kit/ids.ts';
import { longDate, parisDay } from '../fhir-kit/french-dates.ts';
import { frenchList, rcpSheetItemLabel } from './item-labels.ts';
import { tnmNotationIssues } from './tnm.ts';

/** A coded value with its label; `system` defaults to the system the item expects (SNOMED, CIM-10…). */
export interface CodedText {
  code?: string;
  system?: string;
  display: string;
}

/** A health professional as the sheet names them (IDNPS = national professional identifier). */
export interface Professional {
  /** `Practitioner/<id>` in the DCC directory, when known. */
  practitioner?: string;
  idnps?: string;
  /** As printed: "Dr Sophie Lambert". */
  name: string;
  /** TRE_R38 speciality (e.g. SM36 Oncologie médicale). */
  speciality?: CodedText;
  /** Establishment the professional acts for (display). */
  organization?: string;
}

export interface RcpParticipant extends Professional {
  /** Counted in the quorum (physician of a speciality relevant to the case) or not. */
  inQuorum: boolean;
}

/** The GP is mandatory in the FRCP, but may be explicitly unknown (the patient has none declared). */
export type GeneralPractitioner = Professional | { unknown: true; comment?: string };

export interface RcpMeeting {
  /** Name of the board: "RCP digestive — 3C du CHU Méditerranée". */
  rcpName: string;
  /** Date and time of the meeting. */
  date: string;
  mode?: MeetingMode;
  /** Number of the case in the session's agenda. */
  registrationNumber?: string;
  /** National identifiers: regional cancer network (RRC), 3C (RCP manager), RCP, session. */
  rrcId?: string;
  threeCId?: string;
  rcpId?: string;
  sessionId?: string;
  /** DCC resources of the workflow, when they exist: `HealthcareService/<id>`, `Appointment/<id>`. */
  board?: string;
  session?: string;
  hostEstablishment?: { finess: string; name: string; organization?: string };
}

export interface RcpReason {
  nature: RcpNature;
  /** Organ system / organ (SNOMED CT), for an organ RCP. */
  organSystem?: CodedText;
  organ?: CodedText;
  /** Treatment or care type of a transversal RCP (e.g. NCIt C15747 soins de support). */
  transversalType?: CodedText;
  recours: boolean;
  paediatric: boolean;
  motifs: RcpMotif[];
  /** Set by the session (discussed, or recorded without discussion): absent while the case waits for it. */
  caseStatus?: CaseStatus;
  comment?: string;
}

export interface CancerDiagnosis {
  /** An existing `Condition/<id>` of the record, instead of describing the diagnosis here. */
  condition?: string;
  /** Date of diagnosis (required with a described diagnosis: the cancer Condition's onset). */
  date?: string;
  /** ICD-O-3 morphology, e.g. 8140/3 Adénocarcinome, SAI. */
  morphology?: CodedText;
  /** CIM-10 topography, e.g. C18.7 Tumeur maligne du côlon sigmoïde. */
  topography?: CodedText;
  laterality?: Laterality;
  /** Clinical TNM: cT, cN, cM categories, the stage group and the UICC edition (7, 8, 9). */
  tnm?: { t: string; n: string; m: string; stage: string; edition: TnmEdition; date?: string };
  otherStaging?: { name: string; version?: string; stage: string };
  comment?: string;
}

export interface DatedText {
  date?: string;
  text: string;
}

export interface ProposedTreatment {
  /** 1 = first intention; 2, 3… = alternatives. */
  intention: number;
  /** Order of the treatment within its intention. */
  sequence: number;
  type: TreatmentType;
  detail?: string;
  start?: string;
  end?: string;
}

export interface ResearchStudyInput {
  title: string;
  identifier?: { system?: string; value: string };
  phase?: string;
  sponsor?: string;
  description?: string;
}

export interface RcpSheetInput {
  /** `Patient/<id>`. */
  patient: string;
  /** Coordinating physician of the RCP, author of the sheet. */
  author: Professional;
  coordinator?: Professional;
  requester?: Professional;
  presenter?: Professional;
  generalPractitioner?: GeneralPractitioner;
  participants?: RcpParticipant[];
  meeting: RcpMeeting;
  reason?: RcpReason;
  discovery?: { byScreening: boolean; comment?: string };
  diagnosis?: CancerDiagnosis;
  history?: DatedText[];
  comorbidities?: DatedText[];
  performanceStatus?: { who: WhoPerformance; date: string };
  geriatricScreening?: { tool: string; score: number; date?: string; interpretation?: string };
  pain?: { score?: number; description?: string; date?: string };
  examResults?: { date?: string; exam: string; result: string }[];
  phase?: {
    phase: CancerPhase;
    /** Date of the relapse (or of the assessment for the initial phase). */
    date?: string;
    progression?: { local: boolean; regional: boolean; distant: boolean };
    comment?: string;
  };
  treatmentsSoFar?: { type: TreatmentType; description?: string; status: 'completed' | 'in-progress' | 'not-done'; start?: string; end?: string }[];
  otherReports?: { kind: 'operative' | 'pathology' | 'molecular'; date?: string; author?: string; conclusion: string }[];
  summary?: string;
  question?: string;
  otherData?: string;
  fileStatus?: { complete: boolean; quorum: QuorumStatus; comment?: string };
  proposal?: {
    treatments?: ProposedTreatment[];
    /** Extra exams or expert opinions, with the wished date window. */
    exams?: { description: string; earliest?: string; latest?: string }[];
    surveillance?: { description?: string };
    recoursReferral?: { description?: string };
    comment?: string;
  };
  basis?: {
    guideline?: { name: string; version?: string; date?: string };
    /** Does the proposal follow the guideline? A departure is traced with its reason. */
    followsGuideline?: boolean;
    deviationReason?: string;
    /** A clinical-trial proposal is considered for every case (INCa). */
    clinicalTrial: { proposed: boolean; study?: string | ResearchStudyInput; comment?: string };
    comment?: string;
  };
  patientComment?: string;
  documentStatus?: DocumentStatus;
}

/** Every property optional, recursively: what a stored (possibly incomplete) sheet reads back as. */
export type DeepPartial<T> = T extends (infer U)[] ? DeepPartial<U>[] : T extends object ? { [K in keyof T]?: DeepPartial<T[K]> } : T;
export type RcpSheetData = DeepPartial<RcpSheetInput>;

// ---------------------------------------------------------------------------------------------
// Validation of the JSON a client sends (structure only: completeness is a separate, softer check)
// ---------------------------------------------------------------------------------------------

const DATE = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01]))?)?$/;
const DATE_TIME = /^\d{4}(-(0[1-9]|1[0-2])(-(0[1-9]|[12]\d|3[01])(T([01]\d|2[0-3]):[0-5]\d(:[0-5]\d(\.\d+)?)?(Z|[+-]\d{2}:\d{2}))?)?)?$/;

/** The French names of a value set's codes, for the "obligatoire (…)" of a field a physician left empty. */
const namesOf = (codes: Record<string, { display?: string }>): string[] => Object.values(codes).map((c) => c.display ?? '');

class Checker {
  readonly issues: OperationOutcomeIssue[] = [];
  /** The text names the item as the form labels it (the page shows it as it comes); the path stays in `expression`. */
  fail(path: string, text: string, diagnostics?: string): void {
    this.issues.push({ ...issue('error', 'invalid', `${rcpSheetItemLabel(path)} : ${text}`, [path]), ...(diagnostics ? { diagnostics } : {}) });
  }
  object(value: unknown, path: string, required: boolean): Record<string, unknown> | undefined {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'obligatoire');
      return undefined;
    }
    if (typeof value !== 'object' || Array.isArray(value)) {
      this.fail(path, 'un objet JSON est attendu');
      return undefined;
    }
    return value as Record<string, unknown>;
  }
  array(value: unknown, path: string): unknown[] {
    if (value === undefined || value === null) return [];
    if (!Array.isArray(value)) {
      this.fail(path, 'une liste est attendue');
      return [];
    }
    return value;
  }
  string(value: unknown, path: string, required: boolean): void {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'obligatoire');
    } else if (typeof value !== 'string' || !value.trim()) this.fail(path, 'un texte non vide est attendu');
    else if (value.length > 20_000) this.fail(path, 'texte trop long (20 000 caractères au plus)');
  }
  boolean(value: unknown, path: string, required: boolean): void {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'obligatoire (oui ou non)');
    } else if (typeof value !== 'boolean') this.fail(path, 'oui ou non attendu (true ou false)');
  }
  integer(value: unknown, path: string, required: boolean, min: number, max: number): void {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'obligatoire');
    } else if (!Number.isInteger(value) || (value as number) < min || (value as number) > max) this.fail(path, `entier de ${min} à ${max} attendu`);
  }
  /** The meeting's day (YYYY-MM-DD), once read: what the sheet assessed came before it. */
  meetingDay?: string;
  /**
   * An assessment the meeting discusses (stage, score, exam, report) is dated on or before the
   * meeting: a WHO score « évalué le 15 janvier 2027 » for a meeting of 22 December was saved as is.
   * A partial date (YYYY, YYYY-MM) is compared at its own precision.
   */
  assessed(value: unknown, path: string, required: boolean): void {
    this.date(value, path, required);
    if (typeof value !== 'string' || !DATE.test(value) || !this.meetingDay) return;
    if (value > this.meetingDay.slice(0, value.length)) this.fail(path, `date postérieure à la séance (${longDate(this.meetingDay)}) : un élément discuté en RCP est daté au plus tard du jour de la séance`);
  }
  date(value: unknown, path: string, required: boolean, withTime = false): void {
    if (value === undefined || value === null) {
      if (required) this.fail(path, 'obligatoire');
    } else if (typeof value !== 'string' || !(withTime ? DATE_TIME : DATE).test(value)) {
      // The page shows details.text as it comes and converts what the physician types (14/03/2019)
      // itself: the text says what is wrong in the physician's words, the FHIR format is for programs.
      const received = typeof value === 'string' ? ` « ${value.slice(0, 40)} »` : '';
      this.fail(
        path, withTime ? `date et heure non reconnues${received}` : `date non reconnue${received} : jour, mois ou année attendu`,
        withTime ? 'FHIR dateTime attendu : AAAA-MM-JJ, ou AAAA-MM-JJThh:mm:ss+01:00' : 'FHIR date attendue : AAAA-MM-JJ, AAAA-MM ou AAAA',
      );
    }
  }
  /** `names`: the choices as the form shows them, for a value left empty (a wrong code names the codes). */
  oneOf(value: unknown, path: string, required: boolean, allowed: readonly (string | number)[], names: readonly string[] = allowed.map(String)): void {
    if (value === undefined || value === null) {
      if (required) this.fail(path, `obligatoire (${frenchList(names)})`);
    } else if (!allowed.includes(value as string)) this.fail(path, `valeur '${String(value)}' non permise (attendu : ${frenchList(allowed)})`);
  }
  reference(value: unknown, path: string, required: boolean, type: string): void {
    if (value === undefined || value === null) {
      if (required) this.fail(path, `obligatoire (${type}/<id>)`);
    } else if (typeof value !== 'string' || !isRelativeReference(value, type)) this.fail(path, `référence ${type}/<id> attendue`);
  }
  coded(value: unknown, path: string, required: boolean): void {
    const v = this.object(value, path, required);
    if (!v) return;
    this.string(v.display, `${path}.display`, true);
    this.string(v.code, `${path}.code`, false);
    this.string(v.system, `${path}.system`, false);
  }
  professional(value: unknown, path: string, required: boolean): void {
    const v = this.object(value, path, required);
    if (!v) return;
    this.reference(v.practitioner, `${path}.practitioner`, false, 'Practitioner');
    if (v.idnps !== undefined && (typeof v.idnps !== 'string' || !/^[08]\d{8,11}$/.test(v.idnps))) this.fail(`${path}.idnps`, "IDNPS attendu ('8' + RPPS à 11 chiffres, ou '0' + ADELI)");
    this.string(v.name, `${path}.name`, true);
    this.coded(v.speciality, `${path}.speciality`, false);
    this.string(v.organization, `${path}.organization`, false);
  }
}

/**
 * Checks the JSON of an RCP sheet and returns it typed; 400 naming every malformed item.
 * `stored`: the version this input changes, when there is one — a TNM category kept as stored is
 * not held to the notation again (tnm.ts).
 */
export function parseRcpSheetInput(body: unknown, options: { stored?: RcpSheetData } = {}): RcpSheetInput {
  const c = new Checker();
  const root = c.object(body, 'fiche', true);
  if (!root) throw badRequest('Le corps de la requête doit être une fiche RCP en JSON (RcpSheetInput)');
  c.reference(root.patient, 'patient', true, 'Patient');
  c.professional(root.author, 'author', true);
  for (const key of ['coordinator', 'requester', 'presenter'] as const) c.professional(root[key], key, false);
  const gp = c.object(root.generalPractitioner, 'generalPractitioner', false);
  if (gp) {
    if (gp.unknown !== undefined) {
      if (gp.unknown !== true) c.fail('generalPractitioner.unknown', 'true attendu (médecin traitant inconnu), sinon décrivez le médecin');
      c.string(gp.comment, 'generalPractitioner.comment', false);
    } else c.professional(gp, 'generalPractitioner', true);
  }
  c.array(root.participants, 'participants').forEach((p, i) => {
    c.professional(p, `participants[${i}]`, true);
    c.boolean((p as Record<string, unknown>)?.inQuorum, `participants[${i}].inQuorum`, true);
  });

  const meeting = c.object(root.meeting, 'meeting', true);
  if (meeting) {
    c.string(meeting.rcpName, 'meeting.rcpName', true);
    c.date(meeting.date, 'meeting.date', true, true);
    // The meeting's day in Paris: the start is stored in UTC, and a meeting held after 23:00 UTC (or
    // 22:00 in summer) is on the next Paris day — the UTC date refused items dated that day.
    if (typeof meeting.date === 'string' && DATE_TIME.test(meeting.date)) c.meetingDay = meeting.date.includes('T') ? parisDay(new Date(meeting.date)) : meeting.date;
    c.oneOf(meeting.mode, 'meeting.mode', false, Object.keys(MEETING_MODE));
    for (const key of ['registrationNumber', 'rrcId', 'threeCId', 'rcpId', 'sessionId'] as const) c.string(meeting[key], `meeting.${key}`, false);
    c.reference(meeting.board, 'meeting.board', false, 'HealthcareService');
    c.reference(meeting.session, 'meeting.session', false, 'Appointment');
    const host = c.object(meeting.hostEstablishment, 'meeting.hostEstablishment', false);
    if (host) {
      if (typeof host.finess !== 'string' || !/^\d[\dAB]\d{7}$/.test(host.finess)) c.fail('meeting.hostEstablishment.finess', 'numéro FINESS à 9 caractères attendu');
      c.string(host.name, 'meeting.hostEstablishment.name', true);
      c.reference(host.organization, 'meeting.hostEstablishment.organization', false, 'Organization');
    }
  }

  const reason = c.object(root.reason, 'reason', false);
  if (reason) {
    c.oneOf(reason.nature, 'reason.nature', true, Object.keys(NATURE), namesOf(NATURE));
    for (const key of ['organSystem', 'organ', 'transversalType'] as const) c.coded(reason[key], `reason.${key}`, false);
    c.boolean(reason.recours, 'reason.recours', true);
    c.boolean(reason.paediatric, 'reason.paediatric', true);
    const motifs = c.array(reason.motifs, 'reason.motifs');
    if (!motifs.length) c.fail('reason.motifs', `au moins un motif (${frenchList(namesOf(MOTIF))})`);
    motifs.forEach((m, i) => c.oneOf(m, `reason.motifs[${i}]`, true, Object.keys(MOTIF)));
    c.oneOf(reason.caseStatus, 'reason.caseStatus', false, Object.keys(CASE_STATUS), namesOf(CASE_STATUS));
    c.string(reason.comment, 'reason.comment', false);
  }
  const discovery = c.object(root.discovery, 'discovery', false);
  if (discovery) {
    c.boolean(discovery.byScreening, 'discovery.byScreening', true);
    c.string(discovery.comment, 'discovery.comment', false);
  }
  const diagnosis = c.object(root.diagnosis, 'diagnosis', false);
  if (diagnosis) {
    c.reference(diagnosis.condition, 'diagnosis.condition', false, 'Condition');
    if (diagnosis.condition && (diagnosis.morphology || diagnosis.topography || diagnosis.laterality)) {
      c.fail('diagnosis.condition', "soit une référence à un diagnostic existant, soit sa description (morphologie, topographie, latéralité), pas les deux");
    }
    // A described diagnosis is the cancer Condition (profile dcc-cancer-condition): date, CIM-O-3 morphology, CIM-10 code.
    const described = !diagnosis.condition;
    c.assessed(diagnosis.date, 'diagnosis.date', described);
    c.coded(diagnosis.morphology, 'diagnosis.morphology', described);
    const morphology = (diagnosis.morphology as Record<string, unknown> | undefined)?.code;
    if (described && diagnosis.morphology && (typeof morphology !== 'string' || !/^[89]\d{3}\/[0-369]$/.test(morphology))) {
      c.fail('diagnosis.morphology.code', "code CIM-O-3 de morphologie attendu (ex. '8140/3')");
    }
    c.coded(diagnosis.topography, 'diagnosis.topography', described);
    const topography = (diagnosis.topography as Record<string, unknown> | undefined)?.code;
    if (described && diagnosis.topography && (typeof topography !== 'string' || !/^(C\d{2}|D0\d|D3[7-9]|D4[0-8])(\.\d{1,2})?$/.test(topography))) {
      c.fail('diagnosis.topography.code', "code CIM-10 de tumeur attendu (C00 à D09, D37 à D48, ex. 'C18.7')");
    }
    c.oneOf(diagnosis.laterality, 'diagnosis.laterality', false, Object.keys(LATERALITY));
    const tnm = c.object(diagnosis.tnm, 'diagnosis.tnm', false);
    if (tnm) {
      for (const key of ['t', 'n', 'm', 'stage'] as const) c.string(tnm[key], `diagnosis.tnm.${key}`, true);
      c.issues.push(...tnmNotationIssues(tnm, options.stored?.diagnosis?.tnm));
      c.oneOf(tnm.edition, 'diagnosis.tnm.edition', true, Object.keys(TNM_EDITION));
      c.assessed(tnm.date, 'diagnosis.tnm.date', false);
    }
    const other = c.object(diagnosis.otherStaging, 'diagnosis.otherStaging', false);
    if (other) {
      c.string(other.name, 'diagnosis.otherStaging.name', true);
      c.string(other.version, 'diagnosis.otherStaging.version', false);
      c.string(other.stage, 'diagnosis.otherStaging.stage', true);
    }
    c.string(diagnosis.comment, 'diagnosis.comment', false);
  }
  for (const key of ['history', 'comorbidities'] as const) {
    c.array(root[key], key).forEach((h, i) => {
      const v = c.object(h, `${key}[${i}]`, true);
      c.date(v?.date, `${key}[${i}].date`, false);
      c.string(v?.text, `${key}[${i}].text`, true);
    });
  }
  const ps = c.object(root.performanceStatus, 'performanceStatus', false);
  if (ps) {
    c.integer(ps.who, 'performanceStatus.who', true, 0, 4);
    c.assessed(ps.date, 'performanceStatus.date', true);
  }
  const ger = c.object(root.geriatricScreening, 'geriatricScreening', false);
  if (ger) {
    c.string(ger.tool, 'geriatricScreening.tool', true);
    c.integer(ger.score, 'geriatricScreening.score', true, 0, 100);
    c.assessed(ger.date, 'geriatricScreening.date', false);
    c.string(ger.interpretation, 'geriatricScreening.interpretation', false);
  }
  const pain = c.object(root.pain, 'pain', false);
  if (pain) {
    c.integer(pain.score, 'pain.score', false, 0, 10);
    c.string(pain.description, 'pain.description', false);
    if (pain.score === undefined && pain.description === undefined) c.fail('pain', 'un score (0 à 10) ou une description est attendu');
    c.assessed(pain.date, 'pain.date', false);
  }
  c.array(root.examResults, 'examResults').forEach((e, i) => {
    const v = c.object(e, `examResults[${i}]`, true);
    c.assessed(v?.date, `examResults[${i}].date`, false);
    c.string(v?.exam, `examResults[${i}].exam`, true);
    c.string(v?.result, `examResults[${i}].result`, true);
  });
  const phase = c.object(root.phase, 'phase', false);
  if (phase) {
    c.oneOf(phase.phase, 'phase.phase', true, Object.keys(PHASE), namesOf(PHASE));
    c.date(phase.date, 'phase.date', false);
    const prog = c.object(phase.progression, 'phase.progression', false);
    if (prog) for (const key of ['local', 'regional', 'distant'] as const) c.boolean(prog[key], `phase.progression.${key}`, true);
    c.string(phase.comment, 'phase.comment', false);
  }
  c.array(root.treatmentsSoFar, 'treatmentsSoFar').forEach((t, i) => {
    const v = c.object(t, `treatmentsSoFar[${i}]`, true);
    c.oneOf(v?.type, `treatmentsSoFar[${i}].type`, true, Object.keys(TREATMENT_TYPE), namesOf(TREATMENT_TYPE));
    c.string(v?.description, `treatmentsSoFar[${i}].description`, false);
    c.oneOf(v?.status, `treatmentsSoFar[${i}].status`, true, ['completed', 'in-progress', 'not-done'], ['Terminé', 'En cours', 'Non réalisé']);
    c.date(v?.start, `treatmentsSoFar[${i}].start`, false);
    c.date(v?.end, `treatmentsSoFar[${i}].end`, false);
  });
  c.array(root.otherReports, 'otherReports').forEach((r, i) => {
    const v = c.object(r, `otherReports[${i}]`, true);
    c.oneOf(v?.kind, `otherReports[${i}].kind`, true, ['operative', 'pathology', 'molecular'], ['opératoire', 'anatomopathologique', 'de biologie moléculaire']);
    c.assessed(v?.date, `otherReports[${i}].date`, false);
    c.string(v?.author, `otherReports[${i}].author`, false);
    c.string(v?.conclusion, `otherReports[${i}].conclusion`, true);
  });
  for (const key of ['summary', 'question', 'otherData', 'patientComment'] as const) c.string(root[key], key, false);
  const file = c.object(root.fileStatus, 'fileStatus', false);
  if (file) {
    c.boolean(file.complete, 'fileStatus.complete', true);
    c.oneOf(file.quorum, 'fileStatus.quorum', true, Object.keys(QUORUM), namesOf(QUORUM));
    c.string(file.comment, 'fileStatus.comment', false);
  }
  const proposal = c.object(root.proposal, 'proposal', false);
  if (proposal) {
    c.array(proposal.treatments, 'proposal.treatments').forEach((t, i) => {
      const v = c.object(t, `proposal.treatments[${i}]`, true);
      c.integer(v?.intention, `proposal.treatments[${i}].intention`, true, 1, 99);
      c.integer(v?.sequence, `proposal.treatments[${i}].sequence`, true, 1, 99);
      c.oneOf(v?.type, `proposal.treatments[${i}].type`, true, Object.keys(TREATMENT_TYPE), namesOf(TREATMENT_TYPE));
      c.string(v?.detail, `proposal.treatments[${i}].detail`, false);
      c.date(v?.start, `proposal.treatments[${i}].start`, false);
      c.date(v?.end, `proposal.treatments[${i}].end`, false);
    });
    c.array(proposal.exams, 'proposal.exams').forEach((e, i) => {
      const v = c.object(e, `proposal.exams[${i}]`, true);
      c.string(v?.description, `proposal.exams[${i}].description`, true);
      c.date(v?.earliest, `proposal.exams[${i}].earliest`, false);
      c.date(v?.latest, `proposal.exams[${i}].latest`, false);
      if (typeof v?.earliest === 'string' && typeof v?.latest === 'string' && v.latest < v.earliest) c.fail(`proposal.exams[${i}].latest`, 'la date au plus tard précède la date au plus tôt');
    });
    for (const key of ['surveillance', 'recoursReferral'] as const) {
      const v = c.object(proposal[key], `proposal.${key}`, false);
      if (v) c.string(v.description, `proposal.${key}.description`, false);
    }
    c.string(proposal.comment, 'proposal.comment', false);
    // The decision CarePlan (profile dcc-rcp-decision) addresses the cancer and has at least one
    // activity — unless the question put to the RCP is the diagnosis itself (avis diagnostique).
    const askedForDiagnosis = Array.isArray(reason?.motifs) && reason.motifs.includes('diagnostic-opinion');
    if (!diagnosis && !askedForDiagnosis) c.fail('proposal', "une proposition se rapporte au diagnostic : renseignez aussi le diagnostic (sauf pour une demande d'avis diagnostique)");
    if (!c.array(proposal.treatments, 'proposal.treatments').length && !c.array(proposal.exams, 'proposal.exams').length && !proposal.surveillance && !proposal.recoursReferral) {
      c.fail('proposal', 'au moins un traitement, un examen, une surveillance ou un passage en RCP de recours');
    }
  }
  const basis = c.object(root.basis, 'basis', false);
  if (basis) {
    const g = c.object(basis.guideline, 'basis.guideline', false);
    if (g) {
      c.string(g.name, 'basis.guideline.name', true);
      c.string(g.version, 'basis.guideline.version', false);
      c.date(g.date, 'basis.guideline.date', false);
    }
    c.boolean(basis.followsGuideline, 'basis.followsGuideline', false);
    c.string(basis.deviationReason, 'basis.deviationReason', false);
    const trial = c.object(basis.clinicalTrial, 'basis.clinicalTrial', true);
    if (trial) {
      c.boolean(trial.proposed, 'basis.clinicalTrial.proposed', true);
      c.string(trial.comment, 'basis.clinicalTrial.comment', false);
      if (typeof trial.study === 'string') c.reference(trial.study, 'basis.clinicalTrial.study', false, 'ResearchStudy');
      else {
        const s = c.object(trial.study, 'basis.clinicalTrial.study', false);
        if (s) {
          c.string(s.title, 'basis.clinicalTrial.study.title', true);
          const id = c.object(s.identifier, 'basis.clinicalTrial.study.identifier', false);
          if (id) c.string(id.value, 'basis.clinicalTrial.study.identifier.value', true);
          for (const key of ['phase', 'sponsor', 'description'] as const) c.string(s[key], `basis.clinicalTrial.study.${key}`, false);
        }
      }
    }
    c.string(basis.comment, 'basis.comment', false);
  }
  c.oneOf(root.documentStatus, 'documentStatus', false, Object.keys(DOCUMENT_STATUS));

  if (c.issues.length) throw new FhirError(400, outcome(c.issues));
  return root as unknown as RcpSheetInput;
}
