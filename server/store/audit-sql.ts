import type { AuditEvent, Resource } from '@medplum/fhirtypes';
import { badRequest } from '../fhir-kit/errors.ts';
import { parseReference } from '../fhir-kit/ids.ts';
import type { SearchFilter } from '../fhir-kit/search-types.ts';
import type { IndexRows } from './indexer.ts';
import { normalizeString } from './normalize.ts';
import { escapeLike, indexOfUnescaped, referenceTarget, unescape, type Sql } from './search-values.ts';

/**
 * How the audit trail is stored and searched (migrations/015-audit-keys.ts): an AuditEvent has no
 * search-index rows; its searches read two indexes partial to the trail instead, the references it
 * names (column `audit_keys`, written with it) and its `recorded` instant (dcc_audit_recorded).
 * Only the criteria a security review uses are offered (fhir-kit/search-parameters.ts,
 * AUDIT_SEARCH_PARAMS).
 */
export const AUDIT_KEYS = 'r.audit_keys';
export const AUDIT_RECORDED = 'dcc_audit_recorded(r.content)';
/** Repeated in each condition as a constant: the indexes are partial to it, and a bound value would not prove it. */
const ON_TRAIL = "r.resource_type = 'AuditEvent'";

/**
 * The index of an AuditEvent as the store writes it: no index rows, its keys (the references it
 * names, by role: 'agent|Practitioner/1', 'entity|…', and 'patient|Patient/3' for a patient agent
 * or entity) and its compartment, the first patient it names (agents, then entities), as the
 * indexer's `patient` parameter gave it.
 */
export function auditIndex(event: Resource): IndexRows {
  const { agent = [], entity = [] } = event as AuditEvent;
  const named = [
    ...agent.map((a) => ({ role: 'agent', ref: a.who?.reference })),
    ...entity.map((e) => ({ role: 'entity', ref: e.what?.reference })),
  ].filter((n): n is { role: string; ref: string } => Boolean(n.ref));
  const keys = new Set<string>();
  let patientId: string | null = null;
  for (const { role, ref } of named) {
    const parts = parseReference(ref);
    keys.add(`${role}|${parts ? `${parts.type}/${parts.id}` : ref}`);
    if (parts?.type === 'Patient') {
      keys.add(`patient|Patient/${parts.id}`);
      patientId ??= parts.id;
    }
  }
  return { token: [], string: [], date: [], reference: [], number: [], patientId, auditKeys: [...keys] };
}

/** The condition of one search criterion on AuditEvent `r` (its values ORed). */
export function auditFilterCondition(filter: SearchFilter): Sql {
  const param = filter.param!;
  if (filter.modifier === 'missing') throw badRequest(`Le modificateur :missing n'est pas pris en charge pour AuditEvent.${filter.code}`);
  const not = filter.modifier === 'not';
  const parts = filter.values.map((value): Sql => {
    switch (param.type) {
      case 'reference': return referenceCondition(filter, value);
      case 'token': return tokenCondition(filter, value);
      case 'string': return addressCondition(filter, value);
      default: throw badRequest(`Critère non pris en charge pour AuditEvent : ${filter.code}`);
    }
  });
  const any = { text: `(${parts.map((p) => p.text).join(' OR ')})`, bindings: parts.flatMap((p) => p.bindings) };
  return not ? { text: `NOT ${any.text}`, bindings: any.bindings } : any;
}

/** `patient`, `agent`, `entity`: a key of `audit_keys` (served by its GIN index). */
function referenceCondition(filter: SearchFilter, raw: string): Sql {
  const target = referenceTarget(filter, unescape(raw));
  const named = (key: string): Sql => ({ text: `(${ON_TRAIL} AND ${AUDIT_KEYS} @> ARRAY[?]::text[])`, bindings: [`${filter.code}|${key}`] });
  if ('url' in target) return named(target.url);
  if (target.type) return named(`${target.type}/${target.id}`);
  // A bare id of a parameter with several target types: any of them.
  return { text: `EXISTS (SELECT 1 FROM unnest(${AUDIT_KEYS}) k WHERE k LIKE ?)`, bindings: [`${filter.code}|%/${target.id}`] };
}

/** The codings a token parameter reads, as a JSON array of {system, code}. */
const CODINGS: Record<string, string> = {
  type: "jsonb_build_array(r.content->'type')",
  subtype: "COALESCE(r.content->'subtype', '[]'::jsonb)",
  action: "jsonb_build_array(jsonb_build_object('code', r.content->'action'))",
  outcome: "jsonb_build_array(jsonb_build_object('code', r.content->'outcome'))",
};

/** `type`, `subtype`, `action`, `outcome`: `code`, `system|code`, `system|` or `|code`. */
function tokenCondition(filter: SearchFilter, value: string): Sql {
  if (filter.modifier && filter.modifier !== 'not') throw badRequest(`Modificateur :${filter.modifier} non pris en charge pour ${filter.code}`);
  const codings = CODINGS[filter.code];
  if (!codings) throw badRequest(`Critère non pris en charge pour AuditEvent : ${filter.code}`);
  const bar = indexOfUnescaped(value, '|');
  const code = unescape(bar < 0 ? value : value.slice(bar + 1));
  const system = bar < 0 ? undefined : unescape(value.slice(0, bar));
  if (system === '') {
    return { text: `EXISTS (SELECT 1 FROM jsonb_array_elements(${codings}) c WHERE c->>'code' = ? AND c->'system' IS NULL)`, bindings: [code] };
  }
  const wanted = { ...(system ? { system } : {}), ...(code ? { code } : {}) };
  return { text: `${codings} @> ?::jsonb`, bindings: [JSON.stringify([wanted])] };
}

/** `address`: the agents' network addresses, as string parameters match (prefix, :exact, :contains). */
function addressCondition(filter: SearchFilter, value: string): Sql {
  const raw = unescape(value);
  const modifier = filter.modifier && filter.modifier !== 'not' ? filter.modifier : undefined;
  const elements = "jsonb_array_elements(COALESCE(r.content->'agent', '[]'::jsonb)) a";
  if (modifier === 'exact') return { text: `EXISTS (SELECT 1 FROM ${elements} WHERE a->'network'->>'address' = ?)`, bindings: [raw] };
  if (modifier && modifier !== 'contains') throw badRequest(`Modificateur :${modifier} non pris en charge pour ${filter.code}`);
  const pattern = `${modifier === 'contains' ? '%' : ''}${escapeLike(normalizeString(raw))}%`;
  return { text: `EXISTS (SELECT 1 FROM ${elements} WHERE lower(a->'network'->>'address') LIKE ? ESCAPE '\\')`, bindings: [pattern] };
}

/** `_include=AuditEvent:patient|agent|entity`: the resources the events of `seqs` name under that parameter. */
export function auditIncludeSource(param: string, seqs: string[], targetType?: string): Sql {
  return {
    text: `(SELECT DISTINCT split_part(split_part(k, '|', 2), '/', 1) AS target_type, split_part(split_part(k, '|', 2), '/', 2) AS target_id
            FROM resource r, unnest(${AUDIT_KEYS}) k
            WHERE r.seq IN (${seqs.map(() => '?').join(', ')}) AND ${ON_TRAIL} AND k LIKE ?${targetType ? ' AND split_part(split_part(k, \'|\', 2), \'/\', 1) = ?' : ''})`,
    bindings: [...seqs, `${param}|%/%`, ...(targetType ? [targetType] : [])],
  };
}

/** `_revinclude=AuditEvent:patient|agent|entity`: the events naming one of these resources under that parameter. */
export function auditRevIncludeCondition(param: string, targetType: string, ids: string[]): Sql {
  return {
    text: `${ON_TRAIL} AND ${AUDIT_KEYS} && ?::text[]`,
    bindings: [ids.map((id) => `${param}|${targetType}/${id}`)],
  };
}
