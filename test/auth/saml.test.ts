import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { expect } from 'chai';
import pino from 'pino';
import * as samlify from 'samlify';
import { createCertificateAuthority } from '../../server/auth/pki.ts';
import { DEFAULT_IDNPS_ATTRIBUTE, loadSamlConfig, parseRoleMap, type SamlConfig } from '../../server/config.ts';
import { isValidIdnps, rolesFromAttribute } from '../../server/auth/saml.ts';
import { SESSION_COOKIE, SessionManager } from '../../server/auth/session.ts';
import type { Services } from '../../server/bootstrap.ts';
import { startTestServer, testServices } from '../helpers/harness.ts';
import { newIdnps } from '../helpers/users.ts';
import {
  TEST_IDP_SSO, createTestIdp, failureResponse, newId, parseAuthnRequest, signedResponse, spFromMetadata, spWithoutAssertionSigning,
  stripSignatures, type ResponseOptions, type TestIdp,
} from '../helpers/saml-idp.ts';

const SP_ENTITY_ID = 'https://dcc.test.example/saml/sp';
const ROLE = 'urn:oid:1.2.250.1.71.4.2.5'; // profession attribute name used in these tests (SAML_ATTR_ROLE)
const FAMILY = 'urn:oid:2.5.4.4';
const GIVEN = 'urn:oid:2.5.4.42';
const silent = pino({ level: process.env.SAML_TEST_LOG ?? 'silent' }); // SAML_TEST_LOG=warn shows each refusal's technical reason

function tempFile(name: string, content: string): string {
  const file = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-saml-')), name);
  fs.writeFileSync(file, content);
  return file;
}

interface Sp {
  url: string;
  close: () => Promise<void>;
}

/** Our real app (as main.ts assembles it) with the SAML sign-in, on an ephemeral port. */
async function startSp(saml: SamlConfig | ((url: string) => SamlConfig), sessions?: SessionManager): Promise<Sp & { saml: SamlConfig }> {
  let samlConfig: SamlConfig | undefined;
  const server = await startTestServer({
    realSignIn: true, logger: silent, ...(sessions ? { sessions } : {}),
    signInAt: (url) => ({ saml: (samlConfig = typeof saml === 'function' ? saml(url) : saml) }),
  });
  return { url: server.url, saml: samlConfig!, close: server.close };
}

describe('SAML sign-in with a real identity provider (samlify)', function () {
  this.timeout(60_000);
  let services: Services;
  let idp: TestIdp;
  let rogue: TestIdp;
  let certFile: string;
  let sp: Sp & { saml: SamlConfig };
  let acs: string;
  let spEntity: samlify.ServiceProviderInstance;

  const env = (url: string, extra: Record<string, string> = {}) => ({
    SAML_IDP_ENTRY_POINT: TEST_IDP_SSO,
    SAML_IDP_CERT_FILE: certFile,
    SAML_IDP_ISSUER: idp.entityId,
    SAML_SP_ENTITY_ID: SP_ENTITY_ID,
    SAML_SP_CALLBACK_URL: `${url}/auth/saml/acs`,
    SAML_ATTR_ROLE: ROLE,
    ...extra,
  });

  before(async () => {
    services = await testServices();
    idp = await createTestIdp();
    rogue = await createTestIdp(); // same entity id, another key
    // Key rollover: the file holds a retired certificate and the current one.
    const retired = await createCertificateAuthority('IdP SAML retiré');
    certFile = tempFile('idp.pem', retired.certPem + idp.certPem);
    sp = await startSp((url) => loadSamlConfig(env(url))!);
    acs = `${sp.url}/auth/saml/acs`;
    spEntity = spFromMetadata(await (await fetch(`${sp.url}/auth/saml/metadata`)).text());
  });
  after(() => sp.close());

  const defaults = () => ({ acs, spEntityId: SP_ENTITY_ID, idpEntityId: idp.entityId });

  async function startLogin(base = sp.url, query = '', asIdp = idp.idp, spView = spEntity) {
    const res = await fetch(`${base}/auth/saml/login${query}`, { redirect: 'manual' });
    expect(res.status).to.equal(302);
    const location = res.headers.get('location')!;
    expect(location.startsWith(`${TEST_IDP_SSO}?SAMLRequest=`)).to.equal(true);
    return { ...(await parseAuthnRequest(asIdp, spView, location)), location };
  }

  function attributes(idnps: string, profession = '10', extra: Record<string, string | string[]> = {}) {
    return { [DEFAULT_IDNPS_ATTRIBUTE]: idnps, [ROLE]: profession, [FAMILY]: 'Aubert', [GIVEN]: 'Claire', ...extra };
  }

  async function respond(options: ResponseOptions, signer = idp.idp, spView = spEntity) {
    return signedResponse(signer, spView, defaults(), options);
  }

  async function postAcs(samlResponse: string, options: { base?: string; relayState?: string; accept?: string } = {}) {
    const body = new URLSearchParams({ SAMLResponse: samlResponse, ...(options.relayState ? { RelayState: options.relayState } : {}) });
    const res = await fetch(`${options.base ?? sp.url}/auth/saml/acs`, {
      method: 'POST', redirect: 'manual', body,
      headers: { 'content-type': 'application/x-www-form-urlencoded', accept: options.accept ?? 'text/html,application/xhtml+xml,*/*;q=0.8' },
    });
    return { status: res.status, headers: res.headers, text: await res.text() };
  }

  /** Login → IdP → ACS; returns the session cookie (name=value). */
  async function signIn(idnps: string, profession = '10', base = sp.url): Promise<string> {
    const { requestId } = await startLogin(base);
    const res = await postAcs(await respond({ inResponseTo: requestId, attributes: attributes(idnps, profession) }), { base });
    expect(res.status, res.text).to.equal(303);
    return sessionCookie(res.headers)!;
  }

  function sessionCookie(headers: Headers): string | undefined {
    const cookie = headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`));
    return cookie?.split(';')[0];
  }

  async function get(pathname: string, cookie?: string, base = sp.url) {
    const res = await fetch(`${base}${pathname}`, { headers: { accept: 'application/fhir+json', ...(cookie ? { cookie } : {}) } });
    return { status: res.status, body: await res.json().catch(() => undefined) };
  }

  it('publishes SP metadata: entity id, ACS, signed assertions wanted', async () => {
    const res = await fetch(`${sp.url}/auth/saml/metadata`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.contain('application/samlmetadata+xml');
    const xml = await res.text();
    expect(xml).to.contain(`entityID="${SP_ENTITY_ID}"`);
    expect(xml).to.contain(`Location="${acs}"`);
    expect(xml).to.contain('WantAssertionsSigned="true"');
  });

  it('full flow: login → signed response → session cookie → FHIR with CSRF → logout', async () => {
    const idnps = newIdnps();
    const { requestId, relayState } = await startLogin(sp.url, '?returnTo=%2Fpatients%2F42%3Fonglet%3Drcp');
    expect(requestId).to.match(/^_[0-9a-f]{40}$/);
    const res = await postAcs(await respond({ inResponseTo: requestId, attributes: attributes(idnps, 'Médecin') }), { relayState });
    expect(res.status, res.text).to.equal(303);
    expect(res.headers.get('location')).to.equal('/patients/42?onglet=rcp');
    const setCookie = res.headers.getSetCookie().find((c) => c.startsWith(`${SESSION_COOKIE}=`))!;
    expect(setCookie).to.match(/HttpOnly/i);
    expect(setCookie).to.match(/SameSite=Lax/i);
    const cookie = setCookie.split(';')[0];

    const session = await get('/auth/session', cookie);
    expect(session.status).to.equal(200);
    const { principal, csrfToken } = session.body;
    expect(principal).to.include({ idnps, authMethod: 'saml', family: 'Aubert', given: 'Claire', displayName: 'Claire Aubert' });
    expect(principal.roles).to.deep.equal(['physician']);
    expect(principal.practitionerId).to.be.a('string');
    expect(csrfToken).to.be.a('string');

    const directory = await get(`/fhir/Practitioner?identifier=${encodeURIComponent(`${DEFAULT_IDNPS_ATTRIBUTE}|${idnps}`)}`, cookie);
    expect(directory.status).to.equal(200);
    expect(directory.body.entry.map((e: any) => e.resource.id)).to.deep.equal([principal.practitionerId]);

    expect((await get('/fhir/Patient?_summary=count', cookie)).status).to.equal(200);

    const patient = JSON.stringify({ resourceType: 'Patient', name: [{ family: 'Saml', given: ['Test'] }], gender: 'female', birthDate: '1970-01-01' });
    const post = (headers: Record<string, string>) => fetch(`${sp.url}/fhir/Patient`, {
      method: 'POST', body: patient, headers: { 'content-type': 'application/fhir+json', accept: 'application/fhir+json', cookie, ...headers },
    });
    const noCsrf = await post({});
    expect(noCsrf.status).to.equal(403);
    expect((await noCsrf.json()).issue[0].details.text).to.contain('CSRF');
    expect((await post({ 'x-csrf-token': 'faux' })).status).to.equal(403);
    expect((await post({ 'x-csrf-token': csrfToken })).status).to.equal(201);

    const logoutNoCsrf = await fetch(`${sp.url}/auth/logout`, { method: 'POST', headers: { cookie } });
    expect(logoutNoCsrf.status).to.equal(403);
    const logout = await fetch(`${sp.url}/auth/logout`, { method: 'POST', headers: { cookie, 'x-csrf-token': csrfToken } });
    expect(logout.status).to.equal(204);
    expect((await get('/auth/session', cookie)).status).to.equal(401);
    expect((await get('/fhir/Patient?_summary=count', cookie)).status).to.equal(401);
  });

  it('maps professions to DCC roles (G15 codes and words)', async () => {
    for (const [profession, role] of [['21', 'pharmacist'], ['Infirmière', 'nurse'], ['60', 'nurse'], ['Masseur-kinésithérapeute', undefined]] as const) {
      const cookie = await signIn(newIdnps(), profession);
      const { body } = await get('/auth/session', cookie);
      expect(body.principal.roles, profession).to.deep.equal(role ? [role] : []);
    }
  });

  it('never redirects off-site after sign-in (returnTo is a local path or /)', async () => {
    for (const returnTo of ['//evil.example/x', 'https://evil.example/', '/\\evil.example', '/\t/evil.example', '/\n/evil.example']) {
      const { requestId } = await startLogin(sp.url, `?returnTo=${encodeURIComponent(returnTo)}`);
      const res = await postAcs(await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) }));
      expect(res.status).to.equal(303);
      expect(res.headers.get('location'), returnTo).to.equal('/');
    }
  });

  it('works across app servers: login on one, ACS on another (request ids in the database)', async () => {
    const other = await startSp(sp.saml);
    try {
      const { requestId } = await startLogin(sp.url);
      const res = await postAcs(await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) }), { base: other.url });
      expect(res.status, res.text).to.equal(303);
      expect((await get('/auth/session', sessionCookie(res.headers), other.url)).status).to.equal(200);
    } finally {
      await other.close();
    }
  });

  describe('refusals: 401/403 with a message the user understands, no session', () => {
    async function expectRefused(samlResponse: string, status: number, text: RegExp) {
      const res = await postAcs(samlResponse);
      expect(res.status, res.text).to.equal(status);
      expect(res.headers.get('content-type')).to.contain('text/html');
      expect(res.text).to.match(/<html lang="fr">/);
      expect(res.text).to.match(text);
      expect(res.text).not.to.match(/\bat .*\.(?:ts|js):\d+/); // never a stack trace
      expect(sessionCookie(res.headers)).to.equal(undefined);
      return res;
    }

    it('an unsigned assertion', async () => {
      const { requestId } = await startLogin();
      await expectRefused(stripSignatures(await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) })), 401, /signature/);
    });

    it('a signed Response whose assertion is not signed', async () => {
      const { requestId } = await startLogin();
      const signedEnvelopeOnly = await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) }, idp.idp, spWithoutAssertionSigning(SP_ENTITY_ID, acs));
      expect(Buffer.from(signedEnvelopeOnly, 'base64').toString()).to.contain('Signature');
      await expectRefused(signedEnvelopeOnly, 401, /signature/);
    });

    it('an assertion signed by another key', async () => {
      const { requestId } = await startLogin();
      await expectRefused(await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) }, rogue.idp), 401, /signature/);
    });

    it('an assertion for another audience', async () => {
      const { requestId } = await startLogin();
      await expectRefused(await respond({ inResponseTo: requestId, audience: 'https://other-sp.example', attributes: attributes(newIdnps()) }), 401, /autre service/);
    });

    it('an assertion for another ACS (Recipient) or a Response sent elsewhere (Destination)', async () => {
      let { requestId } = await startLogin();
      await expectRefused(await respond({ inResponseTo: requestId, recipient: 'https://other-sp.example/acs', attributes: attributes(newIdnps()) }), 401, /adresse de retour/);
      ({ requestId } = await startLogin());
      await expectRefused(await respond({ inResponseTo: requestId, destination: 'https://other-sp.example/acs', attributes: attributes(newIdnps()) }), 401, /adresse de retour/);
    });

    it('an assertion from another issuer, even signed with the trusted key', async () => {
      const { requestId } = await startLogin();
      await expectRefused(await respond({ inResponseTo: requestId, issuer: 'https://other-idp.example', attributes: attributes(newIdnps()) }), 401, /fournisseur d&#39;identité inattendu/);
    });

    it('a response to a request we never sent, and an unsolicited response', async () => {
      await startLogin();
      await expectRefused(await respond({ inResponseTo: newId(), attributes: attributes(newIdnps()) }), 401, /aucune connexion en cours/);
      await expectRefused(await respond({ inResponseTo: null, attributes: attributes(newIdnps()) }), 401, /aucune connexion en cours/);
    });

    it('a replayed response (the second POST)', async () => {
      const { requestId } = await startLogin();
      const response = await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) });
      expect((await postAcs(response)).status).to.equal(303);
      await expectRefused(response, 401, /aucune connexion en cours|déjà été utilisée/);
    });

    it('the same response posted twice at once: exactly one session', async () => {
      const { requestId } = await startLogin();
      const response = await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) });
      const results = await Promise.all([postAcs(response), postAcs(response), postAcs(response)]);
      expect(results.map((r) => r.status).sort()).to.deep.equal([303, 401, 401]);
    });

    it('an assertion id already consumed, even in answer to a new request', async () => {
      const assertionId = newId();
      let { requestId } = await startLogin();
      expect((await postAcs(await respond({ inResponseTo: requestId, assertionId, attributes: attributes(newIdnps()) }))).status).to.equal(303);
      ({ requestId } = await startLogin());
      await expectRefused(await respond({ inResponseTo: requestId, assertionId, attributes: attributes(newIdnps()) }), 401, /déjà été utilisée/);
    });

    it('an expired assertion (beyond the clock skew), while a slightly late one is accepted', async () => {
      let { requestId } = await startLogin();
      const expired = new Date(Date.now() - sp.saml.clockSkewMs - 30_000);
      await expectRefused(await respond({ inResponseTo: requestId, notOnOrAfter: expired, attributes: attributes(newIdnps()) }), 401, /expiré/);
      ({ requestId } = await startLogin());
      const withinSkew = new Date(Date.now() - sp.saml.clockSkewMs / 2);
      expect((await postAcs(await respond({ inResponseTo: requestId, notOnOrAfter: withinSkew, attributes: attributes(newIdnps()) }))).status).to.equal(303);
    });

    it('an assertion not yet valid (NotBefore in the future beyond the skew)', async () => {
      const { requestId } = await startLogin();
      const future = new Date(Date.now() + sp.saml.clockSkewMs + 60_000);
      await expectRefused(await respond({ inResponseTo: requestId, notBefore: future, attributes: attributes(newIdnps()) }), 401, /expiré ou n&#39;est pas encore valide/);
    });

    it('an invalid or missing IDNPS (403)', async () => {
      let { requestId } = await startLogin();
      const valid = newIdnps();
      const badIdnps = valid.slice(0, 11) + String((Number(valid[11]) + 1) % 10); // wrong Luhn key
      await expectRefused(await respond({ inResponseTo: requestId, attributes: attributes(badIdnps) }), 403, /n&#39;est pas un IDNPS valide/);
      ({ requestId } = await startLogin());
      const { [DEFAULT_IDNPS_ATTRIBUTE]: _, ...withoutIdnps } = attributes(newIdnps());
      await expectRefused(await respond({ inResponseTo: requestId, attributes: withoutIdnps }), 403, /IDNPS/);
      ({ requestId } = await startLogin());
      await expectRefused(await respond({ inResponseTo: requestId, attributes: attributes(newIdnps(), '10', { [DEFAULT_IDNPS_ATTRIBUTE]: [newIdnps(), newIdnps()] }) }), 403, /IDNPS/);
    });

    it('the IdP reports a failed authentication', async () => {
      const { requestId } = await startLogin();
      await expectRefused(failureResponse(defaults(), requestId, 'urn:oasis:names:tc:SAML:2.0:status:AuthnFailed'), 401, /n&#39;a pas authentifié/);
    });

    it('a POST without SAMLResponse (400), and garbage (401)', async () => {
      const res = await fetch(`${sp.url}/auth/saml/acs`, { method: 'POST', body: new URLSearchParams({ RelayState: 'x' }) });
      expect(res.status).to.equal(400);
      expect(await res.text()).to.contain('Aucune réponse SAML');
      await expectRefused(Buffer.from('<pas du SAML').toString('base64'), 401, /n&#39;a pas pu être vérifiée/);
    });

    it('answers an OperationOutcome to a client that asks JSON', async () => {
      const { requestId } = await startLogin();
      const res = await postAcs(await respond({ inResponseTo: requestId, attributes: attributes(newIdnps()) }, rogue.idp), { accept: 'application/fhir+json' });
      expect(res.status).to.equal(401);
      expect(res.headers.get('content-type')).to.contain('application/fhir+json');
      const body = JSON.parse(res.text);
      expect(body.resourceType).to.equal('OperationOutcome');
      expect(body.issue[0].code).to.equal('login');
      expect(body.issue[0].details.text).to.contain('signature');
    });
  });

  it('signs AuthnRequests when an SP key is configured (an IdP that requires it accepts them)', async () => {
    const spKey = await createCertificateAuthority('DCC SP SAML');
    const signing = await startSp((url) => loadSamlConfig(env(url, {
      SAML_SP_KEY_FILE: tempFile('sp.key', spKey.keyPem), SAML_SP_CERT_FILE: tempFile('sp.crt', spKey.certPem),
    }))!);
    try {
      const metadata = await (await fetch(`${signing.url}/auth/saml/metadata`)).text();
      expect(metadata).to.contain('AuthnRequestsSigned="true"');
      expect(metadata).to.contain('use="signing"');
      const view = spFromMetadata(metadata);
      const { requestId, location } = await startLogin(signing.url, '', idp.strictIdp, view);
      expect(new URL(location).searchParams.get('SigAlg')).to.equal('http://www.w3.org/2001/04/xmldsig-more#rsa-sha256');
      // Tampered request: the strict IdP refuses it.
      const tampered = location.replace('SigAlg=', 'RelayState=x&SigAlg=');
      let refused = false;
      await parseAuthnRequest(idp.strictIdp, view, tampered).catch(() => (refused = true));
      expect(refused).to.equal(true);
      // And our unsigned SP would be refused by that IdP.
      let unsignedRefused = false;
      await parseAuthnRequest(idp.strictIdp, spEntity, (await fetch(`${sp.url}/auth/saml/login`, { redirect: 'manual' })).headers.get('location')!).catch(() => (unsignedRefused = true));
      expect(unsignedRefused).to.equal(true);
      const res = await postAcs(await signedResponse(idp.idp, view, { acs: `${signing.url}/auth/saml/acs`, spEntityId: SP_ENTITY_ID, idpEntityId: idp.entityId }, {
        inResponseTo: requestId, attributes: attributes(newIdnps()),
      }), { base: signing.url });
      expect(res.status, res.text).to.equal(303);

      // The same key decrypts assertions the IdP encrypts for the certificate in our metadata.
      expect(metadata).to.contain('use="encryption"');
      const encryptingIdp = samlify.IdentityProvider({
        entityID: idp.entityId, privateKey: idp.keyPem, signingCert: idp.certPem, isAssertionEncrypted: true,
        singleSignOnService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: TEST_IDP_SSO }],
        singleLogoutService: [{ Binding: 'urn:oasis:names:tc:SAML:2.0:bindings:HTTP-Redirect', Location: TEST_IDP_SSO }],
      });
      const second = await startLogin(signing.url, '', idp.strictIdp, view);
      const encrypted = await signedResponse(encryptingIdp, view, { acs: `${signing.url}/auth/saml/acs`, spEntityId: SP_ENTITY_ID, idpEntityId: idp.entityId }, {
        inResponseTo: second.requestId, attributes: attributes(newIdnps()),
      });
      const encryptedXml = Buffer.from(encrypted, 'base64').toString();
      expect(encryptedXml).to.contain('EncryptedAssertion');
      expect(encryptedXml).not.to.contain(DEFAULT_IDNPS_ATTRIBUTE);
      const decrypted = await postAcs(encrypted, { base: signing.url });
      expect(decrypted.status, decrypted.text).to.equal(303);
    } finally {
      await signing.close();
    }
  });

  it('SAML_WANT_RESPONSE_SIGNED=true also requires the Response signature', async () => {
    const strict = await startSp((url) => loadSamlConfig(env(url, { SAML_WANT_RESPONSE_SIGNED: 'true' }))!);
    try {
      const metadata = await (await fetch(`${strict.url}/auth/saml/metadata`)).text();
      const view = spFromMetadata(metadata);
      const bothSigned = samlify.ServiceProvider({ metadata, wantMessageSigned: true });
      const target = { acs: `${strict.url}/auth/saml/acs`, spEntityId: SP_ENTITY_ID, idpEntityId: idp.entityId };
      let { requestId } = await startLogin(strict.url, '', idp.idp, view);
      const assertionOnly = await postAcs(await signedResponse(idp.idp, view, target, { inResponseTo: requestId, attributes: attributes(newIdnps()) }), { base: strict.url });
      expect(assertionOnly.status).to.equal(401);
      expect(assertionOnly.text).to.contain('signature');
      ({ requestId } = await startLogin(strict.url, '', idp.idp, view));
      const both = await postAcs(await signedResponse(idp.idp, bothSigned, target, { inResponseTo: requestId, attributes: attributes(newIdnps()) }), { base: strict.url });
      expect(both.status, both.text).to.equal(303);
    } finally {
      await strict.close();
    }
  });

  it('ends a session left idle longer than the idle timeout', async () => {
    // 2 s, not less: on a loaded CI machine the sign-in's first request came more than 150 ms
    // after the session was opened and found it already idle.
    const sessions = new SessionManager(services.sessionStore, { idleMs: 2_000, absoluteMs: 3_600_000, secureCookies: false });
    const short = await startSp(sp.saml, sessions);
    try {
      const cookie = await signIn(newIdnps(), '10', short.url);
      expect((await get('/auth/session', cookie, short.url)).status).to.equal(200);
      await new Promise((r) => setTimeout(r, 2_600));
      const expired = await get('/fhir/Patient?_summary=count', cookie, short.url);
      expect(expired.status).to.equal(401);
      expect(expired.body.issue[0].details.text).to.contain('inactivité');
      expect((await get('/auth/session', cookie, short.url)).status).to.equal(401); // deleted, not just refused
    } finally {
      await short.close();
    }
  });
});

describe('SAML configuration', () => {
  let certFile: string;
  before(async () => {
    const a = await createCertificateAuthority('IdP A');
    const b = await createCertificateAuthority('IdP B');
    certFile = tempFile('idp.pem', `${a.certPem}\n${b.certPem}`);
  });
  const base = () => ({
    SAML_IDP_ENTRY_POINT: 'https://idp.example/sso', SAML_IDP_CERT_FILE: certFile,
    SAML_SP_ENTITY_ID: 'https://dcc.example/saml', SAML_SP_CALLBACK_URL: 'https://dcc.example/auth/saml/acs',
  });

  it('is off without SAML_IDP_ENTRY_POINT, with documented defaults otherwise', () => {
    expect(loadSamlConfig({})).to.equal(undefined);
    const config = loadSamlConfig(base())!;
    expect(config.idpCertificates).to.have.length(2);
    expect(config.clockSkewMs).to.equal(60_000);
    expect(config.attributes.idnps).to.equal('urn:oid:1.2.250.1.71.4.2.1');
    expect(config.wantResponseSigned).to.equal(false);
    expect(config.roleMap).to.equal(undefined);
  });

  it('refuses an incomplete or unsafe configuration at start-up', () => {
    const { SAML_SP_ENTITY_ID: _, ...noEntity } = base();
    expect(() => loadSamlConfig(noEntity)).to.throw(/SAML_SP_ENTITY_ID/);
    expect(() => loadSamlConfig({ ...base(), SAML_CLOCK_SKEW_MS: '-1' })).to.throw(/SAML_CLOCK_SKEW_MS/);
    expect(() => loadSamlConfig({ ...base(), SAML_CLOCK_SKEW_MS: '3600000' })).to.throw(/SAML_CLOCK_SKEW_MS/);
    expect(() => loadSamlConfig({ ...base(), SAML_IDP_CERT_FILE: tempFile('empty.pem', 'rien') })).to.throw(/aucun certificat/);
    expect(() => loadSamlConfig({ ...base(), SAML_SP_CALLBACK_URL: '/auth/saml/acs' })).to.throw(/URL absolue/);
    expect(() => loadSamlConfig({ ...base(), NODE_ENV: 'production', SAML_SP_CALLBACK_URL: 'http://dcc.example/auth/saml/acs' })).to.throw(/https/);
    expect(() => loadSamlConfig({ ...base(), SAML_SP_KEY_FILE: certFile })).to.throw(/vont ensemble/);
    expect(() => loadSamlConfig({ ...base(), SAML_ROLE_MAP: '{"10":"system"}' })).to.throw(/rôle 'system' inconnu/);
    expect(() => loadSamlConfig({ ...base(), SAML_ROLE_MAP: 'physician' })).to.throw(/objet JSON/);
  });

  it('SAML_ROLE_MAP replaces the default mapping (values compared without case or accents)', () => {
    const map = parseRoleMap('{"Médecin DIM":"physician","3C":["coordinator","physician"],"ADMIN-DCC":"admin"}');
    expect(rolesFromAttribute(['medecin dim'], map)).to.deep.equal(['physician']);
    expect(rolesFromAttribute(['3c', 'admin-dcc'], map)).to.deep.equal(['coordinator', 'physician', 'admin']);
    expect(rolesFromAttribute(['10'], map)).to.deep.equal([]);
    expect(rolesFromAttribute(['10', 'Pharmacien', '  60 '])).to.deep.equal(['physician', 'pharmacist', 'nurse']);
  });

  it('IDNPS: 8 + Luhn-valid RPPS, or 0 + ADELI', () => {
    expect(isValidIdnps('810002813839')).to.equal(true);
    expect(isValidIdnps('810002813838')).to.equal(false);
    expect(isValidIdnps('0123456789')).to.equal(true);
    expect(isValidIdnps('10002813839')).to.equal(false);
  });
});
