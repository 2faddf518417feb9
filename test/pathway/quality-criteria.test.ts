import { expect } from 'chai';
import { readResponse, unique, type RunningServer } from '../helpers/harness.ts';
import { as, startCarePlanServer } from '../care-plan/fixtures.ts';
import { asUser, professional, testUsers } from '../helpers/users.ts';

const DCC = 'https://dcc-paca.example/fhir';
const ASIP = 'urn:oid:1.2.250.1.213.1.1.4.322';
const ICD10 = 'http://hl7.org/fhir/sid/icd-10';

/** The six transversal quality criteria, computed on a data set built here, with the expected numbers. */
describe('Quality criteria: the six transversal criteria per establishment and period, with the cases that miss each', () => {
  let server: RunningServer;
  const users = testUsers({ nurse: professional('IDEL', ['nurse']), admin: professional('RSSI', ['admin']) });
  const ids: Record<string, string> = {};

  const create = async (body: any): Promise<string> => {
    const res = await as(server, 'system', 'POST', `/${body.resourceType}`, body);
    if (res.status !== 201) throw new Error(`${body.resourceType}: ${res.status} ${res.text}`);
    return res.body.id;
  };

  before(async function () {
    this.timeout(180_000);
    server = await startCarePlanServer(users);
    const hospitalA = ids.hospitalA = await create({ resourceType: 'Organization', name: `Hôpital A ${unique()}` });
    const hospitalB = ids.hospitalB = await create({ resourceType: 'Organization', name: `Clinique B ${unique()}` });
    const patient = async (key: string, org: string, cim10: string, recorded: string) => {
      ids[key] = await create({ resourceType: 'Patient', name: [{ family: `Qualite${key}`, given: ['Test'] }], gender: 'female', birthDate: '1960-01-01', managingOrganization: { reference: `Organization/${org}` } });
      ids[`${key}-condition`] = await create({ resourceType: 'Condition', subject: { reference: `Patient/${ids[key]}` }, code: { coding: [{ system: ICD10, code: cim10 }] }, recordedDate: recorded });
      return { reference: `Patient/${ids[key]}` };
    };
    const a1 = await patient('A1', hospitalA, 'C50.4', '2026-10-05');
    const a2 = await patient('A2', hospitalA, 'C18.7', '2026-10-10');
    const b1 = await patient('B1', hospitalB, 'C34.1', '2026-11-02');
    await patient('B2', hospitalB, 'C61', '2026-05-01'); // before the period
    await create({ resourceType: 'Condition', subject: b1, code: { coding: [{ system: ICD10, code: 'I10' }] }, recordedDate: '2026-11-03' }); // not a cancer

    const announcement = (subject: any) => create({
      resourceType: 'Procedure', status: 'completed', subject, performedDateTime: '2026-10-20',
      category: { coding: [{ system: `${DCC}/CodeSystem/dcc-care-pathway-step`, code: 'announcement' }] },
      code: { coding: [{ system: `${DCC}/CodeSystem/dcc-announcement-time`, code: 'medical' }], text: "Consultation d'annonce médicale" },
    });
    const decision = (subject: any, key: string) => create({
      resourceType: 'CarePlan', status: 'active', intent: 'proposal', subject, created: '2026-10-15T18:00:00+02:00', addresses: [{ reference: `Condition/${ids[`${key}-condition`]}` }],
      category: [{ coding: [{ system: `${DCC}/CodeSystem/dcc-care-plan-category`, code: 'rcp-decision' }] }],
      activity: [{
        extension: [{ url: `${DCC}/StructureDefinition/dcc-proposal-rank`, valuePositiveInt: 1 }, { url: `${DCC}/StructureDefinition/dcc-proposal-sequence`, valuePositiveInt: 1 }],
        detail: { status: 'not-started', code: { coding: [{ system: 'http://snomed.info/sct', code: '387713003', display: 'Chirurgie' }] } },
      }],
    });
    const observation = (subject: any, code: string, value: Record<string, unknown>) => create({ resourceType: 'Observation', status: 'final', subject, code: { coding: [{ system: ASIP, code }] }, ...value });

    await announcement(a1);
    const a1Decision = await decision(a1, 'A1');
    const oncologist = { reference: `Practitioner/${await create({ resourceType: 'Practitioner', name: [{ family: 'Lambert', given: ['Sophie'] }] })}` };
    await create({
      resourceType: 'CarePlan', status: 'active', intent: 'plan', subject: a1, created: '2026-10-25', author: oncologist,
      basedOn: [{ reference: `CarePlan/${a1Decision}` }], addresses: [{ reference: `Condition/${ids['A1-condition']}` }],
      category: [{ coding: [{ system: `${DCC}/CodeSystem/dcc-care-plan-category`, code: 'pps' }] }],
      extension: [
        { url: `${DCC}/StructureDefinition/dcc-handover`, extension: [{ url: 'date', valueDateTime: '2026-10-25' }, { url: 'by', valueReference: oncologist }] },
        { url: `${DCC}/StructureDefinition/dcc-share-with-gp`, valueBoolean: true },
      ],
      activity: [{ extension: [{ url: `${DCC}/StructureDefinition/dcc-activity-kind`, valueCoding: { system: ASIP, code: 'MED-572' } }], detail: { status: 'not-started', code: { text: 'Consultation diététique' } } }],
    });
    await observation(a1, 'MED-249', { valueString: 'Référentiel régional sein 2025' });
    await observation(a1, 'MED-250', { valueBoolean: false });
    await decision(a2, 'A2');
    await announcement(b1);
    await observation(b1, 'MED-250', { valueBoolean: true });
  });
  after(() => server.close());

  it('counts each criterion per establishment over the new cancers of the period, and lists the cases that miss it', async () => {
    const res = await readResponse(await fetch(`${server.url}/api/pathway/quality-criteria?from=2026-10-01&to=2027-01-01`, { headers: asUser('system') }));
    expect(res.status, res.text).to.equal(200);
    const of = (org: string) => res.body.establishments.find((e: any) => e.establishment.reference === `Organization/${org}`);
    // The service account sees every establishment of the run's schema: this test's two are checked.
    const a = of(ids.hospitalA!);
    const b = of(ids.hospitalB!);
    expect(a, 'hôpital A').to.not.equal(undefined);
    expect(b, 'hôpital B').to.not.equal(undefined);
    expect(a.cases).to.equal(2);
    const rates = (e: any) => Object.fromEntries(Object.entries(e.criteria).map(([k, v]: [string, any]) => [k, [v.met, v.rate]]));
    expect(rates(a)).to.deep.equal({
      announcement: [1, 50], rcp: [2, 100], 'pps-handed-over': [1, 50], guidelines: [1, 50], 'supportive-care': [1, 50], 'trials-innovation': [1, 50],
    });
    expect(a.criteria.announcement.missing).to.deep.equal([{ patient: `Patient/${ids.A2}`, name: 'QUALITEA2 Test', condition: `Condition/${ids['A2-condition']}` }]);
    expect(a.criteria.rcp.missing).to.deep.equal([]);
    expect(b.cases).to.equal(1);
    expect(rates(b)).to.deep.equal({
      announcement: [1, 100], rcp: [0, 0], 'pps-handed-over': [0, 0], guidelines: [0, 0], 'supportive-care': [0, 0], 'trials-innovation': [1, 100],
    });
    expect(b.criteria.rcp.missing[0].patient).to.equal(`Patient/${ids.B1}`);
    expect(b.criteria.rcp.label).to.equal('Concertation pluridisciplinaire (RCP)');

    const bad = await readResponse(await fetch(`${server.url}/api/pathway/quality-criteria?from=2026-12-01&to=2026-10-01`, { headers: asUser('system') }));
    expect(bad.status).to.equal(400);
    const nurse = await readResponse(await fetch(`${server.url}/api/pathway/quality-criteria?from=2026-10-01&to=2027-01-01`, { headers: asUser('nurse') }));
    expect(nurse.status).to.equal(403);
  });

  it('the 3C indicators carry the same criteria per establishment for the period, with the names of the cases to follow up', async () => {
    // The indicators' "to" is included whole: 2026-12-31 covers the same days as [2026-10-01, 2027-01-01).
    const res = await readResponse(await fetch(`${server.url}/api/rcp/indicators?from=2026-10-01&to=2026-12-31`, { headers: asUser('system') }));
    expect(res.status, res.text).to.equal(200);
    expect(res.body.total).to.be.an('object');
    const a = res.body.quality.find((e: any) => e.establishment.reference === `Organization/${ids.hospitalA}`);
    const b = res.body.quality.find((e: any) => e.establishment.reference === `Organization/${ids.hospitalB}`);
    expect(a, 'hôpital A').to.not.equal(undefined);
    expect(b, 'hôpital B').to.not.equal(undefined);
    expect([a.cases, a.criteria.announcement.met, a.criteria['pps-handed-over'].rate]).to.deep.equal([2, 1, 50]);
    expect(a.criteria.guidelines.missing).to.deep.equal([{ patient: `Patient/${ids.A2}`, name: 'QUALITEA2 Test', condition: `Condition/${ids['A2-condition']}` }]);
    expect(b.criteria['supportive-care'].missing.map((m: any) => m.name)).to.deep.equal(['QUALITEB1 Test']);
    // A shorter period leaves hospital A's October cases out.
    const november = await readResponse(await fetch(`${server.url}/api/rcp/indicators?from=2026-11-01&to=2026-11-30`, { headers: asUser('system') }));
    const ours = (quality: any[]) => quality.map((e: any) => e.establishment.reference).filter((r: string) => [`Organization/${ids.hospitalA}`, `Organization/${ids.hospitalB}`].includes(r));
    expect(ours(november.body.quality)).to.deep.equal([`Organization/${ids.hospitalB}`]);
    // The administrator reads the activity figures, never the diagnoses behind the criteria.
    const admin = await readResponse(await fetch(`${server.url}/api/rcp/indicators?from=2026-10-01&to=2026-12-31`, { headers: asUser('admin') }));
    expect(admin.status, admin.text).to.equal(200);
    expect(admin.body.quality).to.equal(undefined);
  });

  it('sixty-odd new cancers, more patients than one OR search holds: each case counted from its own record, one of a thousand observations too; a patient outside the circle of care or deleted is not counted', async function () {
    this.timeout(120_000);
    const key = unique('batch');
    const hospital = await create({ resourceType: 'Organization', name: `Centre C ${key}` });
    const oncologist = await create({ resourceType: 'Practitioner', name: [{ family: `Oncologue-${key}`, given: ['Claire'] }] });
    users[`${key}.oncologist`] = professional('Dr Claire Oncologue', ['physician'], { practitionerId: oncologist });
    const patient = async (n: number, inCircle = true) => {
      const id = await create({ resourceType: 'Patient', name: [{ family: `Nombreux${n}-${key}`, given: ['Paul'] }], gender: 'male', birthDate: '1950-01-01', managingOrganization: { reference: `Organization/${hospital}` } });
      const subject = { reference: `Patient/${id}` };
      await create({ resourceType: 'Condition', subject, code: { coding: [{ system: ICD10, code: 'C18.7' }] }, recordedDate: '2025-03-10' });
      if (inCircle) await create({ resourceType: 'CareTeam', status: 'active', subject, participant: [{ member: { reference: `Practitioner/${oncologist}` } }] });
      return { id, subject };
    };
    // Sixty patients are over 2,048 characters of subject=Patient/…: the record searches take several OR batches.
    const cases: { id: string; subject: { reference: string } }[] = [];
    for (let batch = 0; batch < 6; batch++) cases.push(...await Promise.all(Array.from({ length: 10 }, (_, i) => patient(batch * 10 + i))));
    const study = await create({ resourceType: 'ResearchStudy', status: 'active', title: `Essai ${key}` });
    await Promise.all(cases.map(async ({ subject }, n) => {
      if (n % 2 === 0) await create({ resourceType: 'Procedure', status: 'completed', subject, category: { coding: [{ system: `${DCC}/CodeSystem/dcc-care-pathway-step`, code: 'announcement' }] }, code: { coding: [{ system: `${DCC}/CodeSystem/dcc-announcement-time`, code: 'medical' }] } });
      if (n % 3 === 0) {
        await create({
          resourceType: 'CarePlan', status: 'active', intent: 'proposal', subject, created: '2025-03-20T18:00:00+01:00',
          category: [{ coding: [{ system: `${DCC}/CodeSystem/dcc-care-plan-category`, code: 'rcp-decision' }] }],
          activity: [{
            extension: [{ url: `${DCC}/StructureDefinition/dcc-proposal-rank`, valuePositiveInt: 1 }, { url: `${DCC}/StructureDefinition/dcc-proposal-sequence`, valuePositiveInt: 1 }],
            detail: { status: 'not-started', code: { coding: [{ system: 'http://snomed.info/sct', code: '387713003', display: 'Chirurgie' }] } },
          }],
        });
      }
      if (n % 5 === 0) await create({ resourceType: 'ResearchSubject', status: 'on-study', study: { reference: `ResearchStudy/${study}` }, individual: subject });
    }));
    // Case 7: a thousand results before the one the criterion looks at, more than one page of a batched search.
    const labs = await as(server, 'system', 'POST', '/', {
      resourceType: 'Bundle', type: 'transaction',
      entry: Array.from({ length: 1000 }, (_, i) => ({
        fullUrl: `urn:uuid:${crypto.randomUUID()}`, request: { method: 'POST', url: 'Observation' },
        resource: { resourceType: 'Observation', status: 'final', subject: cases[7]!.subject, code: { coding: [{ system: 'http://loinc.org', code: '718-7' }] }, valueQuantity: { value: 12 + (i % 5) / 10, unit: 'g/dL' } },
      })),
    });
    expect(labs.status, JSON.stringify(labs.body).slice(0, 300)).to.equal(200);
    await create({ resourceType: 'Observation', status: 'final', subject: cases[7]!.subject, code: { coding: [{ system: ASIP, code: 'MED-249' }] }, valueString: 'Référentiel régional côlon 2025' });
    await patient(60, false); // outside the oncologist's circle of care
    const deleted = await patient(61);
    expect((await as(server, 'system', 'DELETE', `/Patient/${deleted.id}`)).status).to.be.oneOf([200, 204]);

    const quality = async (user: string) => {
      const res = await readResponse(await fetch(`${server.url}/api/pathway/quality-criteria?from=2025-03-01&to=2025-04-01`, { headers: asUser(user) }));
      expect(res.status, res.text).to.equal(200);
      return res.body.establishments.find((e: any) => e.establishment.reference === `Organization/${hospital}`);
    };
    const names = (list: { name?: string }[]) => list.map((m) => Number(m.name!.match(/^NOMBREUX(\d+)-/)![1])).sort((a, b) => a - b);
    const mine = await quality(`${key}.oncologist`);
    expect(mine.cases).to.equal(60);
    expect([mine.criteria.announcement.met, mine.criteria.rcp.met, mine.criteria['trials-innovation'].met, mine.criteria.guidelines.met]).to.deep.equal([30, 20, 12, 1]);
    expect(names(mine.criteria.announcement.missing)).to.deep.equal(Array.from({ length: 30 }, (_, i) => 2 * i + 1));
    expect(names(mine.criteria['trials-innovation'].missing)).to.have.length(48).and.not.include(55);
    expect(names(mine.criteria.guidelines.missing)).to.have.length(59).and.not.include(7);
    const all = await quality('system');
    expect(all.cases).to.equal(61);
    expect(names(all.criteria.rcp.missing)).to.include(60).and.not.include(61);
  });

  it('the same criteria download as a CSV for the 3C’s spreadsheet (one line per establishment and criterion, the patients to follow up); not for the administrator', async () => {
    const res = await fetch(`${server.url}/api/rcp/indicators?from=2026-10-01&to=2026-12-31&format=csv&table=quality`, { headers: asUser('system') });
    expect(res.status).to.equal(200);
    expect(res.headers.get('content-type')).to.match(/^text\/csv/);
    expect(res.headers.get('content-disposition')).to.contain('criteres-qualite-2026-10-01');
    const lines = (await res.text()).replace(/^\ufeff/, '').trim().split('\r\n');
    expect(lines[0]).to.equal('Établissement;Identifiant;Début de période;Fin de période;Critère;Nouveaux cas;Cas conformes;Taux (%);Patients à suivre');
    expect(lines).to.have.length(1 + 2 * 6);
    const guidelinesA = lines.find((l) => l.includes(`Organization/${ids.hospitalA}`) && l.includes('Référentiels de pratique clinique'))!;
    expect(guidelinesA.split(';').slice(-4)).to.deep.equal(['2', '1', '50', 'QUALITEA2 Test']);
    const admin = await fetch(`${server.url}/api/rcp/indicators?from=2026-10-01&to=2026-12-31&format=csv&table=quality`, { headers: asUser('admin') });
    expect(admin.status).to.equal(403);
  });
});
