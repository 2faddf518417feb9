import { expect } from 'chai';
import { AccessControl } from '../../server/access/access-control.ts';
import { readableTypes } from '../../server/access/policy.ts';
import type { AccessStore } from '../../server/store/access-store.ts';
import type { RequestContext } from '../../server/context.ts';
import { professional } from '../helpers/users.ts';

/**
 * The caller's rule is kept per professional and roles (AccessControl.optionsFor, readableTypes):
 * a principal must never get the rule kept for another shape of roles — in particular a single
 * unknown role whose text is several known roles written together must not read like them.
 */
describe('Access rule kept per caller: never another caller\'s', () => {
  const ctx = (roles: string[]): RequestContext => ({
    requestId: 'r', principal: professional('Dr Test', roles, { practitionerId: 'p-cache' }), baseUrl: 'https://dcc.test/fhir',
  } as RequestContext);

  it('roles ["physician", "gp"] and ["physician gp"] get different rules, in either order', () => {
    const access = new AccessControl({} as AccessStore);
    const both = access.optionsFor(ctx(['physician', 'gp'])).visibility;
    const glued = access.optionsFor(ctx(['physician gp'])).visibility;
    expect(glued).to.not.deep.equal(both);
    const fresh = new AccessControl({} as AccessStore);
    expect(fresh.optionsFor(ctx(['physician gp'])).visibility).to.deep.equal(glued);
    expect(fresh.optionsFor(ctx(['physician', 'gp'])).visibility).to.deep.equal(both);
  });

  it('the readable types of an unknown role stay empty after the known roles were asked', () => {
    expect(readableTypes(professional('A', ['physician', 'gp'])).size).to.be.greaterThan(0);
    expect(readableTypes(professional('B', ['physician gp'])).size).to.equal(0);
  });
});
