import { expect } from 'chai';
import type { Bundle, CarePlan, Composition, Resource } from '@medplum/fhirtypes';
import { buildRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { validateDccProfile } from '../../server/profiles/validation.ts';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

const REQUIRED_SECTIONS = ['42349-1', '42545-4', '72135-7', '18733-6', '10164-2', '21874-3', '18776-5', '35510-7', '33557-0'];
const sectionCodes = (c: Composition) => (c.section ?? []).map((s) => s.code?.coding?.[0]?.code);
const section = (c: Composition, code: string) => c.section!.find((s) => s.code?.coding?.[0]?.code === code)!;

describe('RCP sheet: FHIR resources, document, printing', () => {
  let world: World;
  before(async () => {
    world = await startWorld();
  });
  after(() => world.close());

  it('builds a transaction Bundle: entries first, the Composition (LOINC 34794-8) last, every resource valid FHIR and true to its DCC profile', () => {
    const bundle = buildRcpSheet(colonCancerSheet(world));
    expect(bundle.type).to.equal('transaction');
    const composition = bundle.entry!.at(-1)!.resource as Composition;
    expect(composition.type?.coding?.[0]).to.include({ system: 'http://loinc.org', code: '34794-8' });
    expect(sectionCodes(composition)).to.include.members(REQUIRED_SECTIONS);
    expect(sectionCodes(composition)).to.include.members(['11348-0', '11450-4', '47420-5', '30954-2', '29554-3', '22637-3', '50397-9']);
    const fullUrls = new Set(bundle.entry!.map((e) => e.fullUrl));
    for (const s of composition.section!) {
      expect(s.text?.div, s.title).to.match(/^<div xmlns="http:\/\/www.w3.org\/1999\/xhtml">/);
      for (const e of s.entry ?? []) expect(fullUrls.has(e.reference), e.reference).to.equal(true);
    }
    for (const e of bundle.entry!) {
      const resource = e.resource as Resource;
      expect(() => validateForWrite(resource), resource.resourceType).not.to.throw();
      expect(validateDccProfile(resource), `${resource.resourceType} ${JSON.stringify(validateDccProfile(resource))}`).to.deep.equal([]);
    }
  });

  it('POST Composition/$rcp-sheet writes the sheet in one transaction; its entries are Condition, Observations, the RCP decision CarePlan', async () => {
    const res = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect(res.status, JSON.stringify(res.body)).to.equal(201);
    expect(res.headers.get('location')).to.match(/\/Composition\/[^/]+\/_history\/1$/);
    const composition = res.body as Composition;
    expect(composition.status).to.equal('preliminary');
    expect(composition.subject?.reference).to.equal(`Patient/${world.patientId}`);
    expect(composition.author?.[0]?.reference).to.equal(`Practitioner/${world.pros.oncologist!.id}`);

    const diagnosis = section(composition, '72135-7');
    const [conditionRef, tnmRef] = diagnosis.entry!.map((e) => e.reference!);
    const condition = await world.as('oncologist', 'GET', `/${conditionRef}`);
    expect(condition.body.code.coding[0]).to.include({ system: 'http://hl7.org/fhir/sid/icd-10', code: 'C18.7' });
    expect(condition.body.extension.find((e: any) => e.url.endsWith('mcode-histology-morphology-behavior')).valueCodeableConcept.coding[0].code).to.equal('8140/3');
    const tnm = await world.as('oncologist', 'GET', `/${tnmRef}`);
    expect(tnm.body.valueCodeableConcept.text).to.equal('IIIB');
    expect(tnm.body.method.coding[0]).to.include({ system: 'urn:oid:2.16.840.1.113883.15.6', code: '8' });
    expect(tnm.body.focus[0].reference).to.equal(conditionRef);

    const decisionRef = section(composition, '18776-5').entry![0]!.reference!;
    const decision = (await world.as('oncologist', 'GET', `/${decisionRef}`)).body as CarePlan;
    expect(decision.intent).to.equal('proposal');
    expect(decision.status).to.equal('draft');
    expect(decision.addresses?.[0]?.reference).to.equal(conditionRef);
    expect(decision.activity).to.have.length(4);
    expect(decision.activity![0]!.extension!.map((e) => e.valuePositiveInt)).to.deep.equal([1, 1]);
    expect(decision.activity![0]!.detail!.code!.coding![0]).to.include({ system: 'http://snomed.info/sct', code: '387713003' });

    // The record now holds the sheet's resources, searchable like any other.
    const search = await world.as('oncologist', 'GET', `/Composition?subject=Patient/${world.patientId}&type=http://loinc.org|34794-8`);
    expect(search.body.entry.map((e: any) => e.resource.id)).to.include(composition.id);
  });

  it('rejects a malformed sheet with every faulty item named, and writes nothing', async () => {
    const input: any = colonCancerSheet(world);
    input.diagnosis.topography.code = 'K57.3';
    input.reason.motifs = ['second-avis'];
    input.performanceStatus.who = 7;
    delete input.meeting.date;
    const before = (await world.as('system', 'GET', `/Composition?subject=Patient/${world.patientId}&_summary=count`)).body.total;
    const res = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
    expect(res.status).to.equal(400);
    const paths = res.body.issue.map((i: any) => i.expression[0]);
    expect(paths).to.include.members(['diagnosis.topography.code', 'reason.motifs[0]', 'performanceStatus.who', 'meeting.date']);
    expect(res.body.issue.find((i: any) => i.expression[0] === 'diagnosis.topography.code').details.text).to.contain('CIM-10');
    expect((await world.as('system', 'GET', `/Composition?subject=Patient/${world.patientId}&_summary=count`)).body.total).to.equal(before);
  });

  it('a physician outside the care team cannot file a sheet for the patient (403, nothing written)', async () => {
    const res = await world.as('outsider', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect(res.status).to.equal(403);
    expect(res.body.issue[0].details.text).to.contain('cercle de soins');
  });

  it('PUT Composition/{id}/$rcp-sheet saves a new draft version; its entries are updated in place, not replaced', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    const entries = section(created.body, '10164-2').entry!.map((e) => e.reference!);
    const input = colonCancerSheet(world);
    input.question = 'Faut-il une IRM hépatique avant la chirurgie ?';
    const stale = await world.as('oncologist', 'PUT', `/Composition/${created.body.id}/$rcp-sheet`, input, { 'if-match': 'W/"9"' });
    expect(stale.status).to.equal(412);
    const updated = await world.as('oncologist', 'PUT', `/Composition/${created.body.id}/$rcp-sheet`, input, { 'if-match': 'W/"1"' });
    expect(updated.status, JSON.stringify(updated.body)).to.equal(200);
    expect(updated.body.meta.versionId).to.equal('2');
    expect(updated.body.identifier).to.deep.equal(created.body.identifier);
    // Same items, same ids: only the changed one (the question) got a new version.
    expect(section(updated.body, '10164-2').entry!.map((e) => e.reference)).to.deep.equal(entries);
    const [summary, question] = await Promise.all(entries.slice(0, 2).map(async (ref) => (await world.as('oncologist', 'GET', `/${ref}`)).body));
    expect(summary.meta.versionId).to.equal('1');
    expect(question.meta.versionId).to.equal('2');
    expect(question.valueString).to.equal('Faut-il une IRM hépatique avant la chirurgie ?');
    const html = await (await world.raw('oncologist', `/Composition/${created.body.id}/$render`)).text();
    expect(html).to.contain('Faut-il une IRM hépatique avant la chirurgie ?');
  });

  it('GET Composition/{id}/$rcp-sheet: the sheet as the form writes it, its version, what is missing for the session and the signature; an old version on request', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    const patched = await world.as('oncologist', 'PATCH', `/Composition/${created.body.id}/$rcp-sheet`, { question: 'Chimiothérapie néoadjuvante ?' }, { 'if-match': 'W/"1"' });
    expect(patched.status, JSON.stringify(patched.body)).to.equal(200);
    const read = await world.as('oncologist', 'GET', `/Composition/${created.body.id}/$rcp-sheet`);
    expect(read.status).to.equal(200);
    expect(read.body).to.include({ id: created.body.id, version: '2', signed: false });
    expect(read.body.data.question).to.equal('Chimiothérapie néoadjuvante ?');
    // The fixture is a whole sheet: nothing missing at either stage.
    expect(read.body.completeness).to.deep.equal({ session: [], signature: [] });
    const first = await world.as('oncologist', 'GET', `/Composition/${created.body.id}/$rcp-sheet?version=1`);
    // A draft's entries are updated in place: an old draft version is its header (a signed one pins its entries).
    expect(first.body).to.include({ version: '1', signed: false });
    expect((await world.as('outsider', 'GET', `/Composition/${created.body.id}/$rcp-sheet`)).status).to.equal(404);
  });

  it('GET Composition/{id}/$document: a document Bundle, Composition first, every reference inside, INS of a qualified identity', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    const res = await world.as('oncologist', 'GET', `/Composition/${created.body.id}/$document`);
    expect(res.status, JSON.stringify(res.body)).to.equal(200);
    const doc = res.body as Bundle;
    expect(doc.type).to.equal('document');
    expect(doc.identifier?.system).to.equal('urn:ietf:rfc:3986');
    expect(doc.identifier?.value).to.match(/^urn:uuid:[0-9a-f-]{36}$/);
    expect(Date.parse(doc.timestamp!)).to.be.a('number').and.not.NaN;
    expect(doc.entry![0]!.resource!.resourceType).to.equal('Composition');
    const fullUrls = new Set(doc.entry!.map((e) => e.fullUrl));
    expect(fullUrls.size).to.equal(doc.entry!.length);
    const composition = doc.entry![0]!.resource as Composition;
    const references = [
      composition.subject!.reference!, composition.author![0]!.reference!, composition.custodian!.reference!,
      ...composition.section!.flatMap((s) => [...(s.entry ?? []), ...(s.section ?? []).flatMap((x) => x.entry ?? [])]).map((e) => e.reference!),
    ];
    for (const ref of references) expect(fullUrls.has(`${world.server.fhirUrl}/${ref}`), ref).to.equal(true);
    const patient = doc.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as any;
    expect(patient.identifier.map((i: any) => i.value)).to.include(world.patientIns);
    // Same version, same document identifier.
    expect((await world.as('oncologist', 'GET', `/Composition/${created.body.id}/$document`)).body.identifier).to.deep.equal(doc.identifier);
  });

  it('$document never sends out the INS of an identity that is not qualified (RECUP)', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world, world.recupPatientId));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const doc = (await world.as('oncologist', 'GET', `/Composition/${created.body.id}/$document`)).body as Bundle;
    const patient = doc.entry!.find((e) => e.resource?.resourceType === 'Patient')!.resource as any;
    expect(JSON.stringify(patient)).not.to.contain(world.recupIns);
    expect(patient.identifier.length).to.be.greaterThan(0); // the IPP stays
    const html = await (await world.raw('oncologist', `/Composition/${created.body.id}/$render`)).text();
    expect(html).not.to.contain(world.recupIns);
  });

  it('$document and $render: a professional outside the circle of care gets 404; a nurse has no access to RCP sheets (403)', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    expect((await world.as('outsider', 'GET', `/Composition/${created.body.id}/$document`)).status).to.equal(404);
    expect((await world.raw('outsider', `/Composition/${created.body.id}/$render`)).status).to.equal(404);
    const nurse = await world.as('nurse', 'GET', `/Composition/${created.body.id}/$document`);
    expect(nurse.status).to.equal(403);
    expect(nurse.body.issue[0].details.text).to.contain('Composition');
    expect((await world.as('oncologist', 'GET', '/Composition/inexistant/$document')).status).to.equal(404);
  });

  it('$render?format=html: a printable French page with the key items, every value escaped', async () => {
    const input = colonCancerSheet(world);
    input.otherData = 'Note <script>alert("x")</script> & co';
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', input);
    const res = await world.raw('oncologist', `/Composition/${created.body.id}/$render?format=html`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/html; charset=utf-8/);
    expect(res.headers.get('cache-control')).to.equal('no-store');
    const html = await res.text();
    expect(html).to.match(/^<!DOCTYPE html>\n<html lang="fr">/);
    expect(html).to.contain('@page').and.contain('@media print');
    for (const text of [
      'Fiche de réunion de concertation pluridisciplinaire', 'RCP digestive — 3C du CHU Méditerranée', 'CASTELLANI', 'Hélène Marie', '14/03/1958',
      world.patientIns, 'C18.7 — Tumeur maligne du côlon sigmoïde', '8140/3 — Adénocarcinome, SAI', 'cT3 cN1 cM0 — stade IIIB (TNM UICC 8e édition)',
      'Indice de performance OMS', 'Synthèse du cas présenté', 'Question posée à la RCP', 'Sigmoïdectomie par cœlioscopie', '1 (première intention)',
      '2 (alternative)', 'Chimiothérapie', 'Consultation d’oncogériatrie', '06/10/2025', 'Thésaurus National de Cancérologie Digestive', 'Quorum atteint',
      'Dr Laurent Chabert', 'BROUILLON — NON SIGNÉ', 'Document non signé',
    ]) expect(html, text).to.contain(text);
    expect(html).not.to.contain('<script>alert');
    expect(html).to.contain('Note &lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt; &amp; co');
  });

  it('$render?format=pdf: real PDF bytes with pages', async () => {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
    const res = await world.raw('oncologist', `/Composition/${created.body.id}/$render?format=pdf`);
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.equal('application/pdf');
    expect(res.headers.get('content-disposition')).to.match(/^inline; filename="fiche-rcp-.+\.pdf"$/);
    const pdf = Buffer.from(await res.arrayBuffer());
    expect(pdf.subarray(0, 5).toString('latin1')).to.equal('%PDF-');
    expect(pdf.subarray(-6).toString('latin1')).to.contain('%%EOF');
    const pages = pdf.toString('latin1').match(/\/Type \/Page\b/g) ?? [];
    expect(pages.length).to.be.greaterThan(0);
    expect(pdf.length).to.be.greaterThan(3000);
    const pdfByAccept = await world.raw('oncologist', `/Composition/${created.body.id}/$render`, { accept: 'application/pdf' });
    expect(pdfByAccept.headers.get('content-type')).to.equal('application/pdf');
    expect((await world.raw('oncologist', `/Composition/${created.body.id}/$render?format=docx`)).status).to.equal(400);
  });
});
