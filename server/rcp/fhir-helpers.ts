import type { Extension, Reference, Resource } from '@medplum/fhirtypes';
import type { RequestContext } from '../context.ts';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import type { FhirRepository } from '../store/repository.ts';
import { escapeHtml } from '../fhir-kit/text.ts';
import { hasVersionIdOrNone, parseReference } from '../fhir-kit/ids.ts';

/** What every RCP step works with: the caller's repository (access rules + audit), who, and when. */
export interface RcpContext {
  repo: FhirRepository;
  ctx: RequestContext;
  now: Date;
}

export function withRepo(rc: RcpContext, repo: FhirRepository): RcpContext {
  return { ...rc, repo };
}

type WithExtensions = { extension?: Extension[] };

export function ext(holder: WithExtensions | undefined, url: string): Extension | undefined {
  return holder?.extension?.find((e) => e.url === url);
}

export function exts(holder: WithExtensions | undefined, url: string): Extension[] {
  return holder?.extension?.filter((e) => e.url === url) ?? [];
}

/** Drops undefined values so optional items stay absent (FHIR forbids empty elements). */
export function compact<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined && !(Array.isArray(v) && v.length === 0))) as T;
}

/** Drops undefined values only (domain objects keep their empty lists). */
export function defined<T extends object>(value: T): T {
  return Object.fromEntries(Object.entries(value).filter(([, v]) => v !== undefined)) as T;
}

// eslint-disable-next-line @typescript-eslint/no-explicit-any
export function reference(type: string, id: string, display?: string): Reference<any> {
  return display ? { reference: `${type}/${id}`, display } : { reference: `${type}/${id}` };
}

/** `Type/id` (optionally absolute or versioned) → id, when the type matches. */
export function idFrom(value: string | Reference | undefined, type: string): string | undefined {
  const text = typeof value === 'string' ? value : value?.reference;
  if (!text) return undefined;
  const target = parseReference(text);
  return target?.type === type && hasVersionIdOrNone(target) ? target.id : undefined;
}

/** FHIR time (14:00:00) ↔ HH:mm. */
export const toFhirTime = (hhmm: string) => `${hhmm}:00`;
export const fromFhirTime = (time: string | undefined) => time?.slice(0, 5);

export function versionOf(resource: Resource): string {
  return resource.meta?.versionId ?? '1';
}

const LIMITS = { defaultCount: 200, maxCount: 200 };

export async function searchOne<T extends Resource>(repo: FhirRepository, resourceType: string, params: Record<string, string | string[]>): Promise<T | undefined> {
  const query = new URLSearchParams();
  for (const [k, v] of Object.entries(params)) for (const value of Array.isArray(v) ? v : [v]) query.append(k, value);
  query.set('_count', '1');
  const { request } = parseSearchRequest(resourceType, query, LIMITS, true);
  request.total = 'none';
  return (await repo.search<T>(request)).resources[0];
}


export function narrative(paragraphs: string[]): { status: 'generated'; div: string } {
  return { status: 'generated', div: `<div xmlns="http://www.w3.org/1999/xhtml">${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('')}</div>` };
}
