import { randomBytes } from 'node:crypto';
import * as samlify from 'samlify';
import * as xmllint from '@authenio/samlify-node-xmllint';
import { createCertificateAuthority } from '../../server/auth/pki.ts';

/**
 * A real SAML identity provider for the tests (samlify): parses our AuthnRequests (signature
 * verified when asked), and issues XML-signed Responses whose every field a test can bend
 * (audience, recipient, times, InResponseTo, attributes, assertion id) to check what our SP refuses.
 */
samlify.setSchemaValidator({ validate: quietly(xmllint.validate) });

/**
 * node-xmllint is an old emscripten build: each run prints a blank line, adds an
 * 'uncaughtException' listener and a stdout 'drain' listener that calls process.exit(0) —
 * a test run whose output is piped could end early, "successfully". Undo all three after each run
 * (the validation itself is synchronous).
 */
function quietly(validate: (xml: string) => Promise<unknown>): (xml: string) => Promise<unknown> {
  return (xml) => {
    const drains = new Set(process.stdout.listeners('drain'));
    const uncaught = new Set(process.listeners('uncaughtException'));
    const write = process.stdout.write;
    process.stdout.write = (() => true) as typeof process.stdout.write;
    try {
      return validate(xml);
    } finally {
      process.stdout.write = write;
      for (const l of process.stdout.listeners('drain')) if (!drains.has(l)) process.stdout.removeListener('drain', l as (...args: unknown[]) => void);
      for (const l of process.listeners('uncaughtException')) if (!uncaught.has(l)) process.removeListener('uncaughtException', l);
    }
  };
}

export const TEST_IDP_SSO = 'https://idp.test.example/sso';
const POST = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-POST';
const REDIRECT = 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect';

export interface TestIdp {
  entityId: string;
  certPem: string;
  keyPem: string;
  /** Signs assertions only, like most IdPs. */
  idp: samlify.IdentityProviderInstance;
  /** Same key, but asks signed AuthnRequests. */
  strictIdp: samlify.IdentityProviderInstance;
}

export async function createTestIdp(entityId = 'https://idp.test.example/metadata'): Promise<TestIdp> {
  const { certPem, keyPem } = await createCertificateAuthority(`IdP SAML de test ${randomBytes(3).toString('hex')}`);
  const settings = {
    entityID: entityId, privateKey: keyPem, signingCert: certPem,
    singleSignOnService: [{ Binding: REDIRECT, Location: TEST_IDP_SSO }],
    singleLogoutService: [{ Binding: REDIRECT, Location: 'https://idp.test.example/slo' }],
  };
  return {
    entityId, certPem, keyPem,
    idp: samlify.IdentityProvider({ ...settings, wantAuthnRequestsSigned: false }),
    strictIdp: samlify.IdentityProvider({ ...settings, wantAuthnRequestsSigned: true }),
  };
}

/** The IdP's view of our SP, from the metadata our SP publishes. */
export function spFromMetadata(metadata: string): samlify.ServiceProviderInstance {
  return samlify.ServiceProvider({ metadata });
}

/** Our SP as an IdP would see it if it did not ask signed assertions: the IdP then signs only the Response. */
export function spWithoutAssertionSigning(entityId: string, acs: string): samlify.ServiceProviderInstance {
  return samlify.ServiceProvider({
    entityID: entityId, wantAssertionsSigned: false, wantMessageSigned: true,
    assertionConsumerService: [{ Binding: POST, Location: acs }],
  });
}

/** Reads a redirect-binding AuthnRequest the way an IdP does (signature checked by a strict IdP). */
export async function parseAuthnRequest(idp: samlify.IdentityProviderInstance, sp: samlify.ServiceProviderInstance, location: string) {
  const url = new URL(location);
  const query = Object.fromEntries(url.searchParams);
  // The signed octet string is the raw query as sent, without the Signature parameter.
  const octetString = url.search.slice(1).split('&').filter((p) => !p.startsWith('Signature=')).join('&');
  const info = await idp.parseLoginRequest(sp, 'redirect', { query, octetString });
  return { info, requestId: String(info.extract.request?.id ?? ''), relayState: url.searchParams.get('RelayState') ?? undefined, xml: info.samlContent };
}

export interface ResponseOptions {
  /** InResponseTo (Response and SubjectConfirmationData); null for an unsolicited Response. */
  inResponseTo: string | null;
  attributes: Record<string, string | string[]>;
  nameId?: string;
  audience?: string;
  recipient?: string;
  destination?: string;
  issuer?: string;
  assertionId?: string;
  /** Assertion and subject confirmation validity end (default: in 5 minutes). */
  notOnOrAfter?: Date;
  notBefore?: Date;
}

/** A signed SAMLResponse (base64) from `idp` to `sp`, built by samlify's createLoginResponse. */
export async function signedResponse(
  idp: samlify.IdentityProviderInstance, sp: samlify.ServiceProviderInstance, defaults: { acs: string; spEntityId: string; idpEntityId: string },
  options: ResponseOptions,
): Promise<string> {
  const id = newId();
  const xml = responseXml(id, defaults, options);
  const result = await idp.createLoginResponse(sp, { extract: { request: { id: options.inResponseTo ?? '' } } }, 'post', {}, {
    customTagReplacement: () => ({ id, context: xml }),
  });
  return result.context;
}

/** The same Response with every XML signature removed. */
export function stripSignatures(samlResponse: string): string {
  const xml = Buffer.from(samlResponse, 'base64').toString('utf8');
  return Buffer.from(xml.replace(/<ds:Signature\b[\s\S]*?<\/ds:Signature>/g, '')).toString('base64');
}

/** An unsigned error Response, as IdPs send when the user cancels or fails to authenticate. */
export function failureResponse(defaults: { acs: string; idpEntityId: string }, inResponseTo: string, status: string): string {
  const now = new Date().toISOString();
  return Buffer.from(
    `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${newId()}" Version="2.0" IssueInstant="${now}" Destination="${esc(defaults.acs)}" InResponseTo="${esc(inResponseTo)}">`
    + `<saml:Issuer>${esc(defaults.idpEntityId)}</saml:Issuer><samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Responder"><samlp:StatusCode Value="${esc(status)}"/></samlp:StatusCode></samlp:Status></samlp:Response>`,
  ).toString('base64');
}

function responseXml(id: string, defaults: { acs: string; spEntityId: string; idpEntityId: string }, o: ResponseOptions): string {
  const now = new Date();
  const issueInstant = now.toISOString();
  const end = (o.notOnOrAfter ?? new Date(now.getTime() + 5 * 60_000)).toISOString();
  const start = (o.notBefore ?? new Date(now.getTime() - 1000)).toISOString();
  const issuer = esc(o.issuer ?? defaults.idpEntityId);
  const inResponseTo = o.inResponseTo === null ? '' : ` InResponseTo="${esc(o.inResponseTo)}"`;
  const attributes = Object.entries(o.attributes).map(([name, values]) =>
    `<saml:Attribute Name="${esc(name)}" NameFormat="urn:oasis:names:tc:SAML:2.0:attrname-format:uri">`
    + (Array.isArray(values) ? values : [values]).map((v) => `<saml:AttributeValue xsi:type="xs:string">${esc(v)}</saml:AttributeValue>`).join('')
    + '</saml:Attribute>').join('');
  return `<samlp:Response xmlns:samlp="urn:oasis:names:tc:SAML:2.0:protocol" xmlns:saml="urn:oasis:names:tc:SAML:2.0:assertion" ID="${id}" Version="2.0" IssueInstant="${issueInstant}" Destination="${esc(o.destination ?? defaults.acs)}"${inResponseTo}>`
    + `<saml:Issuer>${issuer}</saml:Issuer>`
    + '<samlp:Status><samlp:StatusCode Value="urn:oasis:names:tc:SAML:2.0:status:Success"/></samlp:Status>'
    + `<saml:Assertion xmlns:xsi="http://www.w3.org/2001/XMLSchema-instance" xmlns:xs="http://www.w3.org/2001/XMLSchema" ID="${esc(o.assertionId ?? newId())}" Version="2.0" IssueInstant="${issueInstant}">`
    + `<saml:Issuer>${issuer}</saml:Issuer>`
    + `<saml:Subject><saml:NameID Format="urn:oasis:names:tc:SAML:2.0:nameid-format:persistent">${esc(o.nameId ?? 'pseudo-' + newId())}</saml:NameID>`
    + `<saml:SubjectConfirmation Method="urn:oasis:names:tc:SAML:2.0:cm:bearer"><saml:SubjectConfirmationData NotOnOrAfter="${end}" Recipient="${esc(o.recipient ?? defaults.acs)}"${inResponseTo}/></saml:SubjectConfirmation></saml:Subject>`
    + `<saml:Conditions NotBefore="${start}" NotOnOrAfter="${end}"><saml:AudienceRestriction><saml:Audience>${esc(o.audience ?? defaults.spEntityId)}</saml:Audience></saml:AudienceRestriction></saml:Conditions>`
    + `<saml:AuthnStatement AuthnInstant="${issueInstant}" SessionIndex="${newId()}"><saml:AuthnContext><saml:AuthnContextClassRef>urn:oasis:names:tc:SAML:2.0:ac:classes:X509</saml:AuthnContextClassRef></saml:AuthnContext></saml:AuthnStatement>`
    + `<saml:AttributeStatement>${attributes}</saml:AttributeStatement>`
    + '</saml:Assertion></samlp:Response>';
}

export function newId(): string {
  return `_${randomBytes(20).toString('hex')}`;
}

function esc(value: string): string {
  return value.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');
}
