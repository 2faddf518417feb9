import path from 'node:path';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

const root = path.dirname(fileURLToPath(import.meta.url));

// The web client, served by the DCC's Express server from client/dist (server/web/serve.ts).
export default defineConfig({
  root,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.join(root, 'dist'),
    emptyOutDir: true,
    // server/web/build.ts reads it to report what the first page downloads.
    manifest: true,
    // No inline script or module-preload polyfill: the CSP allows scripts from 'self' only.
    modulePreload: { polyfill: false },
    assetsInlineLimit: 0,
    target: 'es2022',
    sourcemap: false,
    // One vendor chunk (React, Mantine, router, query) of ~500 kB, ~150 kB gzipped: npm run build checks the budget.
    chunkSizeWarningLimit: 800,
  },
  server: {
    // `npx vite client` for hot reload, the API on the DCC server (npm start) beside it.
    proxy: Object.fromEntries(['/fhir', '/api', '/auth', '/access', '/health'].map((p) => [p, 'http://127.0.0.1:8080'])),
  },
});
