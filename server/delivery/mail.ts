import nodemailer from 'nodemailer';
import type { NodemailerError, SMTPTransportOptions, Transporter, SMTPSentMessageInfo } from 'nodemailer';
import { isLoopback, type MailConfig } from '../config.ts';
import { bareAddress } from '../fhir-kit/text.ts';
import type { SharingEventKind } from './events.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import { numericDateTime } from '../fhir-kit/french-dates.ts';

/**
 * Secure mail to city professionals (MSSanté-ready SMTP): configuration, the French message for
 * each shared event, the SMTP sender and the permanent/temporary verdict the outbox needs.
 * MSSanté relays take SMTP over TLS (STARTTLS on 587 or implicit TLS on 465), authenticated by
 * password or by the application's IGC-Santé certificate; both are supported here.
 */

/** The kinds are defined once, with the events (events.ts). */
export type SharedEventKind = SharingEventKind;

export interface SharedDocumentMail {
  /** Outbox entry id → stable Message-ID, so a retry after a half-finished send is the same message. */
  deliveryId: string;
  event: SharedEventKind;
  to: { address: string; display?: string };
  patient: { display: string; birthDate?: string; /** only when the identity is qualified */ ins?: string };
  /**
   * What the document says of itself: `author` is the document's author (the RCP sheet's « auteur »),
   * `signedBy` whoever signed it — two people on an RCP report (the chair writes, a member may sign).
   */
  document: { title: string; date: string; author?: string; signedBy?: string; correctionReason?: string; summary?: string };
  /** URL into the DCC (summary or document). */
  link: string;
  pdf?: { filename: string; content: Buffer };
  /** IHE XDM zip of the structured (CDA) document, the MSSanté way (server/cda). */
  xdm?: Buffer;
  sender: { organisation: string; phone?: string };
}

export interface OutgoingMail {
  messageId: string;
  from: string;
  /** One bare address (checked): never a list. */
  to: string;
  toName?: string;
  subject: string;
  text: string;
  html: string;
  attachments: { filename: string; content: Buffer; contentType: string }[];
  headers: Record<string, string>;
}

export interface SendResult {
  messageId: string;
  response: string;
  accepted: string[];
  rejected: string[];
}

const DEFAULT_CONNECTION_TIMEOUT_MS = 10_000;
const DEFAULT_SOCKET_TIMEOUT_MS = 60_000;
const DEFAULT_SEND_TIMEOUT_MS = 120_000;

// ---------------------------------------------------------------------------------------------
// Composition (pure)

const EVENT_TEXT: Record<SharedEventKind, { subject: string; corrected: string; intro: string }> = {
  'rcp-report': {
    subject: 'Compte rendu de RCP',
    corrected: 'Compte rendu de RCP corrigé',
    intro: 'Le compte rendu de la réunion de concertation pluridisciplinaire (RCP) concernant votre patient(e) a été signé. Il contient la proposition thérapeutique retenue.',
  },
  'pps-shared': {
    subject: 'Programme personnalisé de soins (PPS)',
    corrected: 'Programme personnalisé de soins (PPS) mis à jour',
    intro: 'Le programme personnalisé de soins (PPS) a été remis à votre patient(e), qui a accepté qu\'il vous soit transmis. Il donne le calendrier des traitements et les contacts de l\'équipe.',
  },
  'ppac-changed': {
    subject: 'Programme de l\'après-cancer (PPAC)',
    corrected: 'Programme de l\'après-cancer (PPAC) mis à jour',
    intro: 'Le programme personnalisé de l\'après-cancer (PPAC) de votre patient(e) a été établi ou modifié. Il précise le calendrier de surveillance alternée entre l\'établissement et le médecin traitant.',
  },
  'oral-treatment-changed': {
    subject: 'Traitement anticancéreux oral',
    corrected: 'Traitement anticancéreux oral modifié',
    intro: 'Le traitement anticancéreux par voie orale de votre patient(e) a été instauré ou modifié (médicament, dose, rythme ou statut).',
  },
};

const CONFIDENTIALITY = 'Ce message contient des données de santé à caractère personnel couvertes par le secret professionnel '
  + '(article L1110-4 du code de la santé publique). Si vous l\'avez reçu par erreur, merci de prévenir l\'expéditeur et de le détruire.';

/**
 * The French message for one shared event. The subject carries only initials and birth year
 * (subjects end up in notifications, mailbox lists and relay logs); the full identity is in the body.
 */
export function composeSharedDocumentMail(input: SharedDocumentMail, config: Pick<MailConfig, 'from' | 'messageIdDomain'>): OutgoingMail {
  if (!/^[A-Za-z0-9._-]{1,128}$/.test(input.deliveryId)) throw new Error(`Identifiant d'envoi invalide pour un Message-ID : ${input.deliveryId}`);
  if (!/^[A-Za-z0-9.-]+$/.test(config.messageIdDomain)) throw new Error(`Domaine de Message-ID invalide : ${config.messageIdDomain}`);
  const to = bareAddress(input.to.address);
  if (!to || to !== input.to.address.trim()) throw new Error(`Adresse de messagerie sécurisée invalide : ${input.to.address}`);
  const link = new URL(input.link);
  if (link.protocol !== 'https:' && link.protocol !== 'http:') throw new Error(`Lien vers le DCC invalide : ${input.link}`);

  const words = EVENT_TEXT[input.event];
  const kind = input.document.correctionReason ? words.corrected : words.subject;
  const birthYear = /^\d{4}/.exec(input.patient.birthDate ?? '')?.[0];
  const subject = `[DCC] ${kind} – patient ${initials(input.patient.display)}${birthYear ? ` (${birthYear})` : ''}`;

  const identity: [string, string][] = [['Patient(e)', input.patient.display]];
  if (input.patient.birthDate) identity.push(['Né(e) le', numericDateTime(input.patient.birthDate)]);
  if (input.patient.ins) identity.push(['INS (identité qualifiée)', input.patient.ins]);
  const documentLines: [string, string][] = [['Document', input.document.title], ['Date', numericDateTime(input.document.date)]];
  if (input.document.author) documentLines.push(['Auteur', input.document.author]);
  if (input.document.signedBy) documentLines.push(['Signé par', input.document.signedBy]);
  if (input.document.correctionReason) documentLines.push(['Motif de la correction', input.document.correctionReason]);
  const call = `${input.sender.organisation}${input.sender.phone ? `, tél. ${input.sender.phone}` : ''}`;
  const greeting = `Bonjour${input.to.display ? ` ${input.to.display}` : ''},`;
  const correctionNote = input.document.correctionReason ? 'Ce document remplace la version qui vous a été adressée précédemment.' : undefined;
  const pdfNote = input.pdf ? 'Le document est joint au format PDF.' : undefined;
  const linkNote = 'Consulter dans le DCC (connexion par carte CPS ou Pro Santé Connect) :';

  const text = [
    greeting, '',
    words.intro,
    ...(correctionNote ? [correctionNote] : []), '',
    ...identity.map(([k, v]) => `${k} : ${v}`), '',
    ...documentLines.map(([k, v]) => `${k} : ${v}`),
    ...(input.document.summary ? ['', input.document.summary] : []), '',
    ...(pdfNote ? [pdfNote] : []),
    linkNote, link.href, '',
    `Qui appeler : ${call}`, '',
    '-- ',
    'Message envoyé automatiquement par le dossier communicant de cancérologie (DCC).',
    CONFIDENTIALITY, '',
  ].join('\r\n');

  const rows = (lines: [string, string][]) => lines.map(([k, v]) => `<tr><th style="text-align:left;padding-right:1em">${escapeHtml(k)}</th><td>${escapeHtml(v)}</td></tr>`).join('');
  const html = `<!DOCTYPE html><html lang="fr"><head><meta charset="utf-8"><title>${escapeHtml(subject)}</title></head><body>`
    + `<p>${escapeHtml(greeting)}</p><p>${escapeHtml(words.intro)}${correctionNote ? `<br><strong>${escapeHtml(correctionNote)}</strong>` : ''}</p>`
    + `<table>${rows(identity)}</table><table style="margin-top:1em">${rows(documentLines)}</table>`
    + (input.document.summary ? `<p>${escapeHtml(input.document.summary).replace(/\r?\n/g, '<br>')}</p>` : '')
    + (pdfNote ? `<p>${escapeHtml(pdfNote)}</p>` : '')
    + `<p>${escapeHtml(linkNote)} <a href="${escapeHtml(link.href)}">${escapeHtml(link.href)}</a></p>`
    + `<p><strong>Qui appeler :</strong> ${escapeHtml(call)}</p>`
    + `<hr><p style="font-size:small;color:#555">Message envoyé automatiquement par le dossier communicant de cancérologie (DCC).<br>${escapeHtml(CONFIDENTIALITY)}</p>`
    + '</body></html>';

  return {
    messageId: `<dcc-delivery-${input.deliveryId}@${config.messageIdDomain}>`,
    from: config.from,
    to,
    toName: input.to.display,
    subject,
    text,
    html,
    attachments: [
      ...(input.pdf ? [{ filename: safeFilename(input.pdf.filename), content: input.pdf.content, contentType: 'application/pdf' }] : []),
      ...(input.xdm ? [{ filename: 'IHE_XDM.ZIP', content: input.xdm, contentType: 'application/zip' }] : []),
    ],
    headers: {
      // RFC 3834: no vacation replies back to an automatic sender.
      'Auto-Submitted': 'auto-generated',
      'X-DCC-Delivery-Id': input.deliveryId,
      'X-DCC-Event': input.event,
    },
  };
}

const CIVILITIES = new Set(['m', 'mme', 'mlle', 'mr', 'monsieur', 'madame', 'mademoiselle', 'dr', 'pr']);

/** `Mme Jeanne DUPONT-MARTIN` → `J. D.-M.` */
export function initials(display: string): string {
  const parts = display.split(/\s+/).filter((w) => w && !CIVILITIES.has(w.replace(/\.$/, '').toLowerCase()));
  const letters = parts.map((w) => w.split('-').filter(Boolean).map((p) => `${p.charAt(0).toLocaleUpperCase('fr-FR')}.`).join('-'));
  return letters.join(' ') || '?';
}

function safeFilename(name: string): string {
  const base = name.replace(/[\\/\r\n"]/g, '_').trim() || 'document.pdf';
  return /\.pdf$/i.test(base) ? base : `${base}.pdf`;
}

// ---------------------------------------------------------------------------------------------
// Sending

/**
 * SMTP sender. Not pooled: deliveries come a few at a time from the outbox, and one connection
 * per message means a failure (drop, timeout, refusal) belongs to exactly that outbox entry, with
 * no idle pooled connection that the relay has silently closed in between.
 */
export class MailSender {
  private readonly transport: Transporter<SMTPSentMessageInfo, SMTPTransportOptions>;
  private readonly sendTimeoutMs: number;

  constructor(config: MailConfig) {
    // A password never crosses the network in clear; a loopback relay (local postfix) may be plain.
    if (config.auth && !config.secure && !config.requireTls && !isLoopback(config.host)) {
      throw new Error('Authentification SMTP sans TLS obligatoire refusée : activer SMTP_REQUIRE_TLS ou SMTP_SECURE');
    }
    const connectionTimeout = config.connectionTimeoutMs ?? DEFAULT_CONNECTION_TIMEOUT_MS;
    this.sendTimeoutMs = config.sendTimeoutMs ?? DEFAULT_SEND_TIMEOUT_MS;
    this.transport = nodemailer.createTransport({
      host: config.host,
      port: config.port,
      secure: config.secure,
      // requireTLS: STARTTLS or failure, never a clear session; opportunistic otherwise (demo).
      requireTLS: !config.secure && config.requireTls,
      ignoreTLS: false,
      opportunisticTLS: false,
      tls: {
        rejectUnauthorized: config.rejectUnauthorized,
        minVersion: 'TLSv1.2',
        ...(config.ca ? { ca: config.ca } : {}),
        ...(config.servername ? { servername: config.servername } : {}),
        ...(config.clientCert ? { cert: config.clientCert.certPem, key: config.clientCert.keyPem } : {}),
      },
      auth: config.auth ? { user: config.auth.user, pass: config.auth.pass } : undefined,
      connectionTimeout,
      greetingTimeout: connectionTimeout,
      dnsTimeout: connectionTimeout,
      socketTimeout: config.socketTimeoutMs ?? DEFAULT_SOCKET_TIMEOUT_MS,
      // Attachments are Buffers we built: nothing may make the mailer read a file or fetch a URL.
      disableFileAccess: true,
      disableUrlAccess: true,
      logger: false,
    });
  }

  async send(mail: OutgoingMail): Promise<SendResult> {
    const info = await this.transport.sendMail({
      messageId: mail.messageId,
      from: mail.from,
      to: mail.toName ? { name: mail.toName, address: mail.to } : mail.to,
      subject: mail.subject,
      text: mail.text,
      html: mail.html,
      attachments: mail.attachments.map((a) => ({ filename: a.filename, content: a.content, contentType: a.contentType })),
      headers: mail.headers,
      signal: AbortSignal.timeout(this.sendTimeoutMs),
    });
    const accepted = (info.accepted ?? []).map(String);
    const rejected = (info.rejected ?? []).map(String);
    if (!accepted.length || rejected.length) {
      const err: NodemailerError = new Error(`Destinataire refusé par le relais : ${rejected.join(', ') || mail.to}`);
      err.code = 'EENVELOPE';
      err.rejected = rejected.length ? rejected : [mail.to];
      err.rejectedErrors = (info as { rejectedErrors?: NodemailerError[] }).rejectedErrors;
      const reply = err.rejectedErrors?.[0];
      if (reply?.responseCode) { err.responseCode = reply.responseCode; err.response = reply.response; }
      throw err;
    }
    return { messageId: info.messageId, response: info.response, accepted, rejected };
  }

  /** Connects, negotiates TLS and authenticates, without sending: a start-up check of the relay. */
  async verify(): Promise<void> {
    await this.transport.verify();
  }

  close(): void {
    this.transport.close();
  }
}

// ---------------------------------------------------------------------------------------------
// Failure verdict for the outbox

const RELAY_COMMANDS = new Set(['CONN', 'EHLO', 'HELO', 'LHLO', 'STARTTLS', 'AUTH', 'AUTH PLAIN', 'AUTH LOGIN', 'AUTH CRAM-MD5', 'AUTH XOAUTH2']);
// Node's TLS failures: certificate verification (CERT_*, *SELF_SIGNED*, UNABLE_TO_*), ERR_SSL_*/ERR_TLS_*, EPROTO.
const TLS_CERT_CODES = /^(?:ERR_SSL_|ERR_TLS_|CERT_|DEPTH_ZERO_SELF_SIGNED|SELF_SIGNED_|UNABLE_TO_|EPROTO$)/;

/**
 * Permanent when retrying the same message to the same recipient would be refused again: a 5xx
 * reply to MAIL FROM / RCPT TO / DATA (550 unknown mailbox, 552 too large, 554 refused) or a
 * recipient the relay did not accept. Everything about reaching the relay is temporary (4xx,
 * refused/reset/timed-out connections, TLS, authentication): fixing the relay or its settings
 * lets the queued messages go, and the outbox's attempt limit still ends in the dead letter.
 */
export function classifyMailError(err: unknown): { permanent: boolean; message: string } {
  if (!err || typeof err !== 'object') return { permanent: false, message: `Échec d'envoi : ${String(err)}` };
  const e = err as NodemailerError;
  const code = e.code ?? '';
  const original = e.originalCode ?? '';
  const reply = e.response ? ` (réponse du relais : ${oneLine(e.response)})` : '';
  const deferred = e.rejectedErrors?.find((r) => r.responseCode && r.responseCode < 500);
  const responseCode = deferred?.responseCode ?? e.responseCode;
  const relayLevel = RELAY_COMMANDS.has(e.command ?? '') || code === 'EAUTH' || code === 'ETLS';

  if (code === 'EENVELOPE' && (e.rejected?.length || e.rejectedErrors?.length)) {
    const who = e.rejected?.join(', ') ?? '';
    if (responseCode && responseCode < 500) return { permanent: false, message: `Destinataire ${who} momentanément refusé (${responseCode})${reply}` };
    return { permanent: true, message: `Destinataire ${who} refusé par le relais${responseCode ? ` (${responseCode})` : ''}${reply}` };
  }
  // 530 (authentication required) answers MAIL FROM but is about our session, not this message.
  if (code === 'EAUTH' || code === 'ENOAUTH' || responseCode === 530) {
    return { permanent: false, message: `Authentification refusée par le relais SMTP : vérifier SMTP_USER / SMTP_PASS ou le certificat applicatif${reply}` };
  }
  if (code === 'ETLS' || TLS_CERT_CODES.test(original) || TLS_CERT_CODES.test(code)) {
    const detail = /certificate|CERT|SELF_SIGNED|UNABLE_TO/i.test(`${e.message} ${original}`) ? 'certificat du relais non reconnu' : 'STARTTLS refusé ou impossible';
    return { permanent: false, message: `Échec TLS avec le relais SMTP (${detail}) : rien n'a été envoyé en clair${reply}` };
  }
  if (responseCode && !relayLevel) {
    // 503 is a bad command sequence, not a verdict on the message (nodemailer does the same).
    if (responseCode >= 500 && responseCode !== 503) return { permanent: true, message: `Message refusé définitivement par le relais (${responseCode})${reply}` };
    if (responseCode >= 400) return { permanent: false, message: `Message refusé temporairement par le relais (${responseCode})${reply}` };
  }
  if (responseCode) return { permanent: false, message: `Relais SMTP indisponible (${responseCode})${reply}` };
  if (code === 'ETIMEDOUT' || original === 'ETIMEDOUT') return { permanent: false, message: 'Relais SMTP muet : délai dépassé' };
  if (code === 'EABORT' || e.name === 'AbortError' || e.name === 'TimeoutError') return { permanent: false, message: 'Envoi interrompu : délai global dépassé' };
  if (original === 'ECONNREFUSED') return { permanent: false, message: 'Relais SMTP injoignable : connexion refusée' };
  if (code === 'EDNS' || original === 'ENOTFOUND' || original === 'EAI_AGAIN') return { permanent: false, message: 'Relais SMTP introuvable (DNS)' };
  if (code === 'ECONNECTION' || code === 'ESOCKET' || original === 'ECONNRESET' || original === 'EPIPE') {
    return { permanent: false, message: 'Connexion au relais SMTP interrompue avant la fin de l\'envoi' };
  }
  if (code === 'EMESSAGE') return { permanent: true, message: `Message non transmissible : ${oneLine(e.message)}` };
  return { permanent: false, message: `Échec d'envoi : ${oneLine(e.message ?? String(err))}` };
}

function oneLine(s: string): string {
  const line = s.replace(/\s+/g, ' ').trim();
  return line.length > 200 ? `${line.slice(0, 200)}…` : line;
}
