/**
 * The V8 old-generation cap of an app process (issue 16: < 300 MB resident per app process under
 * load). Live memory is ~55 MB at 100,000 resources; without a cap, V8 sizes the heap from the
 * machine (4 GB here) and, at a high allocation rate, lets the old generation fill with garbage
 * before it collects: 400–500 MiB resident. Under a cap of 160 MB the same loads ran at the same
 * rate, and the largest requests the API accepts (transactions of 1,000 entries and 5 MB, several
 * at once; `$summary`; PDFs) completed (docs/scaling.md, « Memory per app process »).
 *
 * A heap limit can only be set when node starts, so `npm start` passes the flag (package.json:
 * `tsx --max-old-space-size=${DCC_HEAP_MB:-160} server/main.ts`); cluster workers inherit it. The
 * benches start the service with the same flag through `appHeapFlag`.
 */
export const DEFAULT_HEAP_MB = 160;

/** The node flag an app process starts with: DCC_HEAP_MB when set, else the default. */
export function appHeapFlag(env: NodeJS.ProcessEnv): string {
  return `--max-old-space-size=${env.DCC_HEAP_MB || DEFAULT_HEAP_MB}`;
}

/** What package.json's `start` script runs (a test holds the two equal). */
export const START_SCRIPT = `tsx --max-old-space-size=\${DCC_HEAP_MB:-${DEFAULT_HEAP_MB}} server/main.ts`;
