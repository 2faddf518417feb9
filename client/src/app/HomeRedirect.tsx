import { Navigate } from 'react-router';
import { useCurrentUser } from '../api/session.ts';
import { homeOf } from './navigation.ts';

/** '/' → the home page of the user's role. */
export function HomeRedirect() {
  const user = useCurrentUser();
  return <Navigate to={homeOf(user.roles)} replace />;
}
