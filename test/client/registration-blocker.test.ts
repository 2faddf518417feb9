import { expect } from 'chai';
import { registrationBlocker } from '../../client/src/lib/registration-blocker.ts';

describe('Client: the RCP registration button says why it cannot be pressed (client/src/lib/registration-blocker.ts)', () => {
  it('names the missing step: the RCP, its sessions, a full agenda, the session', () => {
    expect(registrationBlocker({ boardChosen: false, sessionsLoading: false, sessions: [], sessionChosen: false })).to.contain('Choisissez d’abord la RCP');
    expect(registrationBlocker({ boardChosen: true, sessionsLoading: true, sessions: [], sessionChosen: false })).to.contain('Chargement des séances');
    expect(registrationBlocker({ boardChosen: true, sessionsLoading: false, sessions: [], sessionChosen: false })).to.contain('Aucune séance à venir');
    expect(registrationBlocker({ boardChosen: true, sessionsLoading: false, sessions: [{ full: true }, { full: true }], sessionChosen: false })).to.contain('sont complètes');
    expect(registrationBlocker({ boardChosen: true, sessionsLoading: false, sessions: [{ full: true }, { full: false }], sessionChosen: false })).to.equal('Choisissez une séance pour inscrire le dossier.');
  });

  it('says nothing once a session is chosen', () => {
    expect(registrationBlocker({ boardChosen: true, sessionsLoading: false, sessions: [{ full: false }], sessionChosen: true })).to.equal(undefined);
  });
});
