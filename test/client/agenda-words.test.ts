import { expect } from 'chai';
import { afterMeetingText, placesWords, reopeningWords, sessionPlaceText, stateWithNote } from '../../client/src/lib/agenda-words.ts';

describe('Client: an agenda line\'s state said once (client/src/lib/agenda-words.ts)', () => {
  it('keeps a note that restates the state as it is, joins any other', () => {
    expect(stateWithNote('Reporté à la séance suivante', 'Reporté à la séance suivante (quorum non atteint) : séance du mardi 24 novembre 2026'))
      .to.equal('Reporté à la séance suivante (quorum non atteint) : séance du mardi 24 novembre 2026');
    expect(stateWithNote('Déplacé', 'Déplacé vers la séance du mardi 12 janvier 2027 : chirurgien absent')).to.equal('Déplacé vers la séance du mardi 12 janvier 2027 : chirurgien absent');
    expect(stateWithNote('Refusé', 'Relève de la RCP sénologie')).to.equal('Refusé : Relève de la RCP sénologie');
    expect(stateWithNote('Refusé', undefined)).to.equal('Refusé');
  });

  it('opening a session ahead of its date says the session moves and the planned slot stays, with its pending requests — never « la date prévue est conservée »', () => {
    const ahead = reopeningWords('mardi 22 décembre 2026', true, 3, 1);
    expect(ahead.text).to.contain('La séance et ses 3 dossiers acceptés passent à aujourd’hui');
    expect(ahead.text).to.contain('Le créneau du mardi 22 décembre 2026 reste au calendrier de la RCP');
    expect(ahead.text).to.contain('la demande en attente d’acceptation y reste inscrite');
    expect(ahead.text).not.to.contain('la date prévue est conservée');
    expect(ahead.action).to.equal('Avancer à aujourd’hui et ouvrir');
    const late = reopeningWords('mardi 1 décembre 2026', false, 1, 0);
    expect(late.text).to.contain('était prévue le mardi 1 décembre 2026. La séance et son dossier accepté passent');
    expect(late.text).not.to.contain('créneau');
  });

  it('a cancelled session offers no places; an open or closed one counts its cases', () => {
    expect(placesWords('cancelled', 0, 10)).to.equal(undefined);
    expect(placesWords('planned', 3, 10)).to.deep.equal({ label: 'Places restantes', value: '7 sur 10' });
    expect(placesWords('closed', 4, 10)).to.deep.equal({ label: 'Dossiers à l’ordre du jour', value: '4' });
  });

  it('a case carried over from a cancelled session is said once, with where it went', () => {
    expect(stateWithNote('Reporté à la séance suivante', 'Reporté à la séance suivante (séance annulée) : séance du mardi 22 décembre 2026'))
      .to.equal('Reporté à la séance suivante (séance annulée) : séance du mardi 22 décembre 2026');
  });

  it('says a session\'s place as the calendar does: « Visioconférence » for a video-only session, not « — »', () => {
    expect(sessionPlaceText({ videoLink: 'https://visio.example.fr/rcp' })).to.equal('Visioconférence');
    expect(sessionPlaceText({ place: 'Salle 3', videoLink: 'https://visio.example.fr/rcp' })).to.equal('Salle 3');
    expect(sessionPlaceText({})).to.equal('—');
  });

  it('says what follows a closed meeting: its reports to sign, or that there are none', () => {
    expect(afterMeetingText(0, 0)).to.match(/^Aucun compte rendu/);
    expect(afterMeetingText(3, 0)).to.equal('Les 3 comptes rendus sont signés ; leur envoi se suit sur la page de la séance.');
    expect(afterMeetingText(3, 1)).to.equal('1 compte rendu reste à signer sur 3 ; signatures et envois se suivent sur la page de la séance.');
    expect(afterMeetingText(3, 2)).to.match(/^2 comptes rendus restent à signer sur 3/);
  });
});
