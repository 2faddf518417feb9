/**
 * Reads an RCP sheet back from its Composition and the resources it references, into the same
 * shape as the input (every item optional: a stored sheet may be incomplete). The narrative, the
 * printed sheet and the completeness check all work from this one reading.
 */
import type {
  CarePlan, CodeableConcept, Coding, Composition, CompositionSection, Condition, Extension, Observation, Patient, Procedure,
  Reference, Resource, ResearchStudy,
} from '@medplum/fhirtypes';
import { FINESS_SYSTEM, IDNPS_SYSTEM } from '../identity/index.ts';
import {
  ASSERTED_DATE_EXTENSION, CASE_STATUS, CODE, DOCUMENT_STATUS, EXT_ACTIVITY_KIND, EXT_CORRECTION, FOLLOW_UP_KIND, EXT_DOCUMENT_STATUS, EXT_PROPOSAL_INTENTION,
  EXT_PROPOSAL_SEQUENCE, EXT_AUTHOR_SPECIALITY, EXT_RCP_MEETING, EXT_RCP_PARTICIPANT, hasCoding, keyOf, LATERALITY, LATERALITY_EXTENSION, LOINC,
  MEETING_MODE, MORPHOLOGY_EXTENSION, MOTIF, NATURE, PHASE, QUORUM, RCP_ID_SYSTEM, RCP_SESSION_ID_SYSTEM, RCP_SHEET_TYPE,
  RRC_ID_SYSTEM, THREE_C_ID_SYSTEM, TNM_EDITION, TREATMENT_TYPE, WHO_PERFORMANCE, type TreatmentType, type WhoPerformance,
} from './codes.ts';
import type { CodedText, DeepPartial, Professional, RcpSheetData, ResearchStudyInput } from './input.ts';
import { parseReference } from '../fhir-kit/ids.ts';

export interface RcpSheetContent {
  data: RcpSheetData;
  composition: Composition;
  patient?: Patient;
  /** The legal attestation (signature) of this version, if signed. */
  signature?: { party: Reference; time?: string };
  correction?: { reason?: string; corrects?: string; date?: string };
  /** The clinical trial proposed, when it is a stored ResearchStudy. */
  study?: ResearchStudy;
  /** References of section entries that could not be read. */
  unresolved: string[];
}

export type Resolver = (reference: string) => Resource | undefined;

export function isRcpSheet(resource: Resource | undefined): resource is Composition {
  return resource?.resourceType === 'Composition' && hasCoding(resource.type?.coding, RCP_SHEET_TYPE);
}

/** Signed = final (or amended after a correction) with a legal attestation (the signer and time). */
export function isSignedRcpSheet(resource: Resource | undefined): boolean {
  return isRcpSheet(resource) && (resource.status === 'final' || resource.status === 'amended') && Boolean(resource.attester?.some((a) => a.mode === 'legal'));
}

/** `https://x/fhir/Observation/1/_history/2` → `Observation/1/_history/2`; urn:uuid kept. */
export function referenceKey(reference: string): string {
  const target = reference.startsWith('urn:') ? undefined : parseReference(reference);
  return target ? `${target.type}/${target.id}${target.version === undefined ? '' : `/_history/${target.version}`}` : reference;
}

/** Resolves references among a set of resources (a Bundle's entries, or what a loader read). */
export function resolverOf(items: { fullUrl?: string; resource?: Resource }[]): Resolver {
  const map = new Map<string, Resource>();
  for (const { fullUrl, resource } of items) {
    if (!resource) continue;
    if (fullUrl) map.set(referenceKey(fullUrl), resource);
    if (resource.id) {
      // The unversioned reference is the current version: an older one read for a pinned reference
      // (a signed version corrected since) must not stand for it.
      const key = `${resource.resourceType}/${resource.id}`;
      const known = map.get(key);
      if (!known || Number(known.meta?.versionId ?? 0) <= Number(resource.meta?.versionId ?? 0)) map.set(key, resource);
      if (resource.meta?.versionId) map.set(`${resource.resourceType}/${resource.id}/_history/${resource.meta.versionId}`, resource);
    }
  }
  return (reference) => {
    const key = referenceKey(reference);
    return map.get(key) ?? map.get(key.replace(/\/_history\/[^/]+$/, ''));
  };
}

/** Every entry reference of the sheet's sections (sub-sections included), in document order. */
export function sectionEntryReferences(sections: CompositionSection[] | undefined): string[] {
  const out: string[] = [];
  for (const s of sections ?? []) {
    for (const e of s.entry ?? []) if (e.reference) out.push(e.reference);
    out.push(...sectionEntryReferences(s.section));
  }
  return out;
}

const unversioned = (reference: string) => referenceKey(reference).replace(/\/_history\/[^/]+$/, '');
const sub = (ext: Extension | undefined, url: string): Extension | undefined => ext?.extension?.find((e) => e.url === url);

function professionalOf(ref: Reference | undefined): DeepPartial<Professional> | undefined {
  if (!ref) return undefined;
  return {
    ...(ref.reference?.startsWith('Practitioner/') ? { practitioner: ref.reference } : {}),
    ...(ref.identifier?.system === IDNPS_SYSTEM && ref.identifier.value ? { idnps: ref.identifier.value } : {}),
    ...(ref.display ? { name: ref.display } : {}),
  };
}

function codedOf(concept: CodeableConcept | undefined): CodedText | undefined {
  if (!concept) return undefined;
  const coding = concept.coding?.[0];
  const display = concept.text ?? coding?.display ?? coding?.code;
  if (!display) return undefined;
  return { ...(coding?.code ? { code: coding.code } : {}), ...(coding?.system ? { system: coding.system } : {}), display };
}

const codeIs = (resource: Observation, coding: Coding) => hasCoding(resource.code?.coding, coding);
const componentOf = (obs: Observation, coding: Coding) => obs.component?.find((c) => hasCoding(c.code?.coding, coding));
const noteOf = (r: { note?: { text?: string }[] }) => r.note?.map((n) => n.text).filter(Boolean).join('\n') || undefined;
const effectiveOf = (o: Observation) => o.effectiveDateTime ?? o.effectivePeriod?.start;

export function readRcpSheet(composition: Composition, resolve: Resolver, patient?: Patient): RcpSheetContent {
  const data: RcpSheetData = {};
  const unresolved: string[] = [];
  if (composition.subject?.reference) data.patient = composition.subject.reference;
  const author = professionalOf(composition.author?.[0]);
  const authorSpeciality = composition.author?.[0]?.extension?.find((e) => e.url === EXT_AUTHOR_SPECIALITY)?.valueCoding;
  if (author) data.author = authorSpeciality ? { ...author, speciality: { ...(authorSpeciality.code ? { code: authorSpeciality.code } : {}), ...(authorSpeciality.system ? { system: authorSpeciality.system } : {}), display: authorSpeciality.display ?? authorSpeciality.code ?? '' } } : author;

  // Header: meeting and participants.
  const meetingExt = composition.extension?.find((e) => e.url === EXT_RCP_MEETING);
  const meeting: NonNullable<RcpSheetData['meeting']> = {};
  const rcp = sub(meetingExt, 'rcp')?.valueReference;
  if (rcp?.display) meeting.rcpName = rcp.display;
  if (rcp?.identifier?.system === RCP_ID_SYSTEM && rcp.identifier.value) meeting.rcpId = rcp.identifier.value;
  if (rcp?.reference) meeting.board = rcp.reference;
  const rrc = sub(meetingExt, 'rrc')?.valueIdentifier;
  if (rrc?.system === RRC_ID_SYSTEM && rrc.value) meeting.rrcId = rrc.value;
  const threeC = sub(meetingExt, 'threeC')?.valueIdentifier;
  if (threeC?.system === THREE_C_ID_SYSTEM && threeC.value) meeting.threeCId = threeC.value;
  const session = sub(meetingExt, 'session')?.valueReference;
  if (session?.reference) meeting.session = session.reference;
  if (session?.identifier?.system === RCP_SESSION_ID_SYSTEM && session.identifier.value) meeting.sessionId = session.identifier.value;
  const registration = sub(meetingExt, 'registrationNumber')?.valueString;
  if (registration) meeting.registrationNumber = registration;
  const host = sub(meetingExt, 'hostEstablishment')?.valueReference;
  if (host) {
    meeting.hostEstablishment = {
      ...(host.identifier?.system === FINESS_SYSTEM && host.identifier.value ? { finess: host.identifier.value } : {}),
      ...(host.display ? { name: host.display } : {}),
      ...(host.reference ? { organization: host.reference } : {}),
    };
  }
  const mode = keyOf(MEETING_MODE, [sub(meetingExt, 'mode')?.valueCoding].filter((c): c is Coding => Boolean(c)));
  if (mode) meeting.mode = mode;
  const date = composition.event?.[0]?.period?.start;
  if (date) meeting.date = date;
  if (meetingExt || date) data.meeting = meeting;

  for (const ext of composition.extension?.filter((e) => e.url === EXT_RCP_PARTICIPANT) ?? []) {
    const fn = sub(ext, 'function')?.valueCoding?.code;
    const speciality = sub(ext, 'speciality')?.valueCoding;
    const professional: DeepPartial<Professional> = {
      ...professionalOf(sub(ext, 'practitioner')?.valueReference),
      ...(speciality ? { speciality: { ...(speciality.code ? { code: speciality.code } : {}), ...(speciality.system ? { system: speciality.system } : {}), display: speciality.display ?? speciality.code ?? '' } } : {}),
      ...(sub(ext, 'organization')?.valueString ? { organization: sub(ext, 'organization')!.valueString } : {}),
    };
    if (fn === 'general-practitioner') {
      data.generalPractitioner = sub(ext, 'unknown')?.valueBoolean
        ? { unknown: true, ...(sub(ext, 'comment')?.valueString ? { comment: sub(ext, 'comment')!.valueString } : {}) }
        : professional;
    } else if (fn === 'coordinator' || fn === 'requester' || fn === 'presenter') {
      data[fn] = professional;
    } else if (fn === 'member') {
      const inQuorum = sub(ext, 'inQuorum')?.valueBoolean;
      (data.participants ??= []).push({ ...professional, ...(inQuorum !== undefined ? { inQuorum } : {}) });
    }
  }
  const status = keyOf(DOCUMENT_STATUS, [composition.extension?.find((e) => e.url === EXT_DOCUMENT_STATUS)?.valueCoding].filter((c): c is Coding => Boolean(c)));
  if (status) data.documentStatus = status;

  // Body: the entries, recognised by resource type and code wherever they sit.
  let study: ResearchStudy | undefined;
  for (const reference of sectionEntryReferences(composition.section)) {
    const resource = resolve(reference);
    if (!resource) {
      unresolved.push(reference);
      continue;
    }
    switch (resource.resourceType) {
      case 'Condition':
        if (!data.diagnosis?.topography && !data.diagnosis?.morphology) readCondition(data, resource, reference);
        break;
      case 'Procedure':
        readProcedure(data, resource);
        break;
      case 'CarePlan':
        readDecision(data, resource);
        break;
      case 'ResearchStudy':
        study = resource;
        break;
      case 'Observation':
        study = readObservation(data, resource, resolve) ?? study;
        break;
      default:
        break;
    }
  }

  const legal = composition.attester?.find((a) => a.mode === 'legal');
  const correctionExt = composition.extension?.find((e) => e.url === EXT_CORRECTION);
  const resolvedPatient = patient ?? (composition.subject?.reference ? (resolve(composition.subject.reference) as Patient | undefined) : undefined);
  return {
    data,
    composition,
    ...(resolvedPatient?.resourceType === 'Patient' ? { patient: resolvedPatient } : {}),
    ...(legal?.party && (composition.status === 'final' || composition.status === 'amended') ? { signature: { party: legal.party, ...(legal.time ? { time: legal.time } : {}) } } : {}),
    ...(correctionExt ? {
      correction: {
        reason: sub(correctionExt, 'reason')?.valueString,
        corrects: sub(correctionExt, 'corrects')?.valueReference?.reference,
        date: sub(correctionExt, 'date')?.valueDateTime,
      },
    } : {}),
    ...(study ? { study } : {}),
    unresolved,
  };
}

function studyOf(study: ResearchStudy): DeepPartial<ResearchStudyInput> {
  return {
    ...(study.title ? { title: study.title } : {}),
    ...(study.identifier?.[0]?.value ? { identifier: { ...(study.identifier[0].system ? { system: study.identifier[0].system } : {}), value: study.identifier[0].value } } : {}),
    ...(study.phase?.text ?? study.phase?.coding?.[0]?.display ?? study.phase?.coding?.[0]?.code ? { phase: study.phase?.text ?? study.phase?.coding?.[0]?.display ?? study.phase?.coding?.[0]?.code } : {}),
    ...(study.sponsor?.display ? { sponsor: study.sponsor.display } : {}),
    ...(study.description ? { description: study.description } : {}),
  };
}

function readCondition(data: RcpSheetData, c: Condition, reference: string): void {
  const owned = c.meta?.tag?.some((t) => t.code === 'rcp-sheet-entry');
  const morphology = codedOf(c.extension?.find((e) => e.url === MORPHOLOGY_EXTENSION)?.valueCodeableConcept);
  const topography = c.code?.coding?.length ? codedOf(c.code) : undefined;
  const lateralityCoding = c.bodySite?.flatMap((b) => b.extension ?? []).find((e) => e.url === LATERALITY_EXTENSION)?.valueCodeableConcept?.coding;
  const laterality = keyOf(LATERALITY, lateralityCoding);
  const date = c.extension?.find((e) => e.url === ASSERTED_DATE_EXTENSION)?.valueDateTime ?? c.onsetDateTime ?? c.onsetPeriod?.start;
  data.diagnosis = {
    ...data.diagnosis,
    ...(!owned && !reference.startsWith('urn:') ? { condition: unversioned(reference) } : {}),
    ...(date ? { date } : {}),
    ...(morphology ? { morphology } : {}),
    ...(topography ? { topography } : {}),
    ...(laterality ? { laterality } : {}),
    // The record's own note is not the sheet's comment on it (CODE.diagnosisComment): only a described diagnosis carries it.
    ...(owned && noteOf(c) ? { comment: noteOf(c) } : {}),
  };
}

function readProcedure(data: RcpSheetData, p: Procedure): void {
  const type = keyOf(TREATMENT_TYPE, p.code?.coding) as TreatmentType | undefined;
  const status = p.status === 'completed' || p.status === 'in-progress' || p.status === 'not-done' ? p.status : undefined;
  (data.treatmentsSoFar ??= []).push({
    ...(type ? { type } : {}),
    ...(p.code?.text && p.code.text !== (type && TREATMENT_TYPE[type].display) ? { description: p.code.text } : {}),
    ...(status ? { status } : {}),
    ...(p.performedPeriod?.start ? { start: p.performedPeriod.start } : {}),
    ...(p.performedPeriod?.end ? { end: p.performedPeriod.end } : {}),
  });
}

function readDecision(data: RcpSheetData, plan: CarePlan): void {
  const proposal: NonNullable<RcpSheetData['proposal']> = {};
  for (const activity of plan.activity ?? []) {
    const d = activity.detail;
    if (!d) continue;
    const codings = d.code?.coding;
    const period = d.scheduledPeriod;
    const followUp = activity.extension?.some((e) => e.url === EXT_ACTIVITY_KIND && e.valueCoding?.code === FOLLOW_UP_KIND.code);
    if (followUp || hasCoding(codings, CODE.surveillance)) {
      proposal.surveillance = d.description ? { description: d.description } : {};
    } else if (hasCoding(codings, CODE.exam)) {
      (proposal.exams ??= []).push({
        ...(d.description ?? d.code?.text ? { description: d.description ?? d.code?.text } : {}),
        ...(period?.start ? { earliest: period.start } : {}),
        ...(period?.end ? { latest: period.end } : {}),
      });
    } else if (hasCoding(codings, CODE.recoursReferral)) {
      proposal.recoursReferral = d.description ? { description: d.description } : {};
    } else {
      const type = keyOf(TREATMENT_TYPE, codings);
      const intention = activity.extension?.find((e) => e.url === EXT_PROPOSAL_INTENTION)?.valuePositiveInt;
      const sequence = activity.extension?.find((e) => e.url === EXT_PROPOSAL_SEQUENCE)?.valuePositiveInt;
      (proposal.treatments ??= []).push({
        ...(type ? { type } : {}),
        ...(intention !== undefined ? { intention } : {}),
        ...(sequence !== undefined ? { sequence } : {}),
        ...(d.description ? { detail: d.description } : {}),
        ...(period?.start ? { start: period.start } : {}),
        ...(period?.end ? { end: period.end } : {}),
      });
    }
  }
  const note = noteOf(plan);
  if (note) proposal.comment = note;
  data.proposal = proposal;
}

/** Returns the ResearchStudy a trial proposal points to, when resolvable. */
function readObservation(data: RcpSheetData, o: Observation, resolve: Resolver): ResearchStudy | undefined {
  const date = effectiveOf(o);
  const note = noteOf(o);
  if (codeIs(o, CODE.nature)) {
    const nature = keyOf(NATURE, o.valueCodeableConcept?.coding);
    const organSystem = codedOf(componentOf(o, CODE.organSystem)?.valueCodeableConcept);
    const organ = codedOf(componentOf(o, CODE.organ)?.valueCodeableConcept);
    const transversalType = codedOf(componentOf(o, CODE.transversalType)?.valueCodeableConcept);
    const recours = componentOf(o, CODE.recours)?.valueBoolean;
    const paediatric = componentOf(o, CODE.paediatric)?.valueBoolean;
    data.reason = {
      ...data.reason,
      ...(nature ? { nature } : {}),
      ...(organSystem ? { organSystem } : {}),
      ...(organ ? { organ } : {}),
      ...(transversalType ? { transversalType } : {}),
      ...(recours !== undefined ? { recours } : {}),
      ...(paediatric !== undefined ? { paediatric } : {}),
      ...(note ? { comment: note } : {}),
    };
  } else if (codeIs(o, CODE.motif)) {
    const motifs = (Object.keys(MOTIF) as (keyof typeof MOTIF)[]).filter((m) => componentOf(o, MOTIF[m])?.valueBoolean === true);
    const caseStatus = keyOf(CASE_STATUS, componentOf(o, CODE.caseStatus)?.valueCodeableConcept?.coding);
    data.reason = { ...data.reason, ...(motifs.length ? { motifs } : {}), ...(caseStatus ? { caseStatus } : {}) };
  } else if (codeIs(o, CODE.screening)) {
    data.discovery = { ...(o.valueBoolean !== undefined ? { byScreening: o.valueBoolean } : {}), ...(note ? { comment: note } : {}) };
  } else if (codeIs(o, CODE.tnm)) {
    const text = (coding: Coding) => componentOf(o, coding)?.valueCodeableConcept?.text ?? componentOf(o, coding)?.valueCodeableConcept?.coding?.[0]?.code ?? componentOf(o, coding)?.valueString;
    const edition = keyOf(TNM_EDITION, o.method?.coding);
    const tnm = { t: text(CODE.tnmT), n: text(CODE.tnmN), m: text(CODE.tnmM), stage: o.valueCodeableConcept?.text ?? o.valueCodeableConcept?.coding?.[0]?.code, edition, date };
    data.diagnosis = { ...data.diagnosis, tnm: Object.fromEntries(Object.entries(tnm).filter(([, v]) => v)) };
  } else if (codeIs(o, CODE.otherStaging)) {
    const name = componentOf(o, CODE.stagingName)?.valueString;
    const version = componentOf(o, CODE.stagingVersion)?.valueString;
    const stage = o.valueCodeableConcept?.text ?? o.valueString;
    data.diagnosis = { ...data.diagnosis, otherStaging: { ...(name ? { name } : {}), ...(version ? { version } : {}), ...(stage ? { stage } : {}) } };
  } else if (codeIs(o, CODE.history) || codeIs(o, CODE.comorbidity)) {
    const key = codeIs(o, CODE.history) ? 'history' : 'comorbidities';
    (data[key] ??= []).push({ ...(date ? { date } : {}), ...(o.valueString ? { text: o.valueString } : {}) });
  } else if (codeIs(o, CODE.performance) || codeIs(o, CODE.ecog)) {
    const fromCoding = ([0, 1, 2, 3, 4] as WhoPerformance[]).find((n) => hasCoding(o.valueCodeableConcept?.coding, WHO_PERFORMANCE[n].asip) || hasCoding(o.valueCodeableConcept?.coding, WHO_PERFORMANCE[n].loinc));
    const who = fromCoding ?? (Number.isInteger(o.valueInteger) && o.valueInteger! >= 0 && o.valueInteger! <= 4 ? (o.valueInteger as WhoPerformance) : undefined);
    data.performanceStatus = { ...(who !== undefined ? { who } : {}), ...(date ? { date } : {}) };
  } else if (codeIs(o, CODE.geriatric)) {
    data.geriatricScreening = {
      ...(o.method?.text ? { tool: o.method.text } : {}),
      ...(o.valueInteger !== undefined ? { score: o.valueInteger } : {}),
      ...(o.interpretation?.[0]?.text ? { interpretation: o.interpretation[0].text } : {}),
      ...(date ? { date } : {}),
    };
  } else if (codeIs(o, CODE.pain)) {
    data.pain = {
      ...(o.valueInteger !== undefined ? { score: o.valueInteger } : {}),
      ...(o.valueString ?? note ? { description: o.valueString ?? note } : {}),
      ...(date ? { date } : {}),
    };
  } else if (codeIs(o, CODE.examResult)) {
    (data.examResults ??= []).push({ ...(date ? { date } : {}), ...(o.code?.text ? { exam: o.code.text } : {}), ...(o.valueString ? { result: o.valueString } : {}) });
  } else if (codeIs(o, CODE.phase)) {
    const phase = keyOf(PHASE, o.valueCodeableConcept?.coding);
    data.phase = { ...data.phase, ...(phase ? { phase } : {}), ...(date ? { date } : {}), ...(note ? { comment: note } : {}) };
  } else if (codeIs(o, CODE.progression)) {
    const flag = (coding: Coding) => componentOf(o, coding)?.valueBoolean;
    const progression = { local: flag(CODE.progressionLocal), regional: flag(CODE.progressionRegional), distant: flag(CODE.progressionDistant) };
    data.phase = { ...data.phase, progression: Object.fromEntries(Object.entries(progression).filter(([, v]) => v !== undefined)) };
  } else if (codeIs(o, CODE.operative) || codeIs(o, CODE.pathology) || codeIs(o, CODE.molecular)) {
    const kind = codeIs(o, CODE.operative) ? 'operative' : codeIs(o, CODE.pathology) ? 'pathology' : 'molecular';
    const author = o.performer?.[0]?.display;
    (data.otherReports ??= []).push({ kind, ...(date ? { date } : {}), ...(author ? { author } : {}), ...(o.valueString ? { conclusion: o.valueString } : {}) });
  } else if (codeIs(o, CODE.summary)) {
    if (o.valueString) data.summary = o.valueString;
  } else if (codeIs(o, CODE.question)) {
    if (o.valueString) data.question = o.valueString;
  } else if (codeIs(o, CODE.otherData)) {
    if (o.valueString) data.otherData = o.valueString;
  } else if (codeIs(o, CODE.diagnosisComment)) {
    if (o.valueString) data.diagnosis = { ...data.diagnosis, comment: o.valueString };
  } else if (codeIs(o, CODE.fileStatus)) {
    const complete = componentOf(o, CODE.fileComplete)?.valueBoolean;
    const quorum = keyOf(QUORUM, componentOf(o, CODE.quorum)?.valueCodeableConcept?.coding);
    data.fileStatus = { ...(complete !== undefined ? { complete } : {}), ...(quorum ? { quorum } : {}), ...(note ? { comment: note } : {}) };
  } else if (codeIs(o, CODE.guideline)) {
    const version = componentOf(o, CODE.guidelineVersion)?.valueString;
    const follows = componentOf(o, CODE.guidelineConformity)?.valueBoolean;
    data.basis = {
      ...data.basis,
      ...(o.valueString ? { guideline: { name: o.valueString, ...(version ? { version } : {}), ...(date ? { date } : {}) } } : {}),
      ...(follows !== undefined ? { followsGuideline: follows } : {}),
      ...(note ? { deviationReason: note } : {}),
    };
  } else if (codeIs(o, CODE.trial)) {
    const focus = o.focus?.find((f) => f.reference?.includes('ResearchStudy/') || f.reference?.startsWith('urn:'))?.reference;
    const study = focus ? resolve(focus) : undefined;
    data.basis = {
      ...data.basis,
      clinicalTrial: {
        ...(o.valueBoolean !== undefined ? { proposed: o.valueBoolean } : {}),
        // A stored trial reads back as its reference (saving the sheet again must not duplicate it);
        // during a build (urn:uuid) as its description. The printed sheet uses content.study.
        ...(focus ? { study: focus.startsWith('urn:') && study?.resourceType === 'ResearchStudy' ? studyOf(study) : unversioned(focus) } : {}),
        ...(note ? { comment: note } : {}),
      },
    };
    return study?.resourceType === 'ResearchStudy' ? study : undefined;
  } else if (codeIs(o, CODE.patientComment)) {
    if (o.valueString) data.patientComment = o.valueString;
  } else if (o.code?.coding?.some((c) => c.system === LOINC && c.code === '21908-9')) {
    // A stage-group Observation of the record (demo data): read as TNM.
    const text = (code: string) => o.component?.find((c) => c.code?.coding?.some((k) => k.code === code))?.valueCodeableConcept?.text;
    const edition = keyOf(TNM_EDITION, o.method?.coding) ?? (/\b([789])e\b/.exec(o.method?.text ?? '')?.[1] as '7' | '8' | '9' | undefined);
    data.diagnosis = { ...data.diagnosis, tnm: { stage: o.valueCodeableConcept?.text, t: text('21905-5'), n: text('21906-3'), m: text('21907-1'), ...(edition ? { edition } : {}) } };
  }
  return undefined;
}

