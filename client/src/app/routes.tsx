import type { RouteObject } from 'react-router';
import { Navigate } from 'react-router';
import { RouteError } from '../components/ErrorBoundary.tsx';
import { Loading } from '../components/Loading.tsx';
import { RequireRole, RequireSession } from './RequireSession.tsx';
import { HomeRedirect } from './HomeRedirect.tsx';

/**
 * Every route of the app. Pages are loaded on demand (one chunk per page: the first page stays
 * small). To add a page: create client/src/pages/<area>/MyPage.tsx with a default export, add a
 * route below under its area's RequireRole, and a navigation entry in navigation.ts if needed.
 */
function page(load: () => Promise<{ default: React.ComponentType }>): Pick<RouteObject, 'lazy'> {
  return { lazy: async () => ({ Component: (await load()).default }) };
}

export const routes: RouteObject[] = [
  { path: '/connexion', ...page(() => import('../pages/sign-in/SignInPage.tsx')), errorElement: <RouteError />, hydrateFallbackElement: <Loading /> },
  {
    element: <RequireSession />,
    errorElement: <RouteError />,
    hydrateFallbackElement: <Loading />,
    children: [
      {
        errorElement: <RouteError />,
        children: [
          { index: true, element: <HomeRedirect /> },
          { path: 'compte', ...page(() => import('../pages/AccountPage.tsx')) },
          // Regional directories (issue 17): every signed-in professional; the 3C keeps the trials.
          {
            element: <RequireRole roles={['gp', 'nurse', 'pharmacist', 'physician', 'coordinator', 'admin']} />,
            children: [{ path: 'annuaires', ...page(() => import('../pages/directories/DirectoriesPage.tsx')) }],
          },

          // City professionals — issue 13 (client/src/pages/city/)
          {
            element: <RequireRole roles={['gp', 'nurse', 'pharmacist']} />,
            children: [
              { path: 'patients', ...page(() => import('../pages/city/MyPatientsPage.tsx')) },
              { path: 'patients/:id', ...page(() => import('../pages/city/PatientPage.tsx')) },
              { path: 'changements', ...page(() => import('../pages/city/ChangesPage.tsx')) },
            ],
          },

          // Hospital physician — issue 14 (client/src/pages/hospital/), routes under /hopital
          {
            path: 'hopital',
            element: <RequireRole roles={['physician']} />,
            children: [
              { index: true, ...page(() => import('../pages/hospital/HospitalHomePage.tsx')) },
              { path: 'patients/:id', ...page(() => import('../pages/hospital/PatientRecordPage.tsx')) },
              { path: 'patients/:id/inscription', ...page(() => import('../pages/hospital/RegisterCasePage.tsx')) },
              { path: 'fiches/:id', ...page(() => import('../pages/hospital/RcpSheetPage.tsx')) },
              { path: 'dossiers/:id', ...page(() => import('../pages/hospital/CasePage.tsx')) },
              { path: 'programmes/:id', ...page(() => import('../pages/hospital/ProgrammePage.tsx')) },
            ],
          },

          // 3C coordination — issue 15 (client/src/pages/coordination/), routes under /coordination
          {
            path: 'coordination',
            element: <RequireRole roles={['coordinator']} />,
            children: [
              { index: true, ...page(() => import('../pages/coordination/CoordinationHomePage.tsx')) },
              { path: 'rcp/nouvelle', ...page(() => import('../pages/coordination/BoardPage.tsx')) },
              { path: 'rcp/:id', ...page(() => import('../pages/coordination/BoardPage.tsx')) },
              { path: 'seances/:id', ...page(() => import('../pages/coordination/SessionPage.tsx')) },
              { path: 'seances/:id/reunion', ...page(() => import('../pages/coordination/MeetingPage.tsx')) },
              { path: 'indicateurs', ...page(() => import('../pages/coordination/IndicatorsPage.tsx')) },
              { path: 'envois', ...page(() => import('../pages/coordination/DeliveriesPage.tsx')) },
              // The record of a case to follow up (quality criteria): what the 3C may read of it.
              { path: 'patients/:id', ...page(() => import('../pages/hospital/PatientRecordPage.tsx')) },
            ],
          },

          // Security officer — issue 15 (client/src/pages/security/), routes under /securite
          {
            path: 'securite',
            element: <RequireRole roles={['admin']} />,
            children: [
              { index: true, ...page(() => import('../pages/security/SecurityHomePage.tsx')) },
              { path: 'acces-urgence', ...page(() => import('../pages/security/BreakGlassPage.tsx')) },
              { path: 'connexions', ...page(() => import('../pages/security/SignInsPage.tsx')) },
            ],
          },

          { path: 'accueil', element: <Navigate to="/" replace /> },
          { path: '*', ...page(() => import('../pages/NotFoundPage.tsx')) },
        ],
      },
    ],
  },
];
