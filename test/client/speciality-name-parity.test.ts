import { expect } from 'chai';
import { mandatedName, specialityName as onPage } from '../../client/src/lib/quorum-words.ts';
import { SPECIALITY_LABELS } from '../../server/rcp/codes.ts';
import { checkQuorum, type Attendance, type QuorumRules } from '../../server/rcp/quorum.ts';
import { specialityName as onServer } from '../../server/rcp/speciality-name.ts';

/**
 * QA: the meeting page named « Gynécologie-obstétrique », the board page and the server's quorum
 * reasons « Gynécologie-obstétrique (SM) » (the directory's R38 display). One rule on the server,
 * the client mirroring it.
 */
describe('Client: a speciality named as the server names it (parity with server/rcp/speciality-name.ts)', () => {
  const cases: [string, string][] = [
    ['Gynécologie-obstétrique (SM)', 'Gynécologie-obstétrique'],
    ['Oncologie, option médicale (SM)', 'Oncologie, option médicale'],
    ['Oncologie, option médicale', 'Oncologie, option médicale'],
    ['Chirurgie viscérale et digestive (SM) ', 'Chirurgie viscérale et digestive'],
    ['Chirurgie thoracique et cardio-vasculaire(SM)', 'Chirurgie thoracique et cardio-vasculaire'],
    ['Médecine (SM) générale', 'Médecine (SM) générale'],
    ['(SM)', '(SM)'],
  ];
  for (const [display, expected] of cases) {
    it(`« ${display} » reads « ${expected} » on the pages and on the server`, () => {
      expect(onPage(display), 'page').to.equal(expected);
      expect(onServer(display), 'server').to.equal(expected);
    });
  }

  it('the R38 table of the boards already names each speciality in that one form', () => {
    for (const [code, label] of Object.entries(SPECIALITY_LABELS)) expect(onServer(label), code).to.equal(label);
  });

  it('the server\'s quorum reasons name the specialities as the meeting page does', () => {
    const rules: QuorumRules = { minSpecialities: 3, relevantSpecialities: [{ code: 'SM20' }, { code: 'SM36' }, { code: 'SM37' }], mandated: [{ label: 'Gynécologie-obstétrique (SM)', anyOf: [{ code: 'SM20' }] }], writtenOpinionCounts: false };
    const attendance: Attendance[] = [
      { practitioner: 'Practitioner/a', speciality: { code: 'SM36', display: 'Oncologie, option médicale (SM)' }, mode: 'present' },
      { practitioner: 'Practitioner/b', speciality: { code: 'SM11', display: 'Chirurgie thoracique et cardio-vasculaire (SM)' }, mode: 'present' },
    ];
    const result = checkQuorum(attendance, { quorum: rules });
    expect(result.reasons).to.deep.equal([
      `1 spécialité distincte représentée (${onPage('Oncologie, option médicale (SM)')}) : il en faut au moins 3`,
      `spécialité obligatoire absente : ${mandatedName(rules.mandated[0]!)}`,
    ]);
    expect(result.notCounted[0]!.reason).to.equal('spécialité Chirurgie thoracique et cardio-vasculaire non retenue pour le quorum de cette RCP');
    expect(result.reasons.join(' ')).not.to.contain('(SM)');
  });
});
