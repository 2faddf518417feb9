import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { reportRecipients } from '../../server/rcp/recipients.ts';

/** One rule for where a signed report goes: the signature's message and the decision page both read it. */
describe('RCP report recipients (server/rcp/recipients.ts)', () => {
  const patient = (generalPractitioner?: Patient['generalPractitioner']): Patient => ({ resourceType: 'Patient', ...(generalPractitioner ? { generalPractitioner } : {}) });
  const requester = { requester: 'Practitioner/aubert', requesterDisplay: 'Dr Marc Aubert' };

  it('the declared GP, then the requester', () => {
    expect(reportRecipients(patient([{ reference: 'Practitioner/chabert', display: 'Dr Laurent Chabert' }]), requester)).to.deep.equal([
      { role: 'general-practitioner', practitioner: 'Practitioner/chabert', display: 'Dr Laurent Chabert' },
      { role: 'requester', practitioner: 'Practitioner/aubert', display: 'Dr Marc Aubert' },
    ]);
  });

  it('the requester once, as the GP, when he is the patient\'s GP (a versioned reference is the same practitioner)', () => {
    expect(reportRecipients(patient([{ reference: 'Practitioner/aubert/_history/3' }]), requester)).to.deep.equal([
      { role: 'general-practitioner', practitioner: 'Practitioner/aubert' },
    ]);
  });

  it('without a declared GP (an organisation is not one): the GP marked unknown, and the requester', () => {
    expect(reportRecipients(patient([{ reference: 'Organization/cabinet' }]), requester)).to.deep.equal([
      { role: 'general-practitioner', unknown: true },
      { role: 'requester', practitioner: 'Practitioner/aubert', display: 'Dr Marc Aubert' },
    ]);
  });
});
