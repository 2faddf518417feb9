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

  it('seeds signed colon- and rectal-cancer reports, a lung-cancer work-up sheet awaiting signature and an incomplete breast-cancer draft, once', async () => {
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
    expect(isSignedRcpSheet(colon)).to.equal(true);
    expect(isSignedRcpSheet(rectum)).to.equal(true);
    // Ménard's first-line RCP: its treatments are dated (they took place: the PPAC follows them).
    const rectumSheet = await loadRcpSheet(repo, ctx, rectum.id!);
    expect(rectumSheet.content.data.proposal?.treatments?.map((t) => t.start !== undefined)).to.deep.equal([true, true, true]);
    expect(isSignedRcpSheet(lung)).to.equal(false);
    const lungSheet = await loadRcpSheet(repo, ctx, lung.id!);
    expect(completenessOf(lungSheet.content, { stage: 'signature' }).filter((m) => m.severity === 'error')).to.deep.equal([]);
    expect(lungSheet.content.study?.title).to.contain('immunothérapie périopératoire');
    // The work-up RCP: exams, no treatment (the workflow's THX-001 decides it on their results).
    expect(lungSheet.content.data.proposal?.treatments ?? []).to.deep.equal([]);
    expect(lungSheet.content.data.proposal?.exams?.map((e) => e.description).join(' ')).to.contain('EBUS');
    const breastMissing = completenessOf((await loadRcpSheet(repo, ctx, breast.id!)).content).map((m) => m.item);
    expect(breastMissing).to.include.members(['presenter', 'meeting.registrationNumber', 'phase.phase']);
    const html = renderRcpSheetHtml((await loadRcpSheet(repo, ctx, colon.id!)).content);
    expect(html).to.contain('CASTELLANI').and.contain('C18.7').and.contain('Document signé électroniquement par Dr Sophie Lambert');
  });
});
