/**
 * The PPS / PPAC as a FHIR document (Bundle type `document`), for GP software and for the push to an
 * external repository: a Composition whose sections carry the same French text as the printed
 * programme (printableCarePlan: one wording for paper, PDF and FHIR), then the Patient (INS only for
 * a qualified identity), the CarePlan, its CareTeams, oral MedicationRequests, the cancers addressed
 * and the directory entries they reference.
 *
 * Same approach as the signed RCP report's $document (server/rcp-sheet/document.ts): reads go
 * through the caller's repository (access rules and audit trail apply) and the Bundle identifier is
 * a UUID derived from the source and its version, so a CarePlan version is always the same
 * document (an idempotent push), and a new version a new one.
 */
import type {
  Bundle, BundleEntry, CarePlan, CareTeam, Composition, CompositionSection, Condition, MedicationRequest, Patient, Reference, Resource,
} from '@medplum/fhirtypes';
import { systemContext } from '../context.ts';
import { businessRule, conflict } from '../fhir-kit/errors.ts';
import type { FhirRepository } from '../store/repository.ts';
import { PPS_LOINC } from './codes.ts';
import { kindOf } from './model.ts';
import { withoutUnqualifiedIns } from './patient-identity.ts';
import { directoryReferences, printableCarePlan, type PrintableDocument } from './printable.ts';
import { fieldsXhtml, narrativeDiv } from './narrative.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import { idOf, isRelativeReference } from '../fhir-kit/ids.ts';
import { readAll as readAllOf, readOptional as readOptionalOf } from '../store/optional-reads.ts';
import { nameUuid as uuidOf } from '../fhir-kit/name-uuid.ts';

export interface CarePlanDocumentOptions {
  /** Base of the fullUrls (the DCC's public FHIR base); references inside resources are relative to it. */
  baseUrl?: string;
  /** A given version of the CarePlan (the one handed over), else the current one. */
  version?: string;
}

/** Identifier system of the document Bundle and Composition (values are `urn:uuid:…`). */
export const DOCUMENT_IDENTIFIER_SYSTEM = 'urn:ietf:rfc:3986';

const DIRECTORY_TYPES = ['Practitioner', 'PractitionerRole', 'Organization', 'HealthcareService'];

export async function carePlanDocument(repo: FhirRepository, carePlanId: string, options: CarePlanDocumentOptions = {}): Promise<Bundle> {
  const baseUrl = (options.baseUrl ?? systemContext().baseUrl).replace(/\/$/, '');
  const plan = options.version ? await repo.vread<CarePlan>('CarePlan', carePlanId, options.version) : await repo.read<CarePlan>('CarePlan', carePlanId);
  const kind = kindOf(plan);
  if (kind !== 'pps' && kind !== 'ppac') throw businessRule(`CarePlan/${carePlanId} n'est ni un PPS ni un PPAC : seuls les programmes personnalisés sont publiés en document`, ['CarePlan.category']);
  const patientId = idOf(plan.subject, 'Patient');
  const patient = patientId ? await readOptional<Patient>(repo, 'Patient', patientId) : undefined;
  if (!patient) throw conflict(`Le patient du programme CarePlan/${carePlanId} est introuvable : le document ne peut pas être constitué`);

  // What the reader may not see (the nurse does not read Condition) is left out, as on paper.
  const careTeams = await readAll<CareTeam>(repo, 'CareTeam', (plan.careTeam ?? []).map((r) => idOf(r, 'CareTeam')));
  const medicationRequests = await readAll<MedicationRequest>(repo, 'MedicationRequest', (plan.activity ?? []).map((a) => idOf(a.reference, 'MedicationRequest')));
  const conditions = await readAll<Condition>(repo, 'Condition', (plan.addresses ?? []).map((r) => idOf(r, 'Condition')));
  const directory = new Map<string, Resource>();
  const directoryRefs = [
    ...directoryReferences(plan, careTeams, medicationRequests),
    ...[...(patient.generalPractitioner ?? []), patient.managingOrganization].map((r) => r?.reference).filter((r): r is string => isRelativeReference(r, ...DIRECTORY_TYPES)),
  ];
  for (const ref of new Set(directoryRefs)) {
    const [type, id] = ref.split('/') as [string, string];
    const entry = await readOptional<Resource>(repo, type, id);
    if (entry) directory.set(ref, entry);
  }

  const shared = withoutUnqualifiedIns(patient);
  const printable = printableCarePlan({ carePlan: plan, patient: shared, careTeams, medicationRequests, conditions, directory });
  return documentBundle({ plan, patient: shared, careTeams, medicationRequests, conditions, directory: [...directory.values()], printable, baseUrl });
}

interface DocumentSources {
  plan: CarePlan;
  /** Already stripped of an unqualified INS. */
  patient: Patient;
  careTeams: CareTeam[];
  medicationRequests: MedicationRequest[];
  conditions: Condition[];
  directory: Resource[];
  printable: PrintableDocument;
  baseUrl: string;
}

/** Assembles the document from what was read (no I/O). */
export function documentBundle(src: DocumentSources): Bundle {
  const { plan, patient, printable } = src;
  const version = plan.meta?.versionId ?? '1';
  const planRef: Reference = { reference: `CarePlan/${plan.id}/_history/${version}`, display: printable.title };
  const refs = (resources: Resource[]): Reference[] => resources.map((r) => ({ reference: `${r.resourceType}/${r.id}` }));
  // Which resources each printed section speaks of (the CarePlan is the source of all of them).
  const entriesOf = (title: string): Reference[] => {
    if (title === 'Vos traitements') return [planRef, ...refs(src.medicationRequests)];
    if (title === 'Vos contacts') return [planRef, ...refs(src.careTeams)];
    if (title === 'Votre programme' || title === 'Où en êtes-vous ?') return [planRef, ...refs(src.conditions)];
    return [planRef];
  };
  const section: CompositionSection[] = printable.sections.map((s) => ({
    title: s.title,
    text: { status: 'generated', div: narrativeDiv(s.blocks) },
    entry: entriesOf(s.title),
  }));
  const written = plan.meta?.lastUpdated ?? plan.created ?? new Date().toISOString();
  const compositionId = nameUuid(`Composition/CarePlan/${plan.id}/_history/${version}`);
  const composition: Composition = {
    resourceType: 'Composition',
    id: compositionId,
    language: 'fr-FR',
    text: { status: 'generated', div: narrativeDiv(headerHtml(printable)) },
    // The document set: every version of this programme shares it.
    identifier: { system: DOCUMENT_IDENTIFIER_SYSTEM, value: `urn:uuid:${nameUuid(`CarePlan/${plan.id}`)}` },
    status: plan.status === 'draft' ? 'preliminary' : plan.status === 'entered-in-error' ? 'entered-in-error' : 'final',
    type: { coding: [PPS_LOINC], text: printable.title },
    category: plan.category?.map((c) => ({ ...(c.coding ? { coding: c.coding } : {}), ...(c.text ? { text: c.text } : {}) })),
    subject: { reference: `Patient/${patient.id}` },
    date: written,
    author: [authorOf(plan)],
    title: printable.title,
    confidentiality: 'N',
    ...(patient.managingOrganization?.reference?.startsWith('Organization/') ? { custodian: { reference: patient.managingOrganization.reference } } : {}),
    event: [{ ...(plan.period ? { period: plan.period } : {}), detail: [planRef] }],
    section,
  };

  const ordered: Resource[] = [];
  const add = (resource: Resource | undefined) => {
    if (resource && !ordered.some((r) => r.resourceType === resource.resourceType && r.id === resource.id)) ordered.push(resource);
  };
  [patient, plan, ...src.careTeams, ...src.medicationRequests, ...src.conditions, ...src.directory].forEach(add);
  const entry: BundleEntry[] = [composition, ...ordered].map((resource) => ({ fullUrl: `${src.baseUrl}/${resource.resourceType}/${resource.id}`, resource }));
  return {
    resourceType: 'Bundle',
    // Same CarePlan version → same document identifier.
    identifier: { system: DOCUMENT_IDENTIFIER_SYSTEM, value: `urn:uuid:${nameUuid(`CarePlan/${plan.id}/_history/${version}`)}` },
    type: 'document',
    timestamp: written,
    entry,
  };
}

/** Composition.author cannot be a CareTeam (CarePlan.author can): then only its name is kept. */
function authorOf(plan: CarePlan): NonNullable<Composition['author']>[number] {
  const author = plan.author;
  if (author?.reference && !author.reference.startsWith('CareTeam/')) return author as NonNullable<Composition['author']>[number];
  return { display: author?.display ?? 'Équipe hospitalière référente' };
}

function headerHtml(doc: PrintableDocument): string {
  return `<h1>${escapeHtml(doc.title)}</h1><p>${escapeHtml(doc.subtitle)}</p>${fieldsXhtml(doc.patient)}${fieldsXhtml(doc.about)}`;
}

// ----- reads -------------------------------------------------------------------------------------


/** What this reader may not see (403) is left out of the document, as what no longer exists. */
const HIDDEN = [403, 404, 410];
const readOptional = <T extends Resource>(repo: FhirRepository, type: string, id: string) => readOptionalOf<T>(repo, type, id, HIDDEN);
const readAll = <T extends Resource>(repo: FhirRepository, type: string, ids: (string | undefined)[]) => readAllOf<T>(repo, type, ids, HIDDEN);
const nameUuid = (name: string) => uuidOf('dcc-care-plan', name);
