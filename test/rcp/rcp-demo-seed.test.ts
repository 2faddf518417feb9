import { expect } from 'chai';
import type { CarePlan, Composition, HealthcareService, ServiceRequest, Task } from '@medplum/fhirtypes';
import { seedDemoData } from '../../server/bootstrap.ts';
import { systemContext } from '../../server/context.ts';
import { caseStateOf } from '../../server/rcp/case-model.ts';
import { acceptCase, RCP_BOARD_ID_SYSTEM } from '../../server/rcp/index.ts';
import { boardFromFhir } from '../../server/rcp/board-model.ts';
import { computeIndicators } from '../../server/rcp/indicators.ts';
import { DEMO_CASE_SYSTEM, seedDemoRcp } from '../../server/seed/demo-rcp.ts';
import { OutboxStore } from '../../server/store/outbox-store.ts';
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { startDemoMailbox } from '../../server/delivery/demo-mailbox.ts';
import { MailSender } from '../../server/delivery/mail.ts';
import { documentDelivery } from '../../server/delivery/status.ts';
import { DeliveryWorker } from '../../server/delivery/worker.ts';
import { testServices } from '../helpers/harness.ts';

/** The demo RCP activity: four boards, past and coming sessions, cases in every state, signed reports; seeding twice changes nothing. */
describe('Demo RCP data (seedDemoRcp)', function () {
  this.timeout(300_000);

  it('seeds boards, sessions and cases in every state through the workflow, once', async () => {
    const { store } = await testServices();
    await seedDemoData(store);
    // Seeded at 01:30 in Paris (still 14 June in UTC): the demo dates on the Paris calendar day.
    const now = new Date('2026-06-14T23:30:00Z');
    const first = await seedDemoRcp(store, { now });
    expect(first).to.include({ boards: 4, skipped: false });
    // 13, and the three first RCPs of the stories on the sheets prepared for them (demo-rcp-sheets.ts, not seeded here: skipped).
    expect(first.cases).to.equal(13);
    // The boards' schedules start 220 days before the Paris day (7 November, not the UTC 6th): back to Ménard's spring RCP.
    const codes = ['RCP-DIG-CHUM', 'RCP-SEIN-CHUM', 'RCP-THX-CHUM', 'RCP-OG-CHUM'].map((code) => `${RCP_BOARD_ID_SYSTEM}|${code}`);
    const boards = await store.system().searchAll<HealthcareService>('HealthcareService', { identifier: codes.join(',') });
    expect(boards.map((b) => boardFromFhir(b).schedule?.from)).to.deep.equal(['2025-11-07', '2025-11-07', '2025-11-07', '2025-11-07']);

    const system = store.system();
    const requests = await system.searchAll<ServiceRequest>('ServiceRequest', { identifier: `${DEMO_CASE_SYSTEM}|` });
    const tasks = await system.searchAll<Task>('Task', { focus: requests.map((r) => `ServiceRequest/${r.id}`).join(',') });
    const states = new Set(tasks.map(caseStateOf));
    for (const state of ['pending', 'accepted', 'discussed', 'signed', 'withdrawn', 'rejected']) expect(states, state).to.include(state);
    // Nothing the demo wrote happened after `now`: the 3C acts on the coming sessions today.
    for (const t of tasks) {
      for (const [what, when] of [['authoredOn', t.authoredOn], ['lastModified', t.lastModified]] as const) {
        expect(new Date(when!).getTime(), `${t.identifier?.[0]?.value ?? t.id} ${what} ${when}`).to.be.at.most(now.getTime());
      }
    }
    // Nor the sheets and their decisions: saved on the workflow's clock, not on the seeding machine's
    // (a decision of a past session was « created » the day of the seeding, which the PPS printed).
    const patients = [...new Set(requests.map((r) => r.subject!.reference!))];
    const sheets = await system.searchAll<Composition>('Composition', { type: 'http://loinc.org|34794-8', subject: patients.join(',') });
    const decisions = await system.searchAll<CarePlan>('CarePlan', { category: 'rcp-decision', subject: patients.join(',') });
    expect(sheets.length).to.be.greaterThan(5);
    expect(decisions.length).to.be.greaterThan(3);
    for (const [what, when] of [...sheets.map((c) => [`Composition/${c.id} date`, c.date]), ...decisions.map((d) => [`CarePlan/${d.id} created`, d.created])]) {
      expect(new Date(when!).getTime(), `${what} ${when}`).to.be.at.most(now.getTime());
    }
    const pending = tasks.find((t) => caseStateOf(t) === 'pending')!;
    await acceptCase({ repo: store.forRequest(systemContext()), ctx: systemContext(), now }, pending.id!);
    expect(caseStateOf(await system.read<Task>('Task', pending.id!))).to.equal('accepted');
    const moves = tasks.flatMap((t) => t.extension?.filter((e) => e.url.endsWith('rcp-case-move')) ?? []);
    expect(moves.map((m) => m.extension?.find((e) => e.url === 'reason')?.valueCode)).to.include.members(['carried-over', 'moved', 'session-cancelled']);
    const messages = await new OutboxStore(store.db).list<any>({ kind: 'rcp-report', limit: 1000 });
    const demo = messages.filter((m) => requests.some((r) => `Patient/${r.subject?.reference?.split('/')[1]}` === m.payload.patient));
    expect(demo.filter((m) => m.status === 'sent').length).to.be.greaterThan(2);
    expect(demo.some((m) => m.payload.correctionReason)).to.equal(true);

    const report = await computeIndicators({ repo: system, ctx: systemContext(), now }, { from: '2026-01-01T00:00:00Z', to: '2026-07-01T00:00:00Z' });
    expect(report.boards).to.have.length.greaterThanOrEqual(4);
    expect(report.total.casesSigned).to.be.greaterThanOrEqual(5);
    expect(report.total.casesQuorumNotReached).to.be.greaterThanOrEqual(1);
    expect(report.total.trialProposalShare).to.be.greaterThan(0);

    // The circle of care as a set (dcc_circle_patients, for wide searches) and row by row
    // (dcc_in_circle) agree on the cases, boards, sessions and teams the workflow itself wrote:
    // every practitioner against every demo patient. (Not every patient of the run's schema: the
    // other test files' thousands of pairs made this one statement pass 30 s on a busy machine.)
    const casePatients = [...new Set(requests.map((r) => r.subject!.reference!.split('/')[1]!))];
    const compared = await store.db.raw(
      `WITH pr AS (SELECT id FROM resource WHERE resource_type = 'Practitioner' AND NOT deleted),
            candidates AS (SELECT unnest(?::text[]) AS patient),
            sets AS (SELECT pr.id AS me, c.patient FROM pr, LATERAL dcc_circle_patients(pr.id) AS c(patient) WHERE c.patient IN (SELECT patient FROM candidates))
       SELECT pr.id AS me, k.patient, dcc_in_circle(k.patient, pr.id) AS row_rule,
              EXISTS (SELECT 1 FROM sets s WHERE s.me = pr.id AND s.patient = k.patient) AS set_rule
         FROM pr, candidates k`,
      [casePatients],
    );
    const pairs: { me: string; patient: string; row_rule: boolean; set_rule: boolean }[] = compared.rows ?? compared;
    expect(pairs.filter((p) => p.row_rule).length, 'pairs in a circle').to.be.greaterThan(casePatients.length);
    expect(pairs.filter((p) => p.row_rule !== p.set_rule)).to.deep.equal([]);

    const second = await seedDemoRcp(store, { now: new Date('2026-06-22T08:00:00Z') });
    expect(second).to.deep.equal({ boards: 0, cases: 0, skipped: true });

    // As `npm start` does: the report signed last (still in the outbox) reaches the GP's mailbox
    // in the local SMTP catcher, and its delivery status says so.
    const waiting = demo.filter((m) => m.status === 'pending');
    expect(waiting.length).to.be.greaterThan(0);
    const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'dcc-demo-mailbox-'));
    const mailbox = await startDemoMailbox({ port: 0, dir });
    const config = { host: '127.0.0.1', port: mailbox.port, secure: false, requireTls: false, rejectUnauthorized: true, from: 'DCC démo <dcc@dcc-demo.mssante.fr>', messageIdDomain: 'dcc-demo.mssante.fr', publicBaseUrl: 'http://127.0.0.1:8080' };
    const sender = new MailSender(config);
    try {
      const worker = new DeliveryWorker({ store, mail: { sender, config }, batch: 100 });
      for (let i = 0; i < 50; i++) {
        const r = await worker.drainOnce();
        if (!r.dispatched && !r.sent && !r.failed && !r.dead && !r.withheld) break;
      }
      const outbox = new OutboxStore(store.db);
      for (const event of waiting) {
        const now = (await outbox.get(event.id))!;
        const status = documentDelivery(now, await outbox.list({ parentId: event.id }));
        expect(status.state, JSON.stringify(status)).to.equal('delivered');
        const toGp = status.deliveries.find((d) => d.role === 'general-practitioner')!;
        expect(toGp.status).to.equal('sent');
        const mails = mailbox.messages().filter((m) => m.to.includes(toGp.address!) && m.subject.includes('Compte rendu de RCP'));
        expect(mails.length).to.be.greaterThan(0);
        expect(fs.readFileSync(mails[0]!.file, 'latin1')).to.contain('application/pdf');
      }
    } finally {
      sender.close();
      await mailbox.close();
      fs.rmSync(dir, { recursive: true, force: true });
    }
  });
});
