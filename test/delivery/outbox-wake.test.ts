import { expect } from 'chai';
import { MailSender } from '../../server/delivery/mail.ts';
import { DeliveryWorker } from '../../server/delivery/worker.ts';
import { SmtpCatcher } from '../helpers/smtp-catcher.ts';
import { CLINICAL, DECISION, digestiveBoard, newPatient, registration, startRcpWorld, type RcpWorld } from '../rcp/fixtures.ts';

/**
 * Issue 16: a mail leaves when the signature commits, not at the worker's next poll. The outbox
 * insert notifies (pg_notify, per schema) and the worker LISTENs (PostgreSQL: its own connection;
 * PGlite: PGlite.listen). Here the poll runs once a minute and the test gives up well before:
 * the GP's mail arriving through a real SMTP server shows the notification woke the worker.
 */
describe('Outbox wake-up: the signed report is mailed without waiting for the poll', function () {
  this.timeout(180_000);
  const POLL_INTERVAL_MS = 60_000;
  let world: RcpWorld;
  let catcher: SmtpCatcher;
  let sender: MailSender;
  let worker: DeliveryWorker;
  let sessionId: string;
  let caseId: string;

  before(async () => {
    world = await startRcpWorld(new Date('2026-03-02T08:00:00Z'));
    catcher = await SmtpCatcher.start();
    const config = { host: '127.0.0.1', port: catcher.port, secure: false, requireTls: false, rejectUnauthorized: true, from: 'DCC <dcc@test.mssante.fr>', messageIdDomain: 'test.mssante.fr', publicBaseUrl: 'https://dcc.test' };
    sender = new MailSender(config);
    const current = (await world.fhir('system', 'GET', `/Practitioner/${world.ids.gp}`)).body;
    expect((await world.fhir('system', 'PUT', `/Practitioner/${current.id}`, { ...current, telecom: [{ system: 'email', value: `gp.${current.id}@test.mssante.fr` }] })).status).to.equal(200);
    const board = await world.api('coordinator', 'POST', '/boards', digestiveBoard(world));
    sessionId = (await world.api('coordinator', 'POST', `/boards/${board.body.id}/sessions/generate`, {})).body.created[0].id;
    const p = await newPatient(world);
    const reg = await world.api('surgeon', 'POST', '/cases', registration(sessionId, p, { clinical: CLINICAL }));
    expect(reg.status, reg.text).to.equal(201);
    caseId = reg.body.case.id;
    expect((await world.api('coordinator', 'POST', `/cases/${caseId}/accept`, {}, { 'if-match': reg.headers.get('etag')! })).status).to.equal(200);
    world.clock.now = new Date('2026-03-10T13:05:00Z');
    expect((await world.api('coordinator', 'POST', `/sessions/${sessionId}/start`)).status).to.equal(200);
    await world.api('coordinator', 'PUT', `/sessions/${sessionId}/attendance`, {
      attendance: (['oncologist', 'surgeon', 'radiotherapist'] as const).map((pro) => ({ practitioner: `Practitioner/${world.ids[pro]}`, mode: 'present' })),
    });
    expect((await world.api('oncologist', 'POST', `/cases/${caseId}/discuss`)).status).to.equal(200);
    // Whatever the setup left in the outbox is drained now, so only the signature's message is left to wake for.
    worker = new DeliveryWorker({ store: world.store, mail: { sender, config }, batch: 100, intervalMs: POLL_INTERVAL_MS });
    for (let i = 0; i < 20 && Object.values(await worker.drainOnce()).some((n) => n > 0); i++);
    worker.start();
    await worker.listening;
  });
  after(async () => {
    await worker?.stop();
    sender?.close();
    await catcher?.stop();
    await world?.close();
  });

  it('the GP receives the report although the poll is a minute away', async function () {
    // Less than the poll interval: only a notification can have started the round that sends it.
    this.timeout(POLL_INTERVAL_MS / 2);
    expect(POLL_INTERVAL_MS).to.be.at.least(60_000);
    const decision = await world.api('oncologist', 'PUT', `/cases/${caseId}/decision`, DECISION);
    expect(decision.status, decision.text).to.equal(200);
    const signed = await world.api('surgeon', 'POST', `/cases/${caseId}/sign`, {}, { 'if-match': decision.headers.get('etag')! });
    expect(signed.status, signed.text).to.equal(200);
    const gpAddress = `gp.${world.ids.gp}@test.mssante.fr`;
    while (!catcher.messages.some((m) => m.envelope.to.includes(gpAddress))) await new Promise((resolve) => setTimeout(resolve, 50));
    const mail = catcher.messages.find((m) => m.envelope.to.includes(gpAddress))!;
    expect(mail.subject).to.match(/RCP/);
    expect(mail.attachments[0]!.content.subarray(0, 5).toString()).to.equal('%PDF-');
  });
});
