import type { Patient } from '@medplum/fhirtypes';
import type { RcpReportMessage } from '../delivery/index.ts';
import type { RcpCase } from './case-model.ts';
import { idFrom } from './fhir-helpers.ts';

export type ReportRecipient = RcpReportMessage['recipients'][number];

/**
 * Who receives a case's signed report, before the correspondents the signer adds: the patient's
 * declared GPs, then the requester unless he is one of them. Without a declared GP, the GP is
 * listed as unknown (the sending and the 3C's follow-up say so) and the requester alone receives
 * it. One rule for the signature's message and the page that says where the report will go.
 */
export function reportRecipients(patient: Patient, c: Pick<RcpCase, 'requester' | 'requesterDisplay'>): ReportRecipient[] {
  const out: ReportRecipient[] = [];
  const gps = (patient.generalPractitioner ?? []).filter((g) => idFrom(g, 'Practitioner'));
  if (!gps.length) out.push({ role: 'general-practitioner', unknown: true });
  const seen = new Set<string>();
  for (const g of gps) {
    const ref = `Practitioner/${idFrom(g, 'Practitioner')}`;
    seen.add(ref);
    out.push({ role: 'general-practitioner', practitioner: ref, ...(g.display ? { display: g.display } : {}) });
  }
  if (c.requester && !seen.has(c.requester)) out.push({ role: 'requester', practitioner: c.requester, ...(c.requesterDisplay ? { display: c.requesterDisplay } : {}) });
  return out;
}
