import { expect } from 'chai';
import type { BrowserContext, Page } from 'playwright-core';
import type { CareTeam, Condition, Patient } from '@medplum/fhirtypes';
import { unique } from '../helpers/harness.ts';
import { withIdentity } from '../helpers/identity.ts';
import { assertNoPageErrors, browserWorld, checkA11y, describeBrowser, newPage, screenshot, signInAs } from './harness.ts';

/** The JSON API as the signed-in user of this context (cookie + CSRF token). */
async function apiAs(context: BrowserContext, method: 'GET' | 'POST' | 'PATCH', path: string, body?: unknown): Promise<{ status: number; body: any }> {
  const { dcc } = await browserWorld();
  const session = await (await context.request.get(`${dcc.url}/auth/session`)).json();
  const res = await context.request.fetch(`${dcc.url}${path}`, {
    method, headers: { 'content-type': 'application/json', 'x-csrf-token': session.csrfToken ?? '' },
    ...(body !== undefined ? { data: JSON.stringify(body) } : {}),
  });
  const text = await res.text();
  return { status: res.status(), body: text ? JSON.parse(text) : undefined };
}

/** A failed step leaves its page in test-results/screenshots (what the physician saw). */
async function failed(page: Page): Promise<void> {
  if (!page.isClosed()) await screenshot(page, `retrait-echec-${Date.now()}`).catch(() => undefined);
}

/**
 * The requesting physician withdraws his RCP request from the case page (« Retirer la demande »:
 * reason, confirmation), and a diagnosis a waiting case rests on is refused « saisie erronée »
 * with the server's sentence telling to withdraw the request first.
 */
describeBrowser('Web client: the requesting physician withdraws his RCP request (Chromium)', () => {
  const state: { boardId?: string; sessionId?: string } = {};

  before(async function () {
    // A board of our own (the demo physician chairs it, as the demo boards), so the demo agendas stay as the other tests expect them.
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'coordinator', '/coordination');
      const demo = (await apiAs(context, 'GET', '/api/rcp/boards')).body.find((b: any) => b.code === 'RCP-DIG-CHUM');
      expect(demo, 'demo digestive board').to.exist;
      const { id: _id, version: _v, coordinationCentreDisplay: _c, membersTeamId: _m, membersTeamVersion: _mv, ...settings } = demo;
      const today = new Date().toISOString().slice(0, 10);
      const created = await apiAs(context, 'POST', '/api/rcp/boards', {
        ...settings, code: unique('RCP-RETRAIT-').toUpperCase(), name: unique('RCP digestive (retrait) '), overrides: [], capacity: 6, registrationCutoffHours: 1, horizonDays: 21,
        requireCompleteSheet: false,
        schedule: { rrule: 'FREQ=WEEKLY;BYDAY=MO,TU,WE,TH,FR', startTime: '18:00', endTime: '19:00', from: today, timeZone: 'Europe/Paris' },
      });
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      state.boardId = created.body.id;
      expect((await apiAs(context, 'POST', `/api/rcp/boards/${state.boardId}/sessions/generate`, {})).status).to.equal(200);
      const planned = (await apiAs(context, 'GET', `/api/rcp/boards/${state.boardId}/sessions?state=planned`)).body as { id: string; start: string }[];
      // Registrations close an hour before: a session at least a day ahead is open whatever the time of the run.
      state.sessionId = planned.find((s) => new Date(s.start).getTime() > Date.now() + 24 * 3_600_000)?.id;
      expect(state.sessionId, 'an open session').to.be.a('string');
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });

  it('refuses the diagnosis « saisie erronée » while the case waits, then « Retirer la demande » (reason, confirmation) withdraws it and the page says so', async () => {
    const { dcc } = await browserWorld();
    const { page, context } = await newPage();
    try {
      await signInAs(page, 'physician', '/hopital');
      const me = (await (await context.request.get(`${dcc.url}/auth/session`)).json()).principal.practitionerId as string;
      const store = dcc.services.store.system();
      const family = unique('Retrait');
      const patient = await store.create<Patient>(withIdentity({ resourceType: 'Patient', name: [{ family, given: ['Odile'] }], gender: 'female', birthDate: '1960-02-11' }) as Patient);
      await store.create<CareTeam>({ resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${patient.id}` }, participant: [{ member: { reference: `Practitioner/${me}` } }] });
      const condition = await store.create<Condition>({
        resourceType: 'Condition', subject: { reference: `Patient/${patient.id}` },
        clinicalStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-clinical', code: 'active' }] },
        verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'confirmed' }] },
        extension: [{ url: 'http://hl7.org/fhir/us/mcode/StructureDefinition/mcode-histology-morphology-behavior', valueCodeableConcept: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/icd-o-3', code: '8140/3', display: 'Adénocarcinome, SAI' }] } }],
        code: { coding: [{ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' }] },
        onsetDateTime: '2026-01-20',
      });
      const registered = await apiAs(context, 'POST', '/api/rcp/cases', {
        session: `Appointment/${state.sessionId}`, patient: `Patient/${patient.id}`, condition: `Condition/${condition.id}`, motif: 'treatment-proposal',
        question: 'Chirurgie première ou traitement néoadjuvant ?', summary: 'Adénocarcinome du sigmoïde découvert sur rectorragies.',
        patientInformed: true, patientNonOpposition: true, gpInformed: true,
      });
      expect(registered.status, JSON.stringify(registered.body)).to.equal(201);
      const caseId = registered.body.case.id as string;

      // The diagnosis the waiting case rests on: refused, with the server's sentence as it is written.
      await page.goto(`${dcc.url}/hopital/patients/${patient.id}`);
      await page.getByTestId('diagnoses').getByRole('button', { name: /Déclarer une saisie erronée : C18\.7/ }).click();
      const wrong = page.getByRole('dialog', { name: 'Déclarer une saisie erronée' });
      await wrong.getByLabel('Motif de la saisie erronée').fill('Diagnostic saisi dans le dossier d’une homonyme');
      await wrong.getByRole('button', { name: 'Confirmer la saisie erronée' }).click();
      const refusal = wrong.getByRole('alert').filter({ hasText: 'Retirez d’abord' }).or(wrong.getByRole('alert').filter({ hasText: "Retirez d'abord" }));
      await refusal.waitFor();
      const said = await refusal.innerText();
      expect(said).to.contain("Retirez d'abord la demande d'inscription à la RCP du").and.contain('Retirer la demande');
      expect(said).to.not.match(/resourceType|OperationOutcome|[{}]/);
      await checkA11y(page, 'saisie erronée refusée');
      await wrong.getByRole('button', { name: 'Annuler' }).click();
      await wrong.waitFor({ state: 'hidden' });

      // The case page, reached from the record's case table (« Dossier », not « Décision », while it waits):
      // the requester is offered « Retirer la demande ».
      const row = page.getByTestId('cases').getByRole('row').filter({ hasText: 'Chirurgie première ou traitement néoadjuvant ?' });
      expect(await row.getByRole('link', { name: 'Décision' }).count(), 'no decision yet').to.equal(0);
      await row.getByRole('link', { name: 'Dossier', exact: true }).click();
      await page.waitForURL(`**/hopital/dossiers/${caseId}`);
      const header = page.getByTestId('case-state');
      await header.getByRole('button', { name: 'Retirer la demande' }).waitFor();
      await header.getByRole('button', { name: 'Retirer la demande' }).click();
      const dialog = page.getByRole('dialog', { name: 'Retirer la demande d’inscription à la RCP ?' });
      await dialog.waitFor();
      const confirm = dialog.getByRole('button', { name: 'Retirer la demande' });
      expect(await confirm.isDisabled(), 'no reason, no withdrawal').to.equal(true);
      await dialog.getByLabel('Motif du retrait').fill('Diagnostic saisi dans le mauvais dossier');
      await checkA11y(page, 'retrait de la demande');
      await confirm.click();
      await page.getByText('Demande d’inscription à la RCP retirée').waitFor();
      await dialog.waitFor({ state: 'hidden' });
      await header.getByText('retiré', { exact: true }).waitFor();
      expect(await header.innerText()).to.contain('Diagnostic saisi dans le mauvais dossier');
      expect(await header.getByRole('button', { name: 'Retirer la demande' }).count(), 'withdrawn is final').to.equal(0);
      expect((await apiAs(context, 'GET', `/api/rcp/cases/${caseId}`)).body).to.include({ state: 'withdrawn', mayWithdraw: false });
      // Withdrawn, the request is no decision: its page is the request's.
      await page.getByRole('heading', { level: 1, name: /^Demande d’inscription en RCP — / }).waitFor();

      // Its RCP sheet is read-only, said so with the reason; nothing is « missing » for a session it will not go to.
      const sheetId = String(registered.body.case.sheet).split('/')[1];
      await page.goto(`${dcc.url}/hopital/fiches/${sheetId}`);
      const notice = page.getByTestId('sheet-read-only');
      await notice.waitFor();
      expect(await notice.innerText()).to.contain('Demande retirée — motif : Diagnostic saisi dans le mauvais dossier');
      expect(await page.locator('fieldset[disabled]').count(), 'the form is disabled').to.be.greaterThan(0);
      expect(await page.getByTestId('completeness-session').count()).to.equal(0);
      expect(await page.getByRole('button', { name: 'Enregistrer maintenant' }).count()).to.equal(0);
      const refused = await apiAs(context, 'PATCH', `/fhir/Composition/${sheetId}/$rcp-sheet`, { otherData: 'Après le retrait' });
      expect(refused.status, JSON.stringify(refused.body)).to.equal(409);
      expect(refused.body.issue[0].details.text).to.contain("La demande d'inscription a été retirée le").and.contain("la fiche n'est plus modifiable");
      await checkA11y(page, 'fiche d’une demande retirée');

      // On the record, the withdrawn case links to its « Dossier », not to a « Décision ».
      await page.goto(`${dcc.url}/hopital/patients/${patient.id}`);
      await row.getByRole('link', { name: 'Dossier', exact: true }).waitFor();
      expect(await row.getByRole('link', { name: 'Décision' }).count(), 'withdrawn: no decision').to.equal(0);

      // Withdrawn, the diagnosis is now declared « saisie erronée ».
      await page.getByTestId('diagnoses').getByRole('button', { name: /Déclarer une saisie erronée : C18\.7/ }).click();
      await wrong.getByLabel('Motif de la saisie erronée').fill('Diagnostic saisi dans le dossier d’une homonyme');
      await wrong.getByRole('button', { name: 'Confirmer la saisie erronée' }).click();
      await page.getByTestId('diagnoses').getByText('Saisie erronée', { exact: true }).waitFor();
      assertNoPageErrors(page);
    } catch (error) {
      await failed(page);
      throw error;
    } finally {
      await context.close();
    }
  });
});
