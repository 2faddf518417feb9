import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { unique } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { backdatedGrant } from '../helpers/break-glass.ts';
import { assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newPage, signInAs } from './harness.ts';

describeBrowser('Web client: emergency access (bris de glace) as the hospital physician (Chromium)', () => {
  it('opens a record outside the circle of care with a reason, and the record then says it is read under emergency access — after a reload and in another tab too', async () => {
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
      // Another tab of the same browser: the server says it, not this tab's storage.
      const tab = await context.newPage();
      await tab.goto(`${dcc.url}/hopital/patients/${patient.id}`);
      await tab.getByTestId('break-glass-open').waitFor();
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('says it in another browser too (no session storage), and no longer once the access has ended', async () => {
    const { dcc } = await browserWorld();
    const create = (family: string) => dcc.services.store.system().create<Patient>(withIdentity({ resourceType: 'Patient', name: [{ family, given: ['Inès'] }], gender: 'female', birthDate: '1968-09-14' }) as Patient);
    const openFamily = unique('Urgence');
    const opened = await create(openFamily);
    const ended = await create(unique('Urgence'));
    const first = await newPage();
    try {
      await signInAs(first.page, 'physician', `/hopital/patients/${opened.id}`);
      await first.page.getByLabel('Motif de l’accès en urgence').fill('Patiente admise au SAU, allergies à vérifier en urgence');
      await first.page.getByRole('button', { name: 'Ouvrir le dossier en urgence' }).click();
      await first.page.getByTestId('break-glass-open').waitFor();
    } finally {
      await first.context.close();
    }
    // The same physician's access to the other patient ended an hour ago.
    const [grant] = (await dcc.services.accessStore.listBreakGlass({ limit: 500 })).filter((g) => g.patientId === opened.id);
    await backdatedGrant(dcc.services.db, {
      practitionerId: grant!.practitionerId, idnps: grant!.idnps, displayName: grant!.displayName, patientId: ended.id!,
      reason: 'Admission de nuit, accès terminé depuis',
    }, { startedAgoMs: 5 * 3_600_000, durationMs: 4 * 3_600_000 });

    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', `/hopital/patients/${opened.id}`);
      await page.getByRole('heading', { level: 1 }).filter({ hasText: new RegExp(openFamily, 'i') }).waitFor();
      const banner = page.getByTestId('break-glass-open');
      await banner.waitFor();
      expect(await banner.textContent()).to.contain('Accès d’urgence ouvert jusqu’au');
      expect(await page.evaluate(() => Object.keys(sessionStorage).filter((k) => k.includes('emergency')))).to.deep.equal([]);

      await page.goto(`${dcc.url}/hopital/patients/${ended.id}`);
      await page.getByRole('heading', { name: 'Accès en urgence (bris de glace)' }).waitFor();
      expect(await page.getByRole('alert').filter({ hasText: 'Dossier hors de votre cercle de soins' }).isVisible()).to.equal(true);
      expect(await page.getByTestId('break-glass-open').count()).to.equal(0);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
