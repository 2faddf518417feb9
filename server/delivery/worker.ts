/**
 * The outbox drainer. Any app server may run one: each due entry is leased just before it is
 * handled (`FOR UPDATE SKIP LOCKED`, then a lease so the send happens outside any transaction), so
 * two servers never take the same message; its outcome is recorded only while the lease is still
 * this server's. Events are fanned out into deliveries (dispatcher.ts); deliveries are sent by
 * secure mail (mail.ts) or pushed to the external FHIR repository (fhir-push.ts).
 *
 * A mail carries a stable Message-ID (the delivery's id): if a send is cut off after the relay
 * took the message, the retry is the same message, which MSSanté clients de-duplicate; a send the
 * relay refused is simply sent again. A push is a conditional create on the document's
 * identifier, so a retry never files a second copy.
 */
import { patientPageLink } from './page-links.ts';
import type { AuditEvent, Bundle, Identifier, Patient, Practitioner } from '@medplum/fhirtypes';
import { FhirError } from '../fhir-kit/errors.ts';
import { practitionerName } from '../fhir-kit/practitioner-name.ts';
import { buildSharingEvent, mayReadType } from '../access/index.ts';
import { carePlanDocument, printableProgramme, renderCarePlanPdf, withoutUnqualifiedIns } from '../care-plan/index.ts';
import { systemContext, type RequestContext } from '../context.ts';
import { INS_SYSTEMS } from '../identity/index.ts';
import { buildRcpSheetDocument, loadRcpSheet, renderRcpSheetPdf } from '../rcp-sheet/index.ts';
import { OutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import { listenForOutbox, type OutboxListener } from '../store/outbox-wake.ts';
import { buildSummary, gatherSummarySources, printableSummary, renderSummaryPdf } from '../summary/index.ts';
import type { Store } from '../store/store.ts';
import {
  DMP_PUSH_DELIVERY, MAIL_DELIVERY, PUSH_DELIVERY, anyObjection, dispatchEvent, ppsRefusal, recipientContext, refusalFor, secureAddressOf, type MailDeliveryPayload, type PushDeliveryPayload, type Refusal,
} from './dispatcher.ts';
import { EVENT_KINDS, ORAL_TREATMENT_EVENT, PPAC_CHANGED_EVENT, PPS_SHARED_EVENT, RCP_REPORT_EVENT, type RcpReportMessage } from './events.ts';
import { DEFAULT_PUSH_TIMEOUT_MS, classifyPushError, type FhirPushClient } from './fhir-push.ts';
import { classifyMailError, composeSharedDocumentMail, type MailSender, type SharedDocumentMail } from './mail.ts';
import type { MailConfig, PushConfig } from '../config.ts';
import { buildXdmZip, type CdaExport, exportPpsCda, exportRcpSheetCda, pushCdaDocument } from '../cda/index.ts';

export interface DeliveryWorkerOptions {
  store: Store;
  mail?: { sender: MailSender; config: MailConfig };
  push?: { client: FhirPushClient; endpoint: string };
  /** The DMP-like CDA repository (DCC_DMP_FHIR_URL): the CDA as Binary + DocumentReference. Off when unset. */
  dmp?: { config: PushConfig };
  /** Who the mails say they come from, and the line to call back. */
  sender?: { organisation: string; phone?: string };
  /** Public FHIR base of the DCC: the fullUrls of the documents pushed. */
  fhirBaseUrl?: string;
  batch?: number;
  /** Attempts before a delivery is dead (default 14: backoff 1 min doubling up to 6 h, about 1.5 days). */
  maxAttempts?: number;
  leaseMs?: number;
  intervalMs?: number;
  log?: { info: (obj: object, msg?: string) => void; warn: (obj: object, msg?: string) => void };
}

export interface DrainReport { dispatched: number; sent: number; failed: number; dead: number; withheld: number }

const DEFAULT_MAX_ATTEMPTS = 14;
const DEFAULT_SENDER = { organisation: 'DCC — Centre de coordination en cancérologie (3C)' };
const TITLE: Record<string, string> = {
  [RCP_REPORT_EVENT]: 'Compte rendu de RCP',
  [PPS_SHARED_EVENT]: 'Programme personnalisé de soins (PPS)',
  [PPAC_CHANGED_EVENT]: "Programme personnalisé de l'après-cancer (PPAC)",
  [ORAL_TREATMENT_EVENT]: 'Traitement anticancéreux oral',
};

export class DeliveryWorker {
  private timer: NodeJS.Timeout | undefined;
  private running: Promise<DrainReport> | undefined;
  private stopping = false;
  /** A wake-up came while a round was running: run another one right after it. */
  private wokenDuringRound = false;
  private listener: OutboxListener | undefined;
  private readonly outbox: OutboxStore;
  private readonly leaseMs: number;

  constructor(private readonly options: DeliveryWorkerOptions) {
    this.outbox = new OutboxStore(options.store.db);
    this.leaseMs = options.leaseMs ?? 5 * 60_000;
    // A lease must outlive one send (relay time-out, push time-out) with room for rendering the PDF.
    // A CDA push is three requests (search, Binary, DocumentReference), each with the time-out.
    const longest = Math.max(
      options.mail ? options.mail.config.sendTimeoutMs ?? 120_000 : 0, options.push ? options.push.client.config.timeoutMs ?? 15_000 : 0,
      options.dmp ? 3 * (options.dmp.config.timeoutMs ?? DEFAULT_PUSH_TIMEOUT_MS) : 0,
    );
    if (this.leaseMs < longest + 30_000) throw new Error(`leaseMs (${this.leaseMs} ms) doit dépasser la durée maximale d'un envoi (${longest} ms) d'au moins 30 s`);
  }

  /**
   * Runs a round whenever a message commits (LISTEN/NOTIFY, store/outbox-wake.ts), and polls every
   * intervalMs (default 15 s) as the fallback; a round never overlaps the previous one.
   */
  start(): void {
    if (this.timer) return;
    this.stopping = false;
    this.timer = setInterval(() => { void this.drainOnce().catch((err) => this.options.log?.warn({ err }, 'outbox: round failed')); }, this.options.intervalMs ?? 15_000);
    this.timer.unref();
    this.listener = listenForOutbox(this.options.store.db, () => this.wake(), this.options.log);
  }

  /** Resolves once the worker listens for new messages (tests wait for it before enqueueing). */
  get listening(): Promise<void> {
    return this.listener?.ready ?? Promise.resolve();
  }

  /** A message committed: drain now rather than at the next poll (or right after the round under way). */
  wake(): void {
    if (this.stopping) return;
    if (this.running) {
      this.wokenDuringRound = true;
      return;
    }
    void this.drainOnce().catch((err) => this.options.log?.warn({ err }, 'outbox: round failed'));
  }

  /** Stops polling; the round under way ends after the message it is sending (the others stay due). */
  async stop(): Promise<void> {
    this.stopping = true;
    if (this.timer) clearInterval(this.timer);
    this.timer = undefined;
    await this.listener?.close();
    this.listener = undefined;
    await this.running?.catch(() => undefined);
  }

  /**
   * One round: events fanned out, then due deliveries sent, each leased just before it is handled
   * (a lease covers one send, never a whole batch). `now` fixes the clock (tests); by default the
   * time of each step. Returns what happened (tests, logs).
   */
  async drainOnce(now?: Date): Promise<DrainReport> {
    if (this.running) return this.running;
    this.running = this.round(now ? () => now : () => new Date()).finally(() => {
      this.running = undefined;
      if (this.wokenDuringRound) {
        this.wokenDuringRound = false;
        this.wake();
      }
    });
    return this.running;
  }

  private async round(clock: () => Date): Promise<DrainReport> {
    const report: DrainReport = { dispatched: 0, sent: 0, failed: 0, dead: 0, withheld: 0 };
    const batch = this.options.batch ?? 20;
    const next = async (kinds: string[]) => (await this.outbox.lease({ limit: 1, now: clock(), kinds, leaseMs: this.leaseMs }))[0];
    for (let i = 0; i < batch && !this.stopping; i++) {
      const event = await next([...EVENT_KINDS]);
      if (!event) break;
      try {
        await dispatchEvent(this.options.store, event, {
          ...(this.options.push ? { pushEndpoint: this.options.push.endpoint } : {}),
          ...(this.options.dmp ? { dmpEndpoint: this.options.dmp.config.baseUrl } : {}),
          now: clock(),
        });
        report.dispatched++;
      } catch (err) {
        // Retried like a delivery; a dead event shows in the 3C's alerts (nothing was sent, so no send trace).
        await this.failed(event, { permanent: false, message: `Répartition impossible : ${(err as Error).message}` }, clock(), report);
      }
    }
    if (this.options.mail) {
      for (let i = 0; i < batch && !this.stopping; i++) {
        const entry = await next([MAIL_DELIVERY]);
        if (!entry) break;
        await this.deliverMail(entry as OutboxEntry<MailDeliveryPayload>, clock, report);
      }
    }
    if (this.options.push) {
      for (let i = 0; i < batch && !this.stopping; i++) {
        const entry = await next([PUSH_DELIVERY]);
        if (!entry) break;
        await this.deliverPush(entry as OutboxEntry<PushDeliveryPayload>, clock, report, 'bundle');
      }
    }
    if (this.options.dmp) {
      for (let i = 0; i < batch && !this.stopping; i++) {
        const entry = await next([DMP_PUSH_DELIVERY]);
        if (!entry) break;
        await this.deliverPush(entry as OutboxEntry<PushDeliveryPayload>, clock, report, 'cda');
      }
    }
    if (report.dispatched + report.sent + report.failed + report.withheld + report.dead) this.options.log?.info({ ...report }, 'outbox: round');
    return report;
  }

  private async deliverMail(entry: OutboxEntry<MailDeliveryPayload>, clock: () => Date, report: DrainReport): Promise<void> {
    const { store } = this.options;
    const { sender, config } = this.options.mail!;
    const p = entry.payload;
    const patientId = p.patient.replace(/^Patient\//, '');
    let mail;
    let address = p.address;
    try {
      // The patient may have objected since the event, or the directory changed: checked again just before sending.
      const ctx = await recipientContext(store.system(), p.recipient, { baseUrl: config.publicBaseUrl, ...(p.display ? { display: p.display } : {}) });
      const refusal = await refusalFor(store, store.system(), p.recipient, patientId, p.document, p.role, ctx);
      if (refusal) {
        await this.refused(entry, refusal, { reference: p.recipient, address: p.address }, clock(), report, 'mail-failed');
        return;
      }
      address = (await secureAddressOf(store.system(), p.recipient)) ?? '';
      if (!address) {
        await this.failed(entry, { permanent: true, message: `Aucune adresse de messagerie sécurisée (MSSanté) dans l'annuaire pour ${p.display ?? p.recipient}` }, clock(), report, { kind: 'mail-failed', recipient: { reference: p.recipient } });
        return;
      }
      mail = composeSharedDocumentMail(await this.mailContent(entry, config, address, ctx), config);
    } catch (err) {
      // A document or directory entry that is wrong (no longer readable, invalid address) fails the
      // same way on every retry: a human looks at it. Anything else (the database) is retried.
      const permanent = (err instanceof FhirError && err.status < 500) || !(err instanceof FhirError || isTransientDatabaseError(err));
      await this.failed(entry, { permanent, message: `Message non constitué : ${(err as Error).message}` }, clock(), report, { kind: 'mail-failed', recipient: { reference: p.recipient, address } });
      return;
    }
    let result;
    try {
      result = await sender.send(mail);
      if (!result.accepted.length) throw Object.assign(new Error(`Destinataire refusé : ${result.rejected.join(', ')}`), { responseCode: 550 });
    } catch (err) {
      await this.failed(entry, classifyMailError(err), clock(), report, { kind: 'mail-failed', recipient: { reference: p.recipient, address } });
      return;
    }
    // The relay has the message: from here on nothing may turn it back into a retry.
    await this.recordSent(entry, clock(), report, buildSharingEvent(systemContext(), {
      kind: 'mail-sent', patientId, documents: [p.document],
      recipient: { reference: p.recipient, address, ...(p.display ? { display: p.display } : {}) },
      detail: `Message-ID ${result.messageId}`,
    }));
  }

  /**
   * A push: the FHIR document Bundle (`bundle`), or the CDA as Binary + DocumentReference (`cda`).
   * Both are conditional creates on the document's identifier: a retry never files a second copy.
   */
  private async deliverPush(entry: OutboxEntry<PushDeliveryPayload>, clock: () => Date, report: DrainReport, what: 'bundle' | 'cda'): Promise<void> {
    const system = this.options.store.system();
    const p = entry.payload;
    const patientId = p.patient.replace(/^Patient\//, '');
    let send: () => Promise<string>;
    try {
      // An objection (or a PPS the patient no longer agrees to share) since the event: nothing leaves.
      const [type, id] = p.document.split('/');
      const refusal = (await anyObjection(system, patientId)) ?? (type === 'CarePlan' ? await ppsRefusal(system, id!) : undefined);
      if (refusal) {
        await this.refused(entry, { reason: refusal, patientChoice: true }, { address: p.endpoint }, clock(), report, 'document-push-failed');
        return;
      }
      if (what === 'bundle') {
        const bundle = await this.documentOf(p);
        send = async () => {
          const result = await this.options.push!.client.pushDocument(bundle);
          return `Bundle/${result.id}${result.created ? '' : ' (déjà présent : pas de doublon)'}`;
        };
      } else {
        const cda = await this.cdaOf(p);
        send = async () => {
          const result = await pushCdaDocument(this.options.dmp!.config, cda);
          return `DocumentReference/${result.documentReferenceId} (CDA ${cda.profile} ${cda.uniqueId})${result.created ? '' : ' (déjà présent : pas de doublon)'}`;
        };
      }
    } catch (err) {
      const permanent = err instanceof FhirError && err.status < 500;
      await this.failed(entry, { permanent, message: `Document non constitué : ${(err as Error).message}` }, clock(), report, { kind: 'document-push-failed', recipient: { address: p.endpoint } });
      return;
    }
    let detail;
    try {
      detail = await send();
    } catch (err) {
      await this.failed(entry, classifyPushError(err), clock(), report, { kind: 'document-push-failed', recipient: { address: p.endpoint } });
      return;
    }
    await this.recordSent(entry, clock(), report, buildSharingEvent(systemContext(), {
      kind: 'document-pushed', patientId, documents: [p.document], recipient: { address: p.endpoint }, detail,
    }));
  }

  /** Sent: the entry and its trace in one transaction (a failure here never causes a second send). */
  private async recordSent(entry: OutboxEntry, at: Date, report: DrainReport, trace: AuditEvent): Promise<void> {
    try {
      const mine = await this.options.store.system().transaction(async (tx) => {
        const updated = await new OutboxStore(tx.db).markSent(entry.id, at, entry);
        if (updated) await tx.append(trace);
        return updated;
      });
      if (!mine) this.options.log?.warn({ outbox: entry.id }, 'outbox: sent after its lease ran out (another server took it over)');
      report.sent++;
    } catch (err) {
      // The message left; its lease will run out and it may be sent again, with the same Message-ID.
      this.options.log?.warn({ err, outbox: entry.id }, 'outbox: sent but not recorded');
      report.sent++;
    }
  }

  private async failed(
    entry: OutboxEntry, error: { permanent: boolean; message: string }, now: Date, report: DrainReport,
    trace?: { kind: 'mail-failed' | 'document-push-failed'; recipient: { reference?: string; address?: string } },
  ): Promise<void> {
    const status = await this.outbox.markFailed(entry.id, error.message, { now, permanent: error.permanent, maxAttempts: this.options.maxAttempts ?? DEFAULT_MAX_ATTEMPTS, lease: entry });
    if (!status) return; // another server holds it now
    if (status === 'dead') report.dead++;
    else report.failed++;
    this.options.log?.warn({ outbox: entry.id, kind: entry.kind, status, error: error.message }, 'outbox: delivery failed');
    // A dead letter is traced: the 3C and the security officer see what never left.
    if (status === 'dead' && trace && entry.patientId) {
      await this.options.store.system().append(buildSharingEvent(systemContext(), {
        kind: trace.kind, patientId: entry.patientId, ...(entry.topic ? { documents: [entry.topic] } : {}), recipient: trace.recipient, detail: error.message,
      }));
    }
  }

  /**
   * Not sent: the patient's choice (objection, PPS not shared) is final and traced as withheld; a
   * directory problem (recipient unknown, inactive) is a dead letter the 3C can send again once fixed.
   */
  private async refused(
    entry: OutboxEntry, refusal: Refusal, recipient: { reference?: string; address?: string }, now: Date, report: DrainReport,
    failureKind: 'mail-failed' | 'document-push-failed',
  ): Promise<void> {
    if (!refusal.patientChoice) {
      await this.failed(entry, { permanent: true, message: refusal.reason }, now, report, { kind: failureKind, recipient });
      return;
    }
    await this.outbox.markWithheld(entry.id, refusal.reason, now);
    if (entry.patientId) {
      await this.options.store.system().append(buildSharingEvent(systemContext(), {
        kind: 'delivery-withheld', patientId: entry.patientId, ...(entry.topic ? { documents: [entry.topic] } : {}), recipient, detail: refusal.reason,
      }));
    }
    report.withheld++;
  }

  /** The mail as the recipient may see it: the PDF is rendered through their own view of the record. */
  private async mailContent(entry: OutboxEntry<MailDeliveryPayload>, config: MailConfig, address: string, recipientCtx: RequestContext): Promise<SharedDocumentMail> {
    const { store } = this.options;
    const p = entry.payload;
    const system = store.system();
    const patientId = p.patient.replace(/^Patient\//, '');
    const patient = await system.read<Patient>('Patient', patientId);
    const view = store.seenBy(recipientCtx);
    const [type, id, , version] = p.document.split('/') as [string, string, string?, string?];
    let title = TITLE[p.event] ?? 'Document';
    let date = entry.createdAt;
    let author: string | undefined;
    let signedBy: string | undefined;
    let pdf: SharedDocumentMail['pdf'];
    let xdm: Buffer | undefined;
    if (p.event === RCP_REPORT_EVENT && type === 'Composition') {
      const parent = entry.parentId ? await this.outbox.get<RcpReportMessage>(entry.parentId) : undefined;
      const loaded = await loadRcpSheet(view, recipientCtx, id, version ? { version } : {});
      title = loaded.composition.title ?? title;
      date = parent?.payload.signedAt ?? loaded.composition.date ?? date;
      // Author and signer as the attached report names them (its « auteur » row and its signature):
      // the mail once called the signer « Auteur » while the PDF named the sheet's author.
      const signature = loaded.content.signature;
      author = loaded.content.data.author?.name;
      const signer = signature?.party.display ? undefined : parent?.payload.signedBy ? await system.readIfExists<Practitioner>('Practitioner', parent.payload.signedBy.replace(/^Practitioner\//, '')) : undefined;
      signedBy = signature?.party.display ?? (signer ? practitionerName(signer) : undefined);
      pdf = { filename: `compte-rendu-rcp-${id}-v${version ?? '1'}.pdf`, content: await renderRcpSheetPdf(loaded.content) };
      // The same signed version as CDA FRCP, in an IHE XDM zip beside the PDF (MSSanté structured documents).
      xdm = buildXdmZip({ cda: await exportRcpSheetCda(view, recipientCtx, id, version ? { version } : {}), pdf });
    } else if (type === 'CarePlan') {
      // refusalFor has just checked this recipient still sees the programme; the version announced is printed.
      const { kind, document, plan } = await printableProgramme(view, id, (t) => mayReadType(recipientCtx.principal, t), version);
      title = plan.title ?? title;
      date = plan.meta?.lastUpdated ?? date;
      pdf = { filename: `${kind}-${id}.pdf`, content: await renderCarePlanPdf(document) };
      // A PPS (handed over: the only one announced) also travels as CDA PPS in an IHE XDM zip, as the RCP report does.
      if (kind === 'pps') xdm = buildXdmZip({ cda: await exportPpsCda(view, recipientCtx, id, version ? { version } : {}), pdf });
    } else if (p.event === ORAL_TREATMENT_EVENT) {
      // The pharmacist's (or nurse's) own summary: the treatment plan as they may see it.
      const audience = p.role === 'nurse' ? 'nurse' : 'pharmacist';
      const summary = buildSummary(audience, await gatherSummarySources(view, recipientCtx.principal, patientId, audience), { now: new Date() });
      pdf = { filename: `synthese-${audience === 'nurse' ? 'infirmier' : 'pharmacien'}-${patientId}.pdf`, content: await renderSummaryPdf(printableSummary(summary)) };
    }
    return {
      // Unique across databases (a reset restarts ids), stable across retries of this delivery.
      deliveryId: `${entry.id}.${Date.parse(entry.createdAt).toString(36)}`,
      event: p.event,
      to: { address, ...(p.display ? { display: p.display } : {}) },
      patient: patientIdentity(patient),
      document: {
        title, date,
        ...(author ? { author } : {}),
        ...(signedBy ? { signedBy } : {}),
        ...(p.correctionReason ? { correctionReason: p.correctionReason } : {}),
        ...(p.summary ? { summary: p.summary } : {}),
      },
      // The web client's page (after sign-in), never a raw API URL.
      link: patientPageLink(config.publicBaseUrl, patientId, p.event, { role: p.role, roles: recipientCtx.principal.roles }),
      ...(pdf ? { pdf } : {}),
      ...(xdm ? { xdm } : {}),
      sender: this.options.sender ?? DEFAULT_SENDER,
    };
  }

  /** The CDA of the version the event announced, as the service reads it (the signed sheet, the handed-over PPS). */
  private async cdaOf(p: PushDeliveryPayload): Promise<CdaExport> {
    const system = this.options.store.system();
    const [type, id, , version] = p.document.split('/') as [string, string, string?, string?];
    const ctx = systemContext(this.options.fhirBaseUrl);
    if (type === 'Composition') return exportRcpSheetCda(system, ctx, id, version ? { version } : {});
    if (type === 'CarePlan') return exportPpsCda(system, ctx, id, version ? { version } : {});
    throw new Error(`${p.document} : pas de document CDA pour ce type`);
  }

  private async documentOf(p: PushDeliveryPayload): Promise<Bundle> {
    const system = this.options.store.system();
    const [type, id, , version] = p.document.split('/') as [string, string, string?, string?];
    const base = this.options.fhirBaseUrl;
    if (type === 'Composition') return buildRcpSheetDocument(system, systemContext(base), id, version ? { version } : {});
    if (type === 'CarePlan') return carePlanDocument(system, id, { ...(base ? { baseUrl: base } : {}), ...(version ? { version } : {}) });
    throw new Error(`${p.document} : pas de document à transmettre pour ce type`);
  }
}

/** Name, birth date, and the INS only when the identity is qualified (as on every DCC document). */
export function patientIdentity(patient: Patient): SharedDocumentMail['patient'] {
  const shown = withoutUnqualifiedIns(patient);
  const name = patient.name?.find((n) => n.use === 'official') ?? patient.name?.[0];
  const display = [name?.prefix?.join(' '), name?.given?.join(' '), name?.family?.toUpperCase()].filter(Boolean).join(' ') || `Patient/${patient.id}`;
  const ins = shown.identifier?.find((i: Identifier) => INS_SYSTEMS.includes(i.system ?? ''))?.value;
  return { display, ...(patient.birthDate ? { birthDate: patient.birthDate } : {}), ...(ins ? { ins } : {}) };
}

/** Connection-level database errors (PostgreSQL class 08, admin shutdown, serialization): worth a retry. */
function isTransientDatabaseError(err: unknown): boolean {
  const code = (err as { code?: unknown })?.code;
  return typeof code === 'string' && (/^08/.test(code) || ['57P01', '40001', '40P01', 'ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT'].includes(code));
}
