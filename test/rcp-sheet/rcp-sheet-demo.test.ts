import { expect } from 'chai';
import type { Composition } from '@medplum/fhirtypes';
import { seedDemoData, startServices, type Services } from '../../server/bootstrap.ts';
import { systemContext } from '../../server/context.ts';
import { parseSearchRequest } from '../../server/fhir-kit/search-request.ts';
import { completenessOf } from '../../server/rcp-sheet/completeness.ts';
import { seedDemoRcpSheets } from '../../server/seed/demo-rcp-sheets.ts';
import { loadRcpSheet } from '../../server/rcp-sheet/load.ts';
import { isSignedRcpSheet } from '../../server/rcp-sheet/read.ts';
import { renderRcpSheetHtml } from '../../server/rcp-sheet/render.ts';
import { openDatabase } from '../../server/store/database.ts';
import { testConfig } from '../helpers/harness.ts';

/**
 * The demo data set lives in its own database here: the demo patients' sheets must not show up in
 * other suites (indicators, demo RCP activity) that share the test database.
 */
describe('RCP sheet: demo data', function () {
  this.timeout(300_000);
  const config = testConfig();
  const schema = `dcc_test_${process.pid}_rcp_sheet_demo`;
  let services: Services;
  before(async () => {
    if (config.databaseUrl) {
      const admin = openDatabase({ databaseUrl: config.databaseUrl });
      await admin.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
      await admin.raw(`CREATE SCHEMA ${schema}`);
      await admin.destroy();
    }
    services = await startServices(config, { schema: config.databaseUrl ? schema : undefined });
  });
  after(async () => {
    if (config.databaseUrl) await services.db.raw(`DROP SCHEMA IF EXISTS ${schema} CASCADE`);
    await services.db.destroy();
  });

  it('seeds the sheets prepared before their session — colon, rectum and lung first RCPs ready for it, an incomplete breast-cancer draft — once', async () => {
    const { store } = services;
    await seedDemoData(store);
    expect(await seedDemoRcpSheets(store)).to.equal(4);
    expect(await seedDemoRcpSheets(store)).to.equal(0);

    const repo = store.system();
    const ctx = systemContext();
    const { request } = parseSearchRequest('Composition', new URLSearchParams({ type: 'http://loinc.org|34794-8', _count: '200' }), { defaultCount: 200, maxCount: 200 }, true);
    const sheets = (await repo.search<Composition>(request)).resources;
    const familyOf = new Map<string, string | undefined>();
    for (const c of sheets) familyOf.set(c.id!, (await loadRcpSheet(repo, ctx, c.id!)).content.patient?.name?.[0]?.family);
    const byTitle = (words: string, family?: string) => sheets.find((c) => c.title?.includes(words) && (!family || familyOf.get(c.id!) === family) && c.extension?.some((e) => e.url.endsWith('dcc-rcp-meeting') && e.extension?.some((x) => x.valueReference?.identifier?.value?.startsWith('9301140'))));
    const colon = byTitle('RCP digestive', 'Castellani')!;
    const rectum = byTitle('RCP digestive', 'Ménard')!;
    const lung = byTitle('RCP thoracique')!;
    const breast = byTitle('RCP sénologie')!;
    // Drafts: the RCP decides and signs them at a session of its board (server/seed/demo-rcp.ts).
    for (const sheet of [colon, rectum, lung, breast]) expect(isSignedRcpSheet(sheet), sheet.title).to.equal(false);
    for (const sheet of [colon, rectum, lung]) {
      const { content } = await loadRcpSheet(repo, ctx, sheet.id!);
      // Complete for the session but for what its registration gives (the number in the session's agenda).
      expect(completenessOf(content, { stage: 'session' }).filter((m) => m.severity === 'error').map((m) => m.item), sheet.title).to.deep.equal(['meeting.registrationNumber']);
      expect(content.data.proposal?.treatments ?? [], 'the proposal is the RCP\'s').to.deep.equal([]);
    }
    const breastMissing = completenessOf((await loadRcpSheet(repo, ctx, breast.id!)).content).map((m) => m.item);
    expect(breastMissing).to.include.members(['presenter', 'meeting.registrationNumber', 'phase.phase']);
    const html = renderRcpSheetHtml((await loadRcpSheet(repo, ctx, colon.id!)).content);
    expect(html).to.contain('CASTELLANI').and.contain('C18.7').and.contain('Coloscopie');
  });
});
