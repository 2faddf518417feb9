/**
 * The sheet's own entries (Condition, Observations, Procedures, the decision CarePlan) across
 * versions: a new version of the sheet updates them in place — same id, a new version — so every
 * reference to them (the case, a PPS's basedOn, another sheet) stays valid; an entry the new version
 * no longer holds is ended, never deleted (a signed version may pin it, and a deleted resource
 * answers 410 to whoever still points at it).
 */
import type { CarePlan, Composition, CompositionSection, Condition, Observation, Procedure, Resource } from '@medplum/fhirtypes';
import { parseSearchRequest } from '../fhir-kit/search-request.ts';
import type { FhirRepository } from '../store/repository.ts';
import { RCP_SHEET_TAG, SECTION, type SectionKey } from './codes.ts';
import { parseRelativeReference } from '../fhir-kit/ids.ts';

/** A sheet-owned entry of the version being replaced, with the section that holds it. */
export interface PreviousEntry {
  section: SectionKey;
  resource: Resource;
}

/**
 * What makes an entry "the same item" in the next version: its section, resource type and code,
 * then its position among the entries sharing those (e.g. the 2nd history item). A Procedure or the
 * decision is one item whatever its code (the treatment type may be what was corrected).
 */
export function entryIdentity(section: SectionKey, resource: Resource): string {
  const coding = resource.resourceType === 'Observation' ? (resource as Observation).code?.coding?.[0] : undefined;
  return [section, resource.resourceType, coding ? `${coding.system ?? ''}|${coding.code ?? ''}` : ''].join('#');
}

export function isOwnedEntry(resource: Resource | undefined): boolean {
  return Boolean(resource?.meta?.tag?.some((t) => t.system === RCP_SHEET_TAG.system && t.code === RCP_SHEET_TAG.code));
}

/** Same clinical content (ids, meta and narrative aside): no new version is needed. */
export function sameContent(a: Resource, b: Resource): boolean {
  const strip = ({ meta: _m, id: _i, text: _t, ...rest }: Resource & { text?: unknown }) => canonical(rest);
  return strip(a) === strip(b);
}

/**
 * Same assessment (stage, score…): what was assessed and found — code, value, method (the TNM
 * edition), components (T, N, M) and interpretation — whatever its date, notes or links.
 */
export function sameAssessment(a: Observation, b: Observation): boolean {
  const assessed = (o: Observation) => canonical(Object.fromEntries(Object.entries(o).filter(([k]) => k === 'code' || k.startsWith('value') || k === 'method' || k === 'component' || k === 'interpretation')));
  return assessed(a) === assessed(b);
}

/**
 * The date of an assessment the sheet records (FRCP: the effectiveTime of the stage, score…): the
 * date given with it; else, when the previous version of the sheet held the same assessment, its
 * date (a re-save does not re-date what was not assessed again); else `fallback`, the date the rule
 * gives a new assessment — a changed stage was assessed now, not on the previous stage's day.
 */
export function assessmentDate(given: string | undefined, next: Observation, previous: Observation | undefined, fallback: string | undefined): string | undefined {
  if (given) return given;
  const before = previous?.effectiveDateTime ?? previous?.effectivePeriod?.start;
  if (previous && before && sameAssessment(previous, next)) return before;
  return fallback;
}

function canonical(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (value && typeof value === 'object') {
    return `{${Object.keys(value).sort().filter((k) => (value as Record<string, unknown>)[k] !== undefined).map((k) => `${JSON.stringify(k)}:${canonical((value as Record<string, unknown>)[k])}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * The version that ends an entry withdrawn from the sheet: entered-in-error for what was only asserted
 * by the sheet (FHIR con-5: an entered-in-error Condition carries no clinicalStatus); a decision
 * that was in force is revoked. Undefined when there is nothing to end.
 */
export function endedVersion(resource: Resource): Resource | undefined {
  switch (resource.resourceType) {
    case 'Observation':
    case 'Procedure': {
      const r = resource as Observation | Procedure;
      return r.status === 'entered-in-error' ? undefined : ({ ...r, status: 'entered-in-error' } as Resource);
    }
    case 'Condition': {
      const c = resource as Condition;
      if (c.verificationStatus?.coding?.some((k) => k.code === 'entered-in-error')) return undefined;
      const { clinicalStatus: _clinical, ...rest } = c;
      return { ...rest, verificationStatus: { coding: [{ system: 'http://terminology.hl7.org/CodeSystem/condition-ver-status', code: 'entered-in-error' }] } };
    }
    case 'CarePlan': {
      const p = resource as CarePlan;
      if (p.status === 'revoked' || p.status === 'entered-in-error' || p.status === 'completed') return undefined;
      return { ...p, status: p.status === 'active' || p.status === 'on-hold' ? 'revoked' : 'entered-in-error' };
    }
    default:
      return undefined;
  }
}

/** Entry references of the sheet with their section key (sub-sections included), in document order. */
export function sectionEntries(sections: CompositionSection[] | undefined): { section: SectionKey; reference: string }[] {
  const out: { section: SectionKey; reference: string }[] = [];
  for (const s of sections ?? []) {
    const code = s.code?.coding?.find((c) => c.system === 'http://loinc.org')?.code;
    const key = (Object.keys(SECTION) as SectionKey[]).find((k) => SECTION[k].code === code);
    if (key) for (const e of s.entry ?? []) if (e.reference) out.push({ section: key, reference: e.reference });
    out.push(...sectionEntries(s.section));
  }
  return out;
}

/**
 * The current version of every entry the sheet created (tagged), in document order: a Condition or
 * ResearchStudy it merely references belongs to the record, not to the sheet. A signature pins
 * entries to a version (`…/_history/n`); the entry itself is the same resource.
 */
export async function ownedEntriesOf(repo: FhirRepository, composition: Composition): Promise<PreviousEntry[]> {
  const listed = sectionEntries(composition.section).map((e) => {
    const target = parseRelativeReference(e.reference);
    return target ? { section: e.section, type: target.type, id: target.id } : undefined;
  }).filter((e): e is { section: SectionKey; type: string; id: string } => Boolean(e));
  const found = new Map<string, Resource>();
  const byType = new Map<string, Set<string>>();
  for (const e of listed) byType.set(e.type, (byType.get(e.type) ?? new Set()).add(e.id));
  const requests = [...byType].map(([type, set]) => {
    const ids = [...set];
    const query = new URLSearchParams({ _id: ids.join(','), _tag: `${RCP_SHEET_TAG.system}|${RCP_SHEET_TAG.code}`, _count: String(ids.length) });
    const { request } = parseSearchRequest(type, query, { defaultCount: ids.length, maxCount: ids.length }, true);
    request.total = 'none';
    return request;
  });
  // One round trip for every type (each still audited as its own search).
  for (const page of await repo.searchEach(requests)) for (const r of page) found.set(`${r.resourceType}/${r.id}`, r);
  const seen = new Set<string>();
  const out: PreviousEntry[] = [];
  for (const e of listed) {
    const key = `${e.type}/${e.id}`;
    const resource = found.get(key);
    if (!resource || seen.has(key)) continue;
    seen.add(key);
    out.push({ section: e.section, resource });
  }
  return out;
}

/** Ends every entry a sheet owns (its deletion as a draft): nothing it asserted stays live in the record. */
export async function endOwnedEntries(repo: FhirRepository, composition: Composition): Promise<void> {
  for (const { resource } of await ownedEntriesOf(repo, composition)) {
    const ended = endedVersion(resource);
    if (ended) await repo.update(ended, { ifMatch: resource.meta?.versionId });
  }
}
