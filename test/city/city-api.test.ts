import { expect } from 'chai';
import { SummaryViewStore } from '../../server/store/summary-view-store.ts';
import { unique } from '../helpers/harness.ts';
import { api, as, changeOral, create, newCase, ppsHandedOver, signReport, startCityServer, updatePps, type CityWorld } from './fixtures.ts';
import { professional } from '../helpers/users.ts';

const kinds = (body: any) => body.items.map((i: any) => i.kind.code);

/**
 * "Mes patients" and "ce qui a changé" through the real HTTP API, as the GP, the city nurse and
 * pharmacist of each case (real Practitioner resources: the circle of care and objections apply).
 */
describe('City: my patients and what changed since I last looked', () => {
  let world: CityWorld;
  before(async () => {
    world = await startCityServer();
  });
  after(() => world.close());

  it('a GP and a nurse with sixty patients each get their lists and what changed (patient searches cut to what the search parser accepts)', async () => {
    const key = unique('many');
    const gp = await create(world, { resourceType: 'Practitioner', name: [{ family: `Généraliste-${key}`, given: ['Marc'] }] });
    const nurse = await create(world, { resourceType: 'Practitioner', name: [{ family: `Infirmière-${key}`, given: ['Anne'] }] });
    world.users[`${key}.gp`] = professional('Dr Marc Généraliste', ['gp'], { practitionerId: gp.id });
    world.users[`${key}.nurse`] = professional('Anne Infirmière', ['nurse'], { practitionerId: nurse.id });
    // Sixty ids are about 2,200 characters in one _id / subject parameter: over the parser's 2,048.
    for (let batch = 0; batch < 6; batch++) {
      await Promise.all(Array.from({ length: 10 }, async (_, i) => {
        const patient = await create(world, {
          resourceType: 'Patient', name: [{ family: `Nombreux${batch}${i}-${key}`, given: ['Paul'] }], gender: 'male', birthDate: '1950-01-01',
          generalPractitioner: [{ reference: `Practitioner/${gp.id}` }],
        });
        await create(world, {
          resourceType: 'CareTeam', status: 'active', subject: { reference: `Patient/${patient.id}` },
          participant: [{ member: { reference: `Practitioner/${nurse.id}` } }],
        });
      }));
    }
    for (const user of [`${key}.gp`, `${key}.nurse`]) {
      const list = await api(world, user, 'GET', '/patients');
      expect(list.status, JSON.stringify(list.body)).to.equal(200);
      expect(list.body.total).to.equal(60);
      const changes = await api(world, user, 'GET', '/changes');
      expect(changes.status, JSON.stringify(changes.body)).to.equal(200);
    }
  });

  it('the GP sees the patients they are the declared GP of, not another GP’s; nurse and pharmacist through the care team, with their role', async () => {
    const a = await newCase(world);
    const b = await newCase(world);
    const gp = await api(world, a.user('gp'), 'GET', '/patients');
    expect(gp.status, JSON.stringify(gp.body)).to.equal(200);
    expect(gp.body.items.map((i: any) => i.id)).to.deep.equal([a.patientId]);
    expect(gp.body.total).to.equal(1);
    const item = gp.body.items[0];
    expect(item).to.include({ reference: `Patient/${a.patientId}`, birthDate: '1958-03-14', name: `${a.family.toUpperCase()} Hélène Marie`, lastSummaryView: null });
    expect(item.reasons).to.deep.equal([{ code: 'general-practitioner', label: 'Médecin traitant' }]);
    expect(item.links.summary).to.equal(`/fhir/Patient/${a.patientId}/$summary`);
    expect((await api(world, b.user('gp'), 'GET', '/patients')).body.items.map((i: any) => i.id)).to.deep.equal([b.patientId]);

    const nurse = (await api(world, a.user('nurse'), 'GET', '/patients')).body;
    expect(nurse.items.map((i: any) => i.id)).to.deep.equal([a.patientId]);
    expect(nurse.items[0].reasons).to.have.length(1);
    expect(nurse.items[0].reasons[0]).to.include({ code: 'care-team', label: 'Équipe de soins', role: 'Infirmière libérale (IDEL)' });
    const pharmacist = (await api(world, a.user('pharmacist'), 'GET', '/patients')).body;
    expect(pharmacist.items[0].reasons[0]).to.include({ code: 'care-team', role: "Pharmacien d'officine" });
    // A professional of another case has nothing to do with this patient.
    expect((await api(world, b.user('nurse'), 'GET', '/changes?patient=' + a.patientId)).status).to.equal(404);
  });

  it('searches my patients by name: each word starts a name, accents and case ignored; total and paging follow the search', async () => {
    const a = await newCase(world);
    const nurse = a.user('nurse');
    const found = async (name: string) => (await api(world, nurse, 'GET', `/patients?name=${encodeURIComponent(name)}`)).body;
    const family = a.family.toLowerCase();
    expect((await found(`${family.slice(0, 4)} hele`)).items.map((i: any) => i.id)).to.deep.equal([a.patientId]);
    expect((await found('HÉLÈNE marie')).total).to.equal(1);
    expect((await found('lène')).total).to.equal(0); // not the middle of a name
    expect((await found(`${family} zzz`)).items).to.deep.equal([]);
  });

  it('a patient who objected to the GP disappears from the GP’s patients and changes; the care team still sees them', async () => {
    const c = await newCase(world);
    await ppsHandedOver(world, c);
    expect((await api(world, c.user('gp'), 'GET', '/patients')).body.total).to.equal(1);
    await create(world, {
      resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${c.patientId}` },
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny', actor: [{ role: { text: 'médecin traitant' }, reference: { reference: `Practitioner/${c.practitioners.gp}` } }] },
    });
    const gp = await api(world, c.user('gp'), 'GET', '/patients');
    expect(gp.body).to.include({ total: 0, count: 0 });
    expect((await api(world, c.user('gp'), 'GET', '/changes')).body.items).to.deep.equal([]);
    expect((await api(world, c.user('gp'), 'GET', `/changes?patient=${c.patientId}`)).status).to.equal(404);
    expect((await api(world, c.user('gp'), 'POST', `/patients/${c.patientId}/seen`)).status).to.equal(404);
    expect((await api(world, c.user('nurse'), 'GET', '/patients')).body.items.map((i: any) => i.id)).to.deep.equal([c.patientId]);
  });

  it('only identified professionals with patients: coordinator, administrator, service account get 403', async () => {
    const c = await newCase(world);
    const coordinator = await api(world, c.user('coordinator'), 'GET', '/patients');
    expect(coordinator.status).to.equal(403);
    expect(coordinator.body.resourceType).to.equal('OperationOutcome');
    expect(coordinator.body.issue[0].details.text).to.contain('Mes patients');
    world.users[`${c.user('gp')}.admin`] = professional('Admin', ['admin'], { practitionerId: c.practitioners.coordinator });
    expect((await api(world, `${c.user('gp')}.admin`, 'GET', '/changes')).status).to.equal(403);
    expect((await api(world, 'system', 'GET', '/patients')).status).to.equal(403);
    world.users[`${c.user('gp')}.noid`] = { displayName: 'GP sans annuaire', roles: ['gp'], authMethod: 'saml' };
    const noId = await api(world, `${c.user('gp')}.noid`, 'GET', '/patients');
    expect(noId.status).to.equal(403);
    expect(noId.body.issue[0].details.text).to.contain("identifié dans l'annuaire");
  });

  it('a signed RCP report, the PPS handed over then updated with its reason, the oral treatment suspended: each appears with its label, newest first', async () => {
    const c = await newCase(world);
    const report = await signReport(world, c);
    const { pps } = await ppsHandedOver(world, c);
    await updatePps(world, c, pps);
    const suspended = await changeOral(world, c, (mr) => {
      mr.status = 'on-hold';
      mr.statusReason = { text: 'Syndrome main-pied de grade 3' };
    });

    const gp = await api(world, c.user('gp'), 'GET', '/changes');
    expect(gp.status, JSON.stringify(gp.body)).to.equal(200);
    // The PPS in preparation is not the GP's to read: it first appears handed over (as its oral
    // treatment, prescribed in the PPS's transaction, appears beside it).
    expect(kinds(gp.body).slice(0, 2)).to.deep.equal(['oral-treatment-suspended', 'pps-updated']);
    expect(kinds(gp.body).slice(2, 4)).to.have.members(['pps-handed-over', 'oral-treatment-prescribed']);
    expect(kinds(gp.body)).not.to.include('pps-created');
    expect(kinds(gp.body)[4]).to.equal('rcp-report-signed');
    const [suspension, update] = gp.body.items;
    const handOver = gp.body.items.find((i: any) => i.kind.code === 'pps-handed-over');
    const signed = gp.body.items[4];
    const prescribed = gp.body.items.find((i: any) => i.kind.code === 'oral-treatment-prescribed');
    expect(suspension).to.deep.include({ kind: { code: 'oral-treatment-suspended', label: 'Traitement oral suspendu' }, reason: 'Syndrome main-pied de grade 3' });
    expect(suspension.description).to.equal('Capécitabine 500 mg, comprimé suspendu — motif : Syndrome main-pied de grade 3');
    expect(suspension.resource).to.deep.equal({
      reference: `MedicationRequest/${suspended.id}/_history/2`, type: 'MedicationRequest', id: suspended.id, versionId: '2', link: `/fhir/MedicationRequest/${suspended.id}/_history/2`,
    });
    expect(suspension.patient).to.deep.equal({ id: c.patientId, reference: `Patient/${c.patientId}`, name: `${c.family.toUpperCase()} Hélène Marie` });
    expect(suspension.date).to.equal(suspended.meta.lastUpdated);
    expect(update.kind.label).to.equal('PPS mis à jour');
    expect(update.reason).to.equal('Modification du calendrier — Bloc opératoire reporté d’une semaine');
    expect(update.resource.reference).to.equal(`CarePlan/${pps.id}/_history/3`);
    expect(handOver.description).to.equal('PPS remis au patient le 10 février 2026');
    expect(prescribed.description).to.contain('Capécitabine 500 mg, comprimé : 1\u202f500 mg par prise, 2 prises par jour, cycles 14 j sur 21, 8 cycles, à partir du 30 mars 2026');
    expect(signed).to.deep.include({ kind: { code: 'rcp-report-signed', label: 'Compte rendu de RCP signé' } });
    expect(signed.resource.reference).to.equal(`Composition/${report.id}/_history/${report.meta.versionId}`);
    expect(signed.description).to.contain('compte rendu signé par');
    const dates = gp.body.items.map((i: any) => i.date);
    expect(dates).to.deep.equal([...dates].sort().reverse());

    // The list says how many changes there are since my last look, and when the last one was.
    const item = (await api(world, c.user('gp'), 'GET', '/patients')).body.items[0];
    expect(item).to.include({ changesSinceLastView: 5, lastChange: suspended.meta.lastUpdated, lastSummaryView: null });

    // The pharmacist reads no RCP report nor PPS: only the treatment changes, without a refusal.
    const pharmacist = await api(world, c.user('pharmacist'), 'GET', '/changes');
    expect(pharmacist.status).to.equal(200);
    expect(kinds(pharmacist.body)).to.deep.equal(['oral-treatment-suspended', 'oral-treatment-prescribed']);
    expect((await api(world, c.user('pharmacist'), 'GET', '/patients')).body.items[0].changesSinceLastView).to.equal(2);
    // The nurse reads the programme once handed over and the treatment, not the RCP report.
    expect(kinds((await api(world, c.user('nurse'), 'GET', '/changes')).body)).to.have.members(['oral-treatment-suspended', 'pps-updated', 'pps-handed-over', 'oral-treatment-prescribed']);
  });

  it('nurse and pharmacist: each badge of "my patients" counts exactly what "what changed" lists for that patient — what their profession may read — until « Marquer comme vu », not when the summary is opened', async () => {
    const c = await newCase(world);
    const other = await newCase(world); // a second patient of other professionals: never counted
    await signReport(world, c); // read by neither: no RCP discussion for the nurse, treatments only for the pharmacist
    const { pps } = await ppsHandedOver(world, c);
    await updatePps(world, c, pps);
    await changeOral(world, c, (mr) => {
      mr.status = 'on-hold';
      mr.statusReason = { text: 'Neutropénie' };
    });
    await ppsHandedOver(world, other);
    const expected = {
      // Never the PPS in preparation (« PPS établi … pas encore remis au patient »): first seen handed over.
      nurse: ['oral-treatment-suspended', 'pps-updated', 'pps-handed-over', 'oral-treatment-prescribed'],
      pharmacist: ['oral-treatment-suspended', 'oral-treatment-prescribed'],
    };
    for (const role of ['nurse', 'pharmacist'] as const) {
      const user = c.user(role);
      const agree = async (count: number) => {
        const listed = (await api(world, user, 'GET', '/patients')).body.items;
        const feed = (await api(world, user, 'GET', '/changes?_count=100')).body.items;
        expect(listed.map((i: any) => [i.id, i.changesSinceLastView]), role).to.deep.equal([[c.patientId, count]]);
        expect(feed.filter((i: any) => i.patient.id === c.patientId), role).to.have.length(count);
        expect(feed, role).to.have.length(count);
        return feed;
      };
      expect(kinds({ items: await agree(expected[role].length) }), role).to.have.members(expected[role]);
      // Nor by version: the PPS in preparation (version 1) is no more readable than it was before its hand-over.
      // (the pharmacist reads no CarePlan at all: 403.)
      expect((await as(world.server, user, 'GET', `/CarePlan/${pps.id}/_history/1`)).status, role).to.equal(role === 'nurse' ? 404 : 403);
      if (role === 'nurse') expect((await as(world.server, user, 'GET', `/CarePlan/${pps.id}/_history/${pps.meta.versionId}`)).status).to.equal(200);
      // The list says "née" for her: it carries the gender.
      expect((await api(world, user, 'GET', '/patients')).body.items[0].gender).to.equal('female');

      // Opening the summary (a record opened by mistake, the PDF) acknowledges nothing: the changes stay new.
      const opened = await as(world.server, user, 'GET', `/Patient/${c.patientId}/$summary?audience=${role}&_format=json`);
      expect(opened.status, JSON.stringify(opened.body)).to.equal(200);
      expect((await as(world.server, user, 'GET', `/Patient/${c.patientId}/$summary?audience=${role}&_format=pdf`)).status).to.equal(200);
      await agree(expected[role].length);
      // « Marquer comme vu » does, for both lists at once.
      expect((await api(world, user, 'POST', `/patients/${c.patientId}/seen`)).status).to.equal(204);
      await agree(0);
    }
  });

  it('says what changed in the treatment: resumed, then the dose and dates; stopped with its reason', async () => {
    const c = await newCase(world);
    await ppsHandedOver(world, c);
    await changeOral(world, c, (mr) => {
      mr.status = 'on-hold';
      mr.statusReason = { text: 'Neutropénie' };
    });
    await changeOral(world, c, (mr) => {
      mr.status = 'active';
      delete mr.statusReason;
    });
    await changeOral(world, c, (mr) => {
      for (const d of mr.dosageInstruction) d.doseAndRate[0].doseQuantity.value = 1000;
      mr.dosageInstruction = mr.dosageInstruction.slice(0, 6);
      mr.extension.find((e: any) => e.url.endsWith('/dcc-treatment-cycle-count')).valueInteger = 6;
    });
    await changeOral(world, c, (mr) => {
      mr.status = 'stopped';
      mr.statusReason = { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/medicationrequest-status-reason', code: 'salg', display: 'Intolérance' }] };
    });
    const items = (await api(world, c.user('pharmacist'), 'GET', '/changes')).body.items;
    expect(items.map((i: any) => i.kind.code)).to.deep.equal(['oral-treatment-stopped', 'oral-treatment-changed', 'oral-treatment-resumed', 'oral-treatment-suspended', 'oral-treatment-prescribed']);
    expect(items[0].description).to.equal('Capécitabine 500 mg, comprimé arrêté — motif : Intolérance');
    expect(items[1].description).to.equal('Capécitabine 500 mg, comprimé modifié — dose par prise : 1\u202f500 mg → 1\u202f000 mg ; cycle : 14 j sur 21, 8 cycles → 14 j sur 21, 6 cycles ; fin : 6 septembre 2026 → 26 juillet 2026');
    expect(items[2].kind.label).to.equal('Traitement oral repris');
  });

  it('after "seen" the changes disappear; a later change appears alone; an explicit since brings all back; seen up to the newest change shown keeps a later one new', async () => {
    const c = await newCase(world);
    await ppsHandedOver(world, c);
    expect((await api(world, c.user('gp'), 'GET', '/changes')).body.count).to.equal(2); // handed over, its oral treatment
    const seen = await api(world, c.user('gp'), 'POST', `/patients/${c.patientId}/seen`);
    expect(seen.status).to.equal(204);
    expect((await api(world, c.user('gp'), 'GET', '/changes')).body.items).to.deep.equal([]);
    const listed = (await api(world, c.user('gp'), 'GET', '/patients')).body.items[0];
    expect(listed.changesSinceLastView).to.equal(0);
    expect(listed.lastSummaryView).to.be.a('string');
    expect(listed.changesSince).to.equal(listed.lastSummaryView);
    expect(listed.lastChange).to.be.a('string');

    await changeOral(world, c, (mr) => {
      mr.status = 'on-hold';
      mr.statusReason = { text: 'Hospitalisation' };
    });
    expect(kinds((await api(world, c.user('gp'), 'GET', '/changes')).body)).to.deep.equal(['oral-treatment-suspended']);
    expect(kinds((await api(world, c.user('gp'), 'GET', `/changes?patient=${c.patientId}&since=2020-01-01`)).body)).to.have.length(3);

    // « Marquer comme vu » up to the newest change the nurse was shown: the one recorded after it stays new.
    const shown = (await api(world, c.user('nurse'), 'GET', '/changes')).body.items;
    expect(shown).to.have.length(3);
    const newestShown = shown[1].date; // as if the suspension had come in after the page was read
    expect((await api(world, c.user('nurse'), 'POST', `/patients/${c.patientId}/seen?until=${encodeURIComponent(newestShown)}`)).status).to.equal(204);
    expect(kinds((await api(world, c.user('nurse'), 'GET', '/changes')).body)).to.deep.equal(['oral-treatment-suspended']);
    const badUntil = await api(world, c.user('nurse'), 'POST', `/patients/${c.patientId}/seen?until=hier`);
    expect(badUntil.status).to.equal(400);
    expect(badUntil.body.issue[0].expression).to.deep.equal(['until']);
    // The summary view store moved by hand has the same effect as the button.
    await new SummaryViewStore(world.server.services.store.db).record(c.practitioners.nurse, c.patientId, new Date());
    expect((await api(world, c.user('nurse'), 'GET', '/changes')).body.items).to.deep.equal([]);
  });

  it('paging: the cursor walks every change and every patient exactly once, even when changes are recorded between pages', async () => {
    const c = await newCase(world);
    await signReport(world, c);
    await ppsHandedOver(world, c);
    for (const reason of ['Neutropénie', 'Reprise']) {
      await changeOral(world, c, (mr) => {
        mr.status = mr.status === 'active' ? 'on-hold' : 'active';
        mr.statusReason = { text: reason };
      });
    }
    const all = (await api(world, c.user('gp'), 'GET', '/changes?_count=100')).body.items.map((i: any) => i.resource.reference);
    expect(all).to.have.length(5);

    const walked: string[] = [];
    let page = await api(world, c.user('gp'), 'GET', '/changes?_count=2');
    let pages = 0;
    for (;;) {
      pages++;
      walked.push(...page.body.items.map((i: any) => i.resource.reference));
      if (pages === 1) {
        // A change recorded while paging is newer than the cursor: it does not shift the next pages.
        await changeOral(world, c, (mr) => { mr.status = 'on-hold'; mr.statusReason = { text: 'Pendant la lecture' }; });
      }
      if (!page.body.next) break;
      expect(page.body.next).to.match(/^\/api\/city\/changes\?_count=2&cursor=/);
      page = await api(world, c.user('gp'), 'GET', page.body.next.slice('/api/city'.length));
    }
    expect(pages).to.equal(3);
    expect(walked).to.deep.equal(all);

    // Patients by name: three more patients of the same GP.
    const families = ['Zola', 'Éluard', 'Abadie'].map((f) => `${f}${unique('').slice(-5)}`);
    for (const family of families) {
      await create(world, { resourceType: 'Patient', name: [{ use: 'official', family, given: ['Jean'] }], gender: 'male', birthDate: '1950-01-01', generalPractitioner: [{ reference: `Practitioner/${c.practitioners.gp}` }] });
    }
    const names: string[] = [];
    let cursor: string | undefined;
    do {
      const res = await api(world, c.user('gp'), 'GET', `/patients?_count=1${cursor ? `&cursor=${cursor}` : ''}`);
      expect(res.status, JSON.stringify(res.body)).to.equal(200);
      expect(res.body.items).to.have.length(1);
      names.push(res.body.items[0].name.split(' ')[0]);
      cursor = res.body.cursor;
    } while (cursor);
    // Accents ignored in the order: Éluard between Castellani and Zola.
    expect(names).to.deep.equal([families[2]!, c.family, families[1]!, families[0]!].map((f) => f.toUpperCase()));
  });

  it('rejects an altered cursor, a cursor of the other list, a bad since or _count (400)', async () => {
    const c = await newCase(world);
    const bad = await api(world, c.user('gp'), 'GET', '/changes?cursor=abc');
    expect(bad.status).to.equal(400);
    expect(bad.body.issue[0].details.text).to.contain('pagination');
    const other = Buffer.from(JSON.stringify(['patients', 'x', 'y'])).toString('base64url');
    expect((await api(world, c.user('gp'), 'GET', `/changes?cursor=${other}`)).status).to.equal(400);
    const since = await api(world, c.user('gp'), 'GET', '/changes?since=hier');
    expect(since.status).to.equal(400);
    expect(since.body.issue[0].expression).to.deep.equal(['since']);
    expect((await api(world, c.user('gp'), 'GET', '/patients?_count=0')).status).to.equal(400);
    expect((await as(world.server, c.user('gp'), 'GET', `/Patient/${c.patientId}`)).status).to.equal(200);
  });
});
