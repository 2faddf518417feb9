import { expect } from 'chai';
import { assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newCpsPage, newPage, screenshot, signInAs } from './harness.ts';

describeBrowser('Web client: sign-in, session and app shell (Chromium)', () => {
  it('shows the configured sign-in methods, accessible at 360 px and on a desktop', async () => {
    for (const phone of [false, true]) {
      const { page, context, url } = await newPage({ phone });
      try {
        await page.goto(`${url}/connexion`);
        await page.getByRole('heading', { level: 1, name: 'Connexion au DCC' }).waitFor();
        const cps = page.getByRole('link', { name: 'Se connecter avec la carte CPS' });
        expect(await cps.getAttribute('href')).to.match(/^https:\/\/127\.0\.0\.1:\d+\/$/);
        await page.getByRole('group', { name: 'Médecin généraliste' }).getByRole('button', { name: 'Laurent Chabert' }).waitFor();
        // PSC and SAML are not configured on this server: not offered.
        expect(await page.getByText('Pro Santé Connect').count()).to.equal(0);
        await checkA11y(page, `connexion ${phone ? '360 px' : 'bureau'}`);
        await screenshot(page, `connexion-${phone ? 'mobile' : 'bureau'}`);
        assertNoPageErrors(page);
      } finally {
        await context.close();
      }
    }
  });

  it('demo sign-in from a deep link: sign-in page first, then back to the page; header, logout', async () => {
    const { page, context, url } = await newPage();
    try {
      await signInAs(page, 'gp', '/compte');
      expect(new URL(page.url()).pathname).to.equal('/compte');
      const header = page.getByTestId('current-user');
      expect(await header.innerText()).to.contain('Laurent Chabert').and.to.contain('Médecin généraliste').and.to.contain('démonstration');
      await page.getByRole('cell', { name: '810009990077' }).waitFor();
      const nav = page.getByRole('navigation', { name: 'Navigation principale' });
      expect(await nav.getByRole('link').allInnerTexts()).to.deep.equal(['Mes patients', 'Ce qui a changé', 'Annuaires', 'Mon compte']);
      await checkA11y(page, 'mon compte');

      // The session is a real one: the API answers with the cookie.
      const session = await page.evaluate(async () => (await fetch('/auth/session')).json());
      expect(session.principal.roles).to.deep.equal(['gp']);
      expect(session.csrfToken).to.be.a('string');
      expect(session.idleTimeoutSeconds).to.equal(30 * 60);

      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.getByText('Vous êtes déconnecté(e).').waitFor();
      expect(await page.evaluate(async () => (await fetch('/auth/session')).status)).to.equal(401);
      await page.goto(`${url}/compte`);
      await page.waitForURL(/\/connexion\?retour=%2Fcompte/);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('the demo sign-in is traced as a sign-in (AuditEvent), like the other methods', async () => {
    const { dcc } = await browserWorld();
    const { page, context } = await newPage();
    try {
      const before = new Date().toISOString();
      // Every event written from now on (not the last 50: the home page's reads, the other tests and
      // the outbox worker write AuditEvents too: on a busy machine they can push the sign-in out).
      const [{ last }] = await dcc.services.db('resource').max('seq as last') as { last: string | number | null }[];
      await signInAs(page, 'pharmacist');
      const rows: { content: unknown }[] = await dcc.services.db('resource').where({ resource_type: 'AuditEvent' }).andWhere('seq', '>', last ?? 0).select('content').orderBy('seq', 'desc');
      const events = rows.map((r) => (typeof r.content === 'string' ? JSON.parse(r.content) : r.content));
      const login = events.find((e: any) => e.recorded >= before && e.subtype?.some((s: any) => s.code === '110122') && e.agent?.[0]?.who?.display === 'Thomas Lefèvre');
      expect(login, 'AuditEvent de connexion').to.exist;
      expect(login.outcome).to.equal('0');
      expect(login.agent[0].extension[0].valueCode).to.equal('demo');
    } finally {
      await context.close();
    }
  });

  it('CPS card over mutual TLS: no cookie, the client knows who I am from the certificate', async () => {
    const { page, context, url } = await newCpsPage('medecin-generaliste');
    try {
      await page.goto(`${url}/compte`);
      const header = page.getByTestId('current-user');
      await header.waitFor();
      expect(await header.innerText()).to.contain('Laurent Chabert').and.to.contain('carte CPS');
      expect(new URL(page.url()).pathname).to.equal('/compte');
      expect(await page.getByRole('button', { name: 'Se déconnecter' }).count()).to.equal(0);
      expect((await context.cookies()).filter((c) => c.name === 'dcc_session')).to.have.length(0);
      await checkA11y(page, 'mon compte (carte CPS)');
      await screenshot(page, 'compte-carte-cps');
    } finally {
      await context.close();
    }
  });

  it('role-based navigation: a page of another role says it is reserved; an unknown page says so', async () => {
    const { page, context, url } = await newPage({ phone: true });
    try {
      await signInAs(page, 'coordinator');
      expect(new URL(page.url()).pathname).to.equal('/coordination');
      await page.goto(`${url}/patients`);
      await page.getByRole('alert').filter({ hasText: 'réservée aux profils' }).waitFor();
      await page.goto(`${url}/nulle-part`);
      await page.getByRole('heading', { name: 'Page introuvable' }).waitFor();
      // On a phone the navigation is behind the menu button.
      await page.getByRole('button', { name: 'Ouvrir le menu' }).click();
      await page.getByRole('link', { name: 'Coordination RCP' }).click();
      await page.waitForURL(/\/coordination$/);
      await checkA11y(page, 'coordination 360 px');
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('idle timeout: announced before it happens ("Rester connecté"), then back to sign-in and to the page', async () => {
    const { page, context } = await newPage();
    try {
      await page.clock.install();
      await signInAs(page, 'nurse', '/compte');
      await page.clock.fastForward('27:00');
      const dialog = page.getByRole('dialog', { name: 'Votre session va bientôt expirer' });
      await dialog.waitFor();
      await checkA11y(page, "avertissement d'inactivité");
      await dialog.getByRole('button', { name: 'Rester connecté', exact: true }).click();
      await dialog.waitFor({ state: 'hidden' });
      await page.clock.fastForward('29:30');
      await page.waitForURL(/\/connexion\?retour=%2Fcompte&raison=inactivite/);
      await page.getByText("période d'inactivité").waitFor();
    } finally {
      await context.close();
    }
  });
});
