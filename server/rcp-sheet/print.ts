/**
 * What the RCP sheet says, laid out for a reader: French labels, dates as a GP reads them, one
 * model rendered three ways (section narratives in the Composition, HTML page, PDF).
 */
import type { Patient, Reference } from '@medplum/fhirtypes';
import {
  CASE_STATUS, DOCUMENT_STATUS, LATERALITY, MEETING_MODE, MOTIF, NATURE, PHASE, QUORUM, SECTION, TNM_EDITION, TREATMENT_TYPE, WHO_PERFORMANCE,
  type SectionKey,
} from './codes.ts';
import type { DeepPartial, Professional, RcpSheetInput } from './input.ts';
import type { RcpSheetContent } from './read.ts';
import { tnmStageLabel } from './tnm.ts';
import { identityStatusOf, INS_SYSTEMS, mayShareIns, patientDisplayName, printedPatientIdentity, usedFamilyName } from '../identity/index.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import { numericDate, printedDateTime } from '../fhir-kit/french-dates.ts';
import { specialityName } from '../fhir-kit/speciality-name.ts';

export type Block =
  | { kind: 'fields'; rows: [string, string][] }
  | { kind: 'table'; head: string[]; rows: string[][] }
  | { kind: 'text'; label?: string; text: string };

export interface PrintSection {
  key: SectionKey | 'header';
  title: string;
  blocks: Block[];
  subsections?: PrintSection[];
}

const NOT_GIVEN = 'Non renseigné';
export const SURVEILLANCE_AFTER_TREATMENT = 'Surveillance après le traitement';

/**
 * "Surveillance seule" is a proposal of its own: surveillance with no treatment proposed first. Derived
 * from the proposals, never taken from a flag, so the printed report cannot contradict the decision.
 */
export function isSurveillanceOnly(p: DeepPartial<RcpSheetInput['proposal']> | undefined): boolean {
  return Boolean(p?.surveillance) && !(p?.treatments ?? []).some((t) => (t?.intention ?? 1) === 1);
}
const yesNo = (v: boolean | undefined) => (v === undefined ? NOT_GIVEN : v ? 'Oui' : 'Non');

const period = (start?: string, end?: string) => (start && end ? `du ${numericDate(start)} au ${numericDate(end)}` : start ? `à partir du ${numericDate(start)}` : end ? `jusqu'au ${numericDate(end)}` : '');
const coded = (c: { code?: string; display?: string } | undefined) => (c ? [c.code, c.display].filter(Boolean).join(' — ') : '');
const fields = (rows: [string, string | undefined][]): Block | undefined => {
  const kept = rows.filter((r): r is [string, string] => Boolean(r[1]));
  return kept.length ? { kind: 'fields', rows: kept } : undefined;
};
const compact = (blocks: (Block | undefined)[]): Block[] | undefined => {
  const kept = blocks.filter((b): b is Block => Boolean(b));
  return kept.length ? kept : undefined;
};

/** The blocks of one section, or undefined when the sheet says nothing there. */
export function sectionBlocks(key: SectionKey, content: RcpSheetContent): Block[] | undefined {
  const d = content.data;
  switch (key) {
    case 'reason': {
      const r = d.reason;
      if (!r) return undefined;
      return compact([fields([
        ['Nature de la RCP', r.nature ? NATURE[r.nature].display : undefined],
        ['Appareil concerné', r.organSystem?.display],
        ['Organe', r.organ?.display],
        ['Type de prise en charge (RCP transversale)', r.transversalType?.display],
        ['RCP de recours', r.recours === undefined ? undefined : yesNo(r.recours)],
        ['RCP pédiatrique', r.paediatric === undefined ? undefined : yesNo(r.paediatric)],
        ['Motif de la RCP', r.motifs?.length ? r.motifs.map((m) => (m ? MOTIF[m].display : '')).join(' ; ') : undefined],
        ['Statut du cas présenté', r.caseStatus ? CASE_STATUS[r.caseStatus].display : undefined],
        ['Commentaire', r.comment],
      ])]);
    }
    case 'discovery':
      return d.discovery ? compact([fields([['Découverte lors d’un dépistage', yesNo(d.discovery.byScreening)], ['Circonstances', d.discovery.comment]])]) : undefined;
    case 'diagnosis': {
      const g = d.diagnosis;
      if (!g) return undefined;
      const t = g.tnm;
      const tnm = t && ([t.t, t.n, t.m].some(Boolean) || t.stage)
        ? `${[t.t, t.n, t.m].filter(Boolean).join(' ')}${t.stage ? ` — stade ${t.stage}` : ''}${t.edition ? ` (${TNM_EDITION[t.edition].display})` : ' (édition non précisée)'}`
        : undefined;
      const other = g.otherStaging ? `${g.otherStaging.name ?? ''}${g.otherStaging.version ? ` ${g.otherStaging.version}` : ''} : ${g.otherStaging.stage ?? ''}` : undefined;
      return compact([fields([
        ['Date du diagnostic', numericDate(g.date)],
        ['Topographie (CIM-10)', coded(g.topography)],
        ['Morphologie (CIM-O-3)', coded(g.morphology)],
        ['Latéralité', g.laterality ? LATERALITY[g.laterality].display : undefined],
        // Named by its prefixes (cT3 clinical, pT3 pathological): after surgery the sheet gives the pTNM.
        [tnmStageLabel(t), tnm],
        ['Autre classification', other],
        ['Commentaire', g.comment],
      ])]);
    }
    case 'history':
    case 'comorbidities': {
      const items = d[key];
      if (!items?.length) return undefined;
      return [{ kind: 'table', head: ['Date', key === 'history' ? 'Antécédent' : 'Comorbidité'], rows: items.map((h) => [numericDate(h?.date), h?.text ?? '']) }];
    }
    case 'functionalStatus': {
      const blocks = (['performance', 'geriatric', 'pain'] as SectionKey[]).flatMap((k) => sectionBlocks(k, content) ?? []);
      return blocks.length ? blocks : undefined;
    }
    case 'performance': {
      const p = d.performanceStatus;
      if (!p) return undefined;
      return compact([fields([['Indice de performance OMS', p.who !== undefined ? `${p.who} — ${WHO_PERFORMANCE[p.who].text}` : NOT_GIVEN], ['Évalué le', numericDate(p.date)]])]);
    }
    case 'geriatric': {
      const g = d.geriatricScreening;
      if (!g) return undefined;
      return compact([fields([['Dépistage gériatrique', g.tool], ['Score', g.score !== undefined ? String(g.score) : undefined], ['Interprétation', g.interpretation], ['Date', numericDate(g.date)]])]);
    }
    case 'pain': {
      const p = d.pain;
      if (!p) return undefined;
      return compact([fields([['Douleur (échelle 0 à 10)', p.score !== undefined ? `${p.score}/10` : undefined], ['Description', p.description], ['Date', numericDate(p.date)]])]);
    }
    case 'exams':
      return d.examResults?.length ? [{ kind: 'table', head: ['Date', 'Examen', 'Résultat'], rows: d.examResults.map((e) => [numericDate(e?.date), e?.exam ?? '', e?.result ?? '']) }] : undefined;
    case 'phase': {
      const p = d.phase;
      if (!p) return undefined;
      const g = p.progression;
      return compact([fields([
        ['Phase', p.phase ? (p.phase === 'relapse' ? `${PHASE.relapse.display}${p.date ? ` (${numericDate(p.date)})` : ''}` : PHASE.initial.display) : undefined],
        ['Progression locale', g ? yesNo(g.local) : undefined],
        ['Progression régionale', g ? yesNo(g.regional) : undefined],
        ['Progression à distance', g ? yesNo(g.distant) : undefined],
        ['Commentaire', p.comment],
      ])]);
    }
    case 'treatments': {
      const items = d.treatmentsSoFar;
      if (!items?.length) return undefined;
      const status = { completed: 'Réalisé', 'in-progress': 'En cours', 'not-done': 'Non réalisé' } as const;
      return [{ kind: 'table', head: ['Traitement', 'Précision', 'Statut', 'Période'], rows: items.map((t) => [t?.type ? TREATMENT_TYPE[t.type].display ?? '' : '', t?.description ?? '', t?.status ? status[t.status] : '', period(t?.start, t?.end)]) }];
    }
    case 'operative':
    case 'pathology':
    case 'molecular': {
      const items = d.otherReports?.filter((r) => r?.kind === key);
      if (!items?.length) return undefined;
      return [{ kind: 'table', head: ['Date', 'Auteur', 'Conclusion'], rows: items.map((r) => [numericDate(r?.date), r?.author ?? '', r?.conclusion ?? '']) }];
    }
    case 'summary':
      return compact([
        d.summary ? { kind: 'text', label: 'Synthèse du cas présenté', text: d.summary } : undefined,
        d.question ? { kind: 'text', label: 'Question posée à la RCP', text: d.question } : undefined,
        d.otherData ? { kind: 'text', label: "Autres données indispensables à l'avis de la RCP", text: d.otherData } : undefined,
      ]);
    case 'fileStatus': {
      const f = d.fileStatus;
      if (!f) return undefined;
      return compact([fields([['Dossier complet', yesNo(f.complete)], ['Quorum', f.quorum ? QUORUM[f.quorum].display : NOT_GIVEN], ['Commentaire', f.comment]])]);
    }
    case 'proposal': {
      const p = d.proposal;
      if (!p) return undefined;
      const treatments = [...(p.treatments ?? [])].sort((a, b) => (a?.intention ?? 0) - (b?.intention ?? 0) || (a?.sequence ?? 0) - (b?.sequence ?? 0));
      return compact([
        treatments.length ? {
          kind: 'table',
          head: ['Intention', 'Ordre', 'Traitement proposé', 'Précision', 'Période prévue'],
          rows: treatments.map((t) => [
            t?.intention === 1 ? '1 (première intention)' : t?.intention ? `${t.intention} (alternative)` : '',
            t?.sequence !== undefined ? String(t.sequence) : '',
            t?.type ? TREATMENT_TYPE[t.type].display ?? '' : '',
            t?.detail ?? '',
            period(t?.start, t?.end),
          ]),
        } : undefined,
        p.exams?.length ? { kind: 'table', head: ['Examen ou expertise complémentaire', 'Au plus tôt', 'Au plus tard'], rows: p.exams.map((e) => [e?.description ?? '', numericDate(e?.earliest), numericDate(e?.latest)]) } : undefined,
        fields([
          isSurveillanceOnly(p)
            ? ['Surveillance seule', `Oui${p.surveillance?.description ? ` — ${p.surveillance.description}` : ''}`]
            : [SURVEILLANCE_AFTER_TREATMENT, p.surveillance ? p.surveillance.description ?? 'Oui' : undefined],
          ['Passage en RCP de recours', p.recoursReferral ? `Oui${p.recoursReferral.description ? ` — ${p.recoursReferral.description}` : ''}` : undefined],
        ]),
        p.comment ? { kind: 'text', label: 'Commentaire de la RCP', text: p.comment } : undefined,
      ]);
    }
    case 'basis': {
      const b = d.basis;
      if (!b) return undefined;
      const g = b.guideline;
      const stored = content.study;
      const study = typeof b.clinicalTrial?.study === 'string' && stored
        ? { title: stored.title, identifier: { value: stored.identifier?.[0]?.value }, phase: stored.phase?.text ?? stored.phase?.coding?.[0]?.display, sponsor: stored.sponsor?.display }
        : b.clinicalTrial?.study;
      const studyText = typeof study === 'string' ? study : study
        ? [study.title, study.identifier?.value ? `(${study.identifier.value})` : '', study.phase ? `— ${trialPhaseLabel(study.phase)}` : '', study.sponsor ? `— promoteur : ${study.sponsor}` : ''].filter(Boolean).join(' ')
        : undefined;
      return compact([fields([
        ['Référentiel utilisé', g ? [g.name, g.version ? `version ${g.version}` : '', g.date ? `du ${numericDate(g.date)}` : ''].filter(Boolean).join(', ') : undefined],
        ['Proposition conforme au référentiel', b.followsGuideline === undefined ? undefined : yesNo(b.followsGuideline)],
        ["Motif de l'écart au référentiel", b.deviationReason],
        ["Proposition d'inclusion dans un essai clinique", b.clinicalTrial ? yesNo(b.clinicalTrial.proposed) : undefined],
        ['Essai clinique', studyText],
        ['Commentaire', b.clinicalTrial?.comment],
      ])]);
    }
    case 'patientComment':
      return d.patientComment ? [{ kind: 'text', text: d.patientComment }] : undefined;
    case 'documentStatus': {
      const s = content.signature;
      return compact([fields([
        ['Statut du document', DOCUMENT_STATUS[d.documentStatus ?? 'in-progress'].display],
        ['Date', printedDateTime(content.composition.date)],
        ['Signature', s ? `Signé par ${s.party.display ?? s.party.reference ?? ''}${s.time ? ` le ${printedDateTime(s.time)}` : ''}` : 'Non signé'],
        ['Correction', content.correction?.reason ? `Version corrigée — motif : ${content.correction.reason}` : undefined],
      ])]);
    }
  }
}

// ---------------------------------------------------------------------------------------------
// Narrative (XHTML of Composition.section.text)
// ---------------------------------------------------------------------------------------------


const multiline = (text: string) => escapeHtml(text).split(/\r?\n/).join('<br/>');

/** Blocks as XHTML (narrative-safe subset: p, table, b, br). */
export function blocksToXhtml(blocks: Block[]): string {
  return blocks.map((b) => {
    if (b.kind === 'fields') return `<table>${b.rows.map(([k, v]) => `<tr><th>${escapeHtml(k)}</th><td>${multiline(v)}</td></tr>`).join('')}</table>`;
    if (b.kind === 'table') {
      return `<table><thead><tr>${b.head.map((h) => `<th>${escapeHtml(h)}</th>`).join('')}</tr></thead><tbody>${b.rows.map((r) => `<tr>${r.map((c) => `<td>${multiline(c)}</td>`).join('')}</tr>`).join('')}</tbody></table>`;
    }
    return `${b.label ? `<p><b>${escapeHtml(b.label)}</b></p>` : ''}<p>${multiline(b.text)}</p>`;
  }).join('');
}

export function sectionNarrative(key: SectionKey, content: RcpSheetContent): string | undefined {
  const blocks = sectionBlocks(key, content);
  return blocks ? `<div xmlns="http://www.w3.org/1999/xhtml">${blocksToXhtml(blocks)}</div>` : undefined;
}

// ---------------------------------------------------------------------------------------------
// The printed sheet
// ---------------------------------------------------------------------------------------------

export interface PrintableSheet {
  title: string;
  subtitle: string;
  /** Banner for a draft or a correction ("Document non signé"…). */
  banner?: string;
  patientName: string;
  /** Printed on every page: birth name, first names, birth date (printedPatientIdentity). */
  patientIdentity: string;
  header: PrintSection[];
  sections: PrintSection[];
  signature: string;
}

function patientBlock(patient: Patient | undefined, fallback: Reference | undefined): { name: string; identity: string; block: Block } {
  if (!patient) {
    const named = fallback?.display ?? 'Patient';
    return { name: named, identity: named, block: { kind: 'fields', rows: [['Patient', fallback?.display ?? fallback?.reference ?? NOT_GIVEN]] } };
  }
  // The birth name as the server shows it everywhere; the footer once took the used name instead.
  const birthName = patient.name?.length ? patientDisplayName(patient) : '';
  // The shared used-name rule: this box once printed « CASTELLANI Hélène » as a used name because
  // its first names differed from the birth name's, while the PPS and the pages showed none.
  const usedName = usedFamilyName(patient);
  const status = identityStatusOf(patient);
  const ins = mayShareIns(status) ? patient.identifier?.find((i) => i.system && INS_SYSTEMS.includes(i.system))?.value : undefined;
  const ipp = patient.identifier?.find((i) => i.type?.coding?.some((c) => c.code === 'PI'))?.value;
  const gender = { male: 'Masculin', female: 'Féminin', other: 'Autre', unknown: 'Inconnu' }[patient.gender ?? 'unknown'];
  const birthPlace = patient.extension?.find((e) => e.url === 'http://hl7.org/fhir/StructureDefinition/patient-birthPlace')?.valueAddress?.city;
  return {
    name: birthName || 'Patient',
    identity: printedPatientIdentity(patient),
    block: fields([
      ['Nom et prénoms de naissance', birthName || NOT_GIVEN],
      ['Nom utilisé', usedName],
      ['Sexe', gender],
      ['Date de naissance', numericDate(patient.birthDate)],
      ['Lieu de naissance', birthPlace],
      ['INS (identité qualifiée)', ins],
      ['IPP', ipp],
    ])!,
  };
}

/**
 * The session as the sheet records it: its national identifier when the RCP's software gave one, and
 * the DCC's own (the Appointment the workflow registered the case on), by which the 3C finds the
 * meeting. A report signed through the workflow printed « séance — » and no way to find it.
 */
function sessionIdentifier(m: DeepPartial<RcpSheetInput['meeting']>): string | undefined {
  const dcc = /^Appointment\/([^/]+)$/.exec(m.session ?? '')?.[1];
  return [m.sessionId, dcc ? `${dcc} (DCC)` : undefined].filter(Boolean).join(' — ') || undefined;
}

function professionalRow(role: string, p: DeepPartial<Professional> | undefined, quorum?: boolean): string[] {
  // Named as the pages name it (« Oncologie, option médicale », not the directory's « … (SM) »).
  return [role, p?.name ?? NOT_GIVEN, p?.speciality?.display ? specialityName(p.speciality.display) : '', p?.idnps ?? '', quorum === undefined ? '' : quorum ? 'Oui' : 'Non'];
}

export function printableSheet(content: RcpSheetContent): PrintableSheet {
  const d = content.data;
  const m = d.meeting ?? {};
  const patient = patientBlock(content.patient, content.composition.subject);
  const gp = d.generalPractitioner;
  const gpRow = gp && 'unknown' in gp && gp.unknown ? ['Médecin traitant', 'Inconnu (aucun médecin traitant déclaré)', '', '', ''] : professionalRow('Médecin traitant', gp as DeepPartial<Professional> | undefined);
  // The author's speciality is known from the participants when the author took part.
  const same = (a: DeepPartial<Professional> | undefined, b: DeepPartial<Professional> | undefined) =>
    Boolean(a && b && ((a.practitioner && a.practitioner === b.practitioner) || (a.idnps && a.idnps === b.idnps)));
  const author = d.author && !d.author.speciality ? { ...d.author, speciality: [d.coordinator, d.requester, d.presenter, ...(d.participants ?? [])].find((p) => same(p, d.author) && p?.speciality)?.speciality } : d.author;
  const professionals: string[][] = [
    professionalRow('Médecin coordonnateur (auteur)', author),
    ...(d.coordinator ? [professionalRow('Coordonnateur 3C', d.coordinator)] : []),
    ...(d.requester ? [professionalRow('Médecin demandeur', d.requester)] : []),
    ...(d.presenter ? [professionalRow('Médecin présentateur', d.presenter)] : []),
    gpRow,
    ...(d.participants ?? []).map((p) => professionalRow('Participant', p, p?.inQuorum)),
  ];
  const meeting = fields([
    ['RCP', m.rcpName],
    ['Date de la réunion', printedDateTime(m.date)],
    ['Mode', m.mode ? MEETING_MODE[m.mode].display : undefined],
    ['Établissement hôte', m.hostEstablishment ? `${m.hostEstablishment.name ?? ''}${m.hostEstablishment.finess ? ` (FINESS ${m.hostEstablishment.finess})` : ''}` : undefined],
    ['Identifiant de la séance', sessionIdentifier(m)],
    ["N° d'inscription dans la séance", m.registrationNumber],
    ['Identifiants RRC / 3C / RCP', [m.rrcId, m.threeCId, m.rcpId].some(Boolean) ? [m.rrcId ?? '—', m.threeCId ?? '—', m.rcpId ?? '—'].join(' / ') : undefined],
  ]);
  const header: PrintSection[] = [
    { key: 'header', title: 'Patient', blocks: [patient.block] },
    ...(meeting ? [{ key: 'header' as const, title: 'Réunion de concertation pluridisciplinaire', blocks: [meeting] }] : []),
    { key: 'header', title: 'Professionnels', blocks: [{ kind: 'table', head: ['Rôle', 'Nom', 'Spécialité', 'IDNPS', 'Quorum'], rows: professionals }] },
  ];
  const order: SectionKey[] = ['reason', 'discovery', 'diagnosis', 'history', 'comorbidities', 'functionalStatus', 'exams', 'phase', 'treatments', 'operative', 'pathology', 'molecular', 'summary', 'fileStatus', 'proposal', 'basis', 'patientComment', 'documentStatus'];
  const required = new Set<SectionKey>(['reason', 'discovery', 'diagnosis', 'phase', 'summary', 'fileStatus', 'proposal', 'basis', 'documentStatus']);
  const sections: PrintSection[] = [];
  for (const key of order) {
    if (key === 'functionalStatus') {
      const subsections = (['performance', 'geriatric', 'pain'] as SectionKey[]).map((k) => ({ key: k, title: SECTION[k].title, blocks: sectionBlocks(k, content) ?? [] })).filter((s) => s.blocks.length);
      if (subsections.length) sections.push({ key, title: SECTION[key].title, blocks: [], subsections });
      continue;
    }
    const blocks = sectionBlocks(key, content);
    if (blocks) sections.push({ key, title: SECTION[key].title, blocks });
    else if (required.has(key)) sections.push({ key, title: SECTION[key].title, blocks: [{ kind: 'text', text: NOT_GIVEN }] });
  }
  const s = content.signature;
  const signature = s
    ? `Document signé électroniquement par ${s.party.display ?? s.party.reference ?? ''}${s.time ? ` le ${printedDateTime(s.time)}` : ''}.`
    : 'Document non signé : version de travail, sans valeur de compte rendu.';
  const banner = !s
    ? content.correction ? 'CORRECTION EN COURS — NON SIGNÉE' : 'BROUILLON — NON SIGNÉ'
    : content.correction?.reason ? `Version corrigée — motif : ${content.correction.reason}` : undefined;
  return {
    title: s ? 'Compte rendu de réunion de concertation pluridisciplinaire' : 'Fiche de réunion de concertation pluridisciplinaire',
    // Which meeting, under the title: board, day (in Paris) and the case's number on its agenda.
    subtitle: [m.rcpName, m.date ? `réunion du ${numericDate(m.date)}` : '', m.registrationNumber ? `dossier n° ${m.registrationNumber}` : ''].filter(Boolean).join(' — '),
    ...(banner ? { banner } : {}),
    patientName: patient.name,
    patientIdentity: patient.identity,
    header,
    sections,
    signature,
  };
}

/** Trial phases as a reader expects them ("phase-3", the FHIR research-study-phase code, prints "Phase 3"). */
const TRIAL_PHASES: Record<string, string> = {
  'n-a': 'Phase sans objet', 'early-phase-1': 'Phase précoce (0)', 'phase-1': 'Phase 1', 'phase-1-phase-2': 'Phase 1/2',
  'phase-2': 'Phase 2', 'phase-2-phase-3': 'Phase 2/3', 'phase-3': 'Phase 3', 'phase-4': 'Phase 4',
};

export function trialPhaseLabel(phase: string): string {
  return TRIAL_PHASES[phase.trim().toLowerCase()] ?? phase;
}

