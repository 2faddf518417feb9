import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { patientDisplayName, printedPatientIdentity } from '../../server/identity/index.ts';
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

  it('on every printed page: the display name and the birth date, never the used name', () => {
    const married: Patient = { resourceType: 'Patient', name: [{ use: 'usual', family: 'Marchetti', given: ['Hélène'] }, { use: 'official', family: 'Castellani', given: ['Hélène', 'Marie'] }], gender: 'female', birthDate: '1958-03-14' };
    expect(printedPatientIdentity(married)).to.equal('CASTELLANI Hélène Marie, née le 14/03/1958');
    expect(printedPatientIdentity({ name: [{ family: 'Benali', given: ['Rachid'] }], gender: 'male', birthDate: '1951-11-02' })).to.equal('BENALI Rachid, né le 02/11/1951');
    expect(printedPatientIdentity({ name: [{ family: 'Morel', given: ['Camille'] }] })).to.equal('MOREL Camille, date de naissance non renseignée');
  });
});
