import { expect } from 'chai';
import type { Composition } from '@medplum/fhirtypes';
import { RCP_SHEET_TYPE } from '../../server/rcp-sheet/index.ts';
import { writeTnmPastTheChecks } from '../rcp-sheet/fixtures.ts';
import { assertNoPageErrors, browserWorld, describeBrowser, newPage, signInAs } from './harness.ts';

/**
 * A draft sheet whose T was stored malformed before the notation was checked: the page shows it as
 * stored with the rule under the field (the signature refuses it), and the other items still save.
 */
describeBrowser('Web client: a draft RCP sheet holding a TNM stored malformed (Chromium)', () => {
  it('shows the stored value with its error under the field; another item still saves; the fix clears it', async () => {
    const { dcc } = await browserWorld();
    const system = dcc.services.store.system();
    const drafts = await system.searchAll<Composition>('Composition', { type: `${RCP_SHEET_TYPE.system}|${RCP_SHEET_TYPE.code}`, status: 'preliminary' });
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', '/');
      // A draft the demo physician may read (their patients' circle of care), with a TNM.
      let sheet: Composition | undefined;
      let stored: { diagnosis: { tnm: { t: string } }; summary: string } | undefined;
      for (const draft of drafts) {
        const read = await context.request.get(`${dcc.url}/fhir/Composition/${draft.id}/$rcp-sheet`);
        stored = read.status() === 200 ? (await read.json()).data : undefined;
        if (stored?.diagnosis?.tnm?.t && stored.summary) {
          sheet = draft;
          break;
        }
      }
      expect(sheet, 'a demo draft sheet with a TNM the physician reads').not.to.equal(undefined);
      await writeTnmPastTheChecks(system, sheet!.id!, { t: 'pT9z' });
      await page.goto(`${dcc.url}/hopital/fiches/${sheet!.id}`);
      const tField = page.getByLabel('T', { exact: true });
      await tField.waitFor().catch(async (error) => {
        throw new Error(`${error}\n${await page.locator('main').innerText().catch(() => '')}`);
      });
      expect(await tField.inputValue()).to.equal('pT9z');
      const tError = page.locator(`#${await tField.getAttribute('id')}-error`);
      expect(await tError.innerText()).to.match(/^T \(stade TNM\) : notation 'pT9z' non reconnue \(attendu : TX, T0, Tis/);

      // Another item is saved although the stored T is malformed.
      const saves = () => page.getByTestId('save-status').getAttribute('data-saves').then(Number);
      let before = await saves();
      const summary = page.getByLabel('Synthèse du cas présenté');
      await summary.fill(`${stored!.summary} Relu avant la séance.`);
      await page.waitForFunction((n) => {
        const el = document.querySelector('[data-testid="save-status"]');
        return el?.getAttribute('data-state') === 'saved' && Number(el.getAttribute('data-saves')) > n;
      }, before);
      expect(await tError.innerText()).to.match(/notation 'pT9z' non reconnue/);

      // Fixed (to the demo's value: the other browser tests share the demo data), the error goes.
      before = await saves();
      await summary.fill(stored!.summary);
      await tField.fill(stored!.diagnosis.tnm.t);
      await page.waitForFunction((n) => {
        const el = document.querySelector('[data-testid="save-status"]');
        return el?.getAttribute('data-state') === 'saved' && Number(el.getAttribute('data-saves')) > n;
      }, before);
      await tError.waitFor({ state: 'detached' });
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
