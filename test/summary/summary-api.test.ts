import { expect } from 'chai';
import type { Bundle, Composition } from '@medplum/fhirtypes';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import { SummaryViewStore } from '../../server/store/summary-view-store.ts';
import { HOTLINE, as, createSummaryCase, outsider, rcpSheetWorld, signedRcpSheet, startSummaryPpac, startSummaryServer, type SummaryServer } from './fixtures.ts';
import { colonCancerSheet } from '../rcp-sheet/fixtures.ts';
import { asUser, professional, testUsers } from '../helpers/users.ts';

const SECTION_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/dcc-summary-section';
const SHARING = 'https://dcc-paca.example/fhir/CodeSystem/dcc-sharing-event';

const composition = (bundle: Bundle) => bundle.entry![0]!.resource as Composition;
const section = (bundle: Bundle, code: string) => composition(bundle).section!.find((s) => s.code?.coding?.some((c) => c.system === SECTION_SYSTEM && c.code === code));
const resources = (bundle: Bundle, type: string) => (bundle.entry ?? []).map((e) => e.resource!).filter((r) => r.resourceType === type);
const narrative = (bundle: Bundle, code: string) => section(bundle, code)?.text?.div ?? '';

/** The document rules every summary keeps: Composition first, every reference it makes inside the Bundle, valid FHIR. */
function expectValidDocument(bundle: Bundle): void {
  expect(bundle.resourceType).to.equal('Bundle');
  expect(bundle.type).to.equal('document');
  expect(bundle.identifier?.value).to.match(/^urn:uuid:/);
  expect(bundle.timestamp).to.be.a('string');
  const c = composition(bundle);
  expect(c.resourceType).to.equal('Composition');
  expect(c.status).to.equal('final');
  expect(c.type.coding![0]).to.include({ system: 'http://loinc.org', code: '60591-5' });
  const fullUrls = new Set(bundle.entry!.map((e) => e.fullUrl));
  expect(fullUrls.size).to.equal(bundle.entry!.length);
  const refs = [c.subject?.reference, ...(c.author ?? []).map((a) => a.reference), ...c.section!.flatMap((s) => (s.entry ?? []).map((e) => e.reference))].filter(Boolean);
  for (const ref of refs) expect(fullUrls.has(ref), `${ref} dans le Bundle`).to.equal(true);
  for (const s of c.section!) {
    expect(s.code?.coding?.[0]?.system).to.equal(SECTION_SYSTEM);
    expect(s.text?.div).to.match(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml">/);
  }
  expect(() => validateForWrite(bundle)).not.to.throw();
  for (const e of bundle.entry!.slice(1)) expect(() => validateForWrite(e.resource!), `${e.resource!.resourceType}/${e.resource!.id}`).not.to.throw();
}

describe('Summaries per profession: GET Patient/{id}/$summary', () => {
  let server: SummaryServer;
  const users = testUsers({ admin: professional('Admin', ['admin']) });

  before(async () => {
    server = await startSummaryServer(users);
  });
  after(() => server.close());

  const summary = (user: string, patientId: string, query = '', headers: Record<string, string> = {}) =>
    as(server, user, 'GET', `/Patient/${patientId}/$summary${query}`, undefined, headers);

  async function summaryViews(patientId: string, practitionerId: string): Promise<any[]> {
    const res = await as(server, 'system', 'GET', `/AuditEvent?patient=Patient/${patientId}&subtype=${encodeURIComponent(`${SHARING}|summary-view`)}&_count=100`);
    expect(res.status).to.equal(200);
    return (res.body.entry ?? []).map((e: any) => e.resource).filter((e: any) => e.agent.some((a: any) => a.who?.reference === `Practitioner/${practitionerId}`));
  }

  it('GP: diagnosis and stage, the latest signed RCP proposal, the PPS, the PPAC surveillance with what is overdue and by whom, whom to call — as a valid FHIR document, traced', async () => {
    server.setNow('2027-01-15T09:00:00+01:00');
    const c = await createSummaryCase(server, users, { shareWithGp: true });
    const sheet = await signedRcpSheet(server, users, c);
    const ppac = await startSummaryPpac(server, c);
    // The first visit (hospital, 30 June 2026) took place; the GP's of 30 September 2026 did not.
    ppac.activity[0].detail.status = 'completed';
    expect((await as(server, 'gp', 'PUT', `/CarePlan/${ppac.id}`, ppac)).status).to.equal(200);
    // Handed over with the patient's agreement to send it to the GP: only then is it the GP's.
    const ppacGiven = await as(server, 'oncologist', 'POST', `/CarePlan/${ppac.id}/$hand-over`, { date: '2026-04-01', shareWithGp: true });
    expect(ppacGiven.status, JSON.stringify(ppacGiven.body)).to.equal(200);

    const res = await summary('gp', c.patientId);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^application\/fhir\+json/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const bundle = res.body as Bundle;
    expectValidDocument(bundle);
    expect(composition(bundle).title).to.contain('Synthèse pour le médecin traitant');
    // The patient named as every page names them: birth name in capitals, then first names (it read « Hélène Castellani »).
    const [family, given] = composition(bundle).title!.split(' — ')[1]!.split(' ');
    expect(family).to.equal(family!.toLocaleUpperCase('fr-FR'));
    expect(given).to.equal('Hélène');
    expect(composition(bundle).category![0]!.coding![0]!.code).to.equal('gp');

    // Diagnosis and stage.
    const diagnosis = narrative(bundle, 'diagnosis');
    expect(diagnosis).to.contain('C18.7').and.contain('8140/3').and.contain('cT3 cN1 cM0').and.contain('stade IIIB');
    expect(resources(bundle, 'Condition')).to.have.length.greaterThan(0);
    // The signed RCP proposal, with its sheet (as signed) and the signature's Provenance.
    const rcp = narrative(bundle, 'rcp-proposal');
    expect(rcp).to.contain('Proposition retenue (1er choix)').and.contain('Sigmoïdectomie par cœlioscopie').and.contain('Alternative n° 1').and.contain('2 octobre 2025');
    const included = resources(bundle, 'Composition').slice(1) as Composition[];
    expect(included.map((x) => x.id)).to.deep.equal([sheet.id]);
    expect(included[0]!.status).to.equal('final');
    expect(resources(bundle, 'Provenance')[0]).to.deep.include({ resourceType: 'Provenance' });
    expect(section(bundle, 'rcp-proposal')!.entry!.map((e) => e.reference)).to.include(`${server.fhirUrl}/Composition/${sheet.id}`);
    // The PPS the patient agreed to share.
    expect(narrative(bundle, 'pps')).to.contain('Colectomie sigmoïdienne par cœlioscopie').and.contain('Capécitabine 500 mg, comprimé');
    expect(resources(bundle, 'CarePlan').map((p) => p.id)).to.include(c.ppsId).and.include(ppac.id);
    // The alternating surveillance: done, overdue (by whom), next.
    const surveillance = narrative(bundle, 'ppac-surveillance');
    expect(surveillance).to.contain('30 juin 2026').and.contain('réalisée').and.contain('Spécialiste hospitalier').and.contain('Médecin traitant');
    expect(surveillance).to.contain('Prochaine échéance : consultation de surveillance n° 4 le 31 mars 2027 (médecin traitant)');
    const overdue = narrative(bundle, 'overdue');
    expect(overdue).to.contain('2 échéances dépassées');
    expect(overdue).to.contain('Consultation de surveillance n° 2 prévue le 30 septembre 2026 — Médecin traitant');
    expect(overdue).to.contain('Consultation de surveillance n° 3 prévue le 31 décembre 2026 — Spécialiste hospitalier');
    expect(overdue).not.to.contain('n° 1 ').and.not.to.contain('31 mars 2027');
    expect(narrative(bundle, 'watch')).to.contain('Neuropathie des mains et des pieds').and.contain('Sang dans les selles');
    // Whom to call: the hotline first, the switchboard, the care team with their lines.
    const call = narrative(bundle, 'whom-to-call');
    expect(call.indexOf(HOTLINE)).to.be.greaterThan(-1).and.lessThan(call.indexOf('04 65 71 10 00'));
    expect(call).to.contain('Oncologue médicale référente').and.contain('Lambert').and.contain('04 65 71 10 10').and.contain('@dcc-demo.mssante.fr');

    // One summary-view event naming the documents shown; "what changed" is not acknowledged by the view (only by « Marquer comme vu »).
    const events = await summaryViews(c.patientId, c.practitioners.gp);
    expect(events).to.have.length(1);
    const documents = events[0].entity.filter((e: any) => e.role?.code === '3').map((e: any) => e.what.reference);
    expect(documents).to.include(`Composition/${sheet.id}/_history/${sheet.meta.versionId}`);
    expect(documents.some((d: string) => d.startsWith(`CarePlan/${ppac.id}/_history/`))).to.equal(true);
    const views = await new SummaryViewStore(server.services.db).lastViews(c.practitioners.gp, [c.patientId]);
    expect(views.get(c.patientId)).to.equal(undefined);
  });

  it('GP: a PPAC reaches the GP only once handed over with the patient’s agreement — never in preparation, never after a « Non » (the PPS’s rule)', async () => {
    server.setNow('2027-01-15T09:00:00+01:00');
    const start = async (c: Awaited<ReturnType<typeof createSummaryCase>>) => {
      const res = await as(server, 'oncologist', 'POST', `/CarePlan/${c.ppsId}/$start-ppac`, {
        endOfTreatment: '2026-03-31', surveillance: { intervalMonths: 6, years: 2, first: 'gp' },
      });
      expect(res.status, JSON.stringify(res.body)).to.equal(201);
      return res.body;
    };
    const gpSees = async (c: Awaited<ReturnType<typeof createSummaryCase>>, ppacId: string) => {
      const read = await as(server, 'gp', 'GET', `/CarePlan/${ppacId}`);
      const search = await as(server, 'gp', 'GET', `/CarePlan?subject=Patient/${c.patientId}`);
      const history = await as(server, 'gp', 'GET', `/CarePlan/${ppacId}/_history`);
      const bundle = (await summary('gp', c.patientId)).body as Bundle;
      const inSearch = (search.body.entry ?? []).some((e: any) => e.resource.id === ppacId);
      const inSummary = Boolean(section(bundle, 'ppac-surveillance')) || resources(bundle, 'CarePlan').some((p) => p.id === ppacId);
      return { read: read.status, inSearch, versions: (history.body.entry ?? []).length, inSummary };
    };
    const refused = await createSummaryCase(server, users, { shareWithGp: true });
    const draft = await start(refused);
    expect(await gpSees(refused, draft.id), 'en préparation').to.deep.equal({ read: 404, inSearch: false, versions: 0, inSummary: false });
    // The physician previewing the GP's summary sees what the GP will: nothing yet.
    expect(section((await summary('oncologist', refused.patientId, '?audience=gp')).body, 'ppac-surveillance')).to.equal(undefined);
    expect((await as(server, 'oncologist', 'POST', `/CarePlan/${draft.id}/$hand-over`, { date: '2026-04-01', shareWithGp: false })).status).to.equal(200);
    expect(await gpSees(refused, draft.id), 'refusé').to.deep.equal({ read: 404, inSearch: false, versions: 0, inSummary: false });

    const agreed = await createSummaryCase(server, users, { shareWithGp: true });
    const ppac = await start(agreed);
    expect((await as(server, 'oncologist', 'POST', `/CarePlan/${ppac.id}/$hand-over`, { date: '2026-04-01', shareWithGp: true })).status).to.equal(200);
    // Handed over: the current version, not the one in preparation before it.
    expect(await gpSees(agreed, ppac.id), 'remis, accepté').to.deep.equal({ read: 200, inSearch: true, versions: 1, inSummary: true });
  });

  it('GP: the stage and the proposal are the signed ones — not those of a sheet being written for a coming meeting; under correction, the sheet as signed, never its draft', async () => {
    server.setNow('2027-01-15T09:00:00+01:00');
    const c = await createSummaryCase(server, users, { shareWithGp: true });
    const world = await rcpSheetWorld(server, users, c);
    const sheet = await signedRcpSheet(server, users, c, world);
    const stage = async () => narrative((await summary('gp', c.patientId)).body as Bundle, 'diagnosis');
    expect(await stage()).to.contain('stade IIIB');

    // A new sheet for the next meeting, stage reassessed, not signed; and a correction of the signed one, not signed.
    const next = colonCancerSheet(world, c.patientId);
    next.meeting!.date = '2027-01-28T14:00:00+01:00';
    next.diagnosis!.tnm = { t: 'cT4a', n: 'cN2', m: 'cM1', stage: 'IVA', edition: '8', date: '2027-01-28' };
    expect((await as(server, 'oncologist', 'POST', '/Composition/$rcp-sheet', next)).status).to.equal(201);
    const corrected = colonCancerSheet(world, c.patientId);
    corrected.diagnosis!.tnm!.n = 'cN2';
    corrected.diagnosis!.tnm!.stage = 'IIIC';
    const correction = await as(server, 'oncologist', 'PUT', `/Composition/${sheet.id}/$rcp-sheet`, { ...corrected, correctionReason: 'Relecture du scanner : 4 adénopathies' });
    expect(correction.status, JSON.stringify(correction.body)).to.equal(200);
    // Under correction, the GP reads the sheet as signed: its stage and its proposal, never the draft's.
    const during = (await summary('gp', c.patientId)).body as Bundle;
    const shown = narrative(during, 'diagnosis');
    expect(shown).to.contain('Tumeur maligne du côlon sigmoïde').and.contain('cT3 cN1 cM0').and.contain('stade IIIB');
    expect(shown).not.to.contain('IVA').and.not.to.contain('IIIC').and.not.to.contain('2027');
    expect(narrative(during, 'rcp-proposal')).to.contain('Sigmoïdectomie par cœlioscopie');
    const included = resources(during, 'Composition').slice(1) as Composition[];
    expect(included.map((x) => [x.id, x.meta?.versionId, x.status])).to.deep.equal([[sheet.id, sheet.meta.versionId, 'final']]);
    // The draft itself stays out of the GP's reach, by read, search, version or history.
    const draftVersion = correction.body.meta.versionId as string;
    expect((await as(server, 'gp', 'GET', `/Composition/${sheet.id}`)).status).to.equal(404);
    expect((await as(server, 'gp', 'GET', `/Composition/${sheet.id}/_history/${draftVersion}`)).status).to.equal(404);
    expect((await as(server, 'gp', 'GET', `/Composition/${sheet.id}/_history/${sheet.meta.versionId}`)).body.status).to.equal('final');
    const history = await as(server, 'gp', 'GET', `/Composition/${sheet.id}/_history`);
    expect(history.status).to.equal(200);
    expect((history.body.entry ?? []).map((e: any) => e.resource?.status)).to.deep.equal(['final']);

    // Signed, the correction is what the GP reads; the draft between the two signatures stays hidden.
    expect((await as(server, 'oncologist', 'POST', `/Composition/${sheet.id}/$sign`)).status).to.equal(200);
    expect(await stage()).to.contain('cT3 cN2 cM0').and.contain('stade IIIC');
    const proposal = narrative((await summary('gp', c.patientId)).body as Bundle, 'rcp-proposal');
    expect(proposal).to.contain('Compte rendu corrigé').and.contain('Relecture du scanner : 4 adénopathies').and.not.to.match(/version \d/);
    expect((await as(server, 'gp', 'GET', `/Composition/${sheet.id}/_history/${draftVersion}`)).status).to.equal(404);
    const signedHistory = await as(server, 'gp', 'GET', `/Composition/${sheet.id}/_history`);
    expect((signedHistory.body.entry ?? []).map((e: any) => e.resource?.status)).to.deep.equal(['amended', 'final']);
  });

  it('GP: the latest proposal is the latest meeting’s — not that of an older meeting whose report was signed later', async () => {
    server.setNow('2027-01-15T09:00:00+01:00');
    const c = await createSummaryCase(server, users, { shareWithGp: true });
    const world = await rcpSheetWorld(server, users, c);
    // The later meeting's report is signed first, then the older meeting's (a late signature).
    const later = colonCancerSheet(world, c.patientId);
    later.meeting!.date = '2025-11-20T14:00:00+01:00';
    later.question = 'Chimiothérapie adjuvante au vu de l’histologie définitive (pT3 pN1a) ?';
    later.proposal = { treatments: [{ intention: 1, sequence: 1, type: 'chemotherapy', detail: 'FOLFOX adjuvant 6 mois' }] };
    const older = colonCancerSheet(world, c.patientId);
    for (const input of [later, older]) {
      const created = await as(server, 'oncologist', 'POST', '/Composition/$rcp-sheet', input);
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      expect((await as(server, 'oncologist', 'POST', `/Composition/${created.body.id}/$sign`)).status).to.equal(200);
    }
    const shown = narrative((await summary('gp', c.patientId)).body as Bundle, 'rcp-proposal');
    expect(shown).to.contain('FOLFOX adjuvant 6 mois').and.not.to.contain('Sigmoïdectomie');
  });

  it('GP: the PPS the patient chose not to send to the GP is not in the GP summary — nor in a physician’s preview of it; the nurse still has it', async () => {
    server.setNow('2026-02-15T09:00:00+01:00');
    const c = await createSummaryCase(server, users, { shareWithGp: false });
    const gp = await summary('gp', c.patientId);
    expect(gp.status).to.equal(200);
    expectValidDocument(gp.body);
    expect(JSON.stringify(gp.body)).not.to.contain(c.ppsId);
    expect(narrative(gp.body, 'pps')).to.contain('ne vous est accessible');
    expect(narrative(gp.body, 'diagnosis')).to.contain('C18.7');
    const preview = await summary('oncologist', c.patientId, '?audience=gp');
    expect(preview.status).to.equal(200);
    expect(JSON.stringify(preview.body)).not.to.contain(c.ppsId);
    const nurse = await summary('nurse', c.patientId);
    expect(nurse.status).to.equal(200);
    expect(resources(nurse.body, 'CarePlan').map((p) => p.id)).to.include(c.ppsId);
  });

  it('nurse: care calendar, treatments at home (route, rhythm), side effects and what to do, whom to call — no diagnosis, no RCP discussion', async () => {
    server.setNow('2026-02-15T09:00:00+01:00');
    const c = await createSummaryCase(server, users);
    await signedRcpSheet(server, users, c);
    await as(server, 'system', 'POST', '/Appointment', {
      resourceType: 'Appointment', status: 'booked', description: 'Consultation d’annonce infirmière', start: '2026-02-20T10:00:00+01:00', end: '2026-02-20T10:45:00+01:00',
      participant: [{ actor: { reference: `Patient/${c.patientId}` }, status: 'accepted' }, { actor: { reference: `Practitioner/${c.practitioners.nurse}` }, status: 'accepted' }],
    });

    const res = await summary('nurse', c.patientId);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const bundle = res.body as Bundle;
    expectValidDocument(bundle);
    expect(composition(bundle).category![0]!.coding![0]!.code).to.equal('nurse');
    expect(composition(bundle).section!.map((s) => s.code!.coding![0]!.code)).to.deep.equal(['care-calendar', 'home-treatments', 'side-effects', 'whom-to-call']);
    const calendar = narrative(bundle, 'care-calendar');
    expect(calendar).to.contain('Consultation d’annonce infirmière').and.contain('20 février 2026 à 10 h 00');
    expect(calendar).to.contain('Colectomie sigmoïdienne par cœlioscopie').and.contain('du 23 février 2026 au 27 février 2026');
    expect(calendar).to.contain('Capécitabine 500 mg, comprimé').and.contain('À domicile');
    expect(calendar.indexOf('20 février 2026')).to.be.lessThan(calendar.indexOf('23 février 2026'));
    const home = narrative(bundle, 'home-treatments');
    expect(home).to.contain('Capécitabine 500 mg, comprimé').and.contain('par voie orale').and.contain('cycles de 21 jours').and.contain('1\u202f500 mg par prise, 2 prises par jour (matin et soir)');
    const effects = narrative(bundle, 'side-effects');
    expect(effects).to.contain('syndrome main-pied').and.contain('Fièvre au-delà de 38 °C').and.contain('conduite à tenir : appeler le service d’oncologie sans attendre');
    expect(narrative(bundle, 'whom-to-call')).to.contain(HOTLINE).and.contain('appelez le 15');
    expect(resources(bundle, 'Appointment')).to.have.length(1);

    // Nothing of the diagnosis or of the RCP discussion.
    const text = JSON.stringify(bundle);
    for (const word of ['Adénocarcinome', 'C18.7', '8140/3', 'IIIB', 'Sigmoïdectomie', 'Proposition de la RCP', 'rcp-decision']) expect(text, word).not.to.contain(word);
    expect(resources(bundle, 'Condition')).to.have.length(0);
    expect(resources(bundle, 'Observation')).to.have.length(0);
    expect(resources(bundle, 'Provenance')).to.have.length(0);
    expect(resources(bundle, 'Composition')).to.have.length(1);

    const html = await summary('nurse', c.patientId, '?_format=html');
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    expect(html.text).to.contain('<html lang="fr">').and.contain('Synthèse pour l&#39;infirmier(ère) de ville').and.contain('Calendrier des soins').and.contain('Qui appeler');
    expect(html.text).not.to.contain('Adénocarcinome');

    // The nurse reads only the nurse's summary.
    for (const audience of ['gp', 'pharmacist']) {
      const refused = await summary('nurse', c.patientId, `?audience=${audience}`);
      expect(refused.status).to.equal(403);
      expect(refused.body.resourceType).to.equal('OperationOutcome');
      expect(refused.body.issue[0].details.text).to.contain("n'est pas destinée à votre profession");
    }
  });

  it('pharmacist: the oral treatment with drug, dose, cycle and dates, prescriber, status — started, then suspended with its reason; nothing else clinical; PDF', async () => {
    server.setNow('2026-04-10T09:00:00+02:00');
    const c = await createSummaryCase(server, users);
    await signedRcpSheet(server, users, c);

    const res = await summary('pharmacist', c.patientId);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const bundle = res.body as Bundle;
    expectValidDocument(bundle);
    expect(composition(bundle).section!.map((s) => s.code!.coding![0]!.code)).to.deep.equal(['oral-treatments', 'whom-to-call']);
    const oral = narrative(bundle, 'oral-treatments');
    expect(oral).to.contain('Capécitabine 500 mg, comprimé').and.contain('ATC L01BC06');
    expect(oral).to.contain('en cours depuis le 30 mars 2026');
    expect(oral).to.contain('1\u202f500 mg par prise').and.contain('2 prises par jour').and.contain("14 jours de prise puis 7 jours d&#39;arrêt").and.contain('8 cycles prévus');
    expect(oral).to.contain('cycle 2 : du 20 avril 2026 au 3 mai 2026');
    expect(oral).to.contain('Fin prévue</b> : 6 septembre 2026');
    expect(oral).to.contain('Prescripteur</b> : Dr Sophie').and.contain('Lambert').and.contain('tél. 04 65 71 10 10');
    expect(oral).to.contain('uracilémie').and.contain('brivudine');
    expect(resources(bundle, 'MedicationRequest').map((m) => m.id)).to.deep.equal([c.oralId]);
    const text = JSON.stringify(bundle);
    for (const word of ['Adénocarcinome', 'C18.7', 'IIIB', 'Sigmoïdectomie', 'Colectomie', 'Proposition de la RCP']) expect(text, word).not.to.contain(word);
    for (const type of ['Condition', 'Observation', 'CarePlan', 'Provenance']) expect(resources(bundle, type), type).to.have.length(0);
    expect(resources(bundle, 'Composition')).to.have.length(1);

    // Suspended by the oncologist: the pharmacist sees it, with the reason.
    const mr = (await as(server, 'oncologist', 'GET', `/MedicationRequest/${c.oralId}`)).body;
    const put = await as(server, 'oncologist', 'PUT', `/MedicationRequest/${c.oralId}`, { ...mr, status: 'on-hold', statusReason: { text: 'Neutropénie de grade 3' } });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    const suspended = await summary('pharmacist', c.patientId);
    expect(narrative(suspended.body, 'oral-treatments')).to.contain('suspendu — motif : Neutropénie de grade 3');

    const pdf = await fetch(`${server.fhirUrl}/Patient/${c.patientId}/$summary`, { headers: { ...asUser('pharmacist'), accept: 'application/pdf' } });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers.get('content-type')).to.equal('application/pdf');
    expect(pdf.headers.get('cache-control')).to.equal('no-store');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(bytes.length).to.be.greaterThan(2000);

    expect((await summary('pharmacist', c.patientId, '?audience=gp')).status).to.equal(403);
    // A hospital physician previews what the pharmacist sees: the same, nothing more.
    const preview = await summary('oncologist', c.patientId, '?audience=pharmacist');
    expect(preview.status).to.equal(200);
    for (const type of ['Condition', 'CarePlan']) expect(resources(preview.body, type), type).to.have.length(0);
    expect(narrative(preview.body, 'oral-treatments')).to.contain('suspendu');
  });

  it('the patient’s objection and the circle of care apply: no summary (the store’s 404), no view traced; the 3C and the administrator have no summary (403)', async () => {
    server.setNow('2026-04-10T09:00:00+02:00');
    const c = await createSummaryCase(server, users);
    const consent = await as(server, 'system', 'POST', '/Consent', {
      resourceType: 'Consent', status: 'active', patient: { reference: `Patient/${c.patientId}` }, dateTime: '2026-03-01',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny', actor: [{ role: { text: 'médecin traitant' }, reference: { reference: `Practitioner/${c.practitioners.gp}` } }] },
    });
    expect(consent.status, JSON.stringify(consent.body)).to.equal(201);
    const refused = await summary('gp', c.patientId);
    expect(refused.status).to.equal(404);
    expect(refused.body.resourceType).to.equal('OperationOutcome');
    expect(await summaryViews(c.patientId, c.practitioners.gp)).to.have.length(0);
    expect((await new SummaryViewStore(server.services.db).lastViews(c.practitioners.gp, [c.patientId])).size).to.equal(0);
    // The objection names the GP only: the pharmacist still has the summary.
    expect((await summary('pharmacist', c.patientId)).status).to.equal(200);
    expect(await summaryViews(c.patientId, c.practitioners.pharmacist)).to.have.length(1);

    const otherGp = await outsider(server, users, 'otherGp', ['gp']);
    expect((await summary('otherGp', c.patientId)).status).to.equal(404);
    expect(await summaryViews(c.patientId, otherGp)).to.have.length(0);
    await outsider(server, users, 'otherPhysician', ['physician']);
    expect((await summary('otherPhysician', c.patientId, '?audience=nurse')).status).to.equal(404);
    const coordinator = await summary('coordinator', c.patientId);
    expect(coordinator.status).to.equal(403);
    expect(coordinator.body.issue[0].details.text).to.contain("n'a pas de synthèse patient");
    expect((await summary('admin', c.patientId, '?audience=gp')).status).to.equal(403);
  });

  it('formats and parameters: Accept text/html, _format=pdf, unknown format 406, unknown audience 400, only GET', async () => {
    server.setNow('2026-04-10T09:00:00+02:00');
    const c = await createSummaryCase(server, users);
    const html = await summary('gp', c.patientId, '', { accept: 'text/html,application/xhtml+xml;q=0.9,*/*;q=0.8' });
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.match(/^text\/html/);
    expect(html.text).to.contain('Synthèse pour le médecin traitant').and.contain('Diagnostic et stade').and.contain('Adénocarcinome du côlon sigmoïde');
    const pdf = await fetch(`${server.fhirUrl}/Patient/${c.patientId}/$summary?_format=pdf&audience=gp`, { headers: asUser('gp') });
    expect(pdf.status).to.equal(200);
    expect(Buffer.from(await pdf.arrayBuffer()).subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect((await summary('gp', c.patientId, '?_format=xml')).status).to.equal(406);
    const unknown = await summary('gp', c.patientId, '?audience=dentist');
    expect(unknown.status).to.equal(400);
    expect(unknown.body.issue[0].expression).to.deep.equal(['audience']);
    expect((await as(server, 'gp', 'POST', `/Patient/${c.patientId}/$summary`, {})).status).to.equal(405);
    // Two views by the GP (HTML, PDF), two events; the refused requests traced none.
    expect(await summaryViews(c.patientId, c.practitioners.gp)).to.have.length(2);
  });
});
