import { expect } from 'chai';
import { as, createSummaryCase, startSummaryServer, type SummaryServer } from './fixtures.ts';
import { testUsers } from '../helpers/users.ts';

const SHARING = 'https://dcc-paca.example/fhir/CodeSystem/dcc-sharing-event';

/**
 * QA, security officer's walkthrough: the trail and its CSV read « Synthèse nurse (pdf) »,
 * « Synthèse pharmacist (json) », « Synthèse gp (pdf) » — the role codes, not the menus' words.
 */
describe('Summaries: a summary view reads in the audit trail in French (role and format)', () => {
  let server: SummaryServer;
  const users = testUsers();
  before(async () => { server = await startSummaryServer(users); });
  after(() => server.close());

  it('« Synthèse médecin généraliste (PDF) », « Synthèse infirmier(ère) libéral(e) (JSON) », « Synthèse pharmacien d\'officine (HTML) »', async () => {
    const c = await createSummaryCase(server, users, { shareWithGp: true });
    for (const [user, format] of [['gp', 'pdf'], ['nurse', 'json'], ['pharmacist', 'html']] as const) {
      const res = await as(server, user, 'GET', `/Patient/${c.patientId}/$summary?_format=${format}`);
      expect(res.status, `${user} ${format}`).to.equal(200);
    }
    const res = await as(server, 'system', 'GET', `/AuditEvent?patient=Patient/${c.patientId}&subtype=${encodeURIComponent(`${SHARING}|summary-view`)}&_count=100`);
    const details = (res.body.entry ?? []).map((e: any) => e.resource.outcomeDesc).sort();
    expect(details).to.deep.equal([
      'Synthèse infirmier(ère) libéral(e) (JSON)',
      'Synthèse médecin généraliste (PDF)',
      "Synthèse pharmacien d'officine (HTML)",
    ]);
  });
});
