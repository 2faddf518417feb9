/**
 * Identity-vigilance rules that need the rest of the register (RNIV 1, 2021):
 * - one INS = one patient: a second record with an INS already held by another Patient is refused
 *   (409 naming the existing record), so documents never split between two records of one person;
 * - probable duplicates (same birth name, first birth first name and birth date) are not refused —
 *   homonyms exist — but handed to the identity-vigilance cell as a Task, which decides to merge or not.
 * Both look at every record, whatever the writer may see: a duplicate outside one's circle of care is
 * still a duplicate.
 */
import type { OperationOutcomeIssue, Patient, Reference, Task } from '@medplum/fhirtypes';
import { FhirError, outcome } from '../fhir-kit/errors.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import type { FhirRepository, WriteRule } from '../store/repository.ts';
import type { Store } from '../store/store.ts';
import { foldAccents } from '../fhir-kit/text.ts';
import { birthNameOf, insIdentifiers } from './identity-rules.ts';

/** Codes of the identity-vigilance work items (DCC code system). */
export const IDENTITY_VIGILANCE_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/dcc-identity-vigilance';
export const PROBABLE_DUPLICATE_CODE = { system: IDENTITY_VIGILANCE_SYSTEM, code: 'probable-duplicate', display: 'Doublon probable à examiner' };
export const IDENTITY_VIGILANCE_CELL = { system: IDENTITY_VIGILANCE_SYSTEM, code: 'identity-vigilance-cell', display: "Cellule d'identitovigilance" };

/** The code of the 409 that names the record already holding an INS, for clients that act on it. */
export const INS_ALREADY_HELD = { system: IDENTITY_VIGILANCE_SYSTEM, code: 'ins-already-held', display: 'INS déjà attribué à un autre patient' };

async function searchPatients(repo: FhirRepository, params: Record<string, string>, count: number): Promise<Patient[]> {
  const { request } = parseSearchRequest('Patient', new URLSearchParams(params), { defaultCount: count, maxCount: count }, true);
  request.total = 'none';
  return (await repo.search<Patient>(request)).resources;
}

/** Another live Patient holding one of this Patient's INS (any INS system: one matricule, one person). */
export async function patientHoldingIns(repo: FhirRepository, patient: Patient): Promise<{ holder: Patient; ins: string } | undefined> {
  for (const identifier of insIdentifiers(patient)) {
    if (!identifier.value) continue;
    const holders = await searchPatients(repo, { identifier: identifier.value }, 5);
    const holder = holders.find((p) => p.id !== patient.id && insIdentifiers(p).some((i) => i.value === identifier.value));
    if (holder) return { holder, ins: identifier.value };
  }
  return undefined;
}

/**
 * A name as the probable-duplicate rule compares it: case, accents, spaces, hyphens and apostrophes
 * ignored (RNIV: « LE BIHAN », « Le-Bihan » and « Lebihan » are one name typed at three desks).
 * The client's creation form compares with the same folding (client/src/lib/patient-identity.ts
 * `normalisedName`; test/client/hospital-lib.test.ts holds them to agree).
 */
export function comparableName(value: string): string {
  return foldAccents(value).replace(/[\s'’‘ʼ‐‑–-]+/gu, '').toLowerCase();
}

/** Comparable traits of the probable-duplicate rule, or undefined when one is missing or partial. */
function duplicateKey(patient: Patient): { family: string; given: string[]; birthDate: string } | undefined {
  const name = birthNameOf(patient);
  const given = (name?.given ?? []).flatMap((n) => n.split(/\s+/)).map(comparableName).filter(Boolean);
  if (!name?.family || !given.length || !/^\d{4}-\d{2}-\d{2}$/.test(patient.birthDate ?? '')) return undefined;
  return { family: comparableName(name.family), given, birthDate: patient.birthDate! };
}

/**
 * The same first first name, a compound name being one name whether typed with a hyphen, a space or
 * as two list entries: « Francois-Louis » (one entry) is « François » + « Louis » (two), the first of
 * either list being the start of the other's names run together. The creation form applies the same
 * rule (client/src/lib/patient-identity.ts `sameFirstGivenName`).
 */
export function sameFirstGivenName(a: string[], b: string[]): boolean {
  const runs = (names: string[]) => names.map((_, i) => names.slice(0, i + 1).join(''));
  return a[0] === b[0] || runs(a).includes(b[0]!) || runs(b).includes(a[0]!);
}

/**
 * Other live Patients with the same birth name, first birth first name and birth date (as
 * `comparableName` folds them). Two records with two different INS are two people (INSi said so):
 * not duplicates. The candidates are every Patient of that birth date (the indexed eq bound, a few
 * rows, all pages): a name search would miss « Le-Bihan » for « LE BIHAN », the index holding the
 * name as typed.
 */
export async function probableDuplicates(repo: FhirRepository, patient: Patient): Promise<Patient[]> {
  const key = duplicateKey(patient);
  if (!key) return [];
  const candidates = await repo.searchAll<Patient>('Patient', { birthdate: key.birthDate });
  return candidates.filter((other) => other.id !== patient.id && probablySamePerson(patient, other));
}

/**
 * The probable-duplicate rule on two identities: same birth name, first birth first name and birth
 * date (folded by `comparableName`), unless each holds an INS and they differ (INSi said two people).
 * The creation form's warning mirrors it (client/src/lib/patient-identity.ts `duplicateReason`;
 * test/client/duplicate-rule-parity.test.ts holds them equal).
 */
export function probablySamePerson(patient: Patient, other: Patient): boolean {
  const key = duplicateKey(patient);
  const otherKey = duplicateKey(other);
  if (!key || !otherKey || otherKey.family !== key.family || !sameFirstGivenName(otherKey.given, key.given) || otherKey.birthDate !== key.birthDate) return false;
  const ownIns = new Set(insIdentifiers(patient).map((i) => i.value));
  const otherIns = insIdentifiers(other).map((i) => i.value);
  return !(ownIns.size && otherIns.length && !otherIns.some((v) => ownIns.has(v)));
}

/** The work item of the identity-vigilance cell for a probable duplicate. */
export function probableDuplicateTask(patient: Patient, duplicates: Patient[], now = new Date()): Task {
  const subject: Reference = { reference: `Patient/${patient.id}` };
  const others = duplicates.map((d) => `Patient/${d.id}`).join(', ');
  return {
    resourceType: 'Task',
    status: 'requested',
    intent: 'order',
    priority: 'routine',
    code: { coding: [PROBABLE_DUPLICATE_CODE], text: PROBABLE_DUPLICATE_CODE.display },
    description: `Même nom de naissance, premier prénom et date de naissance que ${others} : vérifier s'il s'agit de la même personne (rapprochement des dossiers) ou d'homonymes.`,
    focus: subject,
    for: subject,
    authoredOn: now.toISOString(),
    performerType: [{ coding: [IDENTITY_VIGILANCE_CELL], text: IDENTITY_VIGILANCE_CELL.display }],
    input: duplicates.map((d) => ({ type: { text: 'Dossier semblable' }, valueReference: { reference: `Patient/${d.id}` } })),
  };
}

/**
 * What the answer to a Patient write tells its writer when the identity-vigilance cell was handed a
 * probable duplicate of it: a warning (RNIV: the desk knows the cell will check), naming no other
 * record — the look-alike may be outside the writer's circle of care.
 */
export async function probableDuplicateWarnings(repo: FhirRepository, patient: Patient): Promise<OperationOutcomeIssue[]> {
  if (!patient.id) return [];
  const tasks = await repo.serviceView().searchAll<Task>('Task', {
    focus: `Patient/${patient.id}`, code: `${PROBABLE_DUPLICATE_CODE.system}|${PROBABLE_DUPLICATE_CODE.code}`, status: 'requested',
  }, { max: 1 });
  if (!tasks.length) return [];
  return [{
    severity: 'warning', code: 'duplicate',
    details: {
      coding: [PROBABLE_DUPLICATE_CODE],
      text: "Doublon probable signalé à la cellule d'identitovigilance : un autre dossier porte le même nom de naissance, le même premier prénom et la même date de naissance. La cellule vérifiera s'il s'agit de la même personne.",
    },
    expression: ['Patient.name', 'Patient.birthDate'],
  }];
}

const sameDuplicateTraits = (a: Patient, b: Patient): boolean => JSON.stringify(duplicateKey(a)) === JSON.stringify(duplicateKey(b));

/**
 * The store rule: refuses a second holder of an INS, and files a Task when the written identity
 * looks like another record (on creation, or when the compared traits change).
 */
export const identityVigilanceRule: WriteRule = async (change, tx) => {
  const next = change.next;
  if (change.action === 'delete' || next?.resourceType !== 'Patient') return;
  const previous = change.previous?.resourceType === 'Patient' ? change.previous : undefined;
  const everyone = tx.serviceView();
  // Two concurrent creations with one INS must not both find the register empty.
  for (const ins of insIdentifiers(next)) if (ins.value) await tx.lock(`patient-ins:${ins.value}`);
  const held = await patientHoldingIns(everyone, next);
  if (held) {
    throw new FhirError(409, outcome([{
      severity: 'error', code: 'duplicate',
      details: { coding: [INS_ALREADY_HELD], text: `L'INS « ${held.ins} » est déjà celui du dossier Patient/${held.holder.id} : un INS ne désigne qu'un patient. Complétez ce dossier plutôt que d'en créer un second, ou signalez l'erreur à la cellule d'identitovigilance.` },
      expression: ['Patient.identifier'],
    }]));
  }
  if (previous && sameDuplicateTraits(previous, next)) return;
  const duplicates = await probableDuplicates(everyone, next);
  if (duplicates.length) await tx.append(probableDuplicateTask(next, duplicates));
};

/** Registers the register-wide identity rules on the store (idempotent). */
export function registerIdentityVigilance(store: Store): void {
  store.addWriteRule('identity-vigilance', identityVigilanceRule, { types: ['Patient'] });
}
