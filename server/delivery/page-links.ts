import type { SharedEventKind } from './mail.ts';

/** The summary section a shared event is about: the page opens there (client/src/pages/city/PatientPage.tsx). */
const SECTION_OF_EVENT: Record<SharedEventKind, string> = {
  'rcp-report': 'rcp-proposal',
  'pps-shared': 'pps',
  'ppac-changed': 'ppac-surveillance',
  'oral-treatment-changed': 'oral-treatments',
};

/** Who the mail is for: why they receive it (delivery role) and their DCC roles in the directory. */
export interface LinkRecipient {
  /** The delivery role: general-practitioner, requester, correspondent, pharmacist, nurse. */
  role?: string;
  /** DCC roles of the recipient (physician, coordinator, gp, nurse, pharmacist…), from the directory. */
  roles?: string[];
}

/** Delivery roles that are city professions: they read the patient on the city page (client/src/app/routes.tsx). */
const CITY_DELIVERY_ROLES = new Set(['general-practitioner', 'pharmacist', 'nurse']);
const CITY_ROLES = ['gp', 'nurse', 'pharmacist'];

/** The area of the web client the recipient reads the patient in: the page their roles may open. */
function areaOf(recipient: LinkRecipient): 'city' | 'hospital' | 'coordination' {
  if (recipient.role && CITY_DELIVERY_ROLES.has(recipient.role)) return 'city';
  const roles = recipient.roles ?? [];
  // The hospital record (/hopital, physician only), else the 3C's view of it (/coordination), else the city page.
  if (roles.includes('physician')) return 'hospital';
  if (roles.includes('coordinator')) return 'coordination';
  return 'city';
}

/**
 * The web client's page for a patient, as the mails link to it: after sign-in (return-to) the
 * reader lands on the patient's page in their profession's view — the hospital record for a
 * hospital physician (/hopital/patients/:id) or a 3C (/coordination/patients/:id), the city page
 * at the section the mail announces for a GP, nurse or pharmacist (/patients/:id#section).
 */
export function patientPageLink(publicBaseUrl: string, patientId: string, event?: SharedEventKind, recipient: LinkRecipient = {}): string {
  const base = publicBaseUrl.replace(/\/$/, '');
  const id = encodeURIComponent(patientId);
  const area = areaOf(recipient);
  if (area === 'hospital') return `${base}/hopital/patients/${id}`;
  if (area === 'coordination') return `${base}/coordination/patients/${id}`;
  const section = event === 'oral-treatment-changed' && recipient.role === 'nurse' ? 'home-treatments' : event ? SECTION_OF_EVENT[event] : undefined;
  return `${base}/patients/${id}${section ? `#${section}` : ''}`;
}
