/**
 * What the GP reads of the disease: the cancer (topography, morphology, laterality, date) with its
 * latest stage, and the latest signed RCP proposal — in the words of the record and the sheet.
 */
import type { CarePlan, Composition, Condition, Observation, Provenance } from '@medplum/fhirtypes';
import { ASSERTED_DATE_EXTENSION, CODE, hasCoding, isSurveillanceOnly, keyOf, LATERALITY, LATERALITY_EXTENSION, MORPHOLOGY_EXTENSION, readRcpSheet, resolverOf, SURVEILLANCE_AFTER_TREATMENT, TNM_EDITION, TREATMENT_TYPE } from '../rcp-sheet/index.ts';
import { longDay } from '../fhir-kit/french-dates.ts';

/** The latest signed RCP sheet of the patient, its decision and the Provenance of its signature. */
export interface SignedRcpProposal {
  sheet: Composition;
  decision?: CarePlan;
  provenance?: Provenance;
}

const INACTIVE_CONDITION = new Set(['inactive', 'resolved', 'remission']);

/**
 * The cancers to show, one per topography code: the record's Condition and the RCP sheet's own
 * copy of it say the same thing; the one with the morphology (the sheet's) is kept.
 */
export function cancerConditions(conditions: Condition[]): Condition[] {
  const live = conditions.filter((c) => c.verificationStatus?.coding?.[0]?.code !== 'entered-in-error'
    && !c.clinicalStatus?.coding?.some((x) => INACTIVE_CONDITION.has(x.code ?? '')));
  const byCode = new Map<string, Condition>();
  for (const c of live) {
    const key = c.code?.coding?.[0]?.code ?? c.code?.text ?? c.id ?? '';
    const current = byCode.get(key);
    const richer = (x: Condition) => (x.extension?.some((e) => e.url === MORPHOLOGY_EXTENSION) ? 2 : 0) + (x.code?.text ? 1 : 0);
    if (!current || richer(c) > richer(current)) byCode.set(key, c);
  }
  return [...byCode.values()];
}

export function describeCondition(c: Condition): string {
  const topography = c.code?.coding?.[0];
  const morphology = c.extension?.find((e) => e.url === MORPHOLOGY_EXTENSION)?.valueCodeableConcept;
  const laterality = keyOf(LATERALITY, c.bodySite?.flatMap((b) => b.extension ?? []).find((e) => e.url === LATERALITY_EXTENSION)?.valueCodeableConcept?.coding);
  const date = c.extension?.find((e) => e.url === ASSERTED_DATE_EXTENSION)?.valueDateTime ?? c.onsetDateTime ?? c.recordedDate;
  const name = c.code?.text ?? topography?.display ?? 'Cancer';
  const parts = [
    topography?.code ? `${name} (CIM-10 ${topography.code}${topography.display && topography.display !== name ? ` — ${topography.display}` : ''})` : name,
    morphology ? `histologie : ${morphology.text ?? morphology.coding?.[0]?.display ?? ''}${morphology.coding?.[0]?.code ? ` (CIM-O-3 ${morphology.coding[0].code})` : ''}` : '',
    laterality ? `côté : ${(LATERALITY[laterality].display ?? '').toLowerCase()}` : '',
    date ? `diagnostiqué le ${longDay(date)}` : '',
  ];
  return parts.filter(Boolean).join(' ; ');
}

/** The record's stage groups: clinical (21908-9) and pathological (21902-2, after surgery), beside the sheets' TNM. */
export const STAGE_CODES = [CODE.tnm, CODE.otherStaging, { system: 'http://loinc.org', code: '21908-9' }, { system: 'http://loinc.org', code: '21902-2' }];
/** T, N, M components: clinical codes (the sheet's, 21905-5…) or the record's pathological ones (21899-0…). */
const TNM_COMPONENTS = [['21905-5', '21899-0'], ['21906-3', '21900-6'], ['21907-1', '21901-4']];

export function isStageObservation(o: Observation): boolean {
  return STAGE_CODES.some((code) => hasCoding(o.code?.coding, code)) && o.status !== 'entered-in-error' && o.status !== 'cancelled';
}

/**
 * The latest stage (TNM or other classification) of the record: the latest assessed, clinical or
 * pathological — after surgery, the pTNM, not the work-up's cTNM. Compared as instants (a day and a
 * date-time with its offset compare wrongly as text).
 */
export function latestStage(observations: Observation[]): Observation | undefined {
  const when = (o: Observation) => Date.parse(o.effectiveDateTime ?? o.effectivePeriod?.start ?? o.issued ?? o.meta?.lastUpdated ?? '') || 0;
  return observations.filter(isStageObservation).sort((a, b) => when(b) - when(a))[0];
}

export function describeStage(o: Observation): string {
  const component = (code: string) => o.component?.find((c) => c.code?.coding?.some((k) => k.code === code));
  const text = (code: string) => component(code)?.valueCodeableConcept?.text ?? component(code)?.valueCodeableConcept?.coding?.[0]?.code ?? component(code)?.valueString;
  const stage = o.valueCodeableConcept?.text ?? o.valueCodeableConcept?.coding?.[0]?.display ?? o.valueString;
  const date = o.effectiveDateTime ?? o.effectivePeriod?.start;
  if (hasCoding(o.code?.coding, CODE.otherStaging)) {
    const name = component(CODE.stagingName.code!)?.valueString;
    return [`Stade ${stage ?? 'non précisé'}`, name ? `(classification ${name})` : '', date ? `— évalué le ${longDay(date)}` : ''].filter(Boolean).join(' ');
  }
  const tnm = TNM_COMPONENTS.map((codes) => codes.map(text).find(Boolean)).filter(Boolean).join(' ');
  const edition = keyOf(TNM_EDITION, o.method?.coding);
  return [
    tnm ? `${tnm}` : '',
    stage ? `stade ${stage}` : '',
    edition ? `(TNM ${edition}e édition)` : o.method?.text ? `(${o.method.text})` : '',
    date ? `— évalué le ${longDay(date)}` : '',
  ].filter(Boolean).join(', ').replace(', (', ' (').replace(', —', ' —');
}

export interface ProposalText {
  rcp?: string;
  meetingDate?: string;
  signedBy?: string;
  signedOn?: string;
  choices: string[];
  exams: string[];
  other: string[];
}

/** The proposal of a signed sheet, read as the sheet reads it (first choice, then alternatives). */
export function describeProposal(p: SignedRcpProposal): ProposalText {
  const content = readRcpSheet(p.sheet, resolverOf(p.decision ? [{ resource: p.decision }] : []));
  const proposal = content.data.proposal ?? {};
  const treatments = [...(proposal.treatments ?? [])].sort((a, b) => (a.intention ?? 99) - (b.intention ?? 99) || (a.sequence ?? 99) - (b.sequence ?? 99));
  const byIntention = new Map<number, string[]>();
  for (const t of treatments) {
    const label = [t.type ? TREATMENT_TYPE[t.type].display : 'Traitement', t.detail].filter(Boolean).join(' : ');
    const dates = t.start ? ` (à partir du ${longDay(t.start)})` : '';
    const key = t.intention ?? 99;
    byIntention.set(key, [...(byIntention.get(key) ?? []), `${label}${dates}`]);
  }
  const choices = [...byIntention.entries()].map(([intention, list]) =>
    `${intention === 1 ? 'Proposition retenue (1er choix)' : `Alternative n° ${intention - 1}`} : ${list.join(', puis ')}`);
  const exams = (proposal.exams ?? []).map((e) => [e.description ?? 'Examen complémentaire', e.earliest || e.latest ? `entre le ${longDay(e.earliest)} et le ${longDay(e.latest)}`.replace('entre le  et', 'au plus tard') : ''].filter(Boolean).join(' — '));
  const other = [
    proposal.surveillance ? `${isSurveillanceOnly(proposal) ? 'Surveillance seule' : SURVEILLANCE_AFTER_TREATMENT}${proposal.surveillance.description ? ` : ${proposal.surveillance.description}` : ''}` : '',
    proposal.recoursReferral ? `Avis d'une RCP de recours${proposal.recoursReferral.description ? ` : ${proposal.recoursReferral.description}` : ''}` : '',
    proposal.comment ? `Commentaire de la RCP : ${proposal.comment}` : '',
  ].filter(Boolean);
  const legal = p.sheet.attester?.find((a) => a.mode === 'legal');
  const signer = p.provenance?.signature?.[0]?.who ?? legal?.party;
  return {
    ...(content.data.meeting?.rcpName ? { rcp: content.data.meeting.rcpName } : {}),
    ...(content.data.meeting?.date ? { meetingDate: content.data.meeting.date } : {}),
    ...(signer?.display ?? signer?.reference ? { signedBy: signer?.display ?? signer?.reference } : {}),
    ...(p.provenance?.signature?.[0]?.when ?? legal?.time ? { signedOn: p.provenance?.signature?.[0]?.when ?? legal?.time } : {}),
    choices,
    exams,
    other,
  };
}
