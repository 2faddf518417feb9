import { expect } from 'chai';
import { carePlanStatusLabel } from '../../client/src/lib/care-plan-status.ts';

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
});
