import { useQuery, useQueryClient, type QueryClient } from '@tanstack/react-query';
import type { SignInReason } from '../app/sign-in-link.ts';
import { clearAllLocalDrafts, localDraftCount } from '../lib/sheet-draft.ts';
import { api, ApiError, setCsrfToken } from './http.ts';

/** A DCC role, as the server's Principal carries them. */
export type Role = 'gp' | 'nurse' | 'pharmacist' | 'physician' | 'coordinator' | 'admin' | 'system';

export interface Principal {
  practitionerId?: string;
  idnps?: string;
  displayName: string;
  roles: Role[];
  authMethod: 'cps' | 'saml' | 'psc' | 'demo' | 'session' | 'system' | 'anonymous';
  finess?: string;
}

/** GET /auth/session: who I am; for a cookie session, the CSRF token and the idle timeout. */
export interface SessionInfo {
  principal: Principal;
  csrfToken?: string;
  idleTimeoutSeconds?: number;
}

export const SESSION_KEY = ['session'] as const;

let refusal: string | undefined;

/** Why the last "who am I" was refused (e.g. "Carte CPS refusée : le certificat CPS a expiré"). */
export function lastSessionRefusal(): string | undefined {
  return refusal;
}

/** Fetches who I am (any sign-in method); null when not signed in (a query cannot hold undefined). */
export async function fetchSession(): Promise<SessionInfo | null> {
  try {
    const session = await api<SessionInfo>('/auth/session', { allowUnauthenticated: true });
    refusal = undefined;
    endReason = undefined;
    setCsrfToken(session.csrfToken);
    return session;
  } catch (error) {
    if (error instanceof ApiError && error.status === 401) {
      refusal = error.message;
      setCsrfToken(undefined);
      return null;
    }
    throw error;
  }
}

/** The signed-in professional (undefined while loading or when signed out). */
export function useSession() {
  return useQuery({ queryKey: SESSION_KEY, queryFn: fetchSession, staleTime: Infinity, retry: false });
}

/** The session that the protected pages can rely on (RequireSession guarantees it). */
export function useCurrentUser(): Principal {
  const { data } = useSession();
  if (!data) throw new Error('useCurrentUser() hors de RequireSession');
  return data.principal;
}

export function hasRole(principal: Principal | undefined, ...roles: Role[]): boolean {
  return Boolean(principal?.roles.some((r) => roles.includes(r)));
}

let endReason: SignInReason | undefined;

/** Why the session ended (logout, idle timeout, 401): RequireSession says it on the sign-in page. */
export function sessionEndReason(): SignInReason | undefined {
  return endReason;
}

/**
 * Forgets the session in the client: no more CSRF token, no cached patient data. RequireSession
 * then sends the user to the sign-in page (with the page to come back to, except after a logout).
 */
export function endSession(queryClient: QueryClient, reason: SignInReason): void {
  endReason = reason;
  setCsrfToken(undefined);
  queryClient.setQueryData(SESSION_KEY, null);
  queryClient.removeQueries({ predicate: (q) => q.queryKey[0] !== SESSION_KEY[0] });
}

/** Whose copies of unsaved sheets these are in the browser (lib/sheet-draft.ts). */
export function draftOwner(principal: Principal): string {
  return principal.practitionerId ?? principal.idnps ?? principal.displayName;
}

/**
 * Logout (or the end of an idle session): the server session ends, then the client's. An explicit
 * logout also erases the copies of unsaved RCP sheets kept in this browser (patient data on a shared
 * workstation), after asking if the professional leaving has some: the server does not have them yet.
 * An idle timeout keeps them for the same professional's return (nobody else gets them back).
 */
export function useSignOut() {
  const queryClient = useQueryClient();
  return async (reason: SignInReason = 'deconnexion') => {
    if (reason === 'deconnexion') {
      const storage = typeof window !== 'undefined' ? window.localStorage : undefined;
      const principal = queryClient.getQueryData<{ principal: Principal } | null>(SESSION_KEY)?.principal;
      const unsaved = principal ? localDraftCount(storage, draftOwner(principal)) : 0;
      if (unsaved && !window.confirm(`${unsaved === 1 ? 'Une fiche RCP a des saisies' : `${unsaved} fiches RCP ont des saisies`} pas encore enregistrées sur le serveur (réseau coupé ?). En vous déconnectant, elles seront effacées de ce poste. Se déconnecter quand même ?`)) return;
      clearAllLocalDrafts(storage);
    }
    try {
      await api('/auth/logout', { method: 'POST', allowUnauthenticated: true });
    } catch {
      // already ended on the server (idle timeout): nothing more to end
    } finally {
      endSession(queryClient, reason);
    }
  };
}

/** What the sign-in page offers: GET /auth/methods. */
export interface SignInMethods {
  cps?: { url: string };
  psc: boolean;
  saml: boolean;
  demo: boolean;
}

export interface DemoUsers {
  roles: { role: Role; label: string; users: { idnps: string; name: string; title: string; role: Role }[] }[];
}
