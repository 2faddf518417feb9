import type { Appointment, CarePlan, List } from '@medplum/fhirtypes';
import { mayReadType } from '../access/index.ts';
import { CATEGORY, handOverOf } from '../care-plan/index.ts';
import { frenchCsv } from '../print/index.ts';
import { OutboxStore, type OutboxEntry } from '../store/outbox-store.ts';
import { RCP_REPORT_EVENT, sharingEventKey, type RcpReportMessage } from '../delivery/index.ts';
import { listBoards, loadBoard } from './boards.ts';
import type { Board } from './board-model.ts';
import { loadVisibleCases } from './case-store.ts';
import { RCP_AGENDA_ID_SYSTEM, RCP_SESSION_TYPE } from './codes.ts';
import { invalidInput, notAllowed } from './errors.ts';
import { orBatches } from '../fhir-kit/search-request.ts';
import { idFrom, type RcpContext } from './fhir-helpers.ts';
import { agendaFromFhir, sessionFromFhir, type AgendaEntry, type Session } from './session-model.ts';

/**
 * Activity indicators of the 3C, per board and period (sessions whose date falls in [from, to)).
 * Session and agenda counts come from data without patient content (every coordinator sees them);
 * delays, trial proposals and PPS need the cases themselves and cover the cases the caller may see
 * (`coverage` says how many).
 */

export interface DelayStats {
  n: number;
  medianHours: number | null;
  p90Hours: number | null;
}

export interface Indicators {
  sessionsHeld: number;
  sessionsCancelled: number;
  sessionsPlanned: number;
  casesRegistered: number;
  casesPresented: number;
  casesDiscussed: number;
  casesRecorded: number;
  casesCarriedOver: number;
  casesQuorumNotReached: number;
  /** Discussed with quorum / (discussed + quorum not reached). */
  quorumRate: number | null;
  casesSigned: number;
  delays: { registrationToSession: DelayStats; sessionToSignature: DelayStats; signatureToSent: DelayStats };
  /** Signed cases whose proposal includes a clinical trial. */
  trialProposalShare: number | null;
  /** Patients with a signed decision who were handed a PPS (null when the caller may not read care plans). */
  ppsHandedOverShare: number | null;
  coverage: { casesPresented: number; casesVisible: number };
}

export interface BoardIndicators extends Indicators {
  board: { id: string; name: string; coordinationCentre: string };
}

export interface IndicatorReport {
  period: { from: string; to: string };
  scope: { board?: string; coordinationCentre?: string };
  boards: BoardIndicators[];
  total: Indicators;
}

interface Samples {
  registrationToSession: number[];
  sessionToSignature: number[];
  signatureToSent: number[];
  signed: number;
  trial: number;
  patientsSigned: Set<string>;
  patientsWithPps: Set<string>;
  visible: number;
}

export function parseIndicatorQuery(query: Record<string, unknown>): { board?: string; centre?: string; from: string; to: string } {
  const date = (key: 'from' | 'to') => {
    const v = query[key];
    const meaning = key === 'from' ? 'début de la période' : 'fin de la période, incluse';
    if (v === undefined) throw invalidInput('indicators-invalid', `Paramètre ${key} obligatoire (${meaning}) : date AAAA-MM-JJ, par exemple ?from=2026-01-01&to=2026-12-31`, [key]);
    if (typeof v !== 'string' || Number.isNaN(Date.parse(v))) throw invalidInput('indicators-invalid', `${key} (${meaning}) : date attendue (AAAA-MM-JJ), reçu « ${String(v)} »`, [key]);
    // A day given as "to" is included whole: to=2026-12-31 counts the sessions of 31 December.
    if (key === 'to' && /^\d{4}-\d{2}-\d{2}$/.test(v)) return new Date(Date.parse(`${v}T00:00:00Z`) + 86_400_000 - 1).toISOString();
    return new Date(v).toISOString();
  };
  const from = date('from');
  const to = date('to');
  if (from >= to) throw invalidInput('indicators-invalid', 'La période est vide : from doit précéder to', ['to']);
  const board = typeof query.board === 'string' ? idFrom(query.board, 'HealthcareService') ?? query.board : undefined;
  const centre = typeof query.centre === 'string' ? (query.centre.startsWith('Organization/') ? query.centre : `Organization/${query.centre}`) : undefined;
  return { ...(board ? { board } : {}), ...(centre ? { centre } : {}), from, to };
}

/** The 3C's activity figures are for those who organise or run the RCPs, not for city professionals. */
export function requireIndicatorReader(rc: RcpContext): void {
  const roles = rc.ctx.principal.roles;
  if (['system', 'coordinator', 'physician', 'admin'].some((r) => roles.includes(r))) return;
  throw notAllowed('not-board-manager', "Les indicateurs d'activité des RCP sont réservés au 3C et aux médecins des RCP");
}

export async function computeIndicators(rc: RcpContext, query: { board?: string; centre?: string; from: string; to: string }): Promise<IndicatorReport> {
  requireIndicatorReader(rc);
  const listed: Board[] = query.board ? [(await loadBoard(rc, query.board)).board] : await listBoards(rc, { ...(query.centre ? { centre: query.centre } : {}) });
  const boards = listed.filter((board) => !query.centre || board.coordinationCentre === query.centre);
  const figures = await boardFigures(rc, boards, query.from, query.to);
  const perBoard: BoardIndicators[] = [];
  const all: { counts: Counts; samples: Samples } = { counts: emptyCounts(), samples: emptySamples() };
  for (const [i, board] of boards.entries()) {
    const { counts, samples } = figures[i]!;
    perBoard.push({ board: { id: board.id, name: board.name, coordinationCentre: board.coordinationCentre }, ...toIndicators(counts, samples, rc) });
    mergeInto(all, counts, samples);
  }
  return {
    period: { from: query.from, to: query.to },
    scope: { ...(query.board ? { board: `HealthcareService/${query.board}` } : {}), ...(query.centre ? { coordinationCentre: query.centre } : {}) },
    boards: perBoard,
    total: toIndicators(all.counts, all.samples, rc),
  };
}

interface Counts {
  held: number;
  cancelled: number;
  planned: number;
  registered: number;
  discussed: number;
  recorded: number;
  carriedOver: number;
  quorumNotReached: number;
}

const emptyCounts = (): Counts => ({ held: 0, cancelled: 0, planned: 0, registered: 0, discussed: 0, recorded: 0, carriedOver: 0, quorumNotReached: 0 });
const emptySamples = (): Samples => ({ registrationToSession: [], sessionToSignature: [], signatureToSent: [], signed: 0, trial: 0, patientsSigned: new Set(), patientsWithPps: new Set(), visible: 0 });

function mergeInto(all: { counts: Counts; samples: Samples }, counts: Counts, samples: Samples): void {
  for (const k of Object.keys(counts) as (keyof Counts)[]) all.counts[k] += counts[k];
  const s = all.samples;
  s.registrationToSession.push(...samples.registrationToSession);
  s.sessionToSignature.push(...samples.sessionToSignature);
  s.signatureToSent.push(...samples.signatureToSent);
  s.signed += samples.signed;
  s.trial += samples.trial;
  s.visible += samples.visible;
  samples.patientsSigned.forEach((p) => s.patientsSigned.add(p));
  samples.patientsWithPps.forEach((p) => s.patientsWithPps.add(p));
}

/**
 * The figures of each board (in the order given). Every read covers all the boards at once —
 * sessions, agendas, cases, sendings, PPS — instead of one round of reads per board and one PPS
 * search per patient: the figures are the same, the statements a handful.
 */
async function boardFigures(rc: RcpContext, boards: Board[], from: string, to: string): Promise<{ counts: Counts; samples: Samples }[]> {
  const sessionsOf = await sessionsByBoard(rc, boards.map((b) => b.id), { from, to });
  const agendas = await agendasOf(rc, [...new Map([...sessionsOf.values()].flat().map((s) => [s.id, s])).values()]);
  const perBoard = boards.map((board) => {
    const sessions = sessionsOf.get(board.id) ?? [];
    const counts = emptyCounts();
    for (const s of sessions) {
      if (s.state === 'closed') counts.held++;
      else if (s.state === 'cancelled') counts.cancelled++;
      else counts.planned++;
    }
    // Where each case was presented (discussed or recorded): the session gives the delays' reference date.
    const presented = new Map<string, Session>();
    for (const s of sessions) {
      for (const e of agendas.get(s.id) ?? []) {
        if (e.origin === 'registration' || (!e.origin && !e.note?.startsWith('Reporté') && !e.note?.startsWith('Déplacé'))) counts.registered++;
        if (e.flag === 'discussed') counts.discussed++;
        if (e.flag === 'recorded') counts.recorded++;
        if (e.flag === 'carried-over') counts.carriedOver++;
        if (e.flag === 'quorum-not-reached' || e.cause === 'quorum-not-reached') counts.quorumNotReached++;
        if (e.flag === 'discussed' || e.flag === 'recorded') presented.set(e.case, s);
      }
    }
    return { counts, presented, samples: emptySamples() };
  });
  const cases = await loadVisibleCases(rc, perBoard.flatMap((b) => [...b.presented.keys()]));
  const firstReports = [...cases.values()].map((c) => c.rcpCase.firstReport).filter((r): r is string => Boolean(r));
  const sent = await sentTimes(new OutboxStore(rc.repo.db), firstReports.map((r) => sharingEventKey(RCP_REPORT_EVENT, r)));
  const hours = (a: string, b: string) => (new Date(b).getTime() - new Date(a).getTime()) / 3_600_000;
  // A delay runs forward: events in the wrong order (a session opened before its date, before the
  // start was recorded) are a fault of the data, left out rather than shown as a negative delay.
  const push = (list: number[], value: number) => {
    if (value >= 0) list.push(value);
  };
  for (const { presented, samples } of perBoard) {
    for (const [id, session] of presented) {
      const rcpCase = cases.get(id)?.rcpCase;
      if (!rcpCase) continue;
      samples.visible++;
      // Measured from when the session was actually held (recorded when it was opened).
      const held = session.startedAt ?? session.start;
      if (rcpCase.registeredAt) push(samples.registrationToSession, hours(rcpCase.registeredAt, held));
      if (rcpCase.signedAt && rcpCase.state === 'signed') {
        samples.signed++;
        samples.patientsSigned.add(rcpCase.patient);
        push(samples.sessionToSignature, hours(held, rcpCase.signedAt));
        if (rcpCase.trialProposed) samples.trial++;
        const sentAt = rcpCase.firstReport ? sent.get(sharingEventKey(RCP_REPORT_EVENT, rcpCase.firstReport)) : undefined;
        if (sentAt) push(samples.signatureToSent, hours(rcpCase.signedAt, sentAt));
      }
    }
  }
  if (mayReadType(rc.ctx.principal, 'CarePlan')) {
    const withPps = await patientsHandedAPps(rc, [...new Set(perBoard.flatMap((b) => [...b.samples.patientsSigned]))]);
    for (const { samples } of perBoard) for (const patient of samples.patientsSigned) if (withPps.has(patient)) samples.patientsWithPps.add(patient);
  }
  return perBoard.map(({ counts, samples }) => ({ counts, samples }));
}

/** The sessions of each board in [from, to), by date: one search for all the boards. */
async function sessionsByBoard(rc: RcpContext, boardIds: string[], filter: { from: string; to: string }): Promise<Map<string, Session[]>> {
  const out = new Map<string, Session[]>();
  for (const actors of orBatches([...new Set(boardIds)].map((id) => `HealthcareService/${id}`))) {
    const batch = actors.map((a) => a.slice('HealthcareService/'.length));
    const appointments = await rc.repo.searchAll<Appointment>('Appointment', {
      actor: actors.join(','),
      'service-type': `${RCP_SESSION_TYPE.system}|${RCP_SESSION_TYPE.code}`,
      date: [`ge${filter.from}`, `lt${filter.to}`],
      _sort: 'date',
    });
    // As a search per board would: a session counts for every board among its participants.
    for (const appointment of appointments) {
      const session = sessionFromFhir(appointment);
      const boards = new Set(appointment.participant.map((p) => idFrom(p.actor, 'HealthcareService')).filter((id): id is string => Boolean(id) && batch.includes(id!)));
      for (const id of boards) out.set(id, [...(out.get(id) ?? []), session]);
    }
  }
  return out;
}

/** The patients among `patients` (Patient/<id>) with a PPS handed over, in one search per about forty patients. */
async function patientsHandedAPps(rc: RcpContext, patients: string[]): Promise<Set<string>> {
  const out = new Set<string>();
  for (const batch of orBatches(patients)) {
    const plans = await rc.repo.searchAll<CarePlan>('CarePlan', { patient: batch.join(','), category: `${CATEGORY.pps.system}|${CATEGORY.pps.code}` });
    for (const plan of plans) {
      const patient = idFrom(plan.subject, 'Patient');
      if (patient && handOverOf(plan)) out.add(`Patient/${patient}`);
    }
  }
  return out;
}

/**
 * When each report left for the GP: the first mail the GP's mailbox accepted; for a report
 * marked sent as a whole (sent before per-recipient deliveries, or by another system), that time.
 */
async function sentTimes(outbox: OutboxStore, dedupKeys: string[]): Promise<Map<string, string>> {
  const events = await outbox.findByDedupKeys<RcpReportMessage>(dedupKeys);
  const deliveries: OutboxEntry<{ role?: string }>[] = [];
  for (let i = 0; i < events.length; i += 500) {
    deliveries.push(...await outbox.list<{ role?: string }>({ parentIds: events.slice(i, i + 500).map((e) => e.id), kind: 'mail', limit: 5000 }));
  }
  const out = new Map<string, string>();
  for (const e of events) {
    const toGp = deliveries.filter((d) => d.parentId === e.id && d.status === 'sent' && d.payload.role === 'general-practitioner' && d.sentAt).map((d) => d.sentAt!).sort();
    const children = deliveries.some((d) => d.parentId === e.id);
    const at = toGp[0] ?? (!children && e.status === 'sent' && !e.lastError ? e.sentAt : null);
    if (at) out.set(e.dedupKey, at);
  }
  return out;
}

async function agendasOf(rc: RcpContext, sessions: Session[]): Promise<Map<string, AgendaEntry[]>> {
  const out = new Map<string, AgendaEntry[]>();
  for (const identifiers of orBatches(sessions.map((s) => `${RCP_AGENDA_ID_SYSTEM}|${s.id}`))) {
    const lists = await rc.repo.searchAll<List>('List', { identifier: identifiers.join(',') });
    for (const list of lists) {
      const agenda = agendaFromFhir(list);
      out.set(agenda.sessionId, agenda.entries);
    }
  }
  return out;
}

function toIndicators(c: Counts, s: Samples, rc: RcpContext): Indicators {
  const ratio = (a: number, b: number) => (b ? Math.round((a / b) * 1000) / 1000 : null);
  return {
    sessionsHeld: c.held,
    sessionsCancelled: c.cancelled,
    sessionsPlanned: c.planned,
    casesRegistered: c.registered,
    casesPresented: c.discussed + c.recorded,
    casesDiscussed: c.discussed,
    casesRecorded: c.recorded,
    casesCarriedOver: c.carriedOver,
    casesQuorumNotReached: c.quorumNotReached,
    quorumRate: ratio(c.discussed, c.discussed + c.quorumNotReached),
    casesSigned: s.signed,
    delays: {
      registrationToSession: delayStats(s.registrationToSession),
      sessionToSignature: delayStats(s.sessionToSignature),
      signatureToSent: delayStats(s.signatureToSent),
    },
    trialProposalShare: ratio(s.trial, s.signed),
    ppsHandedOverShare: mayReadType(rc.ctx.principal, 'CarePlan') ? ratio(s.patientsWithPps.size, s.patientsSigned.size) : null,
    coverage: { casesPresented: c.discussed + c.recorded, casesVisible: s.visible },
  };
}

/** Median and 90th percentile (linear interpolation between closest ranks), in hours to 0.1. */
export function delayStats(values: number[]): DelayStats {
  if (!values.length) return { n: 0, medianHours: null, p90Hours: null };
  const sorted = [...values].sort((a, b) => a - b);
  return { n: sorted.length, medianHours: round(quantile(sorted, 0.5)), p90Hours: round(quantile(sorted, 0.9)) };
}

export function quantile(sorted: number[], q: number): number {
  const pos = (sorted.length - 1) * q;
  const lower = Math.floor(pos);
  const upper = Math.ceil(pos);
  return sorted[lower]! + (sorted[upper]! - sorted[lower]!) * (pos - lower);
}

const round = (v: number) => Math.round(v * 10) / 10;

const CSV_COLUMNS: [string, (i: Indicators) => unknown][] = [
  ['Séances tenues', (i) => i.sessionsHeld],
  ['Séances annulées', (i) => i.sessionsCancelled],
  ['Séances planifiées', (i) => i.sessionsPlanned],
  ['Dossiers inscrits', (i) => i.casesRegistered],
  ['Dossiers présentés', (i) => i.casesPresented],
  ['Dossiers discutés', (i) => i.casesDiscussed],
  ['Dossiers enregistrés', (i) => i.casesRecorded],
  ['Dossiers reportés', (i) => i.casesCarriedOver],
  ['Quorum non atteint', (i) => i.casesQuorumNotReached],
  ['Taux de quorum', (i) => i.quorumRate],
  ['Comptes rendus signés', (i) => i.casesSigned],
  ['Inscription → séance médiane (h)', (i) => i.delays.registrationToSession.medianHours],
  ['Inscription → séance p90 (h)', (i) => i.delays.registrationToSession.p90Hours],
  ['Séance → signature médiane (h)', (i) => i.delays.sessionToSignature.medianHours],
  ['Séance → signature p90 (h)', (i) => i.delays.sessionToSignature.p90Hours],
  ['Signature → envoi médiane (h)', (i) => i.delays.signatureToSent.medianHours],
  ['Signature → envoi p90 (h)', (i) => i.delays.signatureToSent.p90Hours],
  ["Part avec proposition d'essai clinique", (i) => i.trialProposalShare],
  ['Part des patients avec PPS remis', (i) => i.ppsHandedOverShare],
  ['Dossiers présentés visibles', (i) => i.coverage.casesVisible],
];

/** CSV (semicolon-separated, decimal comma: what a French spreadsheet opens directly), with a BOM for Excel. */
export function indicatorsCsv(report: IndicatorReport): string {
  const header = ['RCP', 'Identifiant', 'Début de période', 'Fin de période', ...CSV_COLUMNS.map(([name]) => name)];
  const rows = [
    ...report.boards.map((b) => [b.board.name, `HealthcareService/${b.board.id}`, report.period.from, report.period.to, ...CSV_COLUMNS.map(([, get]) => get(b))]),
    ['Total', '', report.period.from, report.period.to, ...CSV_COLUMNS.map(([, get]) => get(report.total))],
  ];
  return frenchCsv([header, ...rows]);
}
