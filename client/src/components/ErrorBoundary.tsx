import { Alert, Button, Container, Stack, Text } from '@mantine/core';
import { Component, type ErrorInfo, type ReactNode } from 'react';
import { isRouteErrorResponse, useRouteError } from 'react-router';

/** Never a blank page: a render error shows a French sentence and a way out. */
export class ErrorBoundary extends Component<{ children: ReactNode }, { error?: unknown }> {
  override state: { error?: unknown } = {};

  static getDerivedStateFromError(error: unknown) {
    return { error };
  }

  override componentDidCatch(error: unknown, info: ErrorInfo) {
    console.error('Erreur de rendu', error, info.componentStack);
  }

  override render() {
    if (this.state.error === undefined) return this.props.children;
    return <PageCrashed />;
  }
}

/** react-router's errorElement: a route that failed to load or render. */
export function RouteError() {
  const error = useRouteError();
  console.error('Erreur de page', error);
  if (isRouteErrorResponse(error) && error.status === 404) return <PageCrashed message="Cette page n'existe pas." />;
  // After a new version is deployed, an old page asks for a chunk that no longer exists.
  const stale = error instanceof Error && /dynamically imported module|Importing a module script failed|Failed to fetch/i.test(error.message);
  return <PageCrashed message={stale ? 'Une nouvelle version du DCC est disponible : rechargez la page.' : undefined} />;
}

function PageCrashed({ message }: { message?: string | undefined }) {
  return (
    <Container size="sm" py="xl">
      <Alert color="red" role="alert" title="La page n'a pas pu s'afficher">
        <Stack gap="sm">
          <Text size="sm">{message ?? "Une erreur inattendue s'est produite. Rien n'a été enregistré depuis votre dernière action réussie. Rechargez la page ; si cela se reproduit, contactez le support."}</Text>
          <div>
            <Button size="xs" onClick={() => window.location.reload()}>Recharger la page</Button>{' '}
            <Button size="xs" variant="subtle" component="a" href="/">Accueil</Button>
          </div>
        </Stack>
      </Alert>
    </Container>
  );
}
