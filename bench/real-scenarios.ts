/**
 * The scenarios of `npm run bench:real`: what each request is, who sends it (the hospital physician
 * or the GP, each with their CPS card over mutual TLS) and how one response is checked. Shared by
 * the orchestrator (bench/real.ts) and the load generator process (bench/real-load.ts).
 */
import type { Bundle, Patient } from '@medplum/fhirtypes';
import { DatasetGenerator, INS_NIR_TEST_SYSTEM, prng, type PatientSummary } from './dataset.ts';
import { shuffled } from './scenarios.ts';

export const REAL_SCENARIO_NAMES = ['read', 'identifier', 'create', 'transaction', 'gp-read', 'gp-summary', 'floor'] as const;
export type RealScenarioName = (typeof REAL_SCENARIO_NAMES)[number];
export const TRANSACTION_PATIENTS = 100;

export interface RequestSpec {
  method: 'GET' | 'POST';
  path: string;
  body?: string;
}

export interface RealScenario {
  name: RealScenarioName;
  title: string;
  request: string;
  /** Whose card the load generator presents. */
  as: 'physician' | 'gp';
  /** The i-th request of the run. */
  next: (i: number) => RequestSpec;
  /** A problem with one response, or undefined. */
  check: (status: number, body: any, spec: RequestSpec) => string | undefined;
  /** Resources written per request (create: 1, transaction: 100 Patients). */
  resourcesPerRequest?: number;
  /** At most this many connections: 20 transactions of 100 Patients at once would only queue on the database. */
  maxConnections?: number;
  /** At least this many seconds measured: a request taking seconds must be able to finish inside the run. */
  minDuration?: number;
}


const isPatient = (body: any, spec: RequestSpec) => body?.resourceType === 'Patient' && spec.path.endsWith(`/${body.id}`);

/** `takenIns`: every INS the database holds (the seeded patients' and those earlier runs created). */
export function buildRealScenario(name: RealScenarioName, patients: PatientSummary[], seed: number, takenIns: string[] = patients.map((p) => p.ins)): RealScenario {
  const rng = prng(seed);
  const visit = shuffled(patients, rng);
  const at = (i: number) => visit[i % visit.length]!;
  // New patients must not take an INS the database already holds (the identity rule answers 409).
  const generator = new DatasetGenerator(seed, takenIns);
  const now = Date.now();
  switch (name) {
    case 'read':
      return {
        name, as: 'physician', title: 'read Patient by id (physician)', request: 'GET /fhir/Patient/<id>',
        next: (i) => ({ method: 'GET', path: `/fhir/Patient/${at(i).id}` }),
        check: (status, body, spec) => (status !== 200 ? `status ${status}` : isPatient(body, spec) ? undefined : 'not the requested Patient'),
      };
    case 'identifier':
      return {
        name, as: 'physician', title: 'search Patient by INS (physician)', request: 'GET /fhir/Patient?identifier=<INS system>|<INS>',
        next: (i) => ({ method: 'GET', path: `/fhir/Patient?identifier=${encodeURIComponent(`${INS_NIR_TEST_SYSTEM}|${at(i).ins}`)}` }),
        check: (status, body) => {
          if (status !== 200) return `status ${status}`;
          const matches = (body?.entry ?? []).filter((e: any) => e.search?.mode === 'match');
          return matches.length === 1 && matches[0].resource.resourceType === 'Patient' ? undefined : `expected 1 Patient, got ${matches.length}`;
        },
      };
    case 'create':
      return {
        name, as: 'physician', title: 'create Observation (physician)', request: 'POST /fhir/Observation', resourcesPerRequest: 1,
        next: (i) => ({
          method: 'POST', path: '/fhir/Observation',
          body: JSON.stringify(generator.observation({ reference: `Patient/${at(i).id}` }, new Date(now - rng() * 365 * 86_400_000), rng)),
        }),
        check: (status, body) => (status !== 201 ? `status ${status}` : body?.resourceType === 'Observation' && body.meta?.versionId === '1' ? undefined : 'no created Observation'),
      };
    case 'transaction':
      return {
        name, as: 'physician', title: `transaction of ${TRANSACTION_PATIENTS} Patients (physician)`, request: `POST /fhir (transaction Bundle, ${TRANSACTION_PATIENTS} × POST Patient)`,
        resourcesPerRequest: TRANSACTION_PATIENTS, maxConnections: 2, minDuration: 30,
        next: () => ({ method: 'POST', path: '/fhir', body: JSON.stringify(patientTransaction(generator)) }),
        check: (status, body) => {
          if (status !== 200) return `status ${status}`;
          const created = ((body as Bundle | undefined)?.entry ?? []).filter((e) => e.response?.status?.startsWith('201'));
          return created.length === TRANSACTION_PATIENTS ? undefined : `expected ${TRANSACTION_PATIENTS} × 201, got ${created.length}`;
        },
      };
    case 'gp-read':
      return {
        name, as: 'gp', title: 'read Patient by id (GP)', request: 'GET /fhir/Patient/<id> (the declared GP)',
        next: (i) => ({ method: 'GET', path: `/fhir/Patient/${at(i).id}` }),
        check: (status, body, spec) => (status !== 200 ? `status ${status}` : isPatient(body, spec) ? undefined : 'not the requested Patient'),
      };
    case 'floor':
      return {
        name, as: 'physician', title: 'floor: GET /health (one SELECT 1, no rule, no trace)', request: 'GET /health over the same mutual TLS',
        next: () => ({ method: 'GET', path: '/health' }),
        check: (status, body) => (status === 200 && body?.status === 'ok' ? undefined : `status ${status}`),
      };
    case 'gp-summary':
      return {
        name, as: 'gp', title: 'GP summary $summary (GP)', request: 'GET /fhir/Patient/<id>/$summary?audience=gp (the declared GP)',
        next: (i) => ({ method: 'GET', path: `/fhir/Patient/${at(i).id}/$summary?audience=gp` }),
        check: (status, body) => {
          if (status !== 200) return `status ${status}`;
          return body?.resourceType === 'Bundle' && body.type === 'document' && body.entry?.[0]?.resource?.resourceType === 'Composition' ? undefined : 'not a document Bundle opening with a Composition';
        },
      };
  }
}

/** A transaction of new Patients with fresh INS, as a hospital registers them (no id, no GP). */
function patientTransaction(generator: DatasetGenerator): Bundle {
  const entry = Array.from({ length: TRANSACTION_PATIENTS }, () => {
    const { id: _id, generalPractitioner: _gp, ...patient } = generator.makePatientRecord()[0] as Patient;
    return { fullUrl: `urn:uuid:${crypto.randomUUID()}`, resource: patient, request: { method: 'POST' as const, url: 'Patient' } };
  });
  return { resourceType: 'Bundle', type: 'transaction', entry };
}
