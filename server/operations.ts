/**
 * Every FHIR `$operation` of the DCC, in one table: what is routed (server/fhir/operations.ts)
 * and what the CapabilityStatement advertises, each with its OperationDefinition, come from here.
 * Handlers live with their capability; this file only says which one answers which URL.
 */
import type { Config } from './config.ts';
import type { AccessStore } from './store/access-store.ts';
import type { Store } from './store/store.ts';
import { coreOperations, type FhirOperation } from './fhir/index.ts';
import { carePlanOperations } from './care-plan/index.ts';
import { cdaOperations } from './cda/index.ts';
import { patientRecordOperations } from './record/index.ts';
import { rcpSheetOperations } from './rcp-sheet/index.ts';
import { summaryOperation } from './summary/index.ts';

export interface OperationDeps {
  store: Store;
  accessStore: AccessStore;
  config: Pick<Config, 'defaultPageSize' | 'maxPageSize'>;
  /** The clock the summary (overdue surveillance) and the care-programme workflows judge on: tests fix it. */
  clock?: () => Date;
}

export function operationTable(deps: OperationDeps): FhirOperation[] {
  const { store } = deps;
  const core = coreOperations(deps);
  const sheet = rcpSheetOperations(store, { defaultCount: deps.config.defaultPageSize, maxCount: deps.config.maxPageSize });
  const programme = carePlanOperations({ store, ...(deps.clock ? { clock: deps.clock } : {}) });
  const record = patientRecordOperations(store);
  const cda = cdaOperations(store);
  const summary = summaryOperation({ store, ...(deps.clock ? { clock: deps.clock } : {}) });
  return [
    { resource: 'Resource', level: 'type', method: 'POST', code: 'validate', input: 'json', title: 'Valider une ressource (structure, liaisons requises) sans l\'enregistrer', handler: core.validate },
    { resource: 'Resource', level: 'instance', method: 'POST', code: 'validate', input: 'json', title: 'Valider une ressource (structure, liaisons requises) sans l\'enregistrer', handler: core.validate },
    { resource: 'Patient', level: 'instance', method: 'POST', code: 'break-glass', input: 'json', title: 'Accès d\'urgence au dossier, motif obligatoire, tracé et relu', handler: core.breakGlass },
    { resource: 'Patient', level: 'instance', method: 'GET', code: 'break-glass', title: 'Votre accès d\'urgence en cours à ce dossier et sa fin (le vôtre seulement), tracé', handler: core.emergencyAccess },
    { resource: 'Patient', level: 'instance', method: 'GET', code: 'everything', title: 'Le dossier du patient (ressources de son compartiment), _since et _type', handler: record.everything },
    { resource: 'Patient', level: 'instance', method: 'GET', code: 'timeline', title: 'La chronologie du dossier du patient', handler: record.timeline },
    { resource: 'Patient', level: 'instance', method: 'POST', code: 'general-practitioner', input: 'json', title: 'Déclarer le médecin traitant du patient (un médecin généraliste de l\'annuaire ; médecin de l\'équipe de soins ; If-Match)', handler: record.generalPractitioner },
    { resource: 'Patient', level: 'instance', method: 'GET', code: 'summary', title: 'Synthèse pour le médecin traitant, l\'infirmier ou le pharmacien (document, page ou PDF)', handler: summary },
    { resource: 'Patient', level: 'instance', method: 'POST', code: 'cda-import', input: 'xml', title: 'Importer une fiche RCP CDA (FRCP) reçue d\'un autre DCC', handler: cda.importCda },
    { resource: 'Condition', level: 'instance', method: 'POST', code: 'entered-in-error', input: 'json', title: 'Déclarer un diagnostic saisi par erreur (motif obligatoire, tracé ; refusé s\'il figure dans un compte rendu de RCP signé ou fonde un dossier pas encore discuté en RCP)', handler: record.enteredInError },
    { resource: 'Composition', level: 'type', method: 'POST', code: 'rcp-sheet', input: 'json', title: 'Créer une fiche RCP à partir de son JSON', handler: sheet.create },
    { resource: 'Composition', level: 'instance', method: 'GET', code: 'rcp-sheet', title: 'La fiche RCP en JSON, sa version, son état et ce qui manque (?version=n)', handler: sheet.read },
    { resource: 'Composition', level: 'instance', method: 'PUT', code: 'rcp-sheet', input: 'json', title: 'Enregistrer une nouvelle version de la fiche (If-Match ; correctionReason si signée)', handler: sheet.save },
    { resource: 'Composition', level: 'instance', method: 'PATCH', code: 'rcp-sheet', input: 'json', title: 'Remplacer des rubriques de la fiche', handler: sheet.patch },
    { resource: 'Composition', level: 'instance', method: 'GET', code: 'completeness', title: 'Les éléments manquants de la fiche (?stage=session|signature)', handler: sheet.completeness },
    { resource: 'Composition', level: 'instance', method: 'GET', code: 'document', title: 'La fiche RCP en document FHIR (Bundle)', handler: sheet.document },
    { resource: 'Composition', level: 'instance', method: 'GET', code: 'render', title: 'La fiche RCP imprimable (?format=html|pdf)', handler: sheet.render },
    { resource: 'Composition', level: 'instance', method: 'POST', code: 'sign', input: 'json', title: 'Signer le compte rendu de RCP (médecin ; If-Match)', handler: sheet.sign },
    { resource: 'Composition', level: 'instance', method: 'GET', code: 'cda', title: 'Le compte rendu signé en CDA R2 (FRCP)', handler: cda.compositionCda },
    { resource: 'CarePlan', level: 'instance', method: 'POST', code: 'build-pps', input: 'json', title: 'Établir le PPS à partir de la décision de RCP', handler: programme.buildPps },
    { resource: 'CarePlan', level: 'instance', method: 'POST', code: 'hand-over', input: 'json', title: 'Remettre le programme au patient (date, par qui, partage avec le médecin traitant)', handler: programme.handOver },
    { resource: 'CarePlan', level: 'instance', method: 'POST', code: 'start-ppac', input: 'json', title: 'Établir le PPAC à la fin du traitement actif', handler: programme.startPpac },
    { resource: 'CarePlan', level: 'instance', method: 'GET', code: 'render', title: 'Le PPS ou le PPAC imprimable pour le patient (?format=html|pdf)', handler: programme.render },
    { resource: 'CarePlan', level: 'instance', method: 'GET', code: 'cda', title: 'Le PPS remis en CDA R2', handler: cda.carePlanCda },
  ];
}
