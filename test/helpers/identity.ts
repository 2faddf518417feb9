import type { Patient } from '@medplum/fhirtypes';

/**
 * A Patient with the minimum identity traits the identity rules require (RNIV: birth name, first
 * name, sex, birth date), keeping whatever the test set itself. For tests whose subject is not identity.
 */
export function withIdentity<T extends Partial<Patient> & Record<string, any>>(patient: T): T & Pick<Patient, 'name' | 'gender' | 'birthDate'> {
  const [first, ...others] = patient.name ?? [];
  const name = { ...first, family: first?.family ?? 'Martin', given: first?.given?.length ? first.given : ['Claire'] };
  return {
    ...patient,
    resourceType: 'Patient',
    name: [name, ...others],
    gender: patient.gender ?? 'female',
    birthDate: patient.birthDate ?? '1962-05-14',
  };
}
