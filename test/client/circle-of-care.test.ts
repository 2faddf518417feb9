import { expect } from 'chai';
import type { CareTeam, Patient } from '@medplum/fhirtypes';
import { circleMembers } from '../../client/src/lib/circle-of-care.ts';

describe('Client: the circle of care, each professional once (client/src/lib/circle-of-care.ts)', () => {
  it('merges the care teams and the declared GP by professional, with every role once', () => {
    const patient: Patient = { resourceType: 'Patient', generalPractitioner: [{ reference: 'Practitioner/gp', display: 'Dr Laurent Chabert' }] };
    const team = (...members: [string, string, string?][]): CareTeam => ({
      resourceType: 'CareTeam', participant: members.map(([ref, name, role]) => ({ member: { reference: ref, display: name }, ...(role ? { role: [{ text: role }] } : {}) })),
    });
    const members = circleMembers(patient, [
      team(['Practitioner/gp', 'Dr Laurent Chabert', 'Médecin traitant'], ['Practitioner/onc', 'Dr Sophie Lambert', 'Oncologue référente']),
      team(['Practitioner/onc', 'Dr Sophie Lambert', 'Oncologue référente'], ['Practitioner/nurse', 'Julie Moreau', 'Infirmière libérale']),
      team(['Practitioner/gp', 'Dr Laurent Chabert', 'Médecin traitant'], ['Practitioner/onc', 'Dr Sophie Lambert', 'Présidente de séance']),
    ]);
    expect(members.map((m) => `${m.name} — ${m.roles.join(', ')}`)).to.deep.equal([
      'Dr Laurent Chabert — médecin traitant',
      'Dr Sophie Lambert — Oncologue référente, Présidente de séance',
      'Julie Moreau — Infirmière libérale',
    ]);
  });
});
