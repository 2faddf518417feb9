import { expect } from 'chai';
import { unique, type RunningServer } from '../helpers/harness.ts';
import { createdId, professional, testUsers } from '../helpers/users.ts';
import { as, startCarePlanServer } from '../care-plan/fixtures.ts';

const FINESS = 'https://finess.esante.gouv.fr';

/**
 * A patient record created by a professional belongs to their establishment
 * (Patient.managingOrganization, read from their directory roles): the 3C indicators counted
 * records created in the app under « Établissement non renseigné ».
 */
describe('Access: a new patient record gets its creator’s establishment (managingOrganization)', function () {
  this.timeout(120_000);
  let server: RunningServer;
  const users = testUsers();
  const ids: Record<string, string> = {};
  const patient = (extra: Record<string, unknown> = {}) => ({
    resourceType: 'Patient', name: [{ use: 'official', family: `Etab${unique().slice(-6)}`, given: ['Lucie'] }], gender: 'female', birthDate: '1961-04-02', ...extra,
  });

  before(async () => {
    server = await startCarePlanServer(users);
    ids.chu = await createdId(server, { resourceType: 'Organization', name: `CHU Méditerranée ${unique()}`, identifier: [{ system: FINESS, value: '130999014' }] } as any);
    ids.threeC = await createdId(server, { resourceType: 'Organization', name: '3C du CHU', partOf: { reference: `Organization/${ids.chu}` }, type: [{ coding: [{ code: '3C' }] }] } as any);
    ids.clinic = await createdId(server, { resourceType: 'Organization', name: `Clinique du Parc ${unique()}` } as any);
    const physician = async (name: string, orgs: string[]) => {
      const id = await createdId(server, { resourceType: 'Practitioner', name: [{ family: `${name}-${unique()}`, given: ['Claire'], prefix: ['Dr'] }] } as any);
      for (const org of orgs) await createdId(server, { resourceType: 'PractitionerRole', active: true, practitioner: { reference: `Practitioner/${id}` }, organization: { reference: `Organization/${org}` } } as any);
      return id;
    };
    users.hospital = professional('Dr Claire Hôpital', ['physician'], { practitionerId: await physician('Hopital', [ids.chu]) });
    const both = await physician('Deuxsites', [ids.chu, ids.clinic]);
    users.twoSitesWithCard = { ...professional('Dr Claire Deuxsites', ['physician'], { practitionerId: both }), finess: '130999014' };
    users.twoSites = professional('Dr Claire Deuxsites', ['physician'], { practitionerId: both });
  });
  after(() => server.close());

  it('fills it in from the creator’s only establishment, named', async () => {
    const res = await as(server, 'hospital', 'POST', '/Patient', patient());
    expect(res.status, res.text).to.equal(201);
    expect(res.body.managingOrganization.reference).to.equal(`Organization/${ids.chu}`);
    expect(res.body.managingOrganization.display).to.match(/^CHU Méditerranée/);
  });

  it('with several establishments, takes the one of the card’s FINESS, and none when nothing tells', async () => {
    const byCard = await as(server, 'twoSitesWithCard', 'POST', '/Patient', patient());
    expect(byCard.status, byCard.text).to.equal(201);
    expect(byCard.body.managingOrganization.reference).to.equal(`Organization/${ids.chu}`);
    const unknown = await as(server, 'twoSites', 'POST', '/Patient', patient());
    expect(unknown.status, unknown.text).to.equal(201);
    expect(unknown.body.managingOrganization).to.equal(undefined);
  });

  it('keeps an establishment the creator works in, refuses another one (422 on the field)', async () => {
    const own = await as(server, 'twoSites', 'POST', '/Patient', patient({ managingOrganization: { reference: `Organization/${ids.clinic}` } }));
    expect(own.status, own.text).to.equal(201);
    expect(own.body.managingOrganization.reference).to.equal(`Organization/${ids.clinic}`);
    const other = await as(server, 'hospital', 'POST', '/Patient', patient({ managingOrganization: { reference: `Organization/${ids.clinic}` } }));
    expect(other.status, other.text).to.equal(422);
    expect(other.body.issue[0].expression).to.deep.equal(['Patient.managingOrganization']);
    expect(other.body.issue[0].details.text).to.contain("n'est pas un établissement où vous exercez");
  });
});
