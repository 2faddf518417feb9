import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import type { Knex } from 'knex';

/**
 * Migrations are the `NNN-name.ts` files of this folder, run in name order. Discovered rather than
 * listed, so capabilities add their own migration without editing a shared list.
 */
const folder = path.dirname(fileURLToPath(import.meta.url));
const names = fs.readdirSync(folder).filter((f) => /^\d{3}-[a-z0-9-]+\.ts$/.test(f)).map((f) => f.replace(/\.ts$/, '')).sort();

export const migrationSource: Knex.MigrationSource<string> = {
  getMigrations: async () => names,
  getMigrationName: (name) => name,
  getMigration: async (name) => (await import(pathToFileURL(path.join(folder, `${name}.ts`)).href)) as Knex.Migration,
};
