import { expect } from 'chai';
import { missingRecipientText, reportSendingTitle } from '../../client/src/lib/report-sending.ts';

describe('Client: the 3C names each sending of an RCP report (client/src/lib/report-sending.ts)', () => {
  it('tells the first signature from a correction, in Paris time, with the correction’s reason', () => {
    // A corrected report showed as two identical blocks, nothing saying which was which.
    expect(reportSendingTitle({ correction: false, signedAt: '2026-03-10T14:00:00.000Z' })).to.equal('Compte rendu initial, signé le 10 mars 2026 à 15:00');
    expect(reportSendingTitle({ correction: true, signedAt: '2026-07-12T09:00:00.000Z', correctionReason: 'Précision de la voie d’abord' }))
      .to.equal('Compte rendu corrigé le 12 juillet 2026 à 11:00 — motif : Précision de la voie d’abord');
  });

  it('names the recipient the report could not reach, in French', () => {
    expect(missingRecipientText({ roleLabel: 'Médecin traitant', reason: 'Pas de médecin traitant déclaré' })).to.equal('Destinataire manquant : Médecin traitant — Pas de médecin traitant déclaré');
  });
});
