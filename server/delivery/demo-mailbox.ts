import fs from 'node:fs';
import path from 'node:path';
import { randomBytes } from 'node:crypto';
import type { AddressInfo } from 'node:net';
import { SMTPServer, type SMTPServerOptions } from 'smtp-server';

/**
 * The demo's mailbox: a local SMTP catcher standing in for the MSSanté relay, so that `npm start`
 * shows the GP's mail. Listens on 127.0.0.1 only, accepts any sender and recipient, writes each
 * message as `<id>.eml` in `dir` and keeps an index (`index.json`, reloaded on restart).
 */

export interface DemoMailboxMessage {
  id: string;
  to: string[];
  from: string;
  subject: string;
  messageId?: string;
  receivedAt: string;
  /** Absolute path of the `.eml` file. */
  file: string;
}

export interface DemoMailbox {
  port: number;
  close(): Promise<void>;
  messages(): DemoMailboxMessage[];
}

export interface DemoMailboxOptions {
  /** 0 → ephemeral port. */
  port: number;
  dir: string;
  /** STARTTLS offered with this certificate; without it the mailbox speaks plain SMTP (demo: requireTls false). */
  tls?: { certPem: string; keyPem: string };
  /** Largest accepted message (default 25 MB): the demo must not fill the disk. */
  maxBytes?: number;
}

const INDEX = 'index.json';

export async function startDemoMailbox(options: DemoMailboxOptions): Promise<DemoMailbox> {
  const dir = path.resolve(options.dir);
  fs.mkdirSync(dir, { recursive: true, mode: 0o700 });
  const indexFile = path.join(dir, INDEX);
  const index: DemoMailboxMessage[] = readIndex(indexFile);
  const maxBytes = options.maxBytes ?? 25 * 1024 * 1024;

  const serverOptions: SMTPServerOptions = {
    name: 'boite-demo.dcc.local',
    banner: 'Boîte aux lettres de démonstration du DCC',
    authOptional: true,
    disabledCommands: options.tls ? [] : ['STARTTLS'],
    ...(options.tls ? { key: options.tls.keyPem, cert: options.tls.certPem } : {}),
    size: maxBytes,
    logger: false,
    onData(stream, session, callback) {
      const chunks: Buffer[] = [];
      stream.on('data', (c: Buffer) => chunks.push(c));
      stream.on('end', () => {
        if (stream.sizeExceeded) {
          const err: Error & { responseCode?: number } = new Error('Message trop volumineux pour la boîte de démonstration');
          err.responseCode = 552;
          return callback(err);
        }
        try {
          const raw = Buffer.concat(chunks);
          const headers = parseMailHeaders(raw);
          const id = `${new Date().toISOString().replace(/[-:.]/g, '').replace('T', '-').slice(0, 15)}-${randomBytes(4).toString('hex')}`;
          const file = path.join(dir, `${id}.eml`);
          fs.writeFileSync(file, raw, { mode: 0o600 });
          index.push({
            id,
            to: session.envelope.rcptTo.map((r) => r.address),
            from: session.envelope.mailFrom ? session.envelope.mailFrom.address : '',
            subject: decodeMimeWords(headers.get('subject') ?? ''),
            messageId: headers.get('message-id'),
            receivedAt: new Date().toISOString(),
            file,
          });
          writeIndex(indexFile, index);
          callback(null, `Message enregistré (${id})`);
        } catch (err) {
          callback(err as Error);
        }
      });
    },
  };
  const server = new SMTPServer(serverOptions);
  server.on('error', () => { /* a broken client connection must not stop the demo */ });
  await new Promise<void>((resolve, reject) => {
    server.server.once('error', reject);
    server.listen(options.port, '127.0.0.1', () => { server.server.off('error', reject); resolve(); });
  });
  const port = (server.server.address() as AddressInfo).port;
  return {
    port,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
    messages: () => index.map((m) => ({ ...m, to: [...m.to] })),
  };
}

function readIndex(file: string): DemoMailboxMessage[] {
  try {
    const parsed: unknown = JSON.parse(fs.readFileSync(file, 'utf8'));
    return Array.isArray(parsed) ? (parsed as DemoMailboxMessage[]) : [];
  } catch {
    return [];
  }
}

function writeIndex(file: string, index: DemoMailboxMessage[]): void {
  // Write then rename: a crash mid-write leaves the previous index, never a truncated one.
  const tmp = `${file}.tmp`;
  fs.writeFileSync(tmp, JSON.stringify(index, null, 2), { mode: 0o600 });
  fs.renameSync(tmp, file);
}

/** Header block of a raw message (unfolded, names lower-cased, first occurrence kept). */
export function parseMailHeaders(raw: Buffer | string): Map<string, string> {
  const text = typeof raw === 'string' ? raw : raw.toString('latin1');
  const end = text.search(/\r?\n\r?\n/);
  const block = (end === -1 ? text : text.slice(0, end)).replace(/\r?\n[ \t]+/g, ' ');
  const headers = new Map<string, string>();
  for (const line of block.split(/\r?\n/)) {
    const colon = line.indexOf(':');
    if (colon <= 0) continue;
    const name = line.slice(0, colon).trim().toLowerCase();
    if (!headers.has(name)) headers.set(name, line.slice(colon + 1).trim());
  }
  return headers;
}

/** RFC 2047 encoded words (`=?UTF-8?Q?…?=`, `=?UTF-8?B?…?=`) to text; adjacent words join without the space. */
export function decodeMimeWords(value: string): string {
  return value
    .replace(/(=\?[^?]+\?[BbQq]\?[^?]*\?=)\s+(?==\?)/g, '$1')
    .replace(/=\?([^?*]+)(?:\*[^?]*)?\?([BbQq])\?([^?]*)\?=/g, (_, charset: string, encoding: string, body: string) => {
      const bytes = encoding.toUpperCase() === 'B'
        ? Buffer.from(body, 'base64')
        : Buffer.from(body.replace(/_/g, ' ').replace(/=([0-9A-Fa-f]{2})/g, (_m, hex: string) => String.fromCharCode(Number.parseInt(hex, 16))), 'latin1');
      return bytes.toString(/^utf-?8$/i.test(charset) ? 'utf8' : 'latin1');
    });
}
