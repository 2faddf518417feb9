import type { Request } from 'express';
import { registerSharingEvents } from './delivery/index.ts';
import { GroupAppender } from './store/group-append.ts';
import type { Config } from './config.ts';
import type { Principal } from './context.ts';
import { systemContext } from './context.ts';
import { processBundle, validateForWrite } from './fhir/index.ts';
import { loadFhirDefinitions } from './fhir-kit/validation.ts';
import { buildDemoBundle } from './seed/index.ts';
import { migrateToLatest, openDatabase, type Database } from './store/database.ts';
import { Store } from './store/store.ts';
import { registerIdentityRules, registerIdentityVigilance } from './identity/index.ts';
import { registerCarePlanRules } from './care-plan/index.ts';
import { regionalDirectoryEntries } from './directories/index.ts';
import { registerClinicalDateRules } from './record/index.ts';
import { registerRcpSheetRules } from './rcp-sheet/index.ts';
import { registerRcpRules } from './rcp/index.ts';
import { loadDccProfiles } from './profiles/index.ts';
import { SessionStore } from './store/session-store.ts';
import { Directory, SessionManager } from './auth/index.ts';
import { AccessControl } from './access/index.ts';
import { AccessStore } from './store/access-store.ts';

export interface Services {
  db: Database;
  store: Store;
  sessionStore: SessionStore;
  sessions: SessionManager;
  directory: Directory;
  accessStore: AccessStore;
}

/** Domain invariants every write must respect, whoever the writer (see WriteRule). */
function registerCapabilityRules(store: Store): void {
  registerIdentityRules(store);
  registerIdentityVigilance(store);
  registerClinicalDateRules(store);
  registerCarePlanRules(store);
  registerRcpSheetRules(store);
  registerRcpRules(store);
  registerSharingEvents(store);
}

/**
 * Opens the database, brings its schema up to date (migrations on their own connection, without the
 * request statement timeout) and builds the store with its access control and domain rules, the
 * sessions and the directory. No HTTP here: the app and the tests assemble on top of it.
 */
export async function startServices(config: Config, options: { schema?: string } = {}): Promise<Services> {
  loadFhirDefinitions();
  loadDccProfiles(); // compiled once at start-up rather than on the first write
  const db = openDatabase({
    databaseUrl: config.databaseUrl,
    dataDir: config.databaseUrl ? undefined : config.dataDir === ':memory:' ? undefined : `${config.dataDir}/pglite`,
    schema: options.schema,
    statementTimeoutMs: config.statementTimeoutMs,
    poolMax: config.databasePoolMax,
  });
  // Migrations on a large database may outlast the statement timeout of requests: their own connection, without it.
  const migrator = config.databaseUrl && config.statementTimeoutMs ? openDatabase({ databaseUrl: config.databaseUrl, schema: options.schema, poolMax: 1 }) : db;
  try {
    await migrateToLatest(migrator);
  } finally {
    if (migrator !== db) await migrator.destroy();
  }
  const accessStore = new AccessStore(db);
  const accessControl = new AccessControl(accessStore, new GroupAppender(db));
  const store = new Store(db, validateForWrite, (ctx) => accessControl.optionsFor(ctx));
  registerCapabilityRules(store);
  const sessionStore = new SessionStore(db);
  const sessions = new SessionManager(sessionStore, {
    idleMs: config.sessionIdleMinutes * 60_000,
    absoluteMs: config.sessionMaxHours * 3_600_000,
    secureCookies: config.production,
  });
  return { db, store, sessionStore, sessions, directory: new Directory(store), accessStore };
}

/** Loads the demo data set, its clinical dates moved to `now`; conditional creates make it a no-op when already there. */
export async function seedDemoData(store: Store, options: { now?: Date } = {}): Promise<number> {
  // The demo directory, patients and records, plus the regional directory of labelled supportive-care structures.
  const bundle = buildDemoBundle(options);
  bundle.entry = [...(bundle.entry ?? []), ...regionalDirectoryEntries()];
  const response = await processBundle(store.system(), systemContext(), bundle, { defaultCount: 20, maxCount: 200, strict: true });
  return (response.entry ?? []).filter((e) => e.response?.status?.startsWith('201')).length;
}

export type Identify = (req: Request) => Principal | undefined | Promise<Principal | undefined>;
