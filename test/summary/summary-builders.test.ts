import { expect } from 'chai';
import type { CarePlan, MedicationRequest } from '@medplum/fhirtypes';
import { CATEGORY } from '../../server/care-plan/codes.ts';
import { buildOralMedicationRequest, oralTreatmentPeriod } from '../../server/care-plan/oral-treatment.ts';
import { startPpac } from '../../server/care-plan/ppac.ts';
import type { Principal } from '../../server/context.ts';
import { FhirError } from '../../server/fhir-kit/errors.ts';
import { validateForWrite } from '../../server/fhir/write-validation.ts';
import {
  buildSummary, forAudience, oralTreatmentLine, printableSummary, renderSummaryHtml, resolveAudience, summaryDocument, surveillanceSchedule,
} from '../../server/summary/index.ts';
import { parisDay } from '../../server/fhir-kit/french-dates.ts';

const who = (roles: string[]): Principal => ({ displayName: roles.join(','), practitionerId: 'p1', roles, authMethod: 'cps' });
const status = (fn: () => unknown) => {
  try {
    fn();
  } catch (error) {
    return (error as FhirError).status;
  }
  return 200;
};

function pps(): CarePlan {
  return {
    resourceType: 'CarePlan', id: 'pps1', status: 'active', intent: 'plan',
    category: [{ coding: [CATEGORY.pps] }],
    subject: { reference: 'Patient/pat1' },
    author: { reference: 'Practitioner/onco' },
    addresses: [{ reference: 'Condition/c1', display: 'Adénocarcinome du côlon sigmoïde' }],
    basedOn: [{ reference: 'CarePlan/decision1', display: 'Proposition de la RCP digestive' }],
    period: { start: '2026-01-05' },
  };
}

function capecitabine(id = 'mr1', start = '2026-03-30'): MedicationRequest {
  return buildOralMedicationRequest(
    { medication: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L01BC06', display: 'capecitabine' }], text: 'Capécitabine 500 mg, comprimé' }, dose: { value: 1500, unit: 'mg' }, timesPerDay: 2, cycle: { daysOn: 14, daysOff: 7, count: 8 }, start },
    { id, subject: { reference: 'Patient/pat1' }, decision: { reference: 'CarePlan/decision1' }, reasons: [{ reference: 'Condition/c1' }], prescriber: { reference: 'Practitioner/onco', display: 'Dr Sophie Lambert' }, authoredOn: '2026-02-10' },
  );
}

describe('Summaries: the pure builders', () => {
  it('audience: each city profession its own summary, hospital physicians any, the 3C and the administrator none', () => {
    expect(resolveAudience(who(['gp']), undefined)).to.equal('gp');
    expect(resolveAudience(who(['nurse']), undefined)).to.equal('nurse');
    expect(resolveAudience(who(['pharmacist']), 'pharmacist')).to.equal('pharmacist');
    expect(resolveAudience(who(['physician']), undefined)).to.equal('gp');
    expect(resolveAudience(who(['physician']), 'nurse')).to.equal('nurse');
    expect(status(() => resolveAudience(who(['gp']), 'nurse'))).to.equal(403);
    expect(status(() => resolveAudience(who(['pharmacist']), 'gp'))).to.equal(403);
    expect(status(() => resolveAudience(who(['coordinator']), undefined))).to.equal(403);
    expect(status(() => resolveAudience(who(['admin']), 'gp'))).to.equal(403);
    expect(status(() => resolveAudience(who(['gp']), 'patient'))).to.equal(400);
  });

  it('surveillance calendar: done, overdue (due date passed, nothing recorded), cancelled never overdue, the next one marked — judged on the given day', () => {
    const { ppac } = startPpac(pps(), { endOfTreatment: '2026-03-31', surveillance: { intervalMonths: 6, years: 2, first: 'gp', exams: [{ display: 'Scanner thoraco-abdomino-pelvien', everyMonths: 12 }] } }, { now: '2026-03-31T10:00:00Z', newId: () => 'ppac1' });
    ppac.activity![0]!.detail!.status = 'completed';
    ppac.activity![2]!.detail!.status = 'cancelled';
    const items = surveillanceSchedule(ppac, '2027-10-15');
    const visits = items.filter((i) => i.kind === 'visit');
    expect(visits.map((v) => [v.number, v.due, v.by, v.state])).to.deep.equal([
      [1, '2026-09-30', 'gp', 'done'],
      [2, '2027-03-31', 'hospital', 'overdue'],
      [3, '2027-09-30', 'gp', 'cancelled'],
      [4, '2028-03-31', 'hospital', 'upcoming'],
    ]);
    expect(visits[1]!.exams).to.deep.equal(['Scanner thoraco-abdomino-pelvien']);
    expect(visits[3]!.next).to.equal(true);
    // The needs evaluation is due within the year after the end of treatment: overdue too.
    const evaluation = items.find((i) => i.kind === 'needs-evaluation')!;
    expect(evaluation).to.include({ due: '2027-03-31', state: 'overdue' });
    // The same calendar the day before the second visit: nothing overdue.
    expect(surveillanceSchedule(ppac, '2027-03-30').filter((i) => i.state === 'overdue')).to.have.length(0);
    // A visit with an outcome recorded counts as done.
    ppac.activity![1]!.outcomeReference = [{ reference: 'Encounter/e1' }];
    expect(surveillanceSchedule(ppac, '2027-10-15').find((i) => i.number === 2)!.state).to.equal('done');
  });

  it('"today" is the calendar day in France', () => {
    expect(parisDay(new Date('2026-12-31T23:30:00Z'))).to.equal('2027-01-01');
    expect(parisDay(new Date('2026-07-01T21:59:00Z'))).to.equal('2026-07-01');
  });

  it('a PPAC started at 00:30 in Paris without its end-of-treatment date ends the active treatments that Paris day', () => {
    const { ppac } = startPpac(pps(), { surveillance: { intervalMonths: 6, years: 2, first: 'gp' } }, { now: '2026-12-07T23:30:00.000Z', newId: () => 'ppac1' });
    expect(ppac.period?.start).to.equal('2026-12-08');
  });

  it('oral treatment: planned, started, suspended or stopped with its reason; dose, intakes, cycle and its dates; what to check at dispensing', () => {
    const mr = capecitabine();
    const planned = oralTreatmentLine(mr, '2026-03-01');
    expect(planned).to.include({ state: 'planned', stateLabel: 'prescrit, début prévu le 30 mars 2026', dose: '1\u202f500 mg par prise', schedule: '2 prises par jour (matin et soir)', start: '2026-03-30', end: '2026-09-06' });
    expect(planned.cycle).to.equal("14 jours de prise puis 7 jours d'arrêt (cycles de 21 jours), 8 cycles prévus");
    expect(planned.cycleDates[0]).to.equal('cycle 1 : du 30 mars 2026 au 12 avril 2026');
    expect(planned.codes).to.deep.equal(['ATC L01BC06']);
    expect(planned.dispensing.join(' ')).to.contain('uracilémie').and.contain('brivudine');
    expect(oralTreatmentLine(mr, '2026-04-10')).to.include({ state: 'started', stateLabel: 'en cours depuis le 30 mars 2026' });
    expect(oralTreatmentLine({ ...mr, status: 'on-hold', statusReason: { text: 'Neutropénie de grade 3' } }, '2026-04-10')).to.include({ state: 'suspended', stateLabel: 'suspendu — motif : Neutropénie de grade 3' });
    expect(oralTreatmentLine({ ...mr, status: 'stopped', statusReason: { coding: [{ code: 'x', display: 'Progression' }] } }, '2026-04-10')).to.include({ state: 'stopped', stateLabel: 'arrêté — motif : Progression' });
  });

  it('oral treatment line of the nurse’s and the pharmacist’s summaries: « en continu » for a cycle without a break, the printed PPS’s dates', () => {
    const continuous = buildOralMedicationRequest(
      { medication: { text: 'Olaparib 150 mg, comprimé' }, dose: { value: 300, unit: 'mg' }, timesPerDay: 2, cycle: { daysOn: 28, daysOff: 0, count: 6 }, start: '2026-03-30' },
      { id: 'mr2', subject: { reference: 'Patient/pat1' }, decision: { reference: 'CarePlan/decision1' }, prescriber: { reference: 'Practitioner/onco' }, authoredOn: '2026-02-10' },
    );
    expect(oralTreatmentLine(continuous, '2026-04-10').cycle).to.equal('en continu (cycles de 28 jours), 6 cycles prévus');
    // The programme rows of the same summary date a treatment by oralTreatmentPeriod: the line did
    // by the earliest and latest dates, so a last line inside the course gave two periods.
    const reduced = structuredClone(continuous);
    const [first, second] = reduced.dosageInstruction!;
    first!.timing!.repeat!.boundsPeriod = { start: '2026-03-30', end: '2026-12-31' };
    second!.timing!.repeat!.boundsPeriod = { start: '2026-02-01', end: '2026-06-30' };
    const period = oralTreatmentPeriod(reduced)!;
    expect(oralTreatmentLine(reduced, '2026-04-10')).to.include({ start: period.start, end: period.end });
    expect(oralTreatmentLine(capecitabine(), '2026-04-10')).to.include(oralTreatmentPeriod(capecitabine()));
  });

  it('for the nurse and the pharmacist, resources leave without the diagnosis text and RCP links’ displays (bare references kept for the profiles)', () => {
    const trimmed = forAudience(pps(), 'nurse');
    expect(trimmed.addresses).to.deep.equal([{ reference: 'Condition/c1' }]);
    expect(trimmed.basedOn).to.deep.equal([{ reference: 'CarePlan/decision1' }]);
    expect(JSON.stringify(forAudience({ ...capecitabine(), reasonCode: [{ text: 'Cancer du côlon' }] }, 'pharmacist'))).not.to.contain('côlon');
    expect(forAudience(pps(), 'gp').addresses![0]!.display).to.equal('Adénocarcinome du côlon sigmoïde');
  });

  it('the pharmacist document from sources alone: a valid FHIR document, every referenced resource inside, French page', () => {
    const mr = capecitabine();
    const summary = buildSummary('pharmacist', {
      patient: { resourceType: 'Patient', id: 'pat1', name: [{ use: 'official', family: 'Castellani', given: ['Hélène'] }], birthDate: '1958-03-14', gender: 'female', managingOrganization: { reference: 'Organization/chu' } },
      medicationRequests: [mr],
      careTeams: [{ resourceType: 'CareTeam', id: 'ct1', status: 'active', subject: { reference: 'Patient/pat1' }, participant: [{ role: [{ text: 'Oncologue référente' }], member: { reference: 'Practitioner/onco' } }] }],
      directory: new Map<string, any>([
        ['Practitioner/onco', { resourceType: 'Practitioner', id: 'onco', name: [{ family: 'Lambert', given: ['Sophie'], prefix: ['Dr'] }], telecom: [{ system: 'phone', value: '04 65 71 10 10' }] }],
        ['Organization/chu', { resourceType: 'Organization', id: 'chu', name: 'CHU Méditerranée', telecom: [{ system: 'phone', value: '04 65 71 10 00' }], contact: [{ purpose: { text: 'Urgences et complications' }, telecom: [{ system: 'phone', value: '04 65 71 19 99' }] }] }],
      ]),
    }, { now: new Date('2026-04-10T08:00:00Z') });
    expect(summary.documents).to.deep.equal(['MedicationRequest/mr1']);
    const bundle = summaryDocument(summary, { baseUrl: 'https://dcc.example/fhir', compositionId: 'c1', documentId: 'd1' });
    expect(() => validateForWrite(bundle)).not.to.throw();
    expect(bundle.entry!.map((e) => e.fullUrl)).to.deep.equal([
      'urn:uuid:c1', 'https://dcc.example/fhir/Patient/pat1', 'https://dcc.example/fhir/Organization/chu', 'https://dcc.example/fhir/MedicationRequest/mr1', 'https://dcc.example/fhir/CareTeam/ct1',
    ]);
    const composition = bundle.entry![0]!.resource as any;
    expect(composition.author[0].reference).to.equal('https://dcc.example/fhir/Organization/chu');
    expect(composition.section[1].text.div).to.contain('Urgences et complications — CHU Méditerranée').and.contain('04 65 71 19 99');
    const html = renderSummaryHtml(printableSummary(summary));
    expect(html).to.contain('<html lang="fr">').and.contain("Synthèse pour le pharmacien d&#39;officine").and.contain('CASTELLANI').and.contain('en cours depuis le 30 mars 2026');
  });
});
