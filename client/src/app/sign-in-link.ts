import type { Location } from 'react-router';

/** Why the user lands on the sign-in page (shown there). */
export type SignInReason = 'expiree' | 'inactivite' | 'deconnexion';

/** /connexion?retour=<the page to come back to>[&raison=…] */
export function signInPath(location: Pick<Location, 'pathname' | 'search' | 'hash'>, reason?: SignInReason): string {
  const params = new URLSearchParams();
  const back = `${location.pathname}${location.search}${location.hash}`;
  // After a deliberate logout the next user starts from their own home page.
  if (reason !== 'deconnexion' && back && back !== '/' && !back.startsWith('/connexion')) params.set('retour', back);
  if (reason) params.set('raison', reason);
  const search = params.toString();
  return `/connexion${search ? `?${search}` : ''}`;
}

/** Only a local path, never another site (same rule as the server's safeReturnTo). */
export function safeReturnTo(value: string | null | undefined): string | undefined {
  return value && /^\/(?![/\\])/.test(value) && !value.startsWith('/connexion') ? value : undefined;
}
