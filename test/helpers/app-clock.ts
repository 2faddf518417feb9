/**
 * Runs `run` with the application's clock `offsetMs` off the database's (another host, a drifting
 * NTP): `new Date()` is moved, `Date.now` is not — PGlite, in this process, reads its own clock by
 * Date.now(), and PostgreSQL keeps the machine's. Code that still reads the app clock with
 * `new Date()` shows it; `Date.now()` is its own check (grep) and is not caught here.
 */
export async function withAppClockOff<T>(offsetMs: number, run: () => Promise<T>): Promise<T> {
  const RealDate = Date;
  class OffDate extends RealDate {
    constructor(...args: unknown[]) { super(...((args.length ? args : [RealDate.now() + offsetMs]) as [number])); }
  }
  globalThis.Date = OffDate as DateConstructor;
  try { return await run(); } finally { globalThis.Date = RealDate; }
}

/** The database's now(), in milliseconds. */
export async function databaseNow(db: { raw: (sql: string) => Promise<any> }): Promise<number> {
  const result = await db.raw('SELECT now() AS now');
  return new Date((result.rows ?? result)[0].now).getTime();
}
