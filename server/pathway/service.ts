/**
 * The after-cancer pathway on the store, through the caller's repository (access rules and audit
 * trail apply): prescribe, record the consultations the structure reports, report to the ARS.
 */
import type { Appointment, CarePlan, Condition, Patient, Practitioner, Procedure, Reference, ServiceRequest } from '@medplum/fhirtypes';
import { businessRule } from '../fhir-kit/errors.ts';
import { beforeBirthMessage } from '../fhir-kit/french-dates.ts';
import { resolveOrientation } from '../care-plan/index.ts';
import { idOf } from '../fhir-kit/ids.ts';
import { readAll, readOptional } from '../store/optional-reads.ts';
import { POST_CANCER_PROGRAM } from '../fhir-kit/shared-codes.ts';
import { searchEvery } from '../directories/index.ts';
import type { FhirRepository } from '../store/repository.ts';
import { buildPrescriptions, checkPrescriptionInput, consultationAppointment, ppacWithPrescription, type PrescriptionInput } from './prescription.ts';
import { buildPathwayReport, type PathwayReport, type Semester } from './report.ts';
import { announcementKindOf, announcementProcedure, checkAnnouncement, type AnnouncementInput } from './announcement.ts';

const PROGRAM = `${POST_CANCER_PROGRAM.coding![0]!.system}|${POST_CANCER_PROGRAM.coding![0]!.code}`;

/** Records the needs evaluation and the prescription on a PPAC, in one transaction; the PPAC shows it. */
export async function prescribePathway(
  repo: FhirRepository, ppacId: string, input: PrescriptionInput, requester: Reference, today: string,
): Promise<{ prescriptions: ServiceRequest[]; ppac: CarePlan }> {
  return repo.transaction(async (tx) => {
    await tx.lock(`pathway:prescribe:${ppacId}`);
    const ppac = await tx.read<CarePlan>('CarePlan', ppacId);
    const patientId = ppac.subject?.reference?.startsWith('Patient/') ? ppac.subject.reference.slice('Patient/'.length) : undefined;
    const birthDate = patientId ? (await tx.read<Patient>('Patient', patientId)).birthDate : undefined;
    // The dates first: a mistyped year is named as such, not as a structure unlabelled that year.
    checkPrescriptionInput(input, today, birthDate);
    const structure = await resolveOrientation(tx, input?.structure ?? {}, input?.date ?? today, 'structure');
    const built = buildPrescriptions(ppac, input, { today, requester, structure, birthDate });
    const prescriptions: ServiceRequest[] = [];
    for (const p of built) prescriptions.push(await tx.create(p));
    const next = ppacWithPrescription(ppac, prescriptions, structure.display, prescriptions[0]!.authoredOn!);
    const stored = (await tx.update(next, { ifMatch: ppac.meta?.versionId })).resource;
    return { prescriptions, ppac: stored };
  });
}

/** A consultation done or not honoured, against its prescription (never beyond the number prescribed). */
export async function recordConsultation(
  repo: FhirRepository, prescriptionId: string, input: { start: string; honoured: boolean; comment?: string },
): Promise<Appointment> {
  return repo.transaction(async (tx) => {
    await tx.lock(`pathway:consultation:${prescriptionId}`);
    const prescription = await tx.read<ServiceRequest>('ServiceRequest', prescriptionId);
    const done = (await searchEvery<Appointment>(tx, 'Appointment', { 'based-on': `ServiceRequest/${prescriptionId}` })).resources;
    return tx.create(consultationAppointment(prescription, input ?? ({} as never), done));
  });
}

/** The ARS report for a semester, over the patients the caller may see. */
export async function pathwayReport(repo: FhirRepository, semester: Semester): Promise<PathwayReport> {
  const prescriptions = (await searchEvery<ServiceRequest>(repo, 'ServiceRequest', { category: PROGRAM })).resources;
  const appointments = (await searchEvery<Appointment>(repo, 'Appointment', { 'service-category': PROGRAM, date: [`ge${semester.from}`, `lt${semester.to}`] })).resources;
  const patients = new Map<string, Patient>();
  for (const p of await readAll<Patient>(repo, 'Patient', prescriptions.map((r) => idOf(r.subject, 'Patient')), [403, 404, 410])) patients.set(`Patient/${p.id}`, p);
  const conditions = new Map<string, Condition>();
  for (const c of await readAll<Condition>(repo, 'Condition', prescriptions.flatMap((r) => (r.reasonReference ?? []).map((x) => idOf(x, 'Condition'))), [403, 404, 410])) conditions.set(`Condition/${c.id}`, c);
  const ppsOfPpac = new Map<string, CarePlan>();
  for (const ppac of await readAll<CarePlan>(repo, 'CarePlan', prescriptions.flatMap((r) => (r.basedOn ?? []).map((b) => idOf(b, 'CarePlan'))), [403, 404, 410])) {
    const ppsId = idOf(ppac.replaces?.[0], 'CarePlan');
    const pps = ppsId ? await readOptional<CarePlan>(repo, 'CarePlan', ppsId, [403, 404, 410]) : undefined;
    if (pps) ppsOfPpac.set(`CarePlan/${ppac.id}`, pps);
  }
  return buildPathwayReport({ prescriptions, appointments, patients, conditions, ppsOfPpac }, semester);
}

/** Records one time of the announcement (medical consultation or nurse's support time). */
export async function recordAnnouncement(repo: FhirRepository, patientId: string, input: AnnouncementInput, caller: Reference | undefined, today: string): Promise<Procedure> {
  checkAnnouncement(input, today);
  return repo.transaction(async (tx) => {
    const patient = await tx.read<Patient>('Patient', patientId);
    const early = beforeBirthMessage("La date de l'annonce", input.date, patient.birthDate);
    if (early) throw businessRule(early, ['date']);
    const by = input.by ? { reference: input.by } : caller;
    if (!by?.reference) throw businessRule("Indiquez le médecin qui a mené la consultation d'annonce (by : Practitioner/<id>)", ['by']);
    const performer = await readOptional<Practitioner>(tx, 'Practitioner', by.reference.split('/')[1]!);
    if (!performer) throw businessRule(`${by.reference} n'existe pas dans l'annuaire des professionnels`, ['by']);
    if (input.condition) {
      const condition = await readOptional<Condition>(tx, 'Condition', input.condition.split('/')[1]!);
      if (condition?.subject?.reference !== `Patient/${patientId}`) throw businessRule(`${input.condition} n'est pas un diagnostic de ce patient`, ['condition']);
    }
    return tx.create(announcementProcedure(patientId, input, performer, input.by ? { reference: input.by } : by, caller));
  });
}

/** The announcement times recorded for a patient, oldest first. */
export async function announcementsOf(repo: FhirRepository, patientId: string): Promise<{ kind: string; label: string; date: string; by?: string; reference: string }[]> {
  const { resources } = await searchEvery<Procedure>(repo, 'Procedure', { subject: `Patient/${patientId}` });
  return resources.flatMap((p) => {
    const kind = announcementKindOf(p);
    return kind ? [{ kind, label: p.code?.text ?? kind, date: p.performedDateTime ?? '', ...(p.performer?.[0]?.actor?.display ? { by: p.performer[0].actor.display } : {}), reference: `Procedure/${p.id}` }] : [];
  }).sort((a, b) => a.date.localeCompare(b.date));
}
