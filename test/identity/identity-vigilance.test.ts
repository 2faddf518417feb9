import { expect } from 'chai';
import { IDENTITY_VIGILANCE_SYSTEM } from '../../server/identity/identity-vigilance.ts';
import { INS_NIR_TEST_SYSTEM, withInsNirKey } from '../../server/identity/ins.ts';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';

type Json = Record<string, any>;

const RELIABILITY = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';

/** A fictitious NIR for the given sex digit and birth year/month, unique to the test. */
function nir(sex: '1' | '2', yymm: string): string {
  const digits = (n: number) => String(Math.floor(Math.random() * 10 ** n)).padStart(n, '0');
  return withInsNirKey(`${sex}${yymm}13${digits(3)}${digits(3)}`);
}

/** A qualified identity (RNIV) of a woman born on 1972-11-23, with the INS given. */
function qualifiedWoman(ins: string, family = unique('Essai')): Json {
  return {
    resourceType: 'Patient',
    extension: [{
      url: RELIABILITY,
      extension: [
        { url: 'identityStatus', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status', code: 'QUAL' } },
        { url: 'methodCollection', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-method-collection', code: 'INSI' } },
        { url: 'validationMode', valueCoding: { system: 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-mode-validation-identity', code: 'CN' } },
      ],
    }],
    identifier: [{ use: 'official', system: INS_NIR_TEST_SYSTEM, value: ins }],
    name: [{ use: 'official', family, given: ['Odile'] }],
    gender: 'female',
    birthDate: '1972-11-23',
  };
}

describe('Identity-vigilance (RNIV): one INS one patient, INS agrees with the traits, minimum traits, probable duplicates', () => {
  let server: RunningServer;
  const post = (body: Json) => http(server, 'POST', '/Patient', body);

  before(async () => {
    server = await startTestServer();
  });
  after(() => server.close());

  it('refuses a second patient with an INS already held, with a 409 naming the existing record', async () => {
    const ins = nir('2', '7211');
    const first = await post(qualifiedWoman(ins));
    expect(first.status, first.text).to.equal(201);
    const second = await post(qualifiedWoman(ins));
    expect(second.status, second.text).to.equal(409);
    const [issue] = second.body.issue;
    expect(issue.details.text).to.contain(`Patient/${first.body.id}`).and.contain(ins);
    expect(issue.details.coding[0]).to.include({ system: IDENTITY_VIGILANCE_SYSTEM, code: 'ins-already-held' });

    // Giving that INS to another record by an update is the same mistake; the holder itself may be edited.
    const other = await post(qualifiedWoman(nir('2', '7211')));
    expect(other.status, other.text).to.equal(201);
    // (through RECUP: a qualified identity does not change its INS in place)
    const retrieved = { ...other.body, identifier: [{ use: 'official', system: INS_NIR_TEST_SYSTEM, value: ins }] };
    retrieved.extension[0].extension[0].valueCoding.code = 'RECUP';
    const steal = await http(server, 'PUT', `/Patient/${other.body.id}`, retrieved);
    expect(steal.status, steal.text).to.equal(409);
    const edit = await http(server, 'PUT', `/Patient/${first.body.id}`, { ...first.body, telecom: [{ system: 'phone', value: '0491000000' }] });
    expect(edit.status, edit.text).to.equal(200);
  });

  it("refuses an INS whose sex, birth year or birth month contradicts the patient's traits (422)", async () => {
    const male1960 = nir('1', '6005');
    const res = await post(qualifiedWoman(male1960));
    expect(res.status, res.text).to.equal(422);
    const texts = res.body.issue.map((i: Json) => i.details.text);
    expect(texts.some((t: string) => t.includes('sexe masculin'))).to.equal(true, texts.join('\n'));
    expect(texts.some((t: string) => t.includes('naissance en 1960 ou 2060'))).to.equal(true, texts.join('\n'));
    expect(res.body.issue[0].expression).to.deep.equal(['Patient.identifier[0].value']);

    const wrongMonth = await post(qualifiedWoman(nir('2', '7205')));
    expect(wrongMonth.status).to.equal(422);
    expect(wrongMonth.body.issue[0].details.text).to.contain('au mois 05');
    // A month of 20 or more says the month was unknown when the NIR was given: not compared.
    expect((await post(qualifiedWoman(nir('2', '7230')))).status).to.equal(201);
  });

  it('requires the minimum identity traits: birth name, first name, birth date, sex (422)', async () => {
    const res = await post({ resourceType: 'Patient', name: [{ family: 'Essai' }] });
    expect(res.status, res.text).to.equal(422);
    const expressions = res.body.issue.map((i: Json) => i.expression[0]);
    expect(expressions).to.include.members(['Patient.name', 'Patient.birthDate', 'Patient.gender']);
    expect(res.body.issue.map((i: Json) => i.details.text).join('\n')).to.contain('premier prénom');
    expect((await post({ resourceType: 'Patient', name: [{ family: 'Essai', given: ['Jeanne'] }], gender: 'female', birthDate: '1950-02-01' })).status).to.equal(201);
  });

  it('hands a probable duplicate (same birth name, first name, birth date) to the identity-vigilance cell as a Task', async () => {
    const family = unique('Doublon');
    const traits = { name: [{ use: 'official', family, given: ['Hélène'] }], gender: 'female', birthDate: '1958-03-14' };
    const first = await post({ resourceType: 'Patient', ...traits });
    // Case and accents differ, as they do between two admission desks.
    const second = await post({ resourceType: 'Patient', ...traits, name: [{ use: 'official', family: family.toUpperCase(), given: ['HELENE', 'Marie'] }] });
    expect(second.status, second.text).to.equal(201);
    const tasks = await http(server, 'GET', `/Task?code=${encodeURIComponent(`${IDENTITY_VIGILANCE_SYSTEM}|probable-duplicate`)}&focus=Patient/${second.body.id}`);
    expect(tasks.body.entry, tasks.text).to.have.length(1);
    const task = tasks.body.entry[0].resource;
    expect(task.status).to.equal('requested');
    expect(task.performerType[0].coding[0].code).to.equal('identity-vigilance-cell');
    expect(task.input.map((i: Json) => i.valueReference.reference)).to.deep.equal([`Patient/${first.body.id}`]);

    // Another birth date: a namesake, not a duplicate.
    const namesake = await post({ resourceType: 'Patient', ...traits, birthDate: '1958-03-15' });
    const none = await http(server, 'GET', `/Task?code=${encodeURIComponent(`${IDENTITY_VIGILANCE_SYSTEM}|probable-duplicate`)}&focus=Patient/${namesake.body.id}`);
    expect(none.body.entry ?? []).to.have.length(0);
  });

  it('tells the writer that a probable duplicate went to the identity-vigilance cell, naming no other record', async () => {
    const family = unique('Bérenger');
    const first = await post({ resourceType: 'Patient', name: [{ use: 'official', family: family.toUpperCase(), given: ['Chloé'] }], gender: 'female', birthDate: '1985-01-08' });
    expect(first.status, first.text).to.equal(201);
    const prefer = { prefer: 'return=OperationOutcome' };
    const second = await http(server, 'POST', '/Patient', { resourceType: 'Patient', name: [{ use: 'official', family: family.normalize('NFD').replace(/\p{M}/gu, ''), given: ['Chloe'] }], gender: 'female', birthDate: '1985-01-08' }, prefer);
    expect(second.status, second.text).to.equal(201);
    expect(second.headers.get('location')).to.match(/\/Patient\/[^/]+\/_history\/1$/);
    const warnings = second.body.issue.filter((i: Json) => i.severity === 'warning');
    expect(warnings, second.text).to.have.length(1);
    expect(warnings[0].details.coding[0]).to.include({ system: IDENTITY_VIGILANCE_SYSTEM, code: 'probable-duplicate' });
    expect(warnings[0].details.text).to.match(/^Doublon probable signalé à la cellule d'identitovigilance/);
    expect(second.text, 'the look-alike may be outside the writer’s circle of care').not.to.contain(first.body.id).and.not.contain(family.toUpperCase());

    const alone = await http(server, 'POST', '/Patient', { resourceType: 'Patient', name: [{ use: 'official', family: unique('Seule'), given: ['Chloé'] }], gender: 'female', birthDate: '1985-01-08' }, prefer);
    expect(alone.status, alone.text).to.equal(201);
    expect(alone.body.issue.map((i: Json) => i.severity)).to.deep.equal(['information']);
  });

  it('sees a probable duplicate whose birth name differs only by hyphens, spaces or apostrophes (RNIV)', async () => {
    const tag = unique('');
    const tasksOf = async (id: string) => (await http(server, 'GET', `/Task?code=${encodeURIComponent(`${IDENTITY_VIGILANCE_SYSTEM}|probable-duplicate`)}&focus=Patient/${id}`)).body.entry ?? [];
    const first = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `LE BIHAN ${tag.toUpperCase()}`, given: ['Gaëlle'] }], gender: 'female', birthDate: '1972-06-21' });
    expect(first.status, first.text).to.equal(201);
    const second = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `Le-Bihan-${tag}`, given: ['Gaelle'] }], gender: 'female', birthDate: '1972-06-21' });
    expect(second.status, second.text).to.equal(201);
    const tasks = await tasksOf(second.body.id);
    expect(tasks, 'Le-Bihan Gaelle ~ LE BIHAN Gaëlle').to.have.length(1);
    expect(tasks[0].resource.input.map((i: Json) => i.valueReference.reference)).to.deep.equal([`Patient/${first.body.id}`]);

    // An apostrophe, and a compound first name typed with a space.
    const darco = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `D'ARCO${tag}`, given: ['Jean-Marie'] }], gender: 'male', birthDate: '1949-09-02' });
    const darco2 = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `Darco${tag}`, given: ['Jean Marie'] }], gender: 'male', birthDate: '1949-09-02' });
    expect(await tasksOf(darco2.body.id), "Darco Jean Marie ~ D'ARCO Jean-Marie").to.have.length(1);
    expect((await tasksOf(darco2.body.id))[0].resource.input[0].valueReference.reference).to.equal(`Patient/${darco.body.id}`);

    // A compound first name stored as one entry, typed as two (the form splits at spaces); and a
    // first name that is only the start of a compound one is another person's.
    const menard = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `MENARD${tag}`, given: ['Francois-Louis'] }], gender: 'male', birthDate: '1951-11-02' });
    const menard2 = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `Ménard${tag}`, given: ['François', 'Louis'] }], gender: 'male', birthDate: '1951-11-02' });
    expect(await tasksOf(menard2.body.id), 'Ménard François Louis ~ MENARD Francois-Louis').to.have.length(1);
    expect((await tasksOf(menard2.body.id))[0].resource.input[0].valueReference.reference).to.equal(`Patient/${menard.body.id}`);
    const jean = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `PETIT${tag}`, given: ['Jean-Pierre'] }], gender: 'male', birthDate: '1960-03-03' });
    const jean2 = await post({ resourceType: 'Patient', name: [{ use: 'official', family: `Petit${tag}`, given: ['Jean'] }], gender: 'male', birthDate: '1960-03-03' });
    expect(jean.status).to.equal(201);
    expect(await tasksOf(jean2.body.id), 'Petit Jean is not PETIT Jean-Pierre').to.have.length(0);
  });
});
