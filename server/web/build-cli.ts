import { buildClient, clientIsStale, firstPageSize } from './build.ts';

// `npm run build`: builds the web client and reports what a GP downloads for the first page.
// `--if-stale` (the install's prepare script): builds only when the sources changed.
const ifStale = process.argv.includes('--if-stale');
/** The GP's first page after sign-in ("Mes patients"), and the sign-in page itself. */
const FIRST_PAGES: Record<string, string[]> = {
  'connexion (/connexion)': ['src/pages/sign-in/SignInPage.tsx'],
  'médecin généraliste, « Mes patients » (/)': ['src/pages/city/MyPatientsPage.tsx'],
};
const BUDGET_GZIP = 250 * 1024;

try {
  if (ifStale && !clientIsStale()) {
    console.log('application web déjà construite et à jour (client/dist)');
  } else {
    const started = Date.now();
    await buildClient();
    console.log(`application web construite dans client/dist en ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  let over = false;
  for (const [page, modules] of Object.entries(FIRST_PAGES)) {
    const size = firstPageSize(modules);
    over ||= size.jsGzip > BUDGET_GZIP;
    console.log(`première page ${page} : JavaScript ${kb(size.js)} (${kb(size.jsGzip)} gzip), CSS ${kb(size.css)} (${kb(size.cssGzip)} gzip)`);
  }
  if (over) {
    console.error(`au-delà du budget de ${kb(BUDGET_GZIP)} gzip pour le JavaScript de la première page`);
    process.exitCode = 1;
  }
} catch (error) {
  console.error(`construction de l'application web impossible : ${error instanceof Error ? error.message : String(error)}`);
  process.exitCode = 1;
}

function kb(bytes: number): string {
  return `${(bytes / 1024).toFixed(1)} Ko`;
}
