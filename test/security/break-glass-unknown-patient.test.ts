import { expect } from 'chai';
import { randomUUID } from 'node:crypto';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';
import { asUser, identifyByHeader, professional, testUsers } from '../helpers/users.ts';

/**
 * QA (hospital physician): an emergency access on a made-up id answered « Patient/00000000-…
 * introuvable », telling a made-up id from a real one, where every refused read deliberately does
 * not. A record that does not exist and one that no longer does answer alike, without the id,
 * and the attempt is in the trail.
 */
describe('Security: an emergency access to a record that does not exist says nothing of it, and is traced', () => {
  let server: RunningServer;
  const users = testUsers();
  const as = (user: string, method: string, path: string, body?: unknown) => http(server, method, path, body, asUser(user));
  const reason = 'Patient inconscient admis au déchocage, antécédents inconnus';
  let practitionerId: string;

  before(async () => {
    server = await startTestServer({ identify: identifyByHeader(users, 'system') });
    practitionerId = (await as('system', 'POST', '/Practitioner', { resourceType: 'Practitioner', name: [{ family: unique('Urgences'), given: ['Test'] }] })).body.id;
    users.emergency = professional('Dr Urgences', ['physician'], { practitionerId });
  });
  after(() => server.close());

  it('a made-up id and a deleted record get the same 404, which names neither; each attempt is an AuditEvent of that id (failure)', async () => {
    const madeUp = randomUUID();
    const deleted = (await as('system', 'POST', '/Patient', { resourceType: 'Patient', name: [{ family: unique('Supprime'), given: ['Test'] }], gender: 'male', birthDate: '1950-05-05' })).body.id;
    expect((await as('system', 'DELETE', `/Patient/${deleted}`)).status).to.be.oneOf([200, 204]);

    const answers = [];
    for (const id of [madeUp, deleted]) {
      const res = await as('emergency', 'POST', `/Patient/${id}/$break-glass`, { reason });
      expect(res.status, id).to.equal(404);
      answers.push(res.body.issue[0].details.text);
    }
    expect(answers[0]).to.equal(answers[1]);
    expect(answers[0]).to.equal("Accès d'urgence impossible : ce dossier n'existe pas, ou il ne peut pas vous être ouvert en urgence");
    expect(answers[0]).not.to.contain(madeUp);

    for (const id of [madeUp, deleted]) {
      const trail = await as('system', 'GET', `/AuditEvent?patient=Patient/${id}&agent=Practitioner/${practitionerId}&_count=50`);
      const refusals = (trail.body.entry ?? []).map((e: any) => e.resource).filter((e: any) => e.subtype?.some((s: any) => s.code === 'break-glass-refused'));
      expect(refusals, id).to.have.length(1);
      expect(refusals[0].outcome).to.equal('4');
      expect(refusals[0].outcomeDesc).to.contain(reason);
    }
  });
});
