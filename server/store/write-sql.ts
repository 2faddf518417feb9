import type { Resource } from '@medplum/fhirtypes';
import type { IndexRows } from './indexer.ts';
import type { Sql } from './search-sql.ts';

/**
 * The SQL of a write, as ONE statement: the current row, its version and all its search-index
 * rows in data-modifying CTEs. A write used to be 3 statements plus one per index table (and one
 * delete per table on update): each round trip costs more than the work on PGlite's single
 * connection, and an RCP decision writes a dozen resources and their audit trail.
 * Index rows travel as one JSON parameter per table (jsonb_to_recordset), so a statement's bind
 * parameters stay few whatever the number of rows (PostgreSQL allows 65,535).
 * The CTEs share one snapshot: the DELETE of a resource's old index rows cannot see the rows the
 * INSERT of the same statement adds (the index tables have no unique constraint to trip on).
 */

/**
 * Marks the writes' SQL: its text depends only on which index tables get rows (a few dozen shapes)
 * and, for a one-statement create, on the caller's access rules (one text per kind of profession),
 * so database.ts keeps their plans per connection like the access-rule queries'. Planning this
 * statement of data-modifying CTEs took ~0.2 ms of PostgreSQL per write and per batch of read
 * traces, as much as a fifth of its execution.
 */
export const WRITE_MARKER = '/* dcc:write */';

type IndexKey = keyof Omit<IndexRows, 'patientId'>;
const INDEX_TABLES: { table: string; key: IndexKey; columns: [string, string][] }[] = [
  { table: 'sp_token', key: 'token', columns: [['system', 'text'], ['code', 'text']] },
  { table: 'sp_string', key: 'string', columns: [['value', 'text'], ['exact', 'text']] },
  { table: 'sp_date', key: 'date', columns: [['low', 'timestamptz'], ['high', 'timestamptz']] },
  { table: 'sp_reference', key: 'reference', columns: [['target_type', 'text'], ['target_id', 'text'], ['reference', 'text']] },
  { table: 'sp_number', key: 'number', columns: [['value', 'numeric']] },
];

export interface NewResource { resource: Resource; index: IndexRows }

/**
 * Inserts new resources (version 1) with their versions and index rows. A resource whose
 * (type, id) already exists is skipped (ON CONFLICT DO NOTHING) with its index rows: the rows
 * returned (seq, resource_type, id) are the ones written. With `existing: 'fail'`, the statement
 * fails instead (unique violation) and writes nothing. With `onlyIf`, it writes nothing unless
 * every one of those conditions holds.
 */
export function insertResourcesSql(items: NewResource[], lastUpdated: string, options: { existing: 'skip' | 'fail'; onlyIf?: Sql[] } = { existing: 'skip' }): Sql {
  const input = items.map(({ resource, index }, ord) => ({ ord, resource_type: resource.resourceType, id: resource.id, patient_id: index.patientId, audit_keys: index.auditKeys ?? null, content: resource }));
  const onlyIf = options.onlyIf ?? [];
  const ctes = [
    `input AS (SELECT * FROM jsonb_to_recordset(?::jsonb) AS x(ord int, resource_type text, id text, patient_id text, audit_keys text[], content jsonb)${onlyIf.length ? ` WHERE ${onlyIf.map((c) => c.text).join(' AND ')}` : ''})`,
    // ORDER BY: seq follows the order given (the tie-breaker of searches), as one insert per resource did.
    `r AS (INSERT INTO resource (resource_type, id, version_id, last_updated, deleted, patient_id, audit_keys, content)
       SELECT resource_type, id, 1, ?::timestamptz, false, patient_id, audit_keys, content FROM input ORDER BY ord
       ${options.existing === 'skip' ? 'ON CONFLICT (resource_type, id) DO NOTHING ' : ''}RETURNING seq, resource_type, id, last_updated, content)`,
    `v AS (INSERT INTO resource_version (res, resource_type, id, version_id, last_updated, deleted, content)
       SELECT seq, resource_type, id, 1, last_updated, false, content FROM r)`,
  ];
  const bindings: unknown[] = [JSON.stringify(input), ...onlyIf.flatMap((c) => c.bindings), lastUpdated];
  for (const [n, { table, key, columns }] of INDEX_TABLES.entries()) {
    const rows = items.flatMap(({ resource, index }) => (index[key] as object[]).map((row) => ({ ...row, resource_type: resource.resourceType, id: resource.id })));
    if (!rows.length) continue;
    const names = columns.map(([c]) => c);
    ctes.push(`i${n} AS (INSERT INTO ${table} (res, resource_type, param, ${names.join(', ')})
       SELECT r.seq, r.resource_type, x.param, ${names.map((c) => `x.${c}`).join(', ')}
       FROM jsonb_to_recordset(?::jsonb) AS x(resource_type text, id text, param text, ${columns.map(([c, t]) => `${c} ${t}`).join(', ')})
       JOIN r ON r.resource_type = x.resource_type AND r.id = x.id)`);
    bindings.push(JSON.stringify(rows));
  }
  return { text: `${WRITE_MARKER} WITH ${ctes.join(',\n')}\nSELECT seq, resource_type, id FROM r`, bindings };
}

/**
 * A new version of an existing resource (`seq`, locked by the caller): the current row, the
 * version row and the index rows replaced. A deletion keeps the row's last content and
 * compartment, stores an empty version and leaves no index rows.
 */
export function writeVersionSql(seq: string, version: { resourceType: string; id: string; versionId: number; lastUpdated: string } & ({ deleted: true } | { deleted: false; resource: Resource; index: IndexRows })): Sql {
  const bindings: unknown[] = [];
  const ctes: string[] = [];
  if (version.deleted) {
    ctes.push(`r AS (UPDATE resource SET version_id = ?, last_updated = ?::timestamptz, deleted = true WHERE seq = ? RETURNING seq, last_updated)`);
    bindings.push(version.versionId, version.lastUpdated, seq);
  } else {
    ctes.push(`r AS (UPDATE resource SET version_id = ?, last_updated = ?::timestamptz, deleted = false, patient_id = ?, content = ?::jsonb WHERE seq = ? RETURNING seq, last_updated, content)`);
    bindings.push(version.versionId, version.lastUpdated, version.index.patientId, JSON.stringify(version.resource), seq);
  }
  ctes.push(`v AS (INSERT INTO resource_version (res, resource_type, id, version_id, last_updated, deleted, content)
     SELECT seq, ?, ?, ?, last_updated, ?, ${version.deleted ? 'NULL' : 'content'} FROM r)`);
  bindings.push(version.resourceType, version.id, version.versionId, version.deleted);
  for (const [n, { table, key, columns }] of INDEX_TABLES.entries()) {
    ctes.push(`d${n} AS (DELETE FROM ${table} WHERE res = ?)`);
    bindings.push(seq);
    const rows = version.deleted ? [] : (version.index[key] as object[]);
    if (!rows.length) continue;
    const names = columns.map(([c]) => c);
    ctes.push(`i${n} AS (INSERT INTO ${table} (res, resource_type, param, ${names.join(', ')})
       SELECT ?::bigint, ?, x.param, ${names.map((c) => `x.${c}`).join(', ')}
       FROM jsonb_to_recordset(?::jsonb) AS x(param text, ${columns.map(([c, t]) => `${c} ${t}`).join(', ')}))`);
    bindings.push(seq, version.resourceType, JSON.stringify(rows));
  }
  return { text: `${WRITE_MARKER} WITH ${ctes.join(',\n')}\nSELECT seq FROM r`, bindings };
}
