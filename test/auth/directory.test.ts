import { expect } from 'chai';
import type { Practitioner } from '@medplum/fhirtypes';
import { DCC_ROLE_SYSTEM, rolesOfPractitioner } from '../../server/access/directory-roles.ts';
import { testServices } from '../helpers/harness.ts';

const G15 = 'https://mos.esante.gouv.fr/NOS/TRE_G15-ProfessionSante/FHIR/TRE-G15-ProfessionSante';
const R38 = 'https://mos.esante.gouv.fr/NOS/TRE_R38-SpecialiteOrdinale/FHIR/TRE-R38-SpecialiteOrdinale';

/** The roles of a professional known only from the directory (who may be sent what). */
describe('Directory: roles of a professional', () => {
  async function professional(qualification: { system: string; code: string }[], roleCodes: { system: string; code: string }[] = []): Promise<string> {
    const repo = (await testServices()).store.system();
    const p = await repo.create<Practitioner>({ resourceType: 'Practitioner', name: [{ family: 'Essai' }], qualification: qualification.map((c) => ({ code: { coding: [c] } })) });
    if (roleCodes.length) {
      await repo.create({ resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${p.id}` }, code: roleCodes.map((c) => ({ coding: [c] })) });
    }
    return p.id!;
  }

  it('profession from G15, GP from the SM54 speciality', async () => {
    expect(await rolesOfPractitioner((await testServices()).store.system(), await professional([{ system: G15, code: '21' }]))).to.deep.equal(['pharmacist']);
    expect(await rolesOfPractitioner((await testServices()).store.system(), await professional([{ system: G15, code: '60' }]))).to.deep.equal(['nurse']);
    expect(await rolesOfPractitioner((await testServices()).store.system(), await professional([{ system: R38, code: 'SM54' }]))).to.deep.equal(['gp']);
    expect(await rolesOfPractitioner((await testServices()).store.system(), await professional([{ system: R38, code: 'SM36' }]))).to.deep.equal(['physician']);
  });

  it('a directory role code grants only coordinator or admin, never a profession nor the service account', async () => {
    const id = await professional([{ system: G15, code: '60' }], [
      { system: DCC_ROLE_SYSTEM, code: 'system' }, { system: DCC_ROLE_SYSTEM, code: 'physician' }, { system: DCC_ROLE_SYSTEM, code: 'coordinator' },
    ]);
    expect((await rolesOfPractitioner((await testServices()).store.system(), id)).sort()).to.deep.equal(['coordinator', 'nurse']);
  });
});
