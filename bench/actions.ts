/**
 * What a user waits for after a click (`npm run bench:actions`): the actions the pages trigger,
 * timed one at a time on the demo data, as the demo professionals signed in through the app.
 *
 * 1. Starts the DCC as `npm start` does (startDcc) on a fresh database with the demo data seeded:
 *    PGlite in .bench/actions-pglite, or PostgreSQL (DATABASE_URL) in the schema dcc_bench_actions,
 *    dropped and recreated. The outbox worker is off while actions are timed (its polls would be
 *    counted as the action's SQL); the "mail after signature" scenario turns it on at the end.
 * 2. Signs in through POST /auth/demo/login (session cookie + CSRF token, as the web client does):
 *    Dr Lambert (oncologist, chair), Dr Aubert (surgeon), the 3C coordinator, the first demo GP.
 * 3. The 3C opens a board like the demo digestive one (same members), with room for the run's
 *    cases; each iteration files an RCP sheet for a new patient, registers the case, and once the
 *    session is opened, discusses it, saves the decision, PATCHes the sheet, signs and corrects it,
 *    renders its documents; the reading pages (indicators, deliveries, "my patients") run between.
 * 4. Prints p50 / p99 (ms) and SQL statements per action (knex query events, median), and writes
 *    .bench/actions-<db>.json.
 *
 * Options: BENCH_ACTIONS_N / --n (iterations, default 20), --sql-log (the statements of each
 * action's first run in .bench/actions-sql-<db>.json), BENCH_ACTIONS_RESOURCES / --resources (bulk-load
 * synthetic patient records under the demo data until the database holds about that many resources,
 * e.g. 100000 for regional scale; default none), DATABASE_URL.
 */
import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { loadConfig, type Config } from '../server/config.ts';
import { openDatabase } from '../server/store/database.ts';
import { startDcc, type RunningDcc } from '../server/start.ts';
import { DeliveryWorker, MailSender, startDemoMailbox } from '../server/delivery/index.ts';
import type { MailConfig } from '../server/config.ts';
import { BENCH_DIR } from './options.ts';
import { bulkLoadPatientRecords, DatasetGenerator } from './dataset.ts';
import { renderPanels } from './chart.ts';

const SCHEMA = 'dcc_bench_actions';

interface User { cookie: string; csrf: string; practitionerId: string; name: string }
interface Sample { ms: number; sql: number }

const argN = (() => {
  const i = process.argv.indexOf('--n');
  const v = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith('--n='))?.slice(4);
  return Number(v ?? process.env.BENCH_ACTIONS_N ?? 20);
})();

const SQL_LOG = process.argv.includes('--sql-log');

/** Target database size (resources) for --resources; 0 = the demo data alone. */
const argResources = (() => {
  const i = process.argv.indexOf('--resources');
  const v = i >= 0 ? process.argv[i + 1] : process.argv.find((a) => a.startsWith('--resources='))?.slice(12);
  const n = Number(String(v ?? process.env.BENCH_ACTIONS_RESOURCES ?? 0).replace(/_/g, ''));
  if (!Number.isInteger(n) || n < 0) throw new Error(`--resources must be a non-negative integer, got '${v}'`);
  return n;
})();

const quantile = (values: number[], q: number) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.ceil(q * sorted.length) - 1)] ?? NaN;
};

class ActionBench {
  readonly samples = new Map<string, Sample[]>();
  /** With --sql-log: the statements of each action's first sample, to see where they go. */
  readonly sqlLog = new Map<string, string[]>();
  private statements = 0;
  private current: string[] | undefined;

  constructor(private readonly dcc: RunningDcc) {
    // Every statement any repository sends, transactions included: the SQL cost of an action.
    dcc.services.db.on('query', (q: { sql: string }) => {
      this.statements++;
      this.current?.push(q.sql.replace(/\s+/g, ' ').slice(0, 160));
    });
  }

  async signIn(idnps: string): Promise<User> {
    const res = await fetch(`${this.dcc.url}/auth/demo/login`, {
      method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify({ practitioner: idnps }),
    });
    if (res.status !== 200) throw new Error(`demo sign-in ${idnps}: ${res.status} ${await res.text()}`);
    const body = await res.json() as { principal: { practitionerId: string; displayName: string }; csrfToken: string };
    const cookie = res.headers.getSetCookie().map((c) => c.split(';')[0]).join('; ');
    return { cookie, csrf: body.csrfToken, practitionerId: body.principal.practitionerId, name: body.principal.displayName };
  }

  /** One call as the web client makes it; timed and its SQL counted under `action` when given. */
  async call<T = any>(action: string | undefined, user: User, method: string, url: string, body?: unknown, headers: Record<string, string> = {}): Promise<{ status: number; body: T; etag: string | null }> {
    const fhir = url.startsWith('/fhir');
    const h: Record<string, string> = { accept: fhir ? 'application/fhir+json' : 'application/json', cookie: user.cookie, ...headers };
    if (body !== undefined) h['content-type'] = fhir ? 'application/fhir+json' : 'application/json';
    if (method !== 'GET') h['x-csrf-token'] = user.csrf;
    const sqlBefore = this.statements;
    if (SQL_LOG && action && !this.sqlLog.has(action)) this.sqlLog.set(action, this.current = []);
    const started = performance.now();
    const res = await fetch(`${this.dcc.url}${url}`, { method, headers: h, ...(body !== undefined ? { body: JSON.stringify(body) } : {}) });
    const buffer = Buffer.from(await res.arrayBuffer());
    const ms = performance.now() - started;
    const sql = this.statements - sqlBefore;
    this.current = undefined;
    if (res.status >= 400) throw new Error(`${method} ${url}: ${res.status} ${buffer.toString('utf8').slice(0, 600)}`);
    if (action) {
      const list = this.samples.get(action) ?? [];
      list.push({ ms, sql });
      this.samples.set(action, list);
    }
    const type = res.headers.get('content-type') ?? '';
    const parsed = type.includes('json') ? JSON.parse(buffer.toString('utf8')) : buffer;
    return { status: res.status, body: parsed as T, etag: res.headers.get('etag') };
  }
}

async function startWorld(): Promise<{ dcc: RunningDcc; config: Config; dataDir: string }> {
  const dataDir = path.join(BENCH_DIR, 'actions-pglite');
  fs.rmSync(dataDir, { recursive: true, force: true });
  fs.mkdirSync(dataDir, { recursive: true });
  const base = loadConfig({ ...process.env, NODE_ENV: 'test' });
  const config: Config = {
    ...base,
    dataDir, host: '127.0.0.1', port: 0, tlsPort: 0,
    seedDemo: true, demoPki: true, demoSignIn: true,
    tlsCertFile: undefined, tlsKeyFile: undefined, cpsCaFile: undefined, cpsPublicUrl: undefined, baseUrl: undefined,
    signInRateLimit: 10_000,
    mail: undefined, demoMailboxPort: undefined, deliveryWorker: false,
  };
  if (config.databaseUrl) {
    const admin = openDatabase({ databaseUrl: config.databaseUrl });
    await admin.raw(`DROP SCHEMA IF EXISTS ${SCHEMA} CASCADE`);
    await admin.raw(`CREATE SCHEMA ${SCHEMA}`);
    await admin.destroy();
  }
  const started = performance.now();
  const dcc = await startDcc(config, { ...(config.databaseUrl ? { schema: SCHEMA } : {}), env: {} });
  await dcc.demoActivity; // the actions are timed on the whole demo data, not while it is written
  console.log(`DCC started with the demo data in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  await loadRegionalVolume(dcc, argResources);
  return { dcc, config, dataDir };
}

/**
 * With --resources: synthetic patient records (bench/dataset.ts) under the demo data, so the actions
 * are timed against regional-size tables and indexes. Their GPs are synthetic too and they have no
 * care team: the demo users' own lists ("my patients", a board's cases) keep their size, the tables
 * around them grow.
 */
async function loadRegionalVolume(dcc: RunningDcc, target: number): Promise<void> {
  const count = async () => Number((await dcc.services.db.raw('SELECT count(*) AS n FROM resource')).rows[0].n);
  const already = await count();
  if (target <= already) return;
  const patients = Math.ceil((target - already) / 7);
  console.log(`Loading ${patients} synthetic patient records (7 resources each) beside the ${already} demo resources…`);
  const generator = new DatasetGenerator(20261206);
  // Their own GPs, about a thousand patients each, as a region's patients have.
  await dcc.services.store.system().bulkInsert(generator.makePractitioners(Math.ceil(patients / 1000)));
  const { resources, seconds } = await bulkLoadPatientRecords(dcc.services.store.system(), generator, patients, {
    onProgress: (done, perSecond) => console.log(`  ${done} resources (${perSecond.toFixed(0)}/s)`),
  });
  // Statistics and the visibility map (index-only scans), as autovacuum gives a long-lived database.
  await dcc.services.db.raw('VACUUM ANALYZE');
  console.log(`${resources} resources loaded in ${seconds.toFixed(0)} s; ${await count()} in the database`);
}

const DECISION = (detail: string) => ({
  treatments: [
    { intention: 1, sequence: 1, type: 'surgery', detail },
    { intention: 1, sequence: 2, type: 'chemotherapy', detail: 'FOLFOX adjuvant 6 mois si pN+' },
  ],
  exams: [{ description: 'Coloscopie complète', earliest: '2027-01-04', latest: '2027-01-29' }],
  guideline: { name: 'TNCD — Cancer du côlon', version: '2023', date: '2023-03-15' },
  followsGuideline: true,
  clinicalTrial: { proposed: false, comment: "Pas d'essai ouvert pour ce stade" },
});

async function main(): Promise<void> {
  const n = argN;
  const { dcc, config } = await startWorld();
  const bench = new ActionBench(dcc);
  try {
    const users = (await (await fetch(`${dcc.url}/auth/demo/users`)).json()) as { roles: { role: string; users: { idnps: string; name: string }[] }[] };
    const byName = (role: string, family: string) => {
      const u = users.roles.find((r) => r.role === role)?.users.find((x) => x.name.includes(family));
      if (!u) throw new Error(`demo user ${family} (${role}) not found`);
      return u.idnps;
    };
    const lambert = await bench.signIn(byName('physician', 'Lambert'));
    const aubert = await bench.signIn(byName('physician', 'Aubert'));
    const coordinator = await bench.signIn(users.roles.find((r) => r.role === 'coordinator')!.users[0].idnps);
    const gp = await bench.signIn(users.roles.find((r) => r.role === 'gp')!.users[0].idnps);

    // A board like the demo digestive one, with room for the run, its first session 3 days ahead
    // (registrations close 48 h before), opened today with a reason as the 3C would.
    const boards = (await bench.call<any[]>(undefined, coordinator, 'GET', '/api/rcp/boards')).body;
    const demoBoard = boards.find((b) => b.code === 'RCP-DIG-CHUM');
    if (!demoBoard) throw new Error('demo digestive board missing');
    const from = new Date(Date.now() + 3 * 86_400_000).toISOString().slice(0, 10);
    const settings = {
      code: `RCP-BENCH-${Date.now()}`, name: `RCP digestive (bench ${new Date().toISOString()})`, kind: 'organ', organ: 'Appareil digestif',
      coordinationCentre: demoBoard.coordinationCentre, hostEstablishment: demoBoard.hostEstablishment, rrcId: demoBoard.rrcId,
      members: demoBoard.members.map((m: any) => ({ practitioner: m.practitioner, membership: m.membership, ...(m.chair ? { chair: true } : {}) })),
      quorum: demoBoard.quorum,
      schedule: { rrule: 'FREQ=WEEKLY', startTime: '14:00', endTime: '16:00', from, timeZone: 'Europe/Paris' },
      registrationCutoffHours: 48, capacity: n + 5, place: 'Salle de staff', horizonDays: 20,
    };
    const board = (await bench.call('rcp: create board', coordinator, 'POST', '/api/rcp/boards', settings)).body;
    const generated = (await bench.call('rcp: generate sessions', coordinator, 'POST', `/api/rcp/boards/${board.id}/sessions/generate`, {})).body;
    const session = generated.created[0];

    const cases: { caseId: string; sheetId: string; patient: string }[] = [];
    const mailCount = Math.min(5, n);
    for (let i = 0; i < n + mailCount; i++) {
      const patient = (await bench.call('fhir: create patient', lambert, 'POST', '/fhir/Patient', {
        resourceType: 'Patient', name: [{ family: `Banc${i}`, given: ['Josette'] }], gender: 'female', birthDate: '1956-07-21',
        generalPractitioner: [{ reference: `Practitioner/${gp.practitionerId}` }],
      })).body;
      const sheet = (await bench.call('sheet: file (POST $rcp-sheet)', lambert, 'POST', '/fhir/Composition/$rcp-sheet', {
        patient: `Patient/${patient.id}`,
        author: { practitioner: `Practitioner/${lambert.practitionerId}`, name: lambert.name },
        requester: { practitioner: `Practitioner/${lambert.practitionerId}`, name: lambert.name },
        presenter: { practitioner: `Practitioner/${lambert.practitionerId}`, name: lambert.name },
        generalPractitioner: { practitioner: `Practitioner/${gp.practitionerId}`, name: gp.name },
        meeting: { rcpName: settings.name, date: session.start },
        reason: { nature: 'organ', organSystem: { display: 'Appareil digestif' }, recours: false, paediatric: false, motifs: ['treatment-proposal'], caseStatus: 'discussed' },
        discovery: { byScreening: false },
        diagnosis: {
          date: '2026-10-20',
          morphology: { code: '8140/3', display: 'Adénocarcinome, SAI' },
          topography: { code: 'C18.7', display: 'Tumeur maligne du côlon sigmoïde' },
          tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB', edition: '8' },
        },
        phase: { phase: 'initial', date: '2026-10-20', progression: { local: true, regional: false, distant: false } },
        performanceStatus: { who: 1, date: '2026-11-10' },
        summary: 'Adénocarcinome du sigmoïde cT3N1M0, OMS 1.',
        question: 'Chirurgie première ?',
      })).body;
      const condition = sheet.section.find((s: any) => s.code.coding[0].code === '72135-7').entry[0].reference;
      const reg = (await bench.call('rcp: register case', lambert, 'POST', '/api/rcp/cases', {
        session: `Appointment/${session.id}`, patient: `Patient/${patient.id}`, condition, sheet: `Composition/${sheet.id}`,
        motif: 'treatment-proposal', question: 'Chirurgie première ?', summary: 'Adénocarcinome du sigmoïde cT3N1M0, OMS 1.',
        patientInformed: true, patientNonOpposition: true, gpInformed: true,
      })).body;
      const caseId = reg.case.id;
      if (reg.case.state === 'pending') await bench.call('rcp: accept case', coordinator, 'POST', `/api/rcp/cases/${caseId}/accept`, {});
      cases.push({ caseId, sheetId: sheet.id, patient: patient.id });
      await bench.call('rcp: agenda (session page)', coordinator, 'GET', `/api/rcp/sessions/${session.id}`);
    }

    const opened = await bench.call('rcp: start session', lambert, 'POST', `/api/rcp/sessions/${session.id}/start`, { rescheduleReason: 'Séance avancée (banc de mesure)' });
    await bench.call('rcp: attendance', lambert, 'PUT', `/api/rcp/sessions/${session.id}/attendance`, {
      attendance: settings.members.filter((m: any) => m.membership === 'fixed').map((m: any) => ({ practitioner: m.practitioner, mode: 'present' })),
    }, opened.etag ? { 'if-match': opened.etag } : {});

    const today = new Date();
    const yearAgo = new Date(today.getTime() - 365 * 86_400_000);
    const mailCases = cases.splice(n);
    for (const [i, c] of cases.entries()) {
      await bench.call('rcp: quorum', lambert, 'GET', `/api/rcp/sessions/${session.id}/quorum?case=${c.caseId}`);
      await bench.call('rcp: discuss', lambert, 'POST', `/api/rcp/cases/${c.caseId}/discuss`, {});
      const view = await bench.call('rcp: decision (GET)', lambert, 'GET', `/api/rcp/cases/${c.caseId}/decision`);
      const saved = await bench.call('rcp: save decision', lambert, 'PUT', `/api/rcp/cases/${c.caseId}/decision`, DECISION('Colectomie gauche'), view.etag ? { 'if-match': view.etag } : {});
      const sheet = await bench.call('sheet: read ($rcp-sheet)', lambert, 'GET', `/fhir/Composition/${c.sheetId}/$rcp-sheet`);
      const patched = await bench.call('sheet: PATCH $rcp-sheet', lambert, 'PATCH', `/fhir/Composition/${c.sheetId}/$rcp-sheet`, { summary: `Adénocarcinome du sigmoïde cT3N1M0, OMS 1 (relu ${i}).` }, { 'if-match': `W/"${sheet.body.version}"` });
      void saved; void patched;
      await bench.call('rcp: completeness (signature)', lambert, 'GET', `/api/rcp/cases/${c.caseId}/completeness?stage=signature`);
      const signed = await bench.call('rcp: sign', aubert, 'POST', `/api/rcp/cases/${c.caseId}/sign`, {});
      const report = signed.body.report?.id ?? c.sheetId;
      await bench.call('rcp: correct', lambert, 'POST', `/api/rcp/cases/${c.caseId}/correct`, { reason: 'Précision de la voie d’abord', decision: DECISION('Colectomie gauche par cœlioscopie') });
      await bench.call('sheet: $document', lambert, 'GET', `/fhir/Composition/${report}/$document`);
      await bench.call('sheet: $render PDF', lambert, 'GET', `/fhir/Composition/${report}/$render?format=pdf`);
      await bench.call('3C: indicators', coordinator, 'GET', `/api/rcp/indicators?from=${yearAgo.toISOString().slice(0, 10)}&to=${today.toISOString().slice(0, 10)}&format=json`);
      await bench.call('3C: delivery follow-up (alerts)', coordinator, 'GET', '/api/deliveries/alerts');
      await bench.call('3C: deliveries of a case', coordinator, 'GET', `/api/deliveries?case=${c.caseId}`);
      await bench.call('GP: my patients', gp, 'GET', '/api/city/patients?_count=20');
      await bench.call('hospital: patient cases', lambert, 'GET', `/api/rcp/cases?patient=Patient/${c.patient}`);
      await bench.call('hospital: patient search', lambert, 'GET', '/fhir/Patient?name=banc&_count=20&_sort=family');
    }

    const mail = await mailAfterSignature(dcc, bench, { lambert, aubert }, mailCases);

    const rows = [...bench.samples.entries()].map(([action, samples]) => ({
      action,
      n: samples.length,
      p50: quantile(samples.map((s) => s.ms), 0.5),
      p99: quantile(samples.map((s) => s.ms), 0.99),
      sql: quantile(samples.map((s) => s.sql), 0.5),
    }));
    const db = config.databaseUrl ? 'postgresql' : 'pglite';
    console.log(`\nActions on the demo data, ${db}, ${os.cpus().length} cores (${os.cpus()[0]?.model}), n=${n}`);
    console.log('action'.padEnd(36) + 'n'.padStart(4) + 'p50 ms'.padStart(10) + 'p99 ms'.padStart(10) + 'SQL'.padStart(7));
    for (const r of rows) console.log(r.action.padEnd(36) + String(r.n).padStart(4) + r.p50.toFixed(0).padStart(10) + r.p99.toFixed(0).padStart(10) + String(r.sql).padStart(7));
    if (mail) console.log(`mail after signature: p50 ${mail.p50.toFixed(2)} s, max ${mail.max.toFixed(2)} s (n=${mail.samples.length}, poll interval ${mail.intervalMs} ms)`);
    const resources = Number((await dcc.services.db.raw('SELECT count(*) AS n FROM resource')).rows[0].n);
    fs.mkdirSync(BENCH_DIR, { recursive: true });
    const out = path.join(BENCH_DIR, `actions-${db}.json`);
    fs.writeFileSync(out, JSON.stringify({
      date: new Date().toISOString(), database: db, cores: os.cpus().length, cpu: os.cpus()[0]?.model, iterations: n, resources,
      actions: rows, mailAfterSignature: mail,
    }, null, 2));
    const chart = path.join(BENCH_DIR, `actions-${db}.svg`);
    fs.writeFileSync(chart, renderPanels(rows.map((r) => ({ ...r, label: r.action })), [
      { title: 'p50, ms (target < 300)', value: (r) => r.p50, target: () => 300, unit: 'ms', colour: '#3b6ea8' },
      { title: 'p99, ms (target < 1,000)', value: (r) => r.p99, target: () => 1000, unit: 'ms', colour: '#d08a2c' },
    ], `${resources.toLocaleString('en-US')} resources, ${db}, n=${n} per action, ${os.cpus().length} × ${os.cpus()[0]?.model}, ${new Date().toISOString().slice(0, 16)}Z`));
    console.log(`${resources} resources in the database; results in ${out}, chart in ${chart}`);
    if (SQL_LOG) fs.writeFileSync(path.join(BENCH_DIR, `actions-sql-${db}.json`), JSON.stringify(Object.fromEntries(bench.sqlLog), null, 1));
  } finally {
    await dcc.close();
  }
}

/**
 * Seconds from the signature's answer (its transaction has committed) to the report's mail in the
 * demo mailbox (a real smtp-server), the outbox worker polling only every 60 s: what wakes it is
 * the notification of the outbox insert (store/outbox-wake.ts).
 */
async function mailAfterSignature(dcc: RunningDcc, bench: ActionBench, users: { lambert: User; aubert: User }, cases: { caseId: string }[]) {
  const intervalMs = 60_000;
  const mailDir = path.join(BENCH_DIR, 'actions-mailbox');
  fs.rmSync(mailDir, { recursive: true, force: true });
  const mailbox = await startDemoMailbox({ port: 0, dir: mailDir });
  const mailConfig: MailConfig = {
    host: '127.0.0.1', port: mailbox.port, secure: false, requireTls: false, rejectUnauthorized: true,
    from: 'DCC banc <dcc@dcc-demo.mssante.fr>', messageIdDomain: 'dcc-demo.mssante.fr', publicBaseUrl: dcc.url,
  };
  const sender = new MailSender(mailConfig);
  const worker = new DeliveryWorker({ store: dcc.services.store, mail: { sender, config: mailConfig }, intervalMs, batch: 100, fhirBaseUrl: `${dcc.url}/fhir` });
  const samples: number[] = [];
  try {
    // The reports the timed actions signed are sent first: each sample waits for its own mail only.
    for (let i = 0; i < 50 && Object.values(await worker.drainOnce()).some((x) => x > 0); i++);
    worker.start();
    await worker.listening;
    for (const c of cases) {
      await bench.call(undefined, users.lambert, 'POST', `/api/rcp/cases/${c.caseId}/discuss`, {});
      await bench.call(undefined, users.lambert, 'PUT', `/api/rcp/cases/${c.caseId}/decision`, DECISION('Colectomie gauche'));
      const before = mailbox.messages().length;
      await bench.call(undefined, users.aubert, 'POST', `/api/rcp/cases/${c.caseId}/sign`, {});
      const signedAt = performance.now();
      const deadline = signedAt + 2 * intervalMs;
      while (mailbox.messages().length === before && performance.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 10));
      if (mailbox.messages().length === before) throw new Error('mail after signature: nothing arrived within two poll intervals');
      samples.push((performance.now() - signedAt) / 1000);
      // The round that sent the first mail ends before the next signature (no overlap between samples).
      await worker.drainOnce();
    }
  } finally {
    await worker.stop();
    sender.close();
    await mailbox.close();
  }
  if (!samples.length) return undefined;
  return { p50: quantile(samples, 0.5), max: Math.max(...samples), samples, intervalMs };
}

main().then(() => process.exit(0), (error) => {
  console.error(error);
  process.exit(1);
});
