/**
 * What the city professionals read of a programme (QA walkthrough of the demo, December 2026): every
 * activity of the PPS, dated or not; the Paris day of an instant; the PPAC withheld from the GP's
 * summary until handed over with the patient's agreement; the wording of « Qui appeler », the rhythm
 * and the side effects. Pure builders: sources in, summary out.
 */
import { expect } from 'chai';
import type { CarePlan, CarePlanActivity, CareTeam, MedicationRequest, Resource } from '@medplum/fhirtypes';
import { CATEGORY, EXT } from '../../server/care-plan/codes.ts';
import { sectionExtensions, watchItemExtension } from '../../server/care-plan/model.ts';
import { buildOralMedicationRequest } from '../../server/care-plan/oral-treatment.ts';
import { startPpac } from '../../server/care-plan/ppac.ts';
import { describeChange } from '../../server/city/index.ts';
import { dayOf, longDay } from '../../server/fhir-kit/french-dates.ts';
import { buildSummary, oralTreatmentLine, printableSummary, renderSummaryHtml, type Summary, type SummarySources } from '../../server/summary/index.ts';
import type { Block } from '../../server/care-plan/index.ts';

const NOW = new Date('2026-12-08T09:00:00+01:00');
/** Handed over at 00:58 in Paris on 8 December: still the 7th in UTC. */
const LATE_HAND_OVER = '2026-12-07T23:58:10Z';

const capecitabine = (): MedicationRequest => buildOralMedicationRequest(
  {
    medication: { coding: [{ system: 'http://www.whocc.no/atc', code: 'L01BC06', display: 'capecitabine' }], text: 'Capécitabine 500 mg, comprimé pelliculé' },
    dose: { value: 1500, unit: 'mg' }, timesPerDay: 2, cycle: { daysOn: 14, daysOff: 7, count: 8 }, start: '2026-12-15',
    instructions: 'dans les 30 minutes qui suivent le repas', sideEffects: ['syndrome main-pied', 'diarrhée'],
  },
  { id: 'mr1', subject: { reference: 'Patient/pat1' }, decision: { reference: 'CarePlan/decision1' }, prescriber: { reference: 'Practitioner/onco', display: 'Dr Sophie Lambert' }, authoredOn: '2026-12-07' },
);

const activity = (section: Parameters<typeof sectionExtensions>[0], text: string, more: Partial<CarePlanActivity> = {}, description?: string): CarePlanActivity => ({
  extension: [...sectionExtensions(section), ...(more.extension ?? [])],
  detail: { status: 'not-started', code: { text, ...(section === 'treatment' ? { coding: [{ system: 'http://ncicb.nci.nih.gov/xml/owl/EVS/Thesaurus.owl', code: 'C15632', display: 'Chimiothérapie' }] } : {}) }, ...(description ? { description } : {}) },
  ...(more.reference ? { reference: more.reference } : {}),
});

/** Mme Castellani's PPS: CAPOX decided « à préciser », capecitabine at home from 15 December, a precaution and a mouthwash. */
function castellaniPps(over: Partial<CarePlan> = {}): CarePlan {
  return {
    resourceType: 'CarePlan', id: 'pps1', status: 'active', intent: 'plan',
    category: [{ coding: [CATEGORY.pps] }], subject: { reference: 'Patient/pat1' }, author: { reference: 'Practitioner/onco' }, addresses: [{ reference: 'Condition/c1' }],
    extension: [{ url: EXT.handOver, extension: [{ url: 'date', valueDateTime: LATE_HAND_OVER }] }, { url: EXT.shareWithGp, valueBoolean: true }],
    activity: [
      activity('treatment', 'Chimiothérapie', {}, 'Chimiothérapie adjuvante CAPOX (capécitabine-oxaliplatine), 8 cycles de 21 jours'),
      { extension: [...sectionExtensions('treatment'), { url: EXT.atHome, valueBoolean: true }, { url: EXT.treatment, extension: [{ url: 'rhythm', valueString: 'cycles de 21 jours' }, { url: 'sideEffect', valueString: 'syndrome main-pied' }] }], reference: { reference: 'MedicationRequest/mr1' } },
      activity('prevention', 'Bains de bouche au bicarbonate après chaque repas pendant la chimiothérapie'),
      activity('associated-measure', 'Pas de vaccin vivant atténué pendant la chimiothérapie'),
    ],
    ...over,
  };
}

const ligueTeam: CareTeam = {
  resourceType: 'CareTeam', id: 'ct1', status: 'active', subject: { reference: 'Patient/pat1' },
  participant: [{ role: [{ text: "Structure de soutien et d'information" }], member: { display: 'Ligue contre le cancer — Comité des Bouches-du-Rhône — 04 65 71 60 00' } }],
};

function sources(over: Partial<SummarySources> = {}): SummarySources {
  return {
    patient: { resourceType: 'Patient', id: 'pat1', name: [{ use: 'official', family: 'Castellani', given: ['Hélène'] }], birthDate: '1958-03-14', gender: 'female' },
    pps: castellaniPps(), medicationRequests: [capecitabine()], careTeams: [ligueTeam], directory: new Map<string, Resource>(), ...over,
  };
}

const sectionOf = (summary: Summary, key: string) => summary.sections.find((s) => s.key === key);
const textOf = (blocks: Block[] | undefined): string => JSON.stringify(blocks ?? []);
const tableRows = (summary: Summary, key: string): string[][] => (sectionOf(summary, key)?.blocks.find((b) => b.kind === 'table') as { rows: string[][] } | undefined)?.rows ?? [];

describe('Summaries of the city: what the QA walkthrough of the demo found', () => {
  it('nurse: every activity of the PPS is in the care calendar — the undated CAPOX « date à préciser » in day hospital, the precautions included', () => {
    const summary = buildSummary('nurse', sources(), { now: NOW });
    const rows = tableRows(summary, 'care-calendar');
    const row = (text: string) => rows.find((r) => r[1]!.includes(text));
    expect(row('CAPOX'), JSON.stringify(rows)).to.deep.equal(['date à préciser', 'Chimiothérapie : Chimiothérapie adjuvante CAPOX (capécitabine-oxaliplatine), 8 cycles de 21 jours', 'En hôpital de jour', 'à venir']);
    expect(row('Capécitabine')![0]).to.match(/^du 15 décembre 2026 au /);
    expect(row('Pas de vaccin vivant atténué')).to.deep.equal(['pendant le traitement', 'Mesures associées : Pas de vaccin vivant atténué pendant la chimiothérapie', '', 'consigne']);
    expect(row('Bains de bouche')![1]).to.equal('Prévention des effets indésirables : Bains de bouche au bicarbonate après chaque repas pendant la chimiothérapie');
    // Dated first, in order; the undated after them.
    expect(rows[0]![1]).to.contain('Capécitabine');
    // The PDF is built from the same sections.
    expect(renderSummaryHtml(printableSummary(summary))).to.contain('Chimiothérapie adjuvante CAPOX').and.contain('Pas de vaccin vivant atténué');
  });

  it('GP: the PPS table lists the same activities, the precautions and the mouthwash included', () => {
    const summary = buildSummary('gp', sources(), { now: NOW });
    const rows = tableRows(summary, 'pps');
    expect(rows.map((r) => r[1])).to.deep.equal([
      'Chimiothérapie : Chimiothérapie adjuvante CAPOX (capécitabine-oxaliplatine), 8 cycles de 21 jours',
      'Capécitabine 500 mg, comprimé pelliculé',
      'Bains de bouche au bicarbonate après chaque repas pendant la chimiothérapie',
      'Pas de vaccin vivant atténué pendant la chimiothérapie',
    ]);
    expect(rows[0]![3]).to.equal('En hôpital de jour');
  });

  it('pharmacist: the oral treatment is said to be part of a programme the pharmacy does not receive', () => {
    const summary = buildSummary('pharmacist', sources(), { now: NOW });
    expect(textOf(sectionOf(summary, 'oral-treatments')?.blocks)).to.contain("programme de soins décidé en RCP, qui peut associer d'autres traitements donnés à l'hôpital");
  });

  it('an instant is shown as its Paris day: the PPS handed over at 00:58 on 8 December in Paris (23:58 UTC the 7th)', () => {
    expect(dayOf(LATE_HAND_OVER)).to.equal('2026-12-08');
    expect(dayOf('2026-12-07')).to.equal('2026-12-07');
    expect(longDay(LATE_HAND_OVER)).to.equal('8 décembre 2026');
    const gp = buildSummary('gp', sources(), { now: NOW });
    expect(textOf(sectionOf(gp, 'pps')?.blocks)).to.contain('["Remis au patient le","8 décembre 2026"]');
    const pps = castellaniPps();
    expect(describeChange(undefined, pps)!.description).to.equal('PPS remis au patient le 8 décembre 2026');
    expect(describeChange({ ...pps, extension: [] }, pps)!.description).to.equal('PPS remis au patient le 8 décembre 2026');
  });

  it('GP: the PPAC only once handed over to the patient with their agreement to send it — not in preparation, not after a « Non »', () => {
    const { ppac } = startPpac(castellaniPps(), { endOfTreatment: '2026-06-01', surveillance: { intervalMonths: 6, years: 2, first: 'gp' } }, { now: '2026-06-01T10:00:00Z', newId: () => 'ppac1' });
    const gpWith = (plan: CarePlan) => buildSummary('gp', sources({ ppac: plan }), { now: NOW });
    const shows = (summary: Summary) => Boolean(sectionOf(summary, 'ppac-surveillance')) || summary.documents.some((d) => d.startsWith('CarePlan/ppac1'));
    expect(ppac.status).to.equal('draft');
    expect(shows(gpWith(ppac)), 'en préparation').to.equal(false);
    const handOver = { url: EXT.handOver, extension: [{ url: 'date', valueDateTime: '2026-06-02' }] };
    expect(shows(gpWith({ ...ppac, status: 'active', extension: [...ppac.extension!, handOver, { url: EXT.shareWithGp, valueBoolean: false }] })), 'refusé').to.equal(false);
    expect(shows(gpWith({ ...ppac, status: 'active', extension: [...ppac.extension!, handOver] })), 'remis sans choix').to.equal(false);
    expect(shows(gpWith({ ...ppac, status: 'active', extension: [...ppac.extension!, handOver, { url: EXT.shareWithGp, valueBoolean: true }] })), 'remis, accepté').to.equal(true);
    // The nurse reads a handed-over PPAC whatever the GP choice (the store decides what she reads).
    expect(sectionOf(buildSummary('nurse', sources({ ppac }), { now: NOW }), 'care-calendar')!.entries.map((e) => e.id)).to.include('ppac1');
  });

  it('« Qui appeler »: a contact typed with its phone has the phone in its column, not in its name', () => {
    const table = sectionOf(buildSummary('nurse', sources(), { now: NOW }), 'whom-to-call')!.blocks.find((b) => b.kind === 'table') as { rows: string[][] };
    expect(table.rows[0]).to.deep.equal(["Structure de soutien et d'information", 'Ligue contre le cancer — Comité des Bouches-du-Rhône', '04 65 71 60 00', '']);
  });

  it('wording: the rhythm said once, the dose per intake in French digits, one heading for the side effects', () => {
    const nurse = buildSummary('nurse', sources(), { now: NOW });
    const rhythm = tableRows(nurse, 'home-treatments')[0]![2]!;
    expect(rhythm).to.equal("1\u202f500 mg par prise, 2 prises par jour (matin et soir), 14 jours de prise puis 7 jours d'arrêt (cycles de 21 jours), 8 cycles prévus, dans les 30 minutes qui suivent le repas");
    expect(rhythm.match(/cycles de 21 jours/g)).to.have.length(1);
    const watch = textOf(sectionOf(buildSummary('nurse', sources({ pps: castellaniPps({ extension: [...castellaniPps().extension!, watchItemExtension({ kind: 'side-effect', description: 'Fièvre au-delà de 38 °C' })] }) }), { now: NOW }), 'side-effects')?.blocks);
    expect(watch).to.contain('"Effets indésirables :"').and.contain('"Fièvre au-delà de 38 °C"').and.not.contain('Effet indésirable : ');
    const line = oralTreatmentLine(capecitabine(), '2026-12-08');
    expect(line.dose).to.equal('1\u202f500 mg par prise');
    expect(line.sideEffects).to.deep.equal(['syndrome main-pied', 'diarrhée']);
    expect(line.instructions).to.deep.equal(['dans les 30 minutes qui suivent le repas']);
  });

  it('the feed: the dose per intake and the number of intakes, not « 1500 mg, 2 prises par jour » beside « 1500 mg par prise »', () => {
    const first = capecitabine();
    expect(describeChange(undefined, first)!.description).to.match(/^Capécitabine 500 mg, comprimé pelliculé : 1\u202f500 mg par prise, 2 prises par jour, cycles 14 j sur 21, 8 cycles, /);
    const lower = structuredClone(first);
    for (const d of lower.dosageInstruction!) d.doseAndRate![0]!.doseQuantity!.value = 1250;
    expect(describeChange(first, lower)!.description).to.contain('dose par prise : 1\u202f500 mg → 1\u202f250 mg');
  });
});
