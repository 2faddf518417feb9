import { expect } from 'chai';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirError } from '../../server/fhir-kit/errors.ts';
import { parseRcpSheetInput } from '../../server/rcp-sheet/input.ts';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

type Json = Record<string, any>;

function issuesOf(input: unknown): OperationOutcomeIssue[] {
  try {
    parseRcpSheetInput(input);
  } catch (error) {
    if (error instanceof FhirError) return error.outcome.issue ?? [];
    throw error;
  }
  return [];
}

const sheet = (patch: Json): Json => ({
  patient: 'Patient/p1',
  author: { name: 'Dr Sophie Lambert' },
  meeting: { rcpName: 'RCP digestive', date: '2026-03-10T14:00:00+01:00' },
  ...patch,
});

/**
 * The sheet page shows the server's sentences as they come: each names the item as the form's
 * label does, never by its JSON path (the path stays in issue.expression for programs).
 */
describe('RCP sheet: refusals name the items in French', () => {
  it('a TNM without its UICC edition and a WHO date without the score', () => {
    const issues = issuesOf(sheet({
      diagnosis: { date: '2026-01-05', topography: { code: 'C18.7', display: 'Côlon sigmoïde' }, morphology: { code: '8140/3', display: 'Adénocarcinome' }, tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB' } },
      performanceStatus: { date: '2026-03-01' },
    }));
    expect(issues.map((i) => [i.expression, i.details?.text])).to.deep.equal([
      [['diagnosis.tnm.edition'], 'Édition de la classification UICC : obligatoire (7, 8 ou 9)'],
      [['performanceStatus.who'], 'Score OMS : obligatoire'],
    ]);
  });

  it('a list row is named as the form numbers it; coded parts by their item', () => {
    const issues = issuesOf(sheet({
      examResults: [{ exam: 'Scanner TAP', result: 'RAS' }, { exam: 'IRM hépatique' }],
      diagnosis: { date: '2026-01-05', topography: { code: 'K57.3', display: 'Diverticulose' }, morphology: { code: '8140/3', display: 'Adénocarcinome' } },
      phase: { date: '2026-02-01' },
      treatmentsSoFar: [{ description: 'Colectomie' }],
    }));
    const text = (path: string) => issues.find((i) => i.expression?.[0] === path)?.details?.text;
    expect(text('examResults[1].result')).to.equal('Résultat (examen 2) : obligatoire');
    expect(text('diagnosis.topography.code')).to.match(/^Topographie \(CIM-10\) : code CIM-10/);
    expect(text('phase.phase')).to.equal('Phase : obligatoire (Phase initiale ou Rechute du cancer)');
    expect(text('treatmentsSoFar[0].status')).to.equal('Statut (traitement 1) : obligatoire (Terminé, En cours ou Non réalisé)');
  });

  it('a date the API cannot read: the page shows the text, without the FHIR patterns (kept in diagnostics)', () => {
    const issues = issuesOf(sheet({ history: [{ date: '03/2019', text: 'Appendicectomie' }], comorbidities: [{ date: 'hier', text: 'HTA' }] }));
    expect(issues.map((i) => [i.expression, i.details?.text])).to.deep.equal([
      [['history[0].date'], 'Date (antécédent 1) : date non reconnue « 03/2019 » : jour, mois ou année attendu'],
      [['comorbidities[0].date'], 'Date (comorbidité 1) : date non reconnue « hier » : jour, mois ou année attendu'],
    ]);
    expect(issues[0]!.diagnostics).to.equal('FHIR date attendue : AAAA-MM-JJ, AAAA-MM ou AAAA');
    const meeting = issuesOf(sheet({ meeting: { rcpName: 'RCP digestive', date: 'mardi' } }));
    expect(meeting.map((i) => i.details?.text).join(' ')).not.to.match(/AAAA|hh:mm/);
    expect(meeting[0]!.diagnostics).to.contain('AAAA-MM-JJThh:mm:ss');
  });

  it('no message of a thoroughly malformed sheet starts with a JSON path', () => {
    const issues = issuesOf(sheet({
      author: { name: '', idnps: 'x' }, requester: {}, generalPractitioner: { unknown: false },
      participants: [{ name: 'Dr X' }],
      meeting: { rcpName: '', date: 'mardi', mode: 'phone', hostEstablishment: { finess: '1' } },
      reason: { motifs: [] }, discovery: {}, diagnosis: { tnm: {}, otherStaging: {} },
      history: [{}], comorbidities: [{ date: 'hier' }], performanceStatus: { who: 7 }, geriatricScreening: {}, pain: {},
      examResults: [{}], phase: { progression: {} }, treatmentsSoFar: [{}], otherReports: [{}],
      summary: '', fileStatus: {}, proposal: { treatments: [{}], exams: [{}] }, basis: { guideline: {}, clinicalTrial: { study: { identifier: {} } } },
      documentStatus: 'x',
    }));
    expect(issues.length).to.be.greaterThan(40);
    const raw = issues.map((i) => i.details!.text!).filter((t) => /^[a-zA-Z]+(\.|\[|\s:)/.test(t) && !/^[A-ZÉ]/.test(t));
    expect(raw, raw.join('\n')).to.deep.equal([]);
  });

  describe('over HTTP', () => {
    let world: World;
    before(async () => {
      world = await startWorld();
    });
    after(() => world.close());

    it('PATCH of the page with an incomplete TNM: 400, French text, the path in expression, nothing saved', async () => {
      const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const res = await world.as('oncologist', 'PATCH', `/Composition/${created.body.id}/$rcp-sheet`, {
        diagnosis: { ...colonCancerSheet(world).diagnosis, tnm: { t: 'cT3', n: 'cN1', m: 'cM0', stage: 'IIIB' } },
      });
      expect(res.status, res.text).to.equal(400);
      expect(res.body.issue.map((i: Json) => [i.expression[0], i.details.text])).to.deep.equal([
        ['diagnosis.tnm.edition', 'Édition de la classification UICC : obligatoire (7, 8 ou 9)'],
      ]);
      expect((await world.as('oncologist', 'GET', `/Composition/${created.body.id}`)).body.meta.versionId).to.equal(created.body.meta.versionId);
    });
  });
});
