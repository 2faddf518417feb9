/**
 * Demo data: the regional data set, RCP boards and sessions, RCP sheets.
 * Other folders import this folder through this file only (test/architecture/import-rules.test.ts).
 */
export { buildDemoBundle } from './demo-data.ts';
export { seedDemoRcpSheets } from './demo-rcp-sheets.ts';
export { seedDemoRcp } from './demo-rcp.ts';
