import { expect } from 'chai';
import pino from 'pino';
import { loadPscConfig } from '../../server/config.ts';
import { principalFromUserInfo } from '../../server/auth/psc.ts';
import { rppsCheckDigit } from '../../server/identity/rpps.ts';
import { startTestServer, type RunningServer } from '../helpers/harness.ts';
import { Browser, startTestIdp, type TestIdp } from '../helpers/oidc-provider.ts';
import { newIdnps } from '../helpers/users.ts';

const CLIENT_ID = 'dcc-test';
const CLIENT_SECRET = 'secret-de-test-0123456789abcdef';

function exercice(codeProfession: string, codeSavoirFaire = '', finess = '') {
  return {
    codeProfession, codeCategorieProfessionnelle: 'C', nomDexercice: '', prenomDexercice: '', codeTypeSavoirFaire: codeSavoirFaire ? 'S' : '', codeSavoirFaire,
    activities: [{ codeModeExercice: 'S', numeroFinessSite: finess, raisonSocialeSite: 'CH DE TEST' }],
  };
}

describe('Pro Santé Connect sign-in (OpenID Connect against a real oidc-provider)', function () {
  this.timeout(60_000);
  const pharmacistIdnps = newIdnps();
  const gpIdnps = newIdnps();
  const badIdnps = pharmacistIdnps.slice(0, 11) + ((Number(pharmacistIdnps[11]) + 1) % 10);
  const accounts: Record<string, Record<string, unknown>> = {
    pharmacist: {
      SubjectNameID: pharmacistIdnps, preferred_username: pharmacistIdnps, given_name: 'Inès', family_name: 'Garnier',
      SubjectRefPro: { codeCivilite: 'MME', exercices: [exercice('21', '', '130786049')] },
    },
    gp: {
      SubjectNameID: gpIdnps, given_name: 'Paul', family_name: 'Roux',
      SubjectRefPro: { exercices: [exercice('10', 'SM54')] },
    },
    badIdnps: {
      SubjectNameID: badIdnps, given_name: 'Jean', family_name: 'Faux',
      SubjectRefPro: { exercices: [exercice('10', 'SM36')] },
    },
  };
  const logs: any[] = [];
  const servers: RunningServer[] = [];
  let idp: TestIdp;
  let appUrl: string;
  let host: string;

  /**
   * Our real application on an ephemeral port, with PSC calling back to its own address; `beforeMount`
   * (the IdP's start) runs once that address is known, before the app is mounted.
   */
  async function startApp(beforeMount: (url: string) => Promise<void> = async () => {}): Promise<string> {
    const logger = pino({ level: 'info' }, { write: (line: string) => void logs.push(JSON.parse(line)) });
    const server = await startTestServer({
      realSignIn: true, logger,
      signInAt: async (url) => {
        await beforeMount(url);
        return { psc: loadPscConfig(pscEnv(idp.issuer, `${url}/auth/psc/callback`))! };
      },
    });
    servers.push(server);
    return server.url;
  }

  function pscEnv(issuer: string, redirectUri: string): NodeJS.ProcessEnv {
    return { NODE_ENV: 'test', PSC_ISSUER: issuer, PSC_CLIENT_ID: CLIENT_ID, PSC_CLIENT_SECRET: CLIENT_SECRET, PSC_REDIRECT_URI: redirectUri };
  }

  before(async () => {
    appUrl = await startApp(async (url) => {
      idp = await startTestIdp({ clientId: CLIENT_ID, clientSecret: CLIENT_SECRET, redirectUri: `${url}/auth/psc/callback`, accounts });
    });
    host = new URL(appUrl).host;
  });
  after(async () => {
    for (const server of servers) await server.close();
    await idp?.close();
  });

  /** GET /auth/psc/login: the authorization URL the browser is sent to. */
  async function startLogin(browser: Browser, returnTo?: string): Promise<URL> {
    const res = await browser.fetch(`${appUrl}/auth/psc/login${returnTo === undefined ? '' : `?returnTo=${encodeURIComponent(returnTo)}`}`);
    expect(res.status).to.equal(302);
    return new URL(res.headers.get('location')!);
  }

  async function callback(browser: Browser, url: URL, accept = 'application/json') {
    const res = await browser.fetch(url.href, { headers: { accept } });
    const text = await res.text();
    return { status: res.status, location: res.headers.get('location'), text, body: text.startsWith('{') ? JSON.parse(text) : undefined, headers: res.headers };
  }

  async function session(browser: Browser) {
    const res = await browser.fetch(`${appUrl}/auth/session`, { headers: { accept: 'application/json' } });
    return { status: res.status, body: await res.json() as any };
  }

  function lastRefusal(): any {
    return [...logs].reverse().find((l) => l.msg === 'connexion Pro Santé Connect refusée');
  }

  it('refuses with 503 while PSC is down, and signs in once it is back (discovery is lazy, failures are not cached)', async () => {
    const url = await startApp();
    idp.down = true;
    try {
      const res = await new Browser().fetch(`${url}/auth/psc/login`, { headers: { accept: 'text/html' } });
      expect(res.status).to.equal(503);
      const page = await res.text();
      expect(page).to.contain('injoignable').and.not.contain('at ');
      expect(lastRefusal().detail.step).to.equal('discovery');
    } finally {
      idp.down = false;
    }
    const res = await new Browser().fetch(`${url}/auth/psc/login`);
    expect(res.status).to.equal(302);
    expect(res.headers.get('location')).to.match(new RegExp(`^${idp.issuer}/auth\\?`));
  });

  it('sends an authorization request with PKCE S256, state, nonce, acr eidas1 and scope openid scope_all', async () => {
    const url = await startLogin(new Browser());
    const p = url.searchParams;
    expect(p.get('response_type')).to.equal('code');
    expect(p.get('client_id')).to.equal(CLIENT_ID);
    expect(p.get('redirect_uri')).to.equal(`${appUrl}/auth/psc/callback`);
    expect(p.get('scope')).to.equal('openid scope_all');
    expect(p.get('acr_values')).to.equal('eidas1');
    expect(p.get('code_challenge_method')).to.equal('S256');
    expect(p.get('code_challenge')).to.match(/^[\w-]{43}$/);
    expect(p.get('state')).to.match(/^[\w-]{20,}$/);
    expect(p.get('nonce')).to.match(/^[\w-]{20,}$/).and.not.equal(p.get('state'));
  });

  it('a pharmacist signs in: 303 to returnTo with a session, /auth/session gives the principal, FHIR answers', async () => {
    const browser = new Browser();
    const authorizationUrl = await startLogin(browser, '/dossiers/42?onglet=rcp');
    expect(browser.cookie(host, 'dcc_psc_state')).to.equal(authorizationUrl.searchParams.get('state'));
    const cb = await idp.authorize(browser, authorizationUrl.href, 'pharmacist');
    expect(cb.pathname).to.equal('/auth/psc/callback');
    expect(cb.searchParams.get('code')).to.be.a('string');

    const res = await callback(browser, cb);
    expect(res.status, res.text).to.equal(303);
    expect(res.location).to.equal('/dossiers/42?onglet=rcp');
    expect(res.headers.get('cache-control')).to.contain('no-store');
    expect(browser.cookie(host, 'dcc_session')).to.be.a('string');
    expect(browser.cookie(host, 'dcc_psc_state'), 'browser-binding cookie cleared').to.equal(undefined);

    const me = await session(browser);
    expect(me.status).to.equal(200);
    expect(me.body.principal).to.include({ idnps: pharmacistIdnps, displayName: 'Inès Garnier', family: 'Garnier', given: 'Inès', authMethod: 'psc' });
    expect(me.body.principal.roles).to.deep.equal(['pharmacist']);
    expect(me.body.principal.practitionerId).to.be.a('string');
    expect(me.body.csrfToken).to.be.a('string');

    const fhir = await browser.fetch(`${appUrl}/fhir/Patient?_summary=count`, { headers: { accept: 'application/fhir+json' } });
    expect(fhir.status).to.equal(200);
    expect((await fhir.json() as any).resourceType).to.equal('Bundle');
  });

  it('a general practitioner (médecin, savoir-faire SM54) gets the gp role', async () => {
    const browser = new Browser();
    const res = await callback(browser, await idp.authorize(browser, (await startLogin(browser)).href, 'gp'));
    expect(res.status, res.text).to.equal(303);
    expect(res.location).to.equal('/');
    const me = await session(browser);
    expect(me.body.principal).to.include({ idnps: gpIdnps, authMethod: 'psc' });
    expect(me.body.principal.roles).to.deep.equal(['gp']);
    expect(me.body.principal.practitionerId).to.be.a('string');
  });

  it('never redirects off-site after sign-in (returnTo //evil.example → /)', async () => {
    const browser = new Browser();
    const res = await callback(browser, await idp.authorize(browser, (await startLogin(browser, '//evil.example/x')).href, 'pharmacist'));
    expect(res.status).to.equal(303);
    expect(res.location).to.equal('/');
  });

  it('refuses an unknown state with 401: JSON OperationOutcome or a small French HTML page, never a stack trace', async () => {
    const browser = new Browser();
    const forged = new URL(`${appUrl}/auth/psc/callback?code=abc&state=forged-state&iss=${encodeURIComponent(idp.issuer)}`);
    const json = await callback(browser, forged);
    expect(json.status).to.equal(401);
    expect(json.body.resourceType).to.equal('OperationOutcome');
    expect(json.body.issue[0].details.text).to.contain('inconnue, expirée');
    const html = await callback(browser, forged, 'text/html,application/xhtml+xml');
    expect(html.status).to.equal(401);
    expect(html.headers.get('content-type')).to.contain('text/html');
    expect(html.text).to.contain('<html lang="fr">').and.contain('relancez la connexion').and.not.match(/Error|at \w+ \(/);
    const none = await callback(browser, new URL(`${appUrl}/auth/psc/callback?code=abc`));
    expect(none.status).to.equal(401);
    expect(none.body.issue[0].details.text).to.contain('state absent');
    expect(browser.cookie(host, 'dcc_session')).to.equal(undefined);
  });

  it('refuses a state tampered with in the authorization request', async () => {
    const browser = new Browser();
    const url = await startLogin(browser);
    url.searchParams.set('state', `${url.searchParams.get('state')}x`);
    const res = await callback(browser, await idp.authorize(browser, url.href, 'pharmacist'));
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain('inconnue, expirée');
    expect(browser.cookie(host, 'dcc_session')).to.equal(undefined);
  });

  it('refuses a replayed callback: a state is used once', async () => {
    const browser = new Browser();
    const cb = await idp.authorize(browser, (await startLogin(browser)).href, 'pharmacist');
    expect((await callback(browser, cb)).status).to.equal(303);
    const replay = await callback(new Browser(), cb);
    expect(replay.status).to.equal(401);
    expect(replay.body.issue[0].details.text).to.contain('déjà été utilisée');
    const sameBrowser = await callback(browser, cb);
    expect(sameBrowser.status).to.equal(401);
  });

  it('refuses a callback opened in another browser than the one that started the sign-in (login CSRF)', async () => {
    const attacker = new Browser();
    const cb = await idp.authorize(attacker, (await startLogin(attacker)).href, 'pharmacist');
    const victim = new Browser();
    const res = await callback(victim, cb);
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain('ce navigateur');
    expect(victim.cookie(host, 'dcc_session')).to.equal(undefined);
    expect((await callback(attacker, cb)).status, 'the state is spent').to.equal(401);
  });

  it('refuses an ID token whose nonce is not the one of this sign-in', async () => {
    // Two sign-ins in one browser; the IdP is sent A's nonce with B's state and PKCE challenge, so
    // the code exchange succeeds (B's verifier) and only the nonce check can catch it.
    const browser = new Browser();
    const a = await startLogin(browser);
    const b = await startLogin(browser);
    const mixed = new URL(a);
    mixed.searchParams.set('state', b.searchParams.get('state')!);
    mixed.searchParams.set('code_challenge', b.searchParams.get('code_challenge')!);
    const res = await callback(browser, await idp.authorize(browser, mixed.href, 'pharmacist'));
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain("jeton d'identité invalide");
    expect(lastRefusal().detail.code).to.equal('OAUTH_JWT_CLAIM_COMPARISON_FAILED');
    expect(browser.cookie(host, 'dcc_session')).to.equal(undefined);
  });

  it('refuses a code exchanged with the wrong PKCE verifier', async () => {
    const browser = new Browser();
    const other = await startLogin(browser);
    const url = await startLogin(browser);
    url.searchParams.set('code_challenge', other.searchParams.get('code_challenge')!);
    const res = await callback(browser, await idp.authorize(browser, url.href, 'pharmacist'));
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain("code d'autorisation refusé");
    expect(lastRefusal().detail.error).to.equal('invalid_grant');
  });

  it('handles the IdP answering error=access_denied (user cancelled)', async () => {
    const browser = new Browser();
    const cb = await idp.authorize(browser, (await startLogin(browser)).href, 'deny');
    expect(cb.searchParams.get('error')).to.equal('access_denied');
    const res = await callback(browser, cb, 'text/html');
    expect(res.status).to.equal(401);
    expect(res.text).to.contain('annulée ou refusée');
    expect(lastRefusal().detail.error).to.equal('access_denied');
    expect((await callback(browser, cb)).status, 'the state is spent').to.equal(401);
  });

  it('refuses a userinfo whose SubjectNameID is not a valid IDNPS', async () => {
    const browser = new Browser();
    const res = await callback(browser, await idp.authorize(browser, (await startLogin(browser)).href, 'badIdnps'));
    expect(res.status).to.equal(401);
    expect(res.body.issue[0].details.text).to.contain('IDNPS').and.contain(badIdnps);
    expect(browser.cookie(host, 'dcc_session')).to.equal(undefined);
    expect((await session(browser)).status).to.equal(401);
  });
});

describe('Pro Santé Connect configuration and userinfo mapping', () => {
  const base = { PSC_ISSUER: 'https://auth.esante.gouv.fr/auth/realms/esante-wallet', PSC_CLIENT_ID: 'dcc', PSC_CLIENT_SECRET: 's', PSC_REDIRECT_URI: 'https://dcc.example/auth/psc/callback' };

  it('is off without PSC_* variables and fails loudly when half configured', () => {
    expect(loadPscConfig({})).to.equal(undefined);
    expect(() => loadPscConfig({ PSC_ISSUER: base.PSC_ISSUER })).to.throw(/PSC_CLIENT_ID, PSC_CLIENT_SECRET, PSC_REDIRECT_URI/);
    expect(() => loadPscConfig({ ...base, PSC_REDIRECT_URI: '/auth/psc/callback' })).to.throw(/URL absolue/);
  });

  it('defaults scope and acr, accepts a discovery document URL, allows http only outside production', () => {
    const psc = loadPscConfig({ ...base, PSC_ISSUER: `${base.PSC_ISSUER}/.well-known/openid-configuration` })!;
    expect(psc.issuer.href).to.equal(base.PSC_ISSUER);
    expect(psc).to.include({ scopes: 'openid scope_all', acrValues: 'eidas1', allowInsecureHttp: false });
    expect(loadPscConfig({ ...base, PSC_SCOPES: 'scope_all' })!.scopes).to.equal('openid scope_all');
    const http = { ...base, PSC_ISSUER: 'http://127.0.0.1:9999', PSC_REDIRECT_URI: 'http://127.0.0.1:8080/auth/psc/callback' };
    expect(loadPscConfig({ ...http, NODE_ENV: 'test' })!.allowInsecureHttp).to.equal(true);
    expect(() => loadPscConfig({ ...http, NODE_ENV: 'production' })).to.throw(/https/);
  });

  it('maps professions to roles and keeps names', () => {
    const idnps = `8${'0000000001'}${rppsCheckDigit('0000000001')}`;
    const p = principalFromUserInfo({
      SubjectNameID: idnps,
      SubjectRefPro: JSON.stringify({ exercices: [exercice('60'), exercice('10', 'SM36'), exercice('70')] }),
    });
    expect(p.roles).to.deep.equal(['nurse', 'physician']);
    expect(p.displayName).to.equal(idnps);
    expect(principalFromUserInfo({ SubjectNameID: '0123456789', given_name: 'Léa', family_name: 'Blanc' })).to.deep.include({ displayName: 'Léa Blanc', roles: [], authMethod: 'psc' });
    expect(() => principalFromUserInfo({ sub: 'x' })).to.throw(/SubjectNameID/);
    expect(() => principalFromUserInfo({ SubjectNameID: 'ANS20231122132732' })).to.throw(/IDNPS/);
  });
});
