import type { SharedEventKind } from './mail.ts';

/** The summary section a shared event is about: the page opens there (client/src/pages/city/PatientPage.tsx). */
const SECTION_OF_EVENT: Record<SharedEventKind, string> = {
  'rcp-report': 'rcp-proposal',
  'pps-shared': 'pps',
  'ppac-changed': 'ppac-surveillance',
  'oral-treatment-changed': 'oral-treatments',
};

/**
 * The web client's page for a patient, as the mails link to it: after sign-in (return-to) the
 * reader lands on the patient's page, at the section the mail announces, in their profession's view.
 */
export function patientPageLink(publicBaseUrl: string, patientId: string, event?: SharedEventKind, role?: string): string {
  const section = event === 'oral-treatment-changed' && role === 'nurse' ? 'home-treatments' : event ? SECTION_OF_EVENT[event] : undefined;
  return `${publicBaseUrl.replace(/\/$/, '')}/patients/${encodeURIComponent(patientId)}${section ? `#${section}` : ''}`;
}
