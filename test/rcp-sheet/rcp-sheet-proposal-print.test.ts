import { expect } from 'chai';
import type { CarePlan, Composition, Resource } from '@medplum/fhirtypes';
import { TREATMENT_TYPE, type TreatmentType } from '../../server/rcp-sheet/codes.ts';
import type { RcpSheetInput } from '../../server/rcp-sheet/input.ts';
import { printableSheet, type Block } from '../../server/rcp-sheet/print.ts';
import { buildRcpSheet } from '../../server/rcp-sheet/rcp-sheet.ts';
import { readRcpSheet, resolverOf } from '../../server/rcp-sheet/read.ts';
import { describeProposal } from '../../server/summary/clinical.ts';
import type { RunningServer } from '../helpers/harness.ts';
import { as, createCareCase, startCarePlanServer } from '../care-plan/fixtures.ts';
import { colonCancerSheet, type World } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

/** colonCancerSheet only reads names and identifiers from the world: no server is needed to build. */
const pro = (name: string) => ({ id: `p-${name}`, idnps: '810000000009', name: `Dr ${name}` });
const world = {
  pros: Object.fromEntries(['oncologist', 'coordinator', 'gastroenterologist', 'gp', 'surgeon', 'radiotherapist'].map((k) => [k, pro(k)])),
  finess: '130000029', organizationId: 'org-1', patientId: 'pat-1',
} as unknown as World;

type Proposal = NonNullable<RcpSheetInput['proposal']>;

/** The sheet built with this proposal, read back as the printed report reads it. */
function built(proposal: Proposal) {
  const input = { ...colonCancerSheet(world), proposal };
  const bundle = buildRcpSheet(input);
  const resources = bundle.entry!.map((e) => ({ fullUrl: e.fullUrl, resource: e.resource as Resource }));
  const composition = resources.at(-1)!.resource as Composition;
  const decision = resources.find((e) => e.resource.resourceType === 'CarePlan')!.resource as CarePlan;
  const content = readRcpSheet(composition, resolverOf(resources));
  const section = printableSheet(content).sections.find((s) => s.key === 'proposal')!;
  const text = section.blocks.map(blockText).join('\n');
  const narrative = composition.section!.find((s) => s.code?.coding?.[0]?.code === '18776-5')!.text!.div;
  return { content, decision, composition, text, narrative };
}

function blockText(b: Block): string {
  if (b.kind === 'fields') return b.rows.map(([k, v]) => `${k} : ${v}`).join('\n');
  if (b.kind === 'table') return [b.head.join(' | '), ...b.rows.map((r) => r.join(' | '))].join('\n');
  return `${b.label ? `${b.label} : ` : ''}${b.text}`;
}

/**
 * Issue 11, item 4: a printed medical document never says the opposite of the decision. "Surveillance
 * seule" is derived from the proposals — printed only when no treatment is proposed first — on the
 * RCP report, the GP's summary and the patient's PPS; each proposal type prints what it is.
 */
describe('Printed proposals: each proposal type says what was decided', () => {
  it('each treatment type prints its French label as the first intention, and never "Surveillance seule"', () => {
    for (const type of Object.keys(TREATMENT_TYPE) as TreatmentType[]) {
      const { text, narrative } = built({ treatments: [{ intention: 1, sequence: 1, type, detail: 'Précision du traitement' }] });
      expect(text, type).to.contain(`1 (première intention) | 1 | ${TREATMENT_TYPE[type].display} | Précision du traitement`);
      expect(text, type).not.to.contain('Surveillance seule');
      expect(narrative, type).to.contain(TREATMENT_TYPE[type].display!.replace(/'/g, '&#39;'));
    }
  });

  it('sunitinib and surgery with a surveillance after them: "Surveillance après le traitement", never "Surveillance seule"; the decision is not coded MED-226', () => {
    const { text, narrative, decision, content } = built({
      treatments: [
        { intention: 1, sequence: 1, type: 'targeted-therapy', detail: 'Sunitinib 50 mg/j, 4 semaines sur 6' },
        { intention: 1, sequence: 2, type: 'surgery', detail: 'Néphrectomie élargie' },
      ],
      surveillance: { description: 'Scanner thoraco-abdominal tous les 3 mois' },
    });
    expect(text).to.contain('Surveillance après le traitement : Scanner thoraco-abdominal tous les 3 mois');
    expect(text).not.to.contain('Surveillance seule');
    expect(narrative).not.to.contain('Surveillance seule');
    expect(JSON.stringify(decision)).not.to.contain('MED-226');
    // Read back, it is still the surveillance of the proposal (not an extra exam).
    expect(content.data.proposal?.surveillance).to.deep.equal({ description: 'Scanner thoraco-abdominal tous les 3 mois' });
    expect(content.data.proposal?.exams).to.equal(undefined);
  });

  it('surveillance with no treatment proposed first is "Surveillance seule : Oui" (an alternative treatment does not change that)', () => {
    const { text, decision } = built({
      surveillance: { description: 'Échographie rénale à 6 mois' },
      treatments: [{ intention: 2, sequence: 1, type: 'surgery', detail: 'Néphrectomie partielle si croissance' }],
    });
    expect(text).to.contain('Surveillance seule : Oui — Échographie rénale à 6 mois');
    expect(text).to.contain('2 (alternative) | 1 | Chirurgie');
    expect(JSON.stringify(decision)).to.contain('MED-226');
  });

  it('exams and a referral to a recours RCP print as such', () => {
    const { text } = built({
      exams: [{ description: 'IRM hépatique', earliest: '2025-10-06', latest: '2025-10-17' }],
      recoursReferral: { description: 'RCP de recours des tumeurs rares' },
    });
    expect(text).to.contain('IRM hépatique | 06/10/2025 | 17/10/2025');
    expect(text).to.contain('Passage en RCP de recours : Oui — RCP de recours des tumeurs rares');
    expect(text).not.to.contain('Surveillance');
  });

  it("the GP's summary of the proposal derives it the same way", () => {
    // As stored: the sheet points at the decision by its id.
    const stored = (b: ReturnType<typeof built>) => {
      const decision = { ...b.decision, id: 'decision-1' };
      const sheet = structuredClone(b.composition);
      sheet.section!.find((s) => s.code?.coding?.[0]?.code === '18776-5')!.entry = [{ reference: 'CarePlan/decision-1' }];
      return { sheet, decision } as never;
    };
    const after = built({ treatments: [{ intention: 1, sequence: 1, type: 'targeted-therapy', detail: 'Sunitinib' }], surveillance: { description: 'Scanner à 3 mois' } });
    const summary = describeProposal(stored(after));
    expect(summary.choices).to.deep.equal(['Proposition retenue (1er choix) : Thérapie ciblée : Sunitinib']);
    expect(summary.other).to.deep.equal(['Surveillance après le traitement : Scanner à 3 mois']);
    const alone = built({ surveillance: { description: 'Scanner à 3 mois' } });
    expect(describeProposal(stored(alone)).other).to.deep.equal(['Surveillance seule : Scanner à 3 mois']);
  });

  describe("the patient's PPS", () => {
    let server: RunningServer;
    const users = testUsers();
    before(async () => {
      server = await startCarePlanServer(users);
    });
    after(() => server.close());

    it('a decision recorded with "Surveillance seule" next to its treatments (before this fix) prints a surveillance after the treatment', async () => {
      const c = await createCareCase(server, users);
      const decision = (await as(server, 'system', 'GET', `/CarePlan/${c.decisionId}`)).body as CarePlan;
      decision.activity!.push({
        extension: [
          { url: 'https://dcc-paca.example/fhir/StructureDefinition/dcc-proposal-rank', valuePositiveInt: 1 },
          { url: 'https://dcc-paca.example/fhir/StructureDefinition/dcc-proposal-sequence', valuePositiveInt: 3 },
        ],
        detail: { code: { coding: [{ system: 'urn:oid:1.2.250.1.213.1.1.4.322', code: 'MED-226', display: 'Surveillance seule' }] }, status: 'not-started', description: 'Scanner tous les 3 mois' },
      });
      expect((await as(server, 'system', 'PUT', `/CarePlan/${c.decisionId}`, decision)).status).to.equal(200);
      const pps = await as(server, 'oncologist', 'POST', `/CarePlan/${c.decisionId}/$build-pps`, {});
      expect(pps.status, JSON.stringify(pps.body)).to.equal(201);
      const html = (await as(server, 'oncologist', 'GET', `/CarePlan/${pps.body.id}/$render?format=html`)).text;
      expect(html).to.contain('Surveillance après le traitement : Scanner tous les 3 mois');
      expect(html).not.to.contain('Surveillance seule');
    });
  });
});
