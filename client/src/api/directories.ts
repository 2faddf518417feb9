import type { ResearchStudy } from '@medplum/fhirtypes';
import { api } from './http.ts';

/** The regional directories (server/directories): open trials, offer of care, trial inclusions. */

export type TrialStatus = 'recruiting' | 'closed';

export interface TrialEntry {
  study: string;
  registryNumber: string;
  title: string;
  status: TrialStatus;
  phase?: { code: string; label: string };
  cancerSites: string[];
  stages: string[];
  inclusionCriteria?: string;
  sponsor?: string;
  contact?: { name?: string; phone?: string; email?: string };
  sites: { name: string; city?: string; postalCode?: string }[];
}

export interface TrialQuery {
  cancerSite?: string;
  phase?: string;
  town?: string;
  status?: TrialStatus;
}

export type DirectoryKind = 'authorised-treatment' | 'supportive-care' | 'specific-consultation' | 'patient-association';

export interface OfferEntry {
  service: string;
  organization?: string;
  kind: DirectoryKind;
  name: string;
  offers: { code: string; label: string }[];
  address?: string;
  postalCode?: string;
  city?: string;
  phone?: string;
  email?: string;
  label?: { year: number; territory?: string; withdrawn?: string; valid: boolean };
  finess?: string;
  distanceKm?: number;
}

export interface OfferQuery {
  kind?: DirectoryKind;
  offer?: string;
  town?: string;
  near?: string;
  withinKm?: number;
}

export interface TrialInclusion {
  reference: string;
  status: string;
  statusLabel: string;
  start?: string;
  end?: string;
  subjectNumber?: string;
  recordedBy?: string;
  trial?: TrialEntry;
}

/** What an import did, as references (ResearchStudy/…, HealthcareService/…); `unchanged` for the offer only. */
export interface DirectoryImportResult {
  created: string[];
  updated: string[];
  unchanged?: string[];
}

export const DIRECTORY_KIND_LABEL: Record<DirectoryKind, string> = {
  'authorised-treatment': 'Établissement autorisé au traitement du cancer',
  'supportive-care': 'Structure de soins oncologiques de support',
  'specific-consultation': 'Consultation spécialisée en cancérologie',
  'patient-association': 'Association de patients',
};

export const PHASE_LABEL: Record<string, string> = {
  'n-a': 'Sans objet', 'early-phase-1': 'Phase précoce', 'phase-1': 'Phase I', 'phase-1-phase-2': 'Phase I/II',
  'phase-2': 'Phase II', 'phase-2-phase-3': 'Phase II/III', 'phase-3': 'Phase III', 'phase-4': 'Phase IV',
};

/** The trial's main inclusion criteria (server/directories/codes.ts TRIAL_INCLUSION_EXT). */
export const TRIAL_INCLUSION_EXT = 'https://dcc-paca.example/fhir/StructureDefinition/dcc-trial-main-inclusion-criteria';

const clean = <T extends object>(q: T) => Object.fromEntries(Object.entries(q).filter(([, v]) => v !== undefined && v !== '')) as Record<string, string | number>;

export const directoriesApi = {
  trials: (query: TrialQuery) => api<{ total: number; trials: TrialEntry[] }>('/api/directories/trials', { query: clean(query) }),
  offer: (query: OfferQuery) => api<{ total: number; entries: OfferEntry[] }>('/api/directories/offer', { query: clean(query) }),
  study: (id: string) => api<ResearchStudy>(`/fhir/ResearchStudy/${encodeURIComponent(id)}`),
  createTrial: (study: ResearchStudy) => api<ResearchStudy>('/api/directories/trials', { method: 'POST', body: study }),
  updateTrial: (id: string, study: ResearchStudy, version?: string) =>
    api<ResearchStudy>(`/api/directories/trials/${encodeURIComponent(id)}`, { method: 'PUT', body: study, headers: version ? { 'if-match': `W/"${version}"` } : undefined }),
  closeTrial: (id: string, date: string) => api<ResearchStudy>(`/api/directories/trials/${encodeURIComponent(id)}/$close`, { method: 'POST', body: { date } }),
  inclusions: (patientId: string) => api<{ inclusions: TrialInclusion[] }>(`/api/directories/patients/${encodeURIComponent(patientId)}/trial-inclusions`),
  importTrials: (bundle: unknown) => api<DirectoryImportResult>('/api/directories/trials/$import', { method: 'POST', body: bundle }),
  importOffer: (bundle: unknown) => api<DirectoryImportResult>('/api/directories/offer/$import', { method: 'POST', body: bundle }),
  include: (patientId: string, body: { study: string; date: string; subjectNumber?: string }) =>
    api<unknown>(`/api/directories/patients/${encodeURIComponent(patientId)}/trial-inclusions`, { method: 'POST', body }),
};

export const trialsForPatient = (patientId: string) =>
  api<{ cancerSites: string[]; trials: TrialEntry[] }>(`/api/directories/trials/for-patient/${encodeURIComponent(patientId)}`);
