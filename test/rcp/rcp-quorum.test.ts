import { expect } from 'chai';
import { checkQuorum, type Attendance, type QuorumRules } from '../../server/rcp/quorum.ts';

const SURGEON = { code: 'SM14', display: 'Chirurgie viscérale et digestive' };
const ONCOLOGIST = { code: 'SM36', display: 'Oncologie médicale' };
const RADIOTHERAPIST = { code: 'SM37', display: 'Radiothérapie' };
const GASTRO = { code: 'SM24', display: 'Gastro-entérologie' };
const GP = { code: 'SM54', display: 'Médecine générale' };

const board = (rules: Partial<QuorumRules> = {}) => ({
  quorum: {
    minSpecialities: 3,
    relevantSpecialities: [SURGEON, ONCOLOGIST, RADIOTHERAPIST, GASTRO],
    mandated: [],
    writtenOpinionCounts: false,
    ...rules,
  },
});
const at = (practitioner: string, speciality: { code: string; display: string }, mode: Attendance['mode'] = 'present', cases?: string[]): Attendance =>
  ({ practitioner: `Practitioner/${practitioner}`, speciality, mode, ...(cases ? { cases } : {}) });

/** checkQuorum: at least 3 physicians of distinct relevant specialities, the board's mandatory ones present. */
describe('RCP quorum (checkQuorum)', () => {
  it('exactly three distinct specialities reach the quorum; present and remote both count', () => {
    const q = checkQuorum([at('a', SURGEON), at('b', ONCOLOGIST, 'remote'), at('c', RADIOTHERAPIST)], board());
    expect(q.reached).to.equal(true);
    expect(q.specialities.map((s) => s.code)).to.deep.equal(['SM14', 'SM36', 'SM37']);
    expect(q.reasons).to.deep.equal([]);
  });

  it('two physicians of the same speciality count once', () => {
    const q = checkQuorum([at('a', ONCOLOGIST), at('b', ONCOLOGIST), at('c', SURGEON)], board());
    expect(q.reached).to.equal(false);
    expect(q.counted).to.have.length(3);
    expect(q.specialities).to.have.length(2);
    expect(q.reasons[0]).to.contain('2 spécialités distinctes').and.to.contain('au moins 3');
  });

  it('nobody present reads « aucune spécialité représentée », not « 0 spécialité distincte représentée (aucune) »', () => {
    const q = checkQuorum([], board());
    expect(q.reached).to.equal(false);
    expect(q.reasons).to.deep.equal(['aucune spécialité représentée : il en faut au moins 3']);
  });

  it('a missing mandated surgeon fails the quorum even with three other specialities', () => {
    const q = checkQuorum([at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', GASTRO)], board({ mandated: [{ label: 'Chirurgien', anyOf: [SURGEON] }] }));
    expect(q.reached).to.equal(false);
    expect(q.missingMandated.map((m) => m.label)).to.deep.equal(['Chirurgien']);
    expect(q.reasons).to.deep.equal(['spécialité obligatoire absente : Chirurgien']);
    const withSurgeon = checkQuorum([at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', SURGEON)], board({ mandated: [{ label: 'Chirurgien', anyOf: [SURGEON] }] }));
    expect(withSurgeon.reached).to.equal(true);
  });

  it('a written opinion counts only when the board says so', () => {
    const attendance = [at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', SURGEON, 'written-opinion')];
    const refused = checkQuorum(attendance, board());
    expect(refused.reached).to.equal(false);
    expect(refused.notCounted[0]!.reason).to.contain('avis écrit');
    expect(checkQuorum(attendance, board({ writtenOpinionCounts: true })).reached).to.equal(true);
    // …and then it can also satisfy a mandated speciality.
    expect(checkQuorum(attendance, board({ writtenOpinionCounts: true, mandated: [{ label: 'Chirurgien', anyOf: [SURGEON] }] })).reached).to.equal(true);
  });

  it('specialities outside the board\'s relevant list do not count; an empty list accepts every speciality', () => {
    const attendance = [at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', GP)];
    expect(checkQuorum(attendance, board()).reached).to.equal(false);
    expect(checkQuorum(attendance, board({ relevantSpecialities: [] })).reached).to.equal(true);
  });

  it('a mandated requirement may be met by any of several specialities', () => {
    const q = checkQuorum([at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', GASTRO)], board({ mandated: [{ label: 'Chirurgien ou gastro-entérologue', anyOf: [SURGEON, GASTRO] }] }));
    expect(q.reached).to.equal(true);
  });

  it('attendance limited to some cases counts only for them; a case may require an extra speciality', () => {
    const attendance = [at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', SURGEON, 'present', ['case-1'])];
    expect(checkQuorum(attendance, board(), { id: 'case-1' }).reached).to.equal(true);
    expect(checkQuorum(attendance, board(), { id: 'case-2' }).reached).to.equal(false);
    const extra = checkQuorum(attendance, board(), { id: 'case-1', mandated: [{ label: 'Gastro-entérologue', anyOf: [GASTRO] }] });
    expect(extra.reached).to.equal(false);
    expect(extra.reasons).to.deep.equal(['spécialité obligatoire absente : Gastro-entérologue']);
  });

  it('never fewer than 3 specialities, even if a board is configured lower; more when the board asks', () => {
    const three = [at('a', ONCOLOGIST), at('b', RADIOTHERAPIST), at('c', SURGEON)];
    expect(checkQuorum(three.slice(0, 2), board({ minSpecialities: 2 })).reached).to.equal(false);
    expect(checkQuorum(three, board({ minSpecialities: 4 })).reached).to.equal(false);
    expect(checkQuorum([...three, at('d', GASTRO)], board({ minSpecialities: 4 })).reached).to.equal(true);
  });

  it('unknown speciality and duplicate listing of one physician', () => {
    const q = checkQuorum([{ practitioner: 'Practitioner/x', mode: 'present' }, at('a', ONCOLOGIST), at('a', ONCOLOGIST, 'remote'), at('b', SURGEON)], board());
    expect(q.counted).to.have.length(2);
    expect(q.notCounted.map((n) => n.reason)).to.deep.equal(['spécialité inconnue']);
  });
});
