import { expect } from 'chai';
import type { Patient } from '@medplum/fhirtypes';
import { birthDateIssues } from '../../server/identity/identity-rules.ts';
import { http, startTestServer, unique, type RunningServer } from '../helpers/harness.ts';

type Json = Record<string, any>;

const born = (birthDate: string): Patient => ({ resourceType: 'Patient', birthDate });

/** A provisional identity (PROV: no INS) with the minimum traits. */
function patient(birthDate: string): Json {
  return { resourceType: 'Patient', name: [{ use: 'official', family: unique('Avenir'), given: ['Lucie'] }], gender: 'female', birthDate };
}

/** Paris calendar day after today, whatever the clock of the machine running the tests. */
function parisTomorrow(): string {
  const today = new Intl.DateTimeFormat('en-CA', { timeZone: 'Europe/Paris', year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const next = new Date(`${today}T00:00:00Z`);
  next.setUTCDate(next.getUTCDate() + 1);
  return next.toISOString().slice(0, 10);
}

describe('Identity: a birth date is neither in the future nor more than 120 years ago (Paris day, partial dates)', () => {
  describe('birthDateIssues', () => {
    // 23:30 UTC on 31 December 2026 is already 1 January 2027 in Paris.
    const parisNewYear = new Date('2026-12-31T23:30:00Z');

    it('accepts today in Paris, even while the UTC day is still yesterday', () => {
      expect(birthDateIssues(born('2027-01-01'), parisNewYear)).to.deep.equal([]);
      expect(birthDateIssues(born('2026-12-31'), parisNewYear)).to.deep.equal([]);
    });

    it('refuses the day after today, naming the field in French', () => {
      const [issue, ...rest] = birthDateIssues(born('2027-01-02'), parisNewYear);
      expect(rest).to.deep.equal([]);
      expect(issue!.expression).to.deep.equal(['Patient.birthDate']);
      expect(issue!.details!.text).to.contain('Date de naissance').and.contain('2 janvier 2027').and.contain('ne peut pas être dans le futur');
    });

    it('compares a partial date (YYYY, YYYY-MM) by its year or month', () => {
      expect(birthDateIssues(born('2027'), parisNewYear)).to.deep.equal([]);
      expect(birthDateIssues(born('2027-01'), parisNewYear)).to.deep.equal([]);
      expect(birthDateIssues(born('2027-02'), parisNewYear)).to.have.length(1);
      expect(birthDateIssues(born('2028'), parisNewYear)).to.have.length(1);
      expect(birthDateIssues(born('1930'), parisNewYear)).to.deep.equal([]);
    });

    it('refuses a birth date more than 120 years before today (Paris day), naming the field and the limit in French', () => {
      // Paris: 1 January 2027, so the oldest plausible birth is 1 January 1907.
      expect(birthDateIssues(born('1907-01-01'), parisNewYear)).to.deep.equal([]);
      expect(birthDateIssues(born('1907'), parisNewYear)).to.deep.equal([]);
      const [issue, ...rest] = birthDateIssues(born('1906-12-31'), parisNewYear);
      expect(rest).to.deep.equal([]);
      expect(issue!.expression).to.deep.equal(['Patient.birthDate']);
      expect(issue!.details!.text).to.equal("Date de naissance (birthDate) invraisemblable : 31 décembre 1906, il y a plus de 120 ans (avant le 1er janvier 1907) ; vérifiez l'année saisie");
      expect(birthDateIssues(born('1850-01-01'), parisNewYear)).to.have.length(1);
      expect(birthDateIssues(born('1850'), parisNewYear)).to.have.length(1);
    });
  });

  describe('every write path', () => {
    let server: RunningServer;
    before(async () => {
      server = await startTestServer();
    });
    after(() => server.close());

    // In a transaction the path names the entry: Bundle.entry[0].resource.birthDate.
    const expectFutureRefused = (res: { status: number; text: string; body: Json }, path = 'Patient.birthDate') => {
      expect(res.status, res.text).to.equal(422);
      expect(res.body.resourceType).to.equal('OperationOutcome');
      const issue = res.body.issue.find((i: Json) => i.expression?.[0] === path);
      expect(issue, res.text).to.exist;
      expect(issue.details.text).to.contain('ne peut pas être dans le futur');
    };

    it('refuses a creation born in 2030 (422)', async () => {
      expectFutureRefused(await http(server, 'POST', '/Patient', patient('2030-01-01')));
      expectFutureRefused(await http(server, 'POST', '/Patient', patient(parisTomorrow())));
      expectFutureRefused(await http(server, 'POST', '/Patient', patient('2030')));
    });

    it('refuses a creation born on 1 January 1850 (422 under Patient.birthDate), as the form shows it', async () => {
      const res = await http(server, 'POST', '/Patient', patient('1850-01-01'));
      expect(res.status, res.text).to.equal(422);
      const issue = res.body.issue.find((i: Json) => i.expression?.[0] === 'Patient.birthDate');
      expect(issue?.details.text, res.text).to.contain('invraisemblable : 1er janvier 1850, il y a plus de 120 ans');
    });

    it('refuses an update moving the birth date into the future (422), the record is unchanged', async () => {
      const created = await http(server, 'POST', '/Patient', patient('1930-01-01'));
      expect(created.status, created.text).to.equal(201);
      expectFutureRefused(await http(server, 'PUT', `/Patient/${created.body.id}`, { ...created.body, birthDate: '2030-01-01' }));
      expect((await http(server, 'GET', `/Patient/${created.body.id}`)).body.birthDate).to.equal('1930-01-01');
    });

    it('refuses a transaction creating a patient born in the future (422), nothing written', async () => {
      const family = unique('Transaction');
      const res = await http(server, 'POST', '/', {
        resourceType: 'Bundle', type: 'transaction',
        entry: [{ fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: { ...patient('2030-01-01'), name: [{ use: 'official', family, given: ['Lucie'] }] }, request: { method: 'POST', url: 'Patient' } }],
      });
      expectFutureRefused(res, 'Bundle.entry[0].resource.birthDate');
      expect((await http(server, 'GET', `/Patient?family=${family}`)).body.entry ?? []).to.have.length(0);
    });
  });
});
