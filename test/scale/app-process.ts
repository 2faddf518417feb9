import { loadConfig } from '../../server/config.ts';
import { startDcc } from '../../server/start.ts';

/**
 * One app server in a process of its own, as `npm start` runs it on the environment it is given
 * (DATABASE_URL, PORT, SMTP_*, PSC_*…), without building the web client. Prints `ready <url>` once
 * it serves; closes (outbox worker stopped, connections released) on SIGTERM.
 */
const dcc = await startDcc(loadConfig(process.env), { buildClient: false });
await dcc.demoActivity; // its outbox worker starts once the demo data (if any) is written
console.log(`ready ${dcc.url}`);
process.on('SIGTERM', () => {
  void dcc.close().then(() => process.exit(0));
});
