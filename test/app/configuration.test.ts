import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { execFileSync } from 'node:child_process';
import { loadConfig, signInEnvironment } from '../../server/config.ts';
import { appHeapFlag, DEFAULT_HEAP_MB, START_SCRIPT } from '../../server/heap.ts';

const serverDir = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '../../server');

function sourcesUnder(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const full = path.join(dir, entry.name);
    if (entry.isDirectory()) return sourcesUnder(full);
    return /\.tsx?$/.test(entry.name) ? [full] : [];
  });
}

describe('Configuration: read in one place', () => {
  it('reads the environment only in server/config.ts', () => {
    const readers = sourcesUnder(serverDir)
      .filter((file) => path.relative(serverDir, file) !== 'config.ts')
      .filter((file) => /process\.env\b/.test(readFileSync(file, 'utf8')))
      .map((file) => path.relative(serverDir, file));
    expect(readers).to.deep.equal([]);
  });

  it('gives the demo mails the demo 3C line (DEMO_3C_PHONE), never a production one', () => {
    expect(loadConfig({ DCC_SEED_DEMO: 'true' }).sender.phone).to.equal('04 65 71 10 50');
    expect(loadConfig({ DCC_SEED_DEMO: 'true', DEMO_3C_PHONE: '04 91 00 00 00' }).sender.phone).to.equal('04 91 00 00 00');
    expect(loadConfig({ DCC_SEED_DEMO: 'true', DCC_SENDER_PHONE: '04 13 00 00 00' }).sender.phone).to.equal('04 13 00 00 00');
    expect(loadConfig({ NODE_ENV: 'production' }).sender.phone).to.equal(undefined);
  });

  it('reads the CDA settings with the rest, and hands the sign-in methods only their own variables', () => {
    const config = loadConfig({ CDA_OID_ROOT: '1.2.250.1.999.77', CDA_CUSTODIAN_NAME: '3C du CHU de démonstration' });
    expect(config.cda.oidRoot).to.equal('1.2.250.1.999.77');
    expect(config.cda.custodian.name).to.equal('3C du CHU de démonstration');
    expect(signInEnvironment({ PSC_ISSUER: 'https://psc.example', SAML_SP_ENTITY_ID: 'dcc', NODE_ENV: 'test', DATABASE_URL: 'postgres://secret@db/dcc' }))
      .to.deep.equal({ PSC_ISSUER: 'https://psc.example', SAML_SP_ENTITY_ID: 'dcc', NODE_ENV: 'test' });
  });

  it('sizes the PostgreSQL pool from DCC_DATABASE_POOL (10 by default), and the database opens with it', async () => {
    expect(loadConfig({}).databasePoolMax).to.equal(10);
    expect(loadConfig({ DCC_DATABASE_POOL: '2' }).databasePoolMax).to.equal(2);
    const { openDatabase } = await import('../../server/store/database.ts');
    const db = openDatabase({ databaseUrl: 'postgres://nobody@127.0.0.1:1/none', poolMax: loadConfig({ DCC_DATABASE_POOL: '3' }).databasePoolMax });
    try {
      expect((db.client as unknown as { pool: { max: number } }).pool.max).to.equal(3);
    } finally {
      await db.destroy();
    }
  });

  it('starts each app process with a capped old generation (npm start: 160 MB, DCC_HEAP_MB to change it)', function () {
    this.timeout(60_000);
    const projectRoot = path.resolve(serverDir, '..');
    const packageJson = JSON.parse(readFileSync(path.join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> };
    expect(packageJson.scripts.start).to.equal(START_SCRIPT);
    // The script itself, through the shell npm uses, on a probe instead of the service: the heap
    // limit node reports is the cap plus the young generation (a few tens of MB), far from the
    // machine-sized default (2 GB or more).
    const probe = "import v8 from 'node:v8'; console.log(Math.round(v8.getHeapStatistics().heap_size_limit / 1048576));";
    const heapLimitMb = (env: NodeJS.ProcessEnv) => Number(execFileSync('sh', ['-c', START_SCRIPT.replace('server/main.ts', '-e "$PROBE"')], {
      cwd: projectRoot, env: { ...env, PATH: `${path.join(projectRoot, 'node_modules/.bin')}:${env.PATH}`, PROBE: probe }, encoding: 'utf8',
    }).trim());
    const { DCC_HEAP_MB: _ignored, ...environment } = process.env;
    const byDefault = heapLimitMb(environment);
    expect(byDefault).to.be.within(DEFAULT_HEAP_MB, DEFAULT_HEAP_MB + 100);
    expect(heapLimitMb({ ...environment, DCC_HEAP_MB: '400' })).to.be.within(400, 500);
    expect(appHeapFlag({})).to.equal(`--max-old-space-size=${DEFAULT_HEAP_MB}`);
    expect(appHeapFlag({ DCC_HEAP_MB: '400' })).to.equal('--max-old-space-size=400');
  });
});
