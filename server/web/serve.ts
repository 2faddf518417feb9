import fs from 'node:fs';
import path from 'node:path';
import express, { type Router } from 'express';
import type { Config } from '../config.ts';
import { CLIENT_DIST } from './build.ts';

/** Paths of the API, never answered with the client's index.html (their own 401/404 apply). */
const API_PREFIXES = ['/fhir', '/api', '/auth', '/access', '/health'];

/**
 * The web client (client/dist, built by Vite): hashed assets under /assets cached for a year
 * (their name changes with their content), index.html never cached so a new version is picked up
 * at the next navigation, and every client route (/patients/…) answered with index.html.
 */
export function webClient(options: { distDir?: string } = {}): Router {
  const distDir = options.distDir ?? CLIENT_DIST;
  const indexFile = path.join(distDir, 'index.html');
  const router = express.Router();
  router.use('/assets', express.static(path.join(distDir, 'assets'), {
    index: false, fallthrough: false, immutable: true, maxAge: '365d',
  }));
  router.use(express.static(distDir, {
    index: false,
    // Files at the root (favicon…) are not hashed: revalidated, never immutable.
    setHeaders: (res) => res.set('Cache-Control', 'no-cache'),
  }));
  router.get(/.*/, (req, res, next) => {
    if (API_PREFIXES.some((p) => req.path === p || req.path.startsWith(`${p}/`))) return next();
    if (!req.accepts('html')) return next();
    if (!fs.existsSync(indexFile)) {
      res.status(503).type('text/plain; charset=utf-8').send("L'application web n'est pas construite : lancez npm run build (ou redémarrez avec npm start).");
      return;
    }
    res.set('Cache-Control', 'no-store').sendFile(indexFile);
  });
  return router;
}

/**
 * helmet's strict Content-Security-Policy, with only what the client needs changed:
 * - style-src keeps 'unsafe-inline' (Mantine writes its theme's CSS variables in a <style> element
 *   and sets style attributes) but drops `https:`: no style is loaded from elsewhere;
 * - font-src drops `https:` likewise (system fonts only);
 * - upgrade-insecure-requests only in production: the demo on plain HTTP from another machine
 *   (http://192.168.…:8080) would otherwise have its scripts rewritten to an https that does not exist.
 * Scripts stay 'self' only: Vite's build has no inline script.
 */
export function webContentSecurityPolicy(config: Pick<Config, 'production'>): Record<string, string[] | null> {
  return {
    'style-src': ["'self'", "'unsafe-inline'"],
    'font-src': ["'self'", 'data:'],
    'upgrade-insecure-requests': config.production ? [] : null,
  };
}
