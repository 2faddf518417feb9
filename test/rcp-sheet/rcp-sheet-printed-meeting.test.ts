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
