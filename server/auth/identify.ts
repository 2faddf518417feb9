import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Request } from 'express';
import type { Config } from '../config.ts';
import type { Principal } from '../context.ts';
import { identifyFromClientCertificate, identifyFromProxyHeader, type CpsProxyOptions } from './cps.ts';
import type { Directory } from './directory.ts';
import { separateDuties } from '../access/index.ts';
import type { SessionManager } from './session.ts';

/**
 * Who is calling: a CPS card over mutual TLS, the client certificate a trusted TLS-terminating
 * proxy forwards (explicit opt-in), or a browser session opened by SAML or Pro Santé Connect.
 * A card is resolved against the directory (created there on first use).
 */
export function buildIdentify(
  config: Config, sessions?: SessionManager, directory?: Directory,
  /** Traces a card's sign-in (auth/card-sign-ins.ts): a card opens no session to trace it at. */
  traceCardSignIn?: (req: Request, principal: Principal) => Promise<void>,
): (req: Request) => Promise<Principal | undefined> {
  const proxy = proxyOptions(config);
  return async (req) => {
    const card = (proxy ? identifyFromProxyHeader(req, proxy) : undefined) ?? identifyFromClientCertificate(req);
    const principal = card ? (directory ? await directory.resolve(card) : card) : await sessions?.identify(req);
    if (card && principal && traceCardSignIn) await traceCardSignIn(req, principal);
    return principal && { ...principal, roles: separateDuties(principal.roles) };
  };
}

function proxyOptions(config: Config): CpsProxyOptions | undefined {
  if (!config.cpsProxyHeader) return undefined;
  if (!config.cpsCaFile || !config.cpsTrustedProxies.length) {
    throw new Error('CPS_PROXY_HEADER exige CPS_CA_FILE et CPS_TRUSTED_PROXIES');
  }
  return { header: config.cpsProxyHeader, trustedProxies: config.cpsTrustedProxies, caCertificates: readCertificates(config.cpsCaFile) };
}

export function readCertificates(file: string): X509Certificate[] {
  const pem = fs.readFileSync(file, 'utf8');
  return (pem.match(/-----BEGIN CERTIFICATE-----[\s\S]+?-----END CERTIFICATE-----/g) ?? []).map((c) => new X509Certificate(c));
}
