import type { Bundle, CarePlan, CareTeam, Composition, Condition, Consent, OperationOutcome, OperationOutcomeIssue, Parameters, Patient, Practitioner, PractitionerRole, ResearchStudy } from '@medplum/fhirtypes';
import { api, apiResponse } from './http.ts';
import type { ReportRecipient } from '../lib/report-recipients.ts';
import type { ResponsibleSigner } from '../lib/signers.ts';

/**
 * The hospital physician's calls (issue 14): patients (FHIR), the record's timeline, the RCP
 * workflow (/api/rcp: boards, sessions, cases, decision, signature, correction), the RCP sheet
 * ($rcp-sheet, $completeness, $render) and the care programmes ($build-pps, $hand-over,
 * $start-ppac, $render). Types mirror the server's (server/rcp/*-model.ts, server/rcp-sheet/input.ts).
 */

// --- Identity (FR Core, RNIV) -------------------------------------------------------------------

/** INS-NIR of the demo/test data (server/identity/ins.ts INS_NIR_TEST_SYSTEM); the production system is …4.8. */
export const INS_NIR_SYSTEMS = ['urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:1.2.250.1.213.1.4.10', 'urn:oid:1.2.250.1.213.1.4.11'];
export const INS_NIR_TEST_SYSTEM = 'urn:oid:1.2.250.1.213.1.4.10';
export const IDENTITY_RELIABILITY_EXTENSION_URL = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';
export const IDENTITY_STATUS_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status';
export const IDENTITY_VALIDATION_MODE_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity';
export const IDENTITY_METHOD_COLLECTION_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection';
export const BIRTH_PLACE_EXTENSION = 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace';
export const INSEE_CODE_EXTENSION = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-address-insee-code';
export const R13_COMMUNE_SYSTEM = 'https://mos.esante.gouv.fr/NOS/TRE_R13-CommuneOM/FHIR/TRE-R13-CommuneOM';

export type IdentityStatus = 'PROV' | 'RECUP' | 'VALI' | 'QUAL';
export const IDENTITY_STATUS_LABEL: Record<IdentityStatus, string> = {
  PROV: 'Identité provisoire',
  RECUP: 'Identité récupérée',
  VALI: 'Identité validée',
  QUAL: 'Identité qualifiée',
};

// --- RCP workflow (server/rcp) --------------------------------------------------------------------

export type CaseState = 'pending' | 'accepted' | 'rejected' | 'withdrawn' | 'discussed' | 'recorded' | 'postponed' | 'quorum-not-reached' | 'carried-over' | 'signed';

/**
 * The states in which a case carries the RCP's decision (discussed, recorded, signed): its page is
 * « Décision de la RCP ». Before the discussion, or withdrawn or refused, it is the request itself
 * (« Demande d'inscription en RCP »), linked as « Dossier ».
 */
export const DECIDED_CASE_STATES: readonly CaseState[] = ['discussed', 'recorded', 'signed'];

export function hasDecision(rcpCase: { state: CaseState }): boolean {
  return DECIDED_CASE_STATES.includes(rcpCase.state);
}

export interface RcpCase {
  id: string;
  version: string;
  patient: string;
  condition?: string;
  requester: string;
  requesterDisplay?: string;
  boardId: string;
  sessionId?: string;
  state: CaseState;
  stateLabel: string;
  late: boolean;
  motif: string;
  question: string;
  summary: string;
  sheet?: string;
  registeredAt: string;
  statusReason?: string;
  quorum?: { reached: boolean; reasons?: string[] };
  decision?: string;
  report?: string;
  firstReport?: string;
  signedAt?: string;
  signedBy?: string;
  trialProposed?: boolean;
  /** Read alone (GET /api/rcp/cases/:id): whether the caller may withdraw it now (server/rcp/cases.ts mayWithdrawCase). */
  mayWithdraw?: boolean;
}

export interface Board {
  id: string;
  version: string;
  code: string;
  name: string;
  kind: 'organ' | 'transversal';
  organ?: string;
  capacity: number;
  registrationCutoffHours: number;
  active?: boolean;
  place?: string;
}

export interface Session {
  id: string;
  version: string;
  boardId: string;
  boardName?: string;
  state: 'planned' | 'in-progress' | 'closed' | 'cancelled';
  start: string;
  end: string;
  place?: string;
  videoLink?: string;
}

export interface SessionDetails {
  session: Session;
  board: { id: string; name: string; capacity: number; registrationCutoffHours: number };
  registrationDeadline: string;
  agenda?: { places: { used: number; capacity: number } };
}

export interface MissingItem {
  item?: string;
  label: string;
  expression?: string;
  severity: 'error' | 'warning';
}

export interface RegistrationResult {
  case: RcpCase;
  existing?: boolean;
  completeness: MissingItem[];
}

export interface CaseCompleteness {
  complete: boolean;
  missing: MissingItem[];
  checkedAt: string;
  source: 'live' | 'snapshot';
}

/** server/rcp-sheet/codes.ts TREATMENT_TYPE. */
export const TREATMENT_TYPES: Record<string, string> = {
  surgery: 'Chirurgie',
  'external-radiotherapy': 'Radiothérapie externe',
  brachytherapy: 'Curiethérapie',
  chemotherapy: 'Chimiothérapie',
  'targeted-therapy': 'Thérapie ciblée',
  'hormone-therapy': 'Hormonothérapie',
  immunotherapy: 'Immunothérapie',
  'active-surveillance': 'Surveillance active',
  'therapeutic-window': 'Fenêtre thérapeutique',
  graft: 'Greffe',
  'supportive-care': 'Soins de support',
  'palliative-care': 'Soins palliatifs',
  other: 'Autre traitement (à préciser)',
};
export type TreatmentType = keyof typeof TREATMENT_TYPES;

export interface ProposedTreatment {
  intention: number;
  sequence: number;
  type: TreatmentType | string;
  detail?: string;
  start?: string;
  end?: string;
}

export interface DecisionInput {
  treatments: ProposedTreatment[];
  exams: { description: string; earliest?: string; latest?: string }[];
  surveillance?: { description?: string };
  comment?: string;
  guideline?: { name: string; version?: string; date?: string };
  followsGuideline?: boolean;
  deviationReason?: string;
  clinicalTrial: { proposed: boolean; study?: string; comment?: string };
}

export interface DecisionView {
  case: RcpCase;
  sheet: { reference: string; version: string; status: Composition['status'] };
  decision?: string;
  proposal?: Partial<Omit<DecisionInput, 'clinicalTrial' | 'guideline'>> & { treatments?: ProposedTreatment[] };
  basis?: { guideline?: DecisionInput['guideline']; followsGuideline?: boolean; deviationReason?: string; clinicalTrial?: { proposed?: boolean; study?: unknown; comment?: string } };
  /** Who may sign (or correct) the report, and whether the signed-in physician may (server/rcp/signers.ts). */
  signing: { maySign: boolean; signers: ResponsibleSigner[] };
  /** Where the signature will send the report, before the correspondents chosen when signing (server/rcp/recipients.ts). */
  recipients: ReportRecipient[];
  /** Title (and identifier) of the clinical trial proposed: basis.clinicalTrial.study is only its reference. */
  studyTitle?: string;
}

export interface SignatureResult {
  case: RcpCase;
  report: { reference: string; version: string };
}

// --- RCP sheet (server/rcp-sheet/input.ts RcpSheetInput, every item optional as stored) ---------

export interface CodedText {
  code?: string;
  system?: string;
  display: string;
}

export interface RcpSheetData {
  patient?: string;
  meeting?: { rcpName?: string; date?: string };
  reason?: { nature?: string; recours?: boolean; paediatric?: boolean; motifs?: string[]; caseStatus?: string; comment?: string };
  discovery?: { byScreening?: boolean; comment?: string };
  diagnosis?: {
    condition?: string;
    date?: string;
    morphology?: CodedText;
    topography?: CodedText;
    laterality?: string;
    tnm?: { t?: string; n?: string; m?: string; stage?: string; edition?: string; date?: string };
    comment?: string;
  };
  history?: { date?: string; text?: string }[];
  comorbidities?: { date?: string; text?: string }[];
  performanceStatus?: { who?: number; date?: string };
  examResults?: { date?: string; exam?: string; result?: string }[];
  phase?: { phase?: string; date?: string; progression?: { local?: boolean; regional?: boolean; distant?: boolean }; comment?: string };
  treatmentsSoFar?: { type?: string; description?: string; status?: string; start?: string; end?: string }[];
  summary?: string;
  question?: string;
  otherData?: string;
  proposal?: DecisionView['proposal'];
  basis?: DecisionView['basis'];
  [key: string]: unknown;
}

export interface RcpSheetView {
  id: string;
  version: string;
  lastUpdated?: string;
  status: Composition['status'];
  signed: boolean;
  correction?: { reason: string; corrects: string };
  data: RcpSheetData;
  completeness: { session: MissingItem[]; signature: MissingItem[] };
  recordDiagnosis?: RcpSheetData['diagnosis'];
  /** Stored values a save would refuse if written now (a TNM from before its notation was checked), by field path. */
  issues?: OperationOutcome['issue'];
}

/** Which RCP decision is in force for a tumour (server/rcp-sheet/decision-standing.ts): the latest meeting's. */
export interface DecisionStanding {
  decision: string;
  standing: 'in-force' | 'replaced';
  replacedBy?: string;
  replacedOn?: string;
}

export interface TimelineEvent {
  date: string;
  kind: 'diagnostic' | 'antécédent' | 'rcp' | 'décision' | 'pps' | 'ppac' | 'document' | 'traitement' | 'examen' | 'annonce' | 'essai';
  label: string;
  reference: string;
  /** The other resources that record the same act (the RCP sheets' « traitements reçus »). */
  sources?: string[];
}

/** A general practitioner of the directory, as the médecin traitant picker lists them. */
export interface GeneralPractitionerChoice {
  practitioner: string;
  name: string;
  place?: string;
}

/** General medicine (R38 SM54): the directory's GPs, as server/access/directory-roles.ts reads them. */
const GENERAL_PRACTICE = 'SM54';

/** An emergency access ("bris de glace") as the server knows it: `until` while it runs. */
export interface EmergencyAccess {
  until?: string;
}

const rcp = (path: string) => `/api/rcp${path}`;
const ifMatch = (version: string | undefined) => (version ? { 'if-match': `W/"${version}"` } : undefined);

export const hospitalApi = {
  // Patients
  searchPatients: (query: Record<string, string>) =>
    api<Bundle<Patient>>('/fhir/Patient', { query: { ...query, _count: 20, _sort: 'family' } }),
  /** The patients born on a day (the duplicate check before a creation: an indexed, small search). */
  patientsBornOn: (birthDate: string) => api<Bundle<Patient>>('/fhir/Patient', { query: { birthdate: birthDate, _count: 100 } }),
  patient: (id: string) => api<Patient>(`/fhir/Patient/${encodeURIComponent(id)}`),
  /**
   * Creates a patient, answered as an OperationOutcome (FHIR `Prefer: return=OperationOutcome`): its
   * warnings say what the server did beside (a probable duplicate handed to the identity-vigilance cell).
   */
  createPatient: async (patient: Patient): Promise<{ id: string; warnings: OperationOutcomeIssue[] }> => {
    const { body, headers } = await apiResponse<OperationOutcome>('/fhir/Patient', { method: 'POST', body: patient, headers: { prefer: 'return=OperationOutcome' } });
    const id = /\/Patient\/([^/]+)/.exec(headers.get('location') ?? '')?.[1] ?? '';
    return { id, warnings: (body?.issue ?? []).filter((i) => i.severity === 'warning') };
  },
  timeline: (id: string) => api<{ patient: string; events: TimelineEvent[]; decisions?: DecisionStanding[] }>(`/fhir/Patient/${encodeURIComponent(id)}/$timeline`),
  careTeams: (id: string) => api<Bundle<CareTeam>>('/fhir/CareTeam', { query: { patient: `Patient/${id}`, status: 'active' } }),
  consents: (id: string) => api<Bundle<Consent>>('/fhir/Consent', { query: { patient: `Patient/${id}`, status: 'active' } }),
  breakGlass: (id: string, reason: string) => api<OperationOutcome>(`/fhir/Patient/${encodeURIComponent(id)}/$break-glass`, { method: 'POST', body: { reason } }),
  /** The signed-in physician's own running emergency access to the record: its end, or none. */
  emergencyAccess: async (id: string): Promise<EmergencyAccess> => {
    const state = await api<Parameters>(`/fhir/Patient/${encodeURIComponent(id)}/$break-glass`);
    const until = state.parameter?.find((p) => p.name === 'period')?.valuePeriod?.end;
    return until ? { until } : {};
  },
  /** The GPs of the directory (active roles of speciality SM54), once each, by name. */
  generalPractitioners: async (): Promise<GeneralPractitionerChoice[]> => {
    const bundle = await api<Bundle<PractitionerRole | Practitioner>>('/fhir/PractitionerRole', { query: { specialty: GENERAL_PRACTICE, active: 'true', _include: 'PractitionerRole:practitioner', _count: 200 } });
    const resources = (bundle.entry ?? []).map((e) => e.resource!).filter(Boolean);
    const practitioners = new Map(resources.filter((r): r is Practitioner => r.resourceType === 'Practitioner').map((p) => [`Practitioner/${p.id}`, p]));
    const out = new Map<string, GeneralPractitionerChoice>();
    for (const role of resources.filter((r): r is PractitionerRole => r.resourceType === 'PractitionerRole')) {
      const reference = role.practitioner?.reference;
      const practitioner = reference ? practitioners.get(reference) : undefined;
      if (!reference || out.has(reference) || practitioner?.active === false) continue;
      const n = practitioner?.name?.[0];
      const name = role.practitioner?.display ?? ([n?.prefix?.[0], ...(n?.given ?? []), n?.family].filter(Boolean).join(' ') || reference);
      out.set(reference, { practitioner: reference, name, ...(role.organization?.display ? { place: role.organization.display } : {}) });
    }
    return [...out.values()].sort((a, b) => a.name.localeCompare(b.name, 'fr'));
  },
  /** Declares the patient's médecin traitant (a GP of the directory): a new version of the Patient, nothing else changed. */
  declareGeneralPractitioner: (patientId: string, practitioner: string, version?: string) =>
    api<Patient>(`/fhir/Patient/${encodeURIComponent(patientId)}/$general-practitioner`, { method: 'POST', body: { practitioner }, headers: ifMatch(version) }),
  conditions: (id: string) => api<Bundle>('/fhir/Condition', { query: { patient: `Patient/${id}` } }),
  /** A wrong diagnosis marked « saisie erronée » with its reason (refused 409 when a signed RCP report rests on it). */
  markConditionInError: (id: string, reason: string) => api<Condition>(`/fhir/Condition/${encodeURIComponent(id)}/$entered-in-error`, { method: 'POST', body: { reason } }),

  // RCP boards, sessions, cases
  boards: () => api<Board[]>(rcp('/boards'), { query: { active: true } }),
  sessions: (boardId: string, from: string) => api<Session[]>(rcp(`/boards/${encodeURIComponent(boardId)}/sessions`), { query: { from, state: 'planned' } }),
  session: (id: string) => api<SessionDetails>(rcp(`/sessions/${encodeURIComponent(id)}`)),
  cases: (patientId: string) => api<RcpCase[]>(rcp('/cases'), { query: { patient: `Patient/${patientId}` } }),
  case: (id: string) => api<RcpCase>(rcp(`/cases/${encodeURIComponent(id)}`)),
  registerCase: (body: Record<string, unknown>) => api<RegistrationResult>(rcp('/cases'), { method: 'POST', body }),
  /** The requesting physician withdraws his request while the case is not yet discussed (reason required; If-Match: the case as read). */
  withdrawCase: (id: string, reason: string, version?: string) => api<RcpCase>(rcp(`/cases/${encodeURIComponent(id)}/withdraw`), { method: 'POST', body: { reason }, headers: ifMatch(version) }),
  caseCompleteness: (id: string, stage: 'session' | 'signature') => api<CaseCompleteness>(rcp(`/cases/${encodeURIComponent(id)}/completeness`), { query: { stage } }),
  decision: (id: string) => api<DecisionView>(rcp(`/cases/${encodeURIComponent(id)}/decision`)),
  saveDecision: (id: string, body: DecisionInput, version?: string) => api<DecisionView>(rcp(`/cases/${encodeURIComponent(id)}/decision`), { method: 'PUT', body, headers: ifMatch(version) }),
  sign: (id: string, version?: string) => api<SignatureResult>(rcp(`/cases/${encodeURIComponent(id)}/sign`), { method: 'POST', body: {}, headers: ifMatch(version) }),
  correct: (id: string, body: Record<string, unknown>) => api<SignatureResult>(rcp(`/cases/${encodeURIComponent(id)}/correct`), { method: 'POST', body }),
  trials: () => api<Bundle<ResearchStudy>>('/fhir/ResearchStudy', { query: { status: 'active', _count: 100 } }),

  // RCP sheet
  sheet: (id: string, version?: string) => api<RcpSheetView>(`/fhir/Composition/${encodeURIComponent(id)}/$rcp-sheet`, { query: { version } }),
  patchSheet: (id: string, patch: Partial<RcpSheetData>, version?: string) =>
    api<Composition>(`/fhir/Composition/${encodeURIComponent(id)}/$rcp-sheet`, { method: 'PATCH', body: patch, headers: ifMatch(version) }),

  // Care programmes
  carePlan: (id: string) => api<CarePlan>(`/fhir/CarePlan/${encodeURIComponent(id)}`),
  programmesOf: (patientId: string) => api<Bundle<CarePlan>>('/fhir/CarePlan', { query: { patient: `Patient/${patientId}`, _count: 50 } }),
  buildPps: (decisionId: string, body: Record<string, unknown>) => api<CarePlan>(`/fhir/CarePlan/${encodeURIComponent(decisionId)}/$build-pps`, { method: 'POST', body }),
  /** A new version of a programme (a handed-over PPS carries the reason of the change: server/care-plan/rules.ts). */
  updateCarePlan: (plan: CarePlan, version?: string) =>
    api<CarePlan>(`/fhir/CarePlan/${encodeURIComponent(plan.id!)}`, { method: 'PUT', body: plan, headers: ifMatch(version) }),
  handOver: (id: string, body: { date: string; shareWithGp?: boolean; dataReuseObjection?: boolean; reason?: string }, version?: string) =>
    api<CarePlan>(`/fhir/CarePlan/${encodeURIComponent(id)}/$hand-over`, { method: 'POST', body, headers: ifMatch(version) }),
  startPpac: (ppsId: string, body: Record<string, unknown>, version?: string) =>
    api<CarePlan>(`/fhir/CarePlan/${encodeURIComponent(ppsId)}/$start-ppac`, { method: 'POST', body, headers: ifMatch(version) }),
};

/** Links to the printed documents (the cookie authenticates a plain link: no JavaScript needed). */
export const printLinks = {
  rcpSheet: (compositionId: string) => `/fhir/Composition/${encodeURIComponent(compositionId)}/$render?format=pdf`,
  programme: (carePlanId: string) => `/fhir/CarePlan/${encodeURIComponent(carePlanId)}/$render?format=pdf`,
  /** The national CDA R2 document (FRCP of a signed sheet, PPS once handed over), as the DMP and MSSanté receive it. */
  rcpSheetCda: (compositionId: string) => `/fhir/Composition/${encodeURIComponent(compositionId)}/$cda`,
  programmeCda: (carePlanId: string) => `/fhir/CarePlan/${encodeURIComponent(carePlanId)}/$cda`,
};

export function idOf(reference: string | undefined): string | undefined {
  return reference?.split('/')[1];
}
