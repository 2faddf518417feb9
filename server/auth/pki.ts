import 'reflect-metadata'; // @peculiar/x509 resolves its ASN.1 services through tsyringe
import { webcrypto } from 'node:crypto';
import * as x509 from '@peculiar/x509';

/**
 * Certificates for the demo and the tests: a CA in the style of the IGC-Santé one, a server
 * certificate and CPS-like professional certificates (CN = IDNPS, SN, GN, title = profession,
 * optional OU = FINESS). Never used in production (main refuses the demo PKI there).
 */
x509.cryptoProvider.set(webcrypto as unknown as Crypto);

const ALGORITHM = { name: 'RSASSA-PKCS1-v1_5', hash: 'SHA-256', publicExponent: new Uint8Array([1, 0, 1]), modulusLength: 2048 };

export interface IssuedCertificate {
  certPem: string;
  keyPem: string;
}

export interface CertificateAuthority extends IssuedCertificate {
  cert: x509.X509Certificate;
  keys: CryptoKeyPair;
  name: string;
}

export interface ProfessionalIdentity {
  idnps: string;
  family: string;
  given: string;
  /** Profession as written on the card, e.g. 'Médecin', 'Pharmacien', 'Infirmier'. */
  title: string;
  finess?: string;
}

const day = 86_400_000;

export async function createCertificateAuthority(commonName = 'AC IGC-SANTE FORT PERSONNES (DEMO)'): Promise<CertificateAuthority> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const name = `CN=${commonName}, O=DCC DEMO, C=FR`;
  const cert = await x509.X509CertificateGenerator.createSelfSigned({
    name, keys, notBefore: new Date(Date.now() - day), notAfter: new Date(Date.now() + 3650 * day),
    extensions: [new x509.BasicConstraintsExtension(true, 0, true), new x509.KeyUsagesExtension(x509.KeyUsageFlags.keyCertSign | x509.KeyUsageFlags.cRLSign, true)],
  });
  return { cert, keys, name, certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
}

export async function issueServerCertificate(ca: CertificateAuthority, hostnames = ['localhost', '127.0.0.1']): Promise<IssuedCertificate> {
  return issue(ca, 'CN=localhost, O=DCC DEMO, C=FR', {
    extensions: [
      new x509.SubjectAlternativeNameExtension(hostnames.map((h) => (/^\d+\.\d+\.\d+\.\d+$/.test(h) ? { type: 'ip' as const, value: h } : { type: 'dns' as const, value: h }))),
      new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.serverAuth]),
    ],
  });
}

export async function issueProfessionalCertificate(
  ca: CertificateAuthority, who: ProfessionalIdentity, validity: { notBefore?: Date; notAfter?: Date } = {},
): Promise<IssuedCertificate> {
  // Multi-valued first RDN as on a real CPS: CN=<IDNPS>+SN=<surname>+GN=<given name>; 2.5.4.12 = title.
  const subject: x509.JsonName = [
    { '2.5.4.6': ['FR'] },
    ...(who.finess ? [{ '2.5.4.11': [who.finess] }] : []),
    { '2.5.4.12': [who.title] },
    { '2.5.4.3': [who.idnps], '2.5.4.4': [who.family], '2.5.4.42': [who.given] },
  ];
  return issue(ca, subject, {
    ...validity,
    extensions: [new x509.ExtendedKeyUsageExtension([x509.ExtendedKeyUsage.clientAuth])],
  });
}

async function issue(
  ca: CertificateAuthority, subject: string | x509.JsonName, options: { notBefore?: Date; notAfter?: Date; extensions?: x509.Extension[] },
): Promise<IssuedCertificate> {
  const keys = (await webcrypto.subtle.generateKey(ALGORITHM, true, ['sign', 'verify'])) as CryptoKeyPair;
  const cert = await x509.X509CertificateGenerator.create({
    subject,
    issuer: ca.cert.subject,
    publicKey: keys.publicKey,
    signingKey: ca.keys.privateKey,
    notBefore: options.notBefore ?? new Date(Date.now() - day),
    notAfter: options.notAfter ?? new Date(Date.now() + 3 * 365 * day),
    extensions: [new x509.BasicConstraintsExtension(false), ...(options.extensions ?? [])],
  });
  return { certPem: cert.toString('pem'), keyPem: await keyToPem(keys.privateKey) };
}

async function keyToPem(key: CryptoKey): Promise<string> {
  const der = Buffer.from(await webcrypto.subtle.exportKey('pkcs8', key));
  return `-----BEGIN PRIVATE KEY-----\n${der.toString('base64').match(/.{1,64}/g)!.join('\n')}\n-----END PRIVATE KEY-----\n`;
}
