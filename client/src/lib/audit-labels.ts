/**
 * What a line of the audit trail is about, in the security officer's words: the trail records FHIR
 * resource types and REST interactions ("Composition", "search-type"), which showed raw in the
 * "Objet" column and in the CSV. No relative import: the mocha unit tests load this file directly.
 * Roles are not here: the trail names them as every page does (`roleLabel`, lib/roles.ts).
 */

const RESOURCE_LABEL: Record<string, string> = {
  Patient: 'Identité du patient',
  Condition: 'Diagnostic',
  Observation: 'Examen ou mesure (stade, score…)',
  Procedure: 'Acte',
  Composition: 'Document (fiche RCP, synthèse…)',
  DocumentReference: 'Document joint',
  Binary: 'Fichier',
  CarePlan: 'Programme de soins (PPS, PPAC, décision de RCP)',
  MedicationRequest: 'Traitement médicamenteux',
  RequestGroup: 'Protocole de traitement',
  ServiceRequest: 'Demande (inscription en RCP, prescription)',
  Task: 'Suivi du dossier en RCP',
  Appointment: 'Rendez-vous ou séance de RCP',
  List: 'Ordre du jour',
  CareTeam: 'Équipe de soins',
  Consent: 'Consentement ou opposition',
  Provenance: 'Signature',
  ResearchSubject: 'Inclusion dans un essai clinique',
  AuditEvent: "Journal d'accès",
};

/** The REST interaction of a trace without objects (a search that found nothing, a history). */
const INTERACTION_LABEL: Record<string, string> = {
  read: 'Lecture',
  vread: "Lecture d'une version",
  'search-type': 'Recherche',
  'search-system': 'Recherche',
  'history-instance': 'Historique',
  'history-type': 'Historique',
  'history-system': 'Historique',
  create: 'Création',
  update: 'Modification',
  patch: 'Modification',
  delete: 'Suppression',
  operation: 'Opération',
};

/** "Diagnostic", "Document (fiche RCP, synthèse…)"; an unknown type is named as it is rather than hidden. */
export function auditObjectLabel(resourceType: string): string {
  return RESOURCE_LABEL[resourceType] ?? resourceType;
}

/** A subtype code or display as words ("search-type" → "Recherche"); other displays are kept. */
export function auditSubtypeLabel(subtype: string): string {
  return INTERACTION_LABEL[subtype] ?? subtype;
}
