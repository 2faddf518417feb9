import { loadConfig } from '../../server/config.ts';
import { startDcc } from '../../server/start.ts';

/**
 * A DCC server in a child process for the start-up tests (lock of the data folder, kill -9): like
 * `npm start` on DCC_DATA_DIR, on an ephemeral port, without building the web client; prints
 * `ready <url>` once it serves.
 */
const config = { ...loadConfig({ ...process.env, NODE_ENV: 'test' }), port: 0 };
const dcc = await startDcc(config, { buildClient: false });
// Ready once the demo activity is written, so a kill -9 never lands in the middle of the seed.
await dcc.demoActivity;
console.log(`ready ${dcc.url}`);
