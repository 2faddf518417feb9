import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import {
  identityIssues,
  identityStatusChange,
  identityStatusOf,
  withoutUnqualifiedIns,
} from '../../server/identity/identity-rules.ts';
import { INS_NIA_SYSTEM, INS_NIR_SYSTEM, INS_NIR_TEST_SYSTEM, withInsNirKey, type IdentityStatus } from '../../server/identity/ins.ts';
import { IDNPS_SYSTEM, RPPS_SYSTEM } from '../../server/identity/rpps.ts';
import { buildDemoBundle } from '../../server/seed/demo-data.ts';
import { startTestServer, unique, type RunningServer, http } from '../helpers/harness.ts';
import { newRpps as rpps } from '../helpers/users.ts';
import * as fx from './fixtures.ts';

type Json = Record<string, any>;

const RELIABILITY = 'https://hl7.fr/ig/fhir/core/StructureDefinition/fr-core-identity-reliability';
const STATUS_SYSTEM = 'https://hl7.fr/ig/fhir/core/CodeSystem/fr-core-cs-identity-status';

/** A fictitious NIR (13 characters) unique to a test, agreeing with the fixture's traits (woman born March 1958). */
function freshNir(): string {
  const order = String(Math.floor(Math.random() * 1000)).padStart(3, '0');
  const commune = String(100 + Math.floor(Math.random() * 800)).padStart(3, '0');
  return `25803${'13'}${commune}${order}`;
}

function patientWith(status: IdentityStatus | undefined, ins?: { system: string; value: string }, validationMode = true): Json {
  const p = fx.patient();
  const reliability = p.extension.find((e: Json) => e.url === RELIABILITY);
  if (status) reliability.extension.find((e: Json) => e.url === 'identityStatus').valueCoding.code = status;
  else p.extension = p.extension.filter((e: Json) => e.url !== RELIABILITY);
  if (!validationMode) reliability.extension = reliability.extension.filter((e: Json) => e.url !== 'validationMode');
  p.identifier = [
    ...(ins ? [{ use: 'official', ...ins }] : []),
    { use: 'usual', system: 'https://dcc-paca.example/fhir/sid/ipp/130999014', value: unique('ipp') },
  ];
  if (!status) delete p.meta;
  return p;
}

describe('Identity rules (INS key, identity status, RPPS / IDNPS) through the FHIR API', () => {
  let server: RunningServer;
  const post = (body: Json) => http(server, 'POST', `/${body.resourceType}`, body);
  const put = (body: Json) => http(server, 'PUT', `/${body.resourceType}/${body.id}`, body);

  before(async () => {
    // The identity rules are the store's own: startServices registers them, as main.ts does.
    server = await startTestServer();
  });
  after(() => server.close());

  describe('INS-NIR key (97 − NIR mod 97)', () => {
    it('accepts a qualified identity whose INS key is right (test system …4.10 and production …4.8)', async () => {
      for (const system of [INS_NIR_TEST_SYSTEM, INS_NIR_SYSTEM]) {
        const res = await post(patientWith('QUAL', { system, value: withInsNirKey(freshNir()) }));
        expect(res.status, res.text).to.equal(201);
      }
    });

    it('refuses a wrong key with a 422 naming the identifier, without giving the expected key', async () => {
      const good = withInsNirKey(freshNir());
      const wrong = good.slice(0, 13) + String((Number(good.slice(13)) % 97) + 1).padStart(2, '0');
      for (const system of [INS_NIR_TEST_SYSTEM, INS_NIR_SYSTEM]) {
        const res = await post(patientWith('QUAL', { system, value: wrong }));
        expect(res.status).to.equal(422);
        const [issue] = res.body.issue;
        expect(issue.expression).to.deep.equal(['Patient.identifier[0].value']);
        expect(issue.details.text).to.equal(`INS invalide : la clé de l'identifiant INS ${system} « ${wrong} » ne correspond pas au NIR (clé = 97 − NIR modulo 97) ; vérifiez le numéro sur l'attestation INSi ou la carte Vitale`);
        // The system's OID may end in the same two digits as the key (…1.4.10): look past it.
        expect(issue.details.text.replace(system, '')).to.not.contain(good.slice(13) + ' ');
      }
    });

    it('refuses a value that is not a 15-character NIR, and checks Corsican NIRs (2A / 2B)', async () => {
      const res = await post(patientWith('QUAL', { system: INS_NIR_TEST_SYSTEM, value: 'ins-123' }));
      expect(res.status).to.equal(422);
      expect(res.body.issue[0].details.text).to.contain('doit compter 15 caractères');
      // Ajaccio (2A004): the key is computed with 19 in place of 2A.
      const corsican = withInsNirKey(`2580${'3'}2A004${String(Math.floor(Math.random() * 900) + 100)}`);
      expect((await post(patientWith('QUAL', { system: INS_NIR_TEST_SYSTEM, value: corsican }))).status).to.equal(201);
    });

    it('leaves identifiers of other systems alone (NIA key rule unpublished, local IPP)', async () => {
      const res = await post(patientWith('RECUP', { system: INS_NIA_SYSTEM, value: '123456789012345' }));
      expect(res.status, res.text).to.equal(201);
    });
  });

  describe('identity status (RNIV)', () => {
    it('refuses an INS on a provisional or validated identity, or without any status', async () => {
      for (const status of ['PROV', 'VALI', undefined] as const) {
        const res = await post(patientWith(status, { system: INS_NIR_TEST_SYSTEM, value: withInsNirKey(freshNir()) }));
        expect(res.status, String(status)).to.equal(422);
        expect(res.body.issue[0].details.text).to.contain("Un INS n'est enregistré que pour une identité récupérée (RECUP) ou qualifiée (QUAL)");
        expect(res.body.issue[0].expression).to.deep.equal(['Patient.identifier[0]']);
      }
    });

    it('refuses a qualified identity without INS, and a validated / qualified one without the identity document checked', async () => {
      const noIns = await post(patientWith('QUAL'));
      expect(noIns.status).to.equal(422);
      expect(noIns.body.issue.map((i: Json) => i.details.text).join('\n')).to.contain('Une identité qualifiée (QUAL) suppose un INS');
      const noDocument = await post(patientWith('VALI', undefined, false));
      expect(noDocument.status).to.equal(422);
      expect(noDocument.body.issue[0].details.text).to.contain("suppose le contrôle d'une pièce d'identité à haut niveau de confiance");
      expect((await post(patientWith('VALI'))).status).to.equal(201);
      expect((await post(patientWith('PROV', undefined, false))).status).to.equal(201);
    });

    it('a qualified identity keeps its INS and strict traits; a correction goes through RECUP, then back to QUAL', async () => {
      const ins = { system: INS_NIR_TEST_SYSTEM, value: withInsNirKey(freshNir()) };
      const created = (await post(patientWith('QUAL', ins))).body;
      const edited = structuredClone(created);
      edited.birthDate = '1958-03-12';
      const refused = await put(edited);
      expect(refused.status).to.equal(422);
      expect(refused.body.issue[0].details.text).to.contain("Les traits stricts d'une identité qualifiée");
      const otherIns = structuredClone(created);
      otherIns.identifier[0].value = withInsNirKey(freshNir());
      expect((await put(otherIns)).body.issue[0].details.text).to.contain("L'INS d'une identité qualifiée ne peut pas être remplacé tel quel");

      // The traced path: QUAL → RECUP with the correction, then RECUP → QUAL.
      const recup = structuredClone(edited);
      recup.extension[0].extension[0].valueCoding.code = 'RECUP';
      const step1 = await put(recup);
      expect(step1.status, step1.text).to.equal(200);
      expect(identityStatusChange(created, step1.body)).to.deep.equal({ from: 'QUAL', to: 'RECUP' });
      const qual = structuredClone(step1.body);
      qual.extension[0].extension[0].valueCoding.code = 'QUAL';
      const step2 = await put(qual);
      expect(step2.status, step2.text).to.equal(200);
      expect(identityStatusChange(step1.body, step2.body)).to.deep.equal({ from: 'RECUP', to: 'QUAL' });
      // Other changes of a qualified identity (address, phone…) are free.
      const moved = structuredClone(step2.body);
      moved.address = [{ use: 'home', line: ['3 rue Paradis'], postalCode: '13001', city: 'Marseille' }];
      expect((await put(moved)).status).to.equal(200);
    });
  });

  describe('RPPS / IDNPS on Practitioner (Luhn)', () => {
    it('accepts valid RPPS and IDNPS (8 + RPPS, or 0 + ADELI)', async () => {
      const number = rpps();
      const res = await post({ resourceType: 'Practitioner', identifier: [{ system: IDNPS_SYSTEM, value: `8${number}` }, { system: RPPS_SYSTEM, value: number }], name: [{ family: 'Aubert' }] });
      expect(res.status, res.text).to.equal(201);
      expect((await post({ resourceType: 'Practitioner', identifier: [{ system: IDNPS_SYSTEM, value: '0131234567' }], name: [{ family: 'Roux' }] })).status).to.equal(201);
    });

    it('refuses an RPPS or an IDNPS whose Luhn key is wrong, naming the identifier', async () => {
      const number = rpps();
      const wrong = number.slice(0, 10) + ((Number(number[10]) + 1) % 10);
      const res = await post({ resourceType: 'Practitioner', identifier: [{ system: RPPS_SYSTEM, value: wrong }, { system: IDNPS_SYSTEM, value: `8${wrong}` }], name: [{ family: 'Faux' }] });
      expect(res.status).to.equal(422);
      expect(res.body.issue.map((i: Json) => i.expression[0])).to.deep.equal(['Practitioner.identifier[0].value', 'Practitioner.identifier[1].value']);
      expect(res.body.issue[0].details.text).to.equal(`RPPS invalide : « ${wrong} » (${RPPS_SYSTEM}) doit compter 11 chiffres dont le dernier est la clé de Luhn ; vérifiez le numéro sur la carte CPS ou l'annuaire santé`);
      expect(res.body.issue[1].details.text).to.contain(`IDNPS invalide : « 8${wrong} »`);
    });

    it('refuses an IDNPS that is not 8 + the RPPS of the same professional', async () => {
      const res = await post({ resourceType: 'Practitioner', identifier: [{ system: RPPS_SYSTEM, value: rpps() }, { system: IDNPS_SYSTEM, value: `8${rpps()}` }], name: [{ family: 'Double' }] });
      expect(res.status).to.equal(422);
      expect(res.body.issue[0].details.text).to.contain('ne correspond pas au RPPS');
    });
  });

  describe('the demo data set', () => {
    it('passes the identity rules (test INS with valid keys, statuses consistent, RPPS with Luhn keys)', () => {
      for (const entry of buildDemoBundle().entry ?? []) {
        expect(identityIssues({ action: 'create', resourceType: entry.resource!.resourceType, next: entry.resource }), entry.fullUrl).to.deep.equal([]);
      }
    });
  });
});

describe('An INS is never sent out unless the identity is QUAL', () => {
  const ins = { system: INS_NIR_TEST_SYSTEM, value: fx.TEST_INS };

  it('withoutUnqualifiedIns keeps the INS of a qualified identity only', () => {
    for (const status of ['PROV', 'RECUP', 'VALI', undefined] as const) {
      const p = patientWith(status, ins) as Patient;
      const out = withoutUnqualifiedIns(p);
      expect(out.identifier?.map((i) => i.system), String(status)).to.deep.equal(['https://dcc-paca.example/fhir/sid/ipp/130999014']);
      expect(p.identifier).to.have.length(2); // the stored resource is not modified
    }
    const qualified = patientWith('QUAL', ins) as Patient;
    expect(withoutUnqualifiedIns(qualified)).to.equal(qualified);
  });

  it('strips every INS system (NIR, NIA, test, demo) and drops an emptied identifier list', () => {
    const p = patientWith('RECUP') as Patient;
    p.identifier = [{ system: INS_NIR_SYSTEM, value: '1' }, { system: INS_NIA_SYSTEM, value: '2' }, { system: INS_NIR_TEST_SYSTEM, value: '3' }, { system: 'urn:oid:1.2.250.1.213.1.4.11', value: '4' }];
    const out = withoutUnqualifiedIns(p);
    expect(out).to.not.have.property('identifier');
    expect(out.name).to.deep.equal(p.name);
  });

  it('identityStatusOf reads the FR Core extension; identityStatusChange reports changes only', () => {
    const recup = patientWith('RECUP') as Patient;
    const qual = patientWith('QUAL') as Patient;
    expect(identityStatusOf(recup)).to.equal('RECUP');
    expect(identityStatusOf({ resourceType: 'Patient' })).to.equal(undefined);
    expect(identityStatusOf({ resourceType: 'Patient', extension: [{ url: RELIABILITY, extension: [{ url: 'identityStatus', valueCoding: { system: STATUS_SYSTEM, code: 'DOUTEUSE' } }] }] })).to.equal(undefined);
    expect(identityStatusChange(recup, qual)).to.deep.equal({ from: 'RECUP', to: 'QUAL' });
    expect(identityStatusChange(qual, structuredClone(qual))).to.equal(undefined);
    expect(identityStatusChange(undefined, qual)).to.deep.equal({ from: undefined, to: 'QUAL' });
    expect(identityStatusChange(undefined, { resourceType: 'Patient' })).to.equal(undefined);
  });
});
