/**
 * Declaring a patient's médecin traitant (Patient.generalPractitioner) from the record: the one
 * field the hospital physician changes here, so the identity (RNIV traits, INS, status) is carried
 * over as stored, never re-sent by a page that may hold an older copy.
 * The declared GP joins the circle of care (dcc_in_circle) and receives the later reports and
 * programmes (delivery/dispatcher.ts): hence a GP of the directory only, never any practitioner id.
 */
import type { Patient, Practitioner, Reference } from '@medplum/fhirtypes';
import { isDirectoryGp } from '../access/index.ts';
import type { Principal } from '../context.ts';
import { badRequest, forbidden, invalidResource, issue, notFound } from '../fhir-kit/errors.ts';
import { parseRelativeReference } from '../fhir-kit/ids.ts';
import { practitionerName } from '../fhir-kit/practitioner-name.ts';
import { requireCurrentVersion } from '../fhir-kit/versions.ts';
import type { FhirRepository } from '../store/repository.ts';

export interface GeneralPractitionerInput {
  /** `Practitioner/{id}` of a general practitioner of the directory. */
  practitioner: string;
}

function parseInput(body: unknown): string {
  if (!body || typeof body !== 'object' || Array.isArray(body)) throw badRequest('Le corps est un objet JSON : { "practitioner": "Practitioner/…" }', []);
  const practitioner = (body as { practitioner?: unknown }).practitioner;
  const parts = typeof practitioner === 'string' ? parseRelativeReference(practitioner) : undefined;
  if (parts?.type !== 'Practitioner' || parts.version !== undefined) {
    throw invalidResource(422, [issue('error', 'required', 'Choisissez le médecin traitant dans l\'annuaire : practitioner attend une référence « Practitioner/{id} »', ['practitioner'])]);
  }
  return parts.id;
}


/**
 * Sets Patient/{id}'s médecin traitant to a GP of the directory, as a new version of the Patient
 * (If-Match: the version the page read). Physicians only (the patient tells the hospital team whom
 * they declared to their health insurance); out of the circle of care, the store refuses (403, traced).
 * Declaring the GP already on file changes nothing.
 */
export async function declareGeneralPractitioner(repo: FhirRepository, patientId: string, body: unknown, by: Principal, ifMatch?: string): Promise<Patient> {
  if (!by.roles.includes('physician') && !by.roles.includes('system')) {
    throw forbidden('Seul un médecin de l\'équipe de soins du patient déclare son médecin traitant');
  }
  const practitionerId = parseInput(body);
  return repo.transaction(async (tx) => {
    const practitioner = await tx.readIfExists<Practitioner>('Practitioner', practitionerId);
    if (!practitioner || !(await isDirectoryGp(tx, practitionerId))) {
      throw invalidResource(422, [issue('error', 'business-rule', `Practitioner/${practitionerId} n'est pas un médecin généraliste en exercice de l'annuaire (spécialité SM54, médecine générale) : choisissez le médecin traitant dans la liste des médecins généralistes`, ['practitioner'])]);
    }
    const patient = await tx.readIfExists<Patient>('Patient', patientId);
    if (!patient) {
      const stored = await tx.serviceView().readIfExists<Patient>('Patient', patientId);
      if (!stored) throw notFound(`Patient/${patientId} introuvable`);
      // Out of the circle: the store decides and traces the refused write (403), nothing is read.
      await tx.update({ resourceType: 'Patient', id: patientId }, { ifMatch: stored.meta?.versionId });
      throw forbidden(`Patient/${patientId} est hors de votre cercle de soins`);
    }
    requireCurrentVersion(patient, ifMatch, 'Rechargez le dossier avant de déclarer le médecin traitant.');
    const reference = `Practitioner/${practitionerId}`;
    const current = patient.generalPractitioner ?? [];
    if (current.length === 1 && current[0]!.reference === reference) return patient;
    // One médecin traitant per patient (Assurance maladie): the new one replaces the former.
    const gp: Reference<Practitioner> = { reference, display: practitionerName(practitioner) };
    const next: Patient = { ...patient, generalPractitioner: [gp] };
    return (await tx.update(next, { ifMatch: patient.meta?.versionId })).resource;
  });
}
