/**
 * The web client: its build (vite) and how the server serves it.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { ensureClientBuilt } from './build.ts';
export { webClient, webContentSecurityPolicy } from './serve.ts';
