import { createHash } from 'node:crypto';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import zlib from 'node:zlib';
import type pino from 'pino';

export const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../..');
export const CLIENT_DIR = path.join(ROOT, 'client');
export const CLIENT_DIST = path.join(CLIENT_DIR, 'dist');
/** Written last by a successful build: the hash of the sources it was built from. */
const STAMP = path.join(CLIENT_DIST, '.source-hash');

/**
 * The hash of what the client is built from: its sources and configuration, and the lock file
 * (a dependency upgrade rebuilds). Content, not mtimes: a fresh clone or a checkout is judged right.
 */
export function clientSourceHash(): string {
  const hash = createHash('sha256');
  const files: string[] = [];
  const walk = (dir: string) => {
    for (const entry of fs.readdirSync(dir, { withFileTypes: true }).sort((a, b) => a.name.localeCompare(b.name))) {
      const full = path.join(dir, entry.name);
      if (entry.isDirectory()) {
        if (entry.name !== 'dist' && entry.name !== 'node_modules') walk(full);
      } else if (!entry.name.endsWith('.md')) {
        files.push(full);
      }
    }
  };
  walk(CLIENT_DIR);
  files.push(path.join(ROOT, 'package-lock.json'));
  for (const file of files) {
    if (!fs.existsSync(file)) continue;
    hash.update(path.relative(ROOT, file)).update('\0').update(fs.readFileSync(file)).update('\0');
  }
  return hash.digest('hex');
}

export function clientIsStale(): boolean {
  try {
    return fs.readFileSync(STAMP, 'utf8').trim() !== clientSourceHash();
  } catch {
    return true;
  }
}

/** Builds client/ into client/dist with Vite (production mode), then stamps it. */
export async function buildClient(): Promise<void> {
  const sourceHash = clientSourceHash();
  let vite: typeof import('vite');
  try {
    vite = await import('vite');
  } catch {
    throw new Error("Vite est absent (dépendances installées sans lui ?) : l'application web ne peut pas être construite — lancez npm install");
  }
  await vite.build({ configFile: path.join(CLIENT_DIR, 'vite.config.ts'), logLevel: 'warn', mode: 'production' });
  fs.writeFileSync(STAMP, `${sourceHash}\n`);
}

/** `npm start`: rebuilds the client when its sources changed since the last build (no third command). */
export async function ensureClientBuilt(options: { logger?: pino.Logger } = {}): Promise<boolean> {
  if (!fs.existsSync(CLIENT_DIR)) return false;
  if (!clientIsStale()) return false;
  options.logger?.info("construction de l'application web (client/ a changé depuis la dernière construction)…");
  const started = Date.now();
  await buildClient();
  options.logger?.info({ ms: Date.now() - started }, 'application web construite (client/dist)');
  return true;
}

interface ManifestChunk { file: string; imports?: string[]; css?: string[]; isEntry?: boolean; dynamicImports?: string[] }

/**
 * What a browser downloads for a page: the entry chunk, the route's lazy chunk(s) and every chunk
 * they import statically, with their gzipped sizes (Vite's manifest says the graph).
 */
export function firstPageSize(routeModules: string[]): { js: number; jsGzip: number; css: number; cssGzip: number; files: string[] } {
  const manifest = JSON.parse(fs.readFileSync(path.join(CLIENT_DIST, '.vite', 'manifest.json'), 'utf8')) as Record<string, ManifestChunk>;
  const keys = new Set<string>();
  const visit = (key: string) => {
    if (keys.has(key) || !manifest[key]) return;
    keys.add(key);
    for (const imported of manifest[key]!.imports ?? []) visit(imported);
  };
  for (const [key, chunk] of Object.entries(manifest)) if (chunk.isEntry) visit(key);
  for (const module of routeModules) {
    if (!manifest[module]) throw new Error(`${module} : absent du manifeste de construction (route renommée ?)`);
    visit(module);
  }
  const js = [...keys].map((k) => manifest[k]!.file);
  const css = [...new Set([...keys].flatMap((k) => manifest[k]!.css ?? []))];
  const size = (files: string[], gz: boolean) => files.reduce((sum, f) => {
    const content = fs.readFileSync(path.join(CLIENT_DIST, f));
    return sum + (gz ? zlib.gzipSync(content, { level: 9 }).length : content.length);
  }, 0);
  return { js: size(js, false), jsGzip: size(js, true), css: size(css, false), cssGzip: size(css, true), files: [...js, ...css] };
}
