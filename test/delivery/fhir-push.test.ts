import { expect } from 'chai';
import { Client } from 'fhir-kit-client';
import type { Bundle, CarePlan, Composition, Patient, Resource } from '@medplum/fhirtypes';
import { carePlanDocument } from '../../server/care-plan/document.ts';
import { systemContext, type RequestContext } from '../../server/context.ts';
import { classifyPushError, FhirPushClient, UnpushableDocumentError } from '../../server/delivery/fhir-push.ts';
import { pushConfigFromEnv, type PushConfig } from '../../server/config.ts';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import { buildRcpSheetDocument } from '../../server/rcp-sheet/document.ts';
import { as, createCareCase, ppsInput, startCarePlanServer } from '../care-plan/fixtures.ts';
import { startFhirTestServer, type FhirTestServer } from '../helpers/fhir-test-server.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { colonCancerSheet, startWorld, type World } from '../rcp-sheet/fixtures.ts';
import { testUsers } from '../helpers/users.ts';

/** The DCC's public FHIR base as the documents name it (fullUrls). */
const DCC_BASE = 'https://dcc-paca.example/fhir';
const INS_SYSTEMS = ['urn:oid:1.2.250.1.213.1.4.8', 'urn:oid:1.2.250.1.213.1.4.10', 'urn:oid:1.2.250.1.213.1.4.11'];

/** Pushes that fail: the rejection, for classification. */
async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('the push should have failed');
}

const resources = (bundle: Bundle): Resource[] => (bundle.entry ?? []).map((e) => e.resource!);
const ofType = <T extends Resource>(bundle: Bundle, type: T['resourceType']) => resources(bundle).filter((r): r is T => r.resourceType === type);

/**
 * Signed RCP reports and PPS pushed as FHIR documents to an external FHIR server that is not the
 * DCC (Medplum's router and in-memory repository behind node:http), through fhir-kit-client; the
 * server misbehaves on demand (503, lost answers, no answer, bad token, rejections, down).
 */
describe('Delivery: push of RCP reports and PPS to an external FHIR server', () => {
  let world: World;
  let carePlans: RunningServer;
  let remote: FhirTestServer;
  const users = testUsers();

  before(async () => {
    world = await startWorld();
    carePlans = await startCarePlanServer(users);
    remote = await startFhirTestServer();
  });
  after(async () => {
    await remote?.close();
    await carePlans?.close();
    await world?.close();
  });
  afterEach(() => remote.requireBearerToken(undefined));

  const pushClient = (config: Partial<PushConfig> = {}) => new FhirPushClient({ baseUrl: remote.baseUrl, timeoutMs: 5_000, ...config });
  const reader = (bearerToken?: string) => new Client({ baseUrl: remote.baseUrl, ...(bearerToken ? { bearerToken } : {}) });
  /** What the remote holds under a document identifier (read back through its FHIR API). */
  async function remoteBundles(bundle: Bundle, bearerToken?: string): Promise<Bundle[]> {
    const found = (await reader(bearerToken).search({ resourceType: 'Bundle', searchParams: { identifier: `${bundle.identifier!.system}|${bundle.identifier!.value}` } })) as unknown as Bundle;
    return (found.entry ?? []).map((e) => e.resource as Bundle);
  }

  async function signedRcpDocument(patientId = world.patientId): Promise<{ bundle: Bundle; compositionId: string }> {
    const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world, patientId));
    expect(created.status, JSON.stringify(created.body)).to.equal(201);
    const signed = await world.as('oncologist', 'POST', `/Composition/${created.body.id}/$sign`);
    expect(signed.status, JSON.stringify(signed.body)).to.equal(200);
    // As the outbox worker does: the service itself, the signed version.
    const bundle = await buildRcpSheetDocument(world.server.services.store.system(), systemContext(DCC_BASE), created.body.id, { version: signed.body.meta.versionId });
    return { bundle, compositionId: created.body.id };
  }

  async function handedOverPps(status: 'QUAL' | 'RECUP' = 'QUAL') {
    const c = await createCareCase(carePlans, users, status);
    const built = await as(carePlans, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const handed = await as(carePlans, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    return { c, pps: handed.body as CarePlan };
  }

  function expectValid(bundle: Bundle): void {
    expect(() => validateForWrite(bundle), 'Bundle').not.to.throw();
    for (const resource of resources(bundle)) expect(() => validateForWrite(resource), `${resource.resourceType}/${resource.id}`).not.to.throw();
  }

  it('pushes a signed RCP report as a document: read back from the remote with its Composition, entries, signature and identifier; a second push is the same copy', async () => {
    const { bundle, compositionId } = await signedRcpDocument();
    expectValid(bundle);
    const pushed = await pushClient().pushDocument(bundle);
    expect(pushed.created).to.equal(true);

    const stored = (await reader().read({ resourceType: 'Bundle', id: pushed.id })) as unknown as Bundle;
    expect(stored).to.deep.include({ type: 'document', identifier: bundle.identifier, timestamp: bundle.timestamp });
    expect(stored.entry).to.have.length(bundle.entry!.length);
    const composition = stored.entry![0]!.resource as Composition;
    expect(composition).to.include({ resourceType: 'Composition', id: compositionId, status: 'final' });
    expect(composition.type.coding![0]).to.include({ system: 'http://loinc.org', code: '34794-8' });
    expect(composition.attester!.find((a) => a.mode === 'legal')!.party!.reference).to.equal(`Practitioner/${world.pros.oncologist!.id}`);
    expect(stored.signature?.type?.[0]?.code).to.equal('1.2.840.10065.1.12.1.1');
    // Every section entry travels with the document; the qualified patient keeps the INS.
    const fullUrls = new Set(stored.entry!.map((e) => e.fullUrl));
    for (const s of composition.section ?? []) for (const e of s.entry ?? []) expect(fullUrls.has(`${DCC_BASE}/${e.reference!.replace(/\/_history\/\d+$/, '')}`), e.reference).to.equal(true);
    const patient = ofType<Patient>(stored, 'Patient')[0]!;
    expect(patient.id).to.equal(world.patientId);
    expect(patient.identifier!.map((i) => i.value)).to.include(world.patientIns);
    expect(JSON.stringify(stored)).to.contain('Sigmoïdectomie par cœlioscopie');

    const again = await pushClient().pushDocument(bundle);
    expect(again).to.deep.equal({ id: pushed.id, created: false });
    expect(await remoteBundles(bundle)).to.have.length(1);
    // The If-None-Exist condition is the document identifier.
    const last = remote.requests.filter((r) => r.method === 'POST').at(-1)!;
    expect(new URLSearchParams(String(last.headers['if-none-exist'])).get('identifier')).to.equal(`${bundle.identifier!.system}|${bundle.identifier!.value}`);
  });

  it('an RCP report of a patient whose identity is only retrieved (RECUP) leaves without the INS', async () => {
    const { bundle } = await signedRcpDocument(world.recupPatientId);
    expectValid(bundle);
    const pushed = await pushClient().pushDocument(bundle);
    const stored = (await reader().read({ resourceType: 'Bundle', id: pushed.id })) as unknown as Bundle;
    const patient = ofType<Patient>(stored, 'Patient')[0]!;
    expect(patient.id).to.equal(world.recupPatientId);
    expect(JSON.stringify(stored)).not.to.contain(world.recupIns);
    expect((patient.identifier ?? []).filter((i) => INS_SYSTEMS.includes(i.system!))).to.have.length(0);
  });

  it('pushes a handed-over PPS as a document: Composition (LOINC 18776-5, French sections), Patient with INS, CarePlan, CareTeam, oral treatment, cancer, directory', async () => {
    const { c, pps } = await handedOverPps();
    const bundle = await carePlanDocument(carePlans.services.store.system(), pps.id!, { baseUrl: DCC_BASE });
    expectValid(bundle);
    const pushed = await pushClient().pushDocument(bundle);
    expect(pushed.created).to.equal(true);

    const stored = (await reader().read({ resourceType: 'Bundle', id: pushed.id })) as unknown as Bundle;
    expect(stored).to.deep.include({ type: 'document', identifier: bundle.identifier, timestamp: pps.meta!.lastUpdated });
    expect(stored.identifier!.value).to.match(/^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-5[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    const composition = stored.entry![0]!.resource as Composition;
    expect(composition).to.include({ resourceType: 'Composition', status: 'final', title: 'Programme personnalisé de soins', language: 'fr-FR' });
    expect(composition.type.coding![0]).to.include({ system: 'http://loinc.org', code: '18776-5' });
    expect(composition.subject!.reference).to.equal(`Patient/${c.patientId}`);
    expect(composition.author![0]!.reference).to.equal(`Practitioner/${c.practitioners.oncologist}`);
    expect(composition.event![0]!.detail![0]!.reference).to.equal(`CarePlan/${pps.id}/_history/${pps.meta!.versionId}`);
    const section = (title: string) => composition.section!.find((s) => s.title === title)!;
    expect(section('Vos traitements').text!.div).to.contain('Capécitabine 500 mg, comprimé').and.contain('14 jours de prise, puis 7 jours d&#39;arrêt');
    expect(section('Vos contacts').text!.div).to.contain('Ligue contre le cancer');
    expect(section('Votre programme').text!.div).to.contain('Adénocarcinome du côlon sigmoïde');
    expect(section('Remise du document').text!.div).to.contain('oui, vous l’avez accepté');
    expect(section('Information sur les données personnelles vous concernant')).to.exist;

    // Every resource the sections name is in the document.
    const keys = new Set(resources(stored).map((r) => `${r.resourceType}/${r.id}`));
    const treatments = section('Vos traitements').entry!.map((e) => e.reference!.replace(/\/_history\/\d+$/, ''));
    expect(treatments.some((r) => r.startsWith('MedicationRequest/'))).to.equal(true);
    for (const s of composition.section!) for (const e of s.entry ?? []) expect(keys.has(e.reference!.replace(/\/_history\/\d+$/, '')), e.reference).to.equal(true);
    expect(ofType(stored, 'CarePlan').map((r) => r.id)).to.deep.equal([pps.id]);
    expect(ofType(stored, 'CareTeam')).to.have.length(1);
    expect(ofType(stored, 'Condition').map((r) => r.id)).to.deep.equal([c.conditionId]);
    const practitioners = ofType(stored, 'Practitioner').map((r) => r.id);
    expect(practitioners).to.include.members([c.practitioners.oncologist, c.practitioners.gp, c.practitioners.pharmacist, c.practitioners.nurse]);
    expect(ofType(stored, 'Organization').map((r) => r.id)).to.include(c.chuId);
    expect(ofType<Patient>(stored, 'Patient')[0]!.identifier!.map((i) => i.value)).to.include(c.ins);

    // Same version → same document; building it again is the same identifier, pushing it again no second copy.
    const rebuilt = await carePlanDocument(carePlans.services.store.system(), pps.id!, { baseUrl: DCC_BASE, version: pps.meta!.versionId });
    expect(rebuilt.identifier).to.deep.equal(bundle.identifier);
    expect(await pushClient().pushDocument(rebuilt)).to.deep.equal({ id: pushed.id, created: false });
    // The draft (version 1) is another document.
    const draft = await carePlanDocument(carePlans.services.store.system(), pps.id!, { baseUrl: DCC_BASE, version: '1' });
    expect(draft.identifier!.value).not.to.equal(bundle.identifier!.value);
    expect((draft.entry![0]!.resource as Composition).status).to.equal('preliminary');
    expect((draft.entry![0]!.resource as Composition).identifier).to.deep.equal(composition.identifier);
  });

  it('the PPS document is read as the caller: a RECUP patient keeps no INS; the city nurse gets no diagnosis', async () => {
    const { c, pps } = await handedOverPps('RECUP');
    const system = await carePlanDocument(carePlans.services.store.system(), pps.id!, { baseUrl: DCC_BASE });
    expectValid(system);
    expect(JSON.stringify(system)).not.to.contain(c.ins!);

    const nurse: RequestContext = { requestId: 'test-nurse', principal: users.nurse!, baseUrl: DCC_BASE };
    const seenByNurse = await carePlanDocument(carePlans.services.store.forRequest(nurse), pps.id!, { baseUrl: DCC_BASE });
    expectValid(seenByNurse);
    expect(ofType(seenByNurse, 'Condition')).to.have.length(0);
    expect(ofType(seenByNurse, 'MedicationRequest')).to.have.length(1);
    expect(JSON.stringify(seenByNurse)).not.to.contain('Adénocarcinome du côlon sigmoïde');
  });

  it('a PPAC is a document too: its alternating surveillance calendar in French, read back from the remote', async () => {
    const { c, pps } = await handedOverPps();
    const started = await as(carePlans, 'gp', 'POST', `/CarePlan/${pps.id}/$start-ppac`, {
      endOfTreatment: '2026-09-15', surveillance: { intervalMonths: 6, years: 5, first: 'gp', exams: [{ display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 }] },
      relapseSigns: [{ description: 'Douleurs abdominales persistantes' }],
    });
    expect(started.status, JSON.stringify(started.body)).to.equal(201);
    const gp: RequestContext = { requestId: 'test-gp', principal: users.gp!, baseUrl: DCC_BASE };
    // Not handed over yet: a preliminary document.
    const draft = await carePlanDocument(carePlans.services.store.forRequest(gp), started.body.id, { baseUrl: DCC_BASE });
    expect((draft.entry![0]!.resource as Composition).status).to.equal('preliminary');
    const handed = await as(carePlans, 'gp', 'POST', `/CarePlan/${started.body.id}/$hand-over`, { date: '2026-09-20', shareWithGp: true });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    const bundle = await carePlanDocument(carePlans.services.store.forRequest(gp), started.body.id, { baseUrl: DCC_BASE });
    expect(bundle.identifier!.value).not.to.equal(draft.identifier!.value);
    expectValid(bundle);
    const pushed = await pushClient().pushDocument(bundle);
    const stored = (await reader().read({ resourceType: 'Bundle', id: pushed.id })) as unknown as Bundle;
    const composition = stored.entry![0]!.resource as Composition;
    expect(composition).to.include({ status: 'final', title: "Programme personnalisé de l'après-cancer" });
    expect(composition.author![0]!.reference).to.equal(`Practitioner/${c.practitioners.gp}`);
    expect(composition.category![0]!.coding![0]!.code).to.equal('ppac');
    const calendar = composition.section!.find((s) => s.title === 'Votre calendrier de surveillance')!;
    expect(calendar.text!.div).to.contain('15 mars 2027').and.contain('Médecin traitant').and.contain('Scanner thoraco-abdomino-pelvien');
    expect(ofType(stored, 'CarePlan').map((r) => r.id)).to.deep.equal([started.body.id]);
  });

  it('retries after 503: the push fails as temporary, then succeeds once the server is back, with one copy', async () => {
    const { pps } = await handedOverPps();
    const bundle = await carePlanDocument(carePlans.services.store.system(), pps.id!, { baseUrl: DCC_BASE });
    remote.failNext(2, 503);
    for (let attempt = 0; attempt < 2; attempt++) {
      const verdict = classifyPushError(await failure(pushClient().pushDocument(bundle)));
      expect(verdict).to.include({ permanent: false, status: 503, kind: 'unavailable' });
      expect(verdict.message).to.contain('momentanément indisponible').and.contain('Service temporairement indisponible');
    }
    expect(await remoteBundles(bundle)).to.have.length(0);
    expect((await pushClient().pushDocument(bundle)).created).to.equal(true);
    expect(await remoteBundles(bundle)).to.have.length(1);
  });

  it('a half-finished push (written, answer lost) then a retry leaves exactly ONE Bundle on the server', async () => {
    const { bundle } = await signedRcpDocument();
    remote.dropResponseOfNext(1);
    const verdict = classifyPushError(await failure(pushClient().pushDocument(bundle)));
    expect(verdict).to.include({ permanent: false, kind: 'network' });
    const written = await remoteBundles(bundle);
    expect(written, 'the server did write it').to.have.length(1);

    const retry = await pushClient().pushDocument(bundle);
    expect(retry).to.deep.equal({ id: written[0]!.id, created: false });
    expect(await remoteBundles(bundle)).to.have.length(1);
  });

  it('a server that never answers does not hang the worker: the timeout is a temporary failure', async () => {
    const { bundle } = await signedRcpDocument();
    remote.stallNext(1);
    const verdict = classifyPushError(await failure(pushClient({ timeoutMs: 300 }).pushDocument(bundle)));
    expect(verdict).to.include({ permanent: false, kind: 'timeout' });
    expect((await pushClient().pushDocument(bundle)).created).to.equal(true);
    expect(await remoteBundles(bundle)).to.have.length(1);
  });

  it('a missing or revoked token (401) is permanent and says a human must act; the right token goes through', async () => {
    const { bundle } = await signedRcpDocument();
    remote.requireBearerToken('jeton-valide');
    for (const config of [{}, { bearerToken: 'jeton-révoqué' }]) {
      const verdict = classifyPushError(await failure(pushClient(config).pushDocument(bundle)));
      expect(verdict).to.include({ permanent: true, status: 401, kind: 'auth' });
      expect(verdict.message).to.contain('HTTP 401').and.contain('DCC_PUSH_FHIR_TOKEN').and.contain('Jeton d’accès absent ou invalide');
    }
    expect(remote.requests.at(-1)!.headers.authorization).to.equal('Bearer jeton-révoqué');
    const pushed = await pushClient({ bearerToken: 'jeton-valide' }).pushDocument(bundle);
    expect(pushed.created).to.equal(true);
    expect(await remoteBundles(bundle, 'jeton-valide')).to.have.length(1);
  });

  it('422 and 400 from the server are permanent, with its OperationOutcome diagnostics in the message', async () => {
    const { bundle } = await signedRcpDocument();
    remote.rejectNext(422, 'Bundle.entry[1].resource : identité du patient non conforme au profil du dépôt');
    const unprocessable = classifyPushError(await failure(pushClient().pushDocument(bundle)));
    expect(unprocessable).to.include({ permanent: true, status: 422, kind: 'rejected' });
    expect(unprocessable.message).to.equal('Le serveur FHIR destinataire a refusé le document (HTTP 422) : Bundle.entry[1].resource : identité du patient non conforme au profil du dépôt');
    remote.rejectNext(400, 'Bundle.timestamp manquant');
    const bad = classifyPushError(await failure(pushClient().pushDocument(bundle)));
    expect(bad).to.include({ permanent: true, status: 400 });
    expect(bad.message).to.contain('Bundle.timestamp manquant');
    expect(await remoteBundles(bundle)).to.have.length(0);
  });

  it('two copies already on the server (someone else pushed twice): the conditional create fails with 412, permanent', async () => {
    const { bundle } = await signedRcpDocument();
    const { id: _id, meta: _meta, ...body } = bundle;
    await remote.repo.createResource(body as Bundle);
    await remote.repo.createResource(body as Bundle);
    const verdict = classifyPushError(await failure(pushClient().pushDocument(bundle)));
    expect(verdict).to.include({ permanent: true, status: 412, kind: 'rejected' });
    expect(await remoteBundles(bundle)).to.have.length(2);
  });

  it('server down then back on the same port: temporary while down, nothing lost, one copy', async () => {
    const { pps } = await handedOverPps();
    const bundle = await carePlanDocument(carePlans.services.store.system(), pps.id!, { baseUrl: DCC_BASE });
    await remote.stop();
    try {
      const verdict = classifyPushError(await failure(pushClient().pushDocument(bundle)));
      expect(verdict).to.include({ permanent: false, kind: 'network' });
      expect(verdict.message).to.contain('injoignable');
    } finally {
      await remote.start();
    }
    const pushed = await pushClient().pushDocument(bundle);
    expect(pushed.created).to.equal(true);
    expect(await remoteBundles(bundle)).to.have.length(1);
  });

  it('what is not a pushable document is refused before sending, permanently', async () => {
    const before = remote.requests.length;
    const noIdentifier: Bundle = { resourceType: 'Bundle', type: 'document', timestamp: new Date().toISOString(), entry: [{ resource: { resourceType: 'Composition' } as Composition }] };
    const collection: Bundle = { resourceType: 'Bundle', type: 'collection', identifier: { system: 'urn:ietf:rfc:3986', value: 'urn:uuid:8c7d1e4a-1b2c-5d3e-8f4a-0b1c2d3e4f50' } };
    for (const bundle of [noIdentifier, collection]) {
      const error = await failure(pushClient().pushDocument(bundle));
      expect(error).to.be.instanceOf(UnpushableDocumentError);
      expect(classifyPushError(error)).to.include({ permanent: true, kind: 'invalid-document' });
    }
    expect(remote.requests.length).to.equal(before);
  });

  it('classifies what the wire can throw: 5xx/408/429 temporary, other 4xx permanent, unknown errors temporary', () => {
    const http = (status: number, data: unknown = {}) => Object.assign(new Error(`HTTP ${status}`), { response: { status, data } });
    for (const status of [408, 429, 500, 502, 504]) expect(classifyPushError(http(status)).permanent, String(status)).to.equal(false);
    for (const status of [400, 403, 404, 405, 409, 410, 412, 422]) expect(classifyPushError(http(status)).permanent, String(status)).to.equal(true);
    expect(classifyPushError(http(403)).kind).to.equal('auth');
    // A proxy's HTML error page is still classified by its status.
    expect(classifyPushError(http(502, '<html><body>Bad gateway</body></html>'))).to.include({ permanent: false, status: 502 });
    expect(classifyPushError(http(404, { resourceType: 'OperationOutcome', issue: [{ severity: 'error', code: 'not-found', diagnostics: 'Type Bundle non pris en charge' }] })).message).to.contain('Type Bundle non pris en charge');
    expect(classifyPushError(new Error('inattendu'))).to.include({ permanent: false, kind: 'unknown' });
  });

  it('reads the push target from the environment', () => {
    expect(pushConfigFromEnv({})).to.equal(undefined);
    expect(pushConfigFromEnv({ DCC_PUSH_FHIR_URL: '  ' })).to.equal(undefined);
    expect(pushConfigFromEnv({ DCC_PUSH_FHIR_URL: 'https://depot.example/fhir/' })).to.deep.equal({ baseUrl: 'https://depot.example/fhir' });
    expect(pushConfigFromEnv({ DCC_PUSH_FHIR_URL: 'https://depot.example/fhir', DCC_PUSH_FHIR_TOKEN: 'abc', DCC_PUSH_FHIR_TIMEOUT_MS: '5000' }))
      .to.deep.equal({ baseUrl: 'https://depot.example/fhir', bearerToken: 'abc', timeoutMs: 5000 });
    expect(() => pushConfigFromEnv({ DCC_PUSH_FHIR_URL: 'depot sans schéma' })).to.throw('DCC_PUSH_FHIR_URL');
    expect(() => pushConfigFromEnv({ DCC_PUSH_FHIR_URL: 'ftp://depot.example/fhir' })).to.throw('http(s)');
    expect(() => pushConfigFromEnv({ DCC_PUSH_FHIR_URL: 'https://depot.example/fhir', DCC_PUSH_FHIR_TIMEOUT_MS: 'dix' })).to.throw('DCC_PUSH_FHIR_TIMEOUT_MS');
  });
});
