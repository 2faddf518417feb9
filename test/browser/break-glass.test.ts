import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { unique } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newPage, signInAs } from './harness.ts';

describeBrowser('Web client: emergency access (bris de glace) as the hospital physician (Chromium)', () => {
  it('opens a record outside the circle of care with a reason, and the record then says it is read under emergency access — after a reload too', async () => {
    const { dcc } = await browserWorld();
    // A patient nobody's circle of care holds yet (admitted through the emergency department).
    const family = unique('Urgence');
    const patient = await dcc.services.store.system().create<Patient>(withIdentity({ resourceType: 'Patient', name: [{ family, given: ['Lucas'] }], gender: 'male', birthDate: '1971-04-02' }) as Patient);
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', `/hopital/patients/${patient.id}`);
      await page.getByRole('heading', { name: 'Accès en urgence (bris de glace)' }).waitFor();
      const refused = await page.getByRole('alert').filter({ hasText: 'Dossier hors de votre cercle de soins' }).textContent();
      expect(refused).to.contain('vous ne faites pas partie de l’équipe de soins').and.not.to.contain('introuvable').and.not.to.contain('Patient/');
      await page.getByLabel('Motif de l’accès en urgence').fill('Patient inconscient admis au SAU, traitement en cours à connaître');
      await page.getByRole('button', { name: 'Ouvrir le dossier en urgence' }).click();
      const banner = page.getByTestId('break-glass-open');
      await banner.waitFor();
      await page.getByRole('heading', { level: 1 }).filter({ hasText: new RegExp(family, 'i') }).waitFor();
      expect(await banner.textContent()).to.contain('Dossier ouvert en urgence').and.contain('Accès d’urgence ouvert jusqu’au').and.contain('relue par le responsable de la sécurité');
      await checkA11y(page, 'dossier ouvert en urgence');
      await page.reload();
      await page.getByRole('heading', { level: 1 }).filter({ hasText: new RegExp(family, 'i') }).waitFor();
      expect(await page.getByTestId('break-glass-open').isVisible()).to.equal(true);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
