import { expect } from 'chai';
import { testServices, unique, type RunningServer } from '../helpers/harness.ts';
import { databaseNow, withAppClockOff } from '../helpers/app-clock.ts';

/**
 * Sign-in state (PSC state and nonce, SAML request ids and replayed assertions) is saved by one app
 * server and taken by another: its expiry is set and judged on the database's clock, not on either
 * server's (theirs differ).
 */
describe("Sign-in state: set and judged on the database's clock, whatever the app server's says", () => {
  let services: RunningServer['services'];
  const TTL = 10 * 60_000;
  const saved = (id: string) => services.db('login_state').where({ id }).first('expires_at');

  before(async () => {
    services = await testServices();
  });

  it("saved on a server whose clock is hours ahead, it expires its lifetime after the database's now()", async () => {
    const id = unique('state');
    const before = await databaseNow(services.db);
    expect(await withAppClockOff(3 * 3_600_000, () => services.sessionStore.saveLoginState(id, 'test', { n: 1 }, TTL))).to.equal(true);
    const after = await databaseNow(services.db);
    expect(new Date((await saved(id)).expires_at).getTime()).to.be.within(before + TTL, after + TTL);
  });

  it('running by the database: a server whose clock is past its end still reads it, as it would take it', async () => {
    const id = unique('state');
    await services.sessionStore.saveLoginState(id, 'test', { n: 2 }, TTL);
    expect(await withAppClockOff(2 * TTL, () => services.sessionStore.getLoginState(id, 'test'))).to.deep.equal({ n: 2 });
    expect(await withAppClockOff(2 * TTL, () => services.sessionStore.takeLoginState(id, 'test'))).to.deep.equal({ n: 2 });
  });

  it('ended by the database: a server whose clock is behind reads it no more, as it could not take it', async () => {
    const id = unique('state');
    await services.sessionStore.saveLoginState(id, 'test', { n: 3 }, 50);
    await new Promise((resolve) => setTimeout(resolve, 100));
    expect(await withAppClockOff(-TTL, () => services.sessionStore.getLoginState(id, 'test'))).to.equal(undefined);
    expect(await withAppClockOff(-TTL, () => services.sessionStore.takeLoginState(id, 'test'))).to.equal(undefined);
  });

  it('the clean-up removes what has ended by the database, whatever the server says', async () => {
    const ended = unique('state');
    const running = unique('state');
    await services.sessionStore.saveLoginState(ended, 'test', null, 50);
    await services.sessionStore.saveLoginState(running, 'test', null, TTL);
    await new Promise((resolve) => setTimeout(resolve, 100));
    // Sessions are not the subject here (their expiry is the app's): none ended before 1970.
    await withAppClockOff(2 * TTL, () => services.sessionStore.deleteExpired(new Date(0)));
    expect(await saved(ended)).to.equal(undefined);
    expect(await saved(running)).not.to.equal(undefined);
  });
});
