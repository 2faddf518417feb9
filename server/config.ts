import os from 'node:os';
import path from 'node:path';
import { pushConfigFromEnv, type PushConfig } from './delivery/fhir-push.ts';
import { mailConfigFromEnv, type MailConfig } from './delivery/mail.ts';

/** Service configuration, read once from the environment (documented in README.md). */
export interface Config {
  /** postgres://… for a PostgreSQL server; undefined → embedded PGlite in dataDir. */
  databaseUrl?: string;
  /** Folder of the embedded database and other local state. */
  dataDir: string;
  port: number;
  host: string;
  /** Public FHIR base URL; when unset it is derived from each request's Host. */
  baseUrl?: string;
  /** Seed the demo data set on start (default: on, except in production). */
  seedDemo: boolean;
  /** Search paging: default and maximum page size. */
  defaultPageSize: number;
  maxPageSize: number;
  /** Largest accepted request body (FHIR JSON), e.g. '5mb'. */
  maxBodySize: string;
  logLevel: string;
  production: boolean;
  /** HTTPS with CPS client certificates (mutual TLS) on tlsPort when these are set. */
  tlsCertFile?: string;
  tlsKeyFile?: string;
  cpsCaFile?: string;
  tlsPort: number;
  /** Reverse-proxy mode: header carrying the client certificate, and the proxies allowed to set it. */
  cpsProxyHeader?: string;
  cpsTrustedProxies: string[];
  /** Demo CA and CPS-like certificates in the data folder (never in production). */
  demoPki: boolean;
  /** "Connexion de démonstration" (pick a demo professional): demo mode only, refused in production. */
  demoSignIn: boolean;
  /** Public https URL of the CPS mutual-TLS listener the sign-in page links to (default: same host, tlsPort). */
  cpsPublicUrl?: string;
  /** Browser sessions: idle and absolute timeouts. */
  sessionIdleMinutes: number;
  sessionMaxHours: number;
  /** Requests per minute and address on the sign-in endpoints. */
  signInRateLimit: number;
  /** Secure mail relay (MSSanté) for what is shared with the city; undefined → no mail sent. */
  mail?: MailConfig;
  /** External FHIR repository the signed reports and PPS are pushed to; undefined → no push. */
  push?: PushConfig;
  /** DMP-like repository the same documents are filed in as CDA (Binary + DocumentReference); undefined → none. */
  dmpPush?: PushConfig;
  /** Demo: a local SMTP catcher on this port receives the mails (data/demo-mailbox) when no relay is set. */
  demoMailboxPort?: number;
  /** Drain the outbox in this process (any number of servers may). */
  deliveryWorker: boolean;
  deliveryIntervalMs: number;
  /** PostgreSQL statement timeout (ms): a query running longer is cancelled and answered 503. */
  statementTimeoutMs: number;
  /** Who the mails come from, and the line to call back. */
  sender: { organisation: string; phone?: string };
  /**
   * App processes (node:cluster) sharing the ports: several on PostgreSQL, where sessions, login
   * state and outbox leases live; always 1 on PGlite (one process owns the embedded database).
   */
  workers: number;
  /** Why `workers` is less than DCC_WORKERS asked for (said once at start-up), if it is. */
  workersNote?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const workers = workersFrom(env.DCC_WORKERS, Boolean(env.DATABASE_URL));
  return {
    ...workers,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DCC_DATA_DIR ?? './data'),
    port: intFrom(env.PORT, 8080),
    host: env.HOST ?? '127.0.0.1',
    baseUrl: env.DCC_BASE_URL?.replace(/\/$/, '') || undefined,
    seedDemo: env.DCC_SEED_DEMO ? env.DCC_SEED_DEMO !== 'false' : !production,
    defaultPageSize: intFrom(env.DCC_PAGE_SIZE, 20),
    maxPageSize: intFrom(env.DCC_MAX_PAGE_SIZE, 200),
    maxBodySize: env.DCC_MAX_BODY ?? '5mb',
    logLevel: env.LOG_LEVEL ?? (env.NODE_ENV === 'test' ? 'silent' : 'info'),
    production,
    tlsCertFile: env.TLS_CERT_FILE || undefined,
    tlsKeyFile: env.TLS_KEY_FILE || undefined,
    cpsCaFile: env.CPS_CA_FILE || undefined,
    tlsPort: intFrom(env.TLS_PORT, 8443),
    cpsProxyHeader: env.CPS_PROXY_HEADER?.toLowerCase() || undefined,
    cpsTrustedProxies: (env.CPS_TRUSTED_PROXIES ?? '').split(',').map((s) => s.trim()).filter(Boolean),
    demoPki: env.DCC_DEMO_PKI ? env.DCC_DEMO_PKI !== 'false' : !production,
    demoSignIn: env.DCC_DEMO_SIGN_IN ? env.DCC_DEMO_SIGN_IN !== 'false' : !production && (env.DCC_SEED_DEMO ? env.DCC_SEED_DEMO !== 'false' : true),
    cpsPublicUrl: env.DCC_CPS_URL?.replace(/\/$/, '') || undefined,
    sessionIdleMinutes: intFrom(env.DCC_SESSION_IDLE_MINUTES, 30),
    sessionMaxHours: intFrom(env.DCC_SESSION_MAX_HOURS, 12),
    signInRateLimit: intFrom(env.DCC_SIGN_IN_RATE_LIMIT, 30),
    mail: mailConfigFromEnv(env),
    push: pushConfigFromEnv(env),
    dmpPush: pushConfigFromEnv(env, 'DCC_DMP_FHIR'),
    demoMailboxPort: !production && !env.SMTP_HOST && env.DCC_DEMO_MAILBOX !== 'false' ? intFrom(env.DCC_DEMO_SMTP_PORT, 2525) : undefined,
    deliveryWorker: env.DCC_DELIVERY_WORKER ? env.DCC_DELIVERY_WORKER !== 'false' : env.NODE_ENV !== 'test',
    deliveryIntervalMs: intFrom(env.DCC_DELIVERY_INTERVAL_MS, 15_000),
    statementTimeoutMs: intFrom(env.DCC_STATEMENT_TIMEOUT_MS, 30_000),
    sender: {
      organisation: env.DCC_SENDER_ORGANISATION ?? 'DCC — Centre de coordination en cancérologie (3C)',
      ...(env.DCC_SENDER_PHONE ? { phone: env.DCC_SENDER_PHONE } : {}),
    },
  };
}

/** DCC_WORKERS: a count, or 'auto' for one per core; PGlite (single connection, one file lock) keeps one. */
function workersFrom(value: string | undefined, postgres: boolean): { workers: number; workersNote?: string } {
  const asked = value?.trim().toLowerCase() === 'auto' ? os.availableParallelism() : intFrom(value, 1);
  if (asked <= 1 || postgres) return { workers: asked };
  return { workers: 1, workersNote: `DCC_WORKERS=${value} ignoré : la base embarquée (PGlite) ne s'ouvre que dans un seul processus ; un seul processus démarre (définissez DATABASE_URL pour en lancer plusieurs)` };
}

function intFrom(value: string | undefined, fallback: number): number {
  const n = value ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : fallback;
}
