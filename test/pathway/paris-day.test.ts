import { expect } from 'chai';
import { readResponse, startTestServer, type RunningServer } from '../helpers/harness.ts';
import { createCareCase } from '../care-plan/fixtures.ts';
import { asUser, identifyByHeader, testUsers } from '../helpers/users.ts';

/**
 * "Today" for the date checks of the pathway is the Paris calendar day: at 00:30 in Paris (23:30
 * UTC the day before) an announcement made today is not "in the future".
 */
describe('Pathway: today is the Paris day', () => {
  let server: RunningServer;
  const users = testUsers();

  before(async function () {
    this.timeout(120_000);
    server = await startTestServer({ identify: identifyByHeader(users, 'system'), clock: () => new Date('2026-12-07T23:30:00Z') }); // 8 December in Paris
  });
  after(() => server.close());

  it('accepts an announcement dated on the Paris day, refuses the next day', async () => {
    const c = await createCareCase(server, users);
    const announce = async (date: string) => readResponse(await fetch(`${server.url}/api/pathway/patients/${c.patientId}/announcement`, {
      method: 'POST', headers: { ...asUser('oncologist'), 'content-type': 'application/json' }, body: JSON.stringify({ kind: 'medical', date }),
    }));
    const today = await announce('2026-12-08');
    expect(today.status, today.text).to.equal(201);
    const tomorrow = await announce('2026-12-09');
    expect(tomorrow.status).to.equal(422);
    expect(tomorrow.body.issue[0].details.text).to.contain('dans le futur');
    // Nor before the patient's birth (14 March 1958).
    const unborn = await announce('1950-01-01');
    expect(unborn.status, unborn.text).to.equal(422);
    expect(unborn.body.issue[0].details.text).to.equal("La date de l'annonce (1er janvier 1950) précède la naissance du patient (14 mars 1958) : vérifiez l'année saisie");
    expect(unborn.body.issue[0].expression).to.deep.equal(['date']);
  });
});
