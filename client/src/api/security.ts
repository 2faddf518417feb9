import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { api } from './http.ts';

/** The security officer's calls: the audit trail of a patient (FHIR AuditEvent) and the emergency accesses (/access). */

export interface BreakGlassReview { reviewerId: string; reviewerName: string; verdict: 'justified' | 'unjustified'; comment?: string }
export interface BreakGlassGrant {
  id: string; practitionerId: string; idnps: string | null; displayName: string; patientId: string; reason: string;
  createdAt: string; expiresAt: string; reviewedAt: string | null; review?: BreakGlassReview;
}

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
export const ACTION_LABEL: Record<AuditAction, string> = { C: 'Création', R: 'Lecture', U: 'Modification', D: 'Suppression', E: 'Recherche' };

/** One line of "who consulted this record". */
export interface AuditLine {
  id: string;
  recorded: string;
  professional: string;
  practitioner?: string;
  roles: string[];
  action: AuditAction | undefined;
  what: string;
  success: boolean;
  breakGlass: boolean;
  detail?: string;
}

const MAX_EVENTS = 500;

export function auditLineOf(e: AuditEvent): AuditLine {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const objects = (e.entity ?? []).map((x) => x.what?.reference).filter((r): r is string => Boolean(r) && !r!.startsWith('Patient/'));
  const subtype = e.subtype?.map((s) => s.display ?? s.code).filter(Boolean).join(', ');
  return {
    id: e.id ?? '',
    recorded: e.recorded,
    professional: agent?.who?.display ?? agent?.who?.reference ?? 'Inconnu',
    ...(agent?.who?.reference ? { practitioner: agent.who.reference } : {}),
    roles: (agent?.role ?? []).flatMap((r) => r.coding ?? []).map((c) => c.code ?? '').filter(Boolean),
    action: e.action as AuditAction | undefined,
    what: [...new Set(objects.map((o) => o.split('/')[0]))].join(', ') || subtype || 'Dossier',
    success: e.outcome === '0' || e.outcome === undefined,
    breakGlass: Boolean(e.purposeOfEvent?.some((p) => p.coding?.some((c) => c.code === 'BTG'))),
    ...(e.outcomeDesc ? { detail: e.outcomeDesc } : {}),
  };
}

export const security = {
  /** The newest accesses to a patient's record, in a period (the server's date filter). */
  trail: async (patientId: string, period: { from?: string; to?: string }): Promise<AuditLine[]> => {
    const dates = [period.from ? `ge${period.from}` : undefined, period.to ? `le${period.to}T23:59:59` : undefined].filter(Boolean) as string[];
    const params = new URLSearchParams({ patient: `Patient/${patientId}`, _sort: '-_lastUpdated', _count: String(MAX_EVENTS) });
    for (const d of dates) params.append('date', d);
    const bundle = await api<Bundle<AuditEvent>>(`/fhir/AuditEvent?${params.toString()}`);
    return (bundle.entry ?? []).map((x) => x.resource).filter((r): r is AuditEvent => Boolean(r)).map(auditLineOf);
  },
  grants: () => api<{ grants: BreakGlassGrant[] }>('/access/break-glass'),
  review: (id: string, verdict: 'justified' | 'unjustified', comment: string) =>
    api<BreakGlassGrant | undefined>(`/access/break-glass/${id}/review`, { method: 'POST', body: { verdict, ...(comment.trim() ? { comment: comment.trim() } : {}) } }),
};

/** The trail as CSV (semicolon-separated, as French spreadsheets expect), formulas neutralised. */
export function auditCsv(lines: AuditLine[]): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
    return /[;"\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  const header = ['Date', 'Professionnel', 'Référence', 'Rôles', 'Action', 'Objet', 'Résultat', 'Bris de glace', 'Détail'];
  const rows = lines.map((l) => [l.recorded, l.professional, l.practitioner ?? '', l.roles.join(' '), l.action ? ACTION_LABEL[l.action] : '', l.what, l.success ? 'succès' : 'échec', l.breakGlass ? 'oui' : 'non', l.detail ?? '']);
  return [header, ...rows].map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
}
