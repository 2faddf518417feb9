import path from 'node:path';
import { closeTestServices, testServices } from './helpers/harness.ts';
import { closeBrowserWorld } from './browser/harness.ts';

/** Root hooks: the shared database of the run is started first and closed (its PostgreSQL schema dropped) at the end. */
export const mochaHooks = {
  async beforeAll(this: Mocha.Context) {
    // The run's database (migrations) starts here, with room for a loaded CI machine: otherwise the
    // first suite of the run (whichever it is) pays it inside its own 30 s. A browser-only run has
    // its own database (test/browser/harness.ts) and skips this.
    const suites = this.test?.parent?.suites ?? [];
    if (suites.length && suites.every((s) => s.file?.includes(`${path.sep}browser${path.sep}`))) return;
    this.timeout(300_000);
    await testServices();
  },
  async afterAll() {
    await closeBrowserWorld();
    await closeTestServices();
  },
};
