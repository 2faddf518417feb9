import { expect } from 'chai';
import { errorTitle, type OutcomeLike } from '../../client/src/lib/error-title.ts';

const RULE = 'https://dcc-paca.example/fhir/CodeSystem/rcp-rule';
const rcpRule = (status: number, rule: string, code = 'business-rule'): [number, OutcomeLike] => [status, { issue: [{ severity: 'error', code, details: { coding: [{ system: RULE, code: rule }] } }] }];

describe('Client: an error alert titled by what the server says it is (client/src/lib/error-title.ts)', () => {
  it('a quorum refusal (409, rule quorum-not-reached) is « Quorum non atteint », not « Modification concurrente »', () => {
    expect(errorTitle(...rcpRule(409, 'quorum-not-reached'))).to.equal('Quorum non atteint');
  });

  it('only a stale version is a concurrent modification: 412, or a 409 whose issue code is conflict', () => {
    expect(errorTitle(412, { issue: [{ severity: 'error', code: 'conflict' }] })).to.equal('Modification concurrente');
    expect(errorTitle(409, { issue: [{ severity: 'error', code: 'conflict' }] })).to.equal('Modification concurrente');
    expect(errorTitle(409, { issue: [{ severity: 'error', code: 'business-rule' }] })).to.equal('Action impossible');
    expect(errorTitle(409, { issue: [{ severity: 'error', code: 'processing' }] })).to.equal('Action impossible');
    expect(errorTitle(...rcpRule(409, 'case-transition'))).to.equal('Action impossible');
  });

  it('other statuses keep their titles; a rule with a name of its own is named', () => {
    expect(errorTitle(...rcpRule(409, 'registration-cutoff'))).to.equal('Inscriptions closes');
    expect(errorTitle(422, { issue: [{ severity: 'error', code: 'business-rule' }] })).to.equal('Demande refusée');
    expect(errorTitle(403)).to.equal('Accès refusé');
    expect(errorTitle(404)).to.equal('Introuvable');
    expect(errorTitle(0)).to.equal('Réseau indisponible');
    expect(errorTitle(500)).to.equal('Erreur');
  });
});
