import { expect } from 'chai';
import type { BundleEntry, CareTeam, Condition, Identifier, Observation, Patient, Practitioner, Resource } from '@medplum/fhirtypes';
import { buildDemoBundle, DEMO_PATIENT_COUNT, DEMO_PRACTITIONER_COUNT } from '../../server/seed/demo-data.ts';
import {
  IDENTITY_RELIABILITY_EXTENSION_URL,
  INS_SYSTEMS,
  isIdentityStatus,
  isValidInsNir,
} from '../../server/identity/ins.ts';
import { ESTABLISHMENT_ID_SYSTEM, FINESS_SYSTEM, IDNPS_SYSTEM, RPPS_SYSTEM, isValidFiness, isValidRpps } from '../../server/identity/rpps.ts';

const UUID_URN = /^urn:uuid:[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

function resources<T extends Resource>(entries: BundleEntry[], type: T['resourceType']): T[] {
  return entries.map((e) => e.resource).filter((r): r is T => r?.resourceType === type);
}

function identifiers(entries: BundleEntry[], system: string): Identifier[] {
  return entries.flatMap((e) => ((e.resource as { identifier?: Identifier[] }).identifier ?? []).filter((i) => i.system === system));
}

/** Every `reference` string found anywhere in a value. */
function referencesIn(value: unknown, out: string[] = []): string[] {
  if (Array.isArray(value)) {
    for (const v of value) referencesIn(v, out);
  } else if (value && typeof value === 'object') {
    for (const [k, v] of Object.entries(value)) {
      if (k === 'reference' && typeof v === 'string') out.push(v);
      else referencesIn(v, out);
    }
  }
  return out;
}

describe('seed/demo-data', () => {
  const bundle = buildDemoBundle();
  const entries = bundle.entry ?? [];

  it('is a transaction bundle with the expected content', () => {
    expect(bundle.resourceType).to.equal('Bundle');
    expect(bundle.type).to.equal('transaction');
    expect(resources<Patient>(entries, 'Patient')).to.have.length(DEMO_PATIENT_COUNT);
    expect(resources<Practitioner>(entries, 'Practitioner')).to.have.length(DEMO_PRACTITIONER_COUNT);
    expect(resources(entries, 'PractitionerRole')).to.have.length(DEMO_PRACTITIONER_COUNT);
    expect(resources<Condition>(entries, 'Condition')).to.have.length(DEMO_PATIENT_COUNT);
    expect(resources<CareTeam>(entries, 'CareTeam')).to.have.length(DEMO_PATIENT_COUNT);
    expect(DEMO_PATIENT_COUNT).to.be.at.least(5);
    expect(DEMO_PRACTITIONER_COUNT).to.be.at.least(8);
  });

  it('is deterministic and returns a fresh object each time', () => {
    const again = buildDemoBundle();
    expect(again).to.deep.equal(bundle);
    expect(again).to.not.equal(bundle);
    expect(again.entry?.[0]?.resource).to.not.equal(entries[0]?.resource);
  });

  it('gives every entry a unique urn:uuid fullUrl', () => {
    const fullUrls = entries.map((e) => e.fullUrl);
    for (const f of fullUrls) expect(f).to.match(UUID_URN);
    expect(new Set(fullUrls).size).to.equal(fullUrls.length);
  });

  it('makes every entry a conditional create on one of its own identifiers', () => {
    const seen = new Set<string>();
    for (const e of entries) {
      const r = e.resource!;
      expect(e.request?.method, e.fullUrl).to.equal('POST');
      expect(e.request?.url, e.fullUrl).to.equal(r.resourceType);
      const ifNoneExist = e.request?.ifNoneExist ?? '';
      const m = /^identifier=([^|]+)\|(.+)$/.exec(ifNoneExist);
      expect(m, `${e.fullUrl} ifNoneExist ${ifNoneExist}`).to.not.equal(null);
      const ids = (r as { identifier?: Identifier[] }).identifier ?? [];
      expect(ids.some((i) => i.system === m![1] && i.value === m![2]), ifNoneExist).to.equal(true);
      const key = `${r.resourceType}?${ifNoneExist}`;
      expect(seen.has(key), key).to.equal(false);
      seen.add(key);
    }
  });

  it('resolves every urn:uuid reference to an earlier entry', () => {
    const earlier = new Set<string>();
    let count = 0;
    for (const e of entries) {
      for (const reference of referencesIn(e.resource)) {
        count++;
        expect(reference, `${e.fullUrl} → ${reference}`).to.match(UUID_URN);
        expect(earlier.has(reference), `${e.fullUrl} → ${reference}`).to.equal(true);
      }
      earlier.add(e.fullUrl!);
    }
    expect(count).to.be.greaterThan(0);
  });

  it('carries only INS with a valid key, and only for INSi-retrieved identities', () => {
    const insIds = INS_SYSTEMS.flatMap((system) => identifiers(entries, system));
    expect(insIds.length).to.be.greaterThan(0);
    for (const id of insIds) expect(isValidInsNir(id.value!), id.value).to.equal(true);
    for (const p of resources<Patient>(entries, 'Patient')) {
      const reliability = p.extension?.find((x) => x.url === IDENTITY_RELIABILITY_EXTENSION_URL);
      const status = reliability?.extension?.find((x) => x.url === 'identityStatus')?.valueCoding?.code;
      expect(isIdentityStatus(status), `${p.name?.[0]?.family} status ${status}`).to.equal(true);
      const hasIns = (p.identifier ?? []).some((i) => INS_SYSTEMS.includes(i.system!));
      expect(hasIns, `${p.name?.[0]?.family} (${status})`).to.equal(status === 'QUAL' || status === 'RECUP');
    }
  });

  it('covers every identity status', () => {
    const statuses = resources<Patient>(entries, 'Patient').map(
      (p) => p.extension?.find((x) => x.url === IDENTITY_RELIABILITY_EXTENSION_URL)?.extension?.find((x) => x.url === 'identityStatus')?.valueCoding?.code,
    );
    expect(statuses).to.include.members(['PROV', 'RECUP', 'VALI', 'QUAL']);
  });

  it("gives every practitioner a valid RPPS and IDNPS = '8' + RPPS", () => {
    for (const p of resources<Practitioner>(entries, 'Practitioner')) {
      const rpps = p.identifier?.find((i) => i.system === RPPS_SYSTEM)?.value;
      const idnps = p.identifier?.find((i) => i.system === IDNPS_SYSTEM)?.value;
      expect(isValidRpps(rpps ?? ''), `RPPS ${rpps}`).to.equal(true);
      expect(idnps).to.equal('8' + rpps);
    }
    const all = identifiers(entries, RPPS_SYSTEM).map((i) => i.value);
    expect(new Set(all).size).to.equal(all.length);
  });

  it("gives every establishment a valid FINESS and IDNST = '1' + FINESS", () => {
    const finess = identifiers(entries, FINESS_SYSTEM);
    expect(finess.length).to.be.at.least(2);
    for (const e of entries) {
      const ids = (e.resource as { identifier?: Identifier[] }).identifier ?? [];
      const f = ids.find((i) => i.system === FINESS_SYSTEM)?.value;
      if (f === undefined) continue;
      expect(isValidFiness(f), f).to.equal(true);
      expect(ids.find((i) => i.system === ESTABLISHMENT_ID_SYSTEM)?.value).to.equal('1' + f);
    }
  });

  it('has the required clinical fields', () => {
    const byUrl = new Map(entries.map((e) => [e.fullUrl!, e.resource!]));
    for (const p of resources<Patient>(entries, 'Patient')) {
      const gp = byUrl.get(p.generalPractitioner?.[0]?.reference ?? '');
      expect(gp?.resourceType).to.equal('Practitioner');
      expect(p.birthDate).to.match(/^\d{4}-\d{2}-\d{2}$/);
      expect(p.gender).to.be.oneOf(['male', 'female']);
    }
    for (const c of resources<Condition>(entries, 'Condition')) {
      expect(byUrl.get(c.subject.reference!)?.resourceType).to.equal('Patient');
      expect(c.code?.coding?.[0]?.system).to.equal('http://hl7.org/fhir/sid/icd-10');
      expect(c.clinicalStatus?.coding?.[0]?.code).to.equal('active');
      expect(c.verificationStatus?.coding?.[0]?.code).to.equal('confirmed');
    }
    for (const o of resources<Observation>(entries, 'Observation')) {
      expect(o.status).to.equal('final');
      expect(o.code.coding?.[0]?.system).to.equal('http://loinc.org');
      expect(byUrl.get(o.subject?.reference ?? '')?.resourceType).to.equal('Patient');
      expect(o.effectiveDateTime).to.be.a('string');
    }
    for (const t of resources<CareTeam>(entries, 'CareTeam')) {
      expect(byUrl.get(t.subject?.reference ?? '')?.resourceType).to.equal('Patient');
      expect(t.participant?.length).to.be.greaterThan(0);
      for (const part of t.participant ?? []) {
        expect(byUrl.get(part.member?.reference ?? '')?.resourceType).to.equal('Practitioner');
      }
    }
  });
});
