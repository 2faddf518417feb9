import { expect } from 'chai';
import { testServices } from '../helpers/harness.ts';
import { sqlRows } from '../../server/store/database.ts';

/**
 * sqlRows: the statements of reads, searches and the audit trail's batches, sent straight to a
 * connection on PostgreSQL (knex's raw path elsewhere). They must mean what `db.raw` makes of them.
 */
describe('sqlRows: one statement as db.raw runs it', () => {
  it('numbers the placeholders as knex does, an escaped question mark staying an operator', async () => {
    const { db } = await testServices();
    const text = `SELECT ?::int AS a, ?::text AS b, '{"k": 1}'::jsonb \\? ? AS has, ?::text[] AS list`;
    const bindings = [7, 'x?y', 'k', ['a', 'b']];
    const rows = await sqlRows(db, text, bindings);
    expect(rows).to.deep.equal((await db.raw(text, bindings)).rows);
    expect(rows).to.deep.equal([{ a: 7, b: 'x?y', has: true, list: ['a', 'b'] }]);
  });

  it('runs inside the transaction it is given, and a transaction over is refused as knex refuses it', async () => {
    const { db } = await testServices();
    await db.raw('CREATE TABLE IF NOT EXISTS sql_rows_probe (n int)');
    let finished: any;
    await db.transaction(async (trx) => {
      await trx.raw('INSERT INTO sql_rows_probe VALUES (41)');
      expect(await sqlRows(trx, 'SELECT n FROM sql_rows_probe WHERE n = ?', [41])).to.deep.equal([{ n: 41 }]);
      finished = trx;
      throw new Error('rolled back');
    }).catch((error: Error) => expect(error.message).to.equal('rolled back'));
    expect(await sqlRows(db, 'SELECT n FROM sql_rows_probe WHERE n = ?', [41])).to.deep.equal([]);
    const late = await sqlRows(finished, 'SELECT 1 AS one', []).catch((error: Error) => error);
    expect(late).to.be.instanceOf(Error);
    await db.raw('DROP TABLE sql_rows_probe');
  });

  it('announces the statement as knex does, for whoever counts statements', async () => {
    const { db } = await testServices();
    const seen: string[] = [];
    const listener = (query: { sql: string }) => seen.push(query.sql);
    db.on('query', listener);
    try {
      await sqlRows(db, 'SELECT ?::int AS counted', [1]);
      await db.transaction((trx) => sqlRows(trx, 'SELECT ?::int AS counted_in_transaction', [2]));
    } finally {
      db.off('query', listener);
    }
    expect(seen.filter((sql) => sql.includes('counted'))).to.have.length(2);
  });

  it('an undefined binding is refused with the error db.raw gives', async () => {
    const { db } = await testServices();
    const error = await sqlRows(db, 'SELECT ?::text AS x', [undefined]).catch((e: Error) => e);
    const expected = await db.raw('SELECT ?::text AS x', [undefined as any]).then(() => undefined, (e: Error) => e);
    expect(error).to.be.instanceOf(Error);
    expect((error as Error).message).to.equal(expected!.message);
  });
});
