import { expect } from 'chai';
import type { Page } from 'playwright-core';
import { assertNoPageErrors, checkA11y, describeBrowser, newPage, screenshot, signInAs } from './harness.ts';

const FHIR_REFERENCE = /\b(Appointment|HealthcareService|Composition|Task|Patient|CarePlan)\//;

/** The page's one error box: its words, no FHIR reference, the document's title, and « Réessayer » or not. */
async function expectOneErrorBox(page: Page, title: string, retry: boolean): Promise<void> {
  const box = page.getByTestId('error-message');
  await box.first().waitFor();
  expect(await box.count(), 'one error box').to.equal(1);
  const text = await box.innerText();
  expect(text).to.contain(title);
  expect(text).not.to.match(FHIR_REFERENCE);
  expect(text).not.to.contain('Opération inconnue');
  await page.waitForFunction((t) => document.title === `${t} — DCC`, title);
  expect(await box.getByRole('button', { name: 'Réessayer' }).count()).to.equal(retry ? 1 : 0);
}

/**
 * QA walkthrough: error pages named FHIR internals (« Séance de RCP Appointment/0000… introuvable »,
 * « Task/abc introuvable »), showed two boxes for one bad link, offered « Réessayer » under a 404
 * (a button that failed axe's colour contrast), and text fields showed focus by a 1 px border only.
 */
describeBrowser('Web client: error pages in the page\'s words, focus ring on text fields (Chromium)', () => {
  it('the 3C: an unknown session or board says so in French, one box, titled, no retry; a 503 offers a readable « Réessayer »', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'coordinator', '/coordination/seances/00000000-0000-0000-0000-000000000000');
      await expectOneErrorBox(page, 'Séance introuvable', false);
      await checkA11y(page, 'séance introuvable');
      await page.goto(page.url().replace(/\/coordination\/.*/, '/coordination/seances/00000000-0000-0000-0000-000000000000/reunion'));
      await expectOneErrorBox(page, 'Séance introuvable', false);
      // No link to the agenda of the session that is not there.
      expect(await page.getByRole('link', { name: 'Ordre du jour' }).count(), 'no « Ordre du jour » of a missing session').to.equal(0);
      await page.goto(page.url().replace(/\/coordination\/.*/, '/coordination/rcp/xyz'));
      await expectOneErrorBox(page, 'RCP introuvable', false);

      // The server down: a retry may mend it, and its button is readable.
      await page.route('**/api/rcp/sessions/*', (route) => route.fulfill({ status: 503, contentType: 'application/json', body: '{}' }));
      await page.goto(page.url().replace(/\/coordination\/.*/, '/coordination/seances/abc'));
      await page.getByTestId('error-message').getByRole('button', { name: 'Réessayer' }).waitFor();
      await checkA11y(page, 'séance, serveur indisponible');
      assertNoPageErrors(page);
    } catch (error) {
      await screenshot(page, 'erreurs-3c');
      throw error;
    } finally {
      await context.close();
    }
  });

  it('the hospital physician: an unknown case or sheet says so without its FHIR reference', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', '/hopital/dossiers/abc');
      await expectOneErrorBox(page, 'Dossier RCP introuvable', false);
      await page.goto(page.url().replace(/\/hopital\/.*/, '/hopital/fiches/abc'));
      await expectOneErrorBox(page, 'Fiche RCP introuvable', false);
      await checkA11y(page, 'fiche introuvable');
      // A malformed patient id names no record: the link is wrong, no emergency access to ask for.
      await page.goto(page.url().replace(/\/hopital\/.*/, '/hopital/patients/abc!'));
      await page.getByRole('alert').filter({ hasText: 'Lien invalide' }).waitFor();
      await page.waitForFunction(() => document.title === 'Lien invalide — DCC');
      expect(await page.getByRole('button', { name: 'Ouvrir le dossier en urgence' }).count()).to.equal(0);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('the GP: a patient link that leads nowhere gives one box, not two', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'gp', '/patients/%3Cscript%3E');
      await expectOneErrorBox(page, 'Patient introuvable', false);
      await checkA11y(page, 'patient introuvable');
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('a text field shows its focus by a ring of at least 2 px, not only a border colour', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'coordinator', '/coordination/rcp/nouvelle');
      const field = page.getByRole('textbox').first();
      await field.focus();
      const outline = await field.evaluate((el) => { const s = getComputedStyle(el); return { style: s.outlineStyle, width: parseFloat(s.outlineWidth) }; });
      expect(outline.style).not.to.equal('none');
      expect(outline.width).to.be.at.least(2);
    } finally {
      await context.close();
    }
  });
});
