import { expect } from 'chai';
import { auditObjectLabel, auditSubtypeLabel } from '../../client/src/lib/audit-labels.ts';
import { ROLE_LABELS, roleLabel } from '../../client/src/lib/roles.ts';

describe('Client: the audit trail in words (client/src/lib/audit-labels.ts)', () => {
  it('names what was read in French, never the FHIR type or REST code ("Composition", "search-type" showed raw)', () => {
    expect(auditObjectLabel('Composition')).to.equal('Document (fiche RCP, synthèse…)');
    expect(auditObjectLabel('CarePlan')).to.equal('Programme de soins (PPS, PPAC, décision de RCP)');
    expect(auditObjectLabel('ServiceRequest')).to.equal('Demande (inscription en RCP, prescription)');
    expect(auditSubtypeLabel('search-type')).to.equal('Recherche');
    expect(auditSubtypeLabel('vread')).to.equal("Lecture d'une version");
    // A display the server wrote in words is kept; an unknown type is named rather than hidden.
    expect(auditSubtypeLabel('Consultation de la synthèse')).to.equal('Consultation de la synthèse');
    expect(auditObjectLabel('Basic')).to.equal('Basic');
  });

  it('names the roles of who acted as the menus and headers do (lib/roles.ts), an unknown code as it is', () => {
    // The trail had its own words (« médecin », « administrateur ») for roles the header called
    // « Médecin hospitalier » and « Responsable sécurité ».
    expect(roleLabel(['physician', 'coordinator'])).to.equal(`${ROLE_LABELS.physician}, ${ROLE_LABELS.coordinator}`);
    expect(roleLabel(['admin'])).to.equal('Responsable sécurité');
    expect(roleLabel(['gp', 'unknown-role'])).to.equal('Médecin généraliste, unknown-role');
  });
});
