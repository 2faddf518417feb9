import { expect } from 'chai';
import { errorTitle, leadsNowhere, loadErrorWords, mayRetry, withoutReferences, type OutcomeLike, type PageKind } from '../../client/src/lib/error-title.ts';

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

  // QA walkthrough: « Séance de RCP Appointment/0000… introuvable », « Task/abc introuvable »,
  // « Patient/6814… ne fait pas partie de vos patients », and « Réessayer » under a 404.
  it('a page that could not load says in its own words what is wrong, without FHIR references, and titles the page', () => {
    const FHIR_REFERENCE = /\b(Appointment|HealthcareService|Composition|Task|Patient|CarePlan)\//;
    const kinds: PageKind[] = ['session', 'board', 'sheet', 'case', 'patient', 'programme'];
    for (const kind of kinds) {
      for (const status of [400, 403, 404]) {
        const words = loadErrorWords(kind, status, `Séance de RCP Appointment/00000000-0000 introuvable`);
        expect(words.text, `${kind} ${status}`).not.to.match(FHIR_REFERENCE);
        expect(words.retry, `${kind} ${status}`).to.equal(false);
      }
    }
    expect(loadErrorWords('session', 404)).to.include({ title: 'Séance introuvable', pageTitle: 'Séance introuvable' });
    expect(loadErrorWords('session', 404).text).to.contain('vérifiez le lien');
    expect(loadErrorWords('board', 404).title).to.equal('RCP introuvable');
    expect(loadErrorWords('sheet', 404).title).to.equal('Fiche RCP introuvable');
    expect(loadErrorWords('case', 404).title).to.equal('Dossier RCP introuvable');
    // An identifier that is not one (/patients/%3Cscript%3E): a link that leads nowhere.
    expect(loadErrorWords('patient', 400, "patient attend l'identifiant d'un patient, reçu '<script>'")).to.include({ title: 'Patient introuvable' });
    expect(loadErrorWords('patient', 403).text).to.contain('ne fait pas partie de vos patients');
    expect(loadErrorWords('patient', 403).pageTitle).to.equal('Patient inaccessible');
  });

  it('« Réessayer » only where a retry may work: the network, the server busy or down', () => {
    expect([0, 429, 500, 503].map(mayRetry)).to.deep.equal([true, true, true, true]);
    expect([400, 403, 404, 409, 412, 422].map(mayRetry)).to.deep.equal([false, false, false, false, false, false]);
    expect(loadErrorWords('session', 503).retry).to.equal(true);
    expect(loadErrorWords('session', 0).retry).to.equal(true);
  });

  it('another refusal keeps the server\'s sentence, its references left out', () => {
    expect(withoutReferences('Le dossier Task/abc-1 n\'est pas à l\'ordre du jour')).to.equal('Le dossier n\'est pas à l\'ordre du jour');
    expect(loadErrorWords('case', 409, 'Dossier RCP Task/abc : passage interdit').text).to.equal('Dossier RCP : passage interdit');
  });

  it('a link that leads nowhere (404, 410, malformed id) — the meeting page then offers no « Ordre du jour » of the missing session', () => {
    for (const status of [400, 404, 410]) expect(leadsNowhere(status), String(status)).to.equal(true);
    for (const status of [undefined, 0, 403, 409, 500, 503]) expect(leadsNowhere(status), String(status)).to.equal(false);
  });
});
