import { expect } from 'chai';
import type { Composition, Resource } from '@medplum/fhirtypes';
import { printableSheet, type Block, type PrintableSheet } from '../../server/rcp-sheet/print.ts';
import { buildRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { readRcpSheet, resolverOf, type RcpSheetContent } from '../../server/rcp-sheet/read.ts';
import { renderRcpSheetHtml } from '../../server/rcp-sheet/render.ts';
import { colonCancerSheet, type World } from './fixtures.ts';

/** Professionals as the directory names their specialities: the R38 label with its « (SM) » suffix. */
const pro = (id: string, speciality: [string, string]) => ({ id, idnps: `8100099900${id.length}`, name: `Dr ${id}`, speciality: { code: speciality[0], display: speciality[1] } });
const world = {
  pros: {
    oncologist: pro('Lambert', ['SM36', 'Oncologie, option médicale (SM)']),
    surgeon: pro('Aubert', ['SM09', 'Chirurgie viscérale et digestive (SM)']),
    radiotherapist: pro('Rossi', ['SM37', 'Oncologie, option radiothérapie (SM)']),
    gastroenterologist: pro('Fabre', ['SM24', 'Gastro-entérologie et Hépatologie (SM)']),
    coordinator: pro('Girard', ['SM36', 'Oncologie, option médicale (SM)']),
    gp: pro('Chabert', ['SM54', 'Médecine générale (SM)']),
  },
  finess: '130999014', organizationId: 'chu', patientId: 'p',
} as unknown as World;

function printed(change: (input: ReturnType<typeof colonCancerSheet>) => void = () => {}): { sheet: PrintableSheet; html: string; content: RcpSheetContent } {
  const input = colonCancerSheet(world);
  change(input);
  const resources = buildRcpSheet(input).entry!.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource as Resource }));
  const content = readRcpSheet(resources.at(-1)!.resource as Composition, resolverOf(resources));
  return { sheet: printableSheet(content), html: renderRcpSheetHtml(content), content };
}

const rowsOf = (sheet: PrintableSheet, title: string): string[][] =>
  sheet.header.find((s) => s.title === title)!.blocks.flatMap((b: Block) => (b.kind === 'fields' ? b.rows : b.kind === 'table' ? b.rows : []));

/**
 * QA: the signed report of a case registered through the workflow printed « Identifiants RRC / 3C /
 * RCP / séance : … / — »: nothing told the 3C which session it came from. The sheet records the
 * session (the DCC's Appointment, and the national identifier when there is one) and the case's
 * number on its agenda; the report prints them.
 */
describe('Printed RCP report: which meeting, which session, which case', () => {
  it('a sheet from the workflow (a DCC session, no national session id): the session\'s DCC identifier and the case\'s number', () => {
    const { sheet, html } = printed((s) => {
      delete s.meeting.sessionId;
      s.meeting.session = 'Appointment/09a32041-f4e1-4fd5-a7b4-905fcac3a5be';
      s.meeting.board = 'HealthcareService/hs-dig';
    });
    const meeting = Object.fromEntries(rowsOf(sheet, 'Réunion de concertation pluridisciplinaire'));
    expect(meeting).to.deep.include({
      RCP: 'RCP digestive — 3C du CHU Méditerranée',
      'Date de la réunion': '02/10/2025 à 14 h 00',
      'Identifiant de la séance': '09a32041-f4e1-4fd5-a7b4-905fcac3a5be (DCC)',
      "N° d'inscription dans la séance": '7',
      'Identifiants RRC / 3C / RCP': '9301 / 930114 / 27011113',
    });
    expect(sheet.subtitle).to.equal('RCP digestive — 3C du CHU Méditerranée — réunion du 02/10/2025 — dossier n° 7');
    expect(html).to.contain('09a32041-f4e1-4fd5-a7b4-905fcac3a5be (DCC)').and.not.to.contain('/ —');
  });

  it('a sheet with the national session identifier prints it, beside the DCC\'s when the workflow gave one', () => {
    expect(Object.fromEntries(rowsOf(printed().sheet, 'Réunion de concertation pluridisciplinaire'))['Identifiant de la séance']).to.equal('2025-10-02-DIG');
    const both = printed((s) => { s.meeting.session = 'Appointment/sess-1'; }).sheet;
    expect(Object.fromEntries(rowsOf(both, 'Réunion de concertation pluridisciplinaire'))['Identifiant de la séance']).to.equal('2025-10-02-DIG — sess-1 (DCC)');
  });

  it('the meeting is dated by its day in Paris (a meeting opened at 23:30 UTC is the next day)', () => {
    const { sheet } = printed((s) => { s.meeting.date = '2025-10-01T23:30:00Z'; });
    expect(sheet.subtitle).to.contain('réunion du 02/10/2025');
    expect(Object.fromEntries(rowsOf(sheet, 'Réunion de concertation pluridisciplinaire'))['Date de la réunion']).to.equal('02/10/2025 à 01 h 30');
  });
});

/** QA: the printed sheet showed « Oncologie, option médicale (SM) » where every page says « Oncologie, option médicale ». */
describe('Printed RCP report: specialities named as the pages name them (server/rcp/speciality-name.ts)', () => {
  it('no « (SM) » suffix in the professionals\' table, for the author, the GP and the participants; the stored codings keep it', () => {
    const { sheet, html, content } = printed();
    expect(content.data.participants?.map((p) => p?.speciality?.display)).to.include('Chirurgie viscérale et digestive (SM)');
    const professionals = rowsOf(sheet, 'Professionnels');
    expect(professionals.map((r) => [r[0], r[2]])).to.deep.include.members([
      ['Médecin coordonnateur (auteur)', 'Oncologie, option médicale'],
      ['Médecin traitant', 'Médecine générale'],
      ['Participant', 'Chirurgie viscérale et digestive'],
      ['Participant', 'Oncologie, option radiothérapie'],
    ]);
    expect(html).not.to.contain('(SM)');
  });
});
