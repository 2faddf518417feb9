import type { AddressInfo } from 'node:net';
import type { TLSSocket } from 'node:tls';
import { SMTPServer, type SMTPServerOptions, type SMTPServerSession } from 'smtp-server';
import { decodeMimeWords, parseMailHeaders } from '../../server/delivery/demo-mailbox.ts';

/**
 * A real SMTP server for the tests (smtp-server on an ephemeral 127.0.0.1 port) that records what
 * it receives and misbehaves on request: refuses recipients, refuses every session with 421, drops
 * the connection in the middle of DATA, goes down and comes back on the same port, requires auth.
 */

export interface CaughtPart {
  headers: Map<string, string>;
  contentType: string;
  filename?: string;
  /** Transfer-decoded body. */
  content: Buffer;
}

export interface CaughtMessage {
  envelope: { from: string; to: string[] };
  raw: Buffer;
  headers: Map<string, string>;
  messageId?: string;
  /** Decoded (RFC 2047). */
  subject?: string;
  /** Leaf MIME parts, decoded. */
  parts: CaughtPart[];
  attachments: CaughtPart[];
  /** Decoded text/plain part. */
  text?: string;
  secure: boolean;
  /** Authenticated user, when auth is required. */
  user?: string;
  /** Subject CN of the client certificate, when one was presented. */
  clientCertificateCn?: string;
  receivedAt: Date;
}

export interface SmtpCatcherOptions {
  /** Certificate offered over STARTTLS (or from the first byte with implicitTls). */
  tls?: { certPem: string; keyPem: string };
  /** TLS from the first byte (port-465 style) instead of STARTTLS. */
  implicitTls?: boolean;
  /** Refuse STARTTLS (a relay without TLS). Default: STARTTLS offered when tls is set. */
  noStartTls?: boolean;
  /** Ask for a client certificate signed by this CA and refuse the session without one. */
  clientCa?: string;
  /** AUTH required with these credentials. */
  auth?: { user: string; pass: string };
}

type Refusal = { code: number; message: string };

export class SmtpCatcher {
  readonly messages: CaughtMessage[] = [];
  /** DATA transfers cut by dropDuringData: what the relay never acknowledged. */
  droppedTransfers = 0;
  /** Sessions refused by refuseAll, counted to show a client really tried. */
  refusedSessions = 0;
  port = 0;

  private server?: SMTPServer;
  private recipientRefusals = new Map<string, Refusal>();
  private sessionRefusal?: Refusal;
  private dropsLeft = 0;
  private readonly clientCn = new Map<string, string>();

  private constructor(private readonly options: SmtpCatcherOptions) {}

  static async start(options: SmtpCatcherOptions = {}): Promise<SmtpCatcher> {
    const catcher = new SmtpCatcher(options);
    await catcher.start();
    return catcher;
  }

  get running(): boolean {
    return Boolean(this.server);
  }

  /** Listens again on the same port after stop() (first call: an ephemeral port). */
  async start(): Promise<void> {
    if (this.server) return;
    const server = new SMTPServer(this.serverOptions());
    server.on('error', () => { /* client connections cut on purpose */ });
    await new Promise<void>((resolve, reject) => {
      server.server.once('error', reject);
      server.listen(this.port, '127.0.0.1', () => { server.server.off('error', reject); resolve(); });
    });
    this.port = (server.server.address() as AddressInfo).port;
    this.server = server;
  }

  /** The relay goes down: no listener, open sessions cut. */
  async stop(): Promise<void> {
    const server = this.server;
    if (!server) return;
    this.server = undefined;
    for (const connection of server.connections) connection._socket.destroy();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }

  /** RCPT TO for this address gets `code` (550 permanent, 451 temporary…). */
  refuseRecipient(address: string, code: number, message = code >= 500 ? 'Boîte aux lettres inconnue' : 'Réessayez plus tard'): void {
    this.recipientRefusals.set(address.toLowerCase(), { code, message });
  }

  /** Every new session is greeted with this refusal (421 by default) and closed. */
  refuseAll(code = 421, message = 'Service momentanément indisponible'): void {
    this.sessionRefusal = { code, message };
  }

  /** Back to accepting everything. */
  acceptAll(): void {
    this.recipientRefusals.clear();
    this.sessionRefusal = undefined;
    this.dropsLeft = 0;
  }

  /** The next `times` DATA transfers are cut after their first bytes, before any reply. */
  dropDuringData(times = 1): void {
    this.dropsLeft = times;
  }

  byMessageId(messageId: string): CaughtMessage[] {
    return this.messages.filter((m) => m.messageId === messageId);
  }

  private serverOptions(): SMTPServerOptions {
    const { tls, implicitTls, noStartTls, clientCa, auth } = this.options;
    const disabled = [...(!tls || noStartTls ? ['STARTTLS'] : []), ...(auth ? [] : ['AUTH'])];
    return {
      secure: Boolean(implicitTls),
      ...(tls ? { key: tls.keyPem, cert: tls.certPem } : {}),
      ...(clientCa ? { ca: clientCa, requestCert: true, rejectUnauthorized: true } : {}),
      disabledCommands: disabled,
      authOptional: !auth,
      logger: false,
      closeTimeout: 100,
      onConnect: (_session, callback) => {
        if (!this.sessionRefusal) return callback();
        this.refusedSessions += 1;
        callback(withCode(this.sessionRefusal));
      },
      onSecure: (socket, session, callback) => {
        const cert = (socket as TLSSocket).getPeerCertificate?.();
        const cn = cert?.subject?.CN;
        if (cn) this.clientCn.set(session.id, Array.isArray(cn) ? cn.join('+') : cn);
        callback();
      },
      onAuth: (credentials, _session, callback) => {
        if (auth && credentials.username === auth.user && credentials.password === auth.pass) return callback(null, { user: credentials.username });
        callback(withCode({ code: 535, message: 'Identifiants refusés' }));
      },
      onRcptTo: (address, _session, callback) => {
        const refusal = this.recipientRefusals.get(address.address.toLowerCase());
        callback(refusal ? withCode(refusal) : undefined);
      },
      onData: (stream, session, callback) => {
        if (this.dropsLeft > 0) {
          this.dropsLeft -= 1;
          stream.once('data', () => {
            // Half-finished send: the relay vanishes mid-DATA and never replies.
            this.droppedTransfers += 1;
            this.connectionOf(session)?._socket.destroy();
          });
          stream.resume();
          return;
        }
        const chunks: Buffer[] = [];
        stream.on('data', (c: Buffer) => chunks.push(c));
        stream.on('end', () => {
          this.messages.push(this.record(Buffer.concat(chunks), session));
          callback(null, 'Message accepté');
        });
      },
    };
  }

  private connectionOf(session: SMTPServerSession) {
    for (const connection of this.server?.connections ?? []) if (connection.id === session.id) return connection;
    return undefined;
  }

  private record(raw: Buffer, session: SMTPServerSession): CaughtMessage {
    const headers = parseMailHeaders(raw);
    const parts = leafParts(raw);
    const text = parts.find((p) => p.contentType === 'text/plain' && !p.filename);
    return {
      envelope: { from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '', to: session.envelope.rcptTo.map((r) => r.address) },
      raw,
      headers,
      messageId: headers.get('message-id'),
      subject: headers.has('subject') ? decodeMimeWords(headers.get('subject')!) : undefined,
      parts,
      attachments: parts.filter((p) => p.filename !== undefined),
      text: text?.content.toString('utf8'),
      secure: session.secure,
      user: typeof session.user === 'string' ? session.user : undefined,
      clientCertificateCn: this.clientCn.get(session.id),
      receivedAt: new Date(),
    };
  }
}

function withCode(refusal: Refusal): Error {
  const err: Error & { responseCode?: number } = new Error(refusal.message);
  err.responseCode = refusal.code;
  return err;
}

/** Just enough MIME for the tests: multipart/* split recursively, base64 / quoted-printable decoded. */
function leafParts(raw: Buffer): CaughtPart[] {
  const text = raw.toString('latin1');
  const split = text.search(/\r?\n\r?\n/);
  const headers = parseMailHeaders(text);
  const body = split === -1 ? '' : text.slice(split).replace(/^\r?\n\r?\n/, '');
  const contentType = (headers.get('content-type') ?? 'text/plain').split(';')[0].trim().toLowerCase();
  if (contentType.startsWith('multipart/')) {
    const boundary = param(headers.get('content-type') ?? '', 'boundary');
    if (!boundary) return [];
    const sections = body.split(new RegExp(`\\r?\\n?--${escapeRegExp(boundary)}(?:--)?[ \\t]*\\r?\\n?`)).slice(1, -1);
    return sections.flatMap((s) => leafParts(Buffer.from(s, 'latin1')));
  }
  const encoding = (headers.get('content-transfer-encoding') ?? '7bit').toLowerCase();
  const content = encoding === 'base64' ? Buffer.from(body.replace(/\s+/g, ''), 'base64')
    : encoding === 'quoted-printable' ? Buffer.from(body.replace(/=\r?\n/g, '').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1')
      : Buffer.from(body, 'latin1');
  const disposition = headers.get('content-disposition') ?? '';
  const filename = /^attachment/i.test(disposition) ? decodeMimeWords(param(disposition, 'filename') ?? param(headers.get('content-type') ?? '', 'name') ?? '') : undefined;
  return [{ headers, contentType, filename, content }];
}

function param(header: string, name: string): string | undefined {
  const match = new RegExp(`${name}\\s*=\\s*("([^"]*)"|[^;\\s]+)`, 'i').exec(header);
  return match ? (match[2] ?? match[1]) : undefined;
}

function escapeRegExp(s: string): string {
  return s.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
