import fs from 'node:fs';
import { X509Certificate } from 'node:crypto';
import type { Request } from 'express';
import type { Config } from '../config.ts';
import type { Principal } from '../context.ts';
import { identifyFromClientCertificate, identifyFromProxyHeader, type CpsProxyOptions } from './cps.ts';

/**
 * Who is calling: a CPS card over mutual TLS, or (explicit opt-in) the client certificate a
 * trusted TLS-terminating proxy forwards. SAML and Pro Santé Connect sessions plug in here.
 */
export function buildIdentify(config: Config): (req: Request) => Principal | undefined {
  const proxy = proxyOptions(config);
  return (req) => (proxy ? identifyFromProxyHeader(req, proxy) : undefined) ?? identifyFromClientCertificate(req);
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
