import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { patientDisplayName } from '../../server/identity/index.ts';
import { missingGpAlert } from '../../server/delivery/status.ts';

describe('Identity: the name a patient is shown by (server/identity/patient-name.ts)', () => {
  it('birth name in capitals, then the first names — whichever name is listed first', () => {
    const married: Patient = { resourceType: 'Patient', id: 'p1', name: [{ use: 'usual', family: 'Martin', given: ['Sandrine'] }, { use: 'official', family: 'Qaverif', given: ['Sandrine', 'Marie'] }] };
    expect(patientDisplayName(married)).to.equal('QAVERIF Sandrine Marie');
    expect(patientDisplayName({ name: [{ family: 'Benali', given: ['Rachid'] }] })).to.equal('BENALI Rachid');
    expect(patientDisplayName({ name: [] })).to.equal('Patient sans nom');
    // The 3C's "no declared GP" alert said « Sandrine Marie QAVERIF ».
    expect(missingGpAlert(married).display).to.equal('QAVERIF Sandrine Marie');
  });
});
