import { expect } from 'chai';
import { pdfPageTexts } from '../helpers/pdf-text.ts';
import { testUsers } from '../helpers/users.ts';
import { as, createSummaryCase, signedRcpSheet, startSummaryPpac, startSummaryServer, type SummaryServer } from '../summary/fixtures.ts';
import { asUser } from '../helpers/users.ts';

/**
 * Identity vigilance on paper (RNIV): every page of every printed document names the patient by
 * the birth name in capitals, the first names and the birth date — a loose page of one patient's
 * report must never be filed in another's record. The patient here also has a used name (her
 * married name), which the footers once printed instead of the birth name.
 */
describe('Printed documents: the patient identity on every page (RCP sheet, PPS, PPAC, summary)', () => {
  let server: SummaryServer;
  const users = testUsers();
  before(async () => {
    server = await startSummaryServer(users);
  });
  after(() => server.close());

  it('each page footer reads the birth name in capitals, the first names and the birth date, never the used name alone', async () => {
    const c = await createSummaryCase(server, users);
    const patient = (await as(server, 'system', 'GET', `/Patient/${c.patientId}`)).body;
    const withUsedName = { ...patient, name: [{ use: 'usual', family: 'Marchetti', given: ['Hélène'] }, ...patient.name] };
    expect((await as(server, 'system', 'PUT', `/Patient/${c.patientId}`, withUsedName)).status).to.equal(200);
    const sheet = await signedRcpSheet(server, users, c);
    const ppac = await startSummaryPpac(server, c);

    const identity = `${c.family.toUpperCase()} Hélène Marie, née le 14/03/1958`;
    const printouts: [string, string, string][] = [
      ['Fiche RCP', 'oncologist', `/Composition/${sheet.id}/$render?format=pdf`],
      ['PPS', 'oncologist', `/CarePlan/${c.ppsId}/$render?format=pdf`],
      ['PPAC', 'gp', `/CarePlan/${ppac.id}/$render?format=pdf`],
      ['Synthèse du médecin traitant', 'gp', `/Patient/${c.patientId}/$summary?_format=pdf&audience=gp`],
    ];
    for (const [what, user, path] of printouts) {
      const res = await fetch(`${server.fhirUrl}${path}`, { headers: asUser(user) });
      expect(res.status, what).to.equal(200);
      const pages = pdfPageTexts(Buffer.from(await res.arrayBuffer()));
      if (what === 'Fiche RCP' || what === 'PPS') expect(pages.length, `${what}: several pages`).to.be.greaterThan(1);
      pages.forEach((lines, i) => {
        // The footer is the last text written on each page.
        const footer = lines.at(-1) ?? '';
        expect(footer, `${what}, page ${i + 1}`).to.contain(identity);
        expect(footer, `${what}, page ${i + 1}`).to.contain(`page ${i + 1} sur ${pages.length}`);
        expect(footer, `${what}, page ${i + 1}`).not.to.contain('MARCHETTI');
      });
    }
  });

  it('the identity box of the PPS and the PPAC reads the names by the shared rule: birth name in capitals, first names, the used name apart', async () => {
    const c = await createSummaryCase(server, users);
    const patient = (await as(server, 'system', 'GET', `/Patient/${c.patientId}`)).body;
    const ppac = await startSummaryPpac(server, c);
    const birth = c.family.toUpperCase();
    /** The « Patient » box of the HTML printout: its [label, value] pairs in order. */
    const identityBox = async (path: string, user: 'oncologist' | 'gp') => {
      const html = (await as(server, user, 'GET', path)).text as string;
      const box = /<section aria-label="Patient">(.*?)<\/section>/s.exec(html)?.[1] ?? '';
      return [...box.matchAll(/<dt>(.*?)<\/dt><dd>(.*?)<\/dd>/g)].map((m) => [m[1]!.replace(/&#39;/g, "'"), m[2]!]);
    };
    const printouts: [string, string, 'oncologist' | 'gp'][] = [
      ['PPS', `/CarePlan/${c.ppsId}/$render?format=html`, 'oncologist'],
      ['PPAC', `/CarePlan/${ppac.id}/$render?format=html`, 'gp'],
    ];

    // Married name listed first: the box put « Nom d'usage » between the birth name and the first names.
    const married = { ...patient, name: [{ use: 'usual', family: 'Marchetti', given: ['Hélène'] }, ...patient.name] };
    expect((await as(server, 'system', 'PUT', `/Patient/${c.patientId}`, married)).status).to.equal(200);
    for (const [what, path, user] of printouts) {
      expect((await identityBox(path, user)).slice(0, 3), what).to.deep.equal([['Nom de naissance', birth], ['Prénom(s)', 'Hélène Marie'], ["Nom d'usage", 'MARCHETTI']]);
    }

    // The used name written in capitals is the birth name all the same: not printed twice.
    const sameInCapitals = { ...patient, name: [...patient.name, { use: 'usual', family: birth, given: ['Hélène'] }] };
    expect((await as(server, 'system', 'PUT', `/Patient/${c.patientId}`, sameInCapitals)).status).to.equal(200);
    for (const [what, path, user] of printouts) {
      expect((await identityBox(path, user)).map(([k]) => k), what).not.to.include("Nom d'usage");
    }
  });
});
