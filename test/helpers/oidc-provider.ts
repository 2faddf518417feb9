import { generateKeyPairSync, randomBytes } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';

/**
 * A real OpenID Connect provider (oidc-provider) standing in for Pro Santé Connect, over plain HTTP
 * on 127.0.0.1: authorization code + PKCE required, PSC-like claims (SubjectNameID, SubjectRefPro)
 * released under the scope_all scope, acr eidas1. The login "page" is driven by the test through
 * `authorize`, acting as the user's browser.
 */
export interface TestIdp {
  issuer: string;
  /** When true every request gets 503, as if PSC were down. */
  down: boolean;
  /**
   * Follows an authorization URL as the browser would, logs in as `account` (or cancels with
   * 'deny') and returns the callback URL the provider sends the browser to (not followed).
   */
  authorize(browser: Browser, authorizationUrl: string, account: string | 'deny'): Promise<URL>;
  close(): Promise<void>;
}

export interface TestIdpOptions {
  clientId: string;
  clientSecret: string;
  redirectUri: string;
  /** accountId → userinfo claims (besides sub). */
  accounts: Record<string, Record<string, unknown>>;
}

export async function startTestIdp(options: TestIdpOptions): Promise<TestIdp> {
  const Provider = await importProvider();

  let handler: http.RequestListener = (_req, res) => res.writeHead(503).end();
  let down = false;
  const server = http.createServer((req, res) => (down ? res.writeHead(503).end() : handler(req, res)));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const provider = new Provider(issuer, {
    clients: [{
      client_id: options.clientId, client_secret: options.clientSecret, redirect_uris: [options.redirectUri],
      response_types: ['code'], grant_types: ['authorization_code'], token_endpoint_auth_method: 'client_secret_basic',
    }],
    jwks: { keys: [{ ...privateKey.export({ format: 'jwk' }), kid: 'test-psc', use: 'sig', alg: 'RS256' }] },
    adapter: memoryAdapter(),
    cookies: { keys: [randomBytes(32).toString('base64url')] },
    ttl: { AccessToken: 600, AuthorizationCode: 60, IdToken: 600, Interaction: 600, Session: 600, Grant: 600 },
    pkce: { required: () => true },
    acrValues: ['eidas1'],
    claims: {
      openid: ['sub'],
      scope_all: ['SubjectNameID', 'SubjectRefPro', 'given_name', 'family_name', 'preferred_username'],
    },
    features: { devInteractions: { enabled: false } },
    interactions: { url: (_ctx: unknown, interaction: { uid: string }) => `/interaction/${interaction.uid}` },
    async findAccount(_ctx: unknown, accountId: string) {
      const claims = options.accounts[accountId];
      return claims ? { accountId, claims: async () => ({ sub: accountId, ...claims }) } : undefined;
    },
    // No consent screen: PSC grants the scopes the service was registered with.
    async loadExistingGrant(ctx: any) {
      const accountId = ctx.oidc.session?.accountId;
      if (!accountId) return undefined;
      const grant = new ctx.oidc.provider.Grant({ clientId: ctx.oidc.client.clientId, accountId });
      grant.addOIDCScope('openid scope_all');
      await grant.save();
      return grant;
    },
    renderError(ctx: any, out: Record<string, string>) {
      ctx.type = 'json';
      ctx.body = out;
    },
  });
  const providerCallback = provider.callback() as http.RequestListener;

  // The interaction "pages": POST /interaction/:uid/login (form field account) or /interaction/:uid/abort.
  handler = (req, res) => {
    const match = /^\/interaction\/[^/]+\/(login|abort)$/.exec(new URL(req.url ?? '/', issuer).pathname);
    if (!match || req.method !== 'POST') return providerCallback(req, res);
    void (async () => {
      try {
        await provider.interactionDetails(req, res);
        if (match[1] === 'abort') {
          await provider.interactionFinished(req, res, { error: 'access_denied', error_description: "L'utilisateur a annulé la connexion" }, { mergeWithLastSubmission: false });
          return;
        }
        let body = '';
        for await (const chunk of req) body += chunk;
        const accountId = new URLSearchParams(body).get('account') ?? '';
        await provider.interactionFinished(req, res, { login: { accountId, acr: 'eidas1', amr: ['pop'] } }, { mergeWithLastSubmission: false });
      } catch (error) {
        res.writeHead(400, { 'content-type': 'text/plain' }).end(String(error));
      }
    })();
  };

  return {
    issuer,
    get down() {
      return down;
    },
    set down(value: boolean) {
      down = value;
    },
    async authorize(browser, authorizationUrl, account) {
      let res = await browser.fetch(authorizationUrl);
      const interaction = redirectTarget(res, authorizationUrl);
      if (!interaction.pathname.startsWith('/interaction/')) {
        // The provider answered at once (an error sent back to the client).
        return interaction;
      }
      const action = new URL(`${interaction.pathname}/${account === 'deny' ? 'abort' : 'login'}`, issuer);
      res = await browser.fetch(action.href, { method: 'POST', body: new URLSearchParams({ account }) });
      let next = redirectTarget(res, action.href);
      // Resume at the provider until it sends the browser back to the client.
      for (let hops = 0; next.origin === issuer && hops < 5; hops++) {
        res = await browser.fetch(next.href);
        next = redirectTarget(res, next.href);
      }
      return next;
    },
    close: () => new Promise<void>((resolve) => {
      server.closeAllConnections();
      server.close(() => resolve());
    }),
  };
}

/**
 * oidc-provider ships no type declarations: imported through a variable so tsc does not resolve it.
 * Its "Node.js 22 recommended" warning is expected here (the project targets Node 20) and muted.
 */
async function importProvider(): Promise<new (issuer: string, config: object) => any> {
  const specifier = 'oidc-provider';
  const warn = console.warn;
  console.warn = (...args: unknown[]) => {
    if (!String(args[0]).includes('Unsupported runtime')) warn(...args);
  };
  try {
    return ((await import(specifier)) as { default: new (issuer: string, config: object) => any }).default;
  } finally {
    console.warn = warn;
  }
}

/** In-memory storage for one provider (the built-in one is shared and warns on every start). */
function memoryAdapter() {
  const entries = new Map<string, { payload: Record<string, unknown>; expiresAt?: number }>();
  const byUid = new Map<string, string>();
  return class MemoryAdapter {
    constructor(private readonly model: string) {}
    private key(id: string) {
      return `${this.model}:${id}`;
    }
    async upsert(id: string, payload: Record<string, unknown>, expiresIn?: number) {
      entries.set(this.key(id), { payload, ...(expiresIn ? { expiresAt: Date.now() + expiresIn * 1000 } : {}) });
      if (typeof payload.uid === 'string') byUid.set(`${this.model}:${payload.uid}`, id);
    }
    async find(id: string) {
      const entry = entries.get(this.key(id));
      if (!entry || (entry.expiresAt && entry.expiresAt <= Date.now())) return undefined;
      return entry.payload;
    }
    async findByUid(uid: string) {
      const id = byUid.get(`${this.model}:${uid}`);
      return id ? this.find(id) : undefined;
    }
    async findByUserCode() {
      return undefined;
    }
    async consume(id: string) {
      const entry = entries.get(this.key(id));
      if (entry) entry.payload.consumed = Math.floor(Date.now() / 1000);
    }
    async destroy(id: string) {
      entries.delete(this.key(id));
    }
    async revokeByGrantId(grantId: string) {
      for (const [key, entry] of entries) if (entry.payload.grantId === grantId) entries.delete(key);
    }
  };
}

function redirectTarget(res: globalThis.Response, from: string): URL {
  const location = res.headers.get('location');
  if (res.status < 300 || res.status >= 400 || !location) {
    throw new Error(`redirection attendue depuis ${from}, reçu ${res.status}`);
  }
  return new URL(location, from);
}

/** A browser reduced to what sign-in needs: per-host cookies, redirects not followed. */
export class Browser {
  private readonly jar = new Map<string, Map<string, string>>();

  async fetch(url: string, init: RequestInit = {}): Promise<globalThis.Response> {
    const { host } = new URL(url);
    const cookies = this.jar.get(host) ?? new Map<string, string>();
    this.jar.set(host, cookies);
    const headers = new Headers(init.headers);
    if (cookies.size) headers.set('cookie', [...cookies].map(([k, v]) => `${k}=${v}`).join('; '));
    const res = await fetch(url, { ...init, headers, redirect: 'manual' });
    for (const line of res.headers.getSetCookie()) {
      const [pair, ...attributes] = line.split(';');
      const i = pair!.indexOf('=');
      const name = pair!.slice(0, i).trim();
      const value = pair!.slice(i + 1).trim();
      const expired = attributes.some((a) => /^\s*max-age=0\s*$/i.test(a) || (/^\s*expires=/i.test(a) && Date.parse(a.split('=')[1]!) <= Date.now()));
      if (expired || !value) cookies.delete(name);
      else cookies.set(name, value);
    }
    return res;
  }

  cookie(host: string, name: string): string | undefined {
    return this.jar.get(host)?.get(name);
  }
}
