import type { Bundle, Composition, Patient } from '@medplum/fhirtypes';
import type { QueryClient } from '@tanstack/react-query';
import { api } from './http.ts';

/** GET /api/city/patients item (server/city/service.ts MyPatientItem). */
export interface MyPatientItem {
  id: string;
  name: string;
  birthDate?: string;
  /** FHIR administrative gender, when known ('female', 'male'…): says "née" or "né". */
  gender?: string;
  reasons: { code: 'general-practitioner' | 'care-team'; label: string; role?: string }[];
  lastChange: string | null;
  changesSinceLastView: number;
  changesSince: string;
  lastSummaryView: string | null;
}

export interface CityPage<T> {
  items: T[];
  count: number;
  total?: number;
  cursor?: string;
}

/** GET /api/city/changes item (server/city/feed.ts CityChange). */
export interface CityChange {
  date: string;
  patient: { id: string; reference: string; name: string };
  kind: { code: string; label: string };
  resource: { reference: string; type: string; id: string; versionId: string; link: string };
  description: string;
  reason?: string;
}

export type Audience = 'gp' | 'nurse' | 'pharmacist';

export const cityApi = {
  patients: (params: { name?: string; cursor?: string; count?: number }) =>
    api<CityPage<MyPatientItem>>('/api/city/patients', { query: { name: params.name, cursor: params.cursor, _count: params.count } }),
  changes: (params: { patient?: string; cursor?: string; count?: number }) =>
    api<CityPage<CityChange>>('/api/city/changes', { query: { patient: params.patient, cursor: params.cursor, _count: params.count } }),
  /** Acknowledges the patient's changes up to `until` (the newest one shown): one recorded since stays new. */
  markSeen: (patientId: string, until?: string) => api<void>(`/api/city/patients/${encodeURIComponent(patientId)}/seen`, { method: 'POST', query: { until } }),
  summary: (patientId: string, audience: Audience) =>
    api<Bundle>(`/fhir/Patient/${encodeURIComponent(patientId)}/$summary`, { query: { audience, _format: 'json' } }),
};

/**
 * After my last view of a patient moved (« Marquer comme vu », the one acknowledgement): the server counts
 * and lists changes from that view, so "Mes patients" (its badges) and "Ce qui a changé" are read
 * again. Kept in cache, they showed the changes just seen for up to staleTime (main.tsx).
 */
export async function lastViewMoved(queryClient: QueryClient): Promise<void> {
  await Promise.all([
    queryClient.invalidateQueries({ queryKey: ['city', 'patients'] }),
    queryClient.invalidateQueries({ queryKey: ['city', 'feed'] }),
  ]);
}

/** The PDF of the same summary (a plain link: the cookie or the card authenticates it). */
export function summaryPdfUrl(patientId: string, audience: Audience): string {
  return `/fhir/Patient/${encodeURIComponent(patientId)}/$summary?audience=${audience}&_format=pdf`;
}

/** A summary document's parts: its Composition (sections with narratives) and its Patient. */
export function summaryParts(bundle: Bundle): { composition?: Composition; patient?: Patient } {
  const resources = (bundle.entry ?? []).map((e) => e.resource);
  return {
    composition: resources.find((r): r is Composition => r?.resourceType === 'Composition'),
    patient: resources.find((r): r is Patient => r?.resourceType === 'Patient'),
  };
}
