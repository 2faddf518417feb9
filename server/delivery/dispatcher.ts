/**
 * Fan-out: one event of the outbox (a signed RCP report, a PPS shared with the GP, a PPAC, an oral
 * treatment change) becomes one delivery per recipient and channel, in one transaction, so each
 * mail or push is retried on its own and the 3C sees each one's status.
 *
 * Who receives what is decided here, as the recipient would be allowed to see it (the store's own
 * visibility rules, through `store.seenBy`): the patient's objection (to everyone or to that
 * professional), the choice not to send the PPS to the GP, the circle of care. A recipient who
 * may not see the document gets nothing, and the delivery says why ("withheld").
 */
import type { CarePlan, CareTeam, Consent, ContactPoint, Patient, Practitioner, PractitionerRole } from '@medplum/fhirtypes';
import { isPps } from '../care-plan/index.ts';
import { buildSharingEvent, rolesOfPractitioner } from '../access/index.ts';
import { systemContext, type RequestContext } from '../context.ts';
import { FhirError } from '../fhir-kit/errors.ts';
import type { FhirRepository } from '../store/repository.ts';
import { OutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import type { Store } from '../store/store.ts';
import {
  ORAL_TREATMENT_EVENT, PPAC_CHANGED_EVENT, PPS_SHARED_EVENT, RCP_REPORT_EVENT, ppsSharedWithGp, type ChangeEventPayload, type SharingEventKind, type RcpReportMessage,
} from './events.ts';
import { isRelativeReference } from '../fhir-kit/ids.ts';

export const MAIL_DELIVERY = 'mail';
export const PUSH_DELIVERY = 'fhir-push';
/** The CDA (FRCP, PPS) filed in a DMP-like repository as Binary + DocumentReference (server/cda/dmp-push.ts). */
export const DMP_PUSH_DELIVERY = 'dmp-push';

export type RecipientRole = 'general-practitioner' | 'requester' | 'correspondent' | 'pharmacist' | 'nurse';

export const RECIPIENT_ROLE_LABEL: Record<RecipientRole, string> = {
  'general-practitioner': 'Médecin traitant',
  requester: 'Médecin demandeur',
  correspondent: 'Correspondant',
  pharmacist: "Pharmacien d'officine",
  nurse: 'Infirmier(ère) de ville',
};

export interface MailDeliveryPayload {
  event: SharingEventKind;
  eventId: string;
  patient: string;
  /** What is sent: `Composition/…/_history/…`, `CarePlan/…/_history/…`, `MedicationRequest/…/_history/…`. */
  document: string;
  recipient: string;
  role: RecipientRole;
  display?: string;
  address: string;
  summary?: string;
  correctionReason?: string;
}

export interface PushDeliveryPayload {
  event: SharingEventKind;
  eventId: string;
  patient: string;
  document: string;
  endpoint: string;
}

/** MSSanté addresses carry the FR Core email-type extension (TRE_R256 MSSANTE). */
const MSSANTE_TYPE = 'MSSANTE';
const OPEN_CARE_TEAM = new Set(['active', 'proposed']);
/** Pushed to the regional / DMP-like repository: the signed report and the PPS the patient agreed to share. */
const PUSHED_EVENTS = new Set<SharingEventKind>([RCP_REPORT_EVENT, PPS_SHARED_EVENT]);

export interface DispatchOptions {
  /** The external FHIR repository (push configured), if any. */
  pushEndpoint?: string;
  /** The DMP-like CDA repository (DCC_DMP_FHIR_URL), if any. */
  dmpEndpoint?: string;
  now?: Date;
}

export interface DispatchResult {
  mails: number;
  pushes: number;
  withheld: { recipient: string; reason: string }[];
  undeliverable: { recipient: string; reason: string }[];
}

/** Fans one event out into deliveries and marks it done, in one transaction. */
export async function dispatchEvent(store: Store, event: OutboxEntry, options: DispatchOptions = {}): Promise<DispatchResult> {
  const now = options.now ?? new Date();
  return store.system().transaction(async (tx) => {
    const outbox = new OutboxStore(tx.db);
    const kind = event.kind as SharingEventKind;
    const { patientId, document, summary, correctionReason } = describeEvent(event);
    const result: DispatchResult = { mails: 0, pushes: 0, withheld: [], undeliverable: [] };
    const patient = await tx.readIfExists<Patient>('Patient', patientId);
    if (!patient) {
      await outbox.markDone(event.id, `Patient/${patientId} introuvable : rien à envoyer`, now);
      return result;
    }
    for (const recipient of await recipientsOf(tx, kind, event, patient)) {
      const base = { event: kind, eventId: event.id, patient: `Patient/${patientId}`, document, recipient: recipient.reference, role: recipient.role, ...(recipient.display ? { display: recipient.display } : {}) };
      const dedupKey = `${MAIL_DELIVERY}:${document}:${recipient.reference}`;
      const entry = { kind: MAIL_DELIVERY, dedupKey, topic: document, parentId: event.id, recipient: recipient.reference, patientId, createdAt: now };
      const refusal = await refusalFor(store, tx, recipient.reference, patientId, document, recipient.role);
      if (refusal) {
        const { entry: created, created: isNew } = await outbox.enqueue({ ...entry, payload: { ...base, address: '' } satisfies MailDeliveryPayload });
        if (isNew && refusal.patientChoice) {
          await outbox.markWithheld(created.id, refusal.reason, now);
          await tx.append(buildSharingEvent(systemContext(), { kind: 'delivery-withheld', patientId, documents: [document], recipient: { reference: recipient.reference, ...(recipient.display ? { display: recipient.display } : {}) }, detail: refusal.reason }));
        } else if (isNew) {
          // The directory, not the patient: a dead letter the 3C sees and can send again once fixed.
          await outbox.markFailed(created.id, refusal.reason, { now, permanent: true });
        }
        (refusal.patientChoice ? result.withheld : result.undeliverable).push({ recipient: recipient.reference, reason: refusal.reason });
        continue;
      }
      const address = await secureAddressOf(tx, recipient.reference);
      const payload: MailDeliveryPayload = { ...base, address: address ?? '', ...(summary ? { summary } : {}), ...(correctionReason ? { correctionReason } : {}) };
      const { entry: created, created: isNew } = await outbox.enqueue({ ...entry, payload });
      if (!isNew) continue;
      if (!address) {
        const reason = `Aucune adresse de messagerie sécurisée (MSSanté) dans l'annuaire pour ${recipient.display ?? recipient.reference}`;
        await outbox.markFailed(created.id, reason, { now, permanent: true });
        result.undeliverable.push({ recipient: recipient.reference, reason });
        continue;
      }
      result.mails++;
    }
    // One delivery per configured repository: the FHIR document push and the CDA push retry and fail apart.
    const pushTargets = [[PUSH_DELIVERY, options.pushEndpoint], [DMP_PUSH_DELIVERY, options.dmpEndpoint]] as const;
    for (const [pushKind, endpoint] of pushTargets) {
      if (!endpoint || !PUSHED_EVENTS.has(kind)) continue;
      const objection = await anyObjection(tx, patientId);
      const payload: PushDeliveryPayload = { event: kind, eventId: event.id, patient: `Patient/${patientId}`, document, endpoint };
      const { entry: created, created: isNew } = await outbox.enqueue({
        kind: pushKind, payload, dedupKey: `${pushKind}:${document}:${endpoint}`, topic: document, parentId: event.id,
        recipient: endpoint, patientId, createdAt: now,
      });
      if (isNew && objection) {
        await outbox.markWithheld(created.id, objection, now);
        await tx.append(buildSharingEvent(systemContext(), { kind: 'delivery-withheld', patientId, documents: [document], recipient: { address: endpoint }, detail: objection }));
        result.withheld.push({ recipient: endpoint, reason: objection });
      } else if (isNew) result.pushes++;
    }
    const notes = [
      ...result.withheld.map((w) => `non envoyé à ${w.recipient} : ${w.reason}`),
      ...result.undeliverable.map((u) => `${u.recipient} : ${u.reason}`),
    ];
    if (kind === RCP_REPORT_EVENT && (event.payload as RcpReportMessage).recipients?.some((r) => r.unknown)) notes.unshift('Pas de médecin traitant déclaré');
    // A note always says why an event left nothing to send (an event marked sent without one was sent as a whole).
    if (!notes.length && !result.mails && !result.pushes) notes.push(patient.generalPractitioner?.length ? 'Aucun destinataire' : 'Aucun destinataire : pas de médecin traitant déclaré');
    await outbox.markDone(event.id, notes.length ? notes.join(' ; ') : null, now);
    return result;
  });
}

export function describeEvent(event: OutboxEntry): { patientId: string; document: string; summary?: string; correctionReason?: string } {
  if (event.kind === RCP_REPORT_EVENT) {
    const m = event.payload as RcpReportMessage;
    return {
      patientId: m.patient.replace(/^Patient\//, ''),
      document: `${m.composition}/_history/${m.compositionVersion}`,
      ...(m.correctionReason ? { correctionReason: m.correctionReason } : {}),
    };
  }
  const p = event.payload as ChangeEventPayload;
  return { patientId: p.patient.replace(/^Patient\//, ''), document: p.resource, summary: p.summary };
}

interface Recipient { reference: string; role: RecipientRole; display?: string }

async function recipientsOf(tx: FhirRepository, kind: SharingEventKind, event: OutboxEntry, patient: Patient): Promise<Recipient[]> {
  const out = new Map<string, Recipient>();
  const add = (r: Recipient) => { if (!out.has(r.reference)) out.set(r.reference, r); };
  if (kind === RCP_REPORT_EVENT) {
    for (const r of (event.payload as RcpReportMessage).recipients ?? []) {
      if (r.practitioner) add({ reference: r.practitioner, role: r.role, ...(r.display ? { display: r.display } : {}) });
    }
    return [...out.values()];
  }
  if (kind === PPS_SHARED_EVENT || kind === PPAC_CHANGED_EVENT) {
    for (const gp of patient.generalPractitioner ?? []) {
      if (isRelativeReference(gp.reference, 'Practitioner')) add({ reference: gp.reference!, role: 'general-practitioner', ...(gp.display ? { display: gp.display } : {}) });
    }
    return [...out.values()];
  }
  if (kind === ORAL_TREATMENT_EVENT) {
    // The patient's pharmacist and city nurse: the members of the patient's care teams with that profession.
    const teams = await tx.searchAll<CareTeam>('CareTeam', { subject: `Patient/${patient.id}` });
    for (const team of teams.filter((t) => OPEN_CARE_TEAM.has(t.status ?? 'active'))) {
      for (const p of team.participant ?? []) {
        const ref = p.member?.reference ?? '';
        if (!isRelativeReference(ref, 'Practitioner') || (p.period?.end && new Date(p.period.end) < new Date())) continue;
        const roles = await rolesOfPractitioner(tx, ref.slice('Practitioner/'.length));
        const role: RecipientRole | undefined = roles.includes('pharmacist') ? 'pharmacist' : roles.includes('nurse') ? 'nurse' : undefined;
        if (role) add({ reference: ref, role, ...(p.member?.display ? { display: p.member.display } : {}) });
      }
    }
  }
  return [...out.values()];
}

/** A recipient as the access rules see them (their roles from the directory), without acting as them. */
export async function recipientContext(tx: FhirRepository, recipient: string, options: { baseUrl?: string; display?: string } = {}): Promise<RequestContext> {
  const practitionerId = recipient.slice('Practitioner/'.length);
  return {
    requestId: `delivery:${recipient}`, baseUrl: options.baseUrl ?? 'urn:dcc:delivery',
    principal: { practitionerId, displayName: options.display ?? recipient, roles: await rolesOfPractitioner(tx, practitionerId), authMethod: 'system' },
  };
}

/** Why a document may not go to someone: the patient's choice (final), or the directory (fixable). */
export interface Refusal { reason: string; patientChoice: boolean }

/**
 * Why this professional may not receive this document, if they may not: the answer of the store's
 * own rules for them (objection, PPS not shared with the GP, circle of care, profession).
 */
export async function refusalFor(
  store: Store, tx: FhirRepository, recipient: string, patientId: string, document: string, role?: RecipientRole, ctx?: RequestContext,
): Promise<Refusal | undefined> {
  const practitionerId = recipient.slice('Practitioner/'.length);
  const practitioner = await tx.readIfExists<Practitioner>('Practitioner', practitionerId);
  if (!practitioner || practitioner.active === false) return { reason: `${recipient} absent de l'annuaire ou inactif`, patientChoice: false };
  const choice = (reason: string): Refusal => ({ reason, patientChoice: true });
  const view = store.seenBy(ctx ?? await recipientContext(tx, recipient), tx.db);
  const [type, id, , version] = document.split('/');
  // The GP gets a PPS only as the patient chose, whatever the directory says of their profession.
  const refusedPps = type === 'CarePlan' && role === 'general-practitioner' ? await ppsRefusal(tx, id!) : undefined;
  if (refusedPps) return choice(refusedPps);
  try {
    if (!(await view.readIfExists<Patient>('Patient', patientId))) return choice('Le patient s\'est opposé au partage avec ce professionnel, ou celui-ci ne fait pas partie de son équipe de soins');
    const current = await view.readIfExists(type!, id!);
    if (!current) return choice(type === 'CarePlan' ? 'Le patient n\'a pas accepté l\'envoi de ce programme à ce professionnel' : 'Ce professionnel ne peut pas consulter ce document');
    if (version) await view.vread(type!, id!, version);
  } catch (err) {
    if (err instanceof FhirError && (err.status === 403 || err.status === 404 || err.status === 410)) return choice(`Accès refusé à ce professionnel : ${err.message}`);
    throw err;
  }
  return undefined;
}

/** Why this PPS may not go to the GP or to an outside repository (not handed over, or the patient said no). */
export async function ppsRefusal(tx: FhirRepository, carePlanId: string): Promise<string | undefined> {
  const plan = await tx.readIfExists<CarePlan>('CarePlan', carePlanId);
  if (!plan || !isPps(plan) || ppsSharedWithGp(plan)) return undefined;
  return "Le patient n'a pas accepté l'envoi de ce PPS à son médecin traitant (ou ne lui a pas encore été remis)";
}

/** An active objection of the patient (a deny Consent): nothing leaves for an outside repository. */
export async function anyObjection(tx: FhirRepository, patientId: string): Promise<string | undefined> {
  const consents = await tx.searchAll<Consent>('Consent', { patient: `Patient/${patientId}`, status: 'active' });
  return consents.some((c) => c.provision?.type === 'deny') ? 'Opposition du patient au partage : pas de dépôt dans l\'entrepôt externe' : undefined;
}

/** The professional's secure (MSSanté) address: on the Practitioner, else on one of their active roles. */
export async function secureAddressOf(tx: FhirRepository, recipient: string): Promise<string | undefined> {
  const practitionerId = recipient.slice('Practitioner/'.length);
  const practitioner = await tx.readIfExists<Practitioner>('Practitioner', practitionerId);
  const roles = await tx.searchAll<PractitionerRole>('PractitionerRole', { practitioner: recipient });
  const telecoms = [...(practitioner?.telecom ?? []), ...roles.filter((r) => r.active !== false).flatMap((r) => r.telecom ?? [])];
  return telecoms.find(isMssante)?.value;
}

/** An MSSanté address: typed so in the directory (FR Core), or in the national MSSanté domain. */
export function isMssante(t: ContactPoint): boolean {
  if (t.system !== 'email' || !t.value) return false;
  return Boolean(t.extension?.some((e) => e.valueCoding?.code === MSSANTE_TYPE && e.valueCoding.system?.includes('TRE_R256')))
    || /@([a-z0-9-]+\.)*mssante\.fr$/i.test(t.value);
}

