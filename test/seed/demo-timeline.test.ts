import { expect } from 'chai';
import type { CarePlan, Composition, Condition, HealthcareService, Observation, Procedure, ServiceRequest, Task } from '@medplum/fhirtypes';
import { systemContext } from '../../server/context.ts';
import { buildTimeline } from '../../server/record/timeline.ts';
import { latestStage } from '../../server/summary/clinical.ts';
import { seedDemoData } from '../../server/bootstrap.ts';
import { seedDemoCarePlans } from '../../server/care-plan/index.ts';
import { CATEGORY, EXT } from '../../server/care-plan/codes.ts';
import { CODE, decisionStandings, hasCoding, isSignedRcpSheet, loadRcpSheet, rcpSheetCodes, tnmBasis } from '../../server/rcp-sheet/index.ts';
import { loadCase, loadSession } from '../../server/rcp/index.ts';
import { DEMO_CASE_SYSTEM } from '../../server/seed/demo-rcp.ts';
import { parisDay } from '../../server/fhir-kit/french-dates.ts';
import { seedDemoRcp, seedDemoRcpSheets } from '../../server/seed/index.ts';
import { closeTestServices, testServices } from '../helpers/harness.ts';

const RCP_DATE = 'https://dcc-paca.example/fhir/StructureDefinition/dcc-rcp-date';
const DAY = 86_400_000;

/** The proposal of a decision that comes first: intention 1, sequence 1. */
const firstStep = (d: CarePlan) => d.activity?.find((a) => a.extension?.find((e) => e.url === rcpSheetCodes.EXT_PROPOSAL_INTENTION)?.valuePositiveInt === 1
  && a.extension?.find((e) => e.url === rcpSheetCodes.EXT_PROPOSAL_SEQUENCE)?.valuePositiveInt === 1);
const NOT_A_TREATMENT = [CODE.exam, CODE.surveillance, CODE.recoursReferral];
/**
 * A first-line treatment proposal: the decision's first step is a treatment that does not continue
 * an earlier one (adjuvant, consolidation, maintenance). A tumour gets one; what follows is the
 * next step of that pathway.
 */
const isFirstLineTreatment = (d: CarePlan) => {
  const step = firstStep(d)?.detail;
  if (!step?.code?.coding?.length || NOT_A_TREATMENT.some((c) => hasCoding(step.code?.coding, c))) return false;
  return !/\badjuvant|consolidation|entretien|maintenance/i.test(step.description ?? '');
};

/** The demo tells one clinical story per patient whatever the day it is seeded (server/seed/demo-clock.ts). */
describe('Demo data: one coherent timeline per patient, anchored on the seeding day', function () {
  this.timeout(600_000);
  // A fresh store each time: other files of the run seed the demo at their own clocks.
  beforeEach(() => closeTestServices());
  afterEach(() => closeTestServices());

  // Two clocks in the past of the machine's: the record's write rules refuse a diagnosis dated after
  // the real today (server/record/clinical-dates.ts), so a clock ahead of it cannot seed.
  for (const seededAt of ['2026-12-07T09:00:00Z', '2026-06-15T16:00:00Z']) {
    it(`seeded at ${seededAt}: first RCP weeks after the diagnosis, one first-line decision, the PPS dated by its meeting, nothing done in the future`, async () => {
      const now = new Date(seededAt);
      const today = parisDay(now);
      const { store } = await testServices();
      await seedDemoData(store, { now });
      await seedDemoRcpSheets(store, { now });
      await seedDemoRcp(store, { now });
      await seedDemoCarePlans(store, { now });
      const system = store.system();
      const sheets = await system.searchAll<Composition>('Composition', { type: 'http://loinc.org|34794-8' });
      const meetingOf = (c: Composition) => c.event?.[0]?.period?.start;

      for (const condition of await system.searchAll<Condition>('Condition', { code: 'http://hl7.org/fhir/sid/icd-10|C18.7,http://hl7.org/fhir/sid/icd-10|C20,http://hl7.org/fhir/sid/icd-10|C50.4,http://hl7.org/fhir/sid/icd-10|C25.0,http://hl7.org/fhir/sid/icd-10|C34.1,http://hl7.org/fhir/sid/icd-10|C16.0' })) {
        const patient = condition.subject!.reference!;
        const meetings = sheets.filter((c) => c.subject?.reference === patient).map(meetingOf).filter((m): m is string => !!m).sort();
        if (!meetings.length) continue;
        const onset = Date.parse(condition.onsetDateTime!);
        const first = Date.parse(meetings[0]!);
        expect(first - onset, `${condition.subject?.display}: diagnosis ${condition.onsetDateTime}, first RCP ${meetings[0]}`).to.be.within(7 * DAY, 92 * DAY);
      }

      // Castellani: the first-line RCP (surgery first) and, after it, the adjuvant decision, never two proposals of surgery.
      const conditions = await system.searchAll<Condition>('Condition', { code: 'http://hl7.org/fhir/sid/icd-10|C18.7' });
      const castellani = conditions[0]!.subject!.reference!;
      const decisions = (await system.searchAll<CarePlan>('CarePlan', { category: 'rcp-decision', subject: castellani })).filter((d) => d.status === 'active');
      expect(decisions).to.have.length(2);
      const withSurgery = decisions.filter((d) => d.activity?.some((a) => /ectomie/i.test(a.detail?.description ?? '')));
      expect(withSurgery, 'one decision proposes the surgery').to.have.length(1);
      const adjuvant = decisions.find((d) => d !== withSurgery[0])!;
      expect(adjuvant.activity?.map((a) => a.detail?.description).join(' ')).to.contain('adjuvante');
      const meetingOfDecision = (d: CarePlan) => meetingOf(sheets.find((c) => c.section?.some((s) => JSON.stringify(s).includes(`CarePlan/${d.id}`)))!);
      expect(Date.parse(meetingOfDecision(withSurgery[0]!)!)).to.be.below(Date.parse(meetingOfDecision(adjuvant)!));

      const plans = await system.searchAll<CarePlan>('CarePlan', {});
      const pps = plans.filter((p) => p.category?.some((c) => c.coding?.some((x) => x.code === 'pps')));
      expect(pps.length).to.be.greaterThan(0);
      for (const p of pps) {
        const decision = plans.find((d) => `CarePlan/${d.id}` === p.basedOn?.[0]?.reference)!;
        expect(p.extension?.find((e) => e.url === RCP_DATE)?.valueDateTime, `PPS ${p.id}`).to.equal(meetingOfDecision(decision));
      }
      expect(pps.find((p) => p.subject?.reference === castellani)?.basedOn?.[0]?.reference, 'Castellani\'s PPS follows the decision in force').to.equal(`CarePlan/${adjuvant.id}`);

      // One first-line treatment proposal per tumour, whether its sheet is signed yet or not (a sheet
      // awaiting signature proposed a perioperative treatment beside the signed radiochemotherapy).
      const rcpDecisions = plans.filter((d) => d.category?.some((c) => c.coding?.some((x) => x.code === 'rcp-decision')) && ['draft', 'active'].includes(d.status));
      const firstLines = new Map<string, string[]>();
      for (const d of rcpDecisions.filter(isFirstLineTreatment)) {
        const key = `${d.subject?.display ?? d.subject?.reference} / ${d.addresses?.[0]?.reference}`;
        firstLines.set(key, [...(firstLines.get(key) ?? []), firstStep(d)!.detail!.description ?? d.id!]);
      }
      expect(firstLines.size, 'first-line decisions exist').to.be.greaterThan(3);
      for (const [tumour, proposals] of firstLines) expect(proposals, tumour).to.have.length(1);

      // A PPS's advice fits its treatments: the chemotherapy advice only where a chemotherapy is to
      // come (Ménard's, all treatments behind him and no adjuvant chemotherapy, listed it).
      const chemoAdvice = /pendant la chimioth|début de la chimioth/i;
      const advice = (p: CarePlan) => JSON.stringify([p.activity ?? [], p.extension ?? []]);
      for (const p of pps) {
        const toCome = (p.activity ?? []).some((a) => {
          const text = `${JSON.stringify(a.detail?.code ?? {})} ${a.detail?.description ?? ''}`;
          return a.detail?.status !== 'completed' && /chimioth/i.test(text) && !/pas de chimioth/i.test(text) && !chemoAdvice.test(text);
        });
        if (!toCome) expect(advice(p), `PPS ${p.id} of ${p.subject?.reference}: no treatment to come`).not.to.match(chemoAdvice);
      }
      expect(pps.some((p) => chemoAdvice.test(advice(p))), 'the PPS under oral chemotherapy keeps its advice').to.equal(true);

      // A PPAC starts at the end of the active treatments: after the last activity of the PPS it
      // closes, not after today, and its surveillance is the one of the cancer (colorectal here).
      const ppacs = plans.filter((p) => p.category?.some((c) => c.coding?.some((x) => x.code === CATEGORY.ppac.code)));
      expect(ppacs, 'the demo has a PPAC').to.have.length(1);
      for (const ppac of ppacs) {
        const end = ppac.extension?.find((e) => e.url === EXT.endOfActiveTreatment)?.valueDate;
        const closed = plans.find((p) => `CarePlan/${p.id}` === ppac.replaces?.[0]?.reference)!;
        expect(closed.status, 'the PPS it relays is closed').to.equal('completed');
        const days = (closed.activity ?? []).flatMap((a) => [a.detail?.scheduledPeriod?.start, a.detail?.scheduledPeriod?.end]).filter((d): d is string => !!d).map((d) => d.slice(0, 10)).sort();
        expect(days.length, 'the PPS dates its treatments').to.be.greaterThan(0);
        expect(end! >= days.at(-1)!, `end of active treatment ${end}, last PPS activity ${days.at(-1)}`).to.equal(true);
        expect(end! <= today, `end of active treatment ${end}, seeded ${today}`).to.equal(true);
        expect((closed.activity ?? []).filter((a) => a.detail?.status !== 'completed' && a.detail?.scheduledPeriod).map((a) => a.detail?.description), 'every dated step of the PPS took place').to.deep.equal([]);
        const condition = await system.read<Condition>('Condition', ppac.addresses![0]!.reference!.split('/')[1]!);
        const icd10 = condition.code?.coding?.find((c) => c.system === 'http://hl7.org/fhir/sid/icd-10')?.code ?? '';
        expect(icd10, 'a colorectal cancer (the demo PPAC\'s surveillance)').to.match(/^C(18|19|20)/);
        const surveillance = (ppac.activity ?? []).map((a) => JSON.stringify(a.detail ?? {})).join(' ');
        expect(surveillance).to.contain('Coloscopie').and.contain('ACE').and.contain('Scanner thoraco-abdomino-pelvien');
        // The decisions after it agree: no treatment proposed to this patient after the ones the PPS relays.
        const based = plans.find((d) => `CarePlan/${d.id}` === closed.basedOn?.[0]?.reference)!;
        const later = rcpDecisions.filter((d) => d.subject?.reference === ppac.subject?.reference && d !== based && Date.parse(meetingOfDecision(d)!) > Date.parse(meetingOfDecision(based)!));
        expect(later.filter((d) => d.activity?.some((a) => !NOT_A_TREATMENT.some((c) => hasCoding(a.detail?.code?.coding, c)))).map((d) => d.id), 'no treatment decided after the PPAC\'s').to.deep.equal([]);
      }

      // After the surgery, the record and every later sheet give the pathological stage, and the surgery as done.
      for (const patient of [castellani, (await system.searchAll<Condition>('Condition', { code: 'http://hl7.org/fhir/sid/icd-10|C20' }))[0]!.subject!.reference!]) {
        const surgery = (await system.searchAll<Procedure>('Procedure', { subject: patient })).find((p) => /ectomie/.test(p.code?.text ?? ''));
        expect(surgery, `${patient}: the surgery is a Procedure of the record`).to.not.equal(undefined);
        const resources = await system.patientCompartment(patient.split('/')[1]!, { limit: 5000 });
        const timeline = buildTimeline(resources);
        // Once, though every later sheet tells it again among the treatments received (the record page showed it three times).
        expect(timeline.filter((e) => e.kind === 'traitement' && e.label === surgery!.code!.text).map((e) => e.reference), `${patient}: timeline`).to.deep.equal([`Procedure/${surgery!.id}`]);
        expect(timeline.filter((e) => e.kind === 'examen' && /ant[ée]c[ée]dent|comorbidit/i.test(e.label)), `${patient}: no antecedent filed as an exam`).to.deep.equal([]);
        const stage = latestStage(resources.filter((r): r is Observation => r.resourceType === 'Observation'));
        const text = (codes: string[]) => stage?.component?.find((c) => c.code?.coding?.some((k) => codes.includes(k.code!)))?.valueCodeableConcept?.text;
        expect(tnmBasis({ t: text(['21905-5', '21899-0']), n: text(['21906-3', '21900-6']) }), `${patient}: latest stage ${text(['21905-5', '21899-0'])}`).to.equal('pathological');
        for (const sheet of sheets.filter((c) => c.subject?.reference === patient && Date.parse(meetingOf(c)!) > Date.parse(surgery!.performedDateTime!))) {
          const { data } = (await loadRcpSheet(system, systemContext(), sheet.id!)).content;
          expect(tnmBasis(data.diagnosis?.tnm), `${patient}, RCP of ${meetingOf(sheet)}: ${data.diagnosis?.tnm?.t} ${data.diagnosis?.tnm?.n}`).to.equal('pathological');
          expect(data.treatmentsSoFar?.map((t) => t.type), `${patient}, RCP of ${meetingOf(sheet)}: treatments received`).to.include('surgery');
        }
      }

      // One decision in force per tumour: Castellani's first-line decision is replaced by the adjuvant one.
      const standings = decisionStandings(await system.patientCompartment(castellani.split('/')[1]!, { limit: 5000 }));
      expect(standings.filter((s) => s.standing === 'in-force').map((s) => s.decision)).to.deep.equal([`CarePlan/${adjuvant.id}`]);
      expect(standings.find((s) => s.decision === `CarePlan/${withSurgery[0]!.id}`)).to.include({ standing: 'replaced', replacedBy: `CarePlan/${adjuvant.id}` });
      const patients = new Set(rcpDecisions.map((d) => d.subject!.reference!));
      for (const patient of patients) {
        const inForce = decisionStandings(await system.patientCompartment(patient.split('/')[1]!, { limit: 5000 })).filter((s) => s.standing === 'in-force');
        const tumours = inForce.map((s) => plans.find((p) => `CarePlan/${p.id}` === s.decision)?.addresses?.[0]?.reference);
        expect(new Set(tumours).size, `${patient}: one decision in force per tumour`).to.equal(tumours.length);
      }

      for (const p of plans) {
        for (const a of p.activity ?? []) {
          const start = a.detail?.scheduledPeriod?.start;
          if (a.detail?.status === 'completed' && start) expect(start.slice(0, 10) <= today, `${a.detail.description ?? p.id} completed on ${start}`).to.equal(true);
        }
      }

      // The author's speciality is the sheet's own (the printed report left it blank when the author
      // was no participant). Every sheet is a case of a board of the demo, on the session its meeting
      // names (three past sheets of the stories — CASTELLANI's and BÉRENGER's first RCP, MÉNARD's
      // spring RCP — belonged to no case and no board: the record and the 3C's pages told two
      // stories); a signed one was discussed and signed there, at a session now closed.
      const strays: string[] = [];
      const requests = await system.searchAll<ServiceRequest>('ServiceRequest', { identifier: `${DEMO_CASE_SYSTEM}|` });
      const rc = { repo: system, ctx: systemContext(), now };
      for (const sheet of sheets) {
        const { content } = await loadRcpSheet(system, systemContext(), sheet.id!);
        const label = `${sheet.subject?.display ?? sheet.subject?.reference} — ${content.data.meeting?.rcpName} du ${meetingOf(sheet)}`;
        if (!content.data.author?.speciality?.display) strays.push(`${label}: author without speciality`);
        const request = requests.find((r) => r.supportingInfo?.some((i) => i.reference === `Composition/${sheet.id}`));
        const task = request && (await system.searchAll<Task>('Task', { focus: `ServiceRequest/${request.id}` }))[0];
        if (!task) {
          strays.push(`${label}: no RCP case`);
          continue;
        }
        const { rcpCase } = await loadCase(rc, task.id!);
        const session = rcpCase.outcomeSession ?? rcpCase.sessionId;
        if (content.data.meeting?.board !== `HealthcareService/${rcpCase.boardId}`) strays.push(`${label}: names board ${content.data.meeting?.board}, its case is on HealthcareService/${rcpCase.boardId}`);
        if (content.data.meeting?.session !== `Appointment/${session}`) strays.push(`${label}: names session ${content.data.meeting?.session}, its case Appointment/${session}`);
        if (isSignedRcpSheet(sheet)) {
          if (rcpCase.state !== 'signed') strays.push(`${label}: signed sheet, case ${rcpCase.state}`);
          // Signed, the report carries the session's attendance and quorum (BENALI's, recorded by guideline, printed every participant « Non » and « Quorum Inconnu »).
          const participants = content.data.participants ?? [];
          if (!participants.some((x) => x.inQuorum)) strays.push(`${label}: signed sheet, no participant counted in the quorum`);
          if (!content.data.fileStatus?.quorum || content.data.fileStatus.quorum === 'unknown') strays.push(`${label}: signed sheet, quorum ${content.data.fileStatus?.quorum}`);
          const { session: held } = await loadSession(rc, session!);
          if (held.state !== 'closed' || Date.parse(held.start) >= now.getTime()) strays.push(`${label}: signed sheet, session ${held.state} on ${held.start}`);
        }
      }
      expect(strays).to.deep.equal([]);
      // The three first RCPs of the stories are signed cases of past sessions (the sheet of the first-line decision of each patient).
      for (const patient of [castellani, (await system.searchAll<Condition>('Condition', { code: 'http://hl7.org/fhir/sid/icd-10|C20' }))[0]!.subject!.reference!, (await system.searchAll<Condition>('Condition', { code: 'http://hl7.org/fhir/sid/icd-10|C34.1' }))[0]!.subject!.reference!]) {
        const first = sheets.filter((c) => c.subject?.reference === patient).sort((a, b) => Date.parse(meetingOf(a)!) - Date.parse(meetingOf(b)!))[0]!;
        expect(isSignedRcpSheet(first), `${patient}: first RCP signed`).to.equal(true);
      }

      // A PPS rests on the decision in force for its tumour (the server refuses a replaced one; the demo built Ménard's from his spring RCP's).
      for (const p of pps) {
        const standing = decisionStandings(await system.patientCompartment(p.subject!.reference!.split('/')[1]!, { limit: 5000 })).find((x) => x.decision === p.basedOn?.[0]?.reference);
        expect(standing?.standing, `PPS ${p.id} of ${p.subject?.reference}: its decision ${p.basedOn?.[0]?.reference}`).to.equal('in-force');
      }
    });
  }
});
