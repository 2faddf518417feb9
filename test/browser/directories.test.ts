import fs from 'node:fs';
import type { Bundle, HealthcareService } from '@medplum/fhirtypes';
import { expect } from 'chai';
import { assertNoPageErrors, checkA11y, describeBrowser, newPage, screenshot, signInAs } from './harness.ts';

describeBrowser('Web client: the regional directories (Chromium)', () => {
  it('the 3C searches the open trials by cancer site, adds a trial and closes its inclusions', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'coordinator', '/annuaires');
      await page.getByRole('heading', { level: 1, name: 'Annuaires régionaux' }).waitFor();
      await page.getByTestId('trials-total').waitFor();
      await page.getByLabel('Localisation (CIM-10)').fill('C18.7');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      const colon = page.getByTestId('trial').filter({ hasText: 'NCT09900102' });
      await colon.waitFor();
      await page.waitForFunction(() => [...document.querySelectorAll('[data-testid=trial]')].every((t) => /C18/.test(t.textContent ?? '')));
      expect(await colon.innerText()).to.contain('04 65 71 74 02');
      await checkA11y(page, 'annuaire des essais');
      await screenshot(page, 'annuaire-essais');

      const registry = `NCT0990${String(Date.now()).slice(-4)}`;
      const form = page.getByTestId('new-trial');
      await form.getByLabel('N° d’enregistrement (NCT ou EU CT)').fill(registry);
      await form.getByLabel('Titre').fill('COLO-TEST : essai de démonstration du test navigateur');
      await form.getByLabel('Localisations ciblées (CIM-10)').fill('C18');
      await form.getByLabel('Contact', { exact: true }).fill('Attachée de recherche clinique');
      await form.getByRole('button', { name: 'Ajouter' }).click();
      const added = page.getByTestId('trial').filter({ hasText: registry });
      await added.waitFor();

      // Corrected in place: the title and the contact's phone change, the registry number stays.
      await added.getByRole('button', { name: `Modifier ${registry}` }).click();
      const edit = added.getByTestId('edit-trial');
      await edit.getByLabel('Titre').fill('COLO-TEST : titre corrigé');
      await edit.getByLabel('Téléphone du contact').fill('04 65 71 74 99');
      await checkA11y(page, 'modification d’un essai');
      await edit.getByRole('button', { name: 'Enregistrer' }).click();
      await edit.waitFor({ state: 'detached' });
      await added.getByText('COLO-TEST : titre corrigé').waitFor();
      expect(await added.innerText()).to.contain('04 65 71 74 99');

      // A cancer site that is not a code: said in the form's words; gone when the next search runs;
      // no match: said, with how to widen the search (it read only « 0 essai(s) »).
      await page.getByLabel('Localisation (CIM-10)').fill('sein');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      const wrongSite = page.getByText(/Localisation \(CIM-10\) : « sein »/);
      await wrongSite.waitFor();
      expect(await page.locator('main').innerText()).not.to.contain('cancerSite');
      await page.getByLabel('Localisation (CIM-10)').fill('C96.9');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await wrongSite.waitFor({ state: 'detached' });
      await page.getByTestId('trials-total').getByText(/Aucun essai ne correspond à ces critères\. Élargissez la recherche/).waitFor();
      await page.getByLabel('Localisation (CIM-10)').fill('');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await page.getByTestId('trials-total').getByText(/^\d+ essais?$/).waitFor();

      await added.getByRole('button', { name: `Clore les inclusions de ${registry}` }).click();
      await added.waitFor({ state: 'detached' }); // no longer among the recruiting trials
      await page.getByLabel('Statut').selectOption('closed');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await page.getByTestId('trial').filter({ hasText: registry }).getByText('Clos', { exact: true }).waitFor();
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('the GP searches the offer of care near the patient’s postcode, nearest first', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'gp', '/annuaires');
      await page.getByRole('tab', { name: 'Offre de soins' }).click();
      await page.getByLabel('Type de structure').selectOption('supportive-care');
      await page.getByLabel('Code postal du patient').fill('2A004');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      const wrongPostcode = page.getByText(/Code postal du patient : « 2A004 »/);
      await wrongPostcode.waitFor();
      expect(await page.locator('main').innerText()).not.to.contain('near=');
      await page.getByLabel('Code postal du patient').fill('13005');
      await page.getByLabel('Distance maximale (km)').fill('30');
      await page.getByRole('button', { name: 'Rechercher' }).click();
      await wrongPostcode.waitFor({ state: 'detached' });
      await page.waitForFunction(() => {
        const entries = [...document.querySelectorAll('[data-testid=offer-entry]')];
        return entries.length > 0 && entries.every((e) => / km/.test(e.textContent ?? ''));
      });
      const kms = (await page.getByTestId('offer-entry').allInnerTexts()).map((t) => Number(/([\d,]+)\s*km/i.exec(t)![1]!.replace(',', '.')));
      expect(kms).to.deep.equal([...kms].sort((a, b) => a - b));
      expect(Math.max(...kms)).to.be.at.most(30);
      await checkA11y(page, 'annuaire de l’offre de soins');
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('the network administrator exports the offer of care and imports it back: nothing duplicated; a faulty file changes nothing and says why', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'admin', '/annuaires');
      await page.getByRole('tab', { name: 'Import et export' }).click();
      const offer = page.getByRole('region', { name: 'Annuaire de l’offre de soins' });
      const [download] = await Promise.all([page.waitForEvent('download'), offer.getByRole('link', { name: /Exporter l’offre de soins/ }).click()]);
      const exported = JSON.parse(fs.readFileSync((await download.path())!, 'utf8')) as Bundle;
      const services = exported.entry!.filter((e) => e.resource?.resourceType === 'HealthcareService').length;
      expect(services).to.be.greaterThan(0);

      // Mantine's file field is a button opening the system's file chooser, as for a person.
      const choose = async (name: string, content: string) => {
        const [chooser] = await Promise.all([page.waitForEvent('filechooser'), offer.getByLabel('Fichier à importer — annuaire de l’offre de soins').click()]);
        await chooser.setFiles({ name, mimeType: 'application/json', buffer: Buffer.from(content) });
      };
      await choose('offre.json', JSON.stringify(exported));
      await offer.getByRole('button', { name: 'Importer', exact: true }).click();
      const result = offer.getByTestId('import-result');
      await result.waitFor();
      expect(await result.innerText()).to.match(/Import terminé : 0 créé, 0 mis à jour, \d+ inchangés/);
      expect(Number(/(\d+) inchangés/.exec(await result.innerText())![1])).to.be.at.least(services);

      // A service without its identifier: refused as a whole, the fault named in French.
      const faulty = structuredClone(exported);
      const service = faulty.entry!.find((e) => e.resource?.resourceType === 'HealthcareService')!.resource as HealthcareService;
      delete service.identifier;
      service.name = 'Structure sans identifiant';
      await choose('offre-fautive.json', JSON.stringify(faulty));
      await offer.getByRole('button', { name: 'Importer', exact: true }).click();
      const refusal = offer.getByTestId('error-message');
      await refusal.waitFor();
      expect(await refusal.innerText()).to.contain('Structure sans identifiant').and.to.contain('identifiant');
      await checkA11y(page, 'import de l’offre de soins');

      await choose('notes.json', 'ceci n’est pas du JSON');
      await offer.getByRole('button', { name: 'Importer', exact: true }).click();
      await offer.getByText('n’est pas un document JSON lisible').waitFor();
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
