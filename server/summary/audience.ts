/**
 * Who may read which summary: each city profession its own (the GP the GP's, the nurse the
 * nurse's, the pharmacist the pharmacist's); hospital physicians may preview any of them (what
 * the city will see); the 3C and administrators read none (no clinical summary is theirs).
 */
import type { Principal } from '../context.ts';
import { badRequest, forbidden } from '../fhir-kit/errors.ts';
import { AUDIENCES, AUDIENCE_LABEL, type Audience } from './codes.ts';

export function isAudience(value: unknown): value is Audience {
  return typeof value === 'string' && (AUDIENCES as readonly string[]).includes(value);
}

/** The audiences the caller may ask for; the first is the default. */
export function audiencesOf(principal: Principal): Audience[] {
  if (principal.roles.includes('system') || principal.roles.includes('physician')) return [...AUDIENCES];
  return AUDIENCES.filter((a) => principal.roles.includes(a));
}

/**
 * The summary to build for this caller: the requested audience if allowed (403 otherwise), else
 * the caller's own profession. A hospital physician who names none previews the GP's.
 */
export function resolveAudience(principal: Principal, requested: unknown): Audience {
  if (requested !== undefined && !isAudience(requested)) {
    throw badRequest(`audience=${String(requested)} inconnu : gp (médecin traitant), nurse (infirmier) ou pharmacist (pharmacien)`, ['audience']);
  }
  const allowed = audiencesOf(principal);
  if (!allowed.length) {
    throw forbidden(`Votre profession (${principal.roles.join(', ') || 'aucun rôle'}) n'a pas de synthèse patient : elles sont destinées au médecin traitant, à l'infirmier(ère) et au pharmacien`);
  }
  if (requested === undefined) return allowed[0]!;
  if (!allowed.includes(requested)) {
    throw forbidden(`La ${AUDIENCE_LABEL[requested].title.toLowerCase()} n'est pas destinée à votre profession (${principal.roles.join(', ')}) : demandez la vôtre (audience=${allowed.join(' ou ')})`);
  }
  return requested;
}
