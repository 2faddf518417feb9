import { closeTestServices } from './helpers/harness.ts';
import { closeBrowserWorld } from './browser/harness.ts';

/** Root hooks: the shared database of the run is closed (and its PostgreSQL schema dropped) at the end. */
export const mochaHooks = {
  async afterAll() {
    await closeBrowserWorld();
    await closeTestServices();
  },
};
