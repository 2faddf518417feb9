import { expect } from 'chai';
import type { Composition, Patient, Resource } from '@medplum/fhirtypes';
import { dccOidRoot } from '../../server/cda/codes.ts';
import { buildFrcpCda, documentIdsOf } from '../../server/cda/frcp.ts';
import { validateWithKit } from '../../server/cda/validation/kit.ts';
import { IDNPS_SYSTEM } from '../../server/identity/index.ts';
import { printableSheet } from '../../server/rcp-sheet/print.ts';
import { buildRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { readRcpSheet, resolverOf } from '../../server/rcp-sheet/read.ts';
import { colonCancerSheet, type World } from '../rcp-sheet/fixtures.ts';

/** colonCancerSheet only reads names and identifiers from the world: no server is needed to build. */
const pro = (name: string, idnps: string) => ({ id: `p-${name}`, idnps, name: `Dr ${name}` });
const world = {
  pros: {
    oncologist: { ...pro('Sophie Lambert', '810009990028'), speciality: { code: 'SM36', display: 'Oncologie, option médicale (SM)' } },
    surgeon: { ...pro('Marc Aubert', '810009990010'), speciality: { code: 'SM09', display: 'Chirurgie viscérale et digestive (SM)' } },
    coordinator: pro('Nathalie Girard', '810009990051'), gastroenterologist: pro('Claire Fabre', '810009990044'),
    gp: pro('Laurent Chabert', '810009990077'), radiotherapist: pro('Julien Rossi', '810009990036'),
  },
  finess: '130000029', organizationId: 'org-1', patientId: 'pat-1',
} as unknown as World;

/** The sheet written by Dr Lambert (the chair, its author) and signed by Dr Aubert (a member). */
function signedByAnotherMember() {
  const input = colonCancerSheet(world);
  // Registered through the workflow: the DCC's session beside the national session id.
  input.meeting.session = 'Appointment/09a32041-f4e1-4fd5-a7b4-905fcac3a5be';
  // Approved, as the signature makes it (sign.ts).
  input.documentStatus = 'approved';
  const bundle = buildRcpSheet(input);
  const resources = bundle.entry!.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource as Resource }));
  const draft = resources.at(-1)!.resource as Composition;
  const composition: Composition = {
    ...draft, id: 'sheet-1', meta: { versionId: '2' }, status: 'final', date: '2025-10-02T16:10:00Z',
    attester: [{ mode: 'legal', time: '2025-10-02T16:10:00Z', party: { reference: 'Practitioner/p-Marc Aubert', identifier: { system: IDNPS_SYSTEM, value: '810009990010' }, display: 'Dr Marc Aubert' } }],
  };
  return readRcpSheet(composition, resolverOf(resources));
}

const patient: Patient = { resourceType: 'Patient', id: 'pat-1', name: [{ family: 'DUPONT', given: ['Jeanne'] }], gender: 'female', birthDate: '1958-03-14' };

/**
 * QA: the report named Dr Lambert « (auteur) » and Dr Aubert as signer, the mail called Dr Aubert
 * « Auteur », and the CDA gave the author as legal authenticator. Every output of the signed sheet
 * names the same two people in the same two roles.
 */
describe('FRCP CDA and printed report say the same: the sheet\'s author, its signer (legal authenticator), its session', () => {
  const content = signedByAnotherMember();
  const cda = () => buildFrcpCda(content, {
    ids: documentIdsOf('frcp', 'sheet-1', '2'), identity: { local: { root: '1.2.3', extension: 'pat-1' } }, patient, custodian: { id: '130000029', name: 'DCC' },
  });

  it('the CDA header: author Dr Lambert, legalAuthenticator Dr Aubert (his IDNPS and speciality from the sheet)', () => {
    const xml = cda();
    const author = /<author>[\s\S]*?<\/author>/.exec(xml)?.[0] ?? '';
    const legal = /<legalAuthenticator>[\s\S]*?<\/legalAuthenticator>/.exec(xml)?.[0] ?? '';
    expect(author).to.contain('<family>Lambert</family>').and.to.contain('extension="810009990028"');
    expect(legal).to.contain('<family>Aubert</family>').and.to.contain('extension="810009990010"').and.to.contain('G15_10/SM09');
    expect(legal).to.contain('<time value="20251002161000').and.not.to.contain('Lambert');
  });

  it('the printed report: Dr Lambert in the « (auteur) » row, Dr Aubert in the signature', () => {
    const sheet = printableSheet(content);
    const professionals = sheet.header.find((s) => s.title === 'Professionnels')!.blocks[0]!;
    expect(professionals.kind === 'table' && professionals.rows[0]!.slice(0, 2)).to.deep.equal(['Médecin coordonnateur (auteur)', 'Dr Sophie Lambert']);
    expect(sheet.signature).to.match(/^Document signé électroniquement par Dr Marc Aubert le /);
  });

  it('the CDA names the session as the printed report does (national id, and the DCC\'s as a local id of the RCP) and passes the ANS kit', async function () {
    this.timeout(10 * 60_000);
    const xml = cda();
    const encounter = /<encompassingEncounter>[\s\S]*?<\/encompassingEncounter>/.exec(xml)?.[0] ?? '';
    expect(encounter).to.contain('<id root="1.2.250.1.213.1.1.9" extension="2025-10-02-DIG"/>');
    expect(encounter).to.contain(`<id root="${dccOidRoot()}.7" extension="09a32041-f4e1-4fd5-a7b4-905fcac3a5be"/>`);
    const report = await validateWithKit(xml, 'FRCP');
    expect(report.errors, JSON.stringify(report.errors.slice(0, 10), null, 1)).to.deep.equal([]);
  });
});
