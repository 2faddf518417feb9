import { expect } from 'chai';
import type { OperationOutcomeIssue } from '@medplum/fhirtypes';
import { FhirError } from '../../server/fhir-kit/errors.ts';
import { parseRcpSheetInput } from '../../server/rcp-sheet/input.ts';
import { colonCancerSheet, startWorld, type World } from './fixtures.ts';

const sheetWith = (tnm: { t: string; n: string; m: string }) => ({
  patient: 'Patient/p1',
  author: { name: 'Dr Sophie Lambert' },
  meeting: { rcpName: 'RCP digestive', date: '2026-03-10T14:00:00+01:00' },
  diagnosis: { date: '2026-01-05', topography: { code: 'C18.7', display: 'Côlon sigmoïde' }, morphology: { code: '8140/3', display: 'Adénocarcinome' }, tnm: { ...tnm, stage: 'IIIB', edition: '8' } },
});

function issuesOf(input: unknown): OperationOutcomeIssue[] {
  try {
    parseRcpSheetInput(input);
  } catch (error) {
    if (error instanceof FhirError) return error.outcome.issue ?? [];
    throw error;
  }
  return [];
}

/**
 * The TNM categories follow the UICC notation (TNM_UICC, the code system of the FRCP's 21905-5,
 * 21906-3, 21907-1): 'pT9z' was saved as a stage. What clinicians and pathologists really write
 * stays accepted.
 */
describe('RCP sheet: the TNM categories are checked against the UICC notation', () => {
  const written = {
    t: ['cT3', 'pT1c', 'ypT0', 'Tis', 'Tis(DCIS)', 'pT1mi', 'cT4d', 'T2b', 'TX', 'pTa', 'pT2(m)', 'cT1b2', 'rpT2', 'ycT1', 'usT3', 'ymrT2'],
    n: ['cN1', 'pN1mi', 'pN0(i+)', 'pN0(i-)(sn)', 'pN1a(sn)', 'ypN0', 'N0', 'NX', 'cN3c', 'pN2a', 'pN1a (2/17)'],
    m: ['cM0', 'M1a', 'pM1c', 'cM0(i+)', 'M1', 'M1d', 'M1(HEP)', 'cM1b (PUL, OSS)'],
  };
  for (const [category, values] of Object.entries(written) as ['t' | 'n' | 'm', string[]][]) {
    it(`accepts the ${category.toUpperCase()} that are written: ${values.join(', ')}`, () => {
      for (const value of values) {
        const issues = issuesOf(sheetWith({ t: 'cT3', n: 'cN1', m: 'cM0', [category]: value }));
        expect(issues.map((i) => i.details?.text), value).to.deep.equal([]);
      }
    });
  }

  it('refuses a malformed category, naming its field in French (the path in expression)', () => {
    const issues = issuesOf(sheetWith({ t: 'pT9z', n: 'N+', m: 'M2' }));
    expect(issues.map((i) => i.expression)).to.deep.equal([['diagnosis.tnm.t'], ['diagnosis.tnm.n'], ['diagnosis.tnm.m']]);
    expect(issues[0]!.details?.text).to.match(/^T \(stade TNM\) : notation 'pT9z' non reconnue \(attendu : TX, T0, Tis/);
    expect(issues[1]!.details?.text).to.match(/^N \(stade TNM\) : notation 'N\+' non reconnue/);
    expect(issues[2]!.details?.text).to.match(/^M \(stade TNM\) : notation 'M2' non reconnue/);
  });

  it('refuses T5, pT1f, N4, a category in the wrong field and a whole TNM in one field', () => {
    for (const [tnm, path] of [
      [{ t: 'T5', n: 'cN1', m: 'cM0' }, 'diagnosis.tnm.t'],
      [{ t: 'pT1f', n: 'cN1', m: 'cM0' }, 'diagnosis.tnm.t'],
      [{ t: 'cT3', n: 'N4', m: 'cM0' }, 'diagnosis.tnm.n'],
      [{ t: 'cN1', n: 'cN1', m: 'cM0' }, 'diagnosis.tnm.t'],
    ] as const) {
      expect(issuesOf(sheetWith(tnm)).map((i) => i.expression?.[0]), JSON.stringify(tnm)).to.deep.equal([path]);
    }
    const whole = issuesOf(sheetWith({ t: 'cT3N1M0', n: 'cN1', m: 'cM0' }));
    expect(whole[0]?.details?.text).to.equal('T (stade TNM) : une seule catégorie par champ (ex. cT3) : T, N et M ont chacun le leur');
  });

  it('refuses MX, which the UICC editions the sheet accepts (7, 8, 9) no longer have', () => {
    const issues = issuesOf(sheetWith({ t: 'cT3', n: 'cN1', m: 'MX' }));
    expect(issues.map((i) => [i.expression?.[0], i.details?.text])).to.deep.equal([
      ['diagnosis.tnm.m', "M (stade TNM) : MX n'existe plus depuis la 7e édition UICC : cM0 en l'absence de métastase décelée cliniquement, M1 sinon"],
    ]);
  });

  describe('over HTTP', () => {
    let world: World;
    before(async () => {
      world = await startWorld();
    });
    after(() => world.close());

    it('a PATCH with T = pT9z: 400 naming the field, nothing saved; pT1c then saved', async () => {
      const created = await world.as('oncologist', 'POST', '/Composition/$rcp-sheet', colonCancerSheet(world));
      expect(created.status, JSON.stringify(created.body)).to.equal(201);
      const path = `/Composition/${created.body.id}/$rcp-sheet`;
      const diagnosis = (await world.as('oncologist', 'GET', path)).body.data.diagnosis;
      const refused = await world.as('oncologist', 'PATCH', path, { diagnosis: { ...diagnosis, tnm: { ...diagnosis.tnm, t: 'pT9z' } } });
      expect(refused.status).to.equal(400);
      expect(refused.body.issue.map((i: OperationOutcomeIssue) => [i.expression, i.details?.text?.slice(0, 33)])).to.deep.equal([[['diagnosis.tnm.t'], "T (stade TNM) : notation 'pT9z' n"]]);
      expect((await world.as('oncologist', 'GET', path)).body.data.diagnosis.tnm.t).to.equal('cT3');
      const saved = await world.as('oncologist', 'PATCH', path, { diagnosis: { ...diagnosis, tnm: { ...diagnosis.tnm, t: 'pT1c', n: 'pN0(i+)' } } });
      expect(saved.status, JSON.stringify(saved.body)).to.equal(200);
      expect((await world.as('oncologist', 'GET', path)).body.data.diagnosis.tnm).to.include({ t: 'pT1c', n: 'pN0(i+)' });
    });
  });
});
