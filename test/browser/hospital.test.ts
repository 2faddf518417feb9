import { readFile } from 'node:fs/promises';
import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import { withInsNirKey } from '../../server/identity/ins.ts';
import { assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newPage, screenshot } from './harness.ts';

/**
 * The hospital physician's path in real Chromium (issue 14), as Dr Sophie Lambert (medical
 * oncologist, chair of the demo boards): create a patient (and be warned of a duplicate), record
 * the diagnosis, register the case on a board, fill the RCP sheet until it is complete (a bad
 * input shows the server's rule beside its field), the decision and the signature, the refused
 * edit, the correction with its reason and the versions side by side, the PPS built and handed
 * over, the PPAC, the PDFs. A second test cuts the network while typing a sheet: nothing is lost.
 * The 3C's steps (accepting the case, opening the session, the attendance) belong to the
 * coordination pages (issue 15): they are done here through the same API.
 */

const letters = (n: number) => Array.from({ length: n }, () => String.fromCharCode(97 + Math.floor(Math.random() * 26))).join('');
const FAMILY = `Hospi${letters(6)}`;
const GIVEN = 'Mireille';
const BIRTH = '1975-06-14';
// A test NIR of a woman born in June 1975 in Marseille (13055): key computed, like INSi returns it.
const INS = withInsNirKey(`2750613055${String(Math.floor(Math.random() * 900) + 100)}`);
const WRONG_KEY_INS = `${INS.slice(0, 13)}${String((Number(INS.slice(13)) % 97) + 1).padStart(2, '0')}`;

/** Signs in through the demo page as one named demo professional. */
async function signInAsDemo(page: Page, role: string, name: string, path: string): Promise<void> {
  const { dcc } = await browserWorld();
  await page.goto(`${dcc.url}${path}`);
  await page.waitForURL(/\/connexion/);
  await page.locator(`fieldset[data-role="${role}"]`).getByRole('button', { name }).click();
  await page.waitForURL((url) => !url.pathname.startsWith('/connexion'));
  await page.getByTestId('current-user').waitFor();
}

/** The JSON API as the signed-in user of this context (cookie + CSRF token), for the 3C's steps. */
async function apiAs(context: BrowserContext, method: 'GET' | 'POST' | 'PUT' | 'PATCH', path: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: any }> {
  const { dcc } = await browserWorld();
  const session = await (await context.request.get(`${dcc.url}/auth/session`)).json();
  const res = await context.request.fetch(`${dcc.url}${path}`, {
    method, headers: { 'content-type': path.startsWith('/fhir') ? 'application/fhir+json' : 'application/json', 'x-csrf-token': session.csrfToken ?? '', ...headers },
    ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : undefined };
}

/** Picks an option of a Mantine Select / Autocomplete by its label. */
let clickCount = 0;
async function choose(page: Page, label: string | RegExp, option: string | RegExp): Promise<void> {
  clickCount += 2;
  await page.getByRole('combobox', { name: label, ...(typeof label === 'string' ? { exact: true } : {}) }).click();
  await page.getByRole('option', { name: option }).first().click();
}

/**
 * Waits for the next save of the sheet to succeed; returns its time as the page measured it (ms),
 * read from an attribute: the physician reads « Enregistré à 22:00 », not a technical timing.
 */
async function savedSheet(page: Page, before: number): Promise<number | undefined> {
  await page.waitForFunction((n) => {
    const el = document.querySelector('[data-testid="save-status"]');
    return el?.getAttribute('data-state') === 'saved' && Number(el.getAttribute('data-saves')) > n;
  }, before);
  const status = page.getByTestId('save-status');
  expect(await status.innerText()).to.match(/^Enregistré à \d{2}:\d{2}$/);
  const ms = await status.getAttribute('data-save-ms');
  return ms ? Number(ms) : undefined;
}

async function savesSoFar(page: Page): Promise<number> {
  return Number(await page.getByTestId('save-status').getAttribute('data-saves'));
}

/** A failed step leaves its page in test-results/screenshots (what the physician saw). */
async function failed(page: Page): Promise<void> {
  if (!page.isClosed()) await screenshot(page, `hopital-echec-${Date.now()}`).catch(() => undefined);
}

describeBrowser('Web client: the hospital physician’s pages (Chromium)', () => {
  const state: { patientId?: string; sheetId?: string; caseId?: string; boardName?: string; saves: number[] } = { saves: [] };

  before(async function () {
    // A board of our own (Lambert chairs it), so the demo sessions stay as the other tests expect them.
    const { page, context } = await newPage();
    try {
      await signInAsDemo(page, 'coordinator', 'Nathalie Girard', '/coordination');
      const boards = await apiAs(context, 'GET', '/api/rcp/boards');
      const demo = boards.body.find((b: any) => b.code === 'RCP-DIG-CHUM');
      expect(demo, 'demo digestive board').to.exist;
      state.boardName = `RCP digestive de test ${letters(4)}`;
      const { id: _id, version: _v, coordinationCentreDisplay: _c, membersTeamId: _m, membersTeamVersion: _mv, ...settings } = demo;
      const today = new Date().toISOString().slice(0, 10);
      const created = await apiAs(context, 'POST', '/api/rcp/boards', {
        ...settings, code: `RCP-TEST-${letters(6).toUpperCase()}`, name: state.boardName, overrides: [], capacity: 6, registrationCutoffHours: 1, horizonDays: 21,
        schedule: { rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', startTime: '18:00', endTime: '19:00', from: today, timeZone: 'Europe/Paris' },
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect((await apiAs(context, 'POST', `/api/rcp/boards/${created.body.id}/sessions/generate`, {})).status).to.equal(200);
      const trial = await apiAs(context, 'POST', '/fhir/ResearchStudy', {
        resourceType: 'ResearchStudy', status: 'active', title: `Essai fictif côlon adjuvant ${letters(3)}`, phase: { text: 'Phase III' },
        identifier: [{ system: 'https://dcc-paca.example/fhir/sid/essai-clinique', value: `TEST-${letters(8)}` }],
      });
      expect(trial.status, JSON.stringify(trial.body)).to.equal(201);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });

  it('creates a patient (server rule beside the INS field, duplicate warned), records the diagnosis, registers the case and fills the sheet until complete', async function () {
    const { page, context } = await newPage();
    const click = async (locator: ReturnType<Page['getByRole']>) => { clickCount++; await locator.click(); };
    try {
      await signInAsDemo(page, 'physician', 'Sophie Lambert', '/hopital');
      await page.getByRole('heading', { level: 1, name: 'Dossiers patients' }).waitFor();
      await checkA11y(page, 'hôpital : recherche');

      // Creation with the five traits, QUAL identity: a wrong INS key is refused, the rule beside the field.
      await click(page.getByRole('button', { name: 'Nouveau patient' }));
      // An empty submit: focus goes to the first field to fix.
      await click(page.getByRole('button', { name: 'Créer le dossier' }));
      await page.waitForFunction(() => document.activeElement?.getAttribute('aria-invalid') === 'true');
      expect(await page.evaluate(() => document.activeElement?.id)).to.equal(await page.getByLabel('Nom de naissance').getAttribute('id'));
      await page.getByLabel('Nom de naissance').fill(FAMILY);
      await page.getByLabel('Prénoms de naissance').fill(`${GIVEN} Louise`);
      // A birth date in the future is refused under its field (the server refuses it too: test/identity/birth-date.test.ts).
      const birthField = page.getByLabel('Date de naissance');
      await birthField.fill('2030-01-01');
      await click(page.getByRole('button', { name: 'Créer le dossier' }));
      const birthError = page.locator(`#${await birthField.getAttribute('id')}-error`);
      expect(await birthError.innerText()).to.equal('La date de naissance ne peut pas être dans le futur');
      expect(await birthField.evaluate((el) => el === document.activeElement)).to.equal(true);
      await birthField.fill(BIRTH);
      await choose(page, 'Sexe', 'Féminin');
      await page.getByLabel('Lieu de naissance : code INSEE').fill('13055');
      await page.getByLabel('Lieu de naissance : commune').fill('Marseille');
      await choose(page, 'Statut de l’identité', /^QUAL/);
      await page.getByLabel('INS (matricule INS, 15 caractères)').fill(WRONG_KEY_INS);
      await choose(page, 'Pièce d’identité vérifiée', 'Carte nationale d’identité');
      await checkA11y(page, 'hôpital : nouveau patient');
      await click(page.getByRole('button', { name: 'Créer le dossier' }));
      const insField = page.getByLabel('INS (matricule INS, 15 caractères)');
      const insError = page.locator(`#${await insField.getAttribute('id')}-error`);
      await insError.waitFor();
      expect(await insError.innerText()).to.contain('clé');
      await insField.fill(INS);
      await click(page.getByRole('button', { name: 'Créer le dossier' }));
      await page.waitForURL(/\/hopital\/patients\/[^/]+$/);
      state.patientId = page.url().split('/').pop()!;
      await page.getByRole('heading', { level: 1, name: `${FAMILY.toUpperCase()} ${GIVEN} Louise` }).waitFor();
      expect(await page.getByTestId('patient-identity').innerText()).to.match(/identité qualifiée/i).and.to.contain(INS);

      // The same person again (provisional identity, no INS): warned before anything is created.
      await page.goto(`${new URL(page.url()).origin}/hopital`);
      await page.getByRole('button', { name: 'Nouveau patient' }).click();
      // The birth name typed with a hyphen (« Hospi-xyz » for « Hospixyz »): still the same name (RNIV).
      await page.getByLabel('Nom de naissance').fill(`${FAMILY.slice(0, 5)}-${FAMILY.slice(5)}`.toUpperCase());
      await page.getByLabel('Prénoms de naissance').fill(GIVEN);
      // Born more than 120 years ago: the server's refusal shows under the field.
      const oldBirth = page.getByLabel('Date de naissance');
      await oldBirth.fill('1850-01-01');
      await choose(page, 'Sexe', 'Féminin');
      await page.getByRole('button', { name: 'Créer le dossier' }).click();
      const oldError = page.locator(`#${await oldBirth.getAttribute('id')}-error`);
      await oldError.waitFor();
      expect(await oldError.innerText()).to.contain('invraisemblable : 1er janvier 1850, il y a plus de 120 ans');
      await oldBirth.fill(BIRTH);
      await page.getByRole('button', { name: 'Créer le dossier' }).click();
      const warning = page.getByTestId('duplicate-warning');
      await warning.waitFor();
      expect(await warning.innerText()).to.contain('même nom de naissance, même premier prénom et même date de naissance');
      await checkA11y(page, 'hôpital : doublon');
      await screenshot(page, 'hopital-doublon');
      await page.getByRole('button', { name: 'Revenir au formulaire' }).click();
      await page.getByRole('button', { name: 'Annuler' }).click();
      // Found by INS too.
      await page.getByLabel('Rechercher un patient').fill(INS);
      await page.getByTestId('patient-result').first().getByRole('link', { name: new RegExp(FAMILY, 'i') }).click();

      // The record: the diagnosis first (CIM-10 / CIM-O-3 pickers).
      await page.getByRole('heading', { level: 1, name: new RegExp(FAMILY, 'i') }).waitFor();
      // A wrong diagnosis, then declared « saisie erronée » with its reason: kept, struck through, not offered.
      await click(page.getByRole('button', { name: 'Enregistrer un diagnostic de cancer' }));
      await choose(page, 'Topographie (CIM-10)', /^C50/);
      await choose(page, 'Morphologie (CIM-O-3)', '8140/3 — Adénocarcinome, SAI');
      await page.getByLabel('Date du diagnostic').fill('2026-10-01');
      await click(page.getByRole('button', { name: 'Enregistrer le diagnostic' }));
      const diagnoses = page.getByTestId('diagnoses');
      await diagnoses.getByRole('button', { name: /Déclarer une saisie erronée : C50/ }).click();
      const dialog = page.getByRole('dialog', { name: 'Déclarer une saisie erronée' });
      await dialog.getByRole('button', { name: 'Confirmer la saisie erronée' }).click();
      await dialog.getByText('Indiquez le motif de la saisie erronée').waitFor();
      await dialog.getByLabel('Motif de la saisie erronée').fill('Topographie erronée : côlon, pas sein');
      await checkA11y(page, 'hôpital : saisie erronée');
      await dialog.getByRole('button', { name: 'Confirmer la saisie erronée' }).click();
      await diagnoses.getByText('Motif : Topographie erronée : côlon, pas sein').waitFor();
      await page.getByTestId('timeline').getByText(/^Diagnostic \(saisie erronée\) : /).waitFor();
      await click(page.getByRole('button', { name: 'Enregistrer un diagnostic de cancer' }));
      await choose(page, 'Topographie (CIM-10)', 'C18.7 — Tumeur maligne du côlon sigmoïde');
      await choose(page, 'Morphologie (CIM-O-3)', '8140/3 — Adénocarcinome, SAI');
      await page.getByLabel('Date du diagnostic').fill('2026-10-02');
      await click(page.getByRole('button', { name: 'Enregistrer le diagnostic' }));
      await page.getByTestId('timeline').getByText(/Tumeur maligne du côlon sigmoïde|Diagnostic/).first().waitFor();
      await checkA11y(page, 'hôpital : dossier patient');
      await screenshot(page, 'hopital-dossier');

      // Registration on the board: its next sessions with their places and cut-off.
      await click(page.getByRole('link', { name: 'Inscrire en RCP' }));
      await choose(page, 'RCP', state.boardName!);
      const choices = page.getByTestId('session-choice');
      await choices.first().waitFor();
      const open = choices.filter({ hasNotText: 'Hors délai' }).filter({ hasText: 'place' }).first();
      expect(await open.innerText()).to.match(/\d places? restantes?/i).and.to.contain('Inscriptions jusqu’au');
      await click(open.getByRole('radio'));
      const diagnosisField = page.getByRole('combobox', { name: 'Diagnostic de cancer', exact: true });
      // The record's only diagnosis (the other is marked « saisie erronée ») is the one presented: chosen already, and required.
      expect(await diagnosisField.inputValue()).to.match(/^C18\.7 /);
      expect(await diagnosisField.getAttribute('required') ?? await diagnosisField.getAttribute('aria-required')).to.not.equal(null);
      await diagnosisField.click();
      expect(await page.getByRole('option', { name: /^C50/ }).count(), 'a diagnosis entered in error is not offered').to.equal(0);
      // Unselected (a second click on the chosen option), the form asks to choose it (the record holds one: not to record one).
      await page.getByRole('option', { name: /C18\.7/ }).first().click();
      expect(await diagnosisField.inputValue()).to.equal('');
      await click(page.getByRole('button', { name: 'Inscrire et ouvrir la fiche RCP' }));
      const diagnosisError = page.locator(`#${await diagnosisField.getAttribute('id')}-error`);
      await diagnosisError.waitFor();
      expect(await diagnosisError.innerText()).to.equal('Choisissez le diagnostic présenté');
      await choose(page, 'Diagnostic de cancer', /C18\.7/);
      await diagnosisError.waitFor({ state: 'detached' });
      // Question and summary left empty: each error under its own field, marked invalid.
      await click(page.getByRole('button', { name: 'Inscrire et ouvrir la fiche RCP' }));
      for (const [label, text] of [['Question posée à la RCP', 'La question posée à la RCP est obligatoire'], ['Synthèse du dossier', 'La synthèse du dossier (résumé de la situation) est obligatoire']]) {
        const field = page.getByLabel(label);
        const error = page.locator(`#${await field.getAttribute('id')}-error`);
        await error.waitFor();
        expect(await error.innerText(), label).to.equal(text);
        expect(await field.getAttribute('aria-invalid'), label).to.equal('true');
        expect(await field.getAttribute('aria-describedby'), label).to.contain(await error.getAttribute('id'));
      }
      await page.getByLabel('Question posée à la RCP').fill('Chirurgie première ou traitement néoadjuvant ?');
      await page.getByLabel('Synthèse du dossier').fill('Adénocarcinome du sigmoïde découvert sur rectorragies, bilan d’extension négatif.');
      // Without the patient's information the server refuses, beside the box.
      await click(page.getByRole('button', { name: 'Inscrire et ouvrir la fiche RCP' }));
      await page.getByText('Le patient doit avoir été informé').first().waitFor();
      await click(page.getByLabel('Le patient a été informé de la présentation de son dossier en RCP'));
      await click(page.getByLabel('Le patient ne s’y oppose pas'));
      await click(page.getByLabel('Le médecin traitant a été informé'));
      await checkA11y(page, 'hôpital : inscription');
      await click(page.getByRole('button', { name: 'Inscrire et ouvrir la fiche RCP' }));
      await page.waitForURL(/\/hopital\/fiches\//);
      state.sheetId = page.url().split('/').pop()!;

      // The sheet: not complete yet, then section by section until "dossier complet".
      const sessionPanel = page.getByTestId('completeness-session');
      await sessionPanel.waitFor();
      expect(await sessionPanel.getAttribute('data-complete')).to.equal('false');
      expect(await sessionPanel.innerText()).to.contain('Circonstances de découverte');
      let saves = await savesSoFar(page);
      clickCount = 0;
      clickCount++;
      await page.getByRole('radiogroup', { name: 'Découvert lors d’un dépistage' }).getByLabel('Non').check();
      state.saves.push((await savedSheet(page, saves)) ?? NaN);
      saves = await savesSoFar(page);
      // Bad inputs: the TNM without its edition, the WHO date without the score. The server's rules,
      // in French, beside their fields and on top; what else was typed is saved meanwhile.
      await page.getByLabel('T', { exact: true }).fill('cT3');
      await page.getByLabel('N', { exact: true }).fill('cN1');
      await page.getByLabel('M', { exact: true }).fill('cM0');
      await page.getByLabel('Stade', { exact: true }).fill('IIIB');
      await page.getByLabel('Date d’évaluation du score OMS').fill('2026-10-06');
      await page.getByLabel('Circonstances (précisions)').fill('Rectorragies');
      await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.getAttribute('data-state') === 'partial');
      const status = await page.getByTestId('save-status').innerText();
      expect(status).to.contain('Enregistré, sauf « Diagnostic », « État général »').and.contain('Édition de la classification UICC : obligatoire (7, 8 ou 9) ; Score OMS : obligatoire');
      expect(status).not.to.match(/diagnosis|performanceStatus/);
      const underField = async (label: string) => page.locator(`#${await page.getByRole('combobox', { name: label, exact: true }).getAttribute('id')}-error`);
      const editionError = await underField('Édition de la classification UICC');
      expect(await editionError.innerText()).to.equal('Édition de la classification UICC : obligatoire (7, 8 ou 9)');
      expect(await (await underField('Score OMS')).innerText()).to.equal('Score OMS : obligatoire');
      expect((await apiAs(context, 'GET', `/fhir/Composition/${state.sheetId}/$rcp-sheet`)).body.data.discovery.comment).to.equal('Rectorragies');
      await checkA11y(page, 'hôpital : fiche RCP à corriger');
      await choose(page, 'Édition de la classification UICC', '8e');
      await choose(page, 'Score OMS', 'OMS 1');
      await editionError.waitFor({ state: 'detached' });
      state.saves.push((await savedSheet(page, saves)) ?? NaN);
      saves = await savesSoFar(page);
      await choose(page, 'Phase', 'Phase initiale');
      for (const [group, answer] of [['Progression locale', 'Oui'], ['Progression régionale', 'Oui'], ['Progression à distance', 'Non']] as const) {
        clickCount++;
        await page.getByRole('radiogroup', { name: group }).getByLabel(answer).check();
      }
      await click(page.getByRole('button', { name: 'Ajouter un examen' }));
      await page.getByLabel('Date (examen 1)').fill('2026-10-05');
      await page.getByLabel('Examen (examen 1)').fill('Scanner thoraco-abdomino-pelvien');
      await page.getByLabel('Résultat (examen 1)').fill('Pas de lésion à distance');
      await click(page.getByRole('button', { name: 'Ajouter un antécédent' }));
      await page.getByLabel('Antécédent (antécédent 1)').fill('Appendicectomie');
      // An antecedent is often known by its month or year only, typed the French way; the help says so in French.
      const antecedentDate = page.getByLabel('Date (antécédent 1)');
      expect(await page.getByText('Jour, mois ou année : 14/03/2019, 03/2019 ou 2012').count()).to.be.greaterThan(0);
      await antecedentDate.fill('13/2019');
      expect(await page.locator(`#${await antecedentDate.getAttribute('id')}-error`).innerText()).to.equal('Date attendue : JJ/MM/AAAA, MM/AAAA ou AAAA');
      await antecedentDate.fill('03/2019');
      state.saves.push((await savedSheet(page, saves)) ?? NaN);
      await page.waitForFunction(() => document.querySelector('[data-testid="completeness-session"]')?.getAttribute('data-complete') === 'true');
      expect(await sessionPanel.innerText()).to.match(/dossier complet/i);
      await checkA11y(page, 'hôpital : fiche RCP');
      await screenshot(page, 'hopital-fiche-rcp');

      // Saved on the server: a reload shows what was typed.
      await page.reload();
      await page.getByLabel('Résultat (examen 1)').waitFor();
      expect(await page.getByLabel('Résultat (examen 1)').inputValue()).to.equal('Pas de lésion à distance');
      expect(await page.getByLabel('T', { exact: true }).inputValue()).to.equal('cT3');
      expect(await page.getByLabel('Date (antécédent 1)').inputValue()).to.equal('03/2019');
      expect((await apiAs(context, 'GET', `/fhir/Composition/${state.sheetId}/$rcp-sheet`)).body.data.history).to.deep.equal([{ date: '2019-03', text: 'Appendicectomie' }]);

      // The diagnosis comes from the record: its fields are read-only, said so, but the physician comments on it.
      expect(await page.getByTestId('record-diagnosis').innerText()).to.contain('Repris du dossier du patient');
      const diagnosisComment = page.getByLabel('Commentaire sur le diagnostic');
      expect(await diagnosisComment.isEnabled()).to.equal(true);
      saves = await savesSoFar(page);
      await diagnosisComment.fill('Lésion hépatique douteuse à contrôler en IRM');
      await savedSheet(page, saves);
      expect((await apiAs(context, 'GET', `/fhir/Composition/${state.sheetId}/$rcp-sheet`)).body.data.diagnosis.comment).to.equal('Lésion hépatique douteuse à contrôler en IRM');

      // A stage changed on the page is a new assessment: the date read back with the previous
      // stage (assessed on 5 October here) is not sent back with it. A malformed T is refused
      // under its field. A WHO score chosen anew is dated today, not on the previous score's day.
      const sheetPath = `/fhir/Composition/${state.sheetId}/$rcp-sheet`;
      const stored = (await apiAs(context, 'GET', sheetPath)).body.data;
      const assessedEarlier = await apiAs(context, 'PATCH', sheetPath, { diagnosis: { ...stored.diagnosis, tnm: { ...stored.diagnosis.tnm, date: '2026-10-05' } } });
      expect(assessedEarlier.status, JSON.stringify(assessedEarlier.body)).to.equal(200);
      await page.reload();
      const tField = page.getByLabel('T', { exact: true });
      await tField.waitFor();
      await tField.fill('pT9z');
      await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.getAttribute('data-state') === 'invalid');
      expect(await page.locator(`#${await tField.getAttribute('id')}-error`).innerText()).to.match(/^T \(stade TNM\) : notation 'pT9z' non reconnue \(attendu : TX, T0, Tis/);
      saves = await savesSoFar(page);
      await tField.fill('cT4a');
      await savedSheet(page, saves);
      const restaged = (await apiAs(context, 'GET', sheetPath)).body.data;
      const ruleDay = [new Date().toISOString().slice(0, 10), restaged.meeting.date.slice(0, 10)].sort()[0];
      expect(restaged.diagnosis.tnm).to.include({ t: 'cT4a', date: ruleDay });
      saves = await savesSoFar(page);
      await choose(page, 'Score OMS', 'OMS 2');
      const whoDate = await page.getByLabel('Date d’évaluation du score OMS').inputValue();
      expect(whoDate).not.to.equal('2026-10-06');
      await savedSheet(page, saves);
      expect((await apiAs(context, 'GET', sheetPath)).body.data.performanceStatus).to.deep.equal({ who: 2, date: whoDate });
      const cases = await apiAs(context, 'GET', `/api/rcp/cases?patient=Patient/${state.patientId}`);
      state.caseId = cases.body[0].id;
      console.log(`      fiche RCP : ${clickCount} clics (hors saisie au clavier) ; enregistrements vus du navigateur : ${state.saves.map((s) => `${s} ms`).join(', ')}`);
      assertNoPageErrors(page);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });

  it('tells the physician that a probable duplicate outside her circle of care was handed to the identity-vigilance cell, naming no one', async function () {
    const family = `Bérenger${letters(6)}`;
    // Dr Aubert records « BÉRENGER Chloé Anne »: Dr Lambert does not follow her, her search does not see her.
    const other = await newPage();
    try {
      await signInAsDemo(other.page, 'physician', 'Marc Aubert', '/hopital');
      const created = await apiAs(other.context, 'POST', '/fhir/Patient', {
        resourceType: 'Patient', name: [{ use: 'official', family: family.toUpperCase(), given: ['Chloé', 'Anne'] }], gender: 'female', birthDate: '1985-01-08',
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
    } finally {
      await other.context.close();
    }
    const { page } = await newPage();
    try {
      await signInAsDemo(page, 'physician', 'Sophie Lambert', '/hopital');
      await page.getByRole('button', { name: 'Nouveau patient' }).click();
      const typedFamily = family.normalize('NFD').replace(/\p{M}/gu, '');
      await page.getByLabel('Nom de naissance').fill(typedFamily);
      await page.getByLabel('Prénoms de naissance').fill('Chloe');
      await page.getByLabel('Date de naissance').fill('1985-01-08');
      await choose(page, 'Sexe', 'Féminin');
      await page.getByRole('button', { name: 'Créer le dossier' }).click();
      await page.waitForURL(/\/hopital\/patients\/[^/]+$/);
      const notice = page.getByRole('alert').filter({ hasText: 'Doublon probable signalé à la cellule d’identitovigilance' });
      await notice.waitFor();
      expect(await notice.innerText()).not.to.contain(family.toUpperCase());
      await page.getByRole('heading', { level: 1, name: new RegExp(typedFamily, 'i') }).waitFor();
      await checkA11y(page, 'hôpital : doublon signalé à l’identitovigilance');
      assertNoPageErrors(page);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await page.context().close();
    }
  });

  /** Dr Lambert types in the sheet while the network is cut: the page keeps it on this computer. */
  async function typeOffline(page: Page, context: BrowserContext, text: string): Promise<void> {
    await signInAsDemo(page, 'physician', 'Sophie Lambert', `/hopital/fiches/${state.sheetId}`);
    const other = page.getByLabel('Autres informations utiles');
    await other.waitFor();
    await context.setOffline(true);
    await other.fill(text);
    await page.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.getAttribute('data-state') === 'offline');
  }

  it('keeps what is typed while the network is cut, and saves it when it comes back (even after the tab was closed)', async function () {
    if (!state.sheetId) this.skip();
    const { page, context } = await newPage();
    try {
      await typeOffline(page, context, 'Patiente très anxieuse : consultation d’annonce à prévoir');
      expect(await page.getByTestId('save-status').innerText()).to.contain('gardée sur ce poste');
      await page.close({ runBeforeUnload: false });

      await context.setOffline(false);
      const again = await context.newPage();
      await again.goto(`${(await browserWorld()).dcc.url}/hopital/fiches/${state.sheetId}`);
      await again.getByTestId('draft-restored').waitFor().catch(async (error) => {
        await failed(again);
        throw error;
      });
      await again.waitForFunction(() => document.querySelector('[data-testid="save-status"]')?.getAttribute('data-state') === 'saved');
      await again.reload();
      await again.getByLabel('Autres informations utiles').waitFor();
      expect(await again.getByLabel('Autres informations utiles').inputValue()).to.equal('Patiente très anxieuse : consultation d’annonce à prévoir');
      expect(await again.getByTestId('draft-restored').count()).to.equal(0);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });

  it('an explicit sign-out asks before erasing the unsaved copy of a sheet, then leaves no patient data in the browser', async function () {
    if (!state.sheetId) this.skip();
    const { page, context } = await newPage();
    try {
      await typeOffline(page, context, 'Saisie hors ligne, puis déconnexion');
      const copies = () => page.evaluate(() => Object.keys(window.localStorage).filter((k) => k.startsWith('dcc:fiche-rcp:')).length);
      expect(await copies()).to.equal(1);
      // Asked first: refusing keeps the copy and the session.
      const asked: string[] = [];
      page.once('dialog', (d) => { asked.push(d.message()); void d.dismiss(); });
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForTimeout(200);
      expect(asked[0]).to.contain('Une fiche RCP a des saisies pas encore enregistrées');
      expect(await copies()).to.equal(1);
      page.once('dialog', (d) => void d.accept());
      await page.getByRole('button', { name: 'Se déconnecter' }).click();
      await page.waitForURL(/\/connexion/);
      expect(await copies()).to.equal(0);
      await context.setOffline(false);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });

  it('records the decision, signs after a confirmation, refuses an edit, corrects with a reason (versions side by side)', async function () {
    if (!state.caseId) this.skip();
    const { page, context } = await newPage();
    try {
      await signInAsDemo(page, 'physician', 'Sophie Lambert', `/hopital/dossiers/${state.caseId}`);
      // The 3C's part (issue 15's pages): accept the case, open the session, take the attendance.
      const c = (await apiAs(context, 'GET', `/api/rcp/cases/${state.caseId}`)).body;
      expect((await apiAs(context, 'POST', `/api/rcp/cases/${state.caseId}/accept`, {})).status).to.equal(200);
      const started = await apiAs(context, 'POST', `/api/rcp/sessions/${c.sessionId}/start`, { rescheduleReason: 'Séance de test tenue ce jour' });
      expect(started.status, JSON.stringify(started.body)).to.equal(200);
      const board = (await apiAs(context, 'GET', `/api/rcp/boards/${c.boardId}`)).body;
      const attendance = board.members.filter((m: any) => m.membership === 'fixed').map((m: any) => ({ practitioner: m.practitioner, mode: 'present' }));
      const took = await apiAs(context, 'PUT', `/api/rcp/sessions/${c.sessionId}/attendance`, { attendance });
      expect(took.status, JSON.stringify(took.body)).to.equal(200);
      await page.reload();
      // Identity vigilance: the patient named, with the birth date, where one decides and signs for them.
      const identity = `${FAMILY.toUpperCase()} ${GIVEN} Louise`;
      await page.getByRole('heading', { level: 1, name: `Décision de la RCP — ${identity}` }).waitFor();
      expect(await page.getByTestId('patient-born').innerText()).to.equal('Née le 14 juin 1975');

      await page.getByRole('button', { name: 'Noter le dossier discuté en séance' }).click();
      await page.getByRole('heading', { level: 2, name: 'Proposition de la RCP' }).waitFor();
      await choose(page, 'Type (proposition 1)', 'Chirurgie');
      await page.getByLabel('Détail (proposition 1)').fill('Colectomie gauche par cœlioscopie');
      await page.getByRole('button', { name: 'Ajouter un traitement' }).click();
      await choose(page, 'Type (proposition 2)', 'Chimiothérapie');
      await page.getByLabel('Détail (proposition 2)').fill('Capécitabine adjuvante 6 mois si pN+');
      await page.getByRole('button', { name: 'Ajouter une alternative' }).click();
      await choose(page, 'Type (proposition 3)', 'Chimiothérapie');
      await page.getByLabel('Détail (proposition 3)').fill('FOLFOX néoadjuvant si refus de la chirurgie');
      await page.getByLabel('Référentiel utilisé').fill('TNCD — Cancer du côlon');
      await page.getByRole('radiogroup', { name: 'La proposition suit-elle le référentiel ?' }).getByLabel('Oui').check();
      // The trial question left blank: the server's rule beside it.
      await page.getByRole('button', { name: 'Enregistrer et signer…' }).click();
      const trialRule = page.getByText('Indiquez si une inclusion dans un essai clinique est proposée').first();
      await trialRule.waitFor();
      expect(await trialRule.innerText(), 'no field name of the API in the page').not.to.match(/clinicalTrial|true ou false/);
      await page.getByRole('radiogroup', { name: 'Inclusion dans un essai clinique proposée ?' }).getByLabel('Oui').check();
      await choose(page, 'Essai proposé (essais ouverts de la région)', /Essai fictif côlon adjuvant/);
      await checkA11y(page, 'hôpital : décision');
      // The sheet changes elsewhere meanwhile (another tab): the save is refused, the view read
      // again, what was typed kept; the second click saves it over the new version.
      const elsewhere = await apiAs(context, 'PATCH', `/fhir/Composition/${state.sheetId}/$rcp-sheet`, { otherData: 'Complété dans un autre onglet' });
      expect(elsewhere.status, JSON.stringify(elsewhere.body)).to.equal(200);
      const readAgain = page.waitForResponse((r) => r.request().method() === 'GET' && /\/api\/rcp\/cases\/[^/]+\/decision$/.test(new URL(r.url()).pathname));
      await page.getByRole('button', { name: 'Enregistrer et signer…' }).click();
      const stale = page.getByTestId('decision-stale');
      await stale.waitFor();
      expect(await stale.innerText()).to.contain('Vos saisies ci-dessus sont conservées').and.not.to.match(/If-Match|Composition\//);
      expect(await page.getByLabel('Détail (proposition 3)').inputValue()).to.equal('FOLFOX néoadjuvant si refus de la chirurgie');
      await readAgain;
      await page.getByRole('button', { name: 'Enregistrer et signer…' }).click();

      // The confirmation shows what will be signed.
      const dialog = page.getByRole('dialog', { name: 'Signer le compte rendu de RCP' });
      await dialog.waitFor();
      const shown = await dialog.innerText();
      expect(await dialog.getByTestId('sign-patient').innerText()).to.contain(`${identity}, née le 14 juin 1975`);
      // No GP declared for this patient: the report goes to the requester alone, and the box says so.
      expect(await dialog.getByTestId('sign-recipients').innerText()).to.match(/au seul médecin demandeur, .*Lambert : le patient n’a pas de médecin traitant déclaré/);
      expect(shown).to.contain('Première intention').and.to.contain('Colectomie gauche').and.to.contain('Alternative 1').and.to.contain('TNCD').and.to.contain('Essai fictif côlon adjuvant');
      await checkA11y(page, 'hôpital : confirmation de signature');
      // A refused signature shows the server's sentence and the way back to the sheet.
      await page.route('**/api/rcp/cases/*/sign', (route) => route.fulfill({
        status: 422, contentType: 'application/fhir+json',
        body: JSON.stringify({ resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'business-rule', details: { text: 'La fiche RCP est incomplète pour la signature.' } }] }),
      }), { times: 1 });
      await dialog.getByRole('button', { name: 'Signer' }).click();
      const backToSheet = dialog.getByTestId('error-message').getByRole('link', { name: 'Ouvrir la fiche RCP pour la compléter ou la relire' });
      expect(await backToSheet.getAttribute('href')).to.equal(`/hopital/fiches/${state.sheetId}`);
      await dialog.getByRole('button', { name: 'Signer' }).click();
      await page.getByTestId('signed-read-only').waitFor();
      expect(await page.getByTestId('case-state').innerText()).to.match(/signé/i);
      // The signed decision names the trial by its title, not by its FHIR reference.
      const signedSummary = await page.getByTestId('decision-summary').innerText();
      expect(signedSummary).to.match(/Essai clinique : proposé : Essai fictif côlon adjuvant/).and.not.to.contain('ResearchStudy/');
      await screenshot(page, 'hopital-decision-signee');

      // The signed report as a CDA document (CI-SIS FRCP), downloaded the way the physician clicks it.
      const [cda] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Télécharger le document CDA' }).click()]);
      expect(cda.suggestedFilename()).to.equal(`frcp-${state.sheetId}.xml`);
      const xml = await readFile(await cda.path(), 'utf8');
      expect(xml).to.match(/<ClinicalDocument[\s>]/).and.to.contain('Colectomie gauche');

      // After signature the sheet is read-only, and the server refuses an edit anyway.
      await page.getByRole('link', { name: 'Fiche RCP' }).click();
      await page.getByTestId('sheet-read-only').waitFor();
      expect(await page.getByLabel('Synthèse du cas présenté').isDisabled()).to.equal(true);
      const refused = await apiAs(context, 'PATCH', `/fhir/Composition/${state.sheetId}/$rcp-sheet`, { otherData: 'modification après signature' });
      expect(refused.status).to.equal(409);
      const pdf = await context.request.get(`${(await browserWorld()).dcc.url}/fhir/Composition/${state.sheetId}/$render?format=pdf`);
      expect((await pdf.body()).subarray(0, 5).toString()).to.equal('%PDF-');
      await page.goBack();

      // A correction asks for its reason, then shows both signed versions side by side.
      await page.getByRole('button', { name: 'Corriger le compte rendu' }).click();
      await page.getByLabel('Détail (proposition 2)').fill('Capécitabine adjuvante 6 mois (pN1 confirmé)');
      await page.getByRole('button', { name: 'Signer la correction' }).click();
      await page.getByText(/Le motif de la correction est obligatoire/).first().waitFor();
      await page.getByLabel('Motif de la correction').fill('Résultat anatomopathologique définitif reçu après la séance');
      await page.getByRole('button', { name: 'Signer la correction' }).click();
      const versions = page.getByTestId('versions');
      await versions.getByText('pN1 confirmé', { exact: false }).waitFor();
      await versions.getByText('6 mois si pN+', { exact: false }).waitFor();
      const text = await versions.innerText();
      expect(text).to.contain('première signature').and.to.contain('6 mois si pN+').and.to.contain('pN1 confirmé').and.to.contain('Résultat anatomopathologique définitif');
      await checkA11y(page, 'hôpital : versions');
      await screenshot(page, 'hopital-correction');
      assertNoPageErrors(page);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });

  it('builds the PPS from the decision (oral treatment: dose, intakes, cycles), hands it over, starts the PPAC, opens the PDFs', async function () {
    if (!state.caseId) this.skip();
    const { page, context } = await newPage();
    try {
      await signInAsDemo(page, 'physician', 'Sophie Lambert', `/hopital/dossiers/${state.caseId}`);
      await page.getByRole('link', { name: 'Programme de soins (PPS)' }).click();
      await page.getByRole('heading', { level: 1, name: `Établir le PPS — ${FAMILY.toUpperCase()} ${GIVEN} Louise` }).waitFor();
      expect(await page.getByTestId('patient-born').innerText()).to.equal('Née le 14 juin 1975');
      const treatments = page.getByTestId('pps-treatment');
      await treatments.first().waitFor();
      expect(await treatments.count()).to.equal(2); // the two first-choice lines; the alternative stays in the report
      await page.getByLabel(/^Début \(.*Colectomie/).fill('2026-12-14');
      await page.getByLabel(/^Traitement oral à domicile \(.*Capécitabine/).check();
      await page.getByLabel('Médicament').fill('Capécitabine');
      await page.getByLabel('Dose par prise').fill('1500');
      await page.getByLabel('Prises par jour').fill('2');
      await page.getByLabel('Jours de prise par cycle').fill('14');
      await page.getByLabel('Jours d’arrêt par cycle').fill('7');
      await page.getByLabel('Nombre de cycles').fill('8');
      await page.getByLabel(/^Début \(.*Capécitabine/).fill('2027-01-18');
      await checkA11y(page, 'hôpital : établir le PPS');
      await page.getByRole('button', { name: 'Établir le PPS' }).click();
      await page.getByRole('heading', { level: 1, name: 'Programme personnalisé de soins (PPS)' }).waitFor();
      expect(await page.getByTestId('programme-calendar').innerText()).to.contain('Capécitabine');
      // The oral treatment is dated by its MedicationRequest, as in the PDF (it showed « à préciser »).
      await page.getByTestId('programme-calendar').locator('tr', { hasText: 'Capécitabine' }).getByText('18 janvier 2027').waitFor();
      expect(await page.getByTestId('programme-calendar').locator('tr', { hasText: 'Capécitabine' }).innerText()).not.to.contain('à préciser');
      const ppsId = page.url().split('/').pop()!;

      // No GP declared for this patient: the GP question is not asked (it once was, and « Oui » printed
      // « partagé avec le médecin traitant »); the page says why, and the hand-over is recorded without it.
      const handOverPps = page.getByRole('region', { name: 'Remise au patient' });
      expect(await handOverPps.getByTestId('no-gp').innerText()).to.contain('Pas de médecin traitant déclaré : le PPS ne peut pas lui être envoyé');
      expect(await handOverPps.getByRole('radiogroup', { name: /envoyé à son médecin traitant/ }).count()).to.equal(0);
      await handOverPps.getByRole('button', { name: 'Enregistrer la remise' }).click();
      await page.getByText('Remis au patient').first().waitFor();
      const handedOver = await page.getByTestId('handed-over').innerText();
      expect(handedOver).to.contain('pas de médecin traitant déclaré');
      expect(handedOver).not.to.contain('partagé avec le médecin traitant');
      await checkA11y(page, 'hôpital : PPS');
      await screenshot(page, 'hopital-pps');

      // Issue 14: the handed-over PPS is edited by a new version that says why.
      const version = page.getByTestId('pps-version');
      const before = await version.innerText();
      const edit = page.getByRole('region', { name: 'Modifier le PPS remis au patient' });
      await edit.waitFor();
      // The oral treatment is listed (read-only), with where its dose and dates are changed.
      const oral = edit.getByTestId('pps-edit-oral');
      await oral.getByText('18 janvier 2027', { exact: false }).waitFor();
      expect(await oral.innerText()).to.contain('Capécitabine').and.to.contain('ne se modifient pas ici');
      await edit.getByLabel(/^Début \(.*Colectomie/).fill('2026-12-21');
      await edit.getByRole('button', { name: 'Enregistrer la nouvelle version' }).click();
      await edit.getByText('Indiquez le motif de la modification', { exact: false }).waitFor();
      await choose(page, 'Motif de la modification', 'Modification du calendrier');
      await edit.getByLabel('Précisions sur la modification').fill('Bloc opératoire décalé d’une semaine');
      await checkA11y(page, 'hôpital : modifier le PPS remis');
      await edit.getByRole('button', { name: 'Enregistrer la nouvelle version' }).click();
      await page.getByTestId('pps-updates').getByText(/Modification du calendrier — Bloc opératoire décalé d’une semaine/).waitFor();
      expect(await version.innerText()).not.to.equal(before);
      expect(await page.getByTestId('programme-calendar').innerText()).to.contain('21 décembre 2026');

      // Closing the PPS (end of treatment today) is confirmed first; cancelled here.
      await page.getByRole('button', { name: 'Établir le PPAC' }).click();
      await page.getByRole('alert').filter({ hasText: 'le PPS sera clos' }).waitFor();
      await page.getByRole('button', { name: 'Annuler' }).click();
      // Treatments run until June 2027: the PPAC is prepared ahead, the PPS stays in force.
      await page.getByRole('textbox', { name: 'Fin des traitements actifs' }).fill('2027-06-30');
      await page.getByLabel('Examens de surveillance').fill('Scanner thoraco-abdomino-pelvien\nDosage de l’ACE');
      // Only structures whose label holds today: the Luberon association lost it (withdrawn 2025-06-30).
      await page.getByRole('combobox', { name: 'Orientation soins de support (bilan des besoins)', exact: true }).click();
      await page.getByRole('option').first().waitFor();
      const offered = await page.getByRole('option').allInnerTexts();
      expect(offered.join(' | ')).not.to.contain('Luberon');
      const directory = await (await context.request.get(`${new URL(page.url()).origin}/api/directories/offer`)).json();
      expect(directory.entries.map((e: { name: string }) => e.name).join(' | '), 'the withdrawn structure is in the directory, only not offered').to.contain('Luberon');
      await page.getByRole('option').first().click();
      await page.getByRole('button', { name: 'Préparer le PPAC' }).click();
      await page.getByRole('heading', { level: 1, name: 'Programme personnalisé de l’après-cancer (PPAC)' }).waitFor();
      const rows = page.getByTestId('programme-calendar').locator('tr[data-by]');
      const by = await rows.evaluateAll((trs) => trs.map((tr) => tr.getAttribute('data-by')).filter(Boolean));
      expect(by.slice(0, 4)).to.deep.equal(['hospital', 'gp', 'hospital', 'gp']);
      await checkA11y(page, 'hôpital : PPAC');
      await screenshot(page, 'hopital-ppac');
      const ppacId = page.url().split('/').pop()!;
      // Handed over only from the end of active treatment: before it, refused and the PPS stays in force.
      const handOverPpac = page.getByRole('region', { name: 'Remise au patient' });
      await handOverPpac.getByTestId('no-gp').waitFor();
      await handOverPpac.getByRole('button', { name: 'Enregistrer la remise' }).click();
      await handOverPpac.getByText('il se remet au patient à partir de cette date', { exact: false }).waitFor();
      await page.goto(`${new URL(page.url()).origin}/hopital/programmes/${ppsId}`);
      await page.getByRole('status').filter({ hasText: 'Le PPAC a été préparé pour la fin des traitements actifs du 30 juin 2027' }).waitFor();
      expect(await page.getByText('Remis au patient').first().isVisible(), 'the PPS is still in force').to.equal(true);
      await page.goto(`${new URL(page.url()).origin}/hopital/programmes/${ppacId}`);
      await page.getByRole('heading', { level: 1, name: 'Programme personnalisé de l’après-cancer (PPAC)' }).waitFor();

      const origin = new URL(page.url()).origin;
      for (const href of [`/fhir/Composition/${state.sheetId}/$render?format=pdf`, `/fhir/CarePlan/${ppsId}/$render?format=pdf`, `/fhir/CarePlan/${ppacId}/$render?format=pdf`]) {
        const res = await context.request.get(`${origin}${href}`);
        expect(res.status(), href).to.equal(200);
        expect((await res.body()).subarray(0, 5).toString(), href).to.equal('%PDF-');
      }
      expect(await page.getByRole('link', { name: 'PPAC (PDF)' }).getAttribute('href')).to.equal(`/fhir/CarePlan/${ppacId}/$render?format=pdf`);
      // A wrong programme address says so in words (it showed « Établir le PPS » and « CarePlan/… introuvable »).
      await page.goto(`${origin}/hopital/programmes/programme-inexistant`);
      await page.getByRole('heading', { level: 1, name: 'Programme introuvable' }).waitFor({ timeout: 20_000 });
      expect(await page.locator('body').innerText()).not.to.contain('CarePlan/').and.not.to.contain('Établir le PPS');
      assertNoPageErrors(page);
    } finally {
      await context.close();
    }
  });
});
