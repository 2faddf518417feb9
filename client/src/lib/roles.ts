import type { Role } from '../api/session.ts';

/** How a role is said on the pages. */
export const ROLE_LABELS: Record<Role, string> = {
  gp: 'Médecin généraliste',
  nurse: 'Infirmier(ère)',
  pharmacist: 'Pharmacien(ne)',
  physician: 'Médecin hospitalier',
  coordinator: 'Coordination 3C',
  admin: 'Responsable sécurité',
  system: 'Système',
};

export function roleLabel(roles: Role[]): string {
  return roles.map((r) => ROLE_LABELS[r] ?? r).join(', ');
}

export const AUTH_METHOD_LABELS: Record<string, string> = {
  cps: 'carte CPS',
  psc: 'Pro Santé Connect',
  saml: 'SAML',
  demo: 'démonstration',
};
