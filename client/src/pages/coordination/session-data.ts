import { keepPreviousData, useQueries, useQuery } from '@tanstack/react-query';
import { idOf } from '../../api/hospital.ts';
import { patientsById, rcp, type AgendaLine, type RcpCase } from '../../api/rcp.ts';

export interface AgendaRow extends AgendaLine {
  /** The patient's id (the agenda line names them by reference), for a link to the record. */
  patientId?: string;
  patientName?: string;
  birthYear?: string;
  gender?: string;
  rcpCase?: RcpCase;
}

/**
 * A session with its agenda joined to the cases (motif, requester, state) and the patients' names
 * and birth years — three requests, whatever the number of cases.
 */
export function useSessionAgenda(sessionId: string) {
  const details = useQuery({ queryKey: ['rcp', 'session', sessionId], queryFn: () => rcp.session(sessionId) });
  const entries = details.data?.agenda?.entries ?? [];
  const cases = useQuery({
    queryKey: ['rcp', 'session', sessionId, 'cases', entries.map((e) => `${e.case}:${e.flag}`).join(',')],
    enabled: Boolean(details.data),
    // Each accept, refusal or decision changes the key: until the new list arrives the rows keep the
    // cases they had (motif, summary), instead of losing them for a round trip (a flicker, and a test
    // that read a row at that moment saw no motif).
    placeholderData: keepPreviousData,
    queryFn: async () => {
      const list = await rcp.cases({ session: sessionId });
      return new Map(list.map((c) => [c.id, c]));
    },
  });
  const patients = useQuery({
    queryKey: ['rcp', 'session', sessionId, 'patients', entries.map((e) => e.patient).join(',')],
    enabled: Boolean(details.data),
    queryFn: () => patientsById(entries.map((e) => e.patient).filter((p): p is string => Boolean(p))),
    staleTime: 300_000,
  });
  const rows: AgendaRow[] = entries.map((e) => {
    const p = e.patient ? patients.data?.get(e.patient) : undefined;
    const c = cases.data?.get(e.case);
    const patientId = idOf(e.patient);
    return { ...e, ...(patientId ? { patientId } : {}), ...(p ? { patientName: p.name, ...(p.birthYear ? { birthYear: p.birthYear } : {}), ...(p.gender ? { gender: p.gender } : {}) } : {}), ...(c ? { rcpCase: c } : {}) };
  });
  return { details, cases, patients, rows };
}

/** What each case's file lacks before the session (named items), one request per case, cached. */
export function useCompleteness(caseIds: string[]) {
  const results = useQueries({
    queries: caseIds.map((id) => ({ queryKey: ['rcp', 'completeness', id], queryFn: () => rcp.completeness(id), staleTime: 60_000 })),
  });
  return new Map(caseIds.map((id, i) => [id, results[i]!]));
}
