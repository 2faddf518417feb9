import { expect } from 'chai';
import type { AuditEvent, Binary, Bundle, DocumentReference, MedicationRequest } from '@medplum/fhirtypes';
import { DOMParser } from '@xmldom/xmldom';
import { strFromU8, unzipSync } from 'fflate';
import { SHARING_AUDIT_SUBTYPE_SYSTEM } from '../../server/access/audit.ts';
import { FhirPushClient } from '../../server/delivery/fhir-push.ts';
import { MailSender } from '../../server/delivery/mail.ts';
import type { MailConfig } from '../../server/config.ts';
import { DeliveryWorker, type DrainReport } from '../../server/delivery/worker.ts';
import { parseSearchRequest } from '../../server/fhir-kit/search-request.ts';
import { OutboxStore, type OutboxEntry } from '../../server/store/outbox-store.ts';
import type { Store } from '../../server/store/store.ts';
import { as, createCareCase, ppsInput, type CareCase } from '../care-plan/fixtures.ts';
import { startFhirTestServer, type FhirTestServer } from '../helpers/fhir-test-server.ts';
import { startTestServer, type RunningServer } from '../helpers/harness.ts';
import { SmtpCatcher, type CaughtMessage } from '../helpers/smtp-catcher.ts';
import { asUser, identifyByHeader, testUsers } from '../helpers/users.ts';

/**
 * Sharing with the city, end to end: a change in the record (PPS handed over, oral treatment
 * started or suspended) raises an event in the outbox in the same transaction; the worker fans it
 * out to the GP, pharmacist and nurse as the patient's choices allow, sends real mail to a real
 * SMTP server (which refuses, goes down, cuts a transfer, comes back) and pushes the PPS to a FHIR
 * server that is not this one. Nothing lost, nothing sent twice, every message traced.
 */
describe('Sharing with the city: outbox, secure mail, FHIR push', function () {
  this.timeout(120_000);
  const users = testUsers({ system: { displayName: 'système', roles: ['system'], authMethod: 'system' } });
  let store: Store;
  let server: RunningServer;
  let catcher: SmtpCatcher;
  let fhirServer: FhirTestServer;
  let mailConfig: MailConfig;
  let sender: MailSender;
  let worker: DeliveryWorker;
  let outbox: OutboxStore;

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    store = server.services.store;
    catcher = await SmtpCatcher.start();
    fhirServer = await startFhirTestServer();
    mailConfig = {
      host: '127.0.0.1', port: catcher.port, secure: false, requireTls: false, rejectUnauthorized: true,
      from: 'DCC test <dcc@test.mssante.fr>', messageIdDomain: 'test.mssante.fr', publicBaseUrl: 'https://dcc.test',
      connectionTimeoutMs: 2_000, socketTimeoutMs: 5_000, sendTimeoutMs: 10_000,
    };
    sender = new MailSender(mailConfig);
    outbox = new OutboxStore(store.db);
    worker = newWorker();
    // Other suites leave events in the shared outbox: handle them first, so each test below sees its own.
    await drainAll(new Date());
  });
  after(async () => {
    await worker.stop();
    sender.close();
    await catcher.stop();
    await fhirServer.close();
    await server.close();
  });

  function newWorker(options: { mail?: boolean; push?: boolean; dmp?: boolean } = {}): DeliveryWorker {
    return new DeliveryWorker({
      store, maxAttempts: 3, batch: 50, leaseMs: 60_000, sender: { organisation: '3C du CHU Méditerranée', phone: '04 65 71 10 50' },
      ...(options.mail === false ? {} : { mail: { sender, config: mailConfig } }),
      ...(options.push === false ? {} : { push: { client: new FhirPushClient({ baseUrl: fhirServer.baseUrl, timeoutMs: 2_000 }), endpoint: fhirServer.baseUrl } }),
      ...(options.dmp ? { dmp: { config: { baseUrl: fhirServer.baseUrl, timeoutMs: 2_000 } } } : {}),
    });
  }

  /** Rounds until nothing is left to do at `now` (the other suites' leftovers included). */
  async function drainAll(now: Date, w: DeliveryWorker = worker): Promise<DrainReport> {
    const total: DrainReport = { dispatched: 0, sent: 0, failed: 0, dead: 0, withheld: 0 };
    for (let i = 0; i < 50; i++) {
      const r = await w.drainOnce(now);
      for (const k of Object.keys(total) as (keyof DrainReport)[]) total[k] += r[k];
      if (!r.dispatched && !r.sent && !r.failed && !r.dead && !r.withheld) break;
    }
    return total;
  }

  const deliveriesOf = async (patientId: string) => (await outbox.list<any>({ patientId, limit: 500 })).filter((e) => e.kind === 'mail' || e.kind === 'fhir-push');
  const eventsOf = async (patientId: string) => (await outbox.list<any>({ patientId, limit: 500 })).filter((e) => e.kind !== 'mail' && e.kind !== 'fhir-push' && e.kind !== 'dmp-push');
  const mailsOf = (entry: OutboxEntry): CaughtMessage[] => catcher.messages.filter((m) => m.headers.get('x-dcc-delivery-id')?.startsWith(`${entry.id}.`));
  const byRole = (entries: OutboxEntry<any>[], role: string) => entries.filter((e) => e.kind === 'mail' && e.payload.role === role);

  async function newCase(): Promise<CareCase> {
    const c = await createCareCase(server, users);
    await drainAll(new Date());
    return c;
  }

  async function buildAndHandOver(c: CareCase, shareWithGp: boolean): Promise<{ ppsId: string; oralId: string }> {
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status, JSON.stringify(built.body)).to.equal(201);
    const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp });
    expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
    const oral = (built.body.activity as any[]).map((a) => a.reference?.reference).find((r: string | undefined) => r?.startsWith('MedicationRequest/'));
    return { ppsId: built.body.id, oralId: String(oral).split('/')[1]! };
  }

  /** The patient's objection (Consent deny): to this professional, or to sharing beyond the care team. */
  async function objects(c: CareCase, to?: string): Promise<void> {
    const consent = await as(server, 'system', 'POST', '/Consent', {
      resourceType: 'Consent', status: 'active',
      scope: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/consentscope', code: 'patient-privacy' }] },
      category: [{ coding: [{ system: 'http://loinc.org', code: '59284-0' }] }],
      patient: { reference: `Patient/${c.patientId}` },
      policyRule: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ActCode', code: 'OPTOUT' }] },
      provision: { type: 'deny', ...(to ? { actor: [{ role: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/v3-ParticipationType', code: 'IRCP' }] }, reference: { reference: to } }] } : {}) },
    });
    expect(consent.status, JSON.stringify(consent.body)).to.equal(201);
  }

  async function auditOf(patientId: string, subtype: string): Promise<AuditEvent[]> {
    const { request } = parseSearchRequest('AuditEvent', new URLSearchParams({ patient: `Patient/${patientId}`, subtype: `${SHARING_AUDIT_SUBTYPE_SYSTEM}|${subtype}`, _count: '100' }), { defaultCount: 100, maxCount: 100 }, true);
    return (await store.system().search<AuditEvent>(request)).resources;
  }

  it('a PPS handed over with the patient’s agreement reaches the GP by secure mail with its PDF, the oral treatment reaches the pharmacist and the nurse, the PPS is pushed once', async () => {
    const c = await newCase();
    const { ppsId } = await buildAndHandOver(c, true);
    const events = await eventsOf(c.patientId);
    expect(events.map((e) => e.kind).sort()).to.deep.equal(['oral-treatment-changed', 'pps-shared']);

    const report = await drainAll(new Date());
    expect(report.dead).to.equal(0);
    const deliveries = await deliveriesOf(c.patientId);
    const gp = byRole(deliveries, 'general-practitioner');
    expect(gp).to.have.length(1);
    expect(gp[0]!.status).to.equal('sent');
    expect(gp[0]!.topic).to.match(new RegExp(`^CarePlan/${ppsId}/_history/\\d+$`));
    const [gpMail] = mailsOf(gp[0]!);
    expect(mailsOf(gp[0]!)).to.have.length(1);
    expect(gpMail!.envelope.to).to.deep.equal(['laurent@dcc-demo.mssante.fr']);
    expect(gpMail!.subject).to.contain('PPS').and.not.contain(c.family);
    expect(gpMail!.text).to.contain(c.family.toUpperCase()).and.to.contain(`https://dcc.test/patients/${c.patientId}#pps`); // the web client's page, at the PPS
    expect(gpMail!.attachments.map((a) => a.filename)).to.deep.equal([`pps-${ppsId}.pdf`, 'IHE_XDM.ZIP']);
    expect(gpMail!.attachments[0]!.content.subarray(0, 5).toString()).to.equal('%PDF-');
    // The PPS travels the MSSanté way too: CDA PPS + the same PDF in an IHE XDM zip, read back.
    const zip = unzipSync(new Uint8Array(gpMail!.attachments[1]!.content));
    expect(Object.keys(zip).sort()).to.deep.equal(['IHE_XDM/SUBSET01/DOC0001.XML', 'IHE_XDM/SUBSET01/DOC0002.PDF', 'IHE_XDM/SUBSET01/METADATA.XML', 'INDEX.HTM', 'README.TXT']);
    expect(Buffer.from(zip['IHE_XDM/SUBSET01/DOC0002.PDF']!).equals(gpMail!.attachments[0]!.content)).to.equal(true);
    const cda = new DOMParser().parseFromString(strFromU8(zip['IHE_XDM/SUBSET01/DOC0001.XML']!), 'text/xml');
    const V3 = 'urn:hl7-org:v3';
    const cdaTemplates = Array.from(cda.documentElement!.childNodes as unknown as ArrayLike<Element>).filter((n) => n.localName === 'templateId').map((t) => t.getAttribute('root'));
    expect(cdaTemplates).to.include('1.2.250.1.213.1.1.1.26');
    const cdaId = cda.getElementsByTagNameNS(V3, 'id')[0]!;
    const meta = new DOMParser().parseFromString(strFromU8(zip['IHE_XDM/SUBSET01/METADATA.XML']!), 'text/xml');
    const RIM = 'urn:oasis:names:tc:ebxml-regrep:xsd:rim:3.0';
    const classified = Object.fromEntries(Array.from(meta.getElementsByTagNameNS(RIM, 'Classification') as unknown as ArrayLike<Element>).map((c) => [c.getAttribute('id'), c.getAttribute('nodeRepresentation')]));
    expect(classified).to.deep.include({ 'cl-type': '18776-5', 'cl-format': 'urn:asip:ci-sis:pps-cancer:2017', 'cl-class': '44', 'cl-conf': 'N' });
    const externalIds = Array.from(meta.getElementsByTagNameNS(RIM, 'ExternalIdentifier') as unknown as ArrayLike<Element>).map((e) => e.getAttribute('value'));
    expect(externalIds).to.include(`${cdaId.getAttribute('root')}^${cdaId.getAttribute('extension')}`);

    const pharmacist = byRole(deliveries, 'pharmacist');
    const nurse = byRole(deliveries, 'nurse');
    expect(pharmacist.map((d) => d.status)).to.deep.equal(['sent']);
    expect(nurse.map((d) => d.status)).to.deep.equal(['sent']);
    expect(mailsOf(pharmacist[0]!)[0]!.envelope.to).to.deep.equal(['thomas@dcc-demo.mssante.fr']);
    const pharmacistMail = mailsOf(pharmacist[0]!)[0]!;
    expect(pharmacistMail.text).to.match(/[Cc]ap[ée]citabine/);
    // The pharmacist's own summary is attached: the treatment plan as a pharmacist may see it.
    expect(pharmacistMail.attachments.map((a) => a.filename)).to.deep.equal([`synthese-pharmacien-${c.patientId}.pdf`]);
    expect(pharmacistMail.attachments[0]!.content.subarray(0, 5).toString()).to.equal('%PDF-');

    const pushes = deliveries.filter((d) => d.kind === 'fhir-push');
    expect(pushes.map((d) => d.status)).to.deep.equal(['sent']);
    const pushed = (await fhirServer.repo.searchResources<Bundle>({ resourceType: 'Bundle', filters: [] } as any)).filter((b) => b.type === 'document' && JSON.stringify(b).includes(ppsId));
    expect(pushed).to.have.length(1);

    // Traced: each message sent, each push.
    expect((await auditOf(c.patientId, 'mail-sent')).length).to.equal(3);
    expect((await auditOf(c.patientId, 'document-pushed')).length).to.equal(1);

    // Nothing is sent twice: another round finds nothing to do for this patient.
    const before = catcher.messages.length;
    await drainAll(new Date(Date.now() + 3_600_000));
    expect(catcher.messages.length).to.equal(before);
  });

  it('a PPS the patient chose not to send to the GP raises no mail to the GP; the pharmacist still gets the oral treatment', async () => {
    const c = await newCase();
    await buildAndHandOver(c, false);
    expect((await eventsOf(c.patientId)).map((e) => e.kind)).to.deep.equal(['oral-treatment-changed']);
    await drainAll(new Date());
    const deliveries = await deliveriesOf(c.patientId);
    expect(byRole(deliveries, 'general-practitioner')).to.have.length(0);
    expect(byRole(deliveries, 'pharmacist').map((d) => d.status)).to.deep.equal(['sent']);
  });

  it('a patient’s objection to a professional withholds the mail to them and the push, and says why', async () => {
    const c = await newCase();
    await objects(c, `Practitioner/${c.practitioners.gp}`);
    await buildAndHandOver(c, true);
    await drainAll(new Date());
    const deliveries = await deliveriesOf(c.patientId);
    const gp = byRole(deliveries, 'general-practitioner');
    expect(gp.map((d) => d.status)).to.deep.equal(['withheld']);
    expect(gp[0]!.lastError).to.match(/oppos/i);
    expect(mailsOf(gp[0]!)).to.have.length(0);
    expect(deliveries.filter((d) => d.kind === 'fhir-push').map((d) => d.status)).to.deep.equal(['withheld']);
    expect(byRole(deliveries, 'pharmacist').map((d) => d.status)).to.deep.equal(['sent']);
    expect((await auditOf(c.patientId, 'delivery-withheld')).length).to.equal(2);
  });

  it('the relay down, then back: the mail waits with a growing delay and goes once when the relay returns', async () => {
    const c = await newCase();
    await buildAndHandOver(c, false);
    await catcher.stop();
    const t0 = new Date();
    const first = await drainAll(t0);
    expect(first.failed).to.be.greaterThan(0);
    const [pharmacist] = byRole(await deliveriesOf(c.patientId), 'pharmacist');
    expect(pharmacist!.status).to.equal('failed');
    expect(pharmacist!.attempts).to.equal(1);
    expect(pharmacist!.lastError).to.match(/connexion|refus|joindre/i);
    expect(new Date(pharmacist!.nextAttemptAt).getTime() - t0.getTime()).to.equal(60_000);

    await catcher.start();
    await drainAll(new Date(t0.getTime() + 30_000)); // not due yet
    expect((await outbox.get(pharmacist!.id))!.status).to.equal('failed');
    await drainAll(new Date(t0.getTime() + 61_000));
    const sent = (await outbox.get(pharmacist!.id))!;
    expect(sent.status).to.equal('sent');
    expect(sent.attempts).to.equal(2);
    expect(mailsOf(sent)).to.have.length(1);
  });

  it('a transfer cut in the middle is sent again, and arrives exactly once', async () => {
    const c = await newCase();
    await buildAndHandOver(c, false);
    catcher.dropDuringData(1);
    const t0 = new Date();
    await drainAll(t0);
    await drainAll(new Date(t0.getTime() + 3 * 60_000));
    const deliveries = byRole(await deliveriesOf(c.patientId), 'pharmacist').concat(byRole(await deliveriesOf(c.patientId), 'nurse'));
    expect(deliveries.map((d) => d.status)).to.deep.equal(['sent', 'sent']);
    expect(deliveries.map((d) => mailsOf(d).length)).to.deep.equal([1, 1]);
    expect(deliveries.some((d) => d.attempts === 2)).to.equal(true);
    expect(catcher.droppedTransfers).to.be.greaterThan(0);
  });

  it('a drainer that dies mid-send leaves its lease; another server sends the mail once the lease ends', async () => {
    const c = await newCase();
    await buildAndHandOver(c, false);
    await drainAll(new Date(), newWorker({ mail: false, push: false })); // fan-out only
    const t0 = new Date();
    const leased = (await outbox.lease({ limit: 500, now: t0, kinds: ['mail'], leaseMs: 60_000 })).filter((e) => e.patientId === c.patientId);
    expect(leased).to.have.length(2); // pharmacist and nurse, held by a drainer that never finishes
    await drainAll(new Date(t0.getTime() + 30_000));
    expect(leased.map((e) => mailsOf(e).length)).to.deep.equal([0, 0]);
    await drainAll(new Date(t0.getTime() + 61_000));
    for (const e of leased) {
      const now = (await outbox.get(e.id))!;
      expect(now.status).to.equal('sent');
      expect(now.attempts).to.equal(2); // the lost attempt counts
      expect(mailsOf(now)).to.have.length(1);
    }
  });

  it('two servers draining at once never send the same mail twice', async () => {
    const c = await newCase();
    await buildAndHandOver(c, true);
    const other = newWorker();
    const now = new Date();
    await Promise.all([drainAll(now), drainAll(now, other)]);
    const deliveries = await deliveriesOf(c.patientId);
    expect(deliveries.filter((d) => d.kind === 'mail').map((d) => d.status)).to.deep.equal(['sent', 'sent', 'sent']);
    for (const d of deliveries.filter((x) => x.kind === 'mail')) expect(mailsOf(d)).to.have.length(1);
    const pushed = (await fhirServer.repo.searchResources<Bundle>({ resourceType: 'Bundle', filters: [] } as any)).filter((b) => JSON.stringify(b).includes(c.patientId));
    expect(pushed).to.have.length(1);
  });

  it('an unknown mailbox is a dead letter the hospital sees in its alerts, and sends again once fixed', async () => {
    const c = await newCase();
    catcher.refuseRecipient('laurent@dcc-demo.mssante.fr', 550);
    try {
      await buildAndHandOver(c, true);
      await drainAll(new Date());
    } finally {
      catcher.acceptAll();
    }
    const [gp] = byRole(await deliveriesOf(c.patientId), 'general-practitioner');
    expect(gp!.status).to.equal('dead');
    expect(gp!.attempts).to.equal(1);
    expect((await auditOf(c.patientId, 'mail-failed')).length).to.equal(1);

    const status = await fetch(`${server.url}/api/deliveries?patient=Patient/${c.patientId}`, { headers: asUser('oncologist') });
    expect(status.status).to.equal(200);
    const body = await status.json() as any;
    const pps = body.documents.find((d: any) => d.event.kind === 'pps-shared');
    expect(pps.state).to.equal('failed');
    expect(pps.deliveries.find((d: any) => d.channel === 'mail')).to.include({ status: 'dead', role: 'general-practitioner', address: 'laurent@dcc-demo.mssante.fr' });

    const alerts = await (await fetch(`${server.url}/api/deliveries/alerts`, { headers: asUser('oncologist') })).json() as any;
    expect(alerts.undelivered.map((d: any) => d.event.id)).to.include(pps.event.id);

    // City professionals do not follow the hospital's sending.
    expect((await fetch(`${server.url}/api/deliveries/alerts`, { headers: asUser('pharmacist') })).status).to.equal(403);

    const retried = await fetch(`${server.url}/api/deliveries/${gp!.id}/retry`, { method: 'POST', headers: asUser('oncologist') });
    expect(retried.status).to.equal(200);
    await drainAll(new Date());
    const again = (await outbox.get(gp!.id))!;
    expect(again.status).to.equal('sent');
    expect(mailsOf(again)).to.have.length(1);
    const after = await (await fetch(`${server.url}/api/deliveries?patient=Patient/${c.patientId}`, { headers: asUser('oncologist') })).json() as any;
    expect(after.documents.find((d: any) => d.event.kind === 'pps-shared').state).to.equal('delivered');
  });

  it('an oral treatment suspended with its reason reaches the pharmacist and the nurse', async () => {
    const c = await newCase();
    const { oralId } = await buildAndHandOver(c, false);
    await drainAll(new Date());
    const current = await as(server, 'system', 'GET', `/MedicationRequest/${oralId}`);
    const suspended: MedicationRequest = { ...current.body, status: 'on-hold', statusReason: { text: 'Syndrome main-pied de grade 3' } };
    const put = await as(server, 'oncologist', 'PUT', `/MedicationRequest/${oralId}`, suspended, { 'if-match': `W/"${current.body.meta.versionId}"` });
    expect(put.status, JSON.stringify(put.body)).to.equal(200);
    await drainAll(new Date());
    const changes = (await deliveriesOf(c.patientId)).filter((d) => d.kind === 'mail' && d.topic === `MedicationRequest/${oralId}/_history/${put.body.meta.versionId}`);
    expect(changes.map((d) => (d.payload as any).role).sort()).to.deep.equal(['nurse', 'pharmacist']);
    for (const d of changes) {
      expect(d.status).to.equal('sent');
      const [mail] = mailsOf(d);
      expect(mail!.text).to.contain('suspendu').and.to.contain('Syndrome main-pied de grade 3');
    }
  });

  it('the GP sees the PPS only once handed over with the patient’s agreement', async () => {
    const c = await newCase();
    const built = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, ppsInput(c));
    expect(built.status).to.equal(201);
    expect((await as(server, 'gp', 'GET', `/CarePlan/${built.body.id}`)).status).to.equal(404); // not handed over yet
    expect((await as(server, 'oncologist', 'POST', `/CarePlan/${built.body.id}/$hand-over`, { date: '2026-02-10', shareWithGp: true })).status).to.equal(200);
    expect((await as(server, 'gp', 'GET', `/CarePlan/${built.body.id}`)).status).to.equal(200);
  });

  it('a choice changed before the mail left is respected: the patient withdraws the PPS from the GP, then objects to any sharing; nothing leaves', async () => {
    const c = await newCase();
    await catcher.stop();
    fhirServer.failNext(1, 503); // the one push attempt before the patient changes their mind
    let ppsId: string;
    let t0: Date;
    try {
      ({ ppsId } = await buildAndHandOver(c, true));
      t0 = new Date();
      const first = await drainAll(t0);
      expect(first.failed).to.equal(4); // GP, pharmacist, nurse: relay down; the push: 503
      // The patient changes their mind: the PPS is not to be sent to the GP after all.
      const handed = await as(server, 'oncologist', 'POST', `/CarePlan/${ppsId}/$hand-over`, { date: '2026-02-11', shareWithGp: false, reason: "le patient ne souhaite plus l'envoi à son médecin traitant" });
      expect(handed.status, JSON.stringify(handed.body)).to.equal(200);
      await objects(c); // to any sharing beyond the care team
    } finally {
      await catcher.start();
    }
    await drainAll(new Date(t0!.getTime() + 10 * 60_000));
    const deliveries = await deliveriesOf(c.patientId);
    const gp = byRole(deliveries, 'general-practitioner');
    expect(gp.map((d) => d.status)).to.deep.equal(['withheld']);
    expect(mailsOf(gp[0]!)).to.have.length(0);
    expect(deliveries.filter((d) => d.kind === 'fhir-push').map((d) => d.status)).to.deep.equal(['withheld']);
    const pushed = (await fhirServer.repo.searchResources<Bundle>({ resourceType: 'Bundle', filters: [] } as any)).filter((b) => JSON.stringify(b).includes(ppsId!));
    expect(pushed).to.have.length(0);
    // The pharmacist is in the care team: an objection to sharing beyond it does not stop the treatment plan.
    expect(byRole(deliveries, 'pharmacist').map((d) => d.status)).to.deep.equal(['sent']);
  });

  it('a recipient who left the directory is a dead letter for the 3C to fix, not a patient’s choice', async () => {
    const c = await newCase();
    const pharmacist = await as(server, 'system', 'GET', `/Practitioner/${c.practitioners.pharmacist}`);
    expect((await as(server, 'system', 'PUT', `/Practitioner/${c.practitioners.pharmacist}`, { ...pharmacist.body, active: false })).status).to.equal(200);
    await buildAndHandOver(c, false);
    await drainAll(new Date());
    const [delivery] = byRole(await deliveriesOf(c.patientId), 'pharmacist');
    expect(delivery).to.include({ status: 'dead' });
    expect(delivery!.lastError).to.match(/annuaire/);
  });

  it('the push waits for a FHIR server that answers 503, and a lost answer does not file the document twice', async () => {
    const c = await newCase();
    fhirServer.failNext(1, 503);
    const { ppsId } = await buildAndHandOver(c, true);
    const t0 = new Date();
    await drainAll(t0);
    let [push] = (await deliveriesOf(c.patientId)).filter((d) => d.kind === 'fhir-push');
    expect(push!.status).to.equal('failed');
    fhirServer.dropResponseOfNext(1);
    await drainAll(new Date(t0.getTime() + 61_000));
    push = (await outbox.get(push!.id))!;
    expect(push.status).to.equal('failed'); // the answer was lost: the DCC cannot know it arrived
    await drainAll(new Date(t0.getTime() + 4 * 60_000));
    push = (await outbox.get(push.id))!;
    expect(push.status, JSON.stringify(push)).to.equal('sent');
    const pushed = (await fhirServer.repo.searchResources<Bundle>({ resourceType: 'Bundle', filters: [] } as any)).filter((b) => JSON.stringify(b).includes(ppsId));
    expect(pushed).to.have.length(1);
  });

  it('the handed-over PPS is filed once as CDA PPS in the DMP-like repository, even when the answer to its DocumentReference is lost', async () => {
    const c = await newCase();
    const dmpWorker = newWorker({ push: false, dmp: true });
    const { ppsId } = await buildAndHandOver(c, true);
    // A CDA push is: search by identifier, create the Binary, create the DocumentReference — whose answer is lost.
    fhirServer.passNext(2);
    fhirServer.dropResponseOfNext(1);
    const t0 = new Date();
    await drainAll(t0, dmpWorker);
    let [filing] = (await outbox.list<any>({ patientId: c.patientId, limit: 500 })).filter((e) => e.kind === 'dmp-push');
    expect(filing!.status, JSON.stringify(filing)).to.equal('failed');
    await drainAll(new Date(t0.getTime() + 61_000), dmpWorker);
    filing = (await outbox.get(filing!.id))!;
    expect(filing.status, JSON.stringify(filing)).to.equal('sent');

    const filed = await fhirServer.repo.searchResources<DocumentReference>({ resourceType: 'DocumentReference' });
    const cdas = await Promise.all(filed.map(async (d) => Buffer.from((await fhirServer.repo.readReference<Binary>({ reference: d.content[0]!.attachment.url! })).data!, 'base64').toString('utf8')));
    const mine = filed.filter((_, i) => cdas[i]!.includes(`extension="${ppsId}"`));
    expect(mine, 'one DocumentReference for this PPS').to.have.length(1);
    expect(cdas[filed.indexOf(mine[0]!)]).to.match(/<templateId root="1\.2\.250\.1\.213\.1\.1\.1\.26"/);
    expect(mine[0]!.type?.coding?.[0]?.code).to.equal('18776-5');
    const [trace] = await auditOf(c.patientId, 'document-pushed');
    expect(JSON.stringify(trace)).to.contain('pas de doublon');
  });
});
