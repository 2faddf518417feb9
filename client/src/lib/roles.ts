import type { Role } from '../api/session.ts';

/**
 * How a role is said on the pages: a mirror of the server's table (server/access/role-labels.ts),
 * which the demo sign-in page lists, so signing in and the header use the same words;
 * test/client/role-labels-parity.test.ts keeps the two equal.
 */
export const ROLE_LABELS: Record<Role, string> = {
  gp: 'Médecin généraliste',
  nurse: 'Infirmier(ère) libéral(e)',
  pharmacist: "Pharmacien d'officine",
  physician: 'Médecin hospitalier',
  coordinator: 'Coordination 3C',
  admin: 'Responsable sécurité',
  system: 'Système',
};

/**
 * "Médecin hospitalier, Coordination 3C": the menus, the account page, the audit trail and its CSV
 * all say a role this way. The trail records raw codes, so an unknown one is named as it is rather than hidden.
 */
export function roleLabel(roles: readonly string[]): string {
  return roles.map((r) => ROLE_LABELS[r as Role] ?? r).join(', ');
}

export const AUTH_METHOD_LABELS: Record<string, string> = {
  cps: 'carte CPS',
  psc: 'Pro Santé Connect',
  saml: 'SAML',
  demo: 'démonstration',
};
