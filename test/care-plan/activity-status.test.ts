import { expect } from 'chai';
import type { CarePlanActivity, MedicationRequest } from '@medplum/fhirtypes';
import { activityStatusLabel } from '../../server/care-plan/activity-status.ts';

const chemo = (status: NonNullable<CarePlanActivity['detail']>['status']): CarePlanActivity => ({ detail: { status, description: 'FOLFOX + nivolumab' } });
const prescription = (status: MedicationRequest['status']) => ({ resourceType: 'MedicationRequest', status } as MedicationRequest);

describe('Care plan: an activity\'s status in words (server/care-plan/activity-status.ts)', () => {
  it('a programme in force says what is ahead; one that is over never says « à venir » of what was not recorded as done', () => {
    expect(activityStatusLabel(chemo('not-started'), undefined, 'active')).to.equal('à venir');
    expect(activityStatusLabel(chemo('scheduled'), undefined, 'active')).to.equal('programmé');
    // « Statut : terminé » above « Chimiothérapie … à venir » (the GP's summary of BENALI).
    for (const over of ['completed', 'revoked'] as const) {
      expect(activityStatusLabel(chemo('not-started'), undefined, over)).to.equal('non renseigné');
      expect(activityStatusLabel(chemo('scheduled'), undefined, over)).to.equal('non renseigné');
      expect(activityStatusLabel(chemo('completed'), undefined, over)).to.equal('terminé');
      expect(activityStatusLabel(chemo('cancelled'), undefined, over)).to.equal('annulé');
    }
  });

  it('an oral treatment says its prescription\'s status, in French (the printed PPS showed « on-hold »)', () => {
    expect(activityStatusLabel(chemo('not-started'), prescription('active'), 'active')).to.equal('prescrit');
    expect(activityStatusLabel(chemo('not-started'), prescription('on-hold'), 'active')).to.equal('suspendu');
    expect(activityStatusLabel(chemo('not-started'), prescription('stopped'), 'completed')).to.equal('arrêté');
    expect(activityStatusLabel(chemo('not-started'), prescription('completed'), 'completed')).to.equal('terminé');
  });
});
