import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { expect } from 'chai';
import { loadConfig, signInEnvironment } from '../../server/config.ts';

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
});
