import { expect } from 'chai';
import type { BrowserContext } from 'playwright-core';
import { assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newPage, signInAs } from './harness.ts';

/** The JSON/FHIR API as the signed-in user of this context (cookie + CSRF token). */
async function apiAs(context: BrowserContext, method: 'GET' | 'POST', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const { dcc } = await browserWorld();
  const session = await (await context.request.get(`${dcc.url}/auth/session`)).json();
  const res = await context.request.fetch(`${dcc.url}${path}`, {
    method, headers: { 'content-type': 'application/fhir+json', 'x-csrf-token': session.csrfToken ?? '' },
    ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : undefined };
}

/**
 * A record created in the app belongs to the physician's establishment; its médecin traitant is
 * declared from the record (a GP of the directory); the RCP registration says why it cannot be sent yet.
 */
describeBrowser('Web client: the record’s médecin traitant and establishment, the registration’s waiting reason (Chromium)', () => {
  it('declares the GP from the directory, and the disabled registration button says why', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', '/hopital');
      const created = await apiAs(context, 'POST', '/fhir/Patient', {
        resourceType: 'Patient', name: [{ use: 'official', family: `Sansmt${Date.now().toString(36)}`, given: ['Odile'] }], gender: 'female', birthDate: '1959-09-21',
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect(created.body.managingOrganization?.display, 'the physician’s establishment').to.be.a('string').and.not.equal('');
      const origin = new URL(page.url()).origin;
      await page.goto(`${origin}/hopital/patients/${created.body.id}`);

      const gp = page.getByTestId('general-practitioner');
      await gp.getByText('Pas de médecin traitant déclaré').waitFor();
      await gp.getByRole('button', { name: 'Déclarer le médecin traitant' }).click();
      await page.getByRole('combobox', { name: 'Médecin traitant', exact: true }).click();
      await page.getByRole('option', { name: /Chabert/ }).first().click();
      await checkA11y(page, 'hôpital : déclarer le médecin traitant');
      await page.getByRole('button', { name: 'Enregistrer le médecin traitant' }).click();
      await page.getByTestId('general-practitioner').getByText(/Médecin traitant : Dr Laurent Chabert/).waitFor();
      await page.getByTestId('circle-of-care').getByText(/Dr Laurent Chabert — médecin traitant/).waitFor();
      const stored = await apiAs(context, 'GET', `/fhir/Patient/${created.body.id}`);
      expect(stored.body.generalPractitioner).to.have.length(1);
      expect(stored.body.meta.versionId).to.equal('2');

      await page.getByRole('link', { name: 'Inscrire en RCP' }).click();
      const blocker = page.getByTestId('register-blocker');
      await blocker.waitFor();
      expect(await blocker.innerText()).to.contain('Choisissez d’abord la RCP');
      const register = page.getByRole('button', { name: 'Inscrire et ouvrir la fiche RCP' });
      expect(await register.isDisabled()).to.equal(true);
      expect(await register.getAttribute('aria-describedby')).to.equal(await blocker.getAttribute('id'));
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
