import type { Role } from './policy.ts';

/**
 * How each role is said in French, in the order the demo sign-in page lists them: the glossary's
 * words (IDEL → « Infirmier(ère) libéral(e) », « Pharmacien d'officine »). The sign-in page said
 * « Administrateur (sécurité) » and « Pharmacien(ne) d'officine » where the menus and the audit
 * trail said « Responsable sécurité » and « Pharmacien(ne) ». The client mirrors this table
 * (client/src/lib/roles.ts; test/client/role-labels-parity.test.ts keeps the two equal).
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
