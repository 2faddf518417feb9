/**
 * The RCP sheet as FHIR: a Composition (LOINC 34794-8) whose sections hold the FRCP items, with
 * the Condition, Observations, Procedures, the RCP decision CarePlan and the ResearchStudy it
 * builds, written through the store in one transaction.
 */
import { randomUUID } from 'node:crypto';
import type {
  Bundle, BundleEntry, CarePlan, CarePlanActivity, CodeableConcept, Composition, CompositionSection, Condition, Extension,
  Identifier, Observation, ObservationComponent, Practitioner, Procedure, Reference, Resource, ResearchStudy,
} from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { processBundle } from '../fhir/index.ts';
import { conflict, notFound } from '../fhir-kit/errors.ts';
import { withExtension } from '../fhir-kit/extensions.ts';
import { parisDay } from '../fhir-kit/french-dates.ts';
import { FINESS_SYSTEM, IDNPS_SYSTEM } from '../identity/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import {
  ASSERTED_DATE_EXTENSION, CASE_STATUS, CODE, EXT_ACTIVITY_KIND, FOLLOW_UP_KIND, DOCUMENT_STATUS, EXT_CORRECTION, EXT_DOCUMENT_STATUS, EXT_FILE_COMPLETE, EXT_PROPOSAL_INTENTION, EXT_QUORUM_STATUS,
  EXT_PROPOSAL_SEQUENCE, EXT_AUTHOR_SPECIALITY, EXT_RCP_MEETING, EXT_RCP_PARTICIPANT, ICD10, ICDO3, LATERALITY, LATERALITY_EXTENSION, MEETING_MODE, MORPHOLOGY_EXTENSION, MOTIF,
  NATURE, PARTICIPANT_FUNCTION, PHASE, QUORUM, R38_SPECIALTY, RCP_DECISION_CATEGORY, RCP_DECISION_PROFILE, RCP_EVENT, RCP_ID_SYSTEM,
  RCP_SESSION_ID_SYSTEM, RCP_SHEET_PROFILE, RCP_SHEET_TAG, RCP_SHEET_TYPE, RRC_ID_SYSTEM, SECTION, SNOMED, THREE_C_ID_SYSTEM,
  TNM_EDITION, TREATMENT_TYPE, WHO_PERFORMANCE, type ParticipantFunction, type SectionKey,
} from './codes.ts';
import type { CodedText, Professional, RcpReason, RcpSheetInput, ResearchStudyInput } from './input.ts';
import { isSurveillanceOnly, sectionNarrative, SURVEILLANCE_AFTER_TREATMENT } from './print.ts';
import { isRcpSheet, isSignedRcpSheet, readRcpSheet, resolverOf, type RcpSheetContent } from './read.ts';

import { parseRcpSheetInput, type RcpSheetData } from './input.ts';
import { loadRcpSheet } from './load.ts';
import { assessmentDate, endedVersion, entryIdentity, ownedEntriesOf, sameContent, type PreviousEntry } from './entries.ts';
import { withRecordedTrial } from './trials.ts';
export { parseRcpSheetInput, type RcpSheetInput, type RcpSheetData } from './input.ts';

export interface BuildOptions {
  /** Update of an existing sheet: the Composition is PUT at this id (with If-Match) instead of created. */
  compositionId?: string;
  ifMatch?: string;
  /** The version being replaced (keeps the sheet's identifier across versions). */
  previous?: Composition;
  /** A correction of a signed version: status amended, with its reason (rule: signed sheets are immutable). */
  correction?: { reason: string; corrects: string };
  /**
   * Sheet-owned entries of the version being replaced (current versions): the same items are updated
   * in place (same id), those the new version no longer holds are ended.
   */
  previousEntries?: PreviousEntry[];
  /** Resources the sheet references without building them (a recorded trial): read for the narratives. */
  referenced?: Resource[];
  now?: string;
}

/**
 * Builds the transaction Bundle that creates (or replaces) an RCP sheet: every entry resource as a
 * POST with a urn:uuid, then the Composition referencing them, with a generated French narrative
 * in each section. The Composition is the last entry.
 */
export function buildRcpSheet(input: RcpSheetInput, options: BuildOptions = {}): Bundle {
  const now = options.now ?? new Date().toISOString();
  const built = new EntryBuilder(input.patient, options.previousEntries);
  const sectionEntries = new Map<SectionKey, Reference[]>();
  const add = (key: SectionKey, resource: Resource | undefined): string | undefined => {
    if (!resource) return undefined;
    const ref = built.add(resource, true, key);
    sectionEntries.set(key, [...(sectionEntries.get(key) ?? []), { reference: ref }]);
    return ref;
  };

  if (input.reason) {
    add('reason', natureObservation(input.reason, built));
    add('reason', motifObservation(input.reason, built));
  }
  if (input.discovery) {
    add('discovery', built.observation(CODE.screening, { valueBoolean: input.discovery.byScreening }, undefined, input.discovery.comment));
  }

  // Diagnosis: a new Condition, or the record's existing one (then only referenced).
  let conditionRef: string | undefined;
  const d = input.diagnosis;
  if (d?.condition) {
    conditionRef = d.condition;
    sectionEntries.set('diagnosis', [{ reference: d.condition }]);
    if (d.comment) add('diagnosis', built.observation(CODE.diagnosisComment, { valueString: d.comment }));
  } else if (d && (d.morphology || d.topography || d.date)) {
    conditionRef = add('diagnosis', cancerCondition(input));
  }
  if (d?.tnm) {
    // Profile dcc-tnm-staging: stage group as the value, UICC edition as the method, cT/cN/cM as components.
    // Dated by when the stage was assessed (FRCP: effectiveTime of 75620-5; profile dcc-tnm-staging
    // requires it): the date given with the stage; else the previous version's date if the stage
    // is unchanged; else the day it is recorded or the meeting's if that came first (a sheet filed
    // after its meeting), the latest it can have been assessed. Never a meeting still to come: it
    // put the stage on a future day.
    const t = d.tnm;
    add('diagnosis', built.assessed('diagnosis', built.observation(CODE.tnm, {
      valueCodeableConcept: { text: t.stage },
      method: { coding: [TNM_EDITION[t.edition]], text: TNM_EDITION[t.edition].display },
      component: [textComponent(CODE.tnmT, t.t), textComponent(CODE.tnmN, t.n), textComponent(CODE.tnmM, t.m)],
      ...(conditionRef ? { focus: [{ reference: conditionRef }] } : {}),
    }), t.date, assessmentDay(now, input.meeting.date)));
  }
  if (d?.otherStaging) {
    const o = d.otherStaging;
    add('diagnosis', built.observation(CODE.otherStaging, {
      valueCodeableConcept: { text: o.stage },
      component: [{ code: { coding: [CODE.stagingName] }, valueString: o.name }, ...(o.version ? [{ code: { coding: [CODE.stagingVersion] }, valueString: o.version }] : [])],
      ...(conditionRef ? { focus: [{ reference: conditionRef }] } : {}),
    }, d.date));
  }

  for (const h of input.history ?? []) add('history', built.observation(CODE.history, { valueString: h.text }, h.date));
  for (const h of input.comorbidities ?? []) add('comorbidities', built.observation(CODE.comorbidity, { valueString: h.text }, h.date));
  if (input.performanceStatus) {
    const who = WHO_PERFORMANCE[input.performanceStatus.who];
    add('performance', built.observation({ coding: [CODE.performance, CODE.ecog], text: 'Indice de performance OMS' }, {
      valueCodeableConcept: { coding: [who.asip], text: `OMS ${input.performanceStatus.who} — ${who.text}` },
    }, input.performanceStatus.date));
  }
  if (input.geriatricScreening) {
    const g = input.geriatricScreening;
    add('geriatric', built.observation({ coding: [CODE.geriatric], text: 'Dépistage de la fragilité gériatrique' }, {
      valueInteger: g.score, method: { text: g.tool }, ...(g.interpretation ? { interpretation: [{ text: g.interpretation }] } : {}),
    }, g.date));
  }
  if (input.pain) {
    const p = input.pain;
    add('pain', built.observation(CODE.pain, p.score !== undefined ? { valueInteger: p.score } : { valueString: p.description }, p.date,
      p.score !== undefined ? p.description : undefined));
  }
  for (const e of input.examResults ?? []) add('exams', built.observation({ coding: [CODE.examResult], text: e.exam }, { valueString: e.result }, e.date));
  if (input.phase) {
    const p = input.phase;
    add('phase', built.observation(CODE.phase, { valueCodeableConcept: { coding: [PHASE[p.phase]] } }, p.date, p.comment));
    if (p.progression) {
      const g = p.progression;
      add('phase', built.observation(CODE.progression, {
        valueBoolean: g.local || g.regional || g.distant,
        component: [
          { code: { coding: [CODE.progressionLocal] }, valueBoolean: g.local },
          { code: { coding: [CODE.progressionRegional] }, valueBoolean: g.regional },
          { code: { coding: [CODE.progressionDistant] }, valueBoolean: g.distant },
        ],
      }, p.date));
    }
  }
  for (const t of input.treatmentsSoFar ?? []) {
    const procedure: Procedure = {
      resourceType: 'Procedure',
      status: t.status,
      code: { coding: [TREATMENT_TYPE[t.type]], text: t.description ?? TREATMENT_TYPE[t.type].display },
      subject: { reference: input.patient },
      ...(t.start || t.end ? { performedPeriod: { ...(t.start ? { start: t.start } : {}), ...(t.end ? { end: t.end } : {}) } } : {}),
    };
    add('treatments', procedure);
  }
  for (const r of input.otherReports ?? []) {
    add(r.kind, built.observation(CODE[r.kind], { valueString: r.conclusion, ...(r.author ? { performer: [{ display: r.author }] } : {}) }, r.date));
  }
  if (input.summary) add('summary', built.observation(CODE.summary, { valueString: input.summary }));
  if (input.question) add('summary', built.observation(CODE.question, { valueString: input.question }));
  if (input.otherData) add('summary', built.observation(CODE.otherData, { valueString: input.otherData }));
  if (input.fileStatus) {
    const f = input.fileStatus;
    add('fileStatus', built.observation(CODE.fileStatus, {
      component: [
        { code: { coding: [CODE.fileComplete] }, valueBoolean: f.complete },
        { code: { coding: [CODE.quorum] }, valueCodeableConcept: { coding: [QUORUM[f.quorum]] } },
      ],
    }, undefined, f.comment));
  }
  if (input.proposal) add('proposal', decisionCarePlan(input, conditionRef, now));
  if (input.basis) {
    const b = input.basis;
    if (b.guideline || b.followsGuideline !== undefined) {
      add('basis', built.observation(CODE.guideline, {
        ...(b.guideline ? { valueString: b.guideline.name } : {}),
        component: [
          ...(b.guideline?.version ? [{ code: { coding: [CODE.guidelineVersion] }, valueString: b.guideline.version }] : []),
          ...(b.followsGuideline !== undefined ? [{ code: { coding: [CODE.guidelineConformity] }, valueBoolean: b.followsGuideline }] : []),
        ],
      }, b.guideline?.date, b.deviationReason));
    }
    let studyRef: string | undefined;
    const study = b.clinicalTrial.study;
    if (typeof study === 'string') studyRef = study;
    else if (study) studyRef = built.add(researchStudy(study), false);
    if (studyRef) sectionEntries.set('basis', [...(sectionEntries.get('basis') ?? []), { reference: studyRef }]);
    add('basis', built.observation(CODE.trial, {
      valueBoolean: b.clinicalTrial.proposed,
      ...(studyRef ? { focus: [{ reference: studyRef }] } : {}),
    }, undefined, [b.clinicalTrial.comment, b.comment].filter(Boolean).join('\n') || undefined));
  }
  if (input.patientComment) add('patientComment', built.observation(CODE.patientComment, { valueString: input.patientComment }));

  const composition = compositionOf(input, sectionEntries, options, now);
  // Narratives come from reading the built resources back: what is printed is what is stored.
  const content = readRcpSheet(composition, resolverOf([...(options.referenced ?? []).map((resource) => ({ resource })), ...built.resources()]));
  fillNarratives(composition.section ?? [], content);

  const entry: BundleEntry[] = [
    ...built.entries(),
    options.compositionId
      ? { fullUrl: `urn:uuid:${randomUUID()}`, resource: composition, request: { method: 'PUT', url: `Composition/${options.compositionId}`, ...(options.ifMatch ? { ifMatch: `W/"${options.ifMatch}"` } : {}) } }
      : { fullUrl: `urn:uuid:${randomUUID()}`, resource: composition, request: { method: 'POST', url: 'Composition' } },
  ];
  return { resourceType: 'Bundle', type: 'transaction', entry };
}

export interface SaveLimits {
  defaultCount: number;
  maxCount: number;
}
const DEFAULT_LIMITS: SaveLimits = { defaultCount: 20, maxCount: 200 };

/**
 * Creates an RCP sheet (all its resources in one transaction); returns the stored Composition.
 * `now`: the caller's clock (the RCP workflow's), else the real one — the sheet and its decision are
 * dated when the step happened, not when a seeder or a replay ran.
 */
export async function createRcpSheet(repo: FhirRepository, ctx: RequestContext, input: RcpSheetInput, limits: SaveLimits = DEFAULT_LIMITS, options: { now?: string } = {}): Promise<Composition> {
  return repo.transaction(async (tx) => {
    // Typed callers get the same checks as the HTTP API (400 naming each malformed item).
    const { input: checked, study } = await withRecordedTrial(tx, parseRcpSheetInput(input));
    const bundle = buildRcpSheet(checked, { ...(study ? { referenced: [study] } : {}), ...(options.now ? { now: options.now } : {}) });
    const response = await processBundle(tx, ctx, bundle, { ...limits, strict: true });
    return response.entry!.at(-1)!.resource as Composition;
  });
}

/**
 * Saves a new version of a sheet from its full content, in one transaction: its entries are updated
 * in place (same ids; a version only where the content changed), those it no longer holds are ended.
 * A signed sheet can only be corrected (`correctionReason`): the new version is an unsigned draft
 * carrying the reason, to be signed again; the signed version keeps the entry versions it pinned.
 * `input` is checked here against the stored version (400 naming each malformed item): a caller
 * need not check it first, and one that did without the stored version would refuse what the
 * stored version already held (a legacy TNM).
 */
export async function updateRcpSheet(
  repo: FhirRepository, ctx: RequestContext, compositionId: string, input: RcpSheetData,
  options: { ifMatch?: string; correctionReason?: string; now?: string } = {}, limits: SaveLimits = DEFAULT_LIMITS,
): Promise<Composition> {
  return repo.transaction(async (tx) => {
    const previous = await tx.read<Composition>('Composition', compositionId);
    if (!isRcpSheet(previous)) throw notFound(`Composition/${compositionId} n'est pas une fiche RCP`);
    const version = previous.meta?.versionId ?? '1';
    const signed = isSignedRcpSheet(previous);
    if (signed && !options.correctionReason) {
      throw conflict(`La fiche RCP Composition/${compositionId} est signée (version ${version}) : elle ne peut plus être modifiée. Pour la corriger, indiquez le motif de la correction (correctionReason) ; la nouvelle version devra être signée à nouveau.`);
    }
    // A correction names the signed version it corrects; a correction draft saved again stays one.
    const pending = correctionOf(previous);
    const correction = signed
      ? { reason: options.correctionReason!, corrects: `Composition/${compositionId}/_history/${version}` }
      : pending ? { reason: options.correctionReason ?? pending.reason, corrects: pending.corrects } : undefined;
    const previousEntries = await ownedEntriesOf(tx, previous);
    // The stored content, from the entries just read (no second load): what the save may keep as is.
    const stored = readRcpSheet(previous, resolverOf(previousEntries.map(({ resource }) => ({ resource })))).data;
    const { input: checked, study } = await withRecordedTrial(tx, parseRcpSheetInput(input, { stored }));
    const bundle = buildRcpSheet(checked, {
      compositionId, ifMatch: options.ifMatch ?? version, previous, correction, previousEntries, ...(study ? { referenced: [study] } : {}),
      ...(options.now ? { now: options.now } : {}),
    });
    const response = await processBundle(tx, ctx, bundle, { ...limits, strict: true });
    return response.entry!.at(-1)!.resource as Composition;
  });
}

/**
 * Changes some items of a sheet (top-level keys of the input: e.g. `participants`, `fileStatus`,
 * `proposal`, `basis` after the session) and saves the result as a new version — the way the RCP
 * workflow completes a sheet without resending it whole.
 */
export async function patchRcpSheet(
  repo: FhirRepository, ctx: RequestContext, compositionId: string, patch: Partial<RcpSheetInput>,
  options: { ifMatch?: string; correctionReason?: string } = {}, limits: SaveLimits = DEFAULT_LIMITS,
): Promise<Composition> {
  return repo.transaction(async (tx) => {
    const loaded = await loadRcpSheet(tx, ctx, compositionId);
    // Checked by updateRcpSheet against the stored version: an item left as stored passes.
    return updateRcpSheet(tx, ctx, compositionId, { ...rcpSheetInputOf(loaded.content), ...patch }, { ...options, ifMatch: options.ifMatch ?? loaded.composition.meta?.versionId }, limits);
  });
}

/** A stored sheet as input again (round trip): a referenced diagnosis stays a reference, with the sheet's own comment. */
export function rcpSheetInputOf(content: RcpSheetContent): RcpSheetData {
  const data = clinicalDatesAsInput(structuredClone(content.data));
  if (data.diagnosis?.condition) {
    delete data.diagnosis.morphology;
    delete data.diagnosis.topography;
    delete data.diagnosis.laterality;
  }
  return data;
}

/** The correction a version carries (reason and the signed version it corrects), if any. */
export function correctionOf(composition: Composition): { reason: string; corrects: string } | undefined {
  const ext = composition.extension?.find((e) => e.url === EXT_CORRECTION);
  const reason = ext?.extension?.find((e) => e.url === 'reason')?.valueString;
  const corrects = ext?.extension?.find((e) => e.url === 'corrects')?.valueReference?.reference;
  return reason ? { reason, corrects: corrects ?? '' } : undefined;
}

/**
 * The correction draft of a signed version: same content, back to `preliminary` without the legal
 * attestation (it must be signed again, and is then `amended`), with the correction extension naming
 * the reason and the corrected version.
 */
export function asCorrection(signed: Composition, reason: string, now = new Date().toISOString()): Composition {
  const { attester: _attesters, ...rest } = signed;
  // The legal attestation goes; other attesters stay. No attester left: no element (FHIR JSON has no empty arrays).
  const attester = (signed.attester ?? []).filter((a) => a.mode !== 'legal');
  return withExtension({
    ...rest,
    status: 'preliminary',
    date: now,
    ...(attester.length ? { attester } : {}),
  }, EXT_CORRECTION, correctionExtension(reason, `Composition/${signed.id}/_history/${signed.meta?.versionId}`, now));
}

function correctionExtension(reason: string, corrects: string, now: string): Extension {
  return {
    url: EXT_CORRECTION,
    extension: [
      { url: 'reason', valueString: reason },
      { url: 'corrects', valueReference: { reference: corrects } },
      { url: 'date', valueDateTime: now },
    ],
  };
}

// ---------------------------------------------------------------------------------------------
// Entry resources
// ---------------------------------------------------------------------------------------------

class EntryBuilder {
  private readonly list: { fullUrl: string; resource: Resource; request?: BundleEntry['request'] }[] = [];
  /** Previous entries not yet matched, by identity (section, type, code), in document order. */
  private readonly previous = new Map<string, Resource[]>();

  constructor(private readonly patient: string, previous: PreviousEntry[] = []) {
    for (const p of previous) {
      const key = entryIdentity(p.section, p.resource);
      this.previous.set(key, [...(this.previous.get(key) ?? []), p.resource]);
    }
  }

  /**
   * Adds an entry; returns the reference other entries use. Sheet-owned resources are tagged; one
   * matching an entry of the previous version (same identity, same position) is that resource
   * updated in place — or left as it is when nothing changed — instead of a new one.
   */
  add(resource: Resource, owned = true, section?: SectionKey): string {
    const tagged = owned ? { ...resource, meta: { ...resource.meta, tag: [...(resource.meta?.tag ?? []), RCP_SHEET_TAG] } } : resource;
    const before = owned && section ? this.previous.get(entryIdentity(section, tagged))?.shift() : undefined;
    if (!before) {
      const fullUrl = `urn:uuid:${randomUUID()}`;
      this.list.push({ fullUrl, resource: tagged, request: { method: 'POST', url: tagged.resourceType } });
      return fullUrl;
    }
    const fullUrl = `${before.resourceType}/${before.id}`;
    const next = continued(before, { ...tagged, id: before.id });
    if (sameContent(before, next)) this.list.push({ fullUrl, resource: before });
    else this.list.push({ fullUrl, resource: next, request: { method: 'PUT', url: fullUrl } });
    return fullUrl;
  }

  /**
   * An assessment dated as `assessmentDate` says, from the entry of the previous version it updates
   * (the next one of its identity, the one `add` will take).
   */
  assessed(section: SectionKey, observation: Observation, given: string | undefined, fallback: string | undefined): Observation {
    const { effectiveDateTime: _undated, ...next } = observation;
    const before = this.previous.get(entryIdentity(section, observation))?.[0] as Observation | undefined;
    const date = assessmentDate(given, next, before, fallback);
    return date ? { ...next, effectiveDateTime: date } : next;
  }

  /** The previous entries the new version does not hold: ended (a new version), never deleted. */
  private endedEntries(): BundleEntry[] {
    return [...this.previous.values()].flat().flatMap((resource): BundleEntry[] => {
      const ended = endedVersion(resource);
      return ended ? [{ fullUrl: `${resource.resourceType}/${resource.id}`, resource: ended, request: { method: 'PUT', url: `${resource.resourceType}/${resource.id}` } }] : [];
    });
  }

  observation(code: CodeableConcept | { system?: string; code?: string; display?: string }, value: Partial<Observation>, date?: string, note?: string): Observation {
    const concept: CodeableConcept = 'coding' in code || 'text' in code ? (code as CodeableConcept) : { coding: [code as never] };
    return {
      resourceType: 'Observation',
      status: 'final',
      code: concept,
      subject: { reference: this.patient },
      ...(date ? { effectiveDateTime: date } : {}),
      ...value,
      ...(note ? { note: [{ text: note }] } : {}),
    };
  }

  resources(): { fullUrl: string; resource: Resource }[] {
    return this.list;
  }

  entries(): BundleEntry[] {
    const written = this.list.filter((e) => e.request).map(({ fullUrl, resource, request }): BundleEntry => ({ fullUrl, resource, request }));
    return [...written, ...this.endedEntries()];
  }
}

/**
 * The next version of an entry from the previous one: a decision keeps the date it was made, and a
 * decision in force (signed) that changes is on hold until the correction is signed — an unsigned
 * correction is not yet the RCP's proposal.
 */
function continued(before: Resource, next: Resource): Resource {
  if (before.resourceType !== 'CarePlan' || next.resourceType !== 'CarePlan') return next;
  const was = before as CarePlan;
  const plan = { ...(next as CarePlan), ...(was.created ? { created: was.created } : {}), status: was.status };
  if (sameContent(was, plan)) return plan;
  return { ...plan, status: was.status === 'active' || was.status === 'on-hold' ? 'on-hold' : 'draft' };
}

/**
 * The day an undated new assessment is dated on: the day it is recorded, or the meeting's if that
 * came first — the latest it can have been assessed (the meeting discusses what was assessed before it).
 */
function assessmentDay(now: string, meetingDate: string): string {
  return [dayInParis(now), dayInParis(meetingDate)].sort()[0]!;
}

/**
 * The calendar day of a date or date-time as read in France (the meeting's day, as input.ts
 * `meetingDay` checks it): a meeting opened at 23:30 UTC is held the next day in Paris, and the UTC
 * date put the day before on the decision's title and on an undated assessment.
 */
function dayInParis(value: string): string {
  return value.includes('T') && !Number.isNaN(Date.parse(value)) ? parisDay(new Date(value)) : value.slice(0, 10);
}

function codeable(value: CodedText | undefined, defaultSystem: string): CodeableConcept | undefined {
  if (!value) return undefined;
  return value.code ? { coding: [{ system: value.system ?? defaultSystem, code: value.code, display: value.display }], text: value.display } : { text: value.display };
}

function textComponent(code: { system?: string; code?: string; display?: string }, text: string): ObservationComponent {
  return { code: { coding: [code] }, valueCodeableConcept: { text } };
}

function natureObservation(r: RcpReason, built: EntryBuilder): Observation {
  const component: ObservationComponent[] = [];
  const organSystem = codeable(r.organSystem, SNOMED);
  const organ = codeable(r.organ, SNOMED);
  const transversal = codeable(r.transversalType, SNOMED);
  if (organSystem) component.push({ code: { coding: [CODE.organSystem] }, valueCodeableConcept: organSystem });
  if (organ) component.push({ code: { coding: [CODE.organ] }, valueCodeableConcept: organ });
  if (transversal) component.push({ code: { coding: [CODE.transversalType] }, valueCodeableConcept: transversal });
  component.push({ code: { coding: [CODE.recours] }, valueBoolean: r.recours }, { code: { coding: [CODE.paediatric] }, valueBoolean: r.paediatric });
  return built.observation(CODE.nature, { valueCodeableConcept: { coding: [NATURE[r.nature]] }, component }, undefined, r.comment);
}

function motifObservation(r: RcpReason, built: EntryBuilder): Observation {
  return built.observation(CODE.motif, {
    component: [
      ...r.motifs.map((m): ObservationComponent => ({ code: { coding: [MOTIF[m]] }, valueBoolean: true })),
      ...(r.caseStatus ? [{ code: { coding: [CODE.caseStatus] }, valueCodeableConcept: { coding: [CASE_STATUS[r.caseStatus]] } }] : []),
    ],
  });
}

function cancerCondition(input: RcpSheetInput): Condition {
  const d = input.diagnosis!;
  const morphology = codeable(d.morphology, ICDO3);
  const topography = codeable(d.topography, ICD10);
  return {
    resourceType: 'Condition',
    extension: [
      ...(morphology ? [{ url: MORPHOLOGY_EXTENSION, valueCodeableConcept: morphology }] : []),
      ...(d.date ? [{ url: ASSERTED_DATE_EXTENSION, valueDateTime: d.date }] : []),
    ],
    clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
    verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
    category: [{ coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-category', code: 'problem-list-item' }] }],
    ...(topography ? { code: topography } : { code: { text: morphology?.text ?? 'Cancer' } }),
    ...(d.laterality || topography ? {
      bodySite: [{
        ...(d.laterality ? { extension: [{ url: LATERALITY_EXTENSION, valueCodeableConcept: { coding: [LATERALITY[d.laterality]] } }] } : {}),
        text: topography?.text ?? 'Site tumoral',
      }],
    } : {}),
    subject: { reference: input.patient },
    ...(d.date ? { onsetDateTime: d.date } : {}),
    ...(d.comment ? { note: [{ text: d.comment }] } : {}),
  };
}

function decisionCarePlan(input: RcpSheetInput, conditionRef: string | undefined, now: string): CarePlan {
  const p = input.proposal!;
  const activity: CarePlanActivity[] = [];
  for (const t of [...(p.treatments ?? [])].sort((a, b) => a.intention - b.intention || a.sequence - b.sequence)) {
    activity.push({
      extension: [{ url: EXT_PROPOSAL_INTENTION, valuePositiveInt: t.intention }, { url: EXT_PROPOSAL_SEQUENCE, valuePositiveInt: t.sequence }],
      detail: {
        code: { coding: [TREATMENT_TYPE[t.type]], text: TREATMENT_TYPE[t.type].display },
        status: 'not-started',
        ...(t.detail ? { description: t.detail } : {}),
        ...(t.start || t.end ? { scheduledPeriod: { ...(t.start ? { start: t.start } : {}), ...(t.end ? { end: t.end } : {}) } } : {}),
      },
    });
  }
  // Every activity carries a rank and a sequence (profile dcc-rcp-decision): exams, surveillance and
  // referral belong to the first-intention proposal, after its treatments.
  let sequence = Math.max(0, ...(p.treatments ?? []).filter((t) => t.intention === 1).map((t) => t.sequence));
  const firstIntention = () => [{ url: EXT_PROPOSAL_INTENTION, valuePositiveInt: 1 }, { url: EXT_PROPOSAL_SEQUENCE, valuePositiveInt: ++sequence }];
  for (const e of p.exams ?? []) {
    activity.push({
      extension: firstIntention(),
      detail: {
        code: { coding: [CODE.exam], text: e.description },
        status: 'not-started',
        description: e.description,
        ...(e.earliest || e.latest ? { scheduledPeriod: { ...(e.earliest ? { start: e.earliest } : {}), ...(e.latest ? { end: e.latest } : {}) } } : {}),
      },
    });
  }
  if (p.surveillance) {
    // "Surveillance seule" (MED-226) only when no treatment is proposed first: a surveillance after a
    // treatment is a follow-up request (ORG-064, rubric Suivi), so no reader of the record sees the
    // opposite of the decision.
    const alone = isSurveillanceOnly(p);
    activity.push({
      extension: [...firstIntention(), ...(alone ? [] : [{ url: EXT_ACTIVITY_KIND, valueCoding: FOLLOW_UP_KIND }])],
      detail: {
        code: alone ? { coding: [CODE.surveillance] } : { coding: [CODE.exam], text: SURVEILLANCE_AFTER_TREATMENT },
        status: 'not-started',
        ...(p.surveillance.description ? { description: p.surveillance.description } : {}),
      },
    });
  }
  if (p.recoursReferral) activity.push({ extension: firstIntention(), detail: { code: { coding: [CODE.recoursReferral] }, status: 'not-started', ...(p.recoursReferral.description ? { description: p.recoursReferral.description } : {}) } });
  return {
    resourceType: 'CarePlan',
    meta: { profile: [RCP_DECISION_PROFILE] },
    // Draft until the sheet is signed; the signature makes the decision active.
    status: 'draft',
    intent: 'proposal',
    category: [{ coding: [RCP_DECISION_CATEGORY] }],
    title: `Proposition de la ${input.meeting.rcpName} du ${dayInParis(input.meeting.date).split('-').reverse().join('/')}`,
    subject: { reference: input.patient },
    created: now,
    author: professionalReference(input.author),
    ...(conditionRef ? { addresses: [{ reference: conditionRef }] } : {}),
    ...(activity.length ? { activity } : {}),
    ...(p.comment ? { note: [{ text: p.comment }] } : {}),
  };
}

function researchStudy(s: ResearchStudyInput): ResearchStudy {
  return {
    resourceType: 'ResearchStudy',
    status: 'active',
    title: s.title,
    ...(s.identifier ? { identifier: [{ ...(s.identifier.system ? { system: s.identifier.system } : {}), value: s.identifier.value }] } : {}),
    ...(s.phase ? { phase: { text: s.phase } } : {}),
    ...(s.sponsor ? { sponsor: { display: s.sponsor } } : {}),
    ...(s.description ? { description: s.description } : {}),
  };
}

// ---------------------------------------------------------------------------------------------
// Composition
// ---------------------------------------------------------------------------------------------

export function professionalReference(p: Professional): Reference<Practitioner> {
  return {
    ...(p.practitioner ? { reference: p.practitioner } : {}),
    ...(p.idnps ? { identifier: { system: IDNPS_SYSTEM, value: p.idnps } } : {}),
    display: p.name,
  };
}

/**
 * The sheet's author with their speciality: a plain reference lost it, and the printed report showed
 * « Médecin coordonnateur (auteur) » without speciality whenever the author was not also a participant.
 */
function authorReference(p: Professional): Reference<Practitioner> {
  const s = p.speciality;
  return {
    ...professionalReference(p),
    ...(s?.display || s?.code ? { extension: [{ url: EXT_AUTHOR_SPECIALITY, valueCoding: { system: s.system ?? R38_SPECIALTY, ...(s.code ? { code: s.code } : {}), ...(s.display ? { display: s.display } : {}) } }] } : {}),
  };
}

function participantExtension(fn: ParticipantFunction, p: Professional | { unknown: true; comment?: string }, inQuorum?: boolean): Extension {
  const sub: Extension[] = [{ url: 'function', valueCoding: PARTICIPANT_FUNCTION[fn] }];
  if ('unknown' in p) {
    sub.push({ url: 'unknown', valueBoolean: true });
    if (p.comment) sub.push({ url: 'comment', valueString: p.comment });
  } else {
    sub.push({ url: 'practitioner', valueReference: professionalReference(p) });
    if (p.speciality) sub.push({ url: 'speciality', valueCoding: { system: p.speciality.system ?? R38_SPECIALTY, ...(p.speciality.code ? { code: p.speciality.code } : {}), display: p.speciality.display } });
    if (p.organization) sub.push({ url: 'organization', valueString: p.organization });
    if (inQuorum !== undefined) sub.push({ url: 'inQuorum', valueBoolean: inQuorum });
  }
  return { url: EXT_RCP_PARTICIPANT, extension: sub };
}

function meetingExtension(input: RcpSheetInput): Extension {
  const m = input.meeting;
  const id = (system: string, value?: string): Identifier | undefined => (value ? { system, value } : undefined);
  const sub: Extension[] = [
    { url: 'rcp', valueReference: { ...(m.board ? { reference: m.board } : {}), ...(m.rcpId ? { identifier: id(RCP_ID_SYSTEM, m.rcpId) } : {}), display: m.rcpName } },
  ];
  if (m.rrcId) sub.push({ url: 'rrc', valueIdentifier: id(RRC_ID_SYSTEM, m.rrcId) });
  if (m.threeCId) sub.push({ url: 'threeC', valueIdentifier: id(THREE_C_ID_SYSTEM, m.threeCId) });
  if (m.session || m.sessionId) sub.push({ url: 'session', valueReference: { ...(m.session ? { reference: m.session } : {}), ...(m.sessionId ? { identifier: id(RCP_SESSION_ID_SYSTEM, m.sessionId) } : {}) } });
  if (m.registrationNumber) sub.push({ url: 'registrationNumber', valueString: m.registrationNumber });
  if (m.hostEstablishment) {
    const h = m.hostEstablishment;
    sub.push({ url: 'hostEstablishment', valueReference: { ...(h.organization ? { reference: h.organization } : {}), identifier: { system: FINESS_SYSTEM, value: h.finess }, display: h.name } });
  }
  if (m.mode) sub.push({ url: 'mode', valueCoding: MEETING_MODE[m.mode] });
  return { url: EXT_RCP_MEETING, extension: sub };
}

/** Sections the FRCP requires: always present (empty with a reason when not yet filled). */
const REQUIRED_SECTIONS: SectionKey[] = ['reason', 'discovery', 'diagnosis', 'phase', 'summary', 'fileStatus', 'proposal', 'basis', 'documentStatus'];
const SECTION_ORDER: SectionKey[] = [
  'reason', 'discovery', 'diagnosis', 'history', 'comorbidities', 'functionalStatus', 'exams', 'phase', 'treatments',
  'operative', 'pathology', 'molecular', 'summary', 'fileStatus', 'proposal', 'basis', 'patientComment', 'documentStatus',
];

function compositionOf(input: RcpSheetInput, entries: Map<SectionKey, Reference[]>, options: BuildOptions, now: string): Composition {
  const section = (key: SectionKey, sub?: CompositionSection[]): CompositionSection | undefined => {
    const refs = entries.get(key);
    if (!refs?.length && !sub?.length && !REQUIRED_SECTIONS.includes(key)) return undefined;
    return {
      title: SECTION[key].title,
      code: { coding: [{ system: 'http://loinc.org', code: SECTION[key].code, display: SECTION[key].title }] },
      ...(refs?.length ? { entry: refs } : {}),
      ...(sub?.length ? { section: sub } : {}),
    };
  };
  const sections = SECTION_ORDER.map((key) => {
    if (key === 'functionalStatus') {
      const sub = (['performance', 'geriatric', 'pain'] as SectionKey[]).map((k) => section(k)).filter((s): s is CompositionSection => Boolean(s));
      return sub.length ? section(key, sub) : undefined;
    }
    return section(key);
  }).filter((s): s is CompositionSection => Boolean(s));

  const extension: Extension[] = [meetingExtension(input)];
  if (input.coordinator) extension.push(participantExtension('coordinator', input.coordinator));
  if (input.requester) extension.push(participantExtension('requester', input.requester));
  if (input.presenter) extension.push(participantExtension('presenter', input.presenter));
  if (input.generalPractitioner) extension.push(participantExtension('general-practitioner', input.generalPractitioner));
  for (const p of input.participants ?? []) extension.push(participantExtension('member', p, p.inQuorum));
  const status = input.documentStatus ?? 'in-progress';
  extension.push({ url: EXT_DOCUMENT_STATUS, valueCoding: DOCUMENT_STATUS[status] });
  if (input.fileStatus) {
    extension.push({ url: EXT_QUORUM_STATUS, valueCoding: QUORUM[input.fileStatus.quorum] });
    extension.push({ url: EXT_FILE_COMPLETE, valueBoolean: input.fileStatus.complete });
  }
  if (options.correction) extension.push(correctionExtension(options.correction.reason, options.correction.corrects, now));

  const previous = options.previous;
  return {
    resourceType: 'Composition',
    ...(options.compositionId ? { id: options.compositionId } : {}),
    meta: { profile: [RCP_SHEET_PROFILE] },
    extension,
    // Version-independent identifier of the sheet (the CDA setId): kept by every version.
    identifier: previous?.identifier ?? { system: 'urn:ietf:rfc:3986', value: `urn:uuid:${randomUUID()}` },
    // Unsigned, even as a correction (profile dcc-rcp-sheet: final/amended only with the legal attestation).
    status: 'preliminary',
    type: { coding: [RCP_SHEET_TYPE], text: 'Fiche RCP' },
    subject: { reference: input.patient },
    date: now,
    author: [authorReference(input.author)],
    title: `Fiche RCP — ${input.meeting.rcpName}`,
    confidentiality: 'N',
    ...(input.meeting.hostEstablishment?.organization ? { custodian: { reference: input.meeting.hostEstablishment.organization, display: input.meeting.hostEstablishment.name } } : {}),
    event: [{
      code: [{ coding: [RCP_EVENT] }],
      period: { start: input.meeting.date },
      ...(input.meeting.board || input.meeting.session
        ? { detail: [...(input.meeting.board ? [{ reference: input.meeting.board }] : []), ...(input.meeting.session ? [{ reference: input.meeting.session }] : [])] }
        : {}),
    }],
    section: sections,
  };
}

/** Writes each section's narrative (and the empty reason of required sections not filled yet). */
export function fillNarratives(sections: CompositionSection[], content: ReturnType<typeof readRcpSheet>): void {
  for (const s of sections) {
    const key = sectionKeyOf(s);
    if (s.section?.length) fillNarratives(s.section, content);
    const div = key ? sectionNarrative(key, content) : undefined;
    if (div) s.text = { status: 'generated', div };
    else s.text = { status: 'generated', div: '<div xmlns="http://www.w3.org/1999/xhtml"><p>Non renseigné</p></div>' };
    if (!s.entry?.length && !s.section?.length && key !== 'documentStatus' && !div) {
      s.emptyReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/list-empty-reason', code: 'notstarted', display: 'Not Started' }] };
    } else delete s.emptyReason;
  }
}

export function sectionKeyOf(section: CompositionSection): SectionKey | undefined {
  const code = section.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code;
  return (Object.keys(SECTION) as SectionKey[]).find((k) => SECTION[k].code === code);
}


const CLINICAL_DATE_KEYS = new Set(['date', 'start', 'end', 'earliest', 'latest']);

/**
 * Clinical dates read back from dateTime elements (Observation.effective…, written by another path
 * with a time) where the sheet's input wants a date: without this, a PATCH of such a sheet is refused
 * for a field the physician never touched. The meeting's own date-times are left as they are.
 */
export function clinicalDatesAsInput<T>(data: T): T {
  const walk = (value: unknown): void => {
    if (Array.isArray(value)) value.forEach(walk);
    else if (value && typeof value === 'object') {
      for (const [k, v] of Object.entries(value)) {
        if (k === 'meeting') continue;
        if (typeof v === 'string' && CLINICAL_DATE_KEYS.has(k) && /^\d{4}-\d{2}-\d{2}T/.test(v)) (value as Record<string, unknown>)[k] = v.slice(0, 10);
        else walk(v);
      }
    }
  };
  walk(data);
  return data;
}
