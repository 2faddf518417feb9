import { expect } from 'chai';
import express from 'express';
import type { AddressInfo } from 'node:net';
import { ROLE_LABELS as onPages, roleLabel } from '../../client/src/lib/roles.ts';
import { ROLE_LABELS as onServer } from '../../server/access/index.ts';
import type { SignInDeps } from '../../server/auth/sign-in.ts';
import { demoSignInRouter } from '../../server/auth/demo-sign-in.ts';

/**
 * One French vocabulary for roles: the demo sign-in page said « Administrateur (sécurité) » and
 * « Pharmacien(ne) d'officine », the header and the audit trail (and its CSV) « Responsable
 * sécurité » and « Pharmacien(ne) », the nurse « Infirmier(ère) » here, « libéral(e) » there.
 * The server's table is the source; the client cannot import it and mirrors it.
 */
describe('Client: the roles in words, as the server says them (client/src/lib/roles.ts, server/access/role-labels.ts)', () => {
  it('the pages mirror the server’s table, role for role', () => {
    expect(onPages).to.deep.equal(onServer);
  });

  it('the glossary’s words: IDEL, pharmacien d’officine, the 3C', () => {
    expect(roleLabel(['nurse', 'pharmacist', 'coordinator', 'admin'])).to.equal("Infirmier(ère) libéral(e), Pharmacien d'officine, Coordination 3C, Responsable sécurité");
  });

  it('the demo sign-in page lists each role under the same words, in the table’s order', async () => {
    // GET /demo/users reads the demo directory only: no session dependency is used.
    const server = express().use('/auth', demoSignInRouter({} as SignInDeps)).listen(0);
    try {
      const res = await fetch(`http://127.0.0.1:${(server.address() as AddressInfo).port}/auth/demo/users`);
      expect(res.status).to.equal(200);
      const roles = ((await res.json()) as { roles: { role: keyof typeof onServer; label: string }[] }).roles;
      expect(roles.map((r) => r.role)).to.deep.equal(['gp', 'nurse', 'pharmacist', 'physician', 'coordinator', 'admin']);
      for (const r of roles) expect(r.label, r.role).to.equal(onPages[r.role]);
    } finally {
      server.close();
    }
  });
});
