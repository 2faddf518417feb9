import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import axe from 'axe-core';
import type { Browser, BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { ROLE_LABELS } from '../../server/access/index.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { openDatabase } from '../../server/store/database.ts';
import { startDcc, type RunningDcc } from '../../server/start.ts';

/**
 * The browser tests' world, shared by every file of test/browser (seeding is slow): ONE real DCC
 * started as `npm start` starts it (startDcc), on its own database (a PGlite temp folder, or a
 * PostgreSQL schema when DATABASE_URL is set) with the demo data seeded once, and ONE headless
 * Debian Chromium; each test opens its own context (cookies, certificates) and closes it.
 */

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOTS = path.resolve('test-results/screenshots');
const SCHEMA = `dcc_browser_${process.pid}`;

let world: Promise<{ dcc: RunningDcc; browser: Browser; dataDir: string }> | undefined;

/** Can the browser tests run here? CI must have Chromium (.ci/run installs it); elsewhere they skip loudly. */
export function chromiumMissing(): string | undefined {
  if (fs.existsSync(CHROMIUM)) return undefined;
  const message = `Chromium absent (${CHROMIUM}) : tests navigateur IGNORÉS — installez-le (apt-get install -y chromium)`;
  if (process.env.CI === 'true') throw new Error(message);
  console.warn(`\n  ⚠⚠⚠ ${message} ⚠⚠⚠\n`);
  return message;
}

/** The shared server and browser (started on first use, closed by the root hook in test/setup.ts). */
export async function browserWorld(): Promise<{ dcc: RunningDcc; browser: Browser; dataDir: string }> {
  world ??= (async () => {
    const dataDir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-browser-'));
    const base = loadConfig({ ...process.env, NODE_ENV: 'test' });
    const config: Config = {
      ...base,
      dataDir, host: '127.0.0.1', port: 0, tlsPort: 0,
      seedDemo: true, demoPki: true, demoSignIn: true,
      tlsCertFile: undefined, tlsKeyFile: undefined, cpsCaFile: undefined, cpsPublicUrl: undefined, baseUrl: undefined,
      signInRateLimit: 10_000,
      // The mails' links are followed by a test: the demo mailbox and the outbox worker run.
      mail: undefined, demoMailboxPort: 0, deliveryWorker: true, deliveryIntervalMs: 1000,
    };
    if (config.databaseUrl) {
      const admin = openDatabase({ databaseUrl: config.databaseUrl });
      await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
      await admin.raw(`CREATE SCHEMA ${SCHEMA}`);
      await admin.destroy();
    }
    const { chromium } = await import('playwright-core');
    const [dcc, browser] = await Promise.all([
      startDcc(config, { ...(config.databaseUrl ? { schema: SCHEMA } : {}), env: {} }),
      chromium.launch({
        executablePath: CHROMIUM,
        args: ['--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
      }),
    ]);
    // The tests read the demo history (RCP sessions, signed reports, PPS): wait until it is written.
    await dcc.demoActivity;
    return { dcc, browser, dataDir };
  })();
  return world;
}

export async function closeBrowserWorld(): Promise<void> {
  if (!world) return;
  const w = world;
  world = undefined;
  const { dcc, browser, dataDir } = await w;
  await browser.close();
  await dcc.close();
  if (dcc.config.databaseUrl) {
    const admin = openDatabase({ databaseUrl: dcc.config.databaseUrl });
    await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.destroy();
  }
  fs.rmSync(dataDir, { recursive: true, force: true });
}

/** A fresh context (own cookies) on the plain-HTTP port; phone: 360 px wide. */
export async function newPage(options: { phone?: boolean; context?: BrowserContextOptions } = {}): Promise<{ page: Page; context: BrowserContext; url: string }> {
  const { dcc, browser } = await browserWorld();
  const context = await browser.newContext({
    locale: 'fr-FR', timezoneId: 'Europe/Paris',
    ...(options.phone ? { viewport: { width: 360, height: 740 }, isMobile: true, hasTouch: true } : { viewport: { width: 1280, height: 900 } }),
    ...options.context,
  });
  // Each action or wait: 30 s. On a loaded machine (load 28 on 2 cores) a Mantine modal's click alone took
  // over 15 s; a passing test does not wait longer for it, a broken one fails a little later.
  context.setDefaultTimeout(30_000);
  const page = await context.newPage();
  trackPageErrors(page);
  return { page, context, url: dcc.url };
}

/** The demo professionals by role on the sign-in page (fieldset legends): the roles' shared words. */
export const DEMO_ROLE_LEGENDS: Record<DemoRole, string> = ROLE_LABELS;
export type DemoRole = Exclude<keyof typeof ROLE_LABELS, 'system'>;

/**
 * Signs in through the "Connexion de démonstration" (a real session) as the first demo
 * professional of the role, from `path` (the page asked for: the sign-in page comes first, then back).
 */
export async function signInAs(page: Page, role: DemoRole, path = '/'): Promise<void> {
  const { dcc } = await browserWorld();
  await page.goto(`${dcc.url}${path}`);
  await page.waitForURL(/\/connexion/);
  await page.locator(`fieldset[data-role="${role}"]`).getByRole('button').first().click();
  await page.waitForURL((url) => !url.pathname.startsWith('/connexion'));
  await page.getByTestId('current-user').waitFor();
}

/**
 * A context that signs in with a demo CPS card over mutual TLS (Playwright's clientCertificates):
 * `card` is the start of the demo certificate's file name, e.g. 'medecin-generaliste', 'infirmier', 'pharmacien'.
 */
export async function newCpsPage(card: string, options: { phone?: boolean } = {}): Promise<{ page: Page; context: BrowserContext; url: string }> {
  const { dcc } = await browserWorld();
  if (!dcc.tlsUrl || !dcc.pki) throw new Error('TLS mutuel non démarré');
  const file = fs.readdirSync(dcc.pki.folder).find((f) => f.startsWith(card) && f.endsWith('.crt'));
  if (!file) throw new Error(`pas de carte de démonstration ${card}* dans ${dcc.pki.folder}`);
  const { page, context } = await newPage({
    ...options,
    context: {
      ignoreHTTPSErrors: true, // the demo CA is not in Chromium's store
      clientCertificates: [{ origin: dcc.tlsUrl, certPath: path.join(dcc.pki.folder, file), keyPath: path.join(dcc.pki.folder, file.replace(/\.crt$/, '.key')) }],
    },
  });
  return { page, context, url: dcc.tlsUrl };
}

/**
 * axe-core in the page (WCAG 2.1 A/AA rules): fails on any serious or critical violation, with
 * what and where. The CSP stays on: axe is evaluated through the DevTools protocol, not a <script>.
 */
export async function checkA11y(page: Page, label = page.url()): Promise<void> {
  // Transitions end first (a dialog fading in): axe measures the colours on screen, and a
  // half-transparent button fails the contrast rule (seen once in a loaded full run).
  await page.waitForFunction(
    () => document.getAnimations().every((a) => a.playState !== 'running' || a.effect?.getComputedTiming().iterations === Infinity),
    undefined, { timeout: 5_000 },
  ).catch(() => undefined); // a transition still running after 5 s is axe's to judge
  await page.evaluate(axe.source);
  const result = await page.evaluate(async () => {
    const run = (window as unknown as { axe: typeof axe }).axe.run;
    return run(document, { runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa'] }, resultTypes: ['violations'] });
  });
  const blocking = result.violations.filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (blocking.length) {
    const lines = blocking.map((v) => `- [${v.impact}] ${v.id}: ${v.help}\n    ${v.nodes.slice(0, 3).map((n) => n.target.join(' ')).join('\n    ')}`);
    throw new Error(`Accessibilité (${label}) : ${blocking.length} violation(s) grave(s)\n${lines.join('\n')}`);
  }
}

/** A full-page screenshot in test-results/screenshots/<name>.png (git-ignored). */
export async function screenshot(page: Page, name: string): Promise<string> {
  fs.mkdirSync(SCREENSHOTS, { recursive: true });
  const file = path.join(SCREENSHOTS, `${name}.png`);
  await page.screenshot({ path: file, fullPage: true });
  return file;
}

/** Uncaught page errors fail the test that caused them (a blank page is a bug, not a flake). */
const pageErrors = new WeakMap<Page, Error[]>();
function trackPageErrors(page: Page): void {
  const errors: Error[] = [];
  pageErrors.set(page, errors);
  page.on('pageerror', (error) => errors.push(error));
}

export function assertNoPageErrors(page: Page): void {
  const errors = pageErrors.get(page) ?? [];
  if (errors.length) throw new Error(`Erreur(s) JavaScript dans la page : ${errors.map((e) => e.message).join(' | ')}`);
}

/**
 * describe() for a browser test file: skipped (loudly) without Chromium outside CI, the shared
 * world started in before() (the first file pays the seeding), one timeout for slow machines.
 */
export function describeBrowser(title: string, body: () => void): void {
  describe(title, function () {
    this.timeout(300_000); // a long path (the hospital's first test) took 82 s on a loaded machine
    before(async function () {
      this.timeout(600_000); // first file: build the client if stale, seed the demo data
      if (chromiumMissing()) this.skip();
      await browserWorld();
    });
    body();
  });
}

/**
 * Badges whose words are cut (an ellipsis, or text wider than the badge): "À VE…" and "INS…" were
 * seen in squeezed table columns. Checks the page as laid out at its current viewport.
 */
export async function assertNoClippedBadges(page: Page, label: string): Promise<void> {
  const clipped = await page.evaluate(() => [...document.querySelectorAll<HTMLElement>('.mantine-Badge-root')]
    .filter((b) => b.offsetParent !== null)
    .filter((b) => {
      const text = b.querySelector<HTMLElement>('.mantine-Badge-label') ?? b;
      return text.scrollWidth > text.clientWidth + 1 || b.scrollWidth > b.clientWidth + 1 || getComputedStyle(text).textOverflow === 'ellipsis';
    })
    .map((b) => b.innerText));
  if (clipped.length) throw new Error(`Badges coupés (${label}) : ${clipped.join(' | ')}`);
}
