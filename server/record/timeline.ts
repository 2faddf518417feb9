import type { Resource } from '@medplum/fhirtypes';
import { isEnteredInError } from '../fhir-kit/condition-status.ts';
import { numericDate, parisDay } from '../fhir-kit/french-dates.ts';
import { CODE, decisionStandings, hasCoding, isRcpSheet, meetingDateOfDecision, RCP_SHEET_TAG, tnmBasis, TREATMENT_TYPE } from '../rcp-sheet/index.ts';
import { closedCaseOfSheet } from '../rcp/index.ts';

/** One dated line of a patient's cancer history, in French, pointing at its resource. */
export interface TimelineEvent {
  date: string;
  kind: 'diagnostic' | 'antécédent' | 'rcp' | 'décision' | 'pps' | 'ppac' | 'document' | 'traitement' | 'examen' | 'annonce' | 'essai';
  label: string;
  reference: string;
  /** The other resources that record the same act (an RCP sheet's « traitements reçus » copy of a surgery). */
  sources?: string[];
}

/** Task.status (FHIR R4) in French, for a case whose business state is missing. */
const TASK_STATUS_LABEL: Record<string, string> = {
  draft: 'brouillon', requested: 'demandé', received: 'reçu', accepted: 'accepté', rejected: 'refusé', ready: 'prêt',
  cancelled: 'annulé', 'in-progress': 'en cours', 'on-hold': 'suspendu', failed: 'échoué', completed: 'terminé', 'entered-in-error': 'saisi par erreur',
};

const CATEGORY = (r: any): string[] => (r.category ?? []).flatMap((c: any) => (c.coding ?? []).map((x: any) => x.code));

/**
 * The patient timeline (diagnosis, RCPs, decisions, PPS, PPAC, documents…) in date order, from
 * the resources of their compartment. Pure: the caller has already applied the access rules.
 */
export function buildTimeline(resources: Resource[]): TimelineEvent[] {
  const events: TimelineEvent[] = [];
  const replaced = new Map(decisionStandings(resources).filter((s) => s.standing === 'replaced').map((s) => [s.decision, s]));
  for (const resource of resources) {
    const r = resource as any;
    const reference = `${r.resourceType}/${r.id}`;
    const push = (date: string | undefined, kind: TimelineEvent['kind'], label: string) => {
      if (date) events.push({ date, kind, label, reference });
    };
    switch (r.resourceType) {
      case 'Condition':
        // A diagnosis marked entered-in-error stays in the history, said so (never silently gone).
        push(r.onsetDateTime ?? r.recordedDate, 'diagnostic', `${isEnteredInError(r) ? 'Diagnostic (saisie erronée)' : 'Diagnostic'} : ${r.code?.text ?? r.code?.coding?.[0]?.display ?? r.code?.coding?.[0]?.code ?? 'non précisé'}`);
        break;
      case 'Task':
        if (r.code?.coding?.some((c: any) => c.code === 'rcp-case')) {
          // The case state in French (businessStatus), else Task.status said in French: the raw
          // code ("completed", "accepted") showed on the patient's record.
          const state = r.businessStatus?.text ?? r.businessStatus?.coding?.find((c: any) => c.display)?.display ?? TASK_STATUS_LABEL[r.status];
          push(r.authoredOn ?? r.meta?.lastUpdated, 'rcp', state ? `Dossier inscrit en RCP (${state})` : 'Dossier inscrit en RCP');
        }
        break;
      case 'CarePlan': {
        const codes = CATEGORY(r);
        const kind = codes.includes('rcp-decision') ? 'décision' : codes.some((c) => /ppac/i.test(c)) ? 'ppac' : codes.some((c) => /pps/i.test(c)) ? 'pps' : undefined;
        // A decision is dated by the meeting that took it (its RCP sheet), not by its record's first save.
        const decided = kind === 'décision' ? meetingDateOfDecision(r.id, resources) : undefined;
        const replacement = replaced.get(reference);
        const decisionLabel = replacement ? `Proposition de la RCP (remplacée par la RCP du ${numericDate(replacement.replacedOn) || 'suivante'})` : 'Proposition de la RCP';
        if (kind) push(decided ?? r.created ?? r.period?.start ?? r.meta?.lastUpdated, kind, kind === 'décision' ? decisionLabel : kind === 'pps' ? 'Programme personnalisé de soins (PPS)' : "Programme personnalisé de l'après-cancer (PPAC)");
        break;
      }
      case 'Composition': {
        const signed = r.status === 'final' || r.status === 'amended';
        // The draft sheet of a withdrawn or refused request is no longer « en cours »: it never will be signed.
        const closed = !signed && isRcpSheet(r) ? closedCaseOfSheet(String(r.id), resources) : undefined;
        const standing = signed ? 'signé' : closed ? (closed.state === 'withdrawn' ? 'demande retirée' : 'demande refusée') : 'en cours';
        push(r.date, 'document', `${r.title ?? 'Document'} (${standing})`);
        break;
      }
      case 'DocumentReference':
        push(r.date ?? r.meta?.lastUpdated, 'document', r.description ?? r.type?.text ?? 'Document');
        break;
      case 'Procedure':
        // The dispositif d'annonce (server/pathway/announcement.ts) is a step of the pathway, not a treatment.
        if (r.category?.coding?.some((c: any) => c.code === 'announcement')) push(r.performedDateTime, 'annonce', `${r.code?.text ?? 'Annonce'}${r.performer?.[0]?.actor?.display ? ` — ${r.performer[0].actor.display}` : ''}`);
        else push(r.performedDateTime ?? r.performedPeriod?.start, 'traitement', r.code?.text ?? r.code?.coding?.[0]?.display ?? 'Acte');
        break;
      case 'MedicationRequest':
        push(r.authoredOn, 'traitement', `Prescription : ${r.medicationCodeableConcept?.text ?? r.medicationCodeableConcept?.coding?.[0]?.display ?? 'médicament'}`);
        break;
      case 'ResearchSubject':
        // The inclusion in a trial of the directory (server/directories/inclusion.ts).
        push(r.period?.start, 'essai', `Inclusion dans l'essai ${r.study?.display ?? r.study?.reference ?? ''}${r.period?.end ? ` (sortie le ${r.period.end})` : ''}`);
        break;
      case 'Observation':
        // The guideline a proposal followed (FRCP "Référentiel", MED-249) is dated by its publication:
        // it is the basis of a decision, not an event of the patient's care.
        if (hasCoding(r.code?.coding, CODE.guideline)) break;
        // An antecedent or a comorbidity (FRCP « Antécédents », « Comorbidités ») is the patient's
        // history, not an exam: it showed as « Examen — Antécédents médicaux », without what it was.
        if (hasCoding(r.code?.coding, CODE.history) || hasCoding(r.code?.coding, CODE.comorbidity)) {
          push(r.effectiveDateTime ?? r.effectivePeriod?.start, 'antécédent', `${hasCoding(r.code?.coding, CODE.history) ? 'Antécédent' : 'Comorbidité'} : ${r.valueString ?? r.code?.text ?? 'non précisé'}`);
          break;
        }
        push(r.effectiveDateTime ?? r.effectivePeriod?.start, 'examen', observationLabel(r));
        break;
    }
  }
  return withoutRepeatedMeasures(oneEventPerAct(events, resources), resources).sort((a, b) => Date.parse(a.date) - Date.parse(b.date) || a.reference.localeCompare(b.reference));
}

/** One name for one measure, whichever code recorded it (the record's LOINC, an RCP sheet's). */
const MEASURE_LABEL: [{ system?: string; code?: string }[], string][] = [
  [[CODE.tnm, { system: 'http://loinc.org', code: '21908-9' }], 'Stade TNM clinique'],
  [[CODE.performance, CODE.ecog], 'Indice de performance OMS'],
];
/** The record's pathological stage group (LOINC 21902-2, mCODE TNMPathologicalStageGroup), e.g. after surgery. */
const PATHOLOGICAL_STAGE = { system: 'http://loinc.org', code: '21902-2' };

function observationLabel(r: any): string {
  // A stage is named by what it was based on: the sheet's one TNM slot holds a pTNM after surgery.
  if (hasCoding(r.code?.coding, PATHOLOGICAL_STAGE)) return 'Stade TNM pathologique';
  if (hasCoding(r.code?.coding, CODE.tnm)) {
    const text = (code: string) => r.component?.find((c: any) => c.code?.coding?.some((k: any) => k.code === code))?.valueCodeableConcept?.text;
    if (tnmBasis({ t: text(CODE.tnmT.code!), n: text(CODE.tnmN.code!) }) === 'pathological') return 'Stade TNM pathologique';
  }
  const known = MEASURE_LABEL.find(([codes]) => codes.some((c) => hasCoding(r.code?.coding, c as any)));
  return known?.[1] ?? r.code?.text ?? r.code?.coding?.[0]?.display ?? r.code?.coding?.[0]?.code ?? 'Observation';
}

/** An instant's Paris day; a date (or a partial one) as written. */
const dayOf = (date: string): string => (date.length > 10 && !Number.isNaN(Date.parse(date)) ? parisDay(new Date(date)) : date.slice(0, 10));
const normalised = (label: string): string => label.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase().replace(/[^a-z0-9]+/g, ' ').trim();
/** The sheet's generic names of a treatment (« Chirurgie »): an item given no description. */
const GENERIC_TREATMENT_LABELS = new Set(Object.values(TREATMENT_TYPE).map((c) => normalised(c.display ?? '')));
const treatmentCodes = (r: any): string[] => [...(r.code?.coding ?? []), ...(r.category?.coding ?? [])].map((c: any) => `${c.system}|${c.code}`);

/**
 * Each RCP sheet copies the treatments received so far into its own Procedures (« traitements
 * reçus »), beside the record's Procedure of the act: one surgery showed three times, once per
 * sheet that told it. A sheet's copy is the same act as a Procedure of the same day with the same
 * name (or of the same type when the sheet only says « Chirurgie »): one line, the record's own
 * Procedure first, the copies kept as its sources. Two acts the record itself holds stay two.
 */
function oneEventPerAct(events: TimelineEvent[], resources: Resource[]): TimelineEvent[] {
  const procedures = new Map(resources.filter((r) => r.resourceType === 'Procedure').map((r) => [`Procedure/${r.id}`, r as any]));
  const isCopy = (e: TimelineEvent) => hasCoding(procedures.get(e.reference)?.meta?.tag, RCP_SHEET_TAG);
  const acts = events.filter((e) => e.kind === 'traitement' && procedures.has(e.reference));
  // The record's own Procedures first: a copy joins the act it copies, never the other way round.
  const ordered = [...acts].sort((a, b) => Number(isCopy(a)) - Number(isCopy(b)));
  const kept: TimelineEvent[] = [];
  const merged = new Set<TimelineEvent>();
  for (const e of ordered) {
    const same = isCopy(e) ? kept.find((k) => sameAct(k, e, procedures)) : undefined;
    if (same) {
      same.sources = [...(same.sources ?? []), e.reference];
      merged.add(e);
    } else kept.push(e);
  }
  return events.filter((e) => !merged.has(e));
}

function sameAct(kept: TimelineEvent, copy: TimelineEvent, procedures: Map<string, any>): boolean {
  if (dayOf(kept.date) !== dayOf(copy.date)) return false;
  const [a, b] = [normalised(kept.label), normalised(copy.label)];
  if (a === b) return true;
  if (!GENERIC_TREATMENT_LABELS.has(b)) return false;
  const types = new Set(treatmentCodes(procedures.get(kept.reference)));
  return treatmentCodes(procedures.get(copy.reference)).some((c) => types.has(c));
}

/**
 * Each RCP sheet records the stage and the performance status it was given, beside the record's
 * own: the timeline listed « Stade clinique TNM », « Stade TNM clinique », « Stade TNM clinique » on
 * one day. A measure of the same name on the same day is shown once, the record's own first.
 */
function withoutRepeatedMeasures(events: TimelineEvent[], resources: Resource[]): TimelineEvent[] {
  const fromSheet = new Set(resources.filter((r) => hasCoding(r.meta?.tag, RCP_SHEET_TAG)).map((r) => `${r.resourceType}/${r.id}`));
  const ordered = [...events].sort((a, b) => Number(fromSheet.has(a.reference)) - Number(fromSheet.has(b.reference)));
  const seen = new Set<string>();
  return ordered.filter((e) => {
    if (e.kind !== 'examen' && e.kind !== 'antécédent') return true;
    const key = `${e.date.slice(0, 10)}|${e.label}`;
    if (seen.has(key)) return false;
    seen.add(key);
    return true;
  });
}
