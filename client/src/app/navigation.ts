import type { Role } from '../api/session.ts';

/**
 * The main navigation, by role: one entry per area. Each area's pages live in
 * client/src/pages/<area>/ and their routes in app/routes.tsx.
 */
export interface NavEntry {
  label: string;
  to: string;
  roles: Role[];
  /** Highlighted for this path and the paths below it (default: `to`). */
  match?: string;
}

export const NAVIGATION: NavEntry[] = [
  // City professionals (issue 13): client/src/pages/city/
  { label: 'Mes patients', to: '/patients', roles: ['gp', 'nurse', 'pharmacist'] },
  // Each city profession's list counts the changes it may read; the feed lists them (server/city/feed.ts).
  { label: 'Ce qui a changé', to: '/changements', roles: ['gp', 'nurse', 'pharmacist'] },
  // Hospital physician (issue 14): client/src/pages/hospital/
  { label: 'Dossiers patients', to: '/hopital', roles: ['physician'] },
  // 3C coordination (issue 15): client/src/pages/coordination/
  { label: 'Coordination RCP', to: '/coordination', roles: ['coordinator'] },
  // Security officer (issue 15): client/src/pages/security/ — before the directories, so it stays the administrator's home.
  { label: 'Sécurité', to: '/securite', roles: ['admin'] },
  // Regional directories (issue 17): client/src/pages/directories/; the administrator imports the offer of care there.
  { label: 'Annuaires', to: '/annuaires', roles: ['gp', 'nurse', 'pharmacist', 'physician', 'coordinator', 'admin'] },
];

/** Whose home wins when a professional has several roles (a 3C coordinator is often a physician too). */
const HOME_PRIORITY: Role[] = ['admin', 'coordinator', 'physician', 'gp', 'nurse', 'pharmacist'];

/** The page a role lands on after sign-in (when no return-to). */
export function homeOf(roles: Role[]): string {
  for (const role of HOME_PRIORITY) {
    if (!roles.includes(role)) continue;
    const entry = NAVIGATION.find((e) => e.roles.includes(role));
    if (entry) return entry.to;
  }
  return '/compte';
}

export function navigationFor(roles: Role[]): NavEntry[] {
  return NAVIGATION.filter((entry) => entry.roles.some((r) => roles.includes(r)));
}
