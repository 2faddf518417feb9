import { X509Certificate } from 'node:crypto';
import type { TLSSocket } from 'node:tls';
import type { Request } from 'express';
import type { Principal } from '../context.ts';
import { unauthorized } from '../fhir-kit/errors.ts';
import { isValidIdnps } from '../identity/index.ts';
import { foldForComparison } from '../fhir-kit/text.ts';

/** Subject fields of a CPS certificate (IGC-Santé): CN = IDNPS, SN/GN = names, title = profession, OU = FINESS. */
export interface CpsSubject { CN?: string; SN?: string; GN?: string; title?: string; OU?: string }

export interface CpsProxyOptions {
  /** Header carrying the URL-encoded PEM client certificate, set by the TLS-terminating proxy. */
  header: string;
  /** Only requests from these addresses may use the header. */
  trustedProxies: string[];
  /** CPS CA certificates the proxy's client certificate must chain to. */
  caCertificates: X509Certificate[];
}

const TLS_ERRORS: Record<string, string> = {
  CERT_HAS_EXPIRED: 'le certificat CPS a expiré',
  CERT_NOT_YET_VALID: "le certificat CPS n'est pas encore valide",
  UNABLE_TO_VERIFY_LEAF_SIGNATURE: "le certificat n'est pas émis par une autorité de certification reconnue (IGC-Santé)",
  DEPTH_ZERO_SELF_SIGNED_CERT: 'le certificat est auto-signé',
  SELF_SIGNED_CERT_IN_CHAIN: "le certificat n'est pas émis par une autorité de certification reconnue (IGC-Santé)",
  UNABLE_TO_GET_ISSUER_CERT_LOCALLY: "le certificat n'est pas émis par une autorité de certification reconnue (IGC-Santé)",
  CERT_REVOKED: 'le certificat CPS est révoqué',
};

/**
 * The professional behind a CPS client certificate presented over mutual TLS. Undefined when the
 * connection carries no certificate; 401 when one is presented but cannot be trusted or read.
 */
export function identifyFromClientCertificate(req: Request): Principal | undefined {
  const socket = req.socket as TLSSocket;
  if (!socket.encrypted || typeof socket.getPeerCertificate !== 'function') return undefined;
  const known = cardOfConnection.get(socket);
  if (known) return { ...known, roles: [...known.roles] };
  const cert = socket.getPeerCertificate();
  if (!cert || !Object.keys(cert).length) return undefined;
  if (!socket.authorized) {
    const code = String(socket.authorizationError ?? 'UNKNOWN');
    throw unauthorized(`Carte CPS refusée : ${TLS_ERRORS[code] ?? `certificat non valide (${code})`}`);
  }
  const principal = principalFromSubject(cert.subject as CpsSubject);
  // Reading the peer certificate costs ~0.25 ms, on every request of a kept-alive connection
  // (bench:real profile). With renegotiation refused from now on, the card cannot change on this
  // connection, so it is read once per connection.
  socket.disableRenegotiation();
  cardOfConnection.set(socket, principal);
  return { ...principal, roles: [...principal.roles] };
}

/** The card each mutual-TLS connection presented (see identifyFromClientCertificate). */
const cardOfConnection = new WeakMap<TLSSocket, Principal>();

/** Reverse-proxy mode (explicit opt-in): the client certificate arrives in a header from a trusted proxy. */
export function identifyFromProxyHeader(req: Request, options: CpsProxyOptions): Principal | undefined {
  const value = req.get(options.header);
  if (!value) return undefined;
  const remote = normalizeAddress(req.socket.remoteAddress ?? '');
  if (!options.trustedProxies.includes(remote)) {
    throw unauthorized(`En-tête de certificat client refusé : ${remote} n'est pas un mandataire de confiance`);
  }
  let cert: X509Certificate;
  try {
    cert = new X509Certificate(decodeURIComponent(value));
  } catch {
    throw unauthorized('Carte CPS refusée : certificat illisible');
  }
  const now = Date.now();
  if (Date.parse(cert.validTo) < now) throw unauthorized(`Carte CPS refusée : ${TLS_ERRORS.CERT_HAS_EXPIRED}`);
  if (Date.parse(cert.validFrom) > now) throw unauthorized(`Carte CPS refusée : ${TLS_ERRORS.CERT_NOT_YET_VALID}`);
  const trusted = options.caCertificates.some((ca) => cert.checkIssued(ca) && cert.verify(ca.publicKey));
  if (!trusted) throw unauthorized(`Carte CPS refusée : ${TLS_ERRORS.UNABLE_TO_VERIFY_LEAF_SIGNATURE}`);
  return principalFromSubject(parseSubject(cert.subject));
}

export function principalFromSubject(subject: CpsSubject): Principal {
  // Node gives a repeated attribute (two CN) as an array: an ambiguous card is refused, not guessed.
  for (const [name, value] of Object.entries(subject ?? {})) {
    if (Array.isArray(value)) throw unauthorized(`Carte CPS refusée : l'attribut ${name} du certificat est en double`);
  }
  const idnps = subject.CN?.trim() ?? '';
  // IDNPS: '8' + RPPS (11 digits with a Luhn key) or '0' + ADELI (9 digits).
  if (!isValidIdnps(idnps)) throw unauthorized(`Carte CPS refusée : le CN '${idnps}' n'est pas un IDNPS valide`);
  const displayName = [subject.GN, subject.SN].filter(Boolean).join(' ') || idnps;
  return { idnps, displayName, family: subject.SN, given: subject.GN, roles: rolesOfProfession(subject.title), authMethod: 'cps', ...(subject.OU ? { finess: subject.OU } : {}) };
}

/** Profession on the card → DCC role (refined later from the directory's PractitionerRole). */
export function rolesOfProfession(title: string | undefined): string[] {
  const t = foldForComparison(title ?? '');
  if (t.startsWith('medecin')) return ['physician'];
  if (t.startsWith('pharmacien')) return ['pharmacist'];
  if (t.startsWith('infirmi')) return ['nurse'];
  return [];
}

/** Node's X509Certificate.subject: one RDN per line, multi-valued RDNs joined by ' + '. */
function parseSubject(subject: string): CpsSubject {
  const fields: Record<string, string> = {};
  for (const part of subject.split(/\n| \+ /)) {
    const i = part.indexOf('=');
    if (i > 0) fields[part.slice(0, i).trim()] = part.slice(i + 1).trim();
  }
  return fields;
}

function normalizeAddress(address: string): string {
  return address.startsWith('::ffff:') ? address.slice(7) : address;
}
