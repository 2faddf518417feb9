import { expect } from 'chai';
import { assertNoPageErrors, checkA11y, describeBrowser, newPage, screenshot, signInAs } from './harness.ts';

/** QA walkthrough: the 3C opened 19 sessions to find 3 pending requests; its home lists them. */
describeBrowser('Web client: the 3C home lists the pending registration requests (Chromium)', () => {
  it('« Demandes en attente »: patient, requester, board, session, date of request, and a link to the session that answers it', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'coordinator', '/coordination');
      const section = page.getByTestId('pending-requests');
      await section.getByRole('heading', { name: /^Demandes en attente \(\d+\)$/ }).waitFor();
      const rows = section.getByRole('row');
      expect(await rows.count(), 'the demo has pending requests').to.be.greaterThan(1);
      const first = rows.nth(1);
      expect(await first.getByRole('cell').count()).to.equal(6);
      await first.getByRole('link', { name: /^Examiner la demande pour / }).click();
      await page.waitForURL(/\/coordination\/seances\/[^/]+$/);
      await page.getByRole('heading', { level: 1, name: /^Séance du / }).waitFor();
      await page.goBack();
      await section.waitFor();
      await checkA11y(page, 'accueil 3C, demandes en attente');
      assertNoPageErrors(page);
    } catch (error) {
      await screenshot(page, 'demandes-en-attente');
      throw error;
    } finally {
      await context.close();
    }
  });
});
