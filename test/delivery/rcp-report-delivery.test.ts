import { expect } from 'chai';
import type { Binary, Composition, DocumentReference, Practitioner } from '@medplum/fhirtypes';
import { startFhirTestServer, type FhirTestServer } from '../helpers/fhir-test-server.ts';
import { MailSender } from '../../server/delivery/mail.ts';
import { DeliveryWorker } from '../../server/delivery/worker.ts';
import { SmtpCatcher, type CaughtMessage } from '../helpers/smtp-catcher.ts';
import { asUser } from '../helpers/users.ts';
import { CLINICAL, DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from '../rcp/fixtures.ts';

/**
 * The signed RCP report, from signature to the GP's mailbox: the 3C follows each copy's status,
 * and sees the patients whose reports cannot reach a GP.
 */
describe('RCP report delivery to the GP', function () {
  this.timeout(120_000);
  let world: RcpWorld;
  let catcher: SmtpCatcher;
  let sender: MailSender;
  let worker: DeliveryWorker;
  let dmp: FhirTestServer;
  let sessionId: string;
  let withGp: { patient: string; caseId: string };
  let withoutGp: { patient: string; caseId: string };

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    catcher = await SmtpCatcher.start();
    const config = { host: '127.0.0.1', port: catcher.port, secure: false, requireTls: false, rejectUnauthorized: true, from: 'DCC <dcc@test.mssante.fr>', messageIdDomain: 'test.mssante.fr', publicBaseUrl: 'https://dcc.test' };
    sender = new MailSender(config);
    // A DMP-like repository (a real FHIR server, not this one): the signed report is filed there as CDA.
    dmp = await startFhirTestServer();
    worker = new DeliveryWorker({ store: world.store, mail: { sender, config }, dmp: { config: { baseUrl: dmp.baseUrl, timeoutMs: 5_000 } }, batch: 100 });
    // The GP and the surgeon have secure mailboxes in the directory.
    for (const pro of ['gp', 'surgeon'] as const) {
      const current = (await world.fhir('system', 'GET', `/Practitioner/${world.ids[pro]}`)).body as Practitioner;
      const res = await world.fhir('system', 'PUT', `/Practitioner/${current.id}`, { ...current, telecom: [{ system: 'email', value: `${pro}.${current.id}@test.mssante.fr` }] });
      expect(res.status, res.text).to.equal(200);
    }
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    expect(board.status, board.text).to.equal(201);
    const generated = await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {});
    sessionId = generated.body.created[0].id;
    withGp = await registered();
    withoutGp = await registered({ withGp: false });
    // Session day: opened, attendance with the quorum.
    world.clock.now = new Date('2026-03-10T13:05:00Z');
    expect((await world.api('coordinator', 'POST', `/sessions/${sessionId}/start`)).status).to.equal(200);
    const attendance = await world.api('coordinator', 'PUT', `/sessions/${sessionId}/attendance`, {
      attendance: (['oncologist', 'surgeon', 'radiotherapist'] as const).map((pro) => ({ practitioner: `Practitioner/${world.ids[pro]}`, mode: 'present' })),
    });
    expect(attendance.status, attendance.text).to.equal(200);
    await drain();
  });
  after(async () => {
    await worker.stop();
    sender.close();
    await catcher.stop();
    await dmp.close();
    await world.close();
  });

  async function drain(): Promise<void> {
    for (let i = 0; i < 50; i++) {
      const r = await worker.drainOnce(new Date());
      if (!r.dispatched && !r.sent && !r.failed && !r.dead && !r.withheld) return;
    }
  }

  /** Registered and accepted on the coming session (before it opens). */
  async function registered(options: { withGp?: boolean } = {}): Promise<{ patient: string; caseId: string }> {
    const p = await newPatient(world, options);
    const res = await world.api('surgeon', 'POST', '/cases', registration(sessionId, p, { clinical: CLINICAL }));
    expect(res.status, res.text).to.equal(201);
    const caseId = res.body.case.id;
    expect((await world.api('coordinator', 'POST', `/cases/${caseId}/accept`, {}, { 'if-match': res.headers.get('etag')! })).status).to.equal(200);
    return { patient: p.patient, caseId };
  }

  /** Discussed with the quorum, decided and signed by the surgeon. */
  async function signedReport(c: { patient: string; caseId: string }): Promise<{ patient: string; report: string; version: string }> {
    expect((await world.api('oncologist', 'POST', `/cases/${c.caseId}/discuss`)).status).to.equal(200);
    const decision = await world.api('oncologist', 'PUT', `/cases/${c.caseId}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);
    const signed = await world.api('surgeon', 'POST', `/cases/${c.caseId}/sign`, {}, { 'if-match': decision.headers.get('etag')! });
    expect(signed.status, signed.text).to.equal(200);
    return { patient: c.patient, report: signed.body.report.reference, version: signed.body.report.version };
  }

  /** The mail's text and HTML bodies (not its attachments), decoded. */
  const bodyOf = (m: CaughtMessage) => m.parts.filter((p) => !p.filename && p.contentType.startsWith('text/')).map((p) => p.content.toString('utf8')).join('\n');

  const follow = async (user: string, path: string) => {
    // The 3C's follow-up (/api/deliveries) is served by the RCP world's app, as main.ts mounts it.
    const res = await fetch(`${world.url}/api/deliveries${path}`, { headers: asUser(user) });
    return { status: res.status, body: (await res.json()) as any };
  };

  it('the signed report reaches the GP and the requesting surgeon with its PDF; the 3C sees it delivered', async () => {
    const { report, version } = await signedReport(withGp);
    await drain();
    const status = await follow('coordinator', `?document=${report}`);
    expect(status.status, JSON.stringify(status.body)).to.equal(200);
    const [doc] = status.body.documents;
    expect(doc.document).to.equal(`${report}/_history/${version}`);
    expect(doc.state).to.equal('delivered');
    expect(doc.deliveries.filter((d: any) => d.channel === 'mail').map((d: any) => [d.role, d.status]).sort()).to.deep.equal([['general-practitioner', 'sent'], ['requester', 'sent']]);
    // Filed in the DMP-like repository as CDA FRCP: one DocumentReference pointing at its Binary.
    expect(doc.deliveries.filter((d: any) => d.channel === 'fhir-push').map((d: any) => [d.address, d.status])).to.deep.equal([[dmp.baseUrl, 'sent']]);
    const filed = (await dmp.repo.searchResources<DocumentReference>({ resourceType: 'DocumentReference' })).filter((d) => d.subject?.identifier);
    const cdas = await Promise.all(filed.map(async (d) => Buffer.from((await dmp.repo.readReference<Binary>({ reference: d.content[0]!.attachment.url! })).data!, 'base64').toString('utf8')));
    const mine = cdas.filter((x) => x.includes(`extension="${report.replace('Composition/', '')}"`)); // the setId: the sheet's id
    expect(mine, 'one CDA of this report in the repository').to.have.length(1);
    expect(mine[0]).to.match(/<templateId root="1\.2\.250\.1\.213\.1\.1\.1\.8"/);
    const filedDoc = filed[cdas.indexOf(mine[0]!)]!;
    expect(filedDoc.type?.coding?.[0]?.code).to.equal('34794-8');
    expect(filedDoc.content[0]!.format?.code).to.equal('urn:asip:ci-sis:frcp:2011');

    const gpAddress = `gp.${world.ids.gp}@test.mssante.fr`;
    const forThisReport = catcher.messages.filter((m) => m.envelope.to.includes(gpAddress) && m.headers.get('x-dcc-delivery-id')?.startsWith(`${doc.deliveries.find((d: any) => d.role === 'general-practitioner').id}.`));
    expect(forThisReport).to.have.length(1);
    const mail = forThisReport[0]!;
    expect(mail.subject).to.match(/RCP/);
    expect(mail.attachments[0]!.filename).to.match(/^compte-rendu-rcp-.*\.pdf$/);
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).to.equal('%PDF-');
    // The structured document travels the MSSanté way: the CDA FRCP in an IHE XDM zip.
    expect(mail.attachments[1]!.filename).to.equal('IHE_XDM.ZIP');
    expect(mail.attachments[1]!.content.subarray(0, 2).toString()).to.equal('PK');
    // Each recipient's link opens a page their role may read: the GP the city page at the RCP
    // proposal, the requesting hospital physician the hospital record (never the city page).
    expect(bodyOf(mail)).to.contain(`https://dcc.test/patients/${withGp.patient}#rcp-proposal`);
    // QA: the report names the chair « (auteur) » and the surgeon as signer; the mail said « Auteur : »
    // the signer. It names them as the attached report does.
    const sheet = (await world.fhir('system', 'GET', `/${report}`)).body as Composition;
    const [author, signer] = [sheet.author?.[0]?.display, sheet.attester?.find((a) => a.mode === 'legal')?.party?.display];
    expect(author, 'the chair (oncologist) wrote the sheet').to.be.a('string').and.to.match(/oncologist/);
    expect(signer, 'the surgeon signed it').to.be.a('string').and.to.match(/surgeon/);
    // As the directory names him (title, first name, name), like the report's participants — not his card's name.
    expect(signer, 'the signer as the directory names him').to.match(/^Dr Test surgeon/);
    expect(bodyOf(mail)).to.contain(`Auteur : ${author}`).and.to.contain(`Signé par : ${signer}`).and.not.to.contain(`Auteur : ${signer}`);
    const surgeonAddress = `surgeon.${world.ids.surgeon}@test.mssante.fr`;
    const requesterMails = catcher.messages.filter((m) => m.envelope.to.includes(surgeonAddress) && m.headers.get('x-dcc-delivery-id')?.startsWith(`${doc.deliveries.find((d: any) => d.role === 'requester').id}.`));
    expect(requesterMails).to.have.length(1);
    expect(bodyOf(requesterMails[0]!)).to.contain(`https://dcc.test/hopital/patients/${withGp.patient}`);
    expect(bodyOf(requesterMails[0]!)).to.not.contain(`https://dcc.test/patients/${withGp.patient}`);

    // The same from the RCP case.
    const byCase = await follow('coordinator', `?case=${withGp.caseId}`);
    expect(byCase.body.documents.map((d: any) => [d.document, d.state])).to.deep.equal([[`${report}/_history/${version}`, 'delivered']]);
    // City professionals and other professions do not follow the sending.
    expect((await follow('gp', `?document=${report}`)).status).to.equal(403);
  });

  it('a patient without a declared GP is flagged to the 3C, and the report still reaches the requester', async () => {
    const { report, patient } = await signedReport(withoutGp);
    await drain();
    const alerts = await follow('coordinator', '/alerts');
    expect(alerts.status).to.equal(200);
    expect(alerts.body.missingGp.map((a: any) => a.patient)).to.include(`Patient/${patient}`);
    expect(alerts.body.missingGpMore, 'fewer than 100 patients without a GP here: nothing more to page').to.equal(false);
    const [doc] = (await follow('coordinator', `?document=${report}`)).body.documents;
    expect(doc.event.note).to.match(/Pas de médecin traitant/);
    expect(doc.deliveries.filter((d: any) => d.channel === 'mail').map((d: any) => d.role)).to.deep.equal(['requester']);
    // The follow-up names the missing GP: the report did not reach "every recipient".
    expect(doc.state).to.equal('incomplete');
    expect(doc.stateLabel).to.not.contain('Remis à tous');
    // Read by a 3C coordinator: French, no field name of the API.
    expect(doc.stateLabel).to.equal('Remis aux destinataires connus, mais un destinataire manque');
    expect(doc.missing).to.have.length(1);
    expect(doc.missing[0]).to.include({ role: 'general-practitioner', roleLabel: 'Médecin traitant' });
    expect(doc.missing[0].reason).to.contain('Pas de médecin traitant déclaré');
  });

  it('a corrected report: the 3C tells the first signature from the correction, each with its date (and the reason)', async () => {
    const before = (await follow('coordinator', `?case=${withGp.caseId}`)).body.documents;
    expect(before).to.have.length(1);
    expect(before[0].report).to.deep.equal({ correction: false, signedAt: before[0].report.signedAt });
    world.clock.now = new Date('2026-03-12T09:00:00Z');
    const corrected = await world.api('surgeon', 'POST', `/cases/${withGp.caseId}/correct`, { reason: 'Précision de la voie d’abord', decision: DECISION });
    expect(corrected.status, corrected.text).to.equal(200);
    await drain();
    const documents = (await follow('coordinator', `?case=${withGp.caseId}`)).body.documents;
    // Newest first: the correction, then the report as first signed.
    expect(documents.map((d: any) => d.report)).to.deep.equal([
      { correction: true, signedAt: '2026-03-12T09:00:00.000Z', correctionReason: 'Précision de la voie d’abord' },
      before[0].report,
    ]);
  });
});
