import { useQueryClient } from '@tanstack/react-query';
import { useEffect } from 'react';
import { Navigate, Outlet, useLocation } from 'react-router';
import { ApiError, onUnauthorized } from '../api/http.ts';
import { endSession, hasRole, sessionEndReason, useSession, type Role } from '../api/session.ts';
import { ErrorMessage } from '../components/ErrorMessage.tsx';
import { Loading } from '../components/Loading.tsx';
import { Page } from '../components/Page.tsx';
import { AppLayout } from './AppLayout.tsx';
import { signInPath } from './sign-in-link.ts';
import { ROLE_LABELS } from '../lib/roles.ts';

/**
 * The signed-in part of the app: no session → the sign-in page, then back here (return-to).
 * Any API call answered 401 later (session expired, ended elsewhere) does the same.
 */
export function RequireSession() {
  const session = useSession();
  const location = useLocation();
  const queryClient = useQueryClient();

  useEffect(() => {
    onUnauthorized(() => endSession(queryClient, 'expiree'));
    return () => onUnauthorized(undefined);
  }, [queryClient]);

  if (session.isPending) return <Loading label="Vérification de la connexion…" />;
  if (session.error) return <ErrorMessage error={session.error} onRetry={() => void session.refetch()} />;
  if (!session.data) return <Navigate to={signInPath(location, sessionEndReason())} replace />;
  return (
    <AppLayout session={session.data}>
      <Outlet />
    </AppLayout>
  );
}

/** A route for some roles only: the others read why (the server refuses their calls anyway). */
export function RequireRole({ roles }: { roles: Role[] }) {
  const session = useSession();
  if (!hasRole(session.data?.principal, ...roles)) {
    return (
      <Page title="Accès réservé">
        <ErrorMessage title="Accès réservé" error={new ApiError(403, `Cette page est réservée aux profils : ${roles.map((r) => ROLE_LABELS[r]).join(', ')}.`)} />
      </Page>
    );
  }
  return <Outlet />;
}
