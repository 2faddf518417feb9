import { Alert, Anchor, Button, Card, Container, Fieldset, SimpleGrid, Stack, Text, Title } from '@mantine/core';
import { useMutation, useQuery, useQueryClient } from '@tanstack/react-query';
import { useEffect, useRef } from 'react';
import { Navigate, useNavigate, useSearchParams } from 'react-router';
import { api } from '../../api/http.ts';
import { fetchSession, lastSessionRefusal, SESSION_KEY, useSession, type DemoUsers, type SignInMethods } from '../../api/session.ts';
import { homeOf } from '../../app/navigation.ts';
import { safeReturnTo, type SignInReason } from '../../app/sign-in-link.ts';
import { ErrorMessage } from '../../components/ErrorMessage.tsx';
import { Loading } from '../../components/Loading.tsx';

const REASONS: Record<SignInReason, string> = {
  expiree: 'Votre session a expiré : reconnectez-vous pour revenir à la page demandée.',
  inactivite: "Vous avez été déconnecté(e) après une période d'inactivité : reconnectez-vous pour revenir à la page demandée.",
  deconnexion: 'Vous êtes déconnecté(e).',
};

/**
 * /connexion?retour=/patients/…: the sign-in methods configured on this server (CPS card on the
 * mutual-TLS port, Pro Santé Connect, SAML) and, in demo mode only, the demo professionals.
 * After sign-in, back to the page asked for (deep links from the mails).
 */
export default function SignInPage() {
  const [params] = useSearchParams();
  const returnTo = safeReturnTo(params.get('retour'));
  const reason = params.get('raison') as SignInReason | null;
  const session = useSession();
  const methods = useQuery({ queryKey: ['auth-methods'], queryFn: () => api<SignInMethods>('/auth/methods') });
  const heading = useRef<HTMLHeadingElement>(null);
  useEffect(() => {
    document.title = 'Connexion — DCC';
    heading.current?.focus({ preventScroll: true });
  }, []);

  if (session.data) return <Navigate to={returnTo ?? homeOf(session.data.principal.roles)} replace />;
  const refusal = lastSessionRefusal();
  const back = returnTo ?? '/';

  return (
    <Container size="md" py="xl" component="main" id="contenu">
      <Stack gap="lg">
        <div>
          <Title order={1} ref={heading} tabIndex={-1} style={{ outline: 'none' }}>Connexion au DCC</Title>
          <Text c="dimmed">Dossier Communicant de Cancérologie — réservé aux professionnels de santé</Text>
        </div>
        {reason && REASONS[reason] && <Alert color={reason === 'deconnexion' ? 'blue' : 'orange'} role="status">{REASONS[reason]}</Alert>}
        {refusal && /carte cps|certificat/i.test(refusal) && <Alert color="red" role="alert" title="Carte refusée">{refusal}</Alert>}
        {methods.isPending && <Loading label="Chargement des moyens de connexion…" />}
        {methods.error && <ErrorMessage error={methods.error} onRetry={() => void methods.refetch()} />}
        {methods.data && (
          <SimpleGrid cols={{ base: 1, sm: 2 }}>
            {methods.data.cps && (
              <Card withBorder padding="lg">
                <Title order={2} size="h4">Carte CPS</Title>
                <Text size="sm" mt="xs">Insérez votre carte dans le lecteur : le navigateur vous demandera de choisir votre certificat.</Text>
                <Button component="a" href={`${methods.data.cps.url}${back}`} mt="md">Se connecter avec la carte CPS</Button>
              </Card>
            )}
            {methods.data.psc && (
              <Card withBorder padding="lg">
                <Title order={2} size="h4">Pro Santé Connect</Title>
                <Text size="sm" mt="xs">Avec l'application e-CPS ou votre carte, via le service national d'authentification.</Text>
                <Button component="a" href={`/auth/psc/login?returnTo=${encodeURIComponent(back)}`} mt="md">Se connecter avec Pro Santé Connect</Button>
              </Card>
            )}
            {methods.data.saml && (
              <Card withBorder padding="lg">
                <Title order={2} size="h4">Compte de l'établissement</Title>
                <Text size="sm" mt="xs">Avec l'identifiant de votre établissement (fédération d'identité SAML).</Text>
                <Button component="a" href={`/auth/saml/login?returnTo=${encodeURIComponent(back)}`} mt="md">Se connecter avec mon établissement</Button>
              </Card>
            )}
          </SimpleGrid>
        )}
        {methods.data?.demo && <DemoSignIn returnTo={returnTo} />}
        {methods.data && !methods.data.demo && !methods.data.cps && !methods.data.psc && !methods.data.saml && (
          <Alert color="orange" role="status">Aucun moyen de connexion n'est configuré sur ce serveur : contactez l'administrateur.</Alert>
        )}
        <Text size="xs" c="dimmed">
          Chaque connexion et chaque consultation de dossier est tracée. <Anchor href="/fhir/metadata" size="xs">Interface FHIR</Anchor>
        </Text>
      </Stack>
    </Container>
  );
}

/** "Connexion de démonstration": pick a demo professional by role (demo mode only). */
function DemoSignIn({ returnTo }: { returnTo: string | undefined }) {
  const users = useQuery({ queryKey: ['demo-users'], queryFn: () => api<DemoUsers>('/auth/demo/users') });
  const navigate = useNavigate();
  const queryClient = useQueryClient();
  const signIn = useMutation({
    mutationFn: async (idnps: string) => {
      await api('/auth/demo/login', { method: 'POST', body: { practitioner: idnps }, allowUnauthenticated: true });
      return fetchSession();
    },
    onSuccess: (session) => {
      queryClient.setQueryData(SESSION_KEY, session);
      if (session) navigate(returnTo ?? homeOf(session.principal.roles), { replace: true });
    },
  });
  return (
    <Card withBorder padding="lg" component="section" aria-labelledby="demo-title">
      <Title order={2} size="h4" id="demo-title">Connexion de démonstration</Title>
      <Text size="sm" mt="xs" mb="md">
        Serveur de démonstration : choisissez un professionnel fictif. Une vraie session est ouverte et tracée comme les autres connexions.
      </Text>
      {signIn.error && <ErrorMessage error={signIn.error} />}
      {users.isPending && <Loading label="Chargement des professionnels de démonstration…" />}
      {users.error && <ErrorMessage error={users.error} />}
      <SimpleGrid cols={{ base: 1, sm: 2, md: 3 }}>
        {users.data?.roles.map((group) => (
          <Fieldset key={group.role} legend={group.label} data-role={group.role} variant="filled">
            <Stack gap="xs">
              {group.users.map((user) => (
                <Button key={user.idnps} variant="light" justify="flex-start" loading={signIn.isPending && signIn.variables === user.idnps}
                  disabled={signIn.isPending} onClick={() => signIn.mutate(user.idnps)}>
                  {user.name}
                </Button>
              ))}
            </Stack>
          </Fieldset>
        ))}
      </SimpleGrid>
    </Card>
  );
}
