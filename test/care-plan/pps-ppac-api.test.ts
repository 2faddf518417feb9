import { expect } from 'chai';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, ppsInput, startCarePlanServer, type CareCase } from './fixtures.ts';
import { asUser, testUsers } from '../helpers/users.ts';

const DCC = 'https://dcc-paca.example/fhir';
const EXT = (name: string) => `${DCC}/StructureDefinition/${name}`;
const ext = (holder: any, name: string) => (holder?.extension ?? []).filter((e: any) => e.url === EXT(name));
const kindOf = (activity: any) => ext(activity, 'dcc-activity-kind')[0]?.valueCoding?.code;

/**
 * PPS and PPAC through the real HTTP API, acting as the professionals of the patient's care team
 * (a hospital oncologist, the GP, the city nurse and pharmacist) and a 3C coordinator.
 */
describe('Care plan: PPS built from the RCP decision, handed over, updated with a reason; PPAC; printing', () => {
  let server: RunningServer;
  const users = testUsers();

  before(async () => {
    server = await startCarePlanServer(users);
  });
  after(() => server.close());

  async function buildPps(c: CareCase, body: unknown = ppsInput(c)) {
    const res = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    return res;
  }

  async function handOver(ppsId: string, body: unknown = { date: '2026-02-10', shareWithGp: true }) {
    const res = await as(server, 'oncologist', 'POST', `/CarePlan/${ppsId}/$hand-over`, body);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    return res.body;
  }

  it('builds the PPS from the decision: first-choice treatments pre-filled, the oral one as a MedicationRequest with dose and cycle, contacts from the care team', async () => {
    const c = await createCareCase(server, users);
    const res = await buildPps(c);
    const pps = res.body;
    expect(res.headers.get('location')).to.match(new RegExp(`/fhir/CarePlan/${pps.id}/_history/1$`));
    expect(pps.category[0].coding[0]).to.include({ system: `${DCC}/CodeSystem/dcc-care-plan-category`, code: 'pps' });
    expect(pps.meta.profile).to.deep.equal([`${DCC}/StructureDefinition/dcc-pps`]);
    expect(pps).to.include({ intent: 'plan', status: 'draft' });
    expect(pps.basedOn[0].reference).to.equal(`CarePlan/${c.decisionId}`);
    expect(pps.addresses[0].reference).to.equal(`Condition/${c.conditionId}`);
    expect(pps.author.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    expect(ext(pps, 'dcc-rcp-date')[0].valueDateTime).to.equal('2026-02-03T18:00:00+01:00');

    // Treatments: surgery and capecitabine (first choice); the radiotherapy alternative is not in the PPS.
    const treatments = pps.activity.filter((a: any) => kindOf(a) === 'MED-568');
    expect(treatments).to.have.length(2);
    const surgery = treatments.find((a: any) => a.detail);
    expect(surgery.detail.code.coding[0].code).to.equal('387713003');
    expect(surgery.detail).to.deep.include({ status: 'scheduled', description: 'Colectomie sigmoïdienne par cœlioscopie', scheduledPeriod: { start: '2026-02-23', end: '2026-02-27' } });
    expect(surgery.detail.location.display).to.equal('Service de chirurgie digestive, CHU Méditerranée');
    expect(JSON.stringify(pps)).not.to.contain('C15313');
    const oral = treatments.find((a: any) => a.reference);
    expect(ext(oral, 'dcc-at-home')[0].valueBoolean).to.equal(true);
    const particulars = ext(oral, 'dcc-pps-treatment')[0].extension;
    expect(particulars.filter((e: any) => e.url === 'sideEffect').map((e: any) => e.valueString)).to.deep.equal(['syndrome main-pied', 'diarrhée']);
    expect(particulars.find((e: any) => e.url === 'rhythm').valueString).to.equal('cycles de 21 jours');

    // The oral treatment the pharmacist checks: drug, dose, intakes, cycle dates, prescriber.
    const mr = (await as(server, 'oncologist', 'GET', `/${oral.reference.reference}`)).body;
    expect(mr).to.include({ resourceType: 'MedicationRequest', status: 'active', intent: 'plan' });
    expect(mr.category[0].coding[0].code).to.equal('oral-anticancer');
    expect(mr.medicationCodeableConcept.text).to.equal('Capécitabine 500 mg, comprimé');
    expect(mr.requester.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    expect(mr.basedOn[0].reference).to.equal(`CarePlan/${c.decisionId}`);
    expect(mr.reasonReference[0].reference).to.equal(`Condition/${c.conditionId}`);
    expect(mr.dosageInstruction).to.have.length(8);
    const [first, second] = mr.dosageInstruction;
    expect(first.doseAndRate[0].doseQuantity).to.include({ value: 1500, unit: 'mg' });
    expect(first.timing.repeat).to.deep.include({ frequency: 2, period: 1, periodUnit: 'd', boundsPeriod: { start: '2026-03-30', end: '2026-04-12' } });
    expect(second.timing.repeat.boundsPeriod).to.deep.equal({ start: '2026-04-20', end: '2026-05-03' });
    expect(first.route.coding[0]).to.include({ system: 'http://standardterms.edqm.eu', code: '20053000' });
    expect(first.text).to.contain("14 jours de prise puis 7 jours d'arrêt");
    expect(ext(mr, 'dcc-treatment-cycle')[0].valueDuration).to.include({ value: 21, code: 'd' });

    // Supportive care, social support, prevention, associated measures.
    expect(pps.activity.filter((a: any) => kindOf(a) === 'MED-572').map((a: any) => a.detail.code.coding[0].code)).to.deep.equal(['nutrition', 'physical-activity']);
    expect(pps.activity.filter((a: any) => kindOf(a) === 'MED-573')).to.have.length(1);
    expect(pps.activity.filter((a: any) => kindOf(a) === 'MED-569')).to.have.length(1);
    expect(pps.activity.filter((a: any) => kindOf(a) === 'MED-570')).to.have.length(1);

    // Contacts: referent physician, care team (nurse, pharmacist…), GP, 3C, support structure.
    const team = (await as(server, 'oncologist', 'GET', `/${pps.careTeam[0].reference}`)).body;
    const roleOf = (member: string) => team.participant.find((p: any) => p.member.reference === member)?.role[0].coding[0].code;
    expect(roleOf(`Practitioner/${c.practitioners.oncologist}`)).to.equal('referent-physician');
    expect(roleOf(`Practitioner/${c.practitioners.nurse}`)).to.equal('nurse');
    expect(roleOf(`Practitioner/${c.practitioners.pharmacist}`)).to.equal('pharmacist');
    expect(roleOf(`Practitioner/${c.practitioners.gp}`)).to.equal('gp');
    expect(roleOf(`Organization/${c.threeCId}`)).to.equal('coordination-centre');
    expect(team.participant.some((p: any) => p.member.display === 'Ligue contre le cancer — Comité des Bouches-du-Rhône — 04 65 71 60 00')).to.equal(true);

    // One PPS per decision.
    const again = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, {});
    expect(again.status).to.equal(409);
    expect(again.body.issue[0].details.text).to.contain(`CarePlan/${pps.id}`);
  });

  it('refuses to build a PPS from what is not an RCP decision, or with an incomplete oral treatment — and names the field', async () => {
    const c = await createCareCase(server, users);
    const notDecision = await as(server, 'system', 'POST', '/CarePlan', { resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: { reference: `Patient/${c.patientId}` } });
    const wrong = await as(server, 'oncologist', 'POST', `/CarePlan/${notDecision.body.id}/$build-pps`, {});
    expect(wrong.status).to.equal(422);
    expect(wrong.body.issue[0].details.text).to.contain("n'est pas une décision de RCP");
    const decision = (await as(server, 'system', 'GET', `/CarePlan/${c.decisionId}`)).body;
    const unsigned = await as(server, 'system', 'POST', '/CarePlan', { ...decision, id: undefined, meta: undefined, status: 'draft' });
    const draft = await as(server, 'oncologist', 'POST', `/CarePlan/${unsigned.body.id}/$build-pps`, ppsInput(c));
    expect(draft.status).to.equal(422);
    expect(draft.body.issue[0].details.text).to.contain('fiche RCP doit être signée');
    const body = ppsInput(c);
    delete (body.treatments[1] as any).dose;
    const noDose = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, body);
    expect(noDose.status).to.equal(400);
    expect(noDose.body.issue[0].expression).to.deep.equal(['treatments[1].dose']);
    expect(noDose.body.issue[0].details.text).to.contain('dose par prise');
    const reversed = ppsInput(c);
    Object.assign(reversed.treatments[0]!, { start: '2027-03-05', end: '2027-01-25' });
    const endBeforeStart = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, reversed);
    expect(endBeforeStart.status).to.equal(400);
    expect(endBeforeStart.body.issue[0].details.text).to.equal('La date de fin (25 janvier 2027) précède la date de début (5 mars 2027)');
    const badProposal = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, { treatments: [{ proposal: 2, route: 'oral' }] });
    expect(badProposal.status).to.equal(400);
    expect(badProposal.body.issue[0].details.text).to.contain('premier choix');
    // Nothing was written by the refused attempts: the build still works.
    await buildPps(c);
  });

  it('hand-over records the date, who handed it over and the patient’s choice about the GP', async () => {
    const c = await createCareCase(server, users);
    const pps = (await buildPps(c)).body;
    const missingChoice = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10' });
    // The patient's answer is never assumed (a missing one was once recorded as a refusal).
    expect(missingChoice.status).to.equal(422);
    expect(missingChoice.body.issue[0].expression).to.deep.equal(['shareWithGp']);
    expect(missingChoice.body.issue[0].details.text).to.contain('médecin traitant').and.contain('obligatoire');
    const notABoolean = await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-10', shareWithGp: 'false' });
    expect(notABoolean.status).to.equal(422);
    expect(notABoolean.body.issue[0].expression).to.deep.equal(['shareWithGp']);
    expect((await as(server, 'oncologist', 'GET', `/CarePlan/${pps.id}`)).body.status, 'nothing recorded').to.equal('draft');

    const handed = await handOver(pps.id, {
      resourceType: 'Parameters',
      parameter: [{ name: 'date', valueDateTime: '2026-02-10T10:30:00+01:00' }, { name: 'shareWithGp', valueBoolean: false }, { name: 'dataReuseObjection', valueBoolean: true }],
    });
    expect(handed.status).to.equal('active');
    expect(handed.meta.versionId).to.equal('2');
    const record = ext(handed, 'dcc-handover')[0].extension;
    expect(record.find((e: any) => e.url === 'date').valueDateTime).to.equal('2026-02-10T10:30:00+01:00');
    expect(record.find((e: any) => e.url === 'by').valueReference.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    expect(ext(handed, 'dcc-share-with-gp')[0].valueBoolean).to.equal(false);
    expect(ext(handed, 'dcc-data-reuse-notice')[0].extension.find((e: any) => e.url === 'patientObjects').valueBoolean).to.equal(true);
  });

  it('once handed over, an update without a reason is refused (422); with its reason it is accepted and the history kept', async () => {
    const c = await createCareCase(server, users);
    const pps = await handOver((await buildPps(c)).body.id);

    const moved = structuredClone(pps);
    moved.activity.find((a: any) => a.detail?.code?.coding?.[0]?.code === '387713003').detail.scheduledPeriod = { start: '2026-03-02', end: '2026-03-06' };
    const refused = await as(server, 'oncologist', 'PUT', `/CarePlan/${pps.id}`, moved);
    expect(refused.status).to.equal(422);
    expect(refused.body.issue[0].code).to.equal('business-rule');
    expect(refused.body.issue[0].details.text).to.contain('remis au patient le 10 février 2026');
    expect(refused.body.issue[0].details.text).to.contain('motif');

    const unknownReason = structuredClone(moved);
    unknownReason.extension.push({ url: EXT('dcc-pps-update'), extension: [{ url: 'reason', valueCodeableConcept: { text: 'parce que' } }, { url: 'date', valueDateTime: '2026-02-20' }] });
    const refusedAgain = await as(server, 'oncologist', 'PUT', `/CarePlan/${pps.id}`, unknownReason);
    expect(refusedAgain.status).to.equal(422);
    expect(refusedAgain.body.issue[0].details.text).to.contain('inconnu');

    moved.extension.push({
      url: EXT('dcc-pps-update'),
      extension: [
        { url: 'reason', valueCodeableConcept: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-560' }], text: 'Modification du calendrier' } },
        { url: 'detail', valueString: 'Bloc opératoire reporté d’une semaine' },
        { url: 'date', valueDateTime: '2026-02-20T09:00:00+01:00' },
      ],
    });
    const accepted = await as(server, 'oncologist', 'PUT', `/CarePlan/${pps.id}`, moved, { 'if-match': `W/"${pps.meta.versionId}"` });
    expect(accepted.status, JSON.stringify(accepted.body)).to.equal(200);
    expect(accepted.body.meta.versionId).to.equal('3');

    // Rewriting the history is refused; a new hand-over alone is not an update of the content.
    const rewritten = structuredClone(accepted.body);
    rewritten.extension = rewritten.extension.filter((e: any) => e.url !== EXT('dcc-pps-update'));
    rewritten.status = 'on-hold';
    expect((await as(server, 'oncologist', 'PUT', `/CarePlan/${pps.id}`, rewritten)).status).to.equal(422);
    // Handing it over again says why (test/care-plan/pps-small-defects.test.ts).
    expect((await as(server, 'oncologist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { date: '2026-02-24', shareWithGp: true, reason: 'programme mis à jour' })).status).to.equal(200);
  });

  it('PPAC at the end of treatment: 10 visits over 5 years alternating hospital / GP, month ends kept, PPS closed with its reason', async () => {
    const c = await createCareCase(server, users);
    const pps = await handOver((await buildPps(c)).body.id);
    const structure = await as(server, 'system', 'POST', '/HealthcareService', {
      resourceType: 'HealthcareService', active: true, name: 'Espace de soins de support du Vieux-Port', program: [{ text: "Parcours de soins global après le traitement d'un cancer" }],
      extension: [{ url: EXT('dcc-post-cancer-label'), extension: [{ url: 'year', valueInteger: 2021 }, { url: 'territory', valueString: 'Bouches-du-Rhône' }] }],
      telecom: [{ system: 'phone', value: '04 65 71 70 01' }],
    });
    const scheme = {
      endOfTreatment: '2026-08-31',
      surveillance: {
        intervalMonths: 6, years: 5, first: 'hospital',
        exams: [{ display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 }, { display: 'Dosage de l’ACE' }, { display: 'Coloscopie', everyMonths: 36 }],
      },
      lateEffects: [{ description: 'Neuropathie des mains et des pieds', action: 'en parler à votre médecin traitant' }],
      relapseSigns: [{ description: 'Sang dans les selles, amaigrissement inexpliqué' }],
      needsEvaluation: { structure: { reference: `HealthcareService/${structure.body.id}`, display: 'Espace de soins de support du Vieux-Port' } },
      physicalActivity: [{ description: 'Programme d’activité physique adaptée, 12 semaines', rhythm: '2 séances par semaine' }],
      returnToWork: [{ description: 'Visite de pré-reprise avec le médecin du travail' }],
      localRelays: [{ role: 'nurse', member: { reference: `Practitioner/${c.practitioners.nurse}`, display: 'Amandine Roux, IDEL' } }],
    };
    const tooLate = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, { ...scheme, needsEvaluation: { due: '2027-09-30' } });
    expect(tooLate.status).to.equal(422);
    expect(tooLate.body.issue[0].details.text).to.contain("dans l'année qui suit la fin des traitements");

    const res = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, scheme);
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    const ppac = res.body;
    expect(ppac.category[0].coding[0].code).to.equal('ppac');
    expect(ppac.replaces[0].reference).to.equal(`CarePlan/${pps.id}`);
    expect(ppac.period).to.deep.equal({ start: '2026-08-31', end: '2031-08-31' });
    expect(ppac.author.reference).to.equal(`Practitioner/${c.practitioners.gp}`);
    const visits = ppac.activity.filter((a: any) => ext(a, 'dcc-surveillance-by').length);
    expect(visits).to.have.length(10);
    expect(visits.map((v: any) => ext(v, 'dcc-surveillance-by')[0].valueCode)).to.deep.equal(['hospital', 'gp', 'hospital', 'gp', 'hospital', 'gp', 'hospital', 'gp', 'hospital', 'gp']);
    expect(visits.map((v: any) => v.detail.scheduledPeriod.start)).to.deep.equal([
      '2027-02-28', '2027-08-31', '2028-02-29', '2028-08-31', '2029-02-28', '2029-08-31', '2030-02-28', '2030-08-31', '2031-02-28', '2031-08-31',
    ]);
    expect(visits.every((v: any) => kindOf(v) === 'MED-571')).to.equal(true);
    expect(visits[0].detail.performer[0].reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    expect(visits[1].detail.performer[0].reference).to.equal(`Practitioner/${c.practitioners.gp}`);
    expect(visits[5].detail.description).to.contain('Coloscopie');
    const evaluation = ppac.activity.find((a: any) => ext(a, 'dcc-activity-topic')[0]?.valueCoding.code === 'needs-evaluation');
    expect(evaluation.detail.scheduledPeriod).to.deep.equal({ start: '2026-08-31', end: '2027-08-31' });
    expect(ext(evaluation, 'dcc-supportive-care-orientation')[0].valueReference.reference).to.equal(`HealthcareService/${structure.body.id}`);
    expect(ext(ppac, 'dcc-watch-item').map((w: any) => w.extension.find((e: any) => e.url === 'kind').valueCoding.code)).to.deep.equal(['late-effect', 'relapse-sign']);

    const closed = (await as(server, 'gp', 'GET', `/CarePlan/${pps.id}`)).body;
    expect(closed.status).to.equal('completed');
    expect(ext(closed, 'dcc-end-of-active-treatment')[0].valueDate).to.equal('2026-08-31');
    expect(ext(closed, 'dcc-pps-update')).to.have.length(1);
    expect(ext(closed, 'dcc-pps-update-reason')[0].valueCodeableConcept.text).to.contain('Fin des traitements actifs');
    // Read by the GP as it is ("what changed"): in words, not a record id (the PPAC is linked by `replaces`).
    expect(JSON.stringify(ext(closed, 'dcc-pps-update'))).to.contain('Relais par le programme personnalisé de l’après-cancer').and.not.to.contain('CarePlan/');

    const twice = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, scheme);
    expect(twice.status).to.equal(409);

    // The calendar stays editable: a visit moved by the GP.
    ppac.activity[1].detail.scheduledPeriod = { start: '2027-09-07', end: '2027-09-07' };
    expect((await as(server, 'gp', 'PUT', `/CarePlan/${ppac.id}`, ppac)).status).to.equal(200);
  });

  it('prints the PPS and the PPAC for the patient in French, as HTML and as a real PDF; the INS only for a qualified identity', async () => {
    const c = await createCareCase(server, users, 'QUAL');
    const pps = await handOver((await buildPps(c)).body.id);
    const html = await as(server, 'oncologist', 'GET', `/CarePlan/${pps.id}/$render?format=html`);
    expect(html.status).to.equal(200);
    expect(html.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    for (const text of [
      'Programme personnalisé de soins', c.family.toUpperCase(), `INS (matricule)</dt><dd>${c.ins}`, 'Adénocarcinome du côlon sigmoïde',
      'Vos traitements', 'Colectomie sigmoïdienne par cœlioscopie', 'Capécitabine 500 mg, comprimé', '1500 mg matin et soir', 'cycle 2 : du 20 avril 2026 au 3 mai 2026',
      'Effets indésirables à surveiller', 'syndrome main-pied', 'Fièvre au-delà de 38 °C', 'Soins de support', 'Prise en charge diététique et nutritionnelle',
      'Vos contacts', 'Médecin traitant', 'Centre de coordination en cancérologie (3C)', 'tél. 04 65 71 10 50', 'Document remis le', '10 février 2026',
      'oui, vous l’avez accepté', 'Information sur les données personnelles vous concernant', 'lesdonnees.e-cancer.fr',
    ]) expect(html.text, text).to.contain(text.replace(/'/g, '&#39;'));

    const pdf = await fetch(`${server.fhirUrl}/CarePlan/${pps.id}/$render?format=pdf`, { headers: asUser('oncologist') });
    expect(pdf.status).to.equal(200);
    expect(pdf.headers.get('content-type')).to.equal('application/pdf');
    const bytes = Buffer.from(await pdf.arrayBuffer());
    expect(bytes.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(bytes.subarray(-8).toString('latin1')).to.contain('%%EOF');
    expect(bytes.length).to.be.greaterThan(3000);

    const ppac = await as(server, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, {
      endOfTreatment: '2026-09-15', surveillance: { intervalMonths: 6, years: 5, first: 'gp', exams: [{ display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 }] },
      relapseSigns: [{ description: 'Douleurs abdominales persistantes' }],
    });
    expect(ppac.status, JSON.stringify(ppac.body)).to.equal(201);
    const ppacHtml = await as(server, 'gp', 'GET', `/CarePlan/${ppac.body.id}/$render`);
    expect(ppacHtml.status).to.equal(200);
    for (const text of ["Programme personnalisé de l&#39;après-cancer", 'Votre calendrier de surveillance', '15 mars 2027', 'Médecin traitant', 'Spécialiste hospitalier', 'Scanner thoraco-abdomino-pelvien', 'Signes qui doivent vous faire consulter sans attendre', 'Évaluation de vos besoins en soins de support', '15 septembre 2027']) {
      expect(ppacHtml.text, text).to.contain(text);
    }
    const ppacPdf = await fetch(`${server.fhirUrl}/CarePlan/${ppac.body.id}/$render?format=pdf`, { headers: asUser('gp') });
    expect(ppacPdf.status).to.equal(200);
    expect(Buffer.from(await ppacPdf.arrayBuffer()).subarray(0, 5).toString('latin1')).to.equal('%PDF-');

    expect((await as(server, 'oncologist', 'GET', `/CarePlan/${pps.id}/$render?format=docx`)).status).to.equal(400);
    expect((await as(server, 'oncologist', 'GET', `/CarePlan/${c.decisionId}/$render`)).status).to.equal(422);
  });

  it('an identity that is not qualified prints without its INS; the nurse prints the programme without the diagnosis', async () => {
    const c = await createCareCase(server, users, 'RECUP');
    const pps = (await buildPps(c)).body;
    const html = await as(server, 'oncologist', 'GET', `/CarePlan/${pps.id}/$render?format=html`);
    expect(html.status).to.equal(200);
    expect(html.text).to.contain(c.family.toUpperCase());
    expect(html.text).not.to.contain(c.ins!);
    expect(html.text).not.to.contain('INS');
    // The nurse reads the programme once handed over to the patient (test/access/city-privacy.test.ts).
    await handOver(pps.id);
    const nurse = await as(server, 'nurse', 'GET', `/CarePlan/${pps.id}/$render?format=html`);
    expect(nurse.status).to.equal(200);
    expect(nurse.text).to.contain('Capécitabine 500 mg, comprimé');
    expect(nurse.text).not.to.contain('Adénocarcinome');
  });

  it('least privilege: the pharmacist reads the oral treatment but may not build a PPS (403), nor read or print the care plan; the 3C coordinator may not build either', async () => {
    const c = await createCareCase(server, users);
    const pps = (await buildPps(c)).body;
    const mrRef = pps.activity.find((a: any) => a.reference).reference.reference;
    const read = await as(server, 'pharmacist', 'GET', `/${mrRef}`);
    expect(read.status).to.equal(200);
    expect(read.body.dosageInstruction[0].doseAndRate[0].doseQuantity.value).to.equal(1500);
    const search = await as(server, 'pharmacist', 'GET', `/MedicationRequest?subject=Patient/${c.patientId}`);
    expect(search.body.total).to.equal(1);

    const c2 = await createCareCase(server, users);
    const refused = await as(server, 'pharmacist', 'POST', `/CarePlan/${c2.decisionId}/$build-pps`, ppsInput(c2));
    expect(refused.status).to.equal(403);
    expect(refused.body.issue[0].details.text).to.contain('pharmacist');
    expect((await as(server, 'pharmacist', 'GET', `/CarePlan/${pps.id}/$render`)).status).to.equal(403);
    expect((await as(server, 'pharmacist', 'POST', `/CarePlan/${pps.id}/$hand-over`, { shareWithGp: true })).status).to.equal(403);
    expect((await as(server, 'coordinator', 'POST', `/CarePlan/${c2.decisionId}/$build-pps`, {})).status).to.equal(403);
    // Nothing was built by the refused calls.
    const none = await as(server, 'system', 'GET', `/CarePlan?based-on=CarePlan/${c2.decisionId}`);
    expect(none.body.total).to.equal(0);
  });
});
