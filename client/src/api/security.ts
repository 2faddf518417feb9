import type { AuditEvent, Bundle } from '@medplum/fhirtypes';
import { auditObjectLabel, auditSubtypeLabel } from '../lib/audit-labels.ts';
import { roleLabel } from '../lib/roles.ts';
import { formatNumericDateTime } from '../lib/dates.ts';
import { api } from './http.ts';

/** The security officer's calls: the audit trail of a patient (FHIR AuditEvent) and the emergency accesses (/access). */

export interface BreakGlassReview { reviewerId: string; reviewerName: string; verdict: 'justified' | 'unjustified'; comment?: string }
export interface BreakGlassGrant {
  id: string; practitionerId: string; idnps: string | null; displayName: string; patientId: string; reason: string;
  createdAt: string; expiresAt: string; reviewedAt: string | null; review?: BreakGlassReview;
  /** Still running by the server's clock: reviewed only once ended (the server answers 409 before). */
  active?: boolean;
  /** The patient as every list names them (« CASTELLANI Hélène Marie, née le 14/03/1958 »); absent for a record gone since. */
  patientIdentity?: string;
}

export type AuditAction = 'C' | 'R' | 'U' | 'D' | 'E';
export const ACTION_LABEL: Record<AuditAction, string> = { C: 'Création', R: 'Lecture', U: 'Modification', D: 'Suppression', E: 'Recherche' };

/** One line of "who consulted this record". */
export interface AuditLine {
  id: string;
  recorded: string;
  professional: string;
  practitioner?: string;
  /** The card number (IDNPS: '8' + RPPS, or '0' + ADELI) when the event names it. */
  idnps?: string;
  roles: string[];
  action: AuditAction | undefined;
  what: string;
  success: boolean;
  breakGlass: boolean;
  detail?: string;
}

/**
 * The most accesses one screen reads (and one CSV holds): past it the officer narrows the period.
 * Pages are followed up to it; their size is the server's (it caps `_count` at DCC_MAX_PAGE_SIZE).
 */
export const TRAIL_CAP = 1000;

/** A patient's trail as read: `truncated` when the server holds more than `lines` (the cap was reached). */
export interface AuditTrail { lines: AuditLine[]; total?: number; truncated: boolean }

/** A patient as the security officer's lookup shows him: identity traits only; `identity` as every list names them. */
export interface AuditPatient { id: string; name: string; identity?: string; birthDate?: string; ins?: string }

/** The DCC's own audit subtypes (emergency access opened, its review): their display says what the line is about. */
const DCC_AUDIT_SUBTYPE_SYSTEM = 'https://dcc-paca.example/fhir/CodeSystem/dcc-audit';
const IDNPS_SYSTEM = 'urn:oid:1.2.250.1.71.4.2.1';

/**
 * A professional's national number as a reviewer quotes it: « RPPS 10003456789 » (IDNPS '8' + RPPS),
 * « ADELI 123456789 » (IDNPS '0' + ADELI), otherwise the IDNPS as is.
 */
export function professionalNumber(idnps: string | undefined): string {
  if (!idnps) return '';
  if (/^8\d{11}$/.test(idnps)) return `RPPS ${idnps.slice(1)}`;
  if (/^0\d{9}$/.test(idnps)) return `ADELI ${idnps.slice(1)}`;
  return `IDNPS ${idnps}`;
}

export function auditLineOf(e: AuditEvent): AuditLine {
  const agent = e.agent?.find((a) => a.requestor) ?? e.agent?.[0];
  const references = (e.entity ?? []).map((x) => x.what?.reference).filter((r): r is string => Boolean(r));
  // What was read beside the patient; the patient's own identity when nothing else was ("Lecture | Lecture" said nothing).
  const others = references.filter((r) => !r.startsWith('Patient/'));
  const objects = others.length ? others : references;
  // An emergency access opened (or reviewed) is about the access, not the patient's identity.
  const own = e.subtype?.find((s) => s.system === DCC_AUDIT_SUBTYPE_SYSTEM)?.display;
  const subtype = [...new Set(e.subtype?.map((s) => s.display ?? s.code).filter((s): s is string => Boolean(s)).map(auditSubtypeLabel))].join(', ');
  return {
    id: e.id ?? '',
    recorded: e.recorded,
    professional: agent?.who?.display ?? agent?.who?.reference ?? 'Inconnu',
    ...(agent?.who?.reference ? { practitioner: agent.who.reference } : {}),
    ...(agent?.who?.identifier?.value && (!agent.who.identifier.system || agent.who.identifier.system === IDNPS_SYSTEM) ? { idnps: agent.who.identifier.value } : {}),
    roles: (agent?.role ?? []).flatMap((r) => r.coding ?? []).map((c) => c.code ?? '').filter(Boolean),
    action: e.action as AuditAction | undefined,
    what: own ?? ([...new Set(objects.map((o) => auditObjectLabel(o.split('/')[0]!)))].join(', ') || subtype || 'Dossier'),
    success: e.outcome === '0' || e.outcome === undefined,
    breakGlass: Boolean(e.purposeOfEvent?.some((p) => p.coding?.some((c) => c.code === 'BTG'))),
    ...(e.outcomeDesc ? { detail: e.outcomeDesc } : {}),
  };
}

/**
 * AuditEvents of a search, following the Bundle's `next` links up to TRAIL_CAP: one page alone
 * (200) was read as the whole trail.
 */
async function readTrail(params: URLSearchParams): Promise<AuditTrail> {
  let path = `/fhir/AuditEvent?${params.toString()}`;
  const lines: AuditLine[] = [];
  const seen = new Set<string>();
  let total: number | undefined;
  let next: string | undefined;
  for (;;) {
    const bundle = await api<Bundle<AuditEvent>>(path);
    total ??= bundle.total; // counted on the first page only
    for (const e of bundle.entry ?? []) {
      if (e.resource?.resourceType !== 'AuditEvent' || seen.has(e.resource.id ?? '')) continue;
      seen.add(e.resource.id ?? '');
      lines.push(auditLineOf(e.resource));
    }
    next = bundle.link?.find((l) => l.relation === 'next')?.url;
    if (!next || lines.length >= TRAIL_CAP) break;
    // Only the link's query: its origin is the server's public base URL, not necessarily this page's.
    path = `/fhir/AuditEvent${new URL(next, window.location.origin).search}`;
  }
  const truncated = Boolean(next) || lines.length > TRAIL_CAP || (total !== undefined && total > Math.min(lines.length, TRAIL_CAP));
  return { lines: lines.slice(0, TRAIL_CAP), ...(total !== undefined ? { total } : {}), truncated };
}

export const security = {
  /**
   * The newest accesses to a patient's record in a period (the server's date filter), following the
   * Bundle's `next` links up to TRAIL_CAP: one page alone (200) was read as the whole trail.
   */
  trail: (patientId: string, period: { from?: string; to?: string }): Promise<AuditTrail> => {
    const dates = [period.from ? `ge${period.from}` : undefined, period.to ? `le${period.to}T23:59:59` : undefined].filter(Boolean) as string[];
    const params = new URLSearchParams({ patient: `Patient/${patientId}`, _sort: '-_lastUpdated', _count: String(TRAIL_CAP) });
    for (const d of dates) params.append('date', d);
    return readTrail(params);
  },
  /**
   * What was consulted under an emergency access: the patient's trail, by its holder, from its
   * opening to its end (the same search as the trail, narrowed), oldest first — what the reviewer
   * judges on.
   */
  grantAccesses: (grant: Pick<BreakGlassGrant, 'patientId' | 'practitionerId' | 'createdAt' | 'expiresAt'>): Promise<AuditTrail> => {
    const params = new URLSearchParams({ patient: `Patient/${grant.patientId}`, agent: `Practitioner/${grant.practitionerId}`, _sort: '_lastUpdated', _count: String(TRAIL_CAP) });
    params.append('date', `ge${grant.createdAt}`);
    params.append('date', `le${grant.expiresAt}`);
    return readTrail(params);
  },
  /** The patients an INS or a name designates (20 at most; `more` when there are others). */
  patients: (q: string) => api<{ patients: AuditPatient[]; more: boolean }>('/access/audit-patients', { query: { q } }),
  /** The patient of a record id (the trail opened from the emergency accesses), the read traced by the server. */
  patient: (id: string) => api<AuditPatient>(`/access/audit-patients/${encodeURIComponent(id)}`),
  grants: () => api<{ grants: BreakGlassGrant[] }>('/access/break-glass'),
  /** Sign-ins and refused sign-ins, newest first (the server caps them at 1 000: `truncated`). */
  signIns: (filter: { outcome?: 'success' | 'failure'; from?: string; to?: string }) =>
    api<{ signIns: SignInLine[]; truncated: boolean }>('/access/sign-ins', { query: filter }),
  review: (id: string, verdict: 'justified' | 'unjustified', comment: string) =>
    api<BreakGlassGrant | undefined>(`/access/break-glass/${id}/review`, { method: 'POST', body: { verdict, ...(comment.trim() ? { comment: comment.trim() } : {}) } }),
};

/** One sign-in as the server lists it (server/access/sign-in-review.ts). */
export interface SignInLine {
  id: string; recorded: string; professional: string; idnps?: string; practitioner?: string;
  method?: string; address?: string; success: boolean; reason?: string;
}

/** How each sign-in method is named on the page and in its CSV. */
export const SIGN_IN_METHOD_LABEL: Record<string, string> = {
  cps: 'Carte CPS', saml: 'SAML (établissement)', psc: 'Pro Santé Connect', demo: 'Démonstration', session: 'Session',
};
export const signInMethodLabel = (method: string | undefined) => (method ? SIGN_IN_METHOD_LABEL[method] ?? method : '—');

/** A semicolon-separated cell, formulas neutralised (a name or a reason may start with « = »). */
function csvCell(v: string): string {
  const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
  return /[;"\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
}

/** The sign-ins as CSV, as the page shows them; `partial` heads the file when the list was capped. */
export function signInsCsv(lines: SignInLine[], partial?: string): string {
  const header = ['Date et heure (Europe/Paris)', 'Professionnel', 'RPPS / ADELI', 'Méthode', 'Adresse', 'Résultat', 'Motif du refus', 'Horodatage (UTC, ISO 8601)'];
  const rows = lines.map((l) => [
    formatNumericDateTime(l.recorded, l.recorded), l.professional, professionalNumber(l.idnps), signInMethodLabel(l.method), l.address ?? '',
    l.success ? 'réussie' : 'refusée', l.reason ?? '', l.recorded,
  ]);
  return [...(partial ? [[partial]] : []), header, ...rows].map((r) => r.map(csvCell).join(';')).join('\r\n') + '\r\n';
}

/**
 * The trail as CSV (semicolon-separated, as French spreadsheets expect), formulas neutralised.
 * `partial`: a first line says so, for the file may be read far from the screen that warned.
 */
export function auditCsv(lines: AuditLine[], partial?: string): string {
  const cell = (v: string) => {
    const safe = /^[=+\-@]/.test(v) ? `'${v}` : v;
    return /[;"\n]/.test(safe) ? `"${safe.replace(/"/g, '""')}"` : safe;
  };
  // The date as the screen shows it (Paris time, the zone named); the instant as recorded is kept
  // too: a security review matches it against server logs to the millisecond, and in the hour the
  // clocks go back (October) two Paris times read the same where the instants do not.
  // The professional by name and national number (RPPS or ADELI): « Practitioner/<uuid> » alone
  // meant nothing outside the DCC, where the file is read.
  const header = ['Date et heure (Europe/Paris)', 'Professionnel', 'RPPS / ADELI', 'Référence', 'Rôles', 'Action', 'Objet', 'Résultat', 'Bris de glace', 'Détail', 'Horodatage (UTC, ISO 8601)'];
  const rows = lines.map((l) => [
    formatNumericDateTime(l.recorded, l.recorded), l.professional, professionalNumber(l.idnps), l.practitioner ?? '', roleLabel(l.roles), l.action ? ACTION_LABEL[l.action] : '', l.what,
    l.success ? 'succès' : 'échec', l.breakGlass ? 'oui' : 'non', l.detail ?? '', l.recorded,
  ]);
  return [...(partial ? [[partial]] : []), header, ...rows].map((r) => r.map(cell).join(';')).join('\r\n') + '\r\n';
}
