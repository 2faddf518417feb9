import { expect } from 'chai';
import { parseSearchRequest } from '../../server/fhir-kit/search-request.ts';
import { PLANNED_EACH_TIME, searchSource, sortKeys } from '../../server/store/search-sql.ts';
import { isPgLite } from '../../server/store/database.ts';
import { systemContext } from '../../server/context.ts';
import { professional } from '../helpers/users.ts';
import { testServices } from '../helpers/harness.ts';

/**
 * A search's resource type and parameter codes are written into its statement (so PostgreSQL
 * keeps one plan per kind of search, see definedName in search-sql.ts); what the caller sends
 * — codes, systems, reference targets — is only ever bound.
 */
describe('Search statements: the definitions written in, the caller\'s values bound', () => {
  const request = (type: string, query: Record<string, string>) =>
    parseSearchRequest(type, new URLSearchParams({ ...query, _count: '10' }), { defaultCount: 10, maxCount: 10 }, true).request;

  it('writes the type and the parameter codes, binds the values however they are shaped', () => {
    const hostile = `x'); DELETE FROM resource; --`;
    const search = request('Patient', { identifier: `urn:oid:1.2.250.1.213.1.4.10|${hostile}`, 'general-practitioner': `Practitioner/p-1`, _sort: 'birthdate' });
    const source = searchSource(search);
    expect(source.text).to.contain(`r.resource_type = 'Patient'`);
    expect(source.text).to.contain(`i.resource_type = 'Patient' AND i.param = 'identifier'`);
    expect(source.text).to.contain(`i.param = 'general-practitioner'`);
    expect(source.text).not.to.contain('DELETE');
    expect(source.bindings).to.include(hostile).and.include('urn:oid:1.2.250.1.213.1.4.10').and.include('p-1');
    const [sort] = sortKeys(search);
    expect(sort.expr).to.contain(`i.param = 'birthdate'`);
    expect(sort.bindings).to.deep.equal([]);
  });

  it('the hostile value finds nothing and harms nothing', async () => {
    const { store, db } = await testServices();
    const repo = store.system();
    const rows = async () => Number((await db('resource').count({ n: '*' }))[0].n);
    const before = await rows();
    const found = await repo.search(request('Patient', { identifier: `urn:oid:1.2.250.1.213.1.4.10|x'); DELETE FROM resource; --` }));
    expect(found.resources).to.deep.equal([]);
    expect(await rows()).to.be.at.least(before);
  });

  it('a date or number range is planned for its values each time; other searches keep their plan (PostgreSQL)', async function () {
    const { store, db } = await testServices();
    expect(searchSource(request('Condition', { 'recorded-date': 'ge2025-01-01' })).text).to.contain(PLANNED_EACH_TIME);
    expect(searchSource(request('Observation', { _lastUpdated: 'lt2025-01-01' })).text).to.contain(PLANNED_EACH_TIME);
    expect(searchSource(request('Patient', { identifier: 'urn:oid:1.2.250.1.213.1.4.8|1' })).text).not.to.contain(PLANNED_EACH_TIME);
    if (isPgLite(db)) this.skip(); // PGlite keeps no prepared statements
    // As a professional (the access rule is what makes a search a prepared statement), on one connection.
    const ctx = { ...systemContext(), principal: professional('Dr Plans', ['physician'], { practitionerId: 'p-plans' }) };
    const kept = await store.forRequest(ctx).transaction(async (tx) => {
      for (let i = 0; i < 7; i++) {
        await tx.search(request('Condition', { 'recorded-date': `ge2025-0${1 + (i % 9)}-01` }));
        await tx.search(request('Patient', { identifier: `urn:oid:1.2.250.1.213.1.4.8|${i}` }));
      }
      return (await tx.db.raw('SELECT statement FROM pg_prepared_statements')).rows.map((r: { statement: string }) => r.statement);
    });
    expect(kept.some((text: string) => text.includes(`i.param = 'identifier'`))).to.equal(true);
    expect(kept.filter((text: string) => text.includes('recorded-date'))).to.deep.equal([]);
  });
});
