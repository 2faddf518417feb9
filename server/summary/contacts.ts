/**
 * "Qui appeler": the patient's care team with each member's direct line and secure mail, and the
 * establishment's lines — the hotline for complications first, then the switchboard.
 */
import type {
  CareTeam, ContactPoint, HealthcareService, HumanName, Organization, Patient, Practitioner, PractitionerRole, Reference, Resource,
} from '@medplum/fhirtypes';
import { CONTACT_ROLE, contactRoleOf } from '../care-plan/index.ts';

export interface CallContact {
  role: string;
  name: string;
  phone?: string;
  email?: string;
  /** Where the member works (from the PractitionerRole), when known. */
  organization?: string;
  reference?: string;
}

export interface PhoneLine {
  label: string;
  phone: string;
}

export interface WhomToCall {
  /** Hotline for complications, then the establishment's switchboard. */
  lines: PhoneLine[];
  contacts: CallContact[];
}

/** An Organization.contact (or a HealthcareService) for complications or emergencies, by its purpose or name. */
const HOTLINE = /complication|urgence|astreinte|permanence|hotline|24\s?h/i;

export function humanName(names: HumanName[] | undefined): string {
  const n = names?.find((x) => x.use === 'official') ?? names?.[0];
  if (!n) return '';
  return [...(n.prefix ?? []), ...(n.given ?? []), n.family].filter(Boolean).join(' ');
}

/** Display name of a directory reference, falling back on the reference's display. */
export function nameOf(ref: Reference | undefined, directory: Map<string, Resource>): string {
  if (!ref) return '';
  const r = ref.reference ? directory.get(ref.reference) : undefined;
  switch (r?.resourceType) {
    case 'Practitioner': return humanName((r as Practitioner).name) || ref.display || '';
    case 'Organization': return (r as Organization).name ?? ref.display ?? '';
    case 'HealthcareService': return (r as HealthcareService).name ?? ref.display ?? '';
    case 'PractitionerRole': return (r as PractitionerRole).practitioner?.display ?? ref.display ?? '';
    default: return ref.display ?? '';
  }
}

const phoneOf = (telecom: ContactPoint[] | undefined) => telecom?.filter((t) => t.system === 'phone' && t.value).sort((a, b) => (a.rank ?? 99) - (b.rank ?? 99))[0]?.value;
const emailOf = (telecom: ContactPoint[] | undefined) => telecom?.find((t) => t.system === 'email' && t.value)?.value;

export function whomToCall(input: { patient: Patient; careTeams: CareTeam[]; directory: Map<string, Resource>; roles: PractitionerRole[] }): WhomToCall {
  const { patient, careTeams, directory, roles } = input;
  const establishmentRef = patient.managingOrganization?.reference;
  const establishment = establishmentRef ? (directory.get(establishmentRef) as Organization | undefined) : undefined;

  const lines: PhoneLine[] = [];
  if (establishment) {
    for (const contact of establishment.contact ?? []) {
      const label = contact.purpose?.text ?? contact.purpose?.coding?.[0]?.display ?? contact.name?.text ?? '';
      const phone = phoneOf(contact.telecom);
      if (phone && HOTLINE.test(`${label} ${contact.name?.text ?? ''}`)) lines.push({ label: `${label || 'Urgences et complications'} — ${establishment.name ?? 'établissement'}`, phone });
    }
    const switchboard = phoneOf(establishment.telecom);
    if (switchboard) lines.push({ label: `Standard — ${establishment.name ?? 'établissement de référence'}`, phone: switchboard });
  }

  const contacts: CallContact[] = [];
  const seen = new Set<string>();
  for (const team of careTeams) {
    for (const p of team.participant ?? []) {
      const member = p.member;
      if (!member) continue;
      const key = member.reference ?? `display:${member.display ?? ''}`;
      if (seen.has(key)) continue;
      seen.add(key);
      const resource = member.reference ? directory.get(member.reference) : undefined;
      const role = roles.find((r) => member.reference && r.practitioner?.reference === member.reference && r.organization?.reference === establishmentRef)
        ?? roles.find((r) => member.reference && r.practitioner?.reference === member.reference);
      const organization = role?.organization?.reference ? (directory.get(role.organization.reference) as Organization | undefined) : undefined;
      const telecom = (resource as { telecom?: ContactPoint[] } | undefined)?.telecom;
      const known = contactRoleOf(p.role);
      const roleText = p.role?.find((r) => r.text)?.text ?? (known ? CONTACT_ROLE[known].label : undefined) ?? role?.code?.find((c) => c.text)?.text ?? "Membre de l'équipe de soins";
      const phone = phoneOf(role?.telecom) ?? phoneOf(telecom) ?? phoneOf(organization?.telecom);
      const email = emailOf(role?.telecom) ?? emailOf(telecom);
      const typed = phone ? undefined : phoneInName(nameOf(member, directory));
      const name = typed?.name ?? nameOf(member, directory);
      if (!name) continue;
      contacts.push({
        role: roleText,
        name,
        ...(phone ?? typed?.phone ? { phone: phone ?? typed?.phone } : {}),
        ...(email ? { email } : {}),
        ...(organization?.name ?? role?.organization?.display ? { organization: organization?.name ?? role?.organization?.display } : {}),
        ...(member.reference ? { reference: member.reference } : {}),
      });
    }
  }
  return { lines, contacts };
}

/** A French phone number inside a name typed by hand (care-plan/pps.ts writes « Ligue … — 04 65 71 60 00 »). */
const PHONE_IN_TEXT = /\s*(?:—|-|,|:)?\s*((?:\+33\s?|0)[1-9](?:[\s.-]?\d{2}){4})\s*$/;

/** A contact typed by hand carries its phone in its name: the phone goes to its column (it sat under « Nom », « — » as the phone). */
export function phoneInName(text: string): { name: string; phone: string } | undefined {
  const m = PHONE_IN_TEXT.exec(text);
  if (!m || m.index === 0) return undefined;
  return { name: text.slice(0, m.index).trim(), phone: m[1]! };
}

/** Directory references "whom to call" needs (care-team members and the establishment). */
export function contactReferences(patient: Patient, careTeams: CareTeam[]): string[] {
  const refs = new Set<string>();
  if (patient.managingOrganization?.reference) refs.add(patient.managingOrganization.reference);
  for (const team of careTeams) for (const p of team.participant ?? []) if (p.member?.reference) refs.add(p.member.reference);
  return [...refs];
}
