/**
 * How the 3C's follow-up names one sending of an RCP report and who it could not reach. A
 * corrected report is sent again: without a title, the first signature's sending and the
 * correction's showed as two identical blocks. Imports dates.ts only (itself import-free): the
 * mocha unit tests load this file directly.
 */
import { formatDateTime } from './dates.ts';

export interface ReportSignature { correction: boolean; signedAt: string; correctionReason?: string }
export interface MissingRecipient { roleLabel: string; reason: string }

/** « Compte rendu initial, signé le 10 mars 2026 à 15:00 » / « Compte rendu corrigé le 12 mars 2026 à 10:00 — motif : … ». */
export function reportSendingTitle(report: ReportSignature): string {
  if (!report.correction) return `Compte rendu initial, signé le ${formatDateTime(report.signedAt)}`;
  return `Compte rendu corrigé le ${formatDateTime(report.signedAt)}${report.correctionReason ? ` — motif : ${report.correctionReason}` : ''}`;
}

/** « Destinataire manquant : Médecin traitant — Pas de médecin traitant déclaré : … ». */
export function missingRecipientText(missing: MissingRecipient): string {
  return `Destinataire manquant : ${missing.roleLabel} — ${missing.reason}`;
}
