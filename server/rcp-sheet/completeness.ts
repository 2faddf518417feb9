/**
 * "Dossier complet": which items of the FRCP data set are still missing. Before a session the 3C
 * checks what the discussion needs (identity, reason, diagnosis, phase, summary and question);
 * before signature the report also needs the session's outcome (file status, quorum, proposal,
 * basis). Required items are errors; recommended ones (OMS status, stage) warnings.
 */
import type { Bundle, OperationOutcome, OperationOutcomeIssue, Patient, Resource } from '@medplum/fhirtypes';
import { issue, outcome } from '../fhir-kit/errors.ts';
import { EXT_RCP_MEETING, EXT_RCP_PARTICIPANT, SECTION, type SectionKey } from './codes.ts';
import type { RcpSheetData } from './input.ts';
import { isRcpSheet, readRcpSheet, resolverOf, type RcpSheetContent } from './read.ts';

export type CompletenessStage = 'session' | 'signature';

export interface MissingItem {
  /** Stable key of the item (e.g. `diagnosis.morphology`). */
  item: string;
  /** What is missing, in French. */
  label: string;
  /** FHIRPath of where it belongs. */
  expression: string;
  severity: 'error' | 'warning';
}

interface Rule {
  item: string;
  label: string;
  expression: string;
  stage: CompletenessStage;
  severity?: 'warning';
  /** True when the item is missing. */
  missing: (d: RcpSheetData, c: RcpSheetContent) => boolean;
}

const section = (key: SectionKey) => `Composition.section.where(code.coding.code = '${SECTION[key].code}')`;
const entry = (key: SectionKey, code: string) => `${section(key)}.entry.resolve().where(code.coding.code = '${code}')`;
const component = (key: SectionKey, code: string, componentCode: string) => `${entry(key, code)}.component.where(code.coding.code = '${componentCode}')`;
const meeting = (name: string) => `Composition.extension('${EXT_RCP_MEETING}').extension('${name}')`;
const participant = (fn: string) => `Composition.extension('${EXT_RCP_PARTICIPANT}').where(extension('function').value.code = '${fn}')`;
const blank = (v: unknown) => v === undefined || v === null || (typeof v === 'string' && !v.trim());
const registeredOnly = (d: RcpSheetData) => d.reason?.caseStatus === 'registered';
/** The question put to the RCP is the diagnosis itself: the diagnosis items are hoped for, not required. */
const diagnosisAsked = (d: RcpSheetData) => Boolean(d.reason?.motifs?.includes('diagnostic-opinion'));

const RULES: Rule[] = [
  // Header
  { item: 'patient', label: 'Patient concerné par la fiche', expression: 'Composition.subject', stage: 'session', missing: (d) => blank(d.patient) },
  { item: 'patient.name', label: 'Nom de naissance du patient', expression: 'Patient.name', stage: 'session', missing: (_d, c) => Boolean(c.patient) && !c.patient!.name?.some((n) => n.family) },
  { item: 'patient.birthDate', label: 'Date de naissance du patient', expression: 'Patient.birthDate', stage: 'session', missing: (_d, c) => Boolean(c.patient) && !c.patient!.birthDate },
  { item: 'patient.gender', label: 'Sexe du patient', expression: 'Patient.gender', stage: 'session', missing: (_d, c) => Boolean(c.patient) && !c.patient!.gender },
  { item: 'author', label: 'Médecin coordonnateur de la RCP (auteur de la fiche)', expression: 'Composition.author', stage: 'session', missing: (d) => blank(d.author?.name) },
  { item: 'requester', label: 'Médecin demandeur (qui inscrit le dossier)', expression: participant('requester'), stage: 'session', missing: (d) => blank(d.requester?.name) },
  { item: 'presenter', label: 'Médecin présentateur du dossier', expression: participant('presenter'), stage: 'session', missing: (d) => blank(d.presenter?.name) },
  {
    item: 'generalPractitioner', label: 'Médecin traitant (ou mention explicite « médecin traitant inconnu »)', expression: participant('general-practitioner'), stage: 'session',
    missing: (d) => !d.generalPractitioner || (!('unknown' in d.generalPractitioner && d.generalPractitioner.unknown) && blank((d.generalPractitioner as { name?: string }).name)),
  },
  { item: 'meeting.rcpName', label: 'Nom de la RCP', expression: meeting('rcp'), stage: 'session', missing: (d) => blank(d.meeting?.rcpName) },
  { item: 'meeting.date', label: 'Date de la RCP', expression: 'Composition.event.period.start', stage: 'session', missing: (d) => blank(d.meeting?.date) },
  { item: 'meeting.mode', label: 'Mode de réunion (présentiel, visioconférence)', expression: meeting('mode'), stage: 'session', missing: (d) => !d.meeting?.mode },
  { item: 'meeting.rrcId', label: 'Identifiant du réseau régional de cancérologie (RRC)', expression: meeting('rrc'), stage: 'session', missing: (d) => blank(d.meeting?.rrcId) },
  { item: 'meeting.threeCId', label: 'Identifiant du 3C (gestionnaire de la RCP)', expression: meeting('threeC'), stage: 'session', missing: (d) => blank(d.meeting?.threeCId) },
  { item: 'meeting.rcpId', label: 'Identifiant de la RCP', expression: meeting('rcp'), stage: 'session', missing: (d) => blank(d.meeting?.rcpId) },
  { item: 'meeting.hostEstablishment', label: "Établissement hôte de la RCP (n° FINESS)", expression: meeting('hostEstablishment'), stage: 'session', missing: (d) => blank(d.meeting?.hostEstablishment?.finess) },
  { item: 'meeting.registrationNumber', label: "Numéro d'inscription du dossier dans la séance", expression: meeting('registrationNumber'), stage: 'session', missing: (d) => blank(d.meeting?.registrationNumber) },
  { item: 'meeting.sessionId', label: 'Identifiant de la séance de RCP', expression: meeting('session'), stage: 'signature', missing: (d) => blank(d.meeting?.sessionId) && blank(d.meeting?.session) },
  { item: 'participants', label: 'Participants à la RCP (IDNPS, spécialité, membre du quorum ou non)', expression: participant('member'), stage: 'signature', missing: (d) => !d.participants?.length },

  // Reason (42349-1)
  { item: 'reason.nature', label: 'Nature de la RCP (organe ou transversale)', expression: entry('reason', 'GEN-098'), stage: 'session', missing: (d) => !d.reason?.nature },
  { item: 'reason.organSystem', label: "Appareil ou organe concerné (RCP d'organe)", expression: component('reason', 'GEN-098', 'ORG-118'), stage: 'session', missing: (d) => d.reason?.nature === 'organ' && !d.reason.organSystem && !d.reason.organ },
  { item: 'reason.recours', label: 'RCP de recours (oui / non)', expression: component('reason', 'GEN-098', 'ORG-184'), stage: 'session', missing: (d) => d.reason?.recours === undefined },
  { item: 'reason.paediatric', label: 'RCP pédiatrique (oui / non)', expression: component('reason', 'GEN-098', 'ORG-185'), stage: 'session', missing: (d) => d.reason?.paediatric === undefined },
  { item: 'reason.motifs', label: 'Motif de la RCP (avis diagnostique, proposition de traitement, recours, pédiatrie)', expression: entry('reason', 'ORG-186'), stage: 'session', missing: (d) => !d.reason?.motifs?.length },
  { item: 'reason.caseStatus', label: 'Statut du cas présenté (enregistré ou discuté)', expression: component('reason', 'ORG-186', 'ORG-127'), stage: 'signature', missing: (d) => !d.reason?.caseStatus },

  // Discovery (42545-4)
  { item: 'discovery', label: 'Circonstances de découverte (dépistage : oui / non)', expression: entry('discovery', '63921-1'), stage: 'session', missing: (d) => d.discovery?.byScreening === undefined },

  // Diagnosis (72135-7)
  { item: 'diagnosis.date', label: 'Date du diagnostic', expression: `${section('diagnosis')}.entry.resolve().ofType(Condition).onset`, stage: 'session', missing: (d) => blank(d.diagnosis?.date) },
  { item: 'diagnosis.topography', label: 'Topographie de la tumeur (CIM-10)', expression: `${section('diagnosis')}.entry.resolve().ofType(Condition).code`, stage: 'session', missing: (d) => !d.diagnosis?.topography?.code },
  { item: 'diagnosis.morphology', label: 'Morphologie de la tumeur (CIM-O-3)', expression: `${section('diagnosis')}.entry.resolve().ofType(Condition).extension('http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior')`, stage: 'session', missing: (d) => !d.diagnosis?.morphology?.code },
  { item: 'diagnosis.staging', label: 'Stade de la tumeur (TNM clinique, ou autre classification)', expression: entry('diagnosis', '75620-5'), stage: 'session', severity: 'warning', missing: (d) => !d.diagnosis?.tnm && !d.diagnosis?.otherStaging },
  { item: 'diagnosis.tnm.edition', label: 'Édition de la classification TNM (ex. UICC 8e édition)', expression: component('diagnosis', '75620-5', '21917-0'), stage: 'session', missing: (d) => Boolean(d.diagnosis?.tnm) && blank(d.diagnosis?.tnm?.edition) },
  { item: 'diagnosis.otherStaging.name', label: 'Nom de la classification du stade', expression: component('diagnosis', '21918-8', 'GEN-101'), stage: 'session', missing: (d) => Boolean(d.diagnosis?.otherStaging) && blank(d.diagnosis?.otherStaging?.name) },

  // General condition
  { item: 'performanceStatus', label: 'Indice de performance OMS (0 à 4)', expression: entry('performance', 'MED-239'), stage: 'session', severity: 'warning', missing: (d) => d.performanceStatus?.who === undefined },

  // Phase (18733-6)
  { item: 'phase.phase', label: 'Phase de la maladie (phase initiale ou rechute)', expression: entry('phase', 'MED-243'), stage: 'session', missing: (d) => !d.phase?.phase },
  { item: 'phase.date', label: 'Date de la rechute', expression: `${entry('phase', 'MED-243')}.effective`, stage: 'session', missing: (d) => d.phase?.phase === 'relapse' && blank(d.phase.date) },
  {
    item: 'phase.progression', label: 'Évolution de la maladie (progression locale, régionale, à distance : oui / non)', expression: entry('phase', 'MED-245'), stage: 'session',
    missing: (d) => !d.phase?.progression || ['local', 'regional', 'distant'].some((k) => (d.phase!.progression as Record<string, unknown>)[k] === undefined),
  },

  // Summary and question (10164-2)
  { item: 'summary', label: 'Synthèse du cas présenté', expression: entry('summary', '10164-2'), stage: 'session', missing: (d) => blank(d.summary) },
  { item: 'question', label: 'Question posée à la RCP', expression: entry('summary', 'rcp-question'), stage: 'session', missing: (d) => blank(d.question) },

  // Registered-only cases follow a guideline, which must then be named (CI-SIS FRCP: MED-249 obligatoire si cas enregistré).
  { item: 'basis.guideline', label: 'Référentiel de pratique clinique utilisé (nom, version, date) — obligatoire pour un cas enregistré', expression: entry('basis', 'MED-249'), stage: 'session', missing: (d) => registeredOnly(d) && blank(d.basis?.guideline?.name) },

  // After the session
  { item: 'fileStatus.complete', label: 'Statut du dossier présenté (dossier complet : oui / non)', expression: component('fileStatus', 'GEN-099', 'GEN-100'), stage: 'signature', missing: (d) => d.fileStatus?.complete === undefined },
  { item: 'fileStatus.quorum', label: 'Quorum de la RCP (atteint, non atteint, inconnu)', expression: component('fileStatus', 'GEN-099', 'ORG-125'), stage: 'signature', missing: (d) => !d.fileStatus?.quorum },
  {
    item: 'proposal', label: 'Proposition de la RCP (traitement, examens complémentaires, surveillance ou passage en RCP de recours)', expression: `${section('proposal')}.entry`, stage: 'signature',
    missing: (d) => !d.proposal || (!d.proposal.treatments?.length && !d.proposal.exams?.length && !d.proposal.surveillance && !d.proposal.recoursReferral),
  },
  { item: 'basis.clinicalTrial', label: "Proposition d'inclusion dans un essai clinique (oui / non)", expression: entry('basis', 'MED-250'), stage: 'signature', missing: (d) => d.basis?.clinicalTrial?.proposed === undefined },
  { item: 'basis.clinicalTrial.study', label: "Essai clinique proposé (référence de l'essai)", expression: `${entry('basis', 'MED-250')}.focus`, stage: 'signature', missing: (d) => d.basis?.clinicalTrial?.proposed === true && !d.basis.clinicalTrial.study },
  { item: 'basis.deviationReason', label: "Motif de l'écart au référentiel", expression: `${entry('basis', 'MED-249')}.note`, stage: 'signature', missing: (d) => d.basis?.followsGuideline === false && blank(d.basis.deviationReason) },
  { item: 'documentStatus', label: 'Statut du document', expression: section('documentStatus'), stage: 'session', missing: (d) => !d.documentStatus },
];

/**
 * Missing items of an RCP sheet, given as a Bundle (the transaction `buildRcpSheet` returns, or a
 * document) or the list of its resources (the Composition and what it references).
 */
export function checkRcpSheetCompleteness(source: Bundle | Resource[], options: { stage?: CompletenessStage } = {}): MissingItem[] {
  const items = Array.isArray(source)
    ? source.map((resource) => ({ resource }))
    : (source.entry ?? []).map((e) => ({ fullUrl: e.fullUrl, resource: e.resource }));
  const composition = items.map((i) => i.resource).find(isRcpSheet);
  if (!composition) {
    return [{ item: 'composition', label: 'Fiche RCP (Composition de type LOINC 34794-8)', expression: 'Composition', severity: 'error' }];
  }
  const resolve = resolverOf(items);
  const patient = composition.subject?.reference ? (resolve(composition.subject.reference) as Patient | undefined) : undefined;
  return completenessOf(readRcpSheet(composition, resolve, patient?.resourceType === 'Patient' ? patient : undefined), options);
}

/** Same check on a sheet already read. */
export function completenessOf(content: RcpSheetContent, options: { stage?: CompletenessStage } = {}): MissingItem[] {
  const stage = options.stage ?? 'session';
  const d = content.data;
  const missing: MissingItem[] = [];
  for (const rule of RULES) {
    if (rule.stage === 'signature' && stage !== 'signature') continue;
    const severity = rule.severity ?? (rule.item.startsWith('diagnosis.') && diagnosisAsked(d) ? 'warning' : 'error');
    if (rule.missing(d, content)) missing.push({ item: rule.item, label: rule.label, expression: rule.expression, severity });
  }
  if (stage === 'signature') {
    (d.participants ?? []).forEach((p, i) => {
      const who = p?.name ?? `participant n° ${i + 1}`;
      if (blank(p?.idnps)) missing.push({ item: `participants[${i}].idnps`, label: `IDNPS du participant ${who}`, expression: `${participant('member')}[${i}].extension('practitioner')`, severity: 'error' });
      if (!p?.speciality?.display) missing.push({ item: `participants[${i}].speciality`, label: `Spécialité du participant ${who}`, expression: `${participant('member')}[${i}].extension('speciality')`, severity: 'error' });
      if (p?.inQuorum === undefined) missing.push({ item: `participants[${i}].inQuorum`, label: `Appartenance au quorum du participant ${who}`, expression: `${participant('member')}[${i}].extension('inQuorum')`, severity: 'error' });
    });
    (d.proposal?.treatments ?? []).forEach((t, i) => {
      for (const [key, label] of [['type', 'type de traitement'], ['intention', "numéro d'intention"], ['sequence', "numéro d'ordre"]] as const) {
        if (t?.[key] === undefined) missing.push({ item: `proposal.treatments[${i}].${key}`, label: `Proposition thérapeutique n° ${i + 1} : ${label}`, expression: `${section('proposal')}.entry.resolve().ofType(CarePlan).activity[${i}]`, severity: 'error' });
      }
    });
  }
  for (const reference of content.unresolved) {
    missing.push({ item: 'entry', label: `Élément de la fiche introuvable : ${reference}`, expression: `Composition.section.entry.where(reference = '${reference}')`, severity: 'error' });
  }
  return missing;
}

/** The OperationOutcome of `$completeness`: one issue per missing item, information when complete. */
export function completenessOutcome(missing: MissingItem[], stage: CompletenessStage = 'session'): OperationOutcome {
  const when = stage === 'signature' ? 'pour la signature du compte rendu' : 'pour la présentation en RCP';
  const issues: OperationOutcomeIssue[] = missing.map((m) => issue(m.severity, 'required', `${m.severity === 'error' ? 'Élément requis manquant' : 'Élément recommandé manquant'} : ${m.label}`, [m.expression]));
  const errors = missing.filter((m) => m.severity === 'error').length;
  if (!errors) {
    issues.unshift(issue('information', 'informational', missing.length
      ? `Dossier complet ${when} (${missing.length} élément(s) recommandé(s) à compléter si possible)`
      : `Dossier complet ${when} : tous les éléments de la fiche RCP sont renseignés`));
  }
  return outcome(issues);
}
