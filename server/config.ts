import os from 'node:os';
import path from 'node:path';
import fs from 'node:fs';
import { createPrivateKey, X509Certificate } from 'node:crypto';
import { bareAddress, foldForComparison } from './fhir-kit/text.ts';

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
  /**
   * PostgreSQL connections per app process. 10 by default; where PostgreSQL shares the app's few
   * cores, fewer do more (docs/scaling.md: 2 on two cores took a third off PostgreSQL's CPU per read).
   */
  databasePoolMax: number;
  /** Who the mails come from, and the line to call back (demo: DEMO_3C_PHONE, the demo 3C's line). */
  sender: { organisation: string; phone?: string };
  /**
   * App processes (node:cluster) sharing the ports: several on PostgreSQL, where sessions, login
   * state and outbox leases live; always 1 on PGlite (one process owns the embedded database).
   */
  workers: number;
  /** Why `workers` is less than DCC_WORKERS asked for (said once at start-up), if it is. */
  workersNote?: string;
  /** CDA documents: the DCC's OID arc for document ids, the custodian, and the ANS validation kit. */
  cda: CdaSettings;
}

export interface CdaSettings {
  /** A test arc by default: a real deployment sets CDA_OID_ROOT. */
  oidRoot: string;
  custodian: { id: string; name: string };
  /** The ANS CDA kit (CDA_KIT_DIR) and its compiled schematrons (CDA_KIT_CACHE); undefined → the copy in the repository. */
  kitDir?: string;
  kitCache?: string;
}

export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const production = env.NODE_ENV === 'production';
  const workers = workersFrom(env.DCC_WORKERS, Boolean(env.DATABASE_URL));
  const seedDemo = env.DCC_SEED_DEMO ? env.DCC_SEED_DEMO !== 'false' : !production;
  const phone = env.DCC_SENDER_PHONE || (seedDemo ? env.DEMO_3C_PHONE ?? DEMO_3C_PHONE : undefined);
  return {
    ...workers,
    databaseUrl: env.DATABASE_URL || undefined,
    dataDir: path.resolve(env.DCC_DATA_DIR ?? './data'),
    port: intFrom(env.PORT, 8080),
    host: env.HOST ?? '127.0.0.1',
    baseUrl: env.DCC_BASE_URL?.replace(/\/$/, '') || undefined,
    seedDemo,
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
    databasePoolMax: intFrom(env.DCC_DATABASE_POOL, 10),
    sender: {
      organisation: env.DCC_SENDER_ORGANISATION ?? 'DCC — Centre de coordination en cancérologie (3C)',
      ...(phone ? { phone } : {}),
    },
    cda: {
      oidRoot: env.CDA_OID_ROOT ?? '1.2.250.1.999.18',
      custodian: { id: env.CDA_CUSTODIAN_ID ?? '1130000000', name: env.CDA_CUSTODIAN_NAME ?? 'DCC régional (démonstration)' },
      ...(env.CDA_KIT_DIR ? { kitDir: path.resolve(env.CDA_KIT_DIR) } : {}),
      ...(env.CDA_KIT_CACHE ? { kitCache: path.resolve(env.CDA_KIT_CACHE) } : {}),
    },
  };
}

/** The line of the demo 3C (seed/demo-data.ts), given in the demo mails when no DCC_SENDER_PHONE is set. */
const DEMO_3C_PHONE = '04 65 71 10 50';

/**
 * The variables of the browser sign-in methods (PSC_*, SAML_*, with NODE_ENV), read by their
 * loaders below (loadPscConfig, loadSamlConfig), which check them and refuse a half configuration.
 */
export function signInEnvironment(env: NodeJS.ProcessEnv = process.env): NodeJS.ProcessEnv {
  return Object.fromEntries(Object.entries(env).filter(([name]) => /^(PSC_|SAML_|NODE_ENV$)/.test(name)));
}

let processConfig: Config | undefined;
/**
 * The configuration of this process, read once: for the few pure builders deep in a capability
 * (CDA document ids and custodian) that no request carries the configuration to.
 */
export function currentConfig(): Config {
  return processConfig ??= loadConfig();
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

// ---------------------------------------------------------------------------------------------
// Outgoing mail (MSSanté relay) and FHIR push targets: read here, used by delivery/ and cda/.

export interface MailConfig {
  host: string;
  port: number;
  /** Implicit TLS from the first byte (port 465). */
  secure: boolean;
  /** STARTTLS mandatory: the session fails rather than continue in clear. */
  requireTls: boolean;
  /** Trusted CA(s) for the relay, PEM (e.g. IGC-Santé chain); system store when unset. */
  ca?: string;
  rejectUnauthorized: boolean;
  auth?: { user: string; pass: string };
  /** Client certificate + key (PEM): MSSanté application mailboxes authenticate by certificate. */
  clientCert?: { certPem: string; keyPem: string };
  /** Name checked against the relay's certificate when host is an address. */
  servername?: string;
  /** Sender header, e.g. `DCC Auvergne <dcc@etab.mssante.fr>`. */
  from: string;
  messageIdDomain: string;
  /** Connect and greeting timeout (default 10 s). */
  connectionTimeoutMs?: number;
  /** Inactivity on an open session (default 60 s). */
  socketTimeoutMs?: number;
  /** Whole send, connect to last reply (default 120 s): a relay trickling bytes cannot hold a worker. */
  sendTimeoutMs?: number;
  /** Base URL of the DCC for links. */
  publicBaseUrl: string;
}

/** Reads the relay settings; undefined when SMTP_HOST is not set (mail delivery off). */
export function mailConfigFromEnv(env: NodeJS.ProcessEnv): MailConfig | undefined {
  const host = env.SMTP_HOST?.trim();
  if (!host) return undefined;
  const production = env.NODE_ENV === 'production';
  const secure = flag(env.SMTP_SECURE, false);
  const requireTls = flag(env.SMTP_REQUIRE_TLS, true);
  const rejectUnauthorized = flag(env.SMTP_TLS_REJECT_UNAUTHORIZED, true);
  const from = env.SMTP_FROM?.trim();
  if (!from) throw new Error('SMTP_FROM est obligatoire quand SMTP_HOST est défini (adresse MSSanté de l\'expéditeur)');
  const fromAddress = bareAddress(from);
  if (!fromAddress) throw new Error(`SMTP_FROM n'est pas une adresse valide : ${from}`);
  if (production && !rejectUnauthorized) {
    throw new Error('SMTP_TLS_REJECT_UNAUTHORIZED=false est interdit en production : le certificat du relais doit être vérifié');
  }
  if (production && !secure && !requireTls && !isLoopback(host)) {
    throw new Error('SMTP_REQUIRE_TLS=false est interdit en production vers un relais distant : les messages partiraient en clair');
  }
  if (env.SMTP_USER && !env.SMTP_PASS) throw new Error('SMTP_PASS est obligatoire quand SMTP_USER est défini');
  if (Boolean(env.SMTP_CLIENT_CERT_FILE) !== Boolean(env.SMTP_CLIENT_KEY_FILE)) {
    throw new Error('SMTP_CLIENT_CERT_FILE et SMTP_CLIENT_KEY_FILE vont ensemble (certificat applicatif MSSanté)');
  }
  const publicBaseUrl = (env.DCC_PUBLIC_URL || env.DCC_BASE_URL || (production ? '' : `http://127.0.0.1:${env.PORT || 8080}`)).replace(/\/+$/, '');
  if (!publicBaseUrl) throw new Error('DCC_PUBLIC_URL est obligatoire en production : les messages portent un lien vers le DCC');
  const timeout = positiveInt(env.SMTP_CONNECTION_TIMEOUT_MS);
  return {
    host,
    port: positiveInt(env.SMTP_PORT) ?? (secure ? 465 : 587),
    secure,
    requireTls,
    ca: env.SMTP_CA_FILE ? fs.readFileSync(env.SMTP_CA_FILE, 'utf8') : undefined,
    rejectUnauthorized,
    auth: env.SMTP_USER ? { user: env.SMTP_USER, pass: env.SMTP_PASS! } : undefined,
    clientCert: env.SMTP_CLIENT_CERT_FILE
      ? { certPem: fs.readFileSync(env.SMTP_CLIENT_CERT_FILE, 'utf8'), keyPem: fs.readFileSync(env.SMTP_CLIENT_KEY_FILE!, 'utf8') }
      : undefined,
    servername: env.SMTP_TLS_SERVERNAME || undefined,
    from,
    messageIdDomain: env.SMTP_MESSAGE_ID_DOMAIN?.trim() || fromAddress.split('@')[1],
    connectionTimeoutMs: timeout,
    publicBaseUrl,
  };
}

function flag(value: string | undefined, fallback: boolean): boolean {
  if (value === undefined || value.trim() === '') return fallback;
  return !['false', '0', 'no', 'non'].includes(value.trim().toLowerCase());
}

function positiveInt(value: string | undefined): number | undefined {
  const n = value ? Number.parseInt(value, 10) : NaN;
  return Number.isFinite(n) && n > 0 ? n : undefined;
}

/** A relay on this machine (local postfix): the one place mail may travel without TLS. */
export function isLoopback(host: string): boolean {
  return host === 'localhost' || host === '::1' || /^127\./.test(host);
}

export interface PushConfig {
  /** FHIR base of the receiving server, without trailing slash. */
  baseUrl: string;
  /** Static bearer token sent as `Authorization: Bearer …`. */
  bearerToken?: string;
  /** Per-request limit (connection, answer and body); 15 s by default. */
  timeoutMs?: number;
}

/**
 * The push target from the environment: DCC_PUSH_FHIR_URL (http or https), DCC_PUSH_FHIR_TOKEN
 * (optional), DCC_PUSH_FHIR_TIMEOUT_MS (optional). Undefined when no URL is set (push disabled).
 * A malformed value is a start-up error, not a silent "no push". `prefix` names another target
 * read the same way (DCC_DMP_FHIR: the CDA repository of the DMP-like push).
 */
export function pushConfigFromEnv(env: NodeJS.ProcessEnv, prefix = 'DCC_PUSH_FHIR'): PushConfig | undefined {
  const raw = env[`${prefix}_URL`]?.trim();
  if (!raw) return undefined;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    throw new Error(`${prefix}_URL n'est pas une URL valide : ${raw}`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`${prefix}_URL doit être une URL http(s) : ${raw}`);
  if (url.protocol === 'http:' && env.NODE_ENV === 'production' && !['127.0.0.1', 'localhost', '[::1]'].includes(url.hostname)) {
    throw new Error(`${prefix}_URL doit être en https en production : les documents de santé ne circulent pas en clair`);
  }
  const config: PushConfig = { baseUrl: raw.replace(/\/+$/, '') };
  const token = env[`${prefix}_TOKEN`]?.trim();
  if (token) config.bearerToken = token;
  const timeout = env[`${prefix}_TIMEOUT_MS`]?.trim();
  if (timeout) {
    const ms = Number(timeout);
    if (!Number.isInteger(ms) || ms <= 0) throw new Error(`${prefix}_TIMEOUT_MS doit être un nombre entier de millisecondes : ${timeout}`);
    config.timeoutMs = ms;
  }
  return config;
}

// ---------------------------------------------------------------------------------------------
// Browser sign-in methods (Pro Santé Connect, SAML): read and checked here, handed typed to auth/.

/** The configured browser sign-in methods; each undefined when off. Throws on a half configuration. */
export interface SignInMethodsConfig {
  psc?: PscConfig;
  saml?: SamlConfig;
}

export function loadSignInMethods(env: NodeJS.ProcessEnv = signInEnvironment()): SignInMethodsConfig {
  return { psc: loadPscConfig(env), saml: loadSamlConfig(env) };
}

/** Pro Santé Connect (OpenID Connect) client settings, read from PSC_* environment variables. */
export interface PscConfig {
  /** Issuer identifier, e.g. https://auth.esante.gouv.fr/auth/realms/esante-wallet (discovery is lazy). */
  issuer: URL;
  clientId: string;
  clientSecret: string;
  /** Absolute callback URL registered at PSC; its path must reach GET /auth/psc/callback. */
  redirectUri: URL;
  scopes: string;
  acrValues: string;
  /** Plain-HTTP issuer allowed (tests and local development only, never with NODE_ENV=production). */
  allowInsecureHttp: boolean;
}

const DISCOVERY_SUFFIX = '/.well-known/openid-configuration';

/** PSC_* variables → configuration; undefined when PSC is not configured, an Error when half-configured. */
export function loadPscConfig(env: NodeJS.ProcessEnv): PscConfig | undefined {
  const issuerText = env.PSC_ISSUER?.trim();
  const clientId = env.PSC_CLIENT_ID?.trim();
  const clientSecret = env.PSC_CLIENT_SECRET ?? '';
  const redirectText = env.PSC_REDIRECT_URI?.trim();
  if (!issuerText && !clientId && !redirectText) return undefined;
  const missing = [
    ['PSC_ISSUER', issuerText], ['PSC_CLIENT_ID', clientId], ['PSC_CLIENT_SECRET', clientSecret], ['PSC_REDIRECT_URI', redirectText],
  ].filter(([, value]) => !value).map(([name]) => name);
  if (missing.length) throw new Error(`Pro Santé Connect à moitié configuré : ${missing.join(', ')} manquant(s)`);

  const production = env.NODE_ENV === 'production';
  // A discovery document URL is accepted too; the issuer identifier is kept so its check stays on.
  const issuer = pscUrl('PSC_ISSUER', issuerText!.endsWith(DISCOVERY_SUFFIX) ? issuerText!.slice(0, -DISCOVERY_SUFFIX.length) : issuerText!);
  const redirectUri = pscUrl('PSC_REDIRECT_URI', redirectText!);
  for (const [name, url] of [['PSC_ISSUER', issuer], ['PSC_REDIRECT_URI', redirectUri]] as const) {
    if (url.protocol !== 'https:' && (production || url.protocol !== 'http:')) {
      throw new Error(`${name} doit être une URL https${production ? ' (NODE_ENV=production)' : ''} : ${url.href}`);
    }
  }
  const scopes = new Set((env.PSC_SCOPES?.trim() || 'openid scope_all').split(/\s+/));
  scopes.delete('openid');
  return {
    issuer, clientId: clientId!, clientSecret, redirectUri,
    scopes: ['openid', ...scopes].join(' '),
    acrValues: env.PSC_ACR_VALUES?.trim() || 'eidas1',
    allowInsecureHttp: !production && (issuer.protocol === 'http:'),
  };
}

function pscUrl(name: string, value: string): URL {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`${name} doit être une URL absolue : ${value}`);
  }
  if (url.search || url.hash) throw new Error(`${name} ne doit contenir ni paramètres ni fragment : ${value}`);
  return url;
}

/** Attribute name carrying the IDNPS by default: the OID of the IDNPS identifier system (ANS). */
export const DEFAULT_IDNPS_ATTRIBUTE = 'urn:oid:1.2.250.1.71.4.2.1';
/** Attribute carrying the profession / role by default (XSPA subject role, as in the VIHF token). */
export const DEFAULT_ROLE_ATTRIBUTE = 'urn:oasis:names:tc:xacml:2.0:subject:role';
/** X.500 surname (sn) and givenName, in the urn:oid form most IdPs use. */
export const DEFAULT_FAMILY_ATTRIBUTE = 'urn:oid:2.5.4.4';
export const DEFAULT_GIVEN_ATTRIBUTE = 'urn:oid:2.5.4.42';
/** Roles a SAML sign-in may grant (never 'system'). */
export const SAML_GRANTABLE_ROLES = ['physician', 'gp', 'nurse', 'pharmacist', 'coordinator', 'admin'] as const;
const MAX_CLOCK_SKEW_MS = 5 * 60_000;
const DEFAULT_CLOCK_SKEW_MS = 60_000;

export interface SamlConfig {
  /** IdP single sign-on service URL (HTTP-Redirect binding). */
  idpEntryPoint: string;
  /** PEM certificates whose keys may sign assertions (several during an IdP key rollover). */
  idpCertificates: string[];
  /** Expected assertion Issuer (IdP entity id); not checked when unset. */
  idpIssuer?: string;
  /** Our entity id: Issuer of our requests and the Audience the assertions must name. */
  spEntityId: string;
  /** Absolute URL of POST /auth/saml/acs as the IdP and the browser see it. */
  callbackUrl: string;
  /** SP key and certificate: signed AuthnRequests and decryption of encrypted assertions. */
  spPrivateKey?: string;
  spCertificate?: string;
  /** SAML attribute names (or 'NameID' for the IDNPS). */
  attributes: { idnps: string; role: string; family: string; given: string };
  /** Normalised attribute value → DCC roles; replaces the default mapping when set. */
  roleMap?: Record<string, string[]>;
  /** Tolerance on NotBefore / NotOnOrAfter, 0 to 5 minutes. */
  clockSkewMs: number;
  /** Also require a signature on the Response envelope (the assertion signature is always required). */
  wantResponseSigned: boolean;
}

/**
 * SAML settings from the environment; undefined when SAML_IDP_ENTRY_POINT is unset (SAML off).
 * Throws on an incomplete or invalid configuration: better no start than a half-checked sign-in.
 */
export function loadSamlConfig(env: NodeJS.ProcessEnv): SamlConfig | undefined {
  const entryPoint = env.SAML_IDP_ENTRY_POINT?.trim();
  if (!entryPoint) return undefined;
  const production = env.NODE_ENV === 'production';
  const required = (name: string): string => {
    const value = env[name]?.trim();
    if (!value) throw new Error(`SAML : ${name} est obligatoire quand SAML_IDP_ENTRY_POINT est défini`);
    return value;
  };
  const idpEntryPoint = samlUrl('SAML_IDP_ENTRY_POINT', entryPoint, production);
  const callbackUrl = samlUrl('SAML_SP_CALLBACK_URL', required('SAML_SP_CALLBACK_URL'), production);
  const spEntityId = required('SAML_SP_ENTITY_ID');
  const certFile = required('SAML_IDP_CERT_FILE');
  const idpCertificates = pemBlocks(readFile('SAML_IDP_CERT_FILE', certFile), 'CERTIFICATE');
  if (!idpCertificates.length) throw new Error(`SAML : aucun certificat PEM dans SAML_IDP_CERT_FILE (${certFile})`);
  for (const pem of idpCertificates) {
    try {
      new X509Certificate(pem);
    } catch {
      throw new Error(`SAML : certificat illisible dans SAML_IDP_CERT_FILE (${certFile})`);
    }
  }

  const keyFile = env.SAML_SP_KEY_FILE?.trim();
  const spCertFile = env.SAML_SP_CERT_FILE?.trim();
  if (Boolean(keyFile) !== Boolean(spCertFile)) throw new Error('SAML : SAML_SP_KEY_FILE et SAML_SP_CERT_FILE vont ensemble');
  let spPrivateKey: string | undefined;
  let spCertificate: string | undefined;
  if (keyFile && spCertFile) {
    spPrivateKey = pemBlocks(readFile('SAML_SP_KEY_FILE', keyFile), '(?:RSA |EC )?PRIVATE KEY')[0];
    spCertificate = pemBlocks(readFile('SAML_SP_CERT_FILE', spCertFile), 'CERTIFICATE')[0];
    if (!spPrivateKey) throw new Error(`SAML : pas de clé privée PEM (non chiffrée) dans SAML_SP_KEY_FILE (${keyFile})`);
    if (!spCertificate) throw new Error(`SAML : pas de certificat PEM dans SAML_SP_CERT_FILE (${spCertFile})`);
    if (!new X509Certificate(spCertificate).checkPrivateKey(createPrivateKeyOrThrow(spPrivateKey))) {
      throw new Error('SAML : la clé de SAML_SP_KEY_FILE ne correspond pas au certificat de SAML_SP_CERT_FILE');
    }
  }

  const skewText = env.SAML_CLOCK_SKEW_MS?.trim();
  const clockSkewMs = skewText ? Number(skewText) : DEFAULT_CLOCK_SKEW_MS;
  if (!Number.isInteger(clockSkewMs) || clockSkewMs < 0 || clockSkewMs > MAX_CLOCK_SKEW_MS) {
    throw new Error(`SAML : SAML_CLOCK_SKEW_MS doit être un entier entre 0 et ${MAX_CLOCK_SKEW_MS} (ms)`);
  }

  return {
    idpEntryPoint,
    idpCertificates,
    idpIssuer: env.SAML_IDP_ISSUER?.trim() || undefined,
    spEntityId,
    callbackUrl,
    spPrivateKey,
    spCertificate,
    attributes: {
      idnps: env.SAML_ATTR_IDNPS?.trim() || DEFAULT_IDNPS_ATTRIBUTE,
      role: env.SAML_ATTR_ROLE?.trim() || DEFAULT_ROLE_ATTRIBUTE,
      family: env.SAML_ATTR_FAMILY?.trim() || DEFAULT_FAMILY_ATTRIBUTE,
      given: env.SAML_ATTR_GIVEN?.trim() || DEFAULT_GIVEN_ATTRIBUTE,
    },
    roleMap: env.SAML_ROLE_MAP?.trim() ? parseRoleMap(env.SAML_ROLE_MAP) : undefined,
    clockSkewMs,
    wantResponseSigned: env.SAML_WANT_RESPONSE_SIGNED === 'true',
  };
}

/** SAML_ROLE_MAP: JSON object, attribute value → DCC role or roles, e.g. {"10":"physician","3C":["coordinator"]}. */
export function parseRoleMap(json: string): Record<string, string[]> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(json);
  } catch {
    throw new Error('SAML : SAML_ROLE_MAP doit être un objet JSON, par exemple {"10":"physician","21":"pharmacist"}');
  }
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed)) throw new Error('SAML : SAML_ROLE_MAP doit être un objet JSON');
  const map: Record<string, string[]> = {};
  for (const [key, value] of Object.entries(parsed)) {
    const roles = Array.isArray(value) ? value : [value];
    for (const role of roles) {
      if (typeof role !== 'string' || !(SAML_GRANTABLE_ROLES as readonly string[]).includes(role)) {
        throw new Error(`SAML : SAML_ROLE_MAP["${key}"] : rôle '${String(role)}' inconnu (rôles possibles : ${SAML_GRANTABLE_ROLES.join(', ')})`);
      }
    }
    map[samlRoleKey(key)] = [...new Set(roles as string[])];
  }
  return map;
}

/** A SAML_ROLE_MAP key or role attribute value as compared: accents, case and outer spaces ignored. */
export function samlRoleKey(value: string): string {
  return foldForComparison(value).trim();
}

function samlUrl(name: string, value: string, production: boolean): string {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    throw new Error(`SAML : ${name} doit être une URL absolue (reçu '${value}')`);
  }
  if (url.protocol !== 'https:' && url.protocol !== 'http:') throw new Error(`SAML : ${name} doit être une URL http(s)`);
  if (production && url.protocol !== 'https:') throw new Error(`SAML : ${name} doit être en https en production`);
  return value;
}

function readFile(name: string, file: string): string {
  try {
    return fs.readFileSync(file, 'utf8');
  } catch (error) {
    throw new Error(`SAML : ${name} illisible (${file}) : ${(error as Error).message}`);
  }
}

function pemBlocks(text: string, label: string): string[] {
  const re = new RegExp(`-----BEGIN ${label}-----[\\s\\S]+?-----END ${label}-----`, 'g');
  return (text.match(re) ?? []).map((block) => `${block}\n`);
}

function createPrivateKeyOrThrow(pem: string) {
  try {
    return createPrivateKey(pem);
  } catch {
    throw new Error('SAML : clé privée de SAML_SP_KEY_FILE illisible (PEM non chiffré attendu)');
  }
}
