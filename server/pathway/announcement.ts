/**
 * The announcement of the diagnosis (dispositif d'annonce, Plan cancer 2003 mesure 40, INCa
 * recommendations 2019): a medical announcement consultation, then the nurse's support time
 * (temps d'accompagnement soignant). Each is a completed Procedure with its date and who did it;
 * the record's timeline shows them, and the quality criteria count them.
 */
import type { Practitioner, Procedure, Reference } from '@medplum/fhirtypes';
import { compareDates, isIsoDate } from '../fhir-kit/dates.ts';
import { DCC_CANONICAL_BASE } from '../fhir-kit/canonical.ts';
import { badRequest, businessRule } from '../fhir-kit/errors.ts';
import { isRelativeReference } from '../fhir-kit/ids.ts';
import { futureDateMessage } from '../fhir-kit/french-dates.ts';

export const ANNOUNCEMENT_CATEGORY = { system: `${DCC_CANONICAL_BASE}/CodeSystem/dcc-care-pathway-step`, code: 'announcement', display: "Dispositif d'annonce" };
export const ANNOUNCEMENT_SYSTEM = `${DCC_CANONICAL_BASE}/CodeSystem/dcc-announcement-time`;
export const ANNOUNCEMENT_KIND = {
  medical: "Consultation d'annonce médicale",
  nurse: "Temps d'accompagnement soignant (annonce)",
} as const;
export type AnnouncementKind = keyof typeof ANNOUNCEMENT_KIND;

export interface AnnouncementInput {
  kind: AnnouncementKind;
  /** YYYY-MM-DD or a dateTime. */
  date: string;
  /** Who did it (Practitioner/…): for the medical time, the caller by default. */
  by?: string;
  /** The cancer announced (Condition/…). */
  condition?: string;
  note?: string;
}

export function checkAnnouncement(input: AnnouncementInput, today: string): void {
  if (!input || typeof input !== 'object') throw badRequest("Le corps est un objet JSON (kind, date, by)", []);
  if (!(input.kind in ANNOUNCEMENT_KIND)) throw badRequest(`kind=${String(input.kind)} : medical (consultation d'annonce) ou nurse (temps d'accompagnement soignant)`, ['kind']);
  const day = typeof input.date === 'string' ? input.date.slice(0, 10) : '';
  if (!isIsoDate(day) || (input.date.length > 10 && Number.isNaN(Date.parse(input.date)))) throw badRequest(`date invalide : '${String(input.date)}' (AAAA-MM-JJ)`, ['date']);
  if (compareDates(day, today) > 0) throw businessRule(futureDateMessage("La date de l'annonce", day, 'enregistrez-la une fois faite'), ['date']);
  if (input.by !== undefined && !isRelativeReference(input.by, 'Practitioner')) throw badRequest('by : Practitioner/<id> du professionnel qui a mené ce temps', ['by']);
  if (input.kind === 'nurse' && !input.by) throw badRequest("Indiquez l'infirmier(ère) qui a mené le temps d'accompagnement (by : Practitioner/<id>)", ['by']);
  if (input.condition !== undefined && !isRelativeReference(input.condition, 'Condition')) throw badRequest('condition : Condition/<id>', ['condition']);
}

export function announcementProcedure(patientId: string, input: AnnouncementInput, performer: Practitioner | undefined, by: Reference, recorder: Reference | undefined): Procedure {
  const name = performer?.name?.[0];
  const display = by.display ?? (name ? [...(name.prefix ?? []), ...(name.given ?? []), name.family].filter(Boolean).join(' ') : undefined);
  return {
    resourceType: 'Procedure',
    status: 'completed',
    category: { coding: [ANNOUNCEMENT_CATEGORY], text: ANNOUNCEMENT_CATEGORY.display },
    code: { coding: [{ system: ANNOUNCEMENT_SYSTEM, code: input.kind, display: ANNOUNCEMENT_KIND[input.kind] }], text: ANNOUNCEMENT_KIND[input.kind] },
    subject: { reference: `Patient/${patientId}` },
    performedDateTime: input.date,
    performer: [{ actor: { reference: by.reference, ...(display ? { display } : {}) } as Reference<Practitioner> }],
    ...(recorder ? { recorder: recorder as Reference<Practitioner> } : {}),
    ...(input.condition ? { reasonReference: [{ reference: input.condition }] } : {}),
    ...(input.note ? { note: [{ text: input.note }] } : {}),
  };
}

export function announcementKindOf(p: Procedure): AnnouncementKind | undefined {
  if (!p.category?.coding?.some((c) => c.system === ANNOUNCEMENT_CATEGORY.system && c.code === ANNOUNCEMENT_CATEGORY.code)) return undefined;
  const code = p.code?.coding?.find((c) => c.system === ANNOUNCEMENT_SYSTEM)?.code;
  return code && code in ANNOUNCEMENT_KIND ? (code as AnnouncementKind) : undefined;
}
