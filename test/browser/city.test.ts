import fs from 'node:fs';
import path from 'node:path';
import { expect } from 'chai';
import { CATEGORY } from '../../server/care-plan/codes.ts';
import { assertNoClippedBadges, assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newCpsPage, newPage, screenshot, signInAs } from './harness.ts';

const GP_MAIL = 'laurent.chabert@dcc-demo.mssante.fr';

describeBrowser('Web client: the city professionals’ pages (Chromium)', () => {
  it('GP: "Mes patients" with changes badges, search, the patient page, mark as seen, the PDF', async () => {
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'gp');
      expect(new URL(page.url()).pathname).to.equal('/patients');
      const cards = page.getByTestId('patient-card');
      await cards.first().waitFor();
      expect(await cards.count()).to.be.at.least(5);
      const castellani = cards.filter({ hasText: 'CASTELLANI Hélène' });
      const badge = castellani.getByTestId('changes-badge');
      expect(await badge.innerText()).to.match(/\d+ changements?/i);
      await checkA11y(page, 'mes patients');
      await screenshot(page, 'mg-mes-patients');

      // Search by name: accents and case ignored, each word a start of a name.
      await page.getByLabel('Rechercher un patient par son nom').fill('cast hele');
      await page.getByRole('status').filter({ hasText: '1 patient correspondant à « cast hele »' }).waitFor();
      expect(await cards.count()).to.equal(1);
      await page.getByLabel('Rechercher un patient par son nom').fill('zzz');
      await page.getByText('Aucun de vos patients ne correspond à « zzz ».').waitFor();
      await page.getByLabel('Rechercher un patient par son nom').fill('castellani');
      await cards.first().getByRole('link', { name: 'CASTELLANI Hélène Marie' }).click();

      // The patient page: the GP's summary, what changed first.
      await page.getByRole('heading', { level: 1, name: 'CASTELLANI Hélène Marie' }).waitFor();
      const changes = page.getByTestId('patient-changes');
      await changes.waitFor();
      expect(await changes.innerText()).to.contain('Ce qui a changé, pas encore marqué comme vu');
      for (const title of ['Diagnostic et stade', 'Dernière proposition de RCP signée', 'Programme personnalisé de soins (PPS)', 'Qui appeler']) {
        await page.getByRole('heading', { level: 2, name: title }).waitFor();
      }
      const whomToCall = await page.locator('section[data-section="whom-to-call"]').innerText();
      expect(whomToCall.indexOf('oncologie')).to.be.within(0, whomToCall.indexOf('Standard')); // the oncology hotline first
      await checkA11y(page, 'page patient (médecin généraliste)');
      await screenshot(page, 'mg-patient');

      // The PDF of what the page shows.
      const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger la synthèse (PDF)' }).click()]);
      const file = await download.path();
      expect(fs.readFileSync(file).subarray(0, 5).toString()).to.equal('%PDF-');

      await changes.getByRole('button', { name: 'Marquer comme vu' }).click();
      await changes.waitFor({ state: 'detached' });
      await page.getByRole('link', { name: '← Mes patients' }).click();
      await page.getByLabel('Rechercher un patient par son nom').fill('castellani');
      await page.getByRole('status').filter({ hasText: '1 patient correspondant' }).waitFor();
      await cards.first().getByText('Rien de nouveau').waitFor();

      // The PPAC's alternating surveillance (the demo patient who has one): each visit, by whom, its state.
      const ppacPatient = await patientWithProgramme('ppac');
      // An after-cancer programme follows curative treatment: never on the metastatic patient (BENALI, cM1).
      expect(await page.evaluate(async (id) => (await fetch(`/fhir/Patient/${id}/$summary?audience=gp&_format=json`)).text(), ppacPatient)).not.to.match(/cM1\b/);
      await page.goto(`${new URL(page.url()).origin}/patients/${ppacPatient}#ppac-surveillance`);
      const surveillance = page.locator('section[data-section="ppac-surveillance"]');
      await surveillance.waitFor();
      expect(await surveillance.locator('tr[data-status]').count()).to.be.at.least(2);
      expect(await surveillance.innerText()).to.match(/spécialiste hospitalier|médecin traitant/i).and.to.match(/à venir|en retard|réalisée/i);
      await screenshot(page, 'mg-patient-surveillance-ppac');
      // The PPS and surveillance tables' state badges whole ("À VE…" was cut), on a laptop and a phone.
      for (const viewport of [{ width: 1280, height: 800 }, { width: 390, height: 844 }]) {
        await page.setViewportSize(viewport);
        await assertNoClippedBadges(page, `page patient du médecin traitant, ${viewport.width} px`);
      }
      await page.goto(`${new URL(page.url()).origin}/patients/${await patientWithProgramme('pps')}`);
      await page.getByRole('heading', { level: 2, name: 'Programme personnalisé de soins (PPS)' }).waitFor();
      await page.locator('[data-status]').first().waitFor(); // table rows, or cards on a phone
      for (const viewport of [{ width: 390, height: 844 }, { width: 1280, height: 800 }]) {
        await page.setViewportSize(viewport);
        await assertNoClippedBadges(page, `PPS chez le médecin traitant, ${viewport.width} px`);
      }
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('GP: "Ce qui a changé" as a feed, newest first, mark a patient as seen', async () => {
    const { page, context } = await newPage({ phone: true });
    try {
      await signInAs(page, 'gp', '/changements');
      const items = page.getByTestId('change-item');
      await items.first().waitFor();
      const dates = await items.locator('p').first().allInnerTexts();
      expect(dates.length).to.be.at.least(1);
      const first = items.first();
      const name = (await first.getByRole('link').innerText()).trim();
      await checkA11y(page, 'ce qui a changé (360 px)');
      await screenshot(page, 'mg-ce-qui-a-change-mobile');
      await first.getByRole('button', { name: /^Marquer comme vu/ }).click();
      await page.getByText(`Changements de ${name} marqués comme vus`).waitFor();
      await page.waitForFunction((n) => ![...document.querySelectorAll('[data-testid="change-item"] a')].some((a) => a.textContent?.trim() === n), name);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('nurse at 360 px: care calendar, home treatments, side effects to watch — no diagnosis', async () => {
    const { page, context } = await newPage({ phone: true });
    try {
      await signInAs(page, 'nurse');
      await page.getByTestId('patient-card').first().waitFor();
      await checkA11y(page, 'mes patients (infirmière, 360 px)');
      await page.getByRole('link', { name: 'CASTELLANI Hélène Marie' }).click();
      for (const title of ['Calendrier des soins', 'Traitements à domicile', 'Effets indésirables à surveiller et conduite à tenir', 'Qui appeler']) {
        await page.getByRole('heading', { level: 2, name: title }).waitFor();
      }
      expect(await page.getByRole('heading', { name: 'Diagnostic et stade' }).count()).to.equal(0);
      expect(await page.getByRole('heading', { name: 'Dernière proposition de RCP signée' }).count()).to.equal(0);
      expect(await page.locator('section[data-section="care-calendar"] [data-row]').count()).to.be.at.least(1);
      expect(await page.evaluate(() => document.documentElement.scrollWidth)).to.be.at.most(360); // no sideways scrolling of the page
      await checkA11y(page, 'page patient (infirmière, 360 px)');
      await screenshot(page, 'infirmiere-patient-mobile');

      // Every activity of the programme, the CAPOX decided « à préciser » in day hospital and the precautions too.
      const calendar = await page.locator('section[data-section="care-calendar"]').innerText();
      expect(calendar).to.contain('CAPOX').and.contain('date à préciser').and.contain('En hôpital de jour').and.contain('Pas de vaccin vivant atténué');

      // Opening her record acknowledges nothing: back on the list, the badge is still there, and
      // "Ce qui a changé" still lists her changes until « Marquer comme vu ».
      await page.getByRole('link', { name: '← Mes patients' }).click();
      const castellani = page.getByTestId('patient-card').filter({ hasText: 'CASTELLANI Hélène' });
      await castellani.getByTestId('changes-badge').waitFor();
      expect(await castellani.innerText()).to.contain('Née le 14 mars 1958');
      // The nurse reaches the feed from her list, as the GP does (and from the menu).
      await page.getByRole('main').getByRole('link', { name: 'Ce qui a changé' }).click();
      await page.getByRole('heading', { level: 1, name: 'Ce qui a changé' }).waitFor();
      const hers = page.getByTestId('change-item').filter({ hasText: 'CASTELLANI Hélène' });
      await hers.first().waitFor();
      await hers.first().getByRole('button', { name: /Marquer comme vu/ }).click();
      await hers.first().waitFor({ state: 'detached' });
      expect(await hers.count()).to.equal(0);
      await page.reload();
      await page.locator('[data-testid="change-item"], [role="status"]').first().waitFor();
      expect(await page.getByTestId('change-item').filter({ hasText: 'CASTELLANI Hélène' }).count(), 'acknowledged on the server').to.equal(0);
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('pharmacist with a CPS card: oral anticancer treatments, what to check — nothing else clinical', async () => {
    const { page, context, url } = await newCpsPage('pharmacien');
    try {
      await page.goto(`${url}/`);
      await page.waitForURL(/\/patients$/);
      await page.getByRole('link', { name: 'CASTELLANI Hélène Marie' }).click();
      const oral = page.locator('section[data-section="oral-treatments"]');
      await oral.waitFor();
      const text = await oral.innerText();
      expect(text).to.contain('Capécitabine');
      expect(await page.getByRole('heading', { name: 'Diagnostic et stade' }).count()).to.equal(0);
      expect(await page.getByRole('heading', { name: 'Calendrier des soins' }).count()).to.equal(0);
      expect(await page.getByTestId('current-user').innerText()).to.contain('carte CPS');
      // The PDF through the card too.
      const href = await page.getByRole('link', { name: 'Télécharger la synthèse (PDF)' }).getAttribute('href');
      const pdf = await context.request.get(`${url}${href}`);
      expect(pdf.status()).to.equal(200);
      expect(pdf.headers()['content-type']).to.equal('application/pdf');
      await checkA11y(page, 'page patient (pharmacien, carte CPS)');
      await screenshot(page, 'pharmacien-patient-cps');
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('GP with a CPS card: the list and a patient page', async () => {
    const { page, context, url } = await newCpsPage('medecin-generaliste');
    try {
      await page.goto(`${url}/patients`);
      await page.getByRole('link', { name: 'BENALI Rachid' }).click();
      await page.getByRole('heading', { level: 2, name: 'Dernière proposition de RCP signée' }).waitFor();
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('errors as sentences: unknown patient (404), another profession’s page, expired session → sign-in and back', async () => {
    const { page, context, url } = await newPage();
    try {
      await signInAs(page, 'pharmacist', '/patients/inconnu-0000');
      const alert = page.getByTestId('error-message');
      await alert.waitFor();
      const text = await alert.innerText();
      expect(text).to.match(/introuvable|n'existe pas|accès/i);
      expect(text).not.to.contain('{');
      expect(text).not.to.contain('OperationOutcome');

      // The session ends on the server side (as after the idle timeout): the next call says so.
      await context.clearCookies();
      await page.goto(`${url}/patients`);
      await page.waitForURL(/\/connexion\?retour=%2Fpatients/);
      await page.locator('fieldset[data-role="pharmacist"]').getByRole('button').first().click();
      await page.waitForURL(/\/patients$/);
      await page.getByTestId('patient-card').first().waitFor();

      // A session that expires while on a page: the API's 401 → sign-in with the page to come back to.
      await context.clearCookies();
      await page.getByRole('link', { name: 'CASTELLANI Hélène Marie' }).click();
      await page.waitForURL(/\/connexion\?retour=%2Fpatients%2F[^&]+&raison=expiree/);
      await page.getByText('Votre session a expiré').waitFor();
      await page.locator('fieldset[data-role="pharmacist"]').getByRole('button').first().click();
      await page.locator('section[data-section="oral-treatments"]').waitFor();
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });

  it('a link from a mail in the demo mailbox opens the right page after sign-in', async () => {
    const { dcc } = await browserWorld();
    const mailbox = path.join(dcc.config.dataDir, 'demo-mailbox');
    // The outbox worker sends the demo data's shared documents (RCP reports, PPS) within seconds.
    let link: string | undefined;
    for (let i = 0; i < 120 && !link; i++) {
      link = findMailLink(mailbox, GP_MAIL, dcc.url);
      if (!link) await new Promise((r) => setTimeout(r, 1000));
    }
    expect(link, `un message pour ${GP_MAIL} avec un lien vers /patients/…`).to.be.a('string');
    const target = new URL(link!);
    const { page, context } = await newPage();
    try {
      await page.goto(link!);
      await page.waitForURL(/\/connexion\?retour=/);
      await page.locator('fieldset[data-role="gp"]').getByRole('button').first().click();
      await page.waitForURL((u) => u.pathname === target.pathname);
      expect(new URL(page.url()).hash).to.equal(target.hash);
      const section = page.locator(`section#${target.hash.slice(1)}`);
      await section.waitFor();
      await page.waitForFunction((id) => document.activeElement?.id === id, target.hash.slice(1));
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});

/** The demo patient who has a programme of this kind (PPS or PPAC), from the database. */
async function patientWithProgramme(kind: 'pps' | 'ppac'): Promise<string> {
  const { dcc } = await browserWorld();
  const rows: { content: any }[] = await dcc.services.db('resource').where({ resource_type: 'CarePlan', deleted: false }).select('content');
  const plans = rows.map((r) => (typeof r.content === 'string' ? JSON.parse(r.content) : r.content));
  const plan = plans.find((p) => p.category?.some((c: any) => c.coding?.some((x: any) => x.code === CATEGORY[kind].code)));
  if (!plan) throw new Error(`pas de ${kind} dans les données de démonstration`);
  return String(plan.subject.reference).replace('Patient/', '');
}

/** The first link to a patient page in a mail to `to` (quoted-printable decoded). */
function findMailLink(mailbox: string, to: string, baseUrl: string): string | undefined {
  const indexFile = path.join(mailbox, 'index.json');
  if (!fs.existsSync(indexFile)) return undefined;
  const index = JSON.parse(fs.readFileSync(indexFile, 'utf8')) as { to: string[]; file: string }[];
  for (const message of index.filter((m) => m.to.includes(to))) {
    const raw = fs.readFileSync(message.file, 'utf8').replace(/=\r?\n/g, '').replace(/=3D/gi, '=');
    const match = new RegExp(`${baseUrl.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}/patients/[A-Za-z0-9.-]+(#[a-z-]+)?`).exec(raw);
    if (match) return match[0];
  }
  return undefined;
}
