/**
 * The signed RCP sheet as a CI-SIS CDA R2 document, FRCP 2022.01 (templateId 1.2.250.1.213.1.1.1.8,
 * LOINC 34794-8) on the "structuration minimale" header. Section and entry templates follow the
 * ANS example documents (../shared/design/reference/CANCER-FRCP_2022.01_*.xml); every section has
 * its narrative, and the coded items of the data set travel as level-3 entries.
 * Pure: works from the sheet as read (`RcpSheetContent`); the caller loads and audits.
 */
import type { Coding, Patient, Reference } from '@medplum/fhirtypes';
import { rcpSheetCodes, type RcpSheetContent } from '../rcp-sheet/index.ts';
import { cd, dccOidRoot, LOINC_OID, oidOf, TA_ASIP_OID, templateIds } from './codes.ts';
import { patientRole, professionalEntity, type CdaIdentity, type ProfessionalData } from './header.ts';
import { IDNPS_SYSTEM } from '../identity/index.ts';
import { el, text, ts } from './xml.ts';

const C = rcpSheetCodes;
type Data = RcpSheetContent['data'];
type P = ProfessionalData;

export interface CdaDocumentIds {
  /** Unique id of this version of the document. */
  id: { root: string; extension: string };
  /** Stable across versions (corrections). */
  setId: { root: string; extension: string };
  versionNumber: number;
  /** The document this version replaces (RPLC), after a correction. */
  replaces?: { root: string; extension: string };
}

/** setId = the Composition; version = the Composition's version: a correction is a new version of the same set. */
export function documentIdsOf(kind: 'frcp' | 'pps', compositionId: string, versionId: string, replacesVersion?: string): CdaDocumentIds {
  const root = `${dccOidRoot()}.${kind === 'frcp' ? 1 : 2}`;
  return {
    id: { root, extension: `${compositionId}-${versionId}` },
    setId: { root: `${root}.0`, extension: compositionId },
    versionNumber: Number.parseInt(versionId, 10) || 1,
    ...(replacesVersion ? { replaces: { root, extension: `${compositionId}-${replacesVersion}` } } : {}),
  };
}

const obs = (code: string, codeSystem: string, display: string, value: string, extra: string[] = [], tpl = ['1.3.6.1.4.1.19376.1.5.3.1.4.13', '1.2.250.1.213.1.1.3.48']) =>
  el('observation', { classCode: 'OBS', moodCode: 'EVN' }, templateIds(...tpl), el('code', { code, codeSystem, displayName: display }), el('statusCode', { code: 'completed' }), value, ...extra);
const asipObs = (coding: Coding, value: string, extra: string[] = []) => obs(coding.code!, TA_ASIP_OID, coding.display!, value, extra);
const bl = (v: boolean | undefined) => (v === undefined ? el('value', { 'xsi:type': 'BL', nullFlavor: 'UNK' }) : el('value', { 'xsi:type': 'BL', value: String(v) }));
const cdValue = (coding: Coding | undefined, originalText?: string) => cd('value', coding, { 'xsi:type': 'CD' }, originalText);
const entry = (content: string) => el('entry', {}, content);
const rel = (typeCode: string, content: string) => el('entryRelationship', { typeCode }, content);
const paragraph = (...lines: (string | undefined | false)[]) => lines.filter((l): l is string => Boolean(l)).map((l) => el('paragraph', {}, text(l))).join('');
const narrative = (...lines: (string | undefined | false)[]) => el('text', {}, paragraph(...lines) || paragraph('Non renseigné'));
const table = (head: string[], rows: string[][]) =>
  el('text', {}, rows.length
    ? el('table', { border: 1 }, el('thead', {}, el('tr', {}, ...head.map((h) => el('th', {}, text(h))))), el('tbody', {}, ...rows.map((r) => el('tr', {}, ...r.map((c) => el('td', {}, text(c)))))))
    : paragraph('Non renseigné'));
const section = (tpl: string[], code: string, title: string, body: string, ...entries: string[]) =>
  el('component', {}, el('section', {}, templateIds(...tpl), el('code', { code, codeSystem: LOINC_OID, codeSystemName: 'LOINC', displayName: title }), el('title', {}, text(title)), body, ...entries));
const frDate = (d: string | undefined) => (d ? d.slice(0, 10).split('-').reverse().join('/') : '');
const local = (system: string | undefined, code: string | undefined, display: string | undefined): Coding | undefined =>
  display || code ? { ...(system ? { system } : {}), ...(code ? { code } : {}), ...(display ? { display } : {}) } : undefined;

function reasonSection(data: Data): string {
  const r = data.reason;
  const natureCoding = r?.nature ? C.NATURE[r.nature] : undefined;
  const subj: string[] = [];
  if (r?.nature === 'organ') {
    subj.push(rel('SUBJ', asipObs(C.CODE.organSystem, cdValue(local(r.organSystem?.system ?? 'http://snomed.info/sct', r.organSystem?.code, r.organSystem?.display)), [
      ...(r.organ ? [rel('REFR', asipObs(C.CODE.organ, cdValue(local(r.organ.system ?? 'http://snomed.info/sct', r.organ.code, r.organ.display))))] : []),
      rel('REFR', asipObs(C.CODE.recours, bl(r.recours))),
      rel('REFR', asipObs(C.CODE.paediatric, bl(r.paediatric))),
    ])));
  } else if (r?.nature === 'transversal') {
    subj.push(rel('SUBJ', asipObs(C.CODE.transversalType, cdValue(local(r.transversalType?.system ?? 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', r.transversalType?.code, r.transversalType?.display)))));
  }
  const motifs = (r?.motifs ?? []).filter((m): m is NonNullable<typeof m> => Boolean(m));
  subj.push(rel('SUBJ', asipObs(C.CODE.motif, el('value', { 'xsi:type': 'CD', nullFlavor: 'NA' }), [
    ...(Object.keys(C.MOTIF) as (keyof typeof C.MOTIF)[]).map((m) => rel('REFR', asipObs(C.MOTIF[m], bl(motifs.includes(m))))),
    rel('REFR', asipObs(C.CODE.caseStatus, cdValue(r?.caseStatus ? C.CASE_STATUS[r.caseStatus] : undefined))),
  ])));
  const lines = [
    `Nature de la RCP : ${natureCoding?.display ?? 'non renseignée'}`,
    r?.organSystem?.display && `Appareil : ${r.organSystem.display}`,
    r?.organ?.display && `Organe : ${r.organ.display}`,
    r?.transversalType?.display && `Traitement / soins : ${r.transversalType.display}`,
    `RCP de recours : ${r?.recours ? 'oui' : 'non'} ; RCP pédiatrique : ${r?.paediatric ? 'oui' : 'non'}`,
    `Motif(s) : ${motifs.map((m) => C.MOTIF[m].display).join(', ') || 'non renseigné'}`,
    r?.caseStatus && `Statut du cas : ${C.CASE_STATUS[r.caseStatus].display}`,
    r?.comment,
  ];
  return section(['1.3.6.1.4.1.19376.1.5.3.1.3.1', '1.3.6.1.4.1.19376.1.5.3.1.3.2', '1.2.250.1.213.1.1.2.128'], '42349-1', 'Type de RCP / motif de la RCP',
    narrative(...lines), entry(asipObs(C.CODE.nature, cdValue(natureCoding), subj)));
}

function discoverySection(data: Data): string {
  const d = data.discovery;
  return section(['1.3.6.1.4.1.19376.1.5.3.1.1.21.2.9', '1.3.6.1.4.1.19376.1.7.3.1.1.13.7', '1.2.250.1.213.1.1.2.163'], '42545-4', 'Mode de découverte du cancer',
    narrative(d ? `Découverte par dépistage : ${d.byScreening ? 'oui' : 'non'}` : undefined, d?.comment),
    entry(obs('63921-1', LOINC_OID, 'Dépistage du cancer', bl(d?.byScreening))));
}

function diagnosisSection(data: Data): string {
  const dg = data.diagnosis;
  const tnm = dg?.tnm;
  const tnmClass = (code: Coding, value: string | undefined) =>
    rel('COMP', obs(code.code!, LOINC_OID, code.display!, value ? el('value', { 'xsi:type': 'CD', code: value, codeSystem: '2.16.840.1.113883.15.6', codeSystemVersion: tnm?.edition }) : el('value', { 'xsi:type': 'CD', nullFlavor: 'UNK' })));
  const tnmObs = el('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' },
    templateIds('1.3.6.1.4.1.19376.1.7.3.1.4.14.2'),
    el('code', { code: '75620-5', codeSystem: LOINC_OID, displayName: 'TNM clinical staging before treatment panel' }),
    el('statusCode', { code: 'completed' }),
    el('effectiveTime', { value: ts(tnm?.date ?? dg?.date) ?? undefined, nullFlavor: tnm?.date ?? dg?.date ? undefined : 'UNK' }),
    tnm?.stage ? el('value', { 'xsi:type': 'CD', code: tnm.stage, codeSystem: '2.16.840.1.113883.15.6', codeSystemVersion: tnm.edition }) : el('value', { 'xsi:type': 'CD', nullFlavor: 'UNK' }),
    tnmClass(C.CODE.tnmT, tnm?.t), tnmClass(C.CODE.tnmN, tnm?.n), tnmClass(C.CODE.tnmM, tnm?.m));
  const morphology = dg?.morphology;
  const topography = dg?.topography;
  const problem = el('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' },
    templateIds('2.16.840.1.113883.10.20.1.28', '1.3.6.1.4.1.19376.1.5.3.1.4.5', '1.2.250.1.213.1.1.3.37', '1.3.6.1.4.1.19376.1.7.3.1.4.14.1', '1.2.250.1.213.1.1.3.113'),
    el('id', { root: dccOidRoot(), extension: `diag-${data.patient ?? ''}`.replace(/[^\w.-]/g, '-') }),
    el('code', { code: '282291009', codeSystem: '2.16.840.1.113883.6.96', displayName: 'Diagnostic de la tumeur' }),
    el('text', {}, text(dg?.comment ?? morphology?.display ?? 'Diagnostic du cancer')),
    el('statusCode', { code: 'completed' }),
    el('effectiveTime', {}, el('low', dg?.date ? { value: ts(dg.date) } : { nullFlavor: 'UNK' })),
    cdValue(local('http://terminology.hl7.org/CodeSystem/icd-o-3', morphology?.code, morphology?.display)),
    cd('targetSiteCode', local('http://hl7.org/fhir/sid/icd-10', topography?.code, topography?.display)),
    rel('SUBJ', tnmObs));
  const act = el('act', { classCode: 'ACT', moodCode: 'EVN' },
    templateIds('2.16.840.1.113883.10.20.1.27', '1.3.6.1.4.1.19376.1.5.3.1.4.5.1', '1.3.6.1.4.1.19376.1.5.3.1.4.5.2', '1.2.250.1.213.1.1.3.39', '1.2.250.1.213.1.1.3.39.1'),
    el('id', { root: dccOidRoot(), extension: `concern-${data.patient ?? ''}`.replace(/[^\w.-]/g, '-') }),
    el('code', { nullFlavor: 'NA' }), el('statusCode', { code: 'active' }),
    el('effectiveTime', {}, el('low', dg?.date ? { value: ts(dg.date) } : { nullFlavor: 'UNK' })),
    el('entryRelationship', { typeCode: 'SUBJ', inversionInd: 'false' }, problem));
  return section(['2.16.840.1.113883.10.20.1.11', '1.3.6.1.4.1.19376.1.5.3.1.3.6', '1.3.6.1.4.1.19376.1.7.3.1.3.14.1', '1.2.250.1.213.1.1.2.27'], '72135-7', 'Diagnostic du cancer',
    narrative(
      dg?.date && `Date du diagnostic : ${frDate(dg.date)}`,
      topography && `Topographie (CIM-10) : ${topography.code ?? ''} ${topography.display ?? ''}`.trim(),
      morphology && `Morphologie (CIM-O-3) : ${morphology.code ?? ''} ${morphology.display ?? ''}`.trim(),
      dg?.laterality && `Latéralité : ${C.LATERALITY[dg.laterality].display}`,
      tnm && `TNM clinique (UICC ${tnm.edition}e éd.) : ${tnm.t ?? ''} ${tnm.n ?? ''} ${tnm.m ?? ''} — stade ${tnm.stage ?? ''}`,
      dg?.otherStaging && `Autre classification : ${dg.otherStaging.name} ${dg.otherStaging.version ?? ''} — ${dg.otherStaging.stage}`,
      dg?.comment),
    entry(act));
}

function progressionSection(data: Data): string {
  const ph = data.phase;
  const prog = ph?.progression;
  const entries = [entry(el('observation', { classCode: 'OBS', moodCode: 'EVN', negationInd: 'false' }, templateIds('1.3.6.1.4.1.19376.1.5.3.1.4.13', '1.2.250.1.213.1.1.3.48'),
    el('code', { code: 'MED-243', codeSystem: TA_ASIP_OID, displayName: 'Phase du cancer' }), el('statusCode', { code: 'completed' }),
    ph?.date ? el('effectiveTime', { value: ts(ph.date) }) : undefined, cdValue(ph?.phase ? C.PHASE[ph.phase] : undefined)))];
  if (prog) {
    entries.push(entry(asipObs(C.CODE.progression, bl(Boolean(prog.local || prog.regional || prog.distant)), [
      rel('COMP', asipObs(C.CODE.progressionLocal, bl(prog.local))),
      rel('COMP', asipObs(C.CODE.progressionRegional, bl(prog.regional))),
      rel('COMP', asipObs(C.CODE.progressionDistant, bl(prog.distant))),
    ])));
  }
  return section(['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.7', '1.2.250.1.213.1.1.2.25'], '18733-6', 'Phase clinique de la maladie',
    narrative(ph?.phase && `Phase : ${C.PHASE[ph.phase].display}${ph.date ? ` (${frDate(ph.date)})` : ''}`,
      prog && `Progression : locale ${prog.local ? 'oui' : 'non'}, régionale ${prog.regional ? 'oui' : 'non'}, à distance ${prog.distant ? 'oui' : 'non'}`, ph?.comment),
    ...entries);
}

function summarySection(data: Data, gpAbsence?: string): string {
  return section(['1.3.6.1.4.1.19376.1.5.3.1.3.4', '1.2.250.1.213.1.1.2.130'], '10164-2', 'Synthèse du cas présenté et question posée à la RCP',
    narrative(data.summary && `Synthèse : ${data.summary}`, gpAbsence, data.question && `Question posée : ${data.question}`, data.otherData && `Autres données : ${data.otherData}`));
}

function fileStatusSection(data: Data): string {
  const f = data.fileStatus;
  const organizer = el('organizer', { classCode: 'CLUSTER', moodCode: 'EVN' }, templateIds('1.2.250.1.213.1.1.3.7'),
    el('code', { code: 'GEN-099', codeSystem: TA_ASIP_OID, displayName: 'Information RCP' }), el('statusCode', { code: 'completed' }),
    el('component', {}, asipObs(C.CODE.fileComplete, bl(f?.complete))),
    el('component', {}, asipObs(C.CODE.quorum, cdValue(f?.quorum ? C.QUORUM[f.quorum] : undefined))),
    el('component', {}, asipObs(C.CODE.caseStatus, cdValue(data.reason?.caseStatus ? C.CASE_STATUS[data.reason.caseStatus] : undefined))));
  return section(['1.2.250.1.213.1.1.2.33'], '21874-3', 'Statut du dossier présenté en RCP',
    narrative(f && `Dossier complet : ${f.complete ? 'oui' : 'non'}`, f?.quorum && `Quorum : ${C.QUORUM[f.quorum].display}`, f?.comment), entry(organizer));
}

function treatmentCoding(type: keyof typeof C.TREATMENT_TYPE | undefined): { coding?: Coding; label?: string } {
  if (!type) return {};
  // Soins palliatifs: NCIt C15252 in JDV_TypeTraitement_FRCP (the DCC codes them locally).
  if (type === 'palliative-care') return { coding: { system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', code: 'C15252', display: 'Soins palliatifs' } };
  const coding = C.TREATMENT_TYPE[type];
  // A greffe has no national code of its own: "autres traitements (à préciser)", named.
  return oidOf(coding.system) ? { coding } : { coding: C.TREATMENT_TYPE.other, label: coding.display };
}

function carePlanSection(data: Data): string {
  const p = data.proposal;
  const treatments = [...(p?.treatments ?? [])].sort((a, b) => (a?.intention ?? 0) - (b?.intention ?? 0) || (a?.sequence ?? 0) - (b?.sequence ?? 0));
  const entries: string[] = [];
  for (const t of treatments) {
    const { coding, label } = treatmentCoding(t?.type);
    entries.push(entry(el('procedure', { classCode: 'PROC', moodCode: 'INT', negationInd: 'false' },
      templateIds('2.16.840.1.113883.10.20.1.25', '1.3.6.1.4.1.19376.1.5.3.1.4.19', '1.2.250.1.213.1.1.3.62'),
      el('id', { root: dccOidRoot(), extension: `proposal-${t?.intention}-${t?.sequence}` }),
      cd('code', coding, {}, label ?? t?.detail),
      el('text', {}, text(`Intention ${t?.intention} — séquence ${t?.sequence} : ${t?.detail ?? coding?.display ?? ''}`)),
      el('statusCode', { code: 'new' }),
      el('effectiveTime', {}, t?.start ? el('low', { value: ts(t.start) }) : el('low', { nullFlavor: 'UNK' }), t?.end ? el('high', { value: ts(t.end) }) : undefined),
      el('priorityCode', { code: t?.intention === 1 ? 'R' : 'EL', codeSystem: '2.16.840.1.113883.5.7', displayName: t?.intention === 1 ? 'Routine' : 'Elective' }))));
  }
  for (const x of p?.exams ?? []) {
    entries.push(entry(el('observation', { classCode: 'OBS', moodCode: 'PRP' }, templateIds('2.16.840.1.113883.10.20.1.25', '1.3.6.1.4.1.19376.1.5.3.1.1.20.3.1', '1.2.250.1.213.1.1.3.27'),
      el('code', { code: 'ORG-064', codeSystem: TA_ASIP_OID, displayName: "Demande d'examen ou de suivi" }), el('text', {}, text(x?.description ?? '')), el('statusCode', { code: 'new' }),
      el('effectiveTime', {}, el('low', x?.earliest ? { value: ts(x.earliest) } : { nullFlavor: 'UNK' }), x?.latest ? el('high', { value: ts(x.latest) }) : undefined))));
  }
  const encounter = (coding: Coding, description?: string) => entry(el('encounter', { classCode: 'ENC', moodCode: 'ARQ' }, templateIds('2.16.840.1.113883.10.20.1.25', '1.3.6.1.4.1.19376.1.5.3.1.4.14', '1.2.250.1.213.1.1.3.58'),
    el('id', { root: dccOidRoot(), extension: `encounter-${coding.code}` }), el('code', { code: coding.code, codeSystem: TA_ASIP_OID, displayName: coding.display }), description ? el('text', {}, text(description)) : undefined,
    el('effectiveTime', { nullFlavor: 'UNK' })));
  if (p?.surveillance) entries.push(encounter(C.CODE.surveillance, p.surveillance.description));
  if (p?.recoursReferral) entries.push(encounter(C.CODE.recoursReferral, p.recoursReferral.description));
  const rows = treatments.map((t) => [String(t?.intention ?? ''), String(t?.sequence ?? ''), (t?.type ? C.TREATMENT_TYPE[t.type].display ?? '' : ''), t?.detail ?? '', frDate(t?.start), frDate(t?.end)]);
  const text_ = el('text', {},
    rows.length ? table(['Intention', 'Séquence', 'Type', 'Détail', 'Début', 'Fin'], rows).slice('<text>'.length, -'</text>'.length) : el('paragraph', {}, 'Aucun traitement proposé'),
    paragraph(...(p?.exams ?? []).map((x) => `Examen / avis complémentaire : ${x?.description ?? ''}${x?.earliest ? ` entre le ${frDate(x.earliest)}` : ''}${x?.latest ? ` et le ${frDate(x.latest)}` : ''}`),
      p?.surveillance && `Surveillance : ${p.surveillance.description ?? 'oui'}`, p?.recoursReferral && `Passage en RCP de recours : ${p.recoursReferral.description ?? 'oui'}`, p?.comment));
  return section(['2.16.840.1.113883.10.20.1.10', '1.3.6.1.4.1.19376.1.5.3.1.3.36', '1.2.250.1.213.1.1.2.158'], '18776-5', 'Proposition de la RCP (plan de soins)', text_, ...entries);
}

function basisSection(data: Data, studyTitle: string | undefined): string {
  const b = data.basis;
  const g = b?.guideline;
  const trial = b?.clinicalTrial;
  return section(['1.2.250.1.213.1.1.2.175'], '35510-7', 'Cadre de la proposition thérapeutique',
    narrative(g?.name && `Référentiel : ${g.name}${g.version ? ` (version ${g.version})` : ''}`,
      b?.followsGuideline !== undefined && `Proposition conforme au référentiel : ${b.followsGuideline ? 'oui' : `non${b.deviationReason ? ` — ${b.deviationReason}` : ''}`}`,
      trial && `Proposition d'inclusion dans un essai clinique : ${trial.proposed ? `oui${studyTitle ? ` — ${studyTitle}` : ''}` : 'non'}`, trial?.comment, b?.comment),
    entry(asipObs(C.CODE.guideline, el('value', { 'xsi:type': 'ST' }, text(g?.name ? `${g.name}${g.version ? ` (${g.version})` : ''}` : 'Non renseigné')))),
    entry(asipObs(C.CODE.trial, bl(trial?.proposed))));
}

function documentStatusSection(data: Data): string {
  const status = data.documentStatus ? C.DOCUMENT_STATUS[data.documentStatus] : undefined;
  return section(['1.2.250.1.213.1.1.2.35'], '33557-0', 'Statut du document', narrative(`Statut : ${status?.display ?? 'non renseigné'}`),
    entry(obs('GEN-065', TA_ASIP_OID, 'Statut du document', cdValue(status), [], ['1.2.250.1.213.1.1.3.48.16'])));
}

function narrativeOnly(tpl: string[], code: string, title: string, lines: (string | undefined | false)[]): string {
  return section(tpl, code, title, narrative(...lines));
}

export interface FrcpOptions {
  ids: CdaDocumentIds;
  identity: CdaIdentity;
  patient: Patient;
  /** Custodian: the organisation that keeps the document (the DCC). */
  custodian: { id: string; name: string };
  /** The PDF shown to users, carried as the document's rendering (an observationMedia would need level 3 everywhere). */
  now?: Date;
}

/**
 * The signer as a professional of the sheet: their reference and IDNPS from the attestation, their
 * speciality and establishment from the sheet's own rows for the same person (author, participants…).
 */
function signerOf(party: Reference, data: Data): P {
  const idnps = party.identifier?.system === IDNPS_SYSTEM ? party.identifier.value : undefined;
  const practitioner = party.reference?.startsWith('Practitioner/') ? party.reference : undefined;
  const rows = [data.author, data.coordinator, data.requester, data.presenter, ...(data.participants ?? [])];
  const same = rows.find((p) => p && ((practitioner && p.practitioner === practitioner) || (idnps && p.idnps === idnps)));
  return {
    ...(same?.speciality ? { speciality: same.speciality } : {}),
    ...(same?.organization ? { organization: same.organization } : {}),
    ...(practitioner ? { practitioner } : {}),
    ...((idnps ?? same?.idnps) ? { idnps: idnps ?? same?.idnps } : {}),
    name: party.display ?? same?.name ?? party.reference ?? 'Inconnu',
  };
}

/** FRCP CDA of a signed sheet (the caller checks the signature). */
export function buildFrcpCda(content: RcpSheetContent, options: FrcpOptions): string {
  const data = content.data;
  const m = data.meeting ?? {};
  const signer = content.signature;
  const author = data.author ?? {};
  // The legal authenticator is whoever signed (the attester), not the author: on an RCP report the
  // chair writes and any member may sign, and the PDF and the mail name both.
  const authenticator = signer ? signerOf(signer.party, data) : undefined;
  const dccSession = /^Appointment\/([^/]+)$/.exec(m.session ?? '')?.[1];
  // Professionals whose establishment the sheet does not name act for the RCP's host establishment.
  const hostName = m.hostEstablishment?.name ?? options.custodian.name;
  const effective = ts(signer?.time ?? content.composition.date) ?? ts(new Date().toISOString());
  const participants = (data.participants ?? []).filter((p): p is NonNullable<typeof p> => Boolean(p));
  const participant = (typeCode: string, fn: string, p: P | undefined, functionCode?: string) =>
    p?.name ? el('participant', { typeCode }, functionCode ?? el('functionCode', { nullFlavor: 'NA' }, el('originalText', {}, text(fn))), el('time', { nullFlavor: 'UNK' }), professionalEntity('associatedEntity', p, { classCode: 'PROV' })) : undefined;
  const gp = data.generalPractitioner as (P & { unknown?: boolean; comment?: string }) | undefined;
  const pcp = el('functionCode', { code: 'PCP', displayName: 'Médecin traitant', codeSystem: '2.16.840.1.113883.5.88' });
  // No declared GP: the StrucMin header has no way to say "none" (a participant needs an id and a
  // name), so the participant is left out and the absence is written in the synthesis narrative.
  const gpParticipant = gp && !gp.unknown && gp.name ? participant('INF', 'Médecin traitant', gp, pcp) : undefined;
  const gpAbsence = gpParticipant ? undefined : `Médecin traitant : ${gp?.comment ?? 'aucun médecin traitant déclaré'}`;
  const quorumFn = (inQuorum: boolean | undefined) => el('functionCode', { code: '353', displayName: "Membre de l'équipe de soins", codeSystem: '1.2.250.1.213.1.6.1.107' }, el('originalText', {}, inQuorum ? 'Participant du quorum' : 'Participant hors quorum'));
  const ids = options.ids;
  const header = [
    el('realmCode', { code: 'FR' }),
    el('typeId', { root: '2.16.840.1.113883.1.3', extension: 'POCD_HD000040' }),
    templateIds('2.16.840.1.113883.2.8.2.1', '1.2.250.1.213.1.1.1.1'),
    el('templateId', { root: '1.2.250.1.213.1.1.1.8', extension: '2022.01' }),
    el('id', ids.id),
    el('code', { code: '34794-8', codeSystem: LOINC_OID, codeSystemName: 'LOINC', displayName: 'CR de réunion de concertation pluridisciplinaire' }),
    el('title', {}, text(`Fiche RCP — ${m.rcpName ?? 'RCP'}`)),
    el('effectiveTime', { value: effective }),
    el('confidentialityCode', { code: 'N', codeSystem: '2.16.840.1.113883.5.25', displayName: 'Normal' }),
    el('languageCode', { code: 'fr-FR' }),
    el('setId', ids.setId),
    el('versionNumber', { value: ids.versionNumber }),
    patientRole(options.patient, options.identity),
    el('author', {},
      el('functionCode', { code: '353', displayName: "Membre de l'équipe de soins", codeSystem: '1.2.250.1.213.1.6.1.107' }, el('originalText', {}, 'Médecin coordonnateur de la RCP')),
      el('time', { value: effective }), professionalEntity('assignedAuthor', author, {}, hostName)),
    el('custodian', {}, el('assignedCustodian', {}, el('representedCustodianOrganization', {}, el('id', { root: '1.2.250.1.71.4.2.2', extension: options.custodian.id }), el('name', {}, text(options.custodian.name))))),
    signer ? el('legalAuthenticator', {}, el('time', { value: ts(signer.time) ?? effective }), el('signatureCode', { code: 'S' }), professionalEntity('assignedEntity', authenticator ?? author, {}, hostName)) : undefined,
    participant('RESP', 'PS Coordonnateur de la RCP', data.coordinator ?? undefined),
    participant('REFB', 'PS Demandeur', data.requester ?? undefined),
    participant('PRF', 'PS Présentateur', data.presenter ?? undefined),
    gpParticipant,
    ...participants.map((p) => participant('PRF', p.inQuorum ? 'Participant du quorum' : 'Participant hors quorum', p, quorumFn(p.inQuorum))),
    el('documentationOf', {}, el('serviceEvent', { classCode: 'ACT' },
      el('code', { code: '39', displayName: 'Réunion de Concertation Pluridisciplinaire (RCP)', codeSystem: '1.2.250.1.213.3.3.13', codeSystemName: 'TRE_R213-ModePriseEnCharge' }, el('originalText', {}, text(m.rcpName ?? 'RCP'))),
      el('effectiveTime', {}, el('low', { value: ts(m.date) ?? effective })),
      el('performer', { typeCode: 'PRF' }, professionalEntity('assignedEntity', author, {}, hostName)))),
    ids.replaces ? el('relatedDocument', { typeCode: 'RPLC' }, el('parentDocument', {}, el('id', ids.replaces))) : undefined,
    el('componentOf', {}, el('encompassingEncounter', {},
      m.rrcId ? el('id', { root: '1.2.250.1.161.1.20.1.1', extension: m.rrcId }) : el('id', { root: '1.2.250.1.161.1.20.1.1', nullFlavor: 'UNK' }),
      m.threeCId ? el('id', { root: '1.2.250.1.161.1.20.2.1', extension: m.threeCId }) : el('id', { root: '1.2.250.1.161.1.20.2.1', nullFlavor: 'UNK' }),
      m.rcpId ? el('id', { root: '1.2.250.1.161.1.20.3.1', extension: m.rcpId }) : el('id', { root: '1.2.250.1.161.1.20.3.1', nullFlavor: 'UNK' }),
      m.sessionId ? el('id', { root: '1.2.250.1.213.1.1.9', extension: m.sessionId }) : undefined,
      // The DCC's own session (a local id of the RCP, [0..*]), as the printed report gives it.
      dccSession ? el('id', { root: `${dccOidRoot()}.7`, extension: dccSession }) : undefined,
      m.registrationNumber ? el('id', { root: `${dccOidRoot()}.3`, extension: m.registrationNumber }) : undefined,
      el('code', { code: 'VR', displayName: "Virtuelle (exemple : RCP en l'absence du patient)", codeSystem: '2.16.840.1.113883.5.4' }),
      el('effectiveTime', {}, el('low', { value: ts(m.date) ?? effective })),
      el('location', {}, el('healthCareFacility', {},
        m.hostEstablishment?.finess ? el('id', { root: '1.2.250.1.71.4.2.2', extension: `1${m.hostEstablishment.finess}` }) : undefined,
        el('code', { code: 'SA01', displayName: 'Etablissement public de santé', codeSystem: '1.2.250.1.71.4.2.4' }),
        el('location', {}, el('name', {}, text(m.hostEstablishment?.name ?? options.custodian.name)), el('addr', { nullFlavor: 'NAV' })))))),
  ];

  const dated = (items: { date?: string; text?: string }[] | undefined) => (items ?? []).map((h) => `${h?.date ? `${frDate(h.date)} : ` : ''}${h?.text ?? ''}`);
  const body = [
    reasonSection(data),
    discoverySection(data),
    diagnosisSection(data),
    narrativeOnly(['1.2.250.1.213.1.1.2.2'], '11348-0', 'Antécédents', dated(data.history as { date?: string; text?: string }[])),
    narrativeOnly(['1.2.250.1.213.1.1.2.176'], '11450-4', 'Comorbidités', dated(data.comorbidities as { date?: string; text?: string }[])),
    section(['1.3.6.1.4.1.19376.1.5.3.1.3.27', '1.2.250.1.213.1.1.2.150'], '30954-2', "Résultats d'examens",
      table(['Date', 'Examen', 'Résultat'], (data.examResults ?? []).map((x) => [frDate(x?.date), x?.exam ?? '', x?.result ?? '']))),
    progressionSection(data),
    narrativeOnly(['1.3.6.1.4.1.19376.1.5.3.1.1.13.2.11', '1.2.250.1.213.1.1.2.118'], '29554-3', 'Traitements antérieurs et en cours',
      (data.treatmentsSoFar ?? []).map((t) => `${t?.type ? C.TREATMENT_TYPE[t.type].display : ''}${t?.description ? ` — ${t.description}` : ''}`)),
    summarySection(data, gpAbsence),
    fileStatusSection(data),
    carePlanSection(data),
    basisSection(data, content.study?.title ?? (typeof data.basis?.clinicalTrial?.study === 'object' ? data.basis.clinicalTrial.study.title : undefined)),
    data.patientComment ? narrativeOnly(['2.16.840.1.113883.10.12.201', '1.3.6.1.4.1.19376.1.4.1.2.16', '1.2.250.1.213.1.1.2.73'], '55112-7', 'Commentaires sur le patient', [data.patientComment]) : undefined,
    documentStatusSection(data),
  ];
  return `<?xml version="1.0" encoding="UTF-8"?>\n${el('ClinicalDocument', { xmlns: 'urn:hl7-org:v3', 'xmlns:xsi': 'http://www.w3.org/2001/XMLSchema-instance' },
    ...header, el('component', {}, el('structuredBody', {}, ...body)))}\n`;
}
