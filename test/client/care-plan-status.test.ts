import { expect } from 'chai';
import { carePlanStatusLabel, decisionPageTitle } from '../../client/src/lib/care-plan-status.ts';

describe('Client: programme statuses in French (client/src/lib/care-plan-status.ts)', () => {
  it('says a PPS, a PPAC and a decision status in words, never the FHIR code (ACTIVE, DRAFT showed in badges)', () => {
    expect(carePlanStatusLabel('draft', 'pps')).to.equal('Brouillon (à remettre)');
    expect(carePlanStatusLabel('active', 'pps')).to.equal('Remis au patient');
    expect(carePlanStatusLabel('completed', 'pps')).to.equal('Terminé');
    expect(carePlanStatusLabel('active', 'ppac')).to.equal('En cours');
    expect(carePlanStatusLabel('draft', 'ppac')).to.equal('En préparation');
    expect(carePlanStatusLabel('completed', 'ppac')).to.equal('Terminé');
    expect(carePlanStatusLabel('active', 'rcp-decision')).to.equal('En vigueur');
    expect(carePlanStatusLabel('revoked')).to.equal('Annulé');
    for (const odd of [undefined, 'unknown', 'whatever']) expect(carePlanStatusLabel(odd)).to.equal('Statut non précisé');
  });

  it('titles a replaced decision\'s page by its meeting, not « Établir le PPS » (it builds no PPS)', () => {
    const fr = (d: string) => d.slice(0, 10).split('-').reverse().join('/');
    expect(decisionPageTitle({ standing: 'replaced' }, '2026-10-13T14:00:00+02:00', fr)).to.equal('Décision de RCP du 13/10/2026 (remplacée)');
    expect(decisionPageTitle({ standing: 'replaced' }, undefined, fr)).to.equal('Décision de RCP (remplacée)');
    expect(decisionPageTitle({ standing: 'in-force' }, '2026-10-13', fr)).to.equal('Établir le PPS');
    expect(decisionPageTitle(undefined, undefined, fr)).to.equal('Établir le PPS');
  });
});
