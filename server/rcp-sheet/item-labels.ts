/**
 * The French name of each item of the RCP sheet's JSON, for the messages a physician reads: the
 * form shows the server's text as it comes, so the text names the field as the form's label does
 * ("Édition de la classification UICC"), and the path stays in `expression` for programs.
 * `[]` stands for a list index; `{n}` in a label is that index counted from 1 ("examen 2").
 */

const PROFESSIONAL_FIELDS: Record<string, string> = {
  name: 'Nom', idnps: 'IDNPS', practitioner: 'Fiche annuaire', speciality: 'Spécialité', organization: 'Établissement', inQuorum: 'Membre du quorum',
};

/** A professional item and its fields: "Médecin demandeur", "Nom (médecin demandeur)"… */
function professional(path: string, label: string): [string, string][] {
  return [[path, label], ...Object.entries(PROFESSIONAL_FIELDS).map(([key, field]): [string, string] => [`${path}.${key}`, `${field} (${label.toLowerCase()})`])];
}

/** A list item and its fields, as the form's rows label them: "Résultat (examen 2)". */
function rows(path: string, item: string, fields: Record<string, string>): [string, string][] {
  return [[`${path}[]`, `${item} {n}`], ...Object.entries(fields).map(([key, field]): [string, string] => [`${path}[].${key}`, `${field} (${item.toLowerCase()} {n})`])];
}

const LABELS = new Map<string, string>([
  ['fiche', 'Fiche RCP'],
  ['patient', 'Patient'],
  ...professional('author', 'Médecin coordonnateur, auteur de la fiche'),
  ...professional('coordinator', 'Coordonnateur de la RCP'),
  ...professional('requester', 'Médecin demandeur'),
  ...professional('presenter', 'Médecin présentateur'),
  ...professional('generalPractitioner', 'Médecin traitant'),
  ['generalPractitioner.unknown', 'Médecin traitant inconnu'],
  ['generalPractitioner.comment', 'Commentaire sur le médecin traitant'],
  ['participants', 'Participants'],
  ...professional('participants[]', 'Participant {n}'),

  ['meeting', 'Séance de RCP'],
  ['meeting.rcpName', 'Nom de la RCP'],
  ['meeting.date', 'Date de la séance'],
  ['meeting.mode', 'Mode de réunion'],
  ['meeting.registrationNumber', 'Numéro d’inscription du dossier'],
  ['meeting.rrcId', 'Identifiant du réseau régional de cancérologie'],
  ['meeting.threeCId', 'Identifiant du 3C'],
  ['meeting.rcpId', 'Identifiant de la RCP'],
  ['meeting.sessionId', 'Identifiant de la séance'],
  ['meeting.board', 'RCP'],
  ['meeting.session', 'Séance'],
  ['meeting.hostEstablishment', 'Établissement hôte'],
  ['meeting.hostEstablishment.finess', 'FINESS de l’établissement hôte'],
  ['meeting.hostEstablishment.name', 'Nom de l’établissement hôte'],
  ['meeting.hostEstablishment.organization', 'Établissement hôte (annuaire)'],

  ['reason', 'Motif de la RCP'],
  ['reason.nature', 'Nature de la RCP'],
  ['reason.organSystem', 'Appareil concerné'],
  ['reason.organ', 'Organe concerné'],
  ['reason.transversalType', 'Type de RCP transversale'],
  ['reason.recours', 'RCP de recours'],
  ['reason.paediatric', 'RCP pédiatrique'],
  ['reason.motifs', 'Motif'],
  ['reason.motifs[]', 'Motif {n}'],
  ['reason.caseStatus', 'Statut du cas présenté'],
  ['reason.comment', 'Commentaire sur le motif'],

  ['discovery', 'Circonstances de découverte'],
  ['discovery.byScreening', 'Découvert lors d’un dépistage'],
  ['discovery.comment', 'Circonstances (précisions)'],

  ['diagnosis', 'Diagnostic'],
  ['diagnosis.condition', 'Diagnostic du dossier'],
  ['diagnosis.date', 'Date du diagnostic'],
  ['diagnosis.morphology', 'Morphologie (CIM-O-3)'],
  ['diagnosis.topography', 'Topographie (CIM-10)'],
  ['diagnosis.laterality', 'Latéralité'],
  ['diagnosis.tnm', 'Stade TNM'],
  ['diagnosis.tnm.t', 'T (stade TNM)'],
  ['diagnosis.tnm.n', 'N (stade TNM)'],
  ['diagnosis.tnm.m', 'M (stade TNM)'],
  ['diagnosis.tnm.stage', 'Stade (TNM)'],
  ['diagnosis.tnm.edition', 'Édition de la classification UICC'],
  ['diagnosis.tnm.date', 'Date du stade TNM'],
  ['diagnosis.otherStaging', 'Autre classification'],
  ['diagnosis.otherStaging.name', 'Nom de l’autre classification'],
  ['diagnosis.otherStaging.version', 'Version de l’autre classification'],
  ['diagnosis.otherStaging.stage', 'Stade (autre classification)'],
  ['diagnosis.comment', 'Commentaire sur le diagnostic'],

  ['history', 'Antécédents'],
  ...rows('history', 'Antécédent', { date: 'Date', text: 'Antécédent' }),
  ['comorbidities', 'Comorbidités'],
  ...rows('comorbidities', 'Comorbidité', { date: 'Date', text: 'Comorbidité' }),

  ['performanceStatus', 'État général'],
  ['performanceStatus.who', 'Score OMS'],
  ['performanceStatus.date', 'Date d’évaluation du score OMS'],
  ['geriatricScreening', 'Dépistage gériatrique'],
  ['geriatricScreening.tool', 'Outil de dépistage gériatrique'],
  ['geriatricScreening.score', 'Score du dépistage gériatrique'],
  ['geriatricScreening.date', 'Date du dépistage gériatrique'],
  ['geriatricScreening.interpretation', 'Interprétation du dépistage gériatrique'],
  ['pain', 'Douleur'],
  ['pain.score', 'Score de douleur'],
  ['pain.description', 'Description de la douleur'],
  ['pain.date', 'Date d’évaluation de la douleur'],

  ['examResults', 'Examens et résultats'],
  ...rows('examResults', 'Examen', { date: 'Date', exam: 'Examen', result: 'Résultat' }),

  ['phase', 'Phase et évolution de la maladie'],
  ['phase.phase', 'Phase'],
  ['phase.date', 'Date de la rechute ou de l’évaluation'],
  ['phase.progression', 'Progression'],
  ['phase.progression.local', 'Progression locale'],
  ['phase.progression.regional', 'Progression régionale'],
  ['phase.progression.distant', 'Progression à distance'],
  ['phase.comment', 'Commentaire sur l’évolution'],

  ['treatmentsSoFar', 'Traitements déjà reçus'],
  ...rows('treatmentsSoFar', 'Traitement', { type: 'Type', description: 'Description', status: 'Statut', start: 'Début', end: 'Fin' }),
  ['otherReports', 'Autres comptes rendus'],
  ...rows('otherReports', 'Compte rendu', { kind: 'Type', date: 'Date', author: 'Auteur', conclusion: 'Conclusion' }),

  ['summary', 'Synthèse du cas présenté'],
  ['question', 'Question posée à la RCP'],
  ['otherData', 'Autres informations utiles'],
  ['patientComment', 'Commentaire du patient'],

  ['fileStatus', 'Statut du dossier'],
  ['fileStatus.complete', 'Dossier complet (oui / non)'],
  ['fileStatus.quorum', 'Quorum'],
  ['fileStatus.comment', 'Commentaire sur le dossier'],

  ['proposal', 'Proposition de la RCP'],
  ['proposal.treatments', 'Traitements proposés'],
  ...rows('proposal.treatments', 'Traitement proposé', { intention: 'Intention', sequence: 'Ordre', type: 'Type', detail: 'Détail', start: 'Début', end: 'Fin' }),
  ['proposal.exams', 'Examens demandés'],
  ...rows('proposal.exams', 'Examen demandé', { description: 'Description', earliest: 'Au plus tôt', latest: 'Au plus tard' }),
  ['proposal.surveillance', 'Surveillance'],
  ['proposal.surveillance.description', 'Surveillance (description)'],
  ['proposal.recoursReferral', 'Passage en RCP de recours'],
  ['proposal.recoursReferral.description', 'Passage en RCP de recours (description)'],
  ['proposal.comment', 'Commentaire sur la proposition'],

  ['basis', 'Fondement de la proposition'],
  ['basis.guideline', 'Référentiel'],
  ['basis.guideline.name', 'Nom du référentiel'],
  ['basis.guideline.version', 'Version du référentiel'],
  ['basis.guideline.date', 'Date du référentiel'],
  ['basis.followsGuideline', 'Proposition conforme au référentiel'],
  ['basis.deviationReason', 'Motif de l’écart au référentiel'],
  ['basis.clinicalTrial', 'Essai clinique'],
  ['basis.clinicalTrial.proposed', 'Essai clinique proposé (oui / non)'],
  ['basis.clinicalTrial.comment', 'Commentaire sur l’essai clinique'],
  ['basis.clinicalTrial.study', 'Étude proposée'],
  ['basis.clinicalTrial.study.title', 'Titre de l’étude'],
  ['basis.clinicalTrial.study.identifier', 'Identifiant de l’étude'],
  ['basis.clinicalTrial.study.identifier.value', 'Identifiant de l’étude'],
  ['basis.clinicalTrial.study.phase', 'Phase de l’étude'],
  ['basis.clinicalTrial.study.sponsor', 'Promoteur de l’étude'],
  ['basis.clinicalTrial.study.description', 'Description de l’étude'],
  ['basis.comment', 'Commentaire sur le fondement'],

  ['documentStatus', 'Statut du document'],
]);

/** The parts of a coded value: named by the value itself ("Morphologie (CIM-O-3) : code … attendu"). */
const CODED_PART = /\.(display|code|system)$/;

/**
 * The French name of an item path ('examResults[1].result' → 'Résultat (examen 2)'); the path
 * itself when the sheet has no such item (a message must still say where).
 */
export function rcpSheetItemLabel(path: string): string {
  const indices: number[] = [];
  const generic = path.replace(/\[(\d+)\]/g, (_m, i: string) => {
    indices.push(Number(i));
    return '[]';
  });
  const label = LABELS.get(generic) ?? (CODED_PART.test(generic) ? LABELS.get(generic.replace(CODED_PART, '')) : undefined);
  if (!label) return path;
  // A field of a row carries the row's number; the innermost list is the one the label counts.
  const n = indices.length ? indices[indices.length - 1]! + 1 : undefined;
  return n === undefined ? label : label.replaceAll('{n}', String(n));
}

/** 'a, b ou c': a French list of the values a field accepts. */
export function frenchList(values: readonly (string | number)[]): string {
  return values.length < 2 ? values.join('') : `${values.slice(0, -1).join(', ')} ou ${values[values.length - 1]}`;
}
